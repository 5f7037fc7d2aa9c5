/*
 * The domain's life in this monitor: start (or stay paused), pause and
 * unpause, shutdown and crash, and the configured action afterwards, as
 * xl applies on_poweroff / on_reboot / on_crash on Xen.
 *
 * domain_shutdown() and domain_crash() (domain.h) may be called from any
 * thread, a vCPU thread inside a hypercall included: they record the reason
 * (the first one wins), make the vCPUs stop entering the guest, and wake
 * the event loop, where everything else happens.
 *
 * Actions, compared with Xen:
 *   destroy          tear down, remove the control socket, exit.
 *   restart          tear down and build the domain again from the same
 *                    config, with the same domid (Xen gives the new domain
 *                    a new domid; one monitor serves one domid here).
 *   preserve         stay shut down (`xl list` shows s, or s and c after a
 *                    crash) until `xl destroy`.
 *   coredump-destroy, coredump-restart
 *                    as destroy and restart; no core is written (logged).
 *   rename-restart   as restart: the old domain is not kept under another
 *                    name (logged).
 *   soft-reset       as restart: memory is not kept (logged).
 * A suspend (SHUTDOWN_suspend) is preserved, as xl leaves a suspended
 * domain that nobody is saving; a watchdog shutdown is destroyed, xl's
 * default on_watchdog.
 *
 * The monitor exits 0 when the domain ended by poweroff, reboot or destroy,
 * and MONITOR_EXIT_CRASHED when it ended after a crash or watchdog reset,
 * so that `xl create -F` can report it.
 */
#ifndef MONITOR_LIFECYCLE_H
#define MONITOR_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>

#include <xeno/monitor_exit.h>

#include "build/builder.h"
#include "domain.h"


enum shutdown_action {
	ACTION_DESTROY,
	ACTION_RESTART,
	ACTION_PRESERVE,
	ACTION_RENAME_RESTART,
	ACTION_COREDUMP_DESTROY,
	ACTION_COREDUMP_RESTART,
	ACTION_SOFT_RESET,
};

/* Xen's names ("coredump-destroy" ...); -1 for an unknown one. */
int shutdown_action_parse(const char *name, enum shutdown_action *action);
const char *shutdown_action_name(enum shutdown_action action);
/* "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset". */
const char *shutdown_reason_name(int reason);

struct lifecycle_config {
	struct build_config build;
	enum shutdown_action on_poweroff, on_reboot, on_crash;
};

struct console;

/* After domain_build and console_bind: remember what a restart needs and
 * watch for shutdowns. cfg's strings must outlive the monitor. 0 or -1. */
int lifecycle_init(struct domain *d, const struct lifecycle_config *cfg, struct console *con);
/* Run the vCPUs, or leave the domain paused (as `xl create -p`). 0 or -1. */
int lifecycle_start(struct domain *d, bool paused);
/* `xl pause` / `xl unpause`: nested as on Xen. 0, or -1 with a reason. */
int lifecycle_pause(struct domain *d, char *err, size_t errlen);
int lifecycle_unpause(struct domain *d, char *err, size_t errlen);
/* Tear the domain down and stop the event loop (`xl destroy`, SIGTERM).
 * Event-loop thread only. */
void lifecycle_destroy(struct domain *d, const char *why);
/* Xen's six state letters r b p s <reason> d, '-' where clear. */
void lifecycle_state(struct domain *d, char state[7]);
/* What main() returns once the event loop has stopped. */
int lifecycle_exit_status(void);

#endif /* MONITOR_LIFECYCLE_H */
