/*
 * vif specs: Xen's xl.cfg syntax in, a canonical form out and back in.
 */
#include "vif_spec.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

void vif_spec_init(struct vif_spec *v)
{
	memset(v, 0, sizeof(*v));
	v->devid = -1;
}

void vif_mac_format(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

int vif_mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		char *end;
		unsigned long val;

		if (!isxdigit((unsigned char)*s))
			return -EINVAL;
		val = strtoul(s, &end, 16);
		if (end == s || val > 255)
			return -EINVAL;
		mac[i] = (uint8_t)val;
		if (i < 5 && !*end)
			return -EINVAL;
		s = i < 5 ? end + 1 : end;
	}
	return 0;
}

/* Copy a value into a fixed field; false if it does not fit. */
static bool set_str(char *dst, size_t len, const char *val)
{
	size_t n = strlen(val);

	if (n >= len)
		return false;
	memcpy(dst, val, n + 1);
	return true;
}

/* "key=" prefix match, as Xen's MATCH_OPTION. */
static const char *option(const char *token, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(token, key, n) && token[n] == '=' ? token + n + 1 : NULL;
}

static void rate_error(FILE *err, const char *source, const char *msg, const char *what)
{
	fprintf(err, "%s: config parsing error in vif: %s in `%s'\n", source, msg, what);
}

/* ^[0-9]+[GMK]?[Bb]/s$ */
static int parse_bytes_per_sec(const char *s, const char *source, uint64_t *out, FILE *err)
{
	const char *p = s;
	unsigned long long n;

	while (isdigit((unsigned char)*p))
		p++;
	if (p == s)
		goto bad;
	if (*p == 'G' || *p == 'M' || *p == 'K')
		p++;
	if ((*p != 'B' && *p != 'b') || strcmp(p + 1, "/s"))
		goto bad;
	errno = 0;
	n = strtoull(s, (char **)&p, 10);
	if (n == 0 || n > UINT32_MAX || errno == ERANGE) {
		rate_error(err, source, "rate overflow", s);
		return -EOVERFLOW;
	}
	if (*p == 'G')
		n *= 1000ULL * 1000 * 1000;
	else if (*p == 'M')
		n *= 1000ULL * 1000;
	else if (*p == 'K')
		n *= 1000ULL;
	if (*p == 'b' || p[1] == 'b')
		n /= 8;
	*out = n;
	return 0;
bad:
	rate_error(err, source, "invalid rate", s);
	return -EINVAL;
}

/* ^[0-9]+[mu]?s?$ ; a bare number is seconds */
static int parse_interval(const char *s, const char *source, uint32_t *out, FILE *err)
{
	const char *p = s;
	unsigned long long n;

	while (isdigit((unsigned char)*p))
		p++;
	if (p == s)
		goto bad;
	if (*p == 'm' || *p == 'u')
		p++;
	if (*p == 's')
		p++;
	if (*p)
		goto bad;
	errno = 0;
	n = strtoull(s, (char **)&p, 10);
	if (n == 0 || n > UINT32_MAX || errno == ERANGE)
		goto overflow;
	if (*p == 's' || *p == '\0')
		n *= 1000ULL * 1000;
	else if (*p == 'm')
		n *= 1000ULL;
	if (n > UINT32_MAX)
		goto overflow;
	*out = (uint32_t)n;
	return 0;
bad:
	rate_error(err, source, "invalid replenishment interval", s);
	return -EINVAL;
overflow:
	rate_error(err, source, "replenishment interval overflow", s);
	return -EOVERFLOW;
}

int vif_spec_parse_rate(const char *rate, const char *source, uint64_t *bytes_per_interval,
			uint32_t *interval_usecs, FILE *err)
{
	char buf[VIF_STR_MAX], *at;
	uint64_t bps = 0;
	uint32_t usecs = 50000; /* Xen's default: 50 ms */
	int rc;

	if (!set_str(buf, sizeof(buf), rate)) {
		rate_error(err, source, "invalid rate", rate);
		return -EINVAL;
	}
	at = strchr(buf, '@');
	if (at)
		*at++ = '\0';
	if (!buf[0]) {
		rate_error(err, source, "no rate specified", rate);
		return -EINVAL;
	}
	rc = parse_bytes_per_sec(buf, source, &bps, err);
	if (!rc && at)
		rc = parse_interval(at, source, &usecs, err);
	if (rc)
		return rc;
	if (bps > UINT64_MAX / usecs) {
		rate_error(err, source, "rate overflow", rate);
		return -EOVERFLOW;
	}
	*bytes_per_interval = bps * usecs / 1000000;
	*interval_usecs = usecs;
	return 0;
}

