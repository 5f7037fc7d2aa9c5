/*
 * Event channels without KVM: the port state machine, the 2-level delivery
 * bits, the host ends of channels and the hypercall's argument handling,
 * against Xen's semantics and error codes.
 */
#include "test_monitor_evtchn_harness.h"

#include <xen/sched.h>

static struct domain *d;
static struct vcpu *v0;

static int setup(void **state)
{
	(void)state;
	d = test_domain(2, false);
	v0 = &d->vcpu[0];
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_domain_free(d);
	return 0;
}

static evtchn_port_t bind_ipi(unsigned int vcpu)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };

	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_ipi, &b), 0);
	return b.port;
}

static long send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return evtchn_call(v0, EVTCHNOP_send, &s);
}

static long close_port(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return evtchn_call(v0, EVTCHNOP_close, &c);
}

static long status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
	*st = (struct evtchn_status){ .dom = dom, .port = port };
	return evtchn_call(v0, EVTCHNOP_status, st);
}

static long alloc_unbound(domid_t dom, domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
	long rc = evtchn_call(v0, EVTCHNOP_alloc_unbound, &a);

	*port = a.port;
	return rc;
}

static long bind_interdomain(domid_t dom, evtchn_port_t rport, evtchn_port_t *lport)
{
	struct evtchn_bind_interdomain b = { .remote_dom = dom, .remote_port = rport };
	long rc = evtchn_call(v0, EVTCHNOP_bind_interdomain, &b);

	*lport = b.local_port;
	return rc;
}

static long bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = evtchn_call(v0, EVTCHNOP_bind_virq, &b);

	*port = b.port;
	return rc;
}

/* ---- allocation --------------------------------------------------------------- */

static void test_port_zero_is_reserved(void **state)
{
	struct evtchn_status st;

	(void)state;
	assert_int_equal(status(DOMID_SELF, 0, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	assert_int_equal(close_port(0), -XEN_EINVAL);
	assert_int_equal(send(0), -XEN_EINVAL);
	assert_int_equal(bind_ipi(0), 1);
}

static void test_lowest_free_port_and_bucket_growth(void **state)
{
	struct evtchn_status st;
	evtchn_port_t a = bind_ipi(0), b = bind_ipi(0), c = bind_ipi(0);

	(void)state;
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(c, 3);
	assert_int_equal(close_port(b), 0);
	assert_int_equal(bind_ipi(1), b);	/* the lowest free port again */

	/* Ports of the first bucket exist (closed); beyond it they do not. */
	assert_int_equal(status(DOMID_SELF, 63, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	assert_int_equal(status(DOMID_SELF, 64, &st), -XEN_EINVAL);
	assert_int_equal(close_port(64), -XEN_EINVAL);
	for (evtchn_port_t p = 4; p < 64; p++)
		assert_int_equal(bind_ipi(0), p);
	assert_int_equal(bind_ipi(0), 64);	/* a new bucket */
	assert_int_equal(status(DOMID_SELF, 127, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	assert_int_equal(status(DOMID_SELF, 128, &st), -XEN_EINVAL);
}

static void test_max_ports(void **state)
{
	struct evtchn_bind_ipi b = { .vcpu = 0 };
	unsigned int n = 0;

	(void)state;
	while (evtchn_call(v0, EVTCHNOP_bind_ipi, &b) == 0)
		n++;
	assert_int_equal(n, EVTCHN_MAX_PORT);	/* ports 1 .. 1023 */
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_ipi, &b), -XEN_ENOSPC);
	assert_int_equal(close_port(500), 0);
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_ipi, &b), 0);
	assert_int_equal(b.port, 500);
}

/* ---- delivery -------------------------------------------------------------------- */

static void test_delivery_bits(void **state)
{
	struct vcpu_info *vi = vcpu_info_of(v0);
	evtchn_port_t p = bind_ipi(0);

	(void)state;
	/* Masked events (upcall_mask) do not stop the bits, only the upcall. */
	assert_int_equal(send(p), 0);
	assert_true(pending_bit(d, p));
	assert_true(sel_bit(v0, p));
	assert_int_equal(vi->evtchn_upcall_pending, 1);
	assert_int_equal(kicks[0], 1);

	/* Edge-triggered: more sends while pending change nothing. */
	assert_int_equal(send(p), 0);
	assert_int_equal(kicks[0], 1);

	/* A new port in the same word: the selector is set already, no kick. */
	evtchn_port_t q = bind_ipi(0);
	assert_int_equal(send(q), 0);
	assert_true(pending_bit(d, q));
	assert_int_equal(kicks[0], 1);
	guest_ack_all(v0);

	/* Another vCPU's IPI lands in its own vcpu_info. */
	evtchn_port_t r = bind_ipi(1);
	assert_int_equal(send(r), 0);
	assert_true(sel_bit(&d->vcpu[1], r));
	assert_false(sel_bit(v0, r));
	assert_int_equal(kicks[1], 1);
	assert_int_equal(vcpu_info_of(&d->vcpu[1])->evtchn_upcall_pending, 1);
	assert_int_equal(vi->evtchn_upcall_pending, 0);
}

static void test_mask_and_unmask(void **state)
{
	struct vcpu_info *vi = vcpu_info_of(v0);
	struct evtchn_unmask u;
	evtchn_port_t p = bind_ipi(0);

	(void)state;
	mask_port(d, p);
	assert_int_equal(send(p), 0);
	assert_true(pending_bit(d, p));
	assert_false(sel_bit(v0, p));
	assert_int_equal(vi->evtchn_upcall_pending, 0);
	assert_int_equal(kicks[0], 0);

	u.port = p;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_unmask, &u), 0);
	assert_false((d->shared_info->evtchn_mask[0] >> p) & 1);
	assert_true(sel_bit(v0, p));
	assert_int_equal(vi->evtchn_upcall_pending, 1);
	assert_int_equal(kicks[0], 1);

	/* Unmasking a port with nothing pending raises nothing. */
	guest_ack_all(v0);
	mask_port(d, p);
	assert_int_equal(evtchn_call(v0, EVTCHNOP_unmask, &u), 0);
	assert_int_equal(vi->evtchn_upcall_pending, 0);
	assert_int_equal(kicks[0], 1);

	/* Unmask of a free port in range is fine; out of range is not. */
	u.port = 60;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_unmask, &u), 0);
	u.port = 100000;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_unmask, &u), -XEN_EINVAL);
}

