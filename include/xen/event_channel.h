/* HYPERVISOR_event_channel_op: ports, bindings and notifications. */
#ifndef XEN_EVENT_CHANNEL_H
#define XEN_EVENT_CHANNEL_H

#include <xen/abi.h>

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_bind_pirq 2
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9
#define EVTCHNOP_reset 10
#define EVTCHNOP_init_control 11
#define EVTCHNOP_expand_array 12
#define EVTCHNOP_set_priority 13

/* evtchn_status.status */
#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq 3
#define EVTCHNSTAT_virq 4
#define EVTCHNSTAT_ipi 5

#define BIND_PIRQ__WILL_SHARE 1

/* The 2-level ABI: 64 words of 64 bits in shared_info. */
#define EVTCHN_2L_NR_CHANNELS 4096

#ifndef __ASSEMBLER__

/* New port in dom that remote_dom may bind to. OUT: port. */
struct evtchn_alloc_unbound {
	domid_t dom, remote_dom;
	evtchn_port_t port;
};
XEN_CHECK_SIZE(struct evtchn_alloc_unbound, 8);

/* OUT: local_port, connected to remote_dom's unbound remote_port. */
struct evtchn_bind_interdomain {
	domid_t remote_dom;
	evtchn_port_t remote_port;
	evtchn_port_t local_port;
};
XEN_CHECK_SIZE(struct evtchn_bind_interdomain, 12);
XEN_CHECK_OFFSET(struct evtchn_bind_interdomain, remote_port, 4);

/* OUT: port. */
struct evtchn_bind_virq {
	uint32_t virq;
	uint32_t vcpu;
	evtchn_port_t port;
};
XEN_CHECK_SIZE(struct evtchn_bind_virq, 12);

struct evtchn_bind_pirq {
	uint32_t pirq;
	uint32_t flags; /* BIND_PIRQ__* */
	evtchn_port_t port;
};
XEN_CHECK_SIZE(struct evtchn_bind_pirq, 12);

/* OUT: port. */
struct evtchn_bind_ipi {
	uint32_t vcpu;
	evtchn_port_t port;
};
XEN_CHECK_SIZE(struct evtchn_bind_ipi, 8);

struct evtchn_close {
	evtchn_port_t port;
};
XEN_CHECK_SIZE(struct evtchn_close, 4);

struct evtchn_send {
	evtchn_port_t port;
};
XEN_CHECK_SIZE(struct evtchn_send, 4);

/* IN: dom, port. OUT: the rest. */
struct evtchn_status {
	domid_t dom;
	evtchn_port_t port;
	uint32_t status; /* EVTCHNSTAT_* */
	uint32_t vcpu; /* notified vCPU */
	union {
		struct {
			domid_t dom;
		} unbound;
		struct {
			domid_t dom;
			evtchn_port_t port;
		} interdomain;
		uint32_t pirq;
		uint32_t virq;
	} u;
};
XEN_CHECK_OFFSET(struct evtchn_status, port, 4);
XEN_CHECK_OFFSET(struct evtchn_status, status, 8);
XEN_CHECK_OFFSET(struct evtchn_status, vcpu, 12);
XEN_CHECK_OFFSET(struct evtchn_status, u, 16);
XEN_CHECK_OFFSET(struct evtchn_status, u.interdomain.port, 20);
XEN_CHECK_SIZE(struct evtchn_status, 24);

struct evtchn_bind_vcpu {
	evtchn_port_t port;
	uint32_t vcpu;
};
XEN_CHECK_SIZE(struct evtchn_bind_vcpu, 8);

struct evtchn_unmask {
	evtchn_port_t port;
};
XEN_CHECK_SIZE(struct evtchn_unmask, 4);

struct evtchn_reset {
	domid_t dom;
};
XEN_CHECK_SIZE(struct evtchn_reset, 2);

/* FIFO ABI: register the control block of one vCPU. */
struct evtchn_init_control {
	uint64_t control_gfn;
	uint32_t offset;
	uint32_t vcpu;
	uint8_t link_bits; /* OUT */
	uint8_t _pad[7];
};
XEN_CHECK_SIZE(struct evtchn_init_control, 24);

struct evtchn_expand_array {
	uint64_t array_gfn;
};
XEN_CHECK_SIZE(struct evtchn_expand_array, 8);

struct evtchn_set_priority {
	evtchn_port_t port;
	uint32_t priority;
};
XEN_CHECK_SIZE(struct evtchn_set_priority, 8);

/* Argument of the old __HYPERVISOR_event_channel_op_compat. */
struct evtchn_op {
	uint32_t cmd; /* EVTCHNOP_* */
	union {
		struct evtchn_alloc_unbound alloc_unbound;
		struct evtchn_bind_interdomain bind_interdomain;
		struct evtchn_bind_virq bind_virq;
		struct evtchn_bind_pirq bind_pirq;
		struct evtchn_bind_ipi bind_ipi;
		struct evtchn_close close;
		struct evtchn_send send;
		struct evtchn_status status;
		struct evtchn_bind_vcpu bind_vcpu;
		struct evtchn_unmask unmask;
	} u;
};
XEN_CHECK_OFFSET(struct evtchn_op, u, 4);
XEN_CHECK_SIZE(struct evtchn_op, 28);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_EVENT_CHANNEL_H */
