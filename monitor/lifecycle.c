/*
 * Shutdown, crash, the action that follows, pause and the domain's state
 * letters (see lifecycle.h). One domain per monitor process, so the state is
 * one static struct; all of it but the shutdown entry points is used on the
 * event-loop thread only.
 */
#include "lifecycle.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <xen/sched.h>

#include "console.h"
#include "backend/grant_access.h"
#include "eventloop.h"
#include "exit_stats.h"
#include "pv/evtchn.h"
#include "pv/mmu.h"
#include "net/netback.h"
#include "vcpu.h"
#include "xs_domain.h"
#include "backend/devices.h"

static struct {
	struct domain *d;
	struct lifecycle_config cfg;
	struct console *con;
	int fd;			/* eventfd: a shutdown was recorded */
	bool started;		/* the vCPU threads exist */
	unsigned int pause_count;	/* `xl pause`, nested as on Xen */
	bool handled;		/* the action for the current shutdown was taken */
	bool finished;
	int exit_status;
} lc = {.fd = -1};

static const char *const action_names[] = {
	[ACTION_DESTROY] = "destroy",
	[ACTION_RESTART] = "restart",
	[ACTION_PRESERVE] = "preserve",
	[ACTION_RENAME_RESTART] = "rename-restart",
	[ACTION_COREDUMP_DESTROY] = "coredump-destroy",
	[ACTION_COREDUMP_RESTART] = "coredump-restart",
	[ACTION_SOFT_RESET] = "soft-reset",
};
#define NR_ACTIONS (sizeof(action_names) / sizeof(action_names[0]))

int shutdown_action_parse(const char *name, enum shutdown_action *action)
{
	for (size_t i = 0; i < NR_ACTIONS; i++) {
		if (!strcmp(name, action_names[i])) {
			*action = (enum shutdown_action)i;
			return 0;
		}
	}
	return -1;
}

const char *shutdown_action_name(enum shutdown_action action)
{
	return (size_t)action < NR_ACTIONS ? action_names[action] : "?";
}