static void test_close_clears_pending(void **state)
{
	evtchn_port_t p = bind_ipi(0);

	(void)state;
	mask_port(d, p);
	send(p);
	assert_true(pending_bit(d, p));
	assert_int_equal(close_port(p), 0);
	assert_false(pending_bit(d, p));
	assert_int_equal(close_port(p), -XEN_EINVAL);
	assert_int_equal(send(p), -XEN_EINVAL);
}

/* ---- VIRQs ------------------------------------------------------------------------ */

static void test_virq_binding(void **state)
{
	struct evtchn_status st;
	evtchn_port_t t0, t1, dbg, x;

	(void)state;
	assert_int_equal(bind_virq(VIRQ_TIMER, 0, &t0), 0);
	assert_int_equal(bind_virq(VIRQ_TIMER, 0, &x), -XEN_EEXIST);
	assert_int_equal(bind_virq(VIRQ_TIMER, 1, &t1), 0);	/* per vCPU */
	assert_int_equal(bind_virq(VIRQ_DEBUG, 0, &dbg), 0);
	assert_int_equal(bind_virq(VIRQ_TIMER, 2, &x), -XEN_ENOENT);
	assert_int_equal(bind_virq(NR_VIRQS, 0, &x), -XEN_EINVAL);
	assert_int_equal(bind_virq(0x80000000u, 0, &x), -XEN_EINVAL);
	assert_int_equal(bind_virq(VIRQ_CONSOLE, 0, &x), -XEN_EBUSY);	/* dom0's */
	assert_int_equal(bind_virq(VIRQ_CONSOLE, 1, &x), -XEN_EINVAL);
	assert_int_equal(bind_virq(VIRQ_ARGO, 1, &x), -XEN_EINVAL);

	assert_int_equal(status(DOMID_SELF, t1, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_virq);
	assert_int_equal(st.u.virq, VIRQ_TIMER);
	assert_int_equal(st.vcpu, 1);

	/* A VIRQ cannot be sent by the guest. */
	assert_int_equal(send(t0), -XEN_EINVAL);

	evtchn_send_virq(d, 1, VIRQ_TIMER);
	assert_true(pending_bit(d, t1));
	assert_false(pending_bit(d, t0));
	assert_int_equal(kicks[1], 1);
	evtchn_send_virq(d, 0, VIRQ_DEBUG);
	assert_true(pending_bit(d, dbg));
	evtchn_send_virq(d, 0, VIRQ_CONSOLE);	/* not bound: nothing */
	evtchn_send_virq(d, 9, VIRQ_TIMER);
	evtchn_send_virq(d, 0, NR_VIRQS);

	/* Closing unbinds: the VIRQ goes nowhere, and can be bound again. */
	guest_ack_all(v0);
	guest_ack_all(&d->vcpu[1]);
	assert_int_equal(close_port(t1), 0);
	evtchn_send_virq(d, 1, VIRQ_TIMER);
	assert_false(pending_bit(d, t1));
	assert_int_equal(bind_virq(VIRQ_TIMER, 1, &x), 0);
	assert_int_equal(x, t1);
}

static void test_bind_vcpu(void **state)
{
	struct evtchn_bind_vcpu b;
	evtchn_port_t timer, u, l, ipi;

	(void)state;
	assert_int_equal(bind_virq(VIRQ_TIMER, 0, &timer), 0);
	ipi = bind_ipi(0);
	assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_SELF, &u), 0);
	assert_int_equal(bind_interdomain(DOMID_SELF, u, &l), 0);
	guest_ack_all(v0);

	b = (struct evtchn_bind_vcpu){ .port = timer, .vcpu = 1 };
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_vcpu, &b), -XEN_EINVAL);
	b.port = ipi;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_vcpu, &b), -XEN_EINVAL);
	b = (struct evtchn_bind_vcpu){ .port = u, .vcpu = 2 };
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_vcpu, &b), -XEN_ENOENT);
	b = (struct evtchn_bind_vcpu){ .port = 100000, .vcpu = 1 };
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_vcpu, &b), -XEN_EINVAL);
	b = (struct evtchn_bind_vcpu){ .port = 50, .vcpu = 1 };	/* free */
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_vcpu, &b), -XEN_EINVAL);

	b = (struct evtchn_bind_vcpu){ .port = u, .vcpu = 1 };
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_vcpu, &b), 0);
	assert_int_equal(send(l), 0);
	assert_true(sel_bit(&d->vcpu[1], u));
	assert_false(sel_bit(v0, u));
	assert_int_equal(kicks[1], 1);
}

