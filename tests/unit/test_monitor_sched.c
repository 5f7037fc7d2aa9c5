/*
 * SCHEDOP_* without KVM: when block and poll sleep and what wakes them,
 * the runstate, shutdown codes, watchdog bookkeeping and the error paths.
 */
#include "test_monitor_evtchn_harness.h"

#include <fcntl.h>

#include <xen/sched.h>

static struct domain *d;
static struct vcpu *v0;

static int group_setup(void **state)
{
	(void)state;
	return ev_init();
}

static int setup(void **state)
{
	(void)state;
	d = test_domain(2, true);
	v0 = &d->vcpu[0];
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_domain_free(d);
	return 0;
}

static long sched_call(struct vcpu *v, int cmd, void *arg)
{
	uint64_t a[5] = { (uint64_t)cmd, gva_of(arg) };

	return do_sched_op(v, a);
}

static evtchn_port_t bind_ipi(unsigned int vcpu)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };

	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_ipi, &b), 0);
	return b.port;
}

static void send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	assert_int_equal(evtchn_call(v0, EVTCHNOP_send, &s), 0);
}

static long poll(const evtchn_port_t *ports, uint32_t nr, uint64_t timeout)
{
	struct sched_poll p = { .ports = gva_of(ports), .nr_ports = nr, .timeout = timeout };

	return sched_call(v0, SCHEDOP_poll, &p);
}

static int runstate_of(struct vcpu *v)
{
	struct vcpu_runstate_info r;

	sched_runstate_get(v, &r, false);
	return r.state;
}

/* ---- block ---------------------------------------------------------------------- */

static void test_block_sleeps_until_an_event(void **state)
{
	evtchn_port_t p = bind_ipi(0);

	(void)state;
	assert_int_equal(vcpu_info_of(v0)->evtchn_upcall_mask, 1);
	assert_int_equal(sched_call(v0, SCHEDOP_block, NULL), 0);
	assert_int_equal(vcpu_info_of(v0)->evtchn_upcall_mask, 0);	/* events enabled */
	assert_true(v0->blocked);
	assert_false(vcpu_event_pending(v0));
	assert_int_equal(runstate_of(v0), RUNSTATE_blocked);

	send(p);	/* as another vCPU or the host would */
	assert_false(v0->blocked);
	assert_true(vcpu_event_pending(v0));
	assert_int_equal(runstate_of(v0), RUNSTATE_running);
}

static void test_block_with_an_event_pending_returns(void **state)
{
	evtchn_port_t p = bind_ipi(0);

	(void)state;
	send(p);	/* pending while events are masked */
	assert_int_equal(sched_call(v0, SCHEDOP_block, NULL), 0);
	assert_false(v0->blocked);
	assert_int_equal(runstate_of(v0), RUNSTATE_running);
}

static void test_masked_port_does_not_wake_a_blocked_vcpu(void **state)
{
	evtchn_port_t p = bind_ipi(0);

	(void)state;
	mask_port(d, p);
	assert_int_equal(sched_call(v0, SCHEDOP_block, NULL), 0);
	send(p);
	assert_true(v0->blocked);
	assert_true(pending_bit(d, p));
	/* The guest's own vCPU 1 unmasking it wakes us. */
	struct evtchn_unmask u = { .port = p };
	uint64_t a[5] = { EVTCHNOP_unmask, gva_of(&u) };
	assert_int_equal(do_event_channel_op(&d->vcpu[1], a), 0);
	assert_false(v0->blocked);
}

static void test_compat_block_and_yield(void **state)
{
	uint64_t a[5] = { SCHEDOP_yield };

	(void)state;
	assert_int_equal(do_sched_op_compat(v0, a), 0);
	a[0] = SCHEDOP_block;
	assert_int_equal(do_sched_op_compat(v0, a), 0);
	assert_true(v0->blocked);
	a[0] = SCHEDOP_poll;
	assert_int_equal(do_sched_op_compat(v0, a), -XEN_ENOSYS);
	assert_int_equal(sched_call(v0, SCHEDOP_yield, NULL), 0);
}

/* ---- poll ------------------------------------------------------------------------------ */

