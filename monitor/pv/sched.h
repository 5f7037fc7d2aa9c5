/*
 * Scheduling as a PV guest sees it: SCHEDOP_* (block, poll, yield,
 * shutdown, watchdog), blocking and waking vCPUs, and the runstate
 * (running, runnable, blocked, offline and the time spent in each).
 *
 * A blocking hypercall only sets v->blocked; the run loop (vcpu.c) then
 * waits on v->wake under v->lock until it is clear again. Every wake-up
 * (event delivery, poll timeout, a polled port) goes through vcpu_unblock().
 *
 * Locks: sched_vcpu.lock is taken after the event-channel lock and before
 * the vCPU's timer lock (time_vcpu.lock); v->lock is never held with it.
 */
#ifndef MONITOR_PV_SCHED_H
#define MONITOR_PV_SCHED_H

#include <xen/event_channel.h>
#include <xen/vcpu.h>

#include "../domain.h"

#define NR_DOMAIN_WATCHDOGS 2	/* Xen's NR_DOMAIN_WATCHDOG_TIMERS */
#define SCHED_MAX_POLL_PORTS 128	/* Xen's "fairly arbitrary limit" */

struct sched_vcpu {
	pthread_mutex_t lock;	/* the fields below but poll_port */
	struct vcpu_runstate_info runstate;
	struct vcpu_runstate_info *runstate_area;	/* VCPUOP_register_runstate_phys_area */
	/* The vCPU stopped running (blocked, polling, down): its runstate says so
	 * and, as on Xen, its periodic timer is stopped until it runs again. */
	bool descheduled;
	/* v was resumed by another thread: on its own thread, before it runs,
	 * the tick it missed is raised and its virtual runstate area (written
	 * through v's page tables) brought up to date. */
	bool resumed;
	/* Xen's poll_evtchn (atomic): 0 not polling, -1 any port, else the one port. */
	int poll_port;
};

struct sched_domain {
	int64_t watchdog_deadline[NR_DOMAIN_WATCHDOGS];	/* system time; 0: not in use */
	int watchdog_fd[NR_DOMAIN_WATCHDOGS];
	int shutdown_code;	/* SCHEDOP_shutdown_code, -1: none */
};

/* Wake v if it is blocked or polling (any thread; takes v->lock). */
void vcpu_unblock(struct vcpu *v);

/* Whether v has something to act on: an upcall pending with events enabled,
 * or (while polling) one of its polled ports pending. Lock-free: the run
 * loop calls it under v->lock. */
bool vcpu_event_pending(struct vcpu *v);

/* Xen's evtchn_check_pollers: port became pending; wake the vCPUs polling it
 * (or polling any port). */
void sched_wake_pollers(struct domain *d, evtchn_port_t port);

/* v stops running: runstate blocked or offline, periodic timer stopped.
 * cur is the vCPU whose thread this is. If v may run after all (it was
 * woken meanwhile), it is resumed at once. */
void sched_deschedule(struct vcpu *cur, struct vcpu *v, int state);
/* v runs again if it is online and not blocked: runstate running, periodic
 * timer resumed. */
void sched_resume(struct vcpu *v);
/* On v's own thread before it enters the guest after waiting (cheap when
 * nothing changed): what Xen does when it switches to a vCPU. It counts as
 * running, a periodic tick it missed while descheduled is raised (so that
 * the upcall comes before any guest code), and its runstate area is brought
 * up to date. Without v->lock. */
void sched_vcpu_running(struct vcpu *v);

/* v's runstate; with up_to_now, the current state's time counted up to now. */
void sched_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out, bool up_to_now);
/* Write r into v's VCPUOP_register_runstate_memory_area copy through cur's
 * page tables (Xen's update protocol). */
void sched_runstate_write_va(struct vcpu *cur, struct vcpu *v, const struct vcpu_runstate_info *r);
/* VCPUOP_register_runstate_phys_area: filled now if v is cur (NULL: none). */
void sched_set_runstate_area(struct vcpu *cur, struct vcpu *v, struct vcpu_runstate_info *area);

/* Shut the domain down, a code recorded by SCHEDOP_shutdown_code winning. */
void sched_shutdown(struct domain *d, unsigned int reason);
/* A watchdog timer expired (the event loop). */
void sched_watchdog_fired(struct domain *d, unsigned int id);
/* A poll's timeout expired (the event loop). */
void sched_poll_timeout(struct vcpu *v);

long do_sched_op(struct vcpu *v, const uint64_t arg[5]);
long do_sched_op_compat(struct vcpu *v, const uint64_t arg[5]);

#endif /* MONITOR_PV_SCHED_H */
