/*
 * xl.cfg -> struct domain_config, for PV guests. Keys xeno does not use are
 * ignored silently, as Xen's xl ignores keys it does not know.
 */
#include "domcfg.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const actions[] = {
	"destroy",
	"restart",
	"rename-restart",
	"preserve",
	"coredump-destroy",
	"coredump-restart",
	"soft-reset",
};

static const char *find_action(const char *name)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(name, actions[i]))
			return actions[i];
	return NULL;
}

/* on_<event> = "<action>", with Xen's default. */
static int parse_action(const struct cfg *cfg, const char *event, const char *dflt,
			const char **out, FILE *err)
{
	char key[32];
	const char *v;

	snprintf(key, sizeof(key), "on_%s", event);
	if (cfg_get_string(cfg, key, &v, false))
		v = dflt;
	*out = find_action(v);
	if (!*out) {
		fprintf(err, "Unknown %s action \"%s\" specified\n", key, v);
		return -EINVAL;
	}
	return 0;
}

/*
 * type= and the older builder= both name the domain type; Xen's xl takes
 * any prefix of a type name ("p" is pv). Only PV is supported here.
 */
enum dom_type { TYPE_UNSET, TYPE_HVM, TYPE_PV, TYPE_PVH };

static enum dom_type match_type(const char *v, bool builder)
{
	size_t n = strlen(v);

	if (!strncmp(v, "hvm", n))
		return TYPE_HVM;
	if (!strncmp(v, builder ? "generic" : "pv", n))
		return TYPE_PV;
	if (!builder && !strncmp(v, "pvh", n))
		return TYPE_PVH;
	return TYPE_UNSET;
}

static int parse_type(const struct cfg *cfg, FILE *err)
{
	enum dom_type type = TYPE_UNSET, builder;
	const char *v;

	if (!cfg_get_string(cfg, "type", &v, false)) {
		type = match_type(v, false);
		if (type == TYPE_UNSET) {
			fprintf(err, "Invalid domain type %s.\n", v);
			return -EINVAL;
		}
	}
	if (!cfg_get_string(cfg, "builder", &v, false)) {
		builder = match_type(v, true);
		if (builder == TYPE_UNSET) {
			fprintf(err, "Invalid domain type %s.\n", v);
			return -EINVAL;
		}
		if (type != TYPE_UNSET && type != builder) {
			fprintf(err, "Contradicting \"builder\" and \"type\" options specified.\n");
			return -EINVAL;
		}
		type = builder;
	}
	if (type == TYPE_HVM || type == TYPE_PVH) {
		fprintf(err, "xl: %s guests are not supported: xeno runs PV guests only.\n",
			type == TYPE_HVM ? "HVM" : "PVH");
		return -EINVAL;
	}
	return 0;
}

/* A string setting, copied (NULL if unset). */
static int copy_string(const struct cfg *cfg, const char *key, char **out)
{
	const char *v;

	if (cfg_get_string(cfg, key, &v, false))
		return 0;
	*out = strdup(v);
	return *out ? 0 : -ENOMEM;
}

/* cmdline= wins; otherwise "root=<root> <extra>", either part optional. */
static int compose_cmdline(const struct cfg *cfg, char **out, FILE *err)
{
	const char *cmdline = NULL, *root = NULL, *extra = NULL;

	cfg_get_string(cfg, "cmdline", &cmdline, false);
	cfg_get_string(cfg, "root", &root, false);
	cfg_get_string(cfg, "extra", &extra, false);
	if (cmdline) {
		if (root || extra)
			fprintf(err, "Warning: ignoring root= and extra= in favour of cmdline=\n");
		*out = strdup(cmdline);
	} else if (root && extra) {
		if (asprintf(out, "root=%s %s", root, extra) < 0)
			*out = NULL;
	} else if (root) {
		if (asprintf(out, "root=%s", root) < 0)
			*out = NULL;
	} else if (extra) {
		*out = strdup(extra);
	} else {
		return 0;
	}
	return *out ? 0 : -ENOMEM;
}