/* ---- interdomain ------------------------------------------------------------------- */

static void test_loopback(void **state)
{
	struct evtchn_status st;
	evtchn_port_t u, l, x;

	(void)state;
	assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_SELF, &u), 0);
	assert_int_equal(status(DOMID_SELF, u, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, TEST_DOMID);
	assert_int_equal(send(u), 0);	/* dropped */
	assert_false(pending_bit(d, u));

	assert_int_equal(bind_interdomain(DOMID_SELF, u, &l), 0);
	/* Binding raises the binder's end once: notifications may have been lost. */
	assert_true(pending_bit(d, l));
	assert_false(pending_bit(d, u));
	assert_int_equal(status(TEST_DOMID, l, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, TEST_DOMID);
	assert_int_equal(st.u.interdomain.port, u);
	assert_int_equal(status(DOMID_SELF, u, &st), 0);
	assert_int_equal(st.u.interdomain.port, l);
	guest_ack_all(v0);

	assert_int_equal(send(l), 0);
	assert_true(pending_bit(d, u));
	assert_false(pending_bit(d, l));
	assert_int_equal(send(u), 0);
	assert_true(pending_bit(d, l));

	assert_int_equal(bind_interdomain(DOMID_SELF, u, &x), -XEN_EINVAL);
	assert_int_equal(close_port(l), 0);
	assert_int_equal(status(DOMID_SELF, u, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, TEST_DOMID);
	assert_int_equal(bind_interdomain(DOMID_SELF, u, &x), 0);	/* again */
	assert_int_equal(close_port(u), 0);
	assert_int_equal(status(DOMID_SELF, x, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
}

static void test_interdomain_errors(void **state)
{
	struct evtchn_status st;
	evtchn_port_t u, x;

	(void)state;
	assert_int_equal(alloc_unbound(DOMID_SELF, 5, &u), 0);	/* for domain 5 */
	assert_int_equal(status(DOMID_SELF, u, &st), 0);
	assert_int_equal(st.u.unbound.dom, 5);
	assert_int_equal(bind_interdomain(DOMID_SELF, u, &x), -XEN_EINVAL);
	assert_int_equal(bind_interdomain(DOMID_SELF, 100000, &x), -XEN_EINVAL);
	assert_int_equal(bind_interdomain(0x7000, 1, &x), -XEN_ESRCH);
	assert_int_equal(bind_interdomain(0, 77, &x), -XEN_EINVAL);	/* no such host port */

	assert_int_equal(alloc_unbound(0x7000, DOMID_SELF, &x), -XEN_ESRCH);
	assert_int_equal(alloc_unbound(0, DOMID_SELF, &x), -XEN_EPERM);
	assert_int_equal(status(0x7000, 1, &st), -XEN_ESRCH);
	assert_int_equal(status(0, 1, &st), -XEN_EPERM);
}

/* ---- the host side ------------------------------------------------------------------ */

static unsigned int notified[2];

static void on_notify(void *arg)
{
	notified[*(int *)arg]++;
}

static void test_host_channel(void **state)
{
	static int which0 = 0, which1 = 1;
	struct evtchn_status st;
	evtchn_port_t p, q, x;

	(void)state;
	memset(notified, 0, sizeof(notified));
	assert_int_equal(evtchn_alloc_host(d, &p, NULL, NULL), 0);
	assert_int_equal(evtchn_alloc_host(d, &q, on_notify, &which1), 0);
	assert_int_equal(p, 1);
	assert_int_equal(q, 2);
	assert_int_equal(status(DOMID_SELF, p, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, 0);
	uint32_t host_port = st.u.interdomain.port;
	assert_true(host_port != 0);

	/* The guest's send runs the host side's handler (none yet on p). */
	assert_int_equal(send(p), 0);
	assert_int_equal(send(q), 0);
	assert_int_equal(notified[1], 1);
	assert_int_equal(evtchn_host_bind(d, p, on_notify, &which0), 0);
	assert_int_equal(send(p), 0);
	assert_int_equal(notified[0], 1);
	assert_int_equal(evtchn_host_bind(d, 100000, on_notify, &which0), -XEN_EINVAL);
	assert_int_equal(evtchn_host_bind(d, 50, on_notify, &which0), -XEN_EINVAL);

	/* The host raises the guest's end. */
	evtchn_host_notify(d, p);
	assert_true(pending_bit(d, p));
	assert_int_equal(kicks[0], 1);
	evtchn_host_notify(d, 100000);	/* ignored */
	guest_ack_all(v0);

	/* The guest closes its end: the host end waits, unbound; rebinding it
	 * (as a kexec'd kernel would) connects the same handler again. */
	assert_int_equal(close_port(p), 0);
	evtchn_host_notify(d, p);
	assert_false(pending_bit(d, p));
	assert_int_equal(bind_interdomain(0, host_port, &x), 0);
	assert_int_equal(x, p);
	assert_int_equal(send(x), 0);
	assert_int_equal(notified[0], 2);
	assert_int_equal(bind_interdomain(0, host_port, &x), -XEN_EINVAL);	/* bound */

	/* The host closes its end: the guest's becomes unbound for domain 0. */
	assert_int_equal(evtchn_host_unbind(d, q), 0);
	assert_int_equal(status(DOMID_SELF, q, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 0);
	assert_int_equal(send(q), 0);
	assert_int_equal(notified[1], 1);
	assert_int_equal(evtchn_host_unbind(d, q), -XEN_EINVAL);
}

static void test_host_binds_frontend_port(void **state)
{
	static int which = 0;
	struct evtchn_status st;
	evtchn_port_t fe, other;

	(void)state;
	memset(notified, 0, sizeof(notified));
	/* A frontend allocates a port for the backend in domain 0 ... */
	assert_int_equal(alloc_unbound(DOMID_SELF, 0, &fe), 0);
	assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_SELF, &other), 0);
	assert_int_equal(evtchn_host_bind(d, other, on_notify, &which), -XEN_EINVAL);
	/* ... the backend binds it, and is notified once for what it missed. */
	assert_int_equal(evtchn_host_bind(d, fe, on_notify, &which), 0);
	assert_int_equal(notified[0], 1);
	assert_int_equal(status(DOMID_SELF, fe, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, 0);
	assert_int_equal(send(fe), 0);
	assert_int_equal(notified[0], 2);
	evtchn_host_notify(d, fe);
	assert_true(pending_bit(d, fe));

	/* The guest closes first; the backend's unbind still frees its end. */
	assert_int_equal(close_port(fe), 0);
	assert_int_equal(evtchn_host_unbind(d, fe), 0);
	assert_int_equal(evtchn_host_unbind(d, fe), -XEN_EINVAL);
}

static void test_host_ports_run_out(void **state)
{
	evtchn_port_t p;
	unsigned int n = 0;

	(void)state;
	while (evtchn_alloc_host(d, &p, NULL, NULL) == 0)
		n++;
	assert_int_equal(n, EVTCHN_NR_HOST_PORTS - 1);
	assert_int_equal(evtchn_alloc_host(d, &p, NULL, NULL), -XEN_ENOSPC);
}

/* ---- other commands ------------------------------------------------------------------- */

static void test_pirq_reset_fifo(void **state)
{
	struct evtchn_bind_pirq bp = { .pirq = 3 };
	struct evtchn_reset r = { .dom = DOMID_SELF };
	struct evtchn_init_control ic = { 0 };
	struct evtchn_expand_array ea = { 0 };
	struct evtchn_set_priority sp = { .port = 1, .priority = 1 };
	struct evtchn_status st;
	evtchn_port_t timer, host, u, l;

	(void)state;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_pirq, &bp), -XEN_EPERM);
	bp.pirq = 1000;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_pirq, &bp), -XEN_EINVAL);

	assert_int_equal(evtchn_call(v0, EVTCHNOP_init_control, &ic), -XEN_EOPNOTSUPP);
	assert_int_equal(evtchn_call(v0, EVTCHNOP_expand_array, &ea), -XEN_EOPNOTSUPP);
	assert_int_equal(evtchn_call(v0, EVTCHNOP_set_priority, &sp), -XEN_ENOSYS);
	sp.port = 100000;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_set_priority, &sp), -XEN_EINVAL);

	assert_int_equal(evtchn_alloc_host(d, &host, NULL, NULL), 0);
	assert_int_equal(bind_virq(VIRQ_TIMER, 0, &timer), 0);
	assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_SELF, &u), 0);
	assert_int_equal(bind_interdomain(DOMID_SELF, u, &l), 0);
	r.dom = 0;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_reset, &r), -XEN_EPERM);
	r.dom = 0x7000;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_reset, &r), -XEN_ESRCH);
	r.dom = DOMID_SELF;
	assert_int_equal(evtchn_call(v0, 14 /* reset_cont */, &r), -XEN_EBUSY);
	assert_int_equal(evtchn_call(v0, EVTCHNOP_reset, &r), 0);
	for (evtchn_port_t p = 0; p < 64; p++) {
		assert_int_equal(status(DOMID_SELF, p, &st), 0);
		assert_int_equal(st.status, EVTCHNSTAT_closed);
	}
	evtchn_send_virq(d, 0, VIRQ_TIMER);
	assert_false(pending_bit(d, timer));
	assert_int_equal(bind_virq(VIRQ_TIMER, 0, &timer), 0);	/* free again */
}