enum vif_parse_result vif_spec_parse_token(struct vif_spec *v, const char *token,
					   const char *source, FILE *err)
{
	const char *a;
	bool fits = true;

	if ((a = option(token, "type"))) {
		if (!strcmp(a, "vif")) {
			v->type_ioemu = false;
		} else if (!strcmp(a, "ioemu")) {
			v->type_ioemu = true;
		} else {
			fprintf(err, "Invalid parameter `type'.\n");
			return VIF_PARSE_IGNORED;
		}
	} else if ((a = option(token, "mac"))) {
		if (vif_mac_parse(a, v->mac) < 0) {
			fprintf(err, "Invalid parameter `mac'.\n");
			return VIF_PARSE_IGNORED;
		}
		v->mac_set = true;
	} else if ((a = option(token, "bridge"))) {
		fits = set_str(v->bridge, sizeof(v->bridge), a);
	} else if ((a = option(token, "netdev"))) {
		fprintf(err, "the netdev parameter is deprecated, please use gatewaydev instead\n");
		fits = set_str(v->gatewaydev, sizeof(v->gatewaydev), a);
	} else if ((a = option(token, "gatewaydev"))) {
		fits = set_str(v->gatewaydev, sizeof(v->gatewaydev), a);
	} else if ((a = option(token, "ip"))) {
		fits = set_str(v->ip, sizeof(v->ip), a);
	} else if ((a = option(token, "script"))) {
		fits = set_str(v->script, sizeof(v->script), a);
	} else if ((a = option(token, "backend"))) {
		/* The host is the only backend domain here. */
		if (strcmp(a, "0") && strcmp(a, "Domain-0")) {
			fprintf(err, "xl: vif backend `%s': only Domain-0 serves vifs in xeno\n", a);
			return VIF_PARSE_IGNORED;
		}
	} else if ((a = option(token, "vifname"))) {
		fits = set_str(v->vifname, sizeof(v->vifname), a);
	} else if ((a = option(token, "model"))) {
		fits = set_str(v->model, sizeof(v->model), a);
	} else if ((a = option(token, "rate"))) {
		if (vif_spec_parse_rate(a, source, &v->rate_bytes_per_interval,
					&v->rate_interval_usecs, err) < 0)
			return VIF_PARSE_FATAL;
	} else if ((a = option(token, "accel"))) {
		fprintf(err, "the accel parameter for vifs is currently not supported\n");
	} else if ((a = option(token, "devid"))) {
		v->devid = (int)strtoul(a, NULL, 0);
	} else if ((a = option(token, "mtu"))) {
		v->mtu = (unsigned int)strtoul(a, NULL, 0);
	} else {
		fprintf(err, "unrecognized argument `%s'\n", token);
		return VIF_PARSE_IGNORED;
	}
	if (!fits) {
		fprintf(err, "xl: vif `%s': value too long\n", token);
		return VIF_PARSE_IGNORED;
	}
	return VIF_PARSE_OK;
}

enum vif_parse_result vif_spec_parse_item(struct vif_spec *v, const char *item,
					  const char *source, FILE *err)
{
	enum vif_parse_result res = VIF_PARSE_OK;
	char *copy = strdup(item), *save = NULL;

	if (!copy) {
		fprintf(err, "xl: out of memory\n");
		return VIF_PARSE_FATAL;
	}
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		enum vif_parse_result r;

		while (*t == ' ')
			t++;
		r = vif_spec_parse_token(v, t, source, err);
		if (r == VIF_PARSE_FATAL) {
			res = r;
			break;
		}
		if (r == VIF_PARSE_IGNORED)
			res = r;
	}
	free(copy);
	return res;
}

void vif_spec_set_defaults(struct vif_spec *v)
{
	if (!v->mac_set) {
		uint8_t r[3];

		if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
			uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16) ^
				     (uint64_t)clock();
			memcpy(r, &t, sizeof(r));
		}
		v->mac[0] = 0x00;	/* Xen's OUI */
		v->mac[1] = 0x16;
		v->mac[2] = 0x3e;
		v->mac[3] = r[0] & 0x7f;
		v->mac[4] = r[1];
		v->mac[5] = r[2];
		v->mac_set = true;
	}
	if (!v->bridge[0])
		strcpy(v->bridge, VIF_DEFAULT_BRIDGE);
	if (!v->script[0])
		strcpy(v->script, VIF_DEFAULT_SCRIPT);
	if (!v->mtu)
		v->mtu = VIF_DEFAULT_MTU;
}

/* ---- the canonical form ---------------------------------------------------- */

struct out {
	char *p;
	size_t left;
	bool first, full;
};

static void put(struct out *o, const char *key, const char *val)
{
	int n;

	if (!val[0] || o->full)
		return;
	n = snprintf(o->p, o->left, "%s%s=%s", o->first ? "" : ",", key, val);
	o->first = false;
	if (n < 0 || (size_t)n >= o->left) {
		o->full = true;
		return;
	}
	o->p += n;
	o->left -= (size_t)n;
}