/* memory= and maxmem= in MiB; each defaults to the other, both to 32. */
static int parse_memory(const struct cfg *cfg, struct domain_config *dc, FILE *err)
{
	/* A bound that keeps MiB * 1024 * 1024 in 64 bits. */
	const long max_mib = 1L << 40;
	long memory = 0, maxmem = 0;
	bool have_memory, have_maxmem;

	have_memory = !cfg_get_long(cfg, "memory", &memory, false);
	have_maxmem = !cfg_get_long(cfg, "maxmem", &maxmem, false);
	if (!have_maxmem)
		maxmem = have_memory ? memory : 32;
	if (!have_memory)
		memory = maxmem;
	if (memory < 1 || maxmem < 1) {
		fprintf(err, "xl: memory and maxmem must be at least 1 (MiB)\n");
		return -EINVAL;
	}
	if (memory > max_mib || maxmem > max_mib) {
		fprintf(err, "xl: memory and maxmem must be at most %ld (MiB)\n", max_mib);
		return -EINVAL;
	}
	dc->memory_mib = memory;
	dc->maxmem_mib = maxmem;
	return 0;
}

static int parse_vcpus(const struct cfg *cfg, struct domain_config *dc, FILE *err)
{
	long v;

	dc->vcpus = 1;
	if (!cfg_get_long(cfg, "vcpus", &v, false)) {
		if (v > DOMCFG_MAX_VCPUS) {
			fprintf(err, "xl: vcpus (%ld) is more than %d\n", v, DOMCFG_MAX_VCPUS);
			return -EINVAL;
		}
		if (v > 0)
			dc->vcpus = (int)v;
	}
	dc->max_vcpus = dc->vcpus;
	if (!cfg_get_long(cfg, "maxvcpus", &v, false)) {
		if (v > DOMCFG_MAX_VCPUS) {
			fprintf(err, "xl: maxvcpus (%ld) is more than %d\n", v, DOMCFG_MAX_VCPUS);
			return -EINVAL;
		}
		/* Xen's xl takes maxvcpus=0 as "not given". */
		if (v != 0)
			dc->max_vcpus = (int)v;
	}
	if (dc->max_vcpus < dc->vcpus) {
		fprintf(err, "xl: maxvcpus < vcpus\n");
		return -EINVAL;
	}
	return 0;
}

/* disk = [ 'spec', ... ]: each in Xen's disk syntax, vdevs unique. */
static int parse_disks(const struct cfg *cfg, struct domain_config *dc, FILE *err)
{
	const struct cfg_value *list;
	const char *spec;
	char msg[256];
	int n = 0;

	if (cfg_get_list(cfg, "disk", &list, false))
		return 0;
	while (cfg_list_string(list, n))
		n++;
	dc->disks = calloc((size_t)n + 1, sizeof(*dc->disks));
	if (!dc->disks)
		return -ENOMEM;
	for (int i = 0; (spec = cfg_list_string(list, i)); i++) {
		struct disk_spec *d = &dc->disks[dc->nr_disks];

		if (disk_spec_parse(spec, d, msg, sizeof(msg)) < 0) {
			fprintf(err, "xl: error with disk configuration '%s': %s\n", spec, msg);
			return -EINVAL;
		}
		for (int j = 0; j < dc->nr_disks; j++) {
			if (dc->disks[j].devid == d->devid) {
				fprintf(err, "xl: disk vdev %s is specified twice\n", d->vdev);
				return -EINVAL;
			}
		}
		dc->nr_disks++;
	}
	return 0;
}

/* libxl__device_nic_set_devids: unset devids count on from the highest given. */
static int assign_devids(struct domain_config *dc, FILE *err)
{
	int last = -1;

	for (int i = 0; i < dc->nr_vifs; i++)
		if (dc->vifs[i].devid > last)
			last = dc->vifs[i].devid;
	for (int i = 0; i < dc->nr_vifs; i++) {
		if (dc->vifs[i].devid < 0)
			dc->vifs[i].devid = ++last;
		if (dc->vifs[i].devid > VIF_MAX_DEVID) {
			fprintf(err, "xl: vif devid %d is out of range\n", dc->vifs[i].devid);
			return -EINVAL;
		}
		for (int j = 0; j < i; j++)
			if (dc->vifs[j].devid == dc->vifs[i].devid) {
				fprintf(err, "xl: vif devid %d is used twice\n", dc->vifs[i].devid);
				return -EINVAL;
			}
	}
	return 0;
}