static void test_poll_errors(void **state)
{
	static evtchn_port_t ports[129];
	struct sched_poll p = { .ports = HYPERVISOR_VIRT_START, .nr_ports = 1 };
	evtchn_port_t free_port = 40;

	(void)state;
	assert_int_equal(poll(ports, 129, 0), -XEN_EINVAL);
	assert_int_equal(sched_call(v0, SCHEDOP_poll, &p), -XEN_EFAULT);
	p.ports = BAD_GVA;
	assert_int_equal(sched_call(v0, SCHEDOP_poll, &p), -XEN_EFAULT);
	assert_int_equal(sched_call(v0, SCHEDOP_poll, (void *)BAD_GVA), -XEN_EFAULT);
	assert_int_equal(poll(&free_port, 1, 0), -XEN_EINVAL);
	ports[0] = 100000;
	assert_int_equal(poll(ports, 1, 0), -XEN_EINVAL);
	ports[0] = 0;	/* reserved */
	assert_int_equal(poll(ports, 1, 0), -XEN_EINVAL);
	assert_false(v0->blocked);
}

static void test_poll_pending_port_returns_at_once(void **state)
{
	evtchn_port_t p = bind_ipi(0), q = bind_ipi(0);
	evtchn_port_t ports[2] = { p, q };

	(void)state;
	send(q);
	assert_int_equal(poll(ports, 2, 0), 0);
	assert_false(v0->blocked);
	assert_true(pending_bit(d, q));	/* poll consumes nothing */
}

static void test_poll_on_one_port(void **state)
{
	evtchn_port_t p = bind_ipi(0), other = bind_ipi(0);

	(void)state;
	mask_port(d, p);
	mask_port(d, other);
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_true(v0->blocked);
	assert_int_equal(vcpu_info_of(v0)->evtchn_upcall_mask, 1);	/* unlike block */
	send(other);
	assert_true(v0->blocked);	/* not the port we poll */
	send(p);
	assert_false(v0->blocked);
	assert_int_equal(runstate_of(v0), RUNSTATE_running);
}

static void test_poll_on_several_ports_wakes_on_any(void **state)
{
	evtchn_port_t p = bind_ipi(0), q = bind_ipi(0), other = bind_ipi(0);
	evtchn_port_t ports[2] = { p, q };

	(void)state;
	mask_port(d, p);
	mask_port(d, q);
	mask_port(d, other);
	assert_int_equal(poll(ports, 2, 0), 0);
	assert_true(v0->blocked);
	send(other);	/* Xen wakes a multi-port poller on any port */
	assert_false(v0->blocked);
}

static void test_poll_woken_by_an_upcall(void **state)
{
	evtchn_port_t p = bind_ipi(0), other = bind_ipi(0);

	(void)state;
	mask_port(d, p);
	assert_int_equal(poll(&p, 1, 0), 0);
	send(other);	/* unmasked: raises the upcall, which kicks the vCPU awake */
	assert_false(v0->blocked);
	assert_int_equal(kicks[0], 1);
}

static void test_poll_wake_condition(void **state)
{
	evtchn_port_t p = bind_ipi(0);
	struct vcpu_info *vi = vcpu_info_of(v0);

	(void)state;
	mask_port(d, p);
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_false(vcpu_event_pending(v0));
	/* The guest sets a pending bit itself (as a resend does). */
	d->shared_info->evtchn_pending[0] |= 1ULL << p;
	assert_true(vcpu_event_pending(v0));
	d->shared_info->evtchn_pending[0] &= ~(1ULL << p);
	assert_false(vcpu_event_pending(v0));
	/* An upcall pending counts only with events enabled. */
	vi->evtchn_upcall_pending = 1;
	assert_false(vcpu_event_pending(v0));
	vi->evtchn_upcall_mask = 0;
	assert_true(vcpu_event_pending(v0));
}

static void test_poll_with_events_enabled_and_pending(void **state)
{
	evtchn_port_t p = bind_ipi(0), other = bind_ipi(0);

	(void)state;
	send(other);
	vcpu_info_of(v0)->evtchn_upcall_mask = 0;
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_false(v0->blocked);
}

/* ---- shutdown, watchdog, privileged --------------------------------------------------- */

static void test_shutdown_and_code(void **state)
{
	struct sched_shutdown s = { .reason = SHUTDOWN_reboot };
	uint64_t compat[5] = { SCHEDOP_shutdown, SHUTDOWN_crash };

	(void)state;
	assert_int_equal(sched_call(v0, SCHEDOP_shutdown, (void *)BAD_GVA), -XEN_EFAULT);
	assert_int_equal(sched_call(v0, SCHEDOP_shutdown_code, (void *)BAD_GVA), -XEN_EFAULT);
	assert_int_equal(shutdowns, 0);
	assert_int_equal(sched_call(v0, SCHEDOP_shutdown_code, &s), 0);
	assert_int_equal(shutdowns, 0);	/* only recorded */
	s.reason = SHUTDOWN_poweroff;
	assert_int_equal(sched_call(v0, SCHEDOP_shutdown_code, &s), 0);	/* first wins */
	assert_int_equal(do_sched_op_compat(v0, compat), 0);
	assert_int_equal(shutdowns, 1);
	assert_int_equal(shutdown_reason, SHUTDOWN_reboot);
}

