/* Event-channel upcall and helpers over the 2-level bitmaps in shared_info. */
#include "events.h"
#include "guest.h"
#include "hypercall.h"
#include "traps.h"

volatile uint32_t event_count[EVENTS_MAX_PORTS];
volatile uint32_t upcall_count;

long events_init(void)
{
	struct callback_register cb = {
		.type = CALLBACKTYPE_event,
		.address = (uint64_t)entry_event,
	};

	return HYPERVISOR_callback_op(CALLBACKOP_register, PTR(&cb));
}

void events_upcall(void)
{
	uint64_t sel;

	upcall_count++;
	vcpu0_info->evtchn_upcall_pending = 0;
	sel = __atomic_exchange_n(&vcpu0_info->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned int word = __builtin_ctzl(sel);
		uint64_t bits;

		sel &= sel - 1;
		bits = shared_info->evtchn_pending[word] & ~shared_info->evtchn_mask[word];
		while (bits) {
			unsigned int bit = __builtin_ctzl(bits);
			unsigned int port = word * 64 + bit;

			bits &= bits - 1;
			__atomic_fetch_and(&shared_info->evtchn_pending[word], ~(1UL << bit),
					   __ATOMIC_SEQ_CST);
			if (port < EVENTS_MAX_PORTS)
				event_count[port]++;
		}
	}
}

void events_enable(void)
{
	vcpu0_info->evtchn_upcall_mask = 0;
	barrier();
	/* Anything that became pending while masked: any hypercall delivers it. */
	if (vcpu0_info->evtchn_upcall_pending)
		HYPERVISOR_xen_version(XENVER_version, 0);
}

void events_disable(void)
{
	vcpu0_info->evtchn_upcall_mask = 1;
	barrier();
}

bool events_masked(void)
{
	return vcpu0_info->evtchn_upcall_mask != 0;
}

void port_mask(evtchn_port_t port)
{
	__atomic_fetch_or(&shared_info->evtchn_mask[port / 64], 1UL << (port % 64),
			  __ATOMIC_SEQ_CST);
}

void port_clear_pending(evtchn_port_t port)
{
	__atomic_fetch_and(&shared_info->evtchn_pending[port / 64], ~(1UL << (port % 64)),
			   __ATOMIC_SEQ_CST);
}

bool port_pending(evtchn_port_t port)
{
	return (shared_info->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

bool port_masked(evtchn_port_t port)
{
	return (shared_info->evtchn_mask[port / 64] >> (port % 64)) & 1;
}

long poll_ports(const evtchn_port_t *ports, unsigned int nr, uint64_t timeout_ns)
{
	struct sched_poll poll = {
		.ports = PTR(ports),
		.nr_ports = nr,
		.timeout = system_time_ns() + timeout_ns,
	};

	return HYPERVISOR_sched_op(SCHEDOP_poll, PTR(&poll));
}

bool wait_for_event(evtchn_port_t port, uint32_t before, uint64_t timeout_ns)
{
	uint64_t deadline = system_time_ns() + timeout_ns;
	bool masked = events_masked();

	events_enable();
	while (event_count[port] == before) {
		uint64_t now = system_time_ns();

		if (now >= deadline)
			break;
		poll_ports(&port, 1, deadline - now);
	}
	if (masked)
		events_disable();
	return event_count[port] != before;
}

long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, PTR(&op));

	if (!rc)
		*port = op.port;
	return rc;
}

long evtchn_bind_ipi(uint32_t vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_ipi op = { .vcpu = vcpu };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, PTR(&op));

	if (!rc)
		*port = op.port;
	return rc;
}

long evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, PTR(&op));

	if (!rc)
		*port = op.port;
	return rc;
}

long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = { .remote_dom = remote, .remote_port = remote_port };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, PTR(&op));

	if (!rc)
		*port = op.local_port;
	return rc;
}

long evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_close, PTR(&op));
}

long evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask op = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, PTR(&op));
}

long evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
	memset(st, 0, sizeof(*st));
	st->dom = dom;
	st->port = port;
	return HYPERVISOR_event_channel_op(EVTCHNOP_status, PTR(st));
}

long timer_singleshot_at(uint64_t abs_ns)
{
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = abs_ns };

	return HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, PTR(&t));
}

long timer_stop_singleshot(void)
{
	return HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0);
}

long timer_periodic(uint64_t period_ns)
{
	struct vcpu_set_periodic_timer t = { .period_ns = period_ns };

	return HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, PTR(&t));
}

long timer_stop_periodic(void)
{
	return HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
}

domid_t own_domid(void)
{
	struct evtchn_status st = { 0 };
	evtchn_port_t p;

	if (evtchn_alloc_unbound(DOMID_SELF, &p))
		report_crash("EVTCHNOP_alloc_unbound failed: cannot learn our domid");
	evtchn_status(DOMID_SELF, p, &st);
	evtchn_close(p);
	return st.u.unbound.dom;
}
