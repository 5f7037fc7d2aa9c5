/*
 * Time for a PV guest: the TSC-based system time (vcpu_time_info), the
 * wallclock in shared_info, and the per-vCPU timers (single-shot, periodic,
 * SCHEDOP_poll timeout) and the domain's watchdogs, as timerfds on the
 * monitor's event loop.
 *
 * System time is one fixed linear function of the guest TSC, set when the
 * domain is built. vcpu_time_info is refreshed as Xen does, but always with
 * a point of that same line where the guest's scaling has no rounding step
 * (a multiple of the "quantum" of TSC ticks): whichever record the guest
 * reads, it computes the same time, so time never goes backwards and
 * XEN_PVCLOCK_TSC_STABLE_BIT is honest. Timer deadlines (system time) are
 * turned into CLOCK_MONOTONIC ones when armed.
 */
#ifndef MONITOR_PV_TIME_H
#define MONITOR_PV_TIME_H

#include "../domain.h"
#include "sched.h"

#define TIME_DEFAULT_PERIOD_NS 10000000	/* Xen starts every PV vCPU with a 10 ms tick */

struct time_vcpu {
	pthread_mutex_t lock;	/* this vCPU's timers; never held while raising an event */
	/* Kept here, not in struct vcpu, so that a rebuild of the domain (whose
	 * builder resets struct vcpu) still finds and closes them. */
	int timer_fd[TIMER_NR];
	int poll_fd;
	int64_t periodic_last;	/* system time of the last periodic event */
	uint64_t area_gva;	/* VCPUOP_register_vcpu_time_memory_area, 0: none */
	struct vcpu_time_info *area;	/* VCPUOP_register_vcpu_time_phys_area */
};

struct time_watchdog {
	struct domain *d;
	unsigned int id;
};

struct time_domain {
	uint64_t tsc0;	/* guest TSC at system time sys0 */
	int64_t sys0;
	uint64_t quantum;	/* TSC ticks whose scaling is exact */
	uint64_t quantum_ns;	/* what they scale to */
	struct time_watchdog watchdog[NR_DOMAIN_WATCHDOGS];	/* timer handler arguments */
};

/* Set up the clock (d->tsc_khz, or measured if 0), the wallclock, every
 * vCPU's timers and the watchdogs. Call after evtchn_init() and ev_init(),
 * before the vCPUs run. 0, or -1 if a timerfd cannot be created. */
int time_init(struct domain *d);
/* Close the timers (from evtchn_destroy). */
void time_destroy(struct domain *d);

/* Rewrite v's vcpu_time_info (any thread). */
void time_update_vcpu(struct vcpu *v);

/* Xen's set_time_scale for a TSC of khz kHz: ns = (ticks << shift) * mul >> 32
 * (a negative shift shifts right). */
void time_scale_from_khz(uint64_t khz, uint32_t *mul, int8_t *shift);
uint64_t time_scale_delta(uint64_t delta, uint32_t mul, int8_t shift);
/* The smallest power-of-two tick count q such that for every multiple k of q
 * and every x: scale(k + x) == scale(k) + scale(x), exactly. */
uint64_t time_scale_quantum(uint32_t mul, int8_t shift);
/* The record the guest gets now (tsc_timestamp at a quantum boundary). */
struct vcpu_time_info time_record(struct domain *d);

/* Single-shot timer at system time deadline (0: stop). In the past: fires now. */
void time_set_singleshot(struct vcpu *v, int64_t deadline);
/* Periodic timer (0: stop); an event at once if a period has passed. */
void time_set_periodic(struct vcpu *v, uint64_t period);
/* VIRQ_TIMER on v, with its time info refreshed (Xen's send_timer_event). */
void time_send_timer_event(struct vcpu *v);
/* SCHEDOP_poll's timeout (0: none). */
void time_set_poll_timeout(struct vcpu *v, int64_t deadline);
/* A domain watchdog (0: stop). */
void time_set_watchdog(struct domain *d, unsigned int id, int64_t deadline);

/* Xen stops a vCPU's periodic timer while it does not run, and on its
 * return raises the tick it missed (here at once, from the event loop). */
void time_periodic_stop(struct vcpu *v);
void time_periodic_resume(struct vcpu *v);
/* Raise the overdue tick now rather than from the event loop. */
void time_periodic_catch_up(struct vcpu *v);

/* VCPUOP_register_vcpu_time_memory_area: the copy at gva is written now
 * through cur's page tables (the record never changes afterwards). */
void time_set_area_gva(struct vcpu *cur, struct vcpu *v, uint64_t gva);
/* VCPUOP_register_vcpu_time_phys_area (NULL: none). */
void time_set_area(struct vcpu *v, struct vcpu_time_info *area);

long do_set_timer_op(struct vcpu *v, const uint64_t arg[5]);

#endif /* MONITOR_PV_TIME_H */
