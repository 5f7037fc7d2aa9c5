/*
 * HYPERVISOR_vcpu_op: vCPU state, runstate, the periodic and single-shot
 * timers behind VIRQ_TIMER (a PV vCPU starts with a 10 ms periodic timer),
 * moving vcpu_info, a second time area, NMIs, and the error paths.
 */
#include "events.h"
#include "guest.h"
#include "hypercall.h"
#include "traps.h"

const char test_title[] = "vcpu_op";

#define UNMAPPED_VA 0x1000UL
#define MS 1000000UL
#define WAIT_NS (2000 * MS)

static evtchn_port_t timer_port;
static uint8_t area_page[4096] __page_aligned_bss;
static struct vcpu_guest_context ctxt;
static volatile unsigned int nmis;

static bool hook_nmi(struct trap_frame *f)
{
	if (f->vector != 2)
		return false;
	nmis++;
	return true;
}

static void test_state(void)
{
	struct vcpu_runstate_info rs;

	check_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, 0), 1, "VCPUOP_is_up(0)");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, 0), -XEN_ENOENT, "VCPUOP_is_up(1): no such vCPU");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_up, 0, 0), 0, "VCPUOP_up of a running vCPU");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_initialise, 0, PTR(&ctxt)), -XEN_EEXIST,
		 "VCPUOP_initialise of an initialised vCPU");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_initialise, 0, UNMAPPED_VA), -XEN_EFAULT,
		 "VCPUOP_initialise from a bad address");

	memset(&rs, 0xff, sizeof(rs));
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, PTR(&rs)), 0,
		 "VCPUOP_get_runstate_info");
	check_eq(rs.state, RUNSTATE_running, "we are running");
	check(rs.time[RUNSTATE_running] > 0, "and have run for a while (%lu ns)",
	      rs.time[RUNSTATE_running]);
	check(rs.state_entry_time <= system_time_ns(), "state entered in the past");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, UNMAPPED_VA), -XEN_EFAULT,
		 "VCPUOP_get_runstate_info to a bad address");

	check_eq(HYPERVISOR_vcpu_op(VCPUOP_get_physid, 0, PTR(&rs)), -XEN_EINVAL,
		 "VCPUOP_get_physid is for the hardware domain");
	check_eq(HYPERVISOR_vcpu_op(99, 0, 0), -XEN_ENOSYS, "unknown VCPUOP");
}

static void test_runstate_area(void)
{
	static struct vcpu_runstate_info rs;
	struct vcpu_register_runstate_memory_area area = { .addr = PTR(&rs) };
	uint64_t blocked;

	memset(&rs, 0xff, sizeof(rs));
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, PTR(&area)), 0,
		 "VCPUOP_register_runstate_memory_area");
	check_eq(rs.state, RUNSTATE_running, "the area is filled at once");
	blocked = rs.time[RUNSTATE_blocked];

	/* Sleep 20 ms: the area must account the blocked time. */
	events_disable();
	timer_singleshot_at(system_time_ns() + 20 * MS);
	HYPERVISOR_sched_op(SCHEDOP_block, 0);
	events_disable();
	check(rs.time[RUNSTATE_blocked] > blocked, "blocked time grew in the area (%lu -> %lu)",
	      blocked, rs.time[RUNSTATE_blocked]);
	check_eq(rs.state, RUNSTATE_running, "and we are running again");

	area.addr = HYPERVISOR_VIRT_START;
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, PTR(&area)),
		 -XEN_EFAULT, "runstate area in the hypervisor's range");
	area.addr = 0;
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, PTR(&area)), 0,
		 "unregister the runstate area");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, UNMAPPED_VA),
		 -XEN_EFAULT, "register from a bad address");
}

