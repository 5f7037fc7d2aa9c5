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

bool wait_for_event(evtchn_port_t port, uint32_t before, unsigned int tries)
{
	while (event_count[port] == before && tries--) {
		/* SCHEDOP_block unmasks events; restore our mask afterwards. */
		bool masked = events_masked();

		HYPERVISOR_sched_op(SCHEDOP_block, 0);
		if (masked)
			events_disable();
	}
	return event_count[port] != before;
}
