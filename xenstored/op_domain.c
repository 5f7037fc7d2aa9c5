/* Domain requests: INTRODUCE, RELEASE, GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET, GET_FEATURE. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "domain.h"
#include "ops.h"
#include "path.h"
#include "wire.h"
#include "xsd.h"

/* The only argument, as a domid. */
static int onearg_domid(struct req *r, unsigned *domid)
{
	const char *arg = wire_onearg(r->p, r->len);

	if (!arg || wire_parse_domid(arg, domid) < 0)
		return -EINVAL;
	return 0;
}

/*
 * "<domid>\0<mfn>\0<port>\0", with three descriptors (SCM_RIGHTS): the
 * memfd of guest RAM, an eventfd the guest side signals, an eventfd we
 * signal. The ring is the page at mfn in the memfd.
 */
int op_introduce(struct req *r)
{
	const char *vec[3];
	unsigned long mfn, port;
	unsigned domid;
	int ret;

	if (wire_strings(r->p, r->len, vec, 3) != 3 || wire_parse_domid(vec[0], &domid) < 0 ||
	    wire_parse_ulong(vec[1], UINT64_MAX >> XEN_PAGE_SHIFT, &mfn) < 0 ||
	    wire_parse_ulong(vec[2], UINT32_MAX, &port) < 0)
		return -EINVAL;
	ret = domain_introduce(r->x, r->c, domid, mfn, (uint32_t)port, r->fds, *r->nfds);
	*r->nfds = 0; /* taken, whatever happened */
	return ret < 0 ? ret : req_ok(r);
}

int op_release(struct req *r)
{
	unsigned domid;
	int ret = onearg_domid(r, &domid);

	if (ret == 0)
		ret = domain_release(r->x, domid);
	return ret < 0 ? ret : req_ok(r);
}

int op_get_domain_path(struct req *r)
{
	char home[24];
	unsigned domid;
	int ret = onearg_domid(r, &domid);

	if (ret < 0)
		return ret;
	path_domain_home(domid, home, sizeof(home));
	return req_reply_str(r, home);
}

int op_is_domain_introduced(struct req *r)
{
	struct domain *d;
	unsigned domid;
	int ret = onearg_domid(r, &domid);

	if (ret < 0)
		return ret;
	d = domain_find(r->x, domid);
	return req_reply_str(r, domid == 0 || domid == DOMID_SELF || (d && !d->restored) ? "T"
											  : "F");
}

int op_resume(struct req *r)
{
	struct domain *d;
	unsigned domid;
	int ret = onearg_domid(r, &domid);

	if (ret < 0)
		return ret;
	if (domid == 0)
		return -EINVAL;
	d = domain_find(r->x, domid);
	if (!d || d->restored)
		return -ENOENT;
	d->shutdown = false;
	return req_ok(r);
}

int op_set_target(struct req *r)
{
	const char *vec[2];
	unsigned domid, target;
	int ret;

	if (wire_count_strings(r->p, r->len) < 2)
		return -EINVAL;
	wire_strings(r->p, r->len, vec, 2);
	if (wire_parse_domid(vec[0], &domid) < 0 || wire_parse_domid(vec[1], &target) < 0)
		return -EINVAL;
	ret = domain_set_target(r->x, domid, target);
	return ret < 0 ? ret : req_ok(r);
}

/* "[<domid>\0]": the ring features offered (to that domain). */
int op_get_feature(struct req *r)
{
	char val[16];
	unsigned domid;

	if (r->len) {
		if (!r->c->id.priv)
			return -EACCES;
		if (onearg_domid(r, &domid) < 0)
			return -EINVAL;
		if (domid && !domain_find(r->x, domid))
			return -ENOENT;
	}
	snprintf(val, sizeof(val), "%u", XSD_RING_FEATURES);
	return req_reply_str(r, val);
}