int vif_spec_format(const struct vif_spec *v, char *buf, size_t len)
{
	char num[32], mac[18];
	struct out o = {buf, len, true, len == 0};

	if (o.full)
		return -ENOSPC;
	buf[0] = '\0';
	snprintf(num, sizeof(num), "%d", v->devid);
	put(&o, "devid", num);
	vif_mac_format(v->mac, mac);
	put(&o, "mac", mac);
	put(&o, "bridge", v->bridge);
	put(&o, "script", v->script);
	put(&o, "vifname", v->vifname);
	put(&o, "ip", v->ip);
	put(&o, "gatewaydev", v->gatewaydev);
	put(&o, "model", v->model);
	if (v->rate_interval_usecs) {
		snprintf(num, sizeof(num), "%" PRIu64, v->rate_bytes_per_interval);
		put(&o, "rate_bytes", num);
		snprintf(num, sizeof(num), "%" PRIu32, v->rate_interval_usecs);
		put(&o, "rate_usecs", num);
	}
	if (v->mtu) {
		snprintf(num, sizeof(num), "%u", v->mtu);
		put(&o, "mtu", num);
	}
	if (v->queues) {
		snprintf(num, sizeof(num), "%u", v->queues);
		put(&o, "queues", num);
	}
	return o.full ? -ENOSPC : 0;
}

/* A whole decimal number in [min, max]. */
static bool parse_num(const char *s, unsigned long long min, unsigned long long max,
		      unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end && *out >= min && *out <= max;
}

/* A name the kernel takes for an interface (dev_valid_name). */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= VIF_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) || !isprint((unsigned char)*s))
			return false;
	return true;
}

/* Printable, no shell-special surprises are needed: values reach a script
 * only through xenstore and the environment, never a shell command line. */
static bool printable(const char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			return false;
	return true;
}

static int canon_token(struct vif_spec *v, const char *t, char *err, size_t errlen)
{
	unsigned long long n;
	const char *a;

	if ((a = option(t, "devid"))) {
		if (!parse_num(a, 0, VIF_MAX_DEVID, &n))
			goto bad;
		v->devid = (int)n;
	} else if ((a = option(t, "mac"))) {
		if (vif_mac_parse(a, v->mac) < 0 || strlen(a) != 17)
			goto bad;
		v->mac_set = true;
	} else if ((a = option(t, "bridge"))) {
		if (!printable(a) || strchr(a, '/') || !set_str(v->bridge, sizeof(v->bridge), a))
			goto bad;
	} else if ((a = option(t, "script"))) {
		if (a[0] != '/' || !printable(a) || !set_str(v->script, sizeof(v->script), a))
			goto bad;
	} else if ((a = option(t, "vifname"))) {
		if (!valid_ifname(a))
			goto bad;
		set_str(v->vifname, sizeof(v->vifname), a);
	} else if ((a = option(t, "ip"))) {
		if (!printable(a) || !set_str(v->ip, sizeof(v->ip), a))
			goto bad;
	} else if ((a = option(t, "gatewaydev"))) {
		if (!valid_ifname(a))
			goto bad;
		set_str(v->gatewaydev, sizeof(v->gatewaydev), a);
	} else if ((a = option(t, "model"))) {
		if (!printable(a) || !set_str(v->model, sizeof(v->model), a))
			goto bad;
	} else if ((a = option(t, "rate_bytes"))) {
		if (!parse_num(a, 1, UINT64_MAX, &n))
			goto bad;
		v->rate_bytes_per_interval = n;
	} else if ((a = option(t, "rate_usecs"))) {
		if (!parse_num(a, 1, UINT32_MAX, &n))
			goto bad;
		v->rate_interval_usecs = (uint32_t)n;
	} else if ((a = option(t, "mtu"))) {
		if (!parse_num(a, 68, 65535, &n))
			goto bad;
		v->mtu = (unsigned int)n;
	} else if ((a = option(t, "queues"))) {
		if (!parse_num(a, 1, VIF_MAX_QUEUES, &n))
			goto bad;
		v->queues = (unsigned int)n;
	} else {
		snprintf(err, errlen, "unknown vif key in `%s'", t);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen, "invalid vif setting `%s'", t);
	return -EINVAL;
}

int vif_spec_parse_canonical(struct vif_spec *v, const char *s, char *err, size_t errlen)
{
	char *copy = strdup(s), *save = NULL;
	int rc = 0;

	vif_spec_init(v);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save))
		rc = canon_token(v, t, err, errlen);
	free(copy);
	if (rc)
		return rc;
	if (v->devid < 0 || !v->mac_set) {
		snprintf(err, errlen, "vif `%s': devid and mac are required", s);
		return -EINVAL;
	}
	if ((v->rate_bytes_per_interval != 0) != (v->rate_interval_usecs != 0)) {
		snprintf(err, errlen, "vif `%s': rate_bytes and rate_usecs go together", s);
		return -EINVAL;
	}
	if (!v->bridge[0])
		strcpy(v->bridge, VIF_DEFAULT_BRIDGE);
	if (!v->mtu)
		v->mtu = VIF_DEFAULT_MTU;
	return 0;
}

void vif_spec_ifname(const struct vif_spec *v, unsigned int domid, char buf[VIF_IFNAME_MAX])
{
	if (v->vifname[0])
		snprintf(buf, VIF_IFNAME_MAX, "%s", v->vifname);
	else
		snprintf(buf, VIF_IFNAME_MAX, "vif%u.%d", domid, v->devid);
}
