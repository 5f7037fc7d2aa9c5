/*
 * The domain in xenstore: the nodes libxl writes for a PV domU, and the
 * guest's store ring introduced to xenstored (docs/architecture.md,
 * "xenstored ⇄ monitor"). Xenstore is optional: without a xenstored the
 * domain runs without a store and PV shutdown requests fail.
 */
#ifndef MONITOR_XS_DOMAIN_H
#define MONITOR_XS_DOMAIN_H

#include <stddef.h>

#include "build/builder.h"
#include "domain.h"

/* Write /local/domain/<id> (and /vm/<uuid>) and XS_INTRODUCE the store
 * ring; event-loop thread. 0, or -1 when xenstored is not reachable or
 * refused (logged; the domain runs on). */
int xs_domain_introduce(struct domain *d, const struct build_config *cfg);
/* Remove the nodes and release the domain (close the connection). */
void xs_domain_release(struct domain *d);
/* Write control/shutdown = reason ("poweroff", "reboot"): how a toolstack
 * asks a PV guest to shut down. 0, or -1 with a reason in err. */
int xs_domain_request_shutdown(struct domain *d, const char *reason, char *err, size_t errlen);

#endif /* MONITOR_XS_DOMAIN_H */
