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

/* Wait (SCHEDOP_block, at most tries times) until event_count[port] > before. */
bool wait_for_event(evtchn_port_t port, uint32_t before, unsigned int tries);

#endif /* GUEST_EVENTS_H */
