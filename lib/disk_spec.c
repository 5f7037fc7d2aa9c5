/*
 * Xen's disk specification strings (disk_spec.h). The rules follow
 * xl-disk-configuration(5): comma-separated items; `key=value`, bare
 * flags, and positional values that fill target, format, vdev, access in
 * that order; `target=` takes the rest of the string, commas included;
 * each parameter at most once.
 */
#include "disk_spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_TARGET, P_FORMAT, P_VDEV, P_ACCESS, P_NR };

struct parse {
	char *val[P_NR];	/* positional parameters, by name or position */
	char *devtype, *backendtype, *backend;
	bool no_discard, discard, cdrom_flag;
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *const pos_names[P_NR] = {"target", "format", "vdev", "access"};

static int set_pos(struct parse *p, int i, char *v)
{
	if (p->val[i])
		return fail(p, "%s specified more than once", pos_names[i]);
	p->val[i] = v;
	return 0;
}

static int set_str(struct parse *p, char **slot, const char *name, char *v)
{
	if (*slot)
		return fail(p, "%s specified more than once", name);
	*slot = v;
	return 0;
}

/* The deprecated `<prefix>:` of a positional target: the format it names
 * (or an error for a script or a format we do not serve). */
static int depr_prefix(struct parse *p, char **target)
{
	static const char *const raw[] = {"raw:", "file:", "phy:", "aio:", "tap:aio:", "tap2:aio:"};
	static const char *const fmts[] = {"qcow:", "qcow2:", "vhd:", "qed:", "tap:qcow:",
					   "tap:qcow2:", "tap:vhd:", "tap2:vhd:", "tap:qed:"};
	char *t = *target, *colon;

	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		if (!strncmp(t, raw[i], strlen(raw[i]))) {
			*target = t + strlen(raw[i]);
			return set_pos(p, P_FORMAT, "raw");
		}
	}
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		if (!strncmp(t, fmts[i], strlen(fmts[i]))) {
			/* the format is the last word before the path (tap:qcow2:) */
			const char *f = strncmp(fmts[i], "tap", 3) ? fmts[i] : strchr(fmts[i], ':') + 1;

			return fail(p, "format '%.*s' is not supported (raw images only)",
				    (int)strlen(f) - 1, f);
		}
	}
	/* any other `word:` before the path names a hotplug script */
	colon = strchr(t, ':');
	if (colon && colon > t && !memchr(t, '/', (size_t)(colon - t))) {
		for (char *c = t; c < colon; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
				return 0;
		return fail(p, "script prefix '%.*s:' is not supported (no hotplug scripts)",
			    (int)(colon - t), t);
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int item(struct parse *p, char *it)
{
	char *eq = strchr(it, '=');

	if (eq) {
		char *key = it, *v = eq + 1;

		*eq = 0;
		for (int i = 0; i < P_NR; i++)
			if (!strcmp(key, pos_names[i]))
				return set_pos(p, i, v);
		if (!strcmp(key, "devtype"))
			return set_str(p, &p->devtype, key, v);
		if (!strcmp(key, "backendtype"))
			return set_str(p, &p->backendtype, key, v);
		if (!strcmp(key, "backend"))
			return set_str(p, &p->backend, key, v);
		if (!strcmp(key, "script"))
			return fail(p, "script= is not supported (no hotplug scripts)");
		if (!strncmp(key, "colo-", 5) || !strcmp(key, "active-disk") ||
		    !strcmp(key, "hidden-disk") || !strcmp(key, "specification") ||
		    !strcmp(key, "suppress-vbd") || !strcmp(key, "trusted-options"))
			return fail(p, "%s= is not supported", key);
		return fail(p, "unknown disk parameter '%s'", key);
	}
	if (!strcmp(it, "cdrom")) {
		p->cdrom_flag = true;
		return 0;
	}
	if (!strcmp(it, "discard")) {
		p->discard = true;
		return 0;
	}
	if (!strcmp(it, "no-discard")) {
		p->no_discard = true;
		return 0;
	}
	if (!strcmp(it, "direct-io-safe") || !strcmp(it, "trusted") || !strcmp(it, "untrusted"))
		return 0;	/* hints that change nothing for a monitor-served raw image */
	if (!strcmp(it, "colo"))
		return fail(p, "colo is not supported");
	for (int i = 0; i < P_NR; i++) {
		if (!p->val[i]) {
			if (i == P_TARGET && depr_prefix(p, &it) < 0)
				return -1;
			p->val[i] = it;
			return 0;
		}
	}
	return fail(p, "too many positional parameters ('%s')", it);
}

static int finish(struct parse *p, struct disk_spec *out)
{
	char *vdev = p->val[P_VDEV], *colon;
	const char *fmt = p->val[P_FORMAT], *acc = p->val[P_ACCESS];

	if (!vdev || !*vdev)
		return fail(p, "no vdev specified");
	/* deprecated `hdc:cdrom` / `xvda:disk` */
	colon = strchr(vdev, ':');
	if (colon) {
		*colon = 0;
		if (!strcmp(colon + 1, "cdrom"))
			p->cdrom_flag = true;
		else if (strcmp(colon + 1, "disk"))
			return fail(p, "unknown device type suffix ':%s'", colon + 1);
	}
	if (strlen(vdev) >= sizeof(out->vdev) || disk_vdev_to_devid(vdev, &out->devid) < 0)
		return fail(p, "invalid vdev '%s'", vdev);
	strcpy(out->vdev, vdev);
	if (fmt && *fmt && strcmp(fmt, "raw"))
		return fail(p, "format '%s' is not supported (raw images only)", fmt);
	if (!acc || !*acc || !strcmp(acc, "rw") || !strcmp(acc, "w"))
		out->readonly = false;
	else if (!strcmp(acc, "ro") || !strcmp(acc, "r"))
		out->readonly = true;
	else if (!strcmp(acc, "rw!") || !strcmp(acc, "w!"))
		return fail(p, "access '%s' (shared writable) is not supported", acc);
	else
		return fail(p, "invalid access '%s' (ro or rw)", acc);
	if (p->devtype && !strcmp(p->devtype, "cdrom"))
		p->cdrom_flag = true;
	else if (p->devtype && strcmp(p->devtype, "disk"))
		return fail(p, "invalid devtype '%s' (disk or cdrom)", p->devtype);
	out->cdrom = p->cdrom_flag;
	if (out->cdrom)
		out->readonly = true;
	if (p->backendtype && strcmp(p->backendtype, "phy") && strcmp(p->backendtype, "qdisk"))
		return fail(p, "backendtype '%s' is not supported (phy or qdisk: the monitor serves "
			       "the disk)", p->backendtype);
	if (p->backend && strcmp(p->backend, "0") && strcmp(p->backend, "Domain-0"))
		return fail(p, "backend '%s' is not supported (driver domains: only Domain-0)",
			    p->backend);
	if (p->discard && p->no_discard)
		return fail(p, "both discard and no-discard specified");
	out->discard = !p->no_discard;
	if (!p->val[P_TARGET] || !*p->val[P_TARGET])
		return fail(p, out->cdrom ? "an empty cdrom drive is not supported"
					  : "no target specified");
	if (strlen(p->val[P_TARGET]) >= sizeof(out->target))
		return fail(p, "target too long");
	strcpy(out->target, p->val[P_TARGET]);
	return 0;
}

int disk_spec_parse(const char *spec, struct disk_spec *out, char *err, size_t errlen)
{
	struct parse p = {.err = err, .errlen = errlen};
	char *s = strdup(spec), *cur;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!s)
		return fail(&p, "out of memory");
	cur = s;
	while (!rc && cur) {
		char *comma, *it;

		it = cur;
		while (isspace((unsigned char)*it))
			it++;
		/* target= is always the last item: it may contain commas */
		if (!strncmp(it, "target=", 7)) {
			rc = set_pos(&p, P_TARGET, it + 7);
			break;
		}
		comma = strchr(cur, ',');
		if (comma)
			*comma = 0;
		it = trim(it);
		/* empty positional items keep their place ("img,,hda") */
		if (!*it) {
			int i = 0;

			while (i < P_NR && p.val[i])
				i++;
			if (comma && i < P_NR)
				p.val[i] = "";
		} else {
			rc = item(&p, it);
		}
		cur = comma ? comma + 1 : NULL;
	}
	if (!rc)
		rc = finish(&p, out);
	free(s);
	return rc;
}

int disk_spec_format(const struct disk_spec *d, char *buf, size_t len)
{
	return snprintf(buf, len, "format=raw,vdev=%s,access=%s,devtype=%s,%s,target=%s", d->vdev,
			d->readonly ? "ro" : "rw", d->cdrom ? "cdrom" : "disk",
			d->discard ? "discard" : "no-discard", d->target);
}

/* Letters a..z, aa..: Xen's disk index (bijective base 26). */
static int disk_letters(const char **s, unsigned int *disk)
{
	unsigned long v = 0;
	const char *p = *s;

	if (*p < 'a' || *p > 'z')
		return -1;
	while (*p >= 'a' && *p <= 'z') {
		v = v * 26 + (unsigned long)(*p - 'a' + 1);
		if (v > (1UL << 20))
			return -1;
		p++;
	}
	*disk = (unsigned int)(v - 1);
	*s = p;
	return 0;
}

/* A decimal partition number, or 0 if none; -1 if malformed. */
static int partition(const char *s, unsigned int max, unsigned int *part)
{
	char *end;
	unsigned long v;

	*part = 0;
	if (!*s)
		return 0;
	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > max)
		return -1;
	*part = (unsigned int)v;
	return 0;
}

