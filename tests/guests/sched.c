/*
 * HYPERVISOR_sched_op: yield, block, poll, the watchdog, what a domU may
 * not do (remote shutdown, pin override), the old sched_op_compat, and the
 * error paths. Shutdown itself ends every test.
 */
#include "events.h"
#include "guest.h"
#include "hypercall.h"

const char test_title[] = "sched_op";

#define UNMAPPED_VA 0x1000UL
#define NO_SUCH_DOMAIN 0x7000
#define MS 1000000UL

static void test_yield_and_block(evtchn_port_t ipi, evtchn_port_t timer)
{
	uint32_t before;

	check_eq(HYPERVISOR_sched_op(SCHEDOP_yield, 0), 0, "SCHEDOP_yield");
	check_eq(hypercall2(__HYPERVISOR_sched_op_compat, SCHEDOP_yield, 0), 0,
		 "sched_op_compat yield");
	check_eq(hypercall2(__HYPERVISOR_sched_op_compat, SCHEDOP_poll, 0), -XEN_ENOSYS,
		 "sched_op_compat knows only yield, block and shutdown");

	/* An event already pending: block returns at once and delivers it. */
	events_disable();
	before = event_count[ipi];
	evtchn_send(ipi);
	check_eq(HYPERVISOR_sched_op(SCHEDOP_block, 0), 0, "SCHEDOP_block with an event pending");
	check_eq(event_count[ipi], before + 1, "the pending event was delivered");

	/* Nothing pending: block sleeps until the timer. */
	events_disable();
	before = event_count[timer];
	HYPERVISOR_set_timer_op(system_time_ns() + 20 * MS);
	check_eq(HYPERVISOR_sched_op(SCHEDOP_block, 0), 0, "SCHEDOP_block until a timer");
	check_eq(event_count[timer], before + 1, "woken by the timer event");
	events_disable();
}

static void test_poll(evtchn_port_t ipi, evtchn_port_t timer)
{
	struct sched_poll poll = { .nr_ports = 1 };
	evtchn_port_t ports[2] = { ipi, timer };
	evtchn_port_t bad = 100000;
	uint32_t timer_events = event_count[timer];
	long rc;

	events_disable();
	port_clear_pending(ipi);
	port_clear_pending(timer);

	evtchn_send(ipi);
	check_eq(poll_ports(&ipi, 1, 1000 * MS), 0, "SCHEDOP_poll on a pending port");
	check(port_pending(ipi), "poll leaves the port pending");
	port_clear_pending(ipi);

	check_eq(poll_ports(&ipi, 1, 20 * MS), 0, "SCHEDOP_poll times out");
	check(!port_pending(ipi), "with nothing pending");

	HYPERVISOR_set_timer_op(system_time_ns() + 20 * MS);
	rc = poll_ports(ports, 2, 2000 * MS);
	check_eq(rc, 0, "SCHEDOP_poll on two ports, woken by one");
	check(port_pending(timer), "the timer port is pending");
	check_eq(event_count[timer], timer_events, "no upcall while events are masked");
	port_clear_pending(timer);

	check_eq(poll_ports(&bad, 1, 20 * MS), -XEN_EINVAL, "SCHEDOP_poll on an invalid port");
	poll.nr_ports = 129;
	poll.ports = PTR(ports);
	check_eq(HYPERVISOR_sched_op(SCHEDOP_poll, PTR(&poll)), -XEN_EINVAL,
		 "SCHEDOP_poll on more than 128 ports");
	poll.nr_ports = 1;
	poll.ports = UNMAPPED_VA;
	check_eq(HYPERVISOR_sched_op(SCHEDOP_poll, PTR(&poll)), -XEN_EFAULT,
		 "SCHEDOP_poll with a bad port list");
	check_eq(HYPERVISOR_sched_op(SCHEDOP_poll, UNMAPPED_VA), -XEN_EFAULT,
		 "SCHEDOP_poll from a bad address");
}

static void test_watchdog(void)
{
	struct sched_watchdog wd = { .id = 0, .timeout = 60 };

	check_eq(HYPERVISOR_sched_op(SCHEDOP_watchdog, PTR(&wd)), 1, "first watchdog is id 1");
	check_eq(HYPERVISOR_sched_op(SCHEDOP_watchdog, PTR(&wd)), 2, "second watchdog is id 2");
	check_eq(HYPERVISOR_sched_op(SCHEDOP_watchdog, PTR(&wd)), -XEN_ENOSPC,
		 "there are only two watchdogs");
	wd = (struct sched_watchdog){ .id = 1, .timeout = 120 };
	check_eq(HYPERVISOR_sched_op(SCHEDOP_watchdog, PTR(&wd)), 0, "re-arm watchdog 1");
	wd = (struct sched_watchdog){ .id = 1, .timeout = 0 };
	check_eq(HYPERVISOR_sched_op(SCHEDOP_watchdog, PTR(&wd)), 0, "destroy watchdog 1");
	check_eq(HYPERVISOR_sched_op(SCHEDOP_watchdog, PTR(&wd)), -XEN_EINVAL,
		 "destroying it twice");
	wd = (struct sched_watchdog){ .id = 3, .timeout = 0 };
	check_eq(HYPERVISOR_sched_op(SCHEDOP_watchdog, PTR(&wd)), -XEN_EINVAL, "watchdog id 3");
	wd = (struct sched_watchdog){ .id = 2, .timeout = 0 };
	check_eq(HYPERVISOR_sched_op(SCHEDOP_watchdog, PTR(&wd)), 0, "destroy watchdog 2");
	check_eq(HYPERVISOR_sched_op(SCHEDOP_watchdog, UNMAPPED_VA), -XEN_EFAULT,
		 "SCHEDOP_watchdog from a bad address");
}

static void test_privileged_and_errors(void)
{
	struct sched_remote_shutdown rs = { .domain_id = own_domid(), .reason = SHUTDOWN_poweroff };
	struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };
	int32_t pcpu = 0;

	check_eq(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, PTR(&rs)), -XEN_EPERM,
		 "SCHEDOP_remote_shutdown needs device-model privilege, even for ourselves");
	rs.domain_id = NO_SUCH_DOMAIN;
	check_eq(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, PTR(&rs)), -XEN_ESRCH,
		 "SCHEDOP_remote_shutdown of a domain that does not exist");
	check_eq(HYPERVISOR_sched_op(SCHEDOP_pin_override, PTR(&pcpu)), -XEN_EPERM,
		 "SCHEDOP_pin_override is for the hardware domain");
	check_eq(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, PTR(&sd)), 0,
		 "SCHEDOP_shutdown_code only records the reason");
	check_eq(HYPERVISOR_sched_op(SCHEDOP_shutdown, UNMAPPED_VA), -XEN_EFAULT,
		 "SCHEDOP_shutdown from a bad address");
	check_eq(HYPERVISOR_sched_op(99, 0), -XEN_ENOSYS, "unknown SCHEDOP");
}

void guest_main(void)
{
	evtchn_port_t ipi, timer;

	if (!check_eq(evtchn_bind_ipi(0, &ipi), 0, "bind an IPI") ||
	    !check_eq(evtchn_bind_virq(VIRQ_TIMER, 0, &timer), 0, "bind VIRQ_TIMER"))
		return;
	timer_stop_periodic();

	test_yield_and_block(ipi, timer);
	test_poll(ipi, timer);
	test_watchdog();
	test_privileged_and_errors();
}
