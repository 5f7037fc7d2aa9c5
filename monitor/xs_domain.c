/*
 * The domain in xenstore. Until the store client (lib/xs_client.h) is in
 * the tree, the monitor runs its domain without a store, which is what
 * happens on any host without a xenstored.
 */
#include "xs_domain.h"

#include <stdio.h>

int xs_domain_introduce(struct domain *d, const struct build_config *cfg)
{
	(void)cfg;
	mlog(d, "xenstore: no store client; domain %u runs without xenstore", d->domid);
	return -1;
}

void xs_domain_release(struct domain *d)
{
	(void)d;
}

int xs_domain_request_shutdown(struct domain *d, const char *reason, char *err, size_t errlen)
{
	(void)d;
	(void)reason;
	snprintf(err, errlen, "PV control interface not available");
	return -1;
}