/* vif = [ 'key=value,...', ... ]: each item as Xen's xl reads it. */
static int parse_vifs(const struct cfg *cfg, struct domain_config *dc, FILE *err)
{
	const struct cfg_value *list;

	if (cfg_get_list(cfg, "vif", &list, false))
		return 0;
	dc->vifs = calloc((size_t)list->nitems + 1, sizeof(*dc->vifs));
	if (!dc->vifs)
		return -ENOMEM;
	for (int i = 0; i < list->nitems; i++) {
		const char *item = cfg_list_string(list, i);
		struct vif_spec *v = &dc->vifs[dc->nr_vifs++];

		vif_spec_init(v);
		if (item && vif_spec_parse_item(v, item, cfg->source, err) == VIF_PARSE_FATAL)
			return -EINVAL;
		if (v->type_ioemu) {
			fprintf(err, "xl: trying to create PV or PVH guest with an emulated "
				     "interface\n");
			return -EINVAL;
		}
		vif_spec_set_defaults(v);
	}
	return assign_devids(dc, err);
}

int domcfg_from_cfg(const struct cfg *cfg, struct domain_config *dc, FILE *err)
{
	const char *v;
	int rc;

	memset(dc, 0, sizeof(*dc));
	rc = parse_type(cfg, err);
	if (rc)
		return rc;
	if (cfg_get_string(cfg, "name", &v, false)) {
		fprintf(err, "Domain name must be specified.\n");
		return -EINVAL;
	}
	dc->name = strdup(v);
	if (!dc->name)
		return -ENOMEM;

	rc = parse_memory(cfg, dc, err);
	if (!rc)
		rc = parse_vcpus(cfg, dc, err);
	if (!rc)
		rc = parse_action(cfg, "poweroff", "destroy", &dc->on_poweroff, err);
	if (!rc)
		rc = parse_action(cfg, "reboot", "restart", &dc->on_reboot, err);
	if (!rc)
		rc = parse_action(cfg, "watchdog", "destroy", &dc->on_watchdog, err);
	if (!rc)
		rc = parse_action(cfg, "crash", "destroy", &dc->on_crash, err);
	if (!rc)
		rc = parse_action(cfg, "soft_reset", "soft-reset", &dc->on_soft_reset, err);
	if (!rc)
		rc = copy_string(cfg, "kernel", &dc->kernel);
	if (!rc)
		rc = copy_string(cfg, "ramdisk", &dc->ramdisk);
	if (!rc)
		rc = compose_cmdline(cfg, &dc->cmdline, err);
	if (!rc)
		rc = parse_disks(cfg, dc, err);
	if (!rc)
		rc = parse_vifs(cfg, dc, err);
	if (rc)
		return rc;

	if (!cfg_get_string(cfg, "bootloader", &v, false)) {
		fprintf(err,
			"ERROR: bootloader=\"%s\" is not supported by xeno: "
			"give kernel= (and ramdisk=) instead.\n",
			v);
		return -EINVAL;
	}
	return 0;
}

void domcfg_free(struct domain_config *dc)
{
	free(dc->name);
	free(dc->kernel);
	free(dc->ramdisk);
	free(dc->cmdline);
	free(dc->disks);
	free(dc->vifs);
	memset(dc, 0, sizeof(*dc));
}

int domcfg_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > DOMCFG_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f || c == '/')
			return 0;
	}
	return 1;
}

/* ---- JSON, in the layout of libxl's pretty printer ---------------------- */

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_key_string(FILE *out, int indent, const char *key, const char *val, bool more)
{
	fprintf(out, "%*s\"%s\": ", indent, "", key);
	json_string(out, val);
	fputs(more ? ",\n" : "\n", out);
}

static void json_key_long(FILE *out, int indent, const char *key, long long val, bool more)
{
	fprintf(out, "%*s\"%s\": %lld%s\n", indent, "", key, val, more ? "," : "");
}

