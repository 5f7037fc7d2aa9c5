/*
 * The domain's virtual devices served by this monitor (block today): the
 * configured list, which lives as long as the monitor (a restart brings
 * the same disks back, hot-attached ones included, as libxl keeps them in
 * the domain's configuration), and the running backends of the current
 * build of the domain. Event-loop thread only.
 */
#ifndef MONITOR_BACKEND_DEVICES_H
#define MONITOR_BACKEND_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "../domain.h"

/* A --disk argument (disk_spec.h syntax). 0, or -1 with a reason. */
int devices_add_disk(const char *spec, char *err, size_t errlen);
/* Start every configured backend (after xenstore knows the domain). 0, or
 * -1 with a reason; what started is stopped again. */
int devices_start(struct domain *d, char *err, size_t errlen);
/* Stop them all at once (the domain is going; no handshake). */
void devices_stop(struct domain *d);

/*
 * Control-socket requests (docs/architecture.md):
 *   block-list                       -> `disk <devid> <be-domid> <fe-domid> <state>
 *                                       <evtch> <ring-ref> <be-path>` lines, `end`
 *   block-attach <spec>              -> ok | error <msg>
 *   block-detach <vdev|devid> [force] -> ok (the frontend is asked to close; the
 *                                       disk leaves block-list once it has, or at
 *                                       once with force) | error <msg>
 * Returns false if line is none of these.
 */
bool devices_control(struct domain *d, int fd, const char *line);

#endif /* MONITOR_BACKEND_DEVICES_H */
