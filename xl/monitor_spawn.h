/*
 * Starting a domain's monitor (xeno-monitor, docs/architecture.md).
 */
#ifndef XL_MONITOR_SPAWN_H
#define XL_MONITOR_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "domcfg.h"

struct monitor_start {
	unsigned int domid;
	const struct domain_config *dc;
	const char *kernel;  /* absolute paths */
	const char *ramdisk; /* NULL if none */
	bool paused;
};

/*
 * Run the monitor in its own session, stdin from /dev/null, stdout and
 * stderr appended to $XENO_LOG_DIR/monitor-<name>.log, and wait for its
 * ready line. The monitor is $XENO_MONITOR, else xeno-monitor next to xl.
 * 0 and *pid (a child of xl) once it is ready; otherwise prints why and
 * returns -errno (the monitor has exited, or was never started).
 */
int monitor_spawn(const struct monitor_start *ms, pid_t *pid);

#endif /* XL_MONITOR_SPAWN_H */