/* libxl_device_nic's fields in its IDL order; unset strings are left out. */
static void print_nics(const struct domain_config *dc, FILE *out)
{
	if (!dc->nr_vifs)
		return;
	fputs("    \"nics\": [\n", out);
	for (int i = 0; i < dc->nr_vifs; i++) {
		const struct vif_spec *v = &dc->vifs[i];
		char mac[18];

		vif_mac_format(v->mac, mac);
		fputs("        {\n", out);
		json_key_long(out, 12, "devid", v->devid, true);
		json_key_long(out, 12, "mtu", v->mtu, true);
		if (v->model[0])
			json_key_string(out, 12, "model", v->model, true);
		json_key_string(out, 12, "mac", mac, true);
		if (v->ip[0])
			json_key_string(out, 12, "ip", v->ip, true);
		json_key_string(out, 12, "bridge", v->bridge, true);
		if (v->vifname[0])
			json_key_string(out, 12, "ifname", v->vifname, true);
		json_key_string(out, 12, "script", v->script, true);
		if (v->rate_interval_usecs) {
			json_key_long(out, 12, "rate_bytes_per_interval",
				      (long long)v->rate_bytes_per_interval, true);
			json_key_long(out, 12, "rate_interval_usecs", v->rate_interval_usecs,
				      true);
		}
		if (v->gatewaydev[0])
			json_key_string(out, 12, "gatewaydev", v->gatewaydev, true);
		json_key_string(out, 12, "nictype", "vif", false);
		fprintf(out, "        }%s\n", i + 1 < dc->nr_vifs ? "," : "");
	}
	fputs("    ],\n", out);
}

void domcfg_print_json(const struct domain_config *dc, FILE *out)
{
	fputs("{\n    \"c_info\": {\n", out);
	json_key_string(out, 8, "type", "pv", true);
	json_key_string(out, 8, "name", dc->name, false);
	fputs("    },\n    \"b_info\": {\n", out);
	fprintf(out, "        \"max_vcpus\": %d,\n        \"avail_vcpus\": [\n", dc->max_vcpus);
	for (int i = 0; i < dc->vcpus; i++)
		fprintf(out, "            %d%s\n", i, i + 1 < dc->vcpus ? "," : "");
	fprintf(out, "        ],\n        \"max_memkb\": %ld,\n        \"target_memkb\": %ld,\n",
		dc->maxmem_mib * 1024, dc->memory_mib * 1024);
	if (dc->kernel)
		json_key_string(out, 8, "kernel", dc->kernel, true);
	if (dc->cmdline)
		json_key_string(out, 8, "cmdline", dc->cmdline, true);
	if (dc->ramdisk)
		json_key_string(out, 8, "ramdisk", dc->ramdisk, true);
	fputs("        \"type.pv\": {\n        }\n    },\n", out);
	if (dc->nr_disks) {
		fputs("    \"disks\": [\n", out);
		for (int i = 0; i < dc->nr_disks; i++) {
			const struct disk_spec *d = &dc->disks[i];

			fputs("        {\n", out);
			json_key_string(out, 12, "pdev_path", d->target, true);
			json_key_string(out, 12, "vdev", d->vdev, true);
			if (d->cdrom)
				fputs("            \"is_cdrom\": 1,\n", out);
			if (!d->discard)
				json_key_string(out, 12, "discard_enable", "False", true);
			fprintf(out, "            \"format\": \"raw\",\n            \"readwrite\": %d\n",
				!d->readonly);
			fprintf(out, "        }%s\n", i + 1 < dc->nr_disks ? "," : "");
		}
		fputs("    ],\n", out);
	}
	print_nics(dc, out);
	json_key_string(out, 4, "on_poweroff", dc->on_poweroff, true);
	json_key_string(out, 4, "on_reboot", dc->on_reboot, true);
	json_key_string(out, 4, "on_watchdog", dc->on_watchdog, true);
	json_key_string(out, 4, "on_crash", dc->on_crash, true);
	json_key_string(out, 4, "on_soft_reset", dc->on_soft_reset, false);
	fputs("}\n", out);
}