static void test_timers(void)
{
	struct vcpu_set_singleshot_timer ss = { 0 };
	uint32_t before;

	if (!check_eq(evtchn_bind_virq(VIRQ_TIMER, 0, &timer_port), 0, "bind VIRQ_TIMER"))
		return;

	before = event_count[timer_port];
	check(wait_for_event(timer_port, before, WAIT_NS),
	      "the default periodic timer ticks without being armed");

	check_eq(timer_stop_periodic(), 0, "VCPUOP_stop_periodic_timer");
	check_eq(timer_periodic(100000), -XEN_EINVAL, "a periodic timer under 1 ms");
	check_eq(timer_periodic(5 * MS), 0, "a 5 ms periodic timer");
	before = event_count[timer_port];
	for (int i = 0; i < 3; i++)
		wait_for_event(timer_port, event_count[timer_port], WAIT_NS);
	check(event_count[timer_port] >= before + 3, "it ticks repeatedly (%u ticks)",
	      event_count[timer_port] - before);
	timer_stop_periodic();
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, UNMAPPED_VA), -XEN_EFAULT,
		 "VCPUOP_set_periodic_timer from a bad address");

	before = event_count[timer_port];
	check_eq(timer_singleshot_at(system_time_ns() + 10 * MS), 0,
		 "VCPUOP_set_singleshot_timer 10 ms ahead");
	check(wait_for_event(timer_port, before, WAIT_NS), "the single-shot timer fires");

	/* A deadline in the past fires at once. */
	events_disable();
	port_clear_pending(timer_port);
	check_eq(timer_singleshot_at(1), 0, "single-shot timer in the past");
	check(port_pending(timer_port), "fires before the hypercall returns");
	events_enable();

	/* A stopped timer does not fire. */
	before = event_count[timer_port];
	timer_singleshot_at(system_time_ns() + 30 * MS);
	check_eq(timer_stop_singleshot(), 0, "VCPUOP_stop_singleshot_timer");
	check(!wait_for_event(timer_port, before, 100 * MS), "a stopped timer stays silent");

	check_eq(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 1, PTR(&ss)), -XEN_ENOENT,
		 "single-shot timer on a vCPU that does not exist");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, UNMAPPED_VA), -XEN_EFAULT,
		 "single-shot timer from a bad address");

	/* The old interface: set_timer_op also drives the single-shot timer. */
	before = event_count[timer_port];
	check_eq(HYPERVISOR_set_timer_op(system_time_ns() + 10 * MS), 0, "set_timer_op");
	check(wait_for_event(timer_port, before, WAIT_NS), "set_timer_op fires VIRQ_TIMER");
	before = event_count[timer_port];
	HYPERVISOR_set_timer_op(system_time_ns() + 30 * MS);
	check_eq(HYPERVISOR_set_timer_op(0), 0, "set_timer_op(0) cancels");
	check(!wait_for_event(timer_port, before, 100 * MS), "the cancelled timer stays silent");
	events_disable();
}

static void test_vcpu_info(void)
{
	struct vcpu_register_vcpu_info info = { .mfn = virt_to_mfn(area_page), .offset = 64 };
	struct vcpu_info *moved = (struct vcpu_info *)(area_page + 64);
	evtchn_port_t ipi;
	uint32_t before;

	info.offset = 4096 - 32;
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, PTR(&info)), -XEN_ENXIO,
		 "vcpu_info crossing a page boundary");
	info.offset = 66;
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, PTR(&info)), -XEN_ENXIO,
		 "misaligned vcpu_info");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, UNMAPPED_VA), -XEN_EFAULT,
		 "VCPUOP_register_vcpu_info from a bad address");

	events_disable();
	memset(area_page, 0xcc, sizeof(area_page));
	info.offset = 64;
	if (!check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, PTR(&info)), 0,
		      "VCPUOP_register_vcpu_info"))
		return;
	vcpu0_info = moved;
	check_eq(moved->evtchn_upcall_mask, 1, "the new area carries the current mask");
	check_eq(moved->evtchn_pending_sel, ~0UL, "Xen marks every selector bit pending");
	check_eq(moved->evtchn_upcall_pending, 1, "and an upcall pending");
	check(!(moved->time.version & 1) && moved->time.system_time != 0,
	      "time info is published in the new area");
	check_eq(area_page[0], 0xcc, "bytes before the area are untouched");
	check_eq(area_page[64 + sizeof(struct vcpu_info)], 0xcc, "bytes after it too");
	events_enable(); /* take the spurious upcall */

	if (check_eq(evtchn_bind_ipi(0, &ipi), 0, "bind an IPI")) {
		before = event_count[ipi];
		evtchn_send(ipi);
		check_eq(event_count[ipi], before + 1, "events arrive through the moved vcpu_info");
		evtchn_close(ipi);
	}
	info.offset = 128;
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, PTR(&info)), -XEN_EBUSY,
		 "vcpu_info can be moved only once");
	events_disable();
}

static void test_time_area(void)
{
	static struct vcpu_time_info t;
	struct vcpu_register_time_memory_area area = { .addr = PTR(&t) };
	uint64_t now;

	check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, PTR(&area)), 0,
		 "VCPUOP_register_vcpu_time_memory_area");
	now = system_time_ns();
	check(!(t.version & 1) && t.system_time != 0 && t.system_time <= now,
	      "the second time area is filled at once (%lu <= %lu)", t.system_time, now);
	check_eq(t.tsc_to_system_mul, vcpu0_info->time.tsc_to_system_mul,
		 "with the same scale as vcpu_info's");
	area.addr = HYPERVISOR_VIRT_START;
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, PTR(&area)),
		 -XEN_EFAULT, "a time area in the hypervisor's range");
}

static void test_nmi(void)
{
	trap_hook = hook_nmi;
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_send_nmi, 0, PTR(&ctxt)), -XEN_EINVAL,
		 "VCPUOP_send_nmi with an argument");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_send_nmi, 0, 0), 0, "VCPUOP_send_nmi");
	HYPERVISOR_xen_version(XENVER_version, 0);
	check_eq(nmis, 1, "the NMI reached the vector 2 handler");
	trap_hook = NULL;
}

void guest_main(void)
{
	test_state();
	test_timers();
	test_runstate_area();
	test_time_area();
	test_nmi();
	test_vcpu_info();
}
