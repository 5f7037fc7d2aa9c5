/*
 * Event channels with Xen's 2-level ABI, and the host side of interdomain
 * channels: what dom0 holds on Xen (xenstored, the console, backends) is
 * the monitor here, so a guest sees those channels as bound to domain 0.
 *
 * The state of the event, scheduling and time code of a domain hangs off
 * d->evtchn (struct evtchn_state). Threads: hypercalls run on vCPU threads
 * with d->lock held, timers on the event-loop thread, host notifications on
 * any thread. evtchn_state.lock guards the ports; it is taken after d->lock
 * and before any vCPU's lock, and nothing here ever takes d->lock.
 */
#ifndef MONITOR_PV_EVTCHN_H
#define MONITOR_PV_EVTCHN_H

#include <xen/event_channel.h>

#include "../domain.h"
#include "sched.h"
#include "time.h"
#include "vcpu_op.h"

/* Xen's d->max_evtchn_port as xl sets it by default (max_event_channels). */
#define EVTCHN_MAX_PORT 1023
/* Host-side ends (domain 0's ports) per domain; 0 is never used. */
#define EVTCHN_NR_HOST_PORTS 256

/* Runs when the guest notifies a host-bound channel, on the notifying vCPU's
 * thread with the event-channel lock held: keep it short (write an eventfd)
 * and call nothing of this file from it. */
typedef void evtchn_notify_fn(void *arg);

struct evtchn_port {
	uint8_t state;	/* ECS_* in evtchn.c (read locklessly: atomic) */
	uint16_t notify_vcpu;
	union {
		domid_t unbound_remote;	/* who may bind it */
		struct {
			domid_t dom;	/* 0: the host, host port `port` */
			evtchn_port_t port;
		} interdomain;
		uint32_t virq;
	} u;
};

struct evtchn_host_port {
	uint8_t state;	/* free, unbound (the guest closed its end), interdomain */
	evtchn_port_t guest_port;	/* the guest's end (or the last one) */
	evtchn_notify_fn *on_notify;
	void *arg;
};

struct evtchn_vcpu {
	evtchn_port_t virq_port[NR_VIRQS];	/* 0: not bound */
	struct sched_vcpu sched;
	struct time_vcpu time;
	struct vcpu_op_vcpu op;
};

struct evtchn_state {
	pthread_mutex_t lock;
	unsigned int valid;	/* ports below are allocated (in buckets of 64, as Xen) */
	struct evtchn_port port[EVTCHN_2L_NR_CHANNELS];
	struct evtchn_host_port host[EVTCHN_NR_HOST_PORTS];
	struct evtchn_vcpu vcpu[XENO_MAX_VCPUS];
	struct sched_domain sched;
	struct time_domain time;
};

static inline struct evtchn_vcpu *evtchn_vcpu_of(struct vcpu *v)
{
	return &v->d->evtchn->vcpu[v->id];
}

/* Xen's __addr_ok for a guest pointer: the lower half, or above Xen's range. */
static inline bool guest_addr_ok(uint64_t va)
{
	return va < (1ULL << 47) || va >= HYPERVISOR_VIRT_END;
}

/* Allocate the domain's state (port 0 reserved, vCPU 0 initialised). Needs
 * d->nr_vcpus, d->shared_info and d->domid; sets d->boot_time_ns if 0.
 * 0, or -1 (out of memory). A state left from an earlier build of the same
 * domain is destroyed first. */
int evtchn_init(struct domain *d);
/* Free it, timers included; the vCPU threads must have stopped. */
void evtchn_destroy(struct domain *d);

/*
 * The host side (any thread). evtchn_alloc_host: a new guest port bound to a
 * new host end; on_notify (may be NULL) runs when the guest sends on it.
 * evtchn_host_bind: attach on_notify to guest_port's host end, or bind a new
 * host end to guest_port if the guest left it unbound for domain 0 (what a
 * backend does with a frontend's port); the host end is notified once, as
 * Xen does on bind. evtchn_host_unbind: close the host end (the guest's port
 * becomes unbound for domain 0). 0, or -XEN_EINVAL / -XEN_ENOSPC.
 */
int evtchn_alloc_host(struct domain *d, evtchn_port_t *guest_port, evtchn_notify_fn *on_notify,
		      void *arg);
int evtchn_host_bind(struct domain *d, evtchn_port_t guest_port, evtchn_notify_fn *on_notify,
		     void *arg);
int evtchn_host_unbind(struct domain *d, evtchn_port_t guest_port);
/* Raise guest_port in the guest if it is bound to the host (any thread). */
void evtchn_host_notify(struct domain *d, evtchn_port_t guest_port);

/* Raise a VIRQ: per-vCPU ones on that vCPU, others on vCPU 0's binding. */
void evtchn_send_virq(struct domain *d, unsigned int vcpu, unsigned int virq);

/* Xen's evtchn_port_poll: 1 pending, 0 not, -XEN_EINVAL not a bound port.
 * Lock-free. */
int evtchn_port_poll(struct domain *d, evtchn_port_t port);
/* Set v's evtchn_upcall_pending; if it was clear, wake and kick v. */
void evtchn_mark_events_pending(struct vcpu *v);

long do_event_channel_op(struct vcpu *v, const uint64_t arg[5]);
long do_event_channel_op_compat(struct vcpu *v, const uint64_t arg[5]);

#endif /* MONITOR_PV_EVTCHN_H */