/* xvd and dNpM: the compact encoding when it fits, else the extended one. */
static int xvd_number(unsigned int disk, unsigned int part, unsigned int *devid)
{
	if (disk < 16 && part < 16)
		*devid = (202u << 8) | (disk << 4) | part;
	else if (disk < (1u << 20) && part < 256)
		*devid = (1u << 28) | (disk << 8) | part;
	else
		return -1;
	return 0;
}

int disk_vdev_to_devid(const char *vdev, unsigned int *devid)
{
	static const unsigned int ide_major[] = {3, 22, 33, 34, 56, 57, 88, 89, 90, 91};
	unsigned int disk, part;
	const char *p = vdev;
	char *end;

	if (*vdev >= '0' && *vdev <= '9') {
		unsigned long v;

		errno = 0;
		v = strtoul(vdev, &end, 10);
		if (*end || errno || v > 0xffffffffUL)
			return -1;
		*devid = (unsigned int)v;
		return 0;
	}
	if (!strncmp(vdev, "xvd", 3)) {
		p += 3;
		if (disk_letters(&p, &disk) < 0 || partition(p, 255, &part) < 0)
			return -1;
		return xvd_number(disk, part, devid);
	}
	if (!strncmp(vdev, "hd", 2)) {
		p += 2;
		if (disk_letters(&p, &disk) < 0 || disk >= 2 * 10 || partition(p, 63, &part) < 0)
			return -1;
		*devid = (ide_major[disk / 2] << 8) | ((disk % 2) << 6) | part;
		return 0;
	}
	if (!strncmp(vdev, "sd", 2)) {
		p += 2;
		if (disk_letters(&p, &disk) < 0 || disk >= 16 || partition(p, 15, &part) < 0)
			return -1;
		*devid = (8u << 8) | (disk << 4) | part;
		return 0;
	}
	if (vdev[0] == 'd' && vdev[1] >= '0' && vdev[1] <= '9') {
		unsigned long dl = strtoul(vdev + 1, &end, 10), pl = 0;

		if (*end == 'p') {
			char *e2;

			if (end[1] < '0' || end[1] > '9')
				return -1;
			pl = strtoul(end + 1, &e2, 10);
			end = e2;
		}
		if (*end || dl >= (1UL << 20) || pl > 255)
			return -1;
		return xvd_number((unsigned int)dl, (unsigned int)pl, devid);
	}
	return -1;
}