static void test_shutdown_reasons(void **state)
{
	struct sched_shutdown s = { .reason = 0x104 };	/* Xen keeps the low byte */

	(void)state;
	assert_int_equal(sched_call(v0, SCHEDOP_shutdown, &s), 0);
	assert_int_equal(shutdown_reason, 4);
}

static void test_watchdog_ids(void **state)
{
	struct sched_watchdog w = { .id = 0, .timeout = 60 };

	(void)state;
	assert_int_equal(sched_call(v0, SCHEDOP_watchdog, &w), 1);
	assert_int_equal(sched_call(v0, SCHEDOP_watchdog, &w), 2);
	assert_int_equal(sched_call(v0, SCHEDOP_watchdog, &w), -XEN_ENOSPC);
	w = (struct sched_watchdog){ .id = 2, .timeout = 120 };
	assert_int_equal(sched_call(v0, SCHEDOP_watchdog, &w), 0);
	w.timeout = 0;
	assert_int_equal(sched_call(v0, SCHEDOP_watchdog, &w), 0);
	assert_int_equal(sched_call(v0, SCHEDOP_watchdog, &w), -XEN_EINVAL);
	w = (struct sched_watchdog){ .id = 3, .timeout = 0 };
	assert_int_equal(sched_call(v0, SCHEDOP_watchdog, &w), -XEN_EINVAL);
	w = (struct sched_watchdog){ .id = 0, .timeout = 60 };
	assert_int_equal(sched_call(v0, SCHEDOP_watchdog, &w), 2);	/* slot 2 is free again */
	assert_int_equal(sched_call(v0, SCHEDOP_watchdog, (void *)BAD_GVA), -XEN_EFAULT);
	assert_int_equal(shutdowns, 0);
}

static void test_privileged_and_unknown(void **state)
{
	struct sched_remote_shutdown r = { .domain_id = TEST_DOMID, .reason = 0 };
	int32_t pcpu = 0;

	(void)state;
	assert_int_equal(sched_call(v0, SCHEDOP_remote_shutdown, &r), -XEN_EPERM);
	r.domain_id = 0;
	assert_int_equal(sched_call(v0, SCHEDOP_remote_shutdown, &r), -XEN_EPERM);
	r.domain_id = 0x7000;
	assert_int_equal(sched_call(v0, SCHEDOP_remote_shutdown, &r), -XEN_ESRCH);
	r.domain_id = DOMID_SELF;
	assert_int_equal(sched_call(v0, SCHEDOP_remote_shutdown, &r), -XEN_ESRCH);
	assert_int_equal(sched_call(v0, SCHEDOP_remote_shutdown, (void *)BAD_GVA), -XEN_EFAULT);
	assert_int_equal(sched_call(v0, SCHEDOP_pin_override, &pcpu), -XEN_EPERM);
	assert_int_equal(sched_call(v0, 99, NULL), -XEN_ENOSYS);
	assert_int_equal(shutdowns, 0);
}

/* ---- runstate ---------------------------------------------------------------------------- */

static void test_runstate_accounting(void **state)
{
	struct vcpu_runstate_info r0, r1;
	evtchn_port_t p = bind_ipi(0);
	struct timespec ms = { .tv_nsec = 1000000 };

	(void)state;
	assert_int_equal(runstate_of(v0), RUNSTATE_running);
	assert_int_equal(runstate_of(&d->vcpu[1]), RUNSTATE_offline);
	sched_runstate_get(v0, &r0, true);
	nanosleep(&ms, NULL);
	assert_int_equal(sched_call(v0, SCHEDOP_block, NULL), 0);
	nanosleep(&ms, NULL);
	send(p);
	sched_runstate_get(v0, &r1, true);
	assert_int_equal(r1.state, RUNSTATE_running);
	assert_true(r1.time[RUNSTATE_running] > r0.time[RUNSTATE_running]);
	assert_true(r1.time[RUNSTATE_blocked] > r0.time[RUNSTATE_blocked]);
	assert_true(r1.state_entry_time > r0.state_entry_time);
	assert_true((int64_t)r1.state_entry_time <= domain_system_time(d));
	uint64_t sum0 = 0, sum1 = 0;
	for (int i = 0; i < 4; i++) {
		sum0 += r0.time[i];
		sum1 += r1.time[i];
	}
	assert_true(sum1 > sum0);
}

