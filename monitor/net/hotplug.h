/*
 * Running a vif's hotplug script the way libxl runs it:
 *
 *   <script> online|offline type_if=vif
 *
 * with script, XENBUS_TYPE=vif, XENBUS_PATH=backend/vif/<domid>/<devid>,
 * XENBUS_BASE_PATH=backend, netdev=<gatewaydev> and vif=<interface> in the
 * environment (plus the monitor's own, XENSTORED_PATH included, so that the
 * script's xenstore-read/write reach our xenstored). Xen's vif-bridge then
 * reads the bridge from $XENBUS_PATH/bridge, joins the interface and writes
 * hotplug-status; ours (scripts/vif-bridge) does the same.
 */
#ifndef MONITOR_NET_HOTPLUG_H
#define MONITOR_NET_HOTPLUG_H

#include <stdbool.h>
#include <stddef.h>

/* Run it and wait (at most HOTPLUG_TIMEOUT_S). 0, or -1 with the reason
 * (exit status, or the script's last output line) in err. */
#define HOTPLUG_TIMEOUT_S 20
int hotplug_run(const char *script, bool online, unsigned int domid, unsigned int devid,
		const char *ifname, const char *gatewaydev, char *err, size_t errlen);

#endif /* MONITOR_NET_HOTPLUG_H */