static void test_guest_memory_faults(void **state)
{
	uint64_t bad[5] = { EVTCHNOP_send, BAD_GVA };
	struct evtchn_bind_ipi b = { .vcpu = 0 };
	struct evtchn_op op = { .cmd = EVTCHNOP_bind_ipi, .u.bind_ipi.vcpu = 1 };
	uint64_t compat[5] = { gva_of(&op) };

	(void)state;
	assert_int_equal(do_event_channel_op(v0, bad), -XEN_EFAULT);
	bad[0] = EVTCHNOP_status;
	assert_int_equal(do_event_channel_op(v0, bad), -XEN_EFAULT);
	bad[0] = 99;
	assert_int_equal(do_event_channel_op(v0, bad), -XEN_ENOSYS);
	bad[0] = (uint64_t)-1;
	assert_int_equal(do_event_channel_op(v0, bad), -XEN_ENOSYS);
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_ipi, &b), 0);

	/* The old single-pointer form. */
	assert_int_equal(do_event_channel_op_compat(v0, compat), 0);
	assert_int_equal(op.u.bind_ipi.port, b.port + 1);
	op = (struct evtchn_op){ .cmd = EVTCHNOP_close, .u.close.port = b.port };
	assert_int_equal(do_event_channel_op_compat(v0, compat), 0);
	assert_int_equal(close_port(b.port), -XEN_EINVAL);
	op.cmd = EVTCHNOP_reset;	/* not in the old interface */
	assert_int_equal(do_event_channel_op_compat(v0, compat), -XEN_ENOSYS);
	compat[0] = BAD_GVA;
	assert_int_equal(do_event_channel_op_compat(v0, compat), -XEN_EFAULT);
}

static void test_dying_domain_allocates_nothing(void **state)
{
	struct evtchn_bind_ipi b = { .vcpu = 0 };

	(void)state;
	d->dying = true;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_ipi, &b), -XEN_EINVAL);
	d->dying = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_port_zero_is_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lowest_free_port_and_bucket_growth, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_max_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mask_and_unmask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_clears_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virq_binding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_vcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interdomain_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_channel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_binds_frontend_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_ports_run_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pirq_reset_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_memory_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dying_domain_allocates_nothing, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
