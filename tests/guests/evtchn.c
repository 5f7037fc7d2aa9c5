/*
 * Event channels (2-level ABI): every EVTCHNOP a PV domU uses, the pending,
 * mask and selector bits in shared_info/vcpu_info, upcall delivery, and
 * SCHEDOP_block woken by an event.
 */
#include "events.h"
#include "guest.h"
#include "hypercall.h"

const char test_title[] = "event channels";

#define UNMAPPED_VA 0x1000UL
#define NO_SUCH_DOMAIN 0x7000
#define BAD_PORT 100000
#define WAIT_NS 2000000000UL /* 2 s: only a failing run waits this long */

static domid_t self;

static bool sel_bit(evtchn_port_t port)
{
	return (vcpu0_info->evtchn_pending_sel >> (port / 64)) & 1;
}

static void test_ipi_and_masks(void)
{
	struct evtchn_status st;
	evtchn_port_t p;
	uint32_t before;

	if (!check_eq(evtchn_bind_ipi(0, &p), 0, "EVTCHNOP_bind_ipi"))
		return;
	check(p != 0, "port 0 is never handed out (got %u)", p);
	check_eq(evtchn_status(DOMID_SELF, p, &st), 0, "EVTCHNOP_status of the IPI port");
	check_eq(st.status, EVTCHNSTAT_ipi, "status: ipi");
	check_eq(st.vcpu, 0, "status: notifies vCPU 0");

	/* Events masked: send marks pending, selector and upcall_pending, no upcall. */
	events_disable();
	before = event_count[p];
	check_eq(evtchn_send(p), 0, "EVTCHNOP_send to the IPI port");
	check(port_pending(p), "send set the pending bit");
	check(sel_bit(p), "and the selector bit in vcpu_info");
	check_eq(vcpu0_info->evtchn_upcall_pending, 1, "and evtchn_upcall_pending");
	check_eq(event_count[p], before, "no upcall while events are masked");
	events_enable();
	check_eq(event_count[p], before + 1, "unmasking events delivers the upcall");
	check(!port_pending(p), "the handler cleared the pending bit");

	/* Edge semantics: two sends while masked give one event. */
	events_disable();
	before = event_count[p];
	evtchn_send(p);
	evtchn_send(p);
	events_enable();
	check_eq(event_count[p], before + 1, "two sends while masked give one event");

	/* A masked port: pending is set, nothing else, until EVTCHNOP_unmask. */
	port_mask(p);
	vcpu0_info->evtchn_upcall_pending = 0;
	before = event_count[p];
	evtchn_send(p);
	check(port_pending(p), "send to a masked port sets pending");
	check_eq(vcpu0_info->evtchn_upcall_pending, 0, "but not evtchn_upcall_pending");
	check_eq(event_count[p], before, "and no upcall");
	check_eq(evtchn_unmask(p), 0, "EVTCHNOP_unmask");
	check(!port_masked(p), "unmask cleared the mask bit");
	check_eq(event_count[p], before + 1, "unmasking a pending port delivers it");

	/* An event while events are enabled arrives on the hypercall's return. */
	before = event_count[p];
	evtchn_send(p);
	check_eq(event_count[p], before + 1, "send with events enabled: upcall at once");
	events_disable();

	check_eq(evtchn_close(p), 0, "EVTCHNOP_close");
	evtchn_status(DOMID_SELF, p, &st);
	check_eq(st.status, EVTCHNSTAT_closed, "closed port reports closed");
	check_eq(evtchn_send(p), -XEN_EINVAL, "send on a closed port");
	check_eq(evtchn_close(p), -XEN_EINVAL, "closing a closed port");
}

