/*
 * The network backend (Xen's netback) of a domain: one vif per --vif spec
 * or `xl network-attach`, each a tap device on the host, Xen's xenstore
 * layout and handshake (through backend/xenbus_be), and one thread per
 * queue that moves frames between the netif rings and the tap
 * (docs/net.md).
 *
 * Event-loop thread only, except where noted.
 */
#ifndef MONITOR_NET_NETBACK_H
#define MONITOR_NET_NETBACK_H

#include <stdbool.h>
#include <stddef.h>

#include "../domain.h"

/* Remember a vif from the command line (canonical spec, lib/vif_spec.h);
 * it is created by every netback_start. 0, or -1 with the reason in err. */
int netback_configure(const char *spec, char *err, size_t errlen);
/* Whether any vif is configured. */
bool netback_configured(void);
/* Create the configured vifs (tap, nodes, hotplug script, InitWait). Needs
 * xenstore. 0, or -1 with the reason in err (nothing left behind). */
int netback_start(struct domain *d, char *err, size_t errlen);
/* Remove every vif now: queues stopped, hotplug offline, taps closed,
 * nodes removed. Before the vCPUs' memory goes away. */
void netback_stop(struct domain *d);

/* `xl network-attach`: add a vif to the running domain (and to the
 * configuration, for a reboot). 0 or -1 with err. */
int netback_attach(struct domain *d, const char *spec, char *err, size_t errlen);
/* `xl network-detach`: by devid, or by MAC when `which` has a ':'. The
 * frontend is asked to close (Xen's Closing); the vif is gone once it has,
 * or after NETBACK_DETACH_TIMEOUT_S. 0 or -1 with err. */
#define NETBACK_DETACH_TIMEOUT_S 10
int netback_detach(struct domain *d, const char *which, char *err, size_t errlen);
/* `xl network-list`: one line per vif, "devid mac state evtchn tx-ref rx-ref
 * be-path", read from the frontend's and backend's nodes; into buf.
 * Returns the bytes written. */
size_t netback_list(struct domain *d, char *buf, size_t len);

#endif /* MONITOR_NET_NETBACK_H */