const char *shutdown_reason_name(int reason)
{
	static const char *const names[] = {
		[SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
		[SHUTDOWN_suspend] = "suspend",	  [SHUTDOWN_crash] = "crash",
		[SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
	};

	return reason >= 0 && reason <= SHUTDOWN_MAX ? names[reason] : "unknown";
}

/* ---- shutdown entry points (any thread) -------------------------------------- */

/* Record the reason if the domain is not shutting down yet; true if it won.
 * The caller may hold d->lock (a hypercall), so only atomics and the vCPU
 * locks (taken after d->lock everywhere) are used. */
static bool shutdown_record(struct domain *d, int reason)
{
	int none = -1;

	if (!__atomic_compare_exchange_n(&d->shutdown_reason, &none, reason, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return false;
	d->state = DOM_SHUTDOWN;	/* vCPU threads wait instead of entering the guest */
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_kick(&d->vcpu[i]);
	return true;
}

/* The event loop takes the action (after the reason has been logged). */
static void shutdown_wake(struct domain *d)
{
	if (lc.fd >= 0 && eventfd_write(lc.fd, 1) < 0)
		mlog(d, "cannot wake the event loop for the shutdown: %s", strerror(errno));
}

void domain_shutdown(struct domain *d, int reason)
{
	if (!shutdown_record(d, reason))
		return;
	mlog(d, "domain %u shut down: %s", d->domid, shutdown_reason_name(reason));
	shutdown_wake(d);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!shutdown_record(d, SHUTDOWN_crash)) {
		mlog(d, "domain %u (already shut down): %s", d->domid, why);
		return;
	}
	mlog(d, "domain %u crashed: %s", d->domid, why);
	shutdown_wake(d);
}

/* ---- the event-loop side ------------------------------------------------------- */

static int start_vcpus(struct domain *d)
{
	lc.started = true;	/* vcpus_stop also joins a partial start */
	if (vcpus_start(d) < 0) {
		mlog(d, "cannot start the vCPU threads: %s", strerror(errno));
		lc.exit_status = MONITOR_EXIT_FAILED;
		return -1;
	}
	return 0;
}

static void stop_vcpus(struct domain *d)
{
	if (lc.started)
		vcpus_stop(d);
	lc.started = false;
}

/* Everything the domain holds, in reverse order of bring-up. */
static void take_down(struct domain *d)
{
	stop_vcpus(d);
	exit_stats_log(d);
	d->dying = true;
	netback_stop(d);
	devices_stop(d);
	grant_access_destroy(d);	/* after every backend let go of its grants */
	xs_domain_release(d);
	console_unbind(lc.con);
	/* what the builder's evtchn_init and mmu_init set up (timers too) */
	evtchn_destroy(d);
	mmu_destroy(d);
	domain_teardown(d);
}

static void finish(struct domain *d)
{
	if (lc.finished)
		return;
	lc.finished = true;
	take_down(d);
	ev_stop();
}

static void restart(struct domain *d)
{
	uint16_t domid = d->domid;
	char name[sizeof(d->name)], err[256] = "";

	take_down(d);
	memcpy(name, d->name, sizeof(name));
	memset(d, 0, sizeof(*d));
	d->domid = domid;
	memcpy(d->name, name, sizeof(name));
	lc.handled = false;
	lc.pause_count = 0;

	mlog(d, "domain %u restarting (Xen would give it a new domid)", domid);
	if (domain_build(d, &lc.cfg.build, err, sizeof(err)) < 0 ||
	    console_bind(lc.con, d, err, sizeof(err)) < 0) {
		mlog(d, "restart failed: %s", err);
		lc.exit_status = MONITOR_EXIT_FAILED;
		finish(d);
		return;
	}
	xs_domain_introduce(d, &lc.cfg.build);
	if (devices_start(d, err, sizeof(err)) < 0 || netback_start(d, err, sizeof(err)) < 0) {
		mlog(d, "restart failed: %s", err);
		lc.exit_status = MONITOR_EXIT_FAILED;
		finish(d);
		return;
	}
	if (start_vcpus(d) < 0)
		finish(d);
}

static enum shutdown_action action_for(int reason)
{
	switch (reason) {
	case SHUTDOWN_poweroff:
		return lc.cfg.on_poweroff;
	case SHUTDOWN_reboot:
		return lc.cfg.on_reboot;
	case SHUTDOWN_crash:
		return lc.cfg.on_crash;
	case SHUTDOWN_suspend:
		return ACTION_PRESERVE;
	default:
		return ACTION_DESTROY;
	}
}

static void apply_action(struct domain *d)
{
	int reason = __atomic_load_n(&d->shutdown_reason, __ATOMIC_SEQ_CST);
	enum shutdown_action action = action_for(reason);

	lc.handled = true;
	if (reason == SHUTDOWN_crash || reason == SHUTDOWN_watchdog)
		lc.exit_status = MONITOR_EXIT_CRASHED;
	mlog(d, "action for shutdown reason %s is %s", shutdown_reason_name(reason),
	     shutdown_action_name(action));
	switch (action) {
	case ACTION_COREDUMP_DESTROY:
	case ACTION_COREDUMP_RESTART:
		mlog(d, "no core dump written: not supported");
		break;
	case ACTION_RENAME_RESTART:
		mlog(d, "rename-restart: the old domain is not kept; restarting");
		break;
	case ACTION_SOFT_RESET:
		mlog(d, "soft-reset: memory is not kept; restarting");
		break;
	default:
		break;
	}
	switch (action) {
	case ACTION_PRESERVE:
		console_poll(lc.con);
		mlog(d, "domain %u preserved; `xl destroy` removes it", d->domid);
		return;
	case ACTION_RESTART:
	case ACTION_RENAME_RESTART:
	case ACTION_COREDUMP_RESTART:
	case ACTION_SOFT_RESET:
		restart(d);
		return;
	case ACTION_DESTROY:
	case ACTION_COREDUMP_DESTROY:
		break;
	}
	finish(d);
}

static void shutdown_event(void *arg, uint32_t events)
{
	struct domain *d = arg;
	eventfd_t v;

	(void)events;
	if (eventfd_read(lc.fd, &v) < 0 && errno != EAGAIN)
		mlog(d, "shutdown event: %s", strerror(errno));
	if (!lc.handled && !lc.finished && __atomic_load_n(&d->shutdown_reason, __ATOMIC_SEQ_CST) >= 0)
		apply_action(d);
}

int lifecycle_init(struct domain *d, const struct lifecycle_config *cfg, struct console *con)
{
	lc.d = d;
	lc.cfg = *cfg;
	lc.con = con;
	lc.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (lc.fd < 0 || ev_add(lc.fd, EPOLLIN, shutdown_event, d) < 0) {
		mlog(d, "cannot watch for shutdowns: %s", strerror(errno));
		return -1;
	}
	/* a shutdown recorded before the eventfd existed */
	if (__atomic_load_n(&d->shutdown_reason, __ATOMIC_SEQ_CST) >= 0)
		eventfd_write(lc.fd, 1);
	return 0;
}

int lifecycle_start(struct domain *d, bool paused)
{
	if (paused) {
		lc.pause_count = 1;
		return 0;
	}
	return start_vcpus(d);
}

static bool is_shut_down(struct domain *d)
{
	return __atomic_load_n(&d->shutdown_reason, __ATOMIC_SEQ_CST) >= 0;
}

int lifecycle_pause(struct domain *d, char *err, size_t errlen)
{
	if (d->dying) {
		snprintf(err, errlen, "domain %u is dying", d->domid);
		return -1;
	}
	if (lc.pause_count++ == 0 && lc.started) {
		domain_pause(d);
		if (is_shut_down(d))
			d->state = DOM_SHUTDOWN;	/* a shutdown raced with the pause */
	}
	return 0;
}

int lifecycle_unpause(struct domain *d, char *err, size_t errlen)
{
	if (d->dying) {
		snprintf(err, errlen, "domain %u is dying", d->domid);
		return -1;
	}
	if (lc.pause_count == 0) {
		/* Xen's domain_unpause_by_systemcontroller: -EINVAL */
		snprintf(err, errlen, "domain %u is not paused", d->domid);
		return -1;
	}
	if (--lc.pause_count)
		return 0;
	if (!lc.started) {
		if (!is_shut_down(d) && start_vcpus(d) < 0) {
			snprintf(err, errlen, "cannot start the vCPUs");
			return -1;
		}
		return 0;
	}
	domain_unpause(d);
	if (is_shut_down(d))
		d->state = DOM_SHUTDOWN;
	return 0;
}

void lifecycle_destroy(struct domain *d, const char *why)
{
	mlog(d, "domain %u destroyed: %s", d->domid, why);
	finish(d);
}

/* Xen's getdomaininfo: running if any online vCPU is on a CPU, blocked if
 * every online vCPU is blocked; paused by the toolstack; shut down with its
 * reason (xl's letters "-rscwS"); dying. */
void lifecycle_state(struct domain *d, char state[7])
{
	static const char reason_letters[] = "-rscwS";
	int reason = __atomic_load_n(&d->shutdown_reason, __ATOMIC_SEQ_CST);
	bool running = false, blocked = lc.started, any_online = false;

	for (unsigned int i = 0; i < d->nr_vcpus && lc.started; i++) {
		struct vcpu *v = &d->vcpu[i];

		if (!v->online)
			continue;
		any_online = true;
		if (__atomic_load_n(&v->running, __ATOMIC_RELAXED))
			running = true;
		if (!__atomic_load_n(&v->blocked, __ATOMIC_RELAXED))
			blocked = false;
	}
	memcpy(state, "------", 7);
	if (running)
		state[0] = 'r';
	if (blocked && any_online)
		state[1] = 'b';
	if (lc.pause_count)
		state[2] = 'p';
	if (reason >= 0) {
		state[3] = 's';
		if (reason <= SHUTDOWN_MAX)
			state[4] = reason_letters[reason];
	}
	if (d->dying)
		state[5] = 'd';
}

int lifecycle_exit_status(void)
{
	return lc.exit_status;
}