/* A channel from the domain to itself through alloc_unbound + bind_interdomain. */
static void test_loopback(void)
{
	struct evtchn_status st;
	evtchn_port_t u, l;
	uint32_t before;

	if (!check_eq(evtchn_alloc_unbound(DOMID_SELF, &u), 0, "EVTCHNOP_alloc_unbound"))
		return;
	evtchn_status(DOMID_SELF, u, &st);
	check_eq(st.status, EVTCHNSTAT_unbound, "status: unbound");
	self = st.u.unbound.dom;
	check(self != DOMID_SELF && self < DOMID_FIRST_RESERVED,
	      "DOMID_SELF was resolved to our domid (%u)", self);
	check_eq(evtchn_send(u), 0, "send on an unbound port is dropped silently");
	check(!port_pending(u), "and sets nothing");

	if (!check_eq(evtchn_bind_interdomain(DOMID_SELF, u, &l), 0, "EVTCHNOP_bind_interdomain"))
		return;
	evtchn_status(DOMID_SELF, l, &st);
	check_eq(st.status, EVTCHNSTAT_interdomain, "status: interdomain");
	check_eq(st.u.interdomain.port, u, "status names the remote port");
	check_eq(st.u.interdomain.dom, self, "and the remote domain");
	evtchn_status(DOMID_SELF, u, &st);
	check_eq(st.status, EVTCHNSTAT_interdomain, "the other end is interdomain too");
	check_eq(st.u.interdomain.port, l, "and names our local port");

	before = event_count[u];
	evtchn_send(l);
	check(wait_for_event(u, before, WAIT_NS), "send on one end raises the other");
	before = event_count[l];
	evtchn_send(u);
	check(wait_for_event(l, before, WAIT_NS), "and the other way round");

	check_eq(evtchn_bind_interdomain(DOMID_SELF, u, &l), -XEN_EINVAL,
		 "binding to a port that is not unbound");
	check_eq(evtchn_close(l), 0, "close one end");
	evtchn_status(DOMID_SELF, u, &st);
	check_eq(st.status, EVTCHNSTAT_unbound, "the other end is unbound again");
	check_eq(st.u.unbound.dom, self, "still for the same domain");
	check_eq(evtchn_close(u), 0, "close the other end");
	check_eq(evtchn_bind_interdomain(DOMID_SELF, u, &l), -XEN_EINVAL,
		 "binding to a closed port");
	check_eq(evtchn_bind_interdomain(NO_SUCH_DOMAIN, 1, &l), -XEN_ESRCH,
		 "binding to a domain that does not exist");
}

static void test_virqs(void)
{
	struct evtchn_status st;
	struct evtchn_bind_vcpu bv;
	evtchn_port_t t, d, x;
	uint32_t before;

	if (!check_eq(evtchn_bind_virq(VIRQ_TIMER, 0, &t), 0, "bind VIRQ_TIMER"))
		return;
	evtchn_status(DOMID_SELF, t, &st);
	check_eq(st.status, EVTCHNSTAT_virq, "status: virq");
	check_eq(st.u.virq, VIRQ_TIMER, "status: VIRQ_TIMER");
	check_eq(evtchn_bind_virq(VIRQ_TIMER, 0, &x), -XEN_EEXIST, "binding VIRQ_TIMER twice");
	check_eq(evtchn_bind_virq(VIRQ_DEBUG, 0, &d), 0, "bind VIRQ_DEBUG");
	check_eq(evtchn_bind_virq(VIRQ_CONSOLE, 0, &x), -XEN_EBUSY,
		 "VIRQ_CONSOLE belongs to the control domain");
	check_eq(evtchn_bind_virq(VIRQ_CONSOLE, 1, &x), -XEN_EINVAL,
		 "a global VIRQ on a vCPU other than 0");
	check_eq(evtchn_bind_virq(NR_VIRQS, 0, &x), -XEN_EINVAL, "VIRQ number out of range");
	check_eq(evtchn_bind_virq(VIRQ_TIMER, 1, &x), -XEN_ENOENT, "VIRQ on a vCPU that does not exist");

	bv = (struct evtchn_bind_vcpu){ .port = t, .vcpu = 0 };
	check_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, PTR(&bv)), -XEN_EINVAL,
		 "EVTCHNOP_bind_vcpu of a per-vCPU VIRQ");
	bv.vcpu = 3;
	check_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, PTR(&bv)), -XEN_ENOENT,
		 "EVTCHNOP_bind_vcpu to a vCPU that does not exist");

	/* SCHEDOP_block sleeps until the single-shot timer's VIRQ arrives. */
	timer_stop_periodic();
	events_disable();
	before = event_count[t];
	check_eq(timer_singleshot_at(system_time_ns() + 20000000), 0, "arm a 20 ms timer");
	check_eq(HYPERVISOR_sched_op(SCHEDOP_block, 0), 0, "SCHEDOP_block");
	check_eq(event_count[t], before + 1, "block returned with the timer event delivered");
	check_eq(vcpu0_info->evtchn_upcall_mask, 0, "SCHEDOP_block unmasked events");
	events_disable();

	check_eq(evtchn_close(t), 0, "close the VIRQ_TIMER port");
	check_eq(evtchn_close(d), 0, "close the VIRQ_DEBUG port");
	check_eq(evtchn_bind_virq(VIRQ_TIMER, 0, &t), 0, "VIRQ_TIMER can be bound again");
	evtchn_close(t);
}

