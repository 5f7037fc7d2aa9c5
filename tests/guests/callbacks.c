/*
 * HYPERVISOR_callback_op and the older set_callbacks: which entry point
 * Xen uses for event upcalls after each call, the NMI callback, and the
 * error paths. (The syscall callback is exercised by the usermode guest.)
 */
#include "events.h"
#include "guest.h"
#include "hypercall.h"
#include "traps.h"

const char test_title[] = "callback_op and set_callbacks";

#define UNMAPPED_VA 0x1000UL
#define NONCANONICAL 0x8000000000000000UL
#define ALT_EVENT 0x104
#define NMI_CALLBACK 0x105

TRAP_STUB(entry_alt_event, 0x104, 0);
TRAP_STUB(entry_nmi_callback, 0x105, 0);
void entry_alt_event(void), entry_nmi_callback(void);

static volatile unsigned int alt_hits, nmi_hits;

static bool hook(struct trap_frame *f)
{
	if (f->vector == ALT_EVENT) {
		alt_hits++;
		events_upcall();
		return true;
	}
	if (f->vector == NMI_CALLBACK) {
		nmi_hits++;
		return true;
	}
	return false;
}

static long cb_register(uint16_t type, uint16_t flags, uint64_t address)
{
	struct callback_register cb = { .type = type, .flags = flags, .address = address };

	return HYPERVISOR_callback_op(CALLBACKOP_register, PTR(&cb));
}

static long cb_unregister(uint16_t type)
{
	struct callback_unregister cb = { .type = type };

	return HYPERVISOR_callback_op(CALLBACKOP_unregister, PTR(&cb));
}

/* Raise an event on port and report which entry took it. */
static const char *deliver(evtchn_port_t port)
{
	unsigned int alt = alt_hits, normal = event_count[port];

	events_disable();
	evtchn_send(port);
	events_enable();
	events_disable();
	if (alt_hits != alt)
		return "alt";
	if (event_count[port] != normal)
		return "normal";
	return "none";
}

static void test_event_callback(evtchn_port_t port)
{
	check(!strcmp(deliver(port), "normal"), "the runtime's event callback takes events");

	check_eq(HYPERVISOR_set_callbacks((uint64_t)entry_alt_event, (uint64_t)entry_failsafe,
					  (uint64_t)entry_syscall),
		 0, "set_callbacks");
	check(!strcmp(deliver(port), "alt"), "set_callbacks moved the event callback");

	/* set_callbacks ignores a bad address silently: the callback stays. */
	check_eq(HYPERVISOR_set_callbacks(NONCANONICAL, NONCANONICAL, NONCANONICAL), 0,
		 "set_callbacks with non-canonical addresses returns 0");
	check(!strcmp(deliver(port), "alt"), "and changes nothing");

	check_eq(cb_register(CALLBACKTYPE_event, 0, NONCANONICAL), -XEN_EINVAL,
		 "CALLBACKOP_register with a non-canonical address");
	check(!strcmp(deliver(port), "alt"), "a refused register changes nothing");

	check_eq(cb_register(CALLBACKTYPE_event, 0, (uint64_t)entry_event), 0,
		 "CALLBACKOP_register of the event callback");
	check(!strcmp(deliver(port), "normal"), "events go to the registered entry again");
}

static void test_other_types(void)
{
	check_eq(cb_register(CALLBACKTYPE_failsafe, CALLBACKF_mask_events, (uint64_t)entry_failsafe),
		 0, "register the failsafe callback");
	check_eq(cb_register(CALLBACKTYPE_syscall, 0, (uint64_t)entry_syscall), 0,
		 "register the syscall callback");
	check_eq(cb_register(CALLBACKTYPE_syscall32, 0, (uint64_t)entry_syscall), 0,
		 "register the syscall32 callback");
	check_eq(cb_register(CALLBACKTYPE_sysenter, 0, (uint64_t)entry_syscall), 0,
		 "register the sysenter callback");
	check_eq(cb_register(99, 0, (uint64_t)entry_syscall), -XEN_ENOSYS, "unknown callback type");

	check_eq(cb_unregister(CALLBACKTYPE_event), -XEN_EINVAL, "the event callback cannot be unregistered");
	check_eq(cb_unregister(CALLBACKTYPE_failsafe), -XEN_EINVAL, "nor the failsafe callback");
	check_eq(cb_unregister(CALLBACKTYPE_syscall), -XEN_EINVAL, "nor the syscall callback");
	check_eq(cb_unregister(99), -XEN_ENOSYS, "unregister of an unknown type");

	check_eq(HYPERVISOR_callback_op(CALLBACKOP_register, UNMAPPED_VA), -XEN_EFAULT,
		 "CALLBACKOP_register from a bad address");
	check_eq(HYPERVISOR_callback_op(CALLBACKOP_unregister, UNMAPPED_VA), -XEN_EFAULT,
		 "CALLBACKOP_unregister from a bad address");
	check_eq(HYPERVISOR_callback_op(7, 0), -XEN_ENOSYS, "unknown CALLBACKOP");
}

/* The NMI callback is trap table entry 2; unregistering clears it. */
static void test_nmi_callback(void)
{
	check_eq(cb_register(CALLBACKTYPE_nmi, 0, NONCANONICAL), -XEN_EINVAL,
		 "NMI callback at a non-canonical address");
	check_eq(cb_register(CALLBACKTYPE_nmi, 0, (uint64_t)entry_nmi_callback), 0,
		 "register the NMI callback");
	HYPERVISOR_vcpu_op(VCPUOP_send_nmi, 0, 0);
	HYPERVISOR_xen_version(XENVER_version, 0);
	check_eq(nmi_hits, 1, "an NMI reaches the NMI callback");
	check_eq(cb_unregister(CALLBACKTYPE_nmi), 0, "unregister the NMI callback");
	check_eq(HYPERVISOR_set_trap_table(PTR(trap_table)), 0, "reinstall the trap table");
}

void guest_main(void)
{
	evtchn_port_t port;

	trap_hook = hook;
	if (check_eq(evtchn_bind_ipi(0, &port), 0, "bind an IPI to raise events with"))
		test_event_callback(port);
	test_other_types();
	test_nmi_callback();
	trap_hook = NULL;
}
