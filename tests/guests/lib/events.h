/* 2-level event channels from the guest side: the upcall and its counters. */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/event_channel.h>

#define EVENTS_MAX_PORTS 1024

/* How often each port was seen pending (and unmasked) by the upcall. */
extern volatile uint32_t event_count[EVENTS_MAX_PORTS];
/* How many upcalls Xen delivered. */
extern volatile uint32_t upcall_count;

/* Register the event callback with CALLBACKOP_register; returns its result. */
long events_init(void);
/* The upcall body, called from trap_dispatch(). */
void events_upcall(void);

/* The vCPU's event mask (vcpu_info.evtchn_upcall_mask). */
void events_enable(void);
void events_disable(void);
bool events_masked(void);

/* Per-port bits in shared_info. */
void port_mask(evtchn_port_t port);
void port_clear_pending(evtchn_port_t port);
bool port_pending(evtchn_port_t port);
bool port_masked(evtchn_port_t port);

/* EVTCHNOP_* wrappers: the hypercall's result; ports are written on success. */
long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
long evtchn_bind_ipi(uint32_t vcpu, evtchn_port_t *port);
long evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_port_t *port);
long evtchn_close(evtchn_port_t port);
long evtchn_unmask(evtchn_port_t port);
long evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st);

/* Timers of vCPU 0 (VCPUOP_*); they raise VIRQ_TIMER. */
long timer_singleshot_at(uint64_t abs_ns);
long timer_stop_singleshot(void);
long timer_periodic(uint64_t period_ns);
long timer_stop_periodic(void);

/* Our domid (what DOMID_SELF stands for), learnt from an unbound port's status. */
domid_t own_domid(void);

/* SCHEDOP_poll on ports until one is pending or timeout_ns pass; its result. */
long poll_ports(const evtchn_port_t *ports, unsigned int nr, uint64_t timeout_ns);

/*
 * With events enabled, wait until the upcall has counted a new event on
 * port (event_count[port] != before) or timeout_ns pass; restores the
 * event mask. Returns whether the event came.
 */
bool wait_for_event(evtchn_port_t port, uint32_t before, uint64_t timeout_ns);

#endif /* GUEST_EVENTS_H */