static void test_compat_and_errors(void)
{
	struct evtchn_op op = { .cmd = EVTCHNOP_bind_ipi, .u.bind_ipi.vcpu = 0 };
	struct evtchn_alloc_unbound au = { .dom = NO_SUCH_DOMAIN, .remote_dom = DOMID_SELF };
	struct evtchn_status st;
	evtchn_port_t x;

	check_eq(hypercall1(__HYPERVISOR_event_channel_op_compat, PTR(&op)), 0,
		 "event_channel_op_compat bind_ipi");
	x = op.u.bind_ipi.port;
	op = (struct evtchn_op){ .cmd = EVTCHNOP_close, .u.close.port = x };
	check_eq(hypercall1(__HYPERVISOR_event_channel_op_compat, PTR(&op)), 0,
		 "event_channel_op_compat close");
	check_eq(hypercall1(__HYPERVISOR_event_channel_op_compat, UNMAPPED_VA), -XEN_EFAULT,
		 "event_channel_op_compat from a bad address");

	check_eq(evtchn_status(DOMID_SELF, 0, &st), 0, "status of port 0");
	check_eq(st.status, EVTCHNSTAT_closed, "port 0 is reserved: closed");
	check_eq(evtchn_close(0), -XEN_EINVAL, "port 0 cannot be closed");
	check_eq(evtchn_send(BAD_PORT), -XEN_EINVAL, "send to a port out of range");
	check_eq(evtchn_close(BAD_PORT), -XEN_EINVAL, "close of a port out of range");
	check_eq(evtchn_unmask(BAD_PORT), -XEN_EINVAL, "unmask of a port out of range");
	check_eq(evtchn_status(DOMID_SELF, BAD_PORT, &st), -XEN_EINVAL, "status of a port out of range");
	check_eq(evtchn_status(NO_SUCH_DOMAIN, 1, &st), -XEN_ESRCH, "status in a domain that does not exist");
	check_eq(evtchn_bind_ipi(3, &x), -XEN_ENOENT, "IPI to a vCPU that does not exist");
	check_eq(HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, PTR(&au)), -XEN_ESRCH,
		 "alloc_unbound in a domain that does not exist");
	check_eq(HYPERVISOR_event_channel_op(EVTCHNOP_send, UNMAPPED_VA), -XEN_EFAULT,
		 "EVTCHNOP_send from a bad address");
	check_eq(HYPERVISOR_event_channel_op(99, PTR(&op)), -XEN_ENOSYS, "unknown EVTCHNOP");
}

void guest_main(void)
{
	test_ipi_and_masks();
	test_loopback();
	test_virqs();
	test_compat_and_errors();
}