static void test_runstate_areas(void **state)
{
	static struct vcpu_runstate_info va;
	struct vcpu_runstate_info *phys = (struct vcpu_runstate_info *)(d->ram + 2 * PAGE_SIZE);
	evtchn_port_t p = bind_ipi(0);

	(void)state;
	memset(&va, 0xff, sizeof(va));
	v0->runstate_gva = gva_of(&va);
	sched_set_runstate_area(v0, v0, phys);
	assert_int_equal(phys->state, RUNSTATE_running);

	assert_int_equal(sched_call(v0, SCHEDOP_block, NULL), 0);
	assert_int_equal(va.state, RUNSTATE_blocked);	/* written on our own thread */
	assert_int_equal(phys->state, RUNSTATE_blocked);
	send(p);	/* woken from "another thread" */
	assert_int_equal(phys->state, RUNSTATE_running);
	assert_int_equal(va.state, RUNSTATE_blocked);	/* not through our page tables */
	sched_vcpu_running(v0);
	assert_int_equal(va.state, RUNSTATE_running);
	assert_false(va.state_entry_time & XEN_RUNSTATE_UPDATE);
	assert_false(phys->state_entry_time & XEN_RUNSTATE_UPDATE);
	assert_int_equal(va.state_entry_time, phys->state_entry_time);

	/* With VMASST_TYPE_runstate_update_flag the result is the same. */
	d->vm_assist |= 1ULL << VMASST_TYPE_runstate_update_flag;
	guest_ack_all(v0);
	assert_int_equal(sched_call(v0, SCHEDOP_block, NULL), 0);
	assert_int_equal(va.state, RUNSTATE_blocked);
	assert_false(va.state_entry_time & XEN_RUNSTATE_UPDATE);
}

static void test_run_loop_ends_a_wait_itself(void **state)
{
	(void)state;
	assert_int_equal(sched_call(v0, SCHEDOP_block, NULL), 0);
	assert_int_equal(v0->timer_deadline[TIMER_PERIODIC], 0);
	/* What vcpu.c's wait does when vcpu_event_pending() turns true. */
	pthread_mutex_lock(&v0->lock);
	v0->blocked = false;
	pthread_mutex_unlock(&v0->lock);
	assert_int_equal(runstate_of(v0), RUNSTATE_blocked);
	sched_vcpu_running(v0);
	assert_int_equal(runstate_of(v0), RUNSTATE_running);
	assert_true(v0->timer_deadline[TIMER_PERIODIC] != 0);
	sched_vcpu_running(v0);	/* nothing to do */
	assert_int_equal(runstate_of(v0), RUNSTATE_running);
}

/* The lifecycle rebuilds a domain in the same struct domain (restart). */
static void test_rebuild_releases_the_old_state(void **state)
{
	int fds[3] = { evtchn_vcpu_of(v0)->time.timer_fd[TIMER_PERIODIC],
		       evtchn_vcpu_of(v0)->time.poll_fd, d->evtchn->sched.watchdog_fd[1] };

	(void)state;
	v0->runstate_gva = 0x12345000;
	v0->timer_deadline[TIMER_SINGLESHOT] = 77;
	for (int i = 0; i < 3; i++)
		assert_true(fcntl(fds[i], F_GETFD) >= 0);
	assert_int_equal(evtchn_init(d), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(fcntl(fds[i], F_GETFD), -1);
	assert_int_equal(v0->runstate_gva, 0);
	assert_int_equal(v0->timer_deadline[TIMER_SINGLESHOT], 0);
	assert_int_equal(time_init(d), 0);
	assert_int_equal(bind_ipi(0), 1);	/* a fresh port table */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_block_sleeps_until_an_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_with_an_event_pending_returns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_masked_port_does_not_wake_a_blocked_vcpu,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_compat_block_and_yield, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_pending_port_returns_at_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_poll_on_one_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_on_several_ports_wakes_on_any, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_poll_woken_by_an_upcall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_wake_condition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_with_events_enabled_and_pending, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_and_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privileged_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runstate_accounting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runstate_areas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_loop_ends_a_wait_itself, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_releases_the_old_state, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
