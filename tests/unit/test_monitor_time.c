/*
 * Time without KVM: Xen's TSC scaling, records that never disagree, the
 * wallclock, and the timers (single-shot, periodic, poll timeout, watchdog)
 * firing through the monitor's event loop. Waits for a timer are bounded
 * generously; no duration is asserted.
 */
#include "test_monitor_evtchn_harness.h"

#include <pthread.h>

#include <xen/sched.h>
#include <xen/vcpu.h>

#define WAIT_LIMIT_MS 5000

static struct domain *d;
static struct vcpu *v0, *v1;
static evtchn_port_t timer0, timer1;
static pthread_t loop;

static void *run_loop(void *arg)
{
	(void)arg;
	ev_run();
	return NULL;
}

static evtchn_port_t bind_timer(unsigned int vcpu)
{
	struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = vcpu };

	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_virq, &b), 0);
	return b.port;
}

/* One domain for the group: the event loop runs on its own thread from
 * after the domain's timers are registered until before they go. */
static int group_setup(void **state)
{
	(void)state;
	if (ev_init() < 0)
		return -1;
	d = test_domain(2, true);
	v0 = &d->vcpu[0];
	v1 = &d->vcpu[1];	/* offline: no periodic ticks, handy for single-shots */
	timer0 = bind_timer(0);
	timer1 = bind_timer(1);
	mask_port(d, timer0);
	mask_port(d, timer1);
	return pthread_create(&loop, NULL, run_loop, NULL);
}

static int group_teardown(void **state)
{
	(void)state;
	ev_stop();
	pthread_join(loop, NULL);
	test_domain_free(d);
	return 0;
}

static void clear_pending(evtchn_port_t port)
{
	__atomic_fetch_and(&d->shared_info->evtchn_pending[port / 64], ~(1ULL << (port % 64)),
			   __ATOMIC_SEQ_CST);
}

static void sleep_ms(long ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&t, NULL);
}

static bool wait_pending(evtchn_port_t port)
{
	for (int i = 0; i < WAIT_LIMIT_MS; i++) {
		if (__atomic_load_n(&d->shared_info->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) &
		    (1ULL << (port % 64)))
			return true;
		sleep_ms(1);
	}
	return false;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* What a guest computes from a vcpu_time_info at TSC value tsc. */
static uint64_t guest_time(const struct vcpu_time_info *t, uint64_t tsc)
{
	return t->system_time +
	       time_scale_delta(tsc - t->tsc_timestamp, t->tsc_to_system_mul, t->tsc_shift);
}

/* ---- scaling ----------------------------------------------------------------------- */

static const uint64_t freqs_khz[] = { 1000,    10000,	100000,	 999999,  1000000,
				       1000001, 2100000, 2999999, 3000000, 3600123,
				       4000000, 5200000, 7999999 };
#define NR_FREQS (sizeof(freqs_khz) / sizeof(freqs_khz[0]))

static void test_scale_matches_the_frequency(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR_FREQS; i++) {
		uint64_t hz = freqs_khz[i] * 1000;
		uint32_t mul;
		int8_t shift;

		time_scale_from_khz(freqs_khz[i], &mul, &shift);
		assert_true(mul >= 0x80000000u);	/* full 32-bit precision */
		/* One second of ticks is one second, to a few ns. */
		int64_t one = (int64_t)time_scale_delta(hz, mul, shift);
		assert_true(one > 1000000000 - 4 && one <= 1000000000);
		/* An hour: within a few microseconds (mul is exact to 2^-31). */
		int64_t hour = (int64_t)time_scale_delta(hz * 3600, mul, shift);
		assert_true(hour > 3600000000000 - 4000 && hour <= 3600000000000);
	}
}

static void test_scale_known_values(void **state)
{
	uint32_t mul;
	int8_t shift;

	(void)state;
	/* 1 GHz: 1 ns per tick, as (ticks << 1) * 2^31 >> 32. */
	time_scale_from_khz(1000000, &mul, &shift);
	assert_int_equal(shift, 1);
	assert_int_equal(mul, 0x80000000u);
	/* 3 GHz: ticks >> 1, times 2/3. */
	time_scale_from_khz(3000000, &mul, &shift);
	assert_int_equal(shift, -1);
	assert_int_equal(mul, 0xaaaaaaaau);
	assert_int_equal(time_scale_delta(3, mul, shift), 0);	/* the shift drops a tick */
	assert_int_equal(time_scale_delta(30, mul, shift), 9);
}

static void test_quantum_is_exact(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (size_t i = 0; i < NR_FREQS; i++) {
		uint32_t mul;
		int8_t shift;

		time_scale_from_khz(freqs_khz[i], &mul, &shift);
		uint64_t q = time_scale_quantum(mul, shift);
		uint64_t qns = time_scale_delta(q, mul, shift);
		assert_true(q >= 1 && (q & (q - 1)) == 0);
		for (int k = 1; k < 2000; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			uint64_t delta = x % (q * 4);	/* any tick count past a boundary */
			uint64_t base = (uint64_t)k * q;
			assert_int_equal(time_scale_delta(base + delta, mul, shift),
					 k * qns + time_scale_delta(delta, mul, shift));
		}
	}
}

/* ---- what the guest reads ---------------------------------------------------------------- */

static void test_records_agree(void **state)
{
	struct vcpu_time_info first = time_record(d), later;
	const struct time_domain *td = &d->evtchn->time;

	(void)state;
	assert_int_equal(first.flags, XEN_PVCLOCK_TSC_STABLE_BIT);
	assert_int_equal(first.tsc_to_system_mul, d->tsc_mul);
	assert_int_equal(first.tsc_shift, d->tsc_shift);
	assert_true(first.system_time > 0);
	/* Move past a quantum boundary, then compare both records at many TSCs:
	 * whichever the guest reads, it gets the same time as from the origin. */
	uint64_t target = first.tsc_timestamp + td->quantum + 1;
	while (rdtsc() < target)
		sleep_ms(10);
	later = time_record(d);
	assert_true(later.tsc_timestamp > first.tsc_timestamp);
	assert_true(later.system_time > first.system_time);
	for (uint64_t t = later.tsc_timestamp; t < later.tsc_timestamp + 3 * td->quantum;
	     t += td->quantum / 7 + 12345) {
		uint64_t origin = (uint64_t)td->sys0 +
				  time_scale_delta(t - td->tsc0, d->tsc_mul, d->tsc_shift);
		assert_int_equal(guest_time(&first, t), origin);
		assert_int_equal(guest_time(&later, t), origin);
	}
}

static void test_system_time_follows_the_record(void **state)
{
	struct vcpu_time_info *t = &vcpu_info_of(v0)->time;

	(void)state;
	time_update_vcpu(v0);
	assert_int_equal(t->version & 1, 0);
	assert_true(t->version > 0);
	int64_t before = domain_system_time(d);
	uint64_t guest = guest_time(t, rdtsc());
	int64_t after = domain_system_time(d);
	assert_true((int64_t)guest >= before && (int64_t)guest <= after);

	/* The second (physical) time area carries the same record. */
	struct vcpu_time_info *area = (struct vcpu_time_info *)(d->ram + 3 * PAGE_SIZE + 64);
	time_set_area(v0, area);
	assert_int_equal(area->version & 1, 0);
	assert_int_equal(area->tsc_to_system_mul, t->tsc_to_system_mul);
	time_set_area(v0, NULL);
}

static void test_wallclock(void **state)
{
	struct shared_info *s = d->shared_info;
	struct timespec now;

	(void)state;
	clock_gettime(CLOCK_REALTIME, &now);
	assert_int_equal(s->wc_version & 1, 0);
	assert_true(s->wc_version > 0);
	assert_true(s->wc_nsec < 1000000000);
	int64_t wc = ((int64_t)s->wc_sec_hi << 32 | s->wc_sec) * 1000000000 + s->wc_nsec;
	int64_t guest_now = wc + domain_system_time(d);
	int64_t host_now = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	assert_true(guest_now - host_now < 1000000000 && host_now - guest_now < 1000000000);
}

/* ---- timers --------------------------------------------------------------------------------- */

static void test_default_periodic_timer(void **state)
{
	(void)state;
	assert_int_equal(v0->timer_period, TIME_DEFAULT_PERIOD_NS);
	clear_pending(timer0);
	assert_true(wait_pending(timer0));
	assert_int_equal(v1->timer_deadline[TIMER_PERIODIC], 0);	/* offline: not ticking */
	time_set_periodic(v0, 0);
	assert_int_equal(v0->timer_deadline[TIMER_PERIODIC], 0);
}

static void test_periodic_stops_while_blocked(void **state)
{
	struct evtchn_bind_ipi ipi = { .vcpu = 0 };
	uint64_t a[5] = { SCHEDOP_block };

	(void)state;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_ipi, &ipi), 0);
	mask_port(d, ipi.port);
	time_set_periodic(v0, 60000000000);	/* a minute: no tick during the test */
	assert_true(v0->timer_deadline[TIMER_PERIODIC] != 0);
	guest_ack_all(v0);
	assert_int_equal(do_sched_op(v0, a), 0);
	assert_true(v0->blocked);
	assert_int_equal(v0->timer_deadline[TIMER_PERIODIC], 0);	/* descheduled */
	struct evtchn_unmask u = { .port = ipi.port };
	struct evtchn_send s = { .port = ipi.port };
	assert_int_equal(evtchn_call(v0, EVTCHNOP_send, &s), 0);
	assert_true(v0->blocked);	/* masked port */
	assert_int_equal(evtchn_call(v0, EVTCHNOP_unmask, &u), 0);
	assert_false(v0->blocked);
	assert_true(v0->timer_deadline[TIMER_PERIODIC] != 0);	/* resumed */
	time_set_periodic(v0, 0);
	guest_ack_all(v0);
}

/* Xen raises the tick a vCPU missed while it slept when it is switched to,
 * so the upcall comes before any guest code runs. */
static void test_missed_tick_raised_before_running(void **state)
{
	struct evtchn_bind_ipi ipi = { .vcpu = 0 };
	struct evtchn_send s;
	uint64_t a[5] = { SCHEDOP_block };

	(void)state;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_ipi, &ipi), 0);
	time_set_periodic(v0, 2000000);
	guest_ack_all(v0);
	assert_int_equal(do_sched_op(v0, a), 0);
	assert_true(v0->blocked);
	clear_pending(timer0);
	sleep_ms(20);
	assert_false(pending_bit(d, timer0));	/* stopped while blocked */
	s.port = ipi.port;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_send, &s), 0);
	assert_false(v0->blocked);
	sched_vcpu_running(v0);
	assert_true(pending_bit(d, timer0));
	time_set_periodic(v0, 0);
	guest_ack_all(v0);
}

static void test_periodic_timer_args(void **state)
{
	struct vcpu_set_periodic_timer p = { .period_ns = 999999 };
	uint64_t a[5] = { VCPUOP_set_periodic_timer, 0, gva_of(&p) };

	(void)state;
	assert_int_equal(do_vcpu_op(v0, a), -XEN_EINVAL);
	p.period_ns = 1ULL << 62;
	assert_int_equal(do_vcpu_op(v0, a), -XEN_EINVAL);
	p.period_ns = 2000000;
	a[1] = 1;	/* another vCPU's: allowed */
	assert_int_equal(do_vcpu_op(v0, a), 0);
	assert_int_equal(v1->timer_period, 2000000);
	clear_pending(timer1);
	assert_true(wait_pending(timer1));	/* set on a stopped vCPU, it still fires */
	a[0] = VCPUOP_stop_periodic_timer;
	assert_int_equal(do_vcpu_op(v0, a), 0);
	assert_int_equal(v1->timer_period, 0);
	a[2] = BAD_GVA;
	a[0] = VCPUOP_set_periodic_timer;
	assert_int_equal(do_vcpu_op(v0, a), -XEN_EFAULT);
}

static void test_singleshot(void **state)
{
	uint64_t a[5];

	(void)state;
	clear_pending(timer1);
	a[0] = (uint64_t)domain_system_time(d) + 5000000;
	assert_int_equal(do_set_timer_op(v1, a), 0);
	assert_true(wait_pending(timer1));
	assert_int_equal(v1->timer_deadline[TIMER_SINGLESHOT], 0);

	/* In the past: fires from the event loop at once. */
	clear_pending(timer1);
	a[0] = 1;
	assert_int_equal(do_set_timer_op(v1, a), 0);
	assert_true(wait_pending(timer1));

	/* Cancelled: stays silent. */
	clear_pending(timer1);
	a[0] = (uint64_t)domain_system_time(d) + 20000000;
	assert_int_equal(do_set_timer_op(v1, a), 0);
	a[0] = 0;
	assert_int_equal(do_set_timer_op(v1, a), 0);
	assert_int_equal(v1->timer_deadline[TIMER_SINGLESHOT], 0);
	sleep_ms(100);
	assert_false(pending_bit(d, timer1));
}

static void test_set_timer_op_huge_timeouts(void **state)
{
	uint64_t a[5];
	int64_t now;

	(void)state;
	/* Wrapped negative, or more than 2^50 ns ahead: Xen fires in 100 ms. */
	now = domain_system_time(d);
	a[0] = (uint64_t)-5;
	assert_int_equal(do_set_timer_op(v1, a), 0);
	int64_t dl = v1->timer_deadline[TIMER_SINGLESHOT];
	assert_true(dl >= now + 100000000 && dl < domain_system_time(d) + 100000000 + 1);
	now = domain_system_time(d);
	a[0] = (uint64_t)now + (1ULL << 50) + 1000000000;
	assert_int_equal(do_set_timer_op(v1, a), 0);
	dl = v1->timer_deadline[TIMER_SINGLESHOT];
	assert_true(dl >= now + 100000000 && dl < domain_system_time(d) + 100000000 + 1);
	/* Just under 2^50 ahead is taken as it is. */
	a[0] = (uint64_t)domain_system_time(d) + (1ULL << 49);
	assert_int_equal(do_set_timer_op(v1, a), 0);
	assert_int_equal(v1->timer_deadline[TIMER_SINGLESHOT], (int64_t)a[0]);
	a[0] = 0;
	do_set_timer_op(v1, a);
}

static void test_vcpuop_singleshot(void **state)
{
	struct vcpu_set_singleshot_timer s = { .timeout_abs_ns = 1, .flags = VCPU_SSHOTTMR_future };
	uint64_t a[5] = { VCPUOP_set_singleshot_timer, 1, gva_of(&s) };

	(void)state;
	assert_int_equal(do_vcpu_op(v0, a), -XEN_EINVAL);	/* not our own */
	a[0] = VCPUOP_stop_singleshot_timer;
	assert_int_equal(do_vcpu_op(v0, a), -XEN_EINVAL);

	/* In the past, "future" flag or not: the event is there on return. */
	clear_pending(timer1);
	a[0] = VCPUOP_set_singleshot_timer;
	assert_int_equal(do_vcpu_op(v1, a), 0);
	assert_true(pending_bit(d, timer1));

	clear_pending(timer1);
	s.timeout_abs_ns = (uint64_t)domain_system_time(d) + 3000000;
	assert_int_equal(do_vcpu_op(v1, a), 0);
	assert_true(wait_pending(timer1));

	a[2] = BAD_GVA;
	assert_int_equal(do_vcpu_op(v1, a), -XEN_EFAULT);
	a[1] = 2;
	assert_int_equal(do_vcpu_op(v1, a), -XEN_ENOENT);
}

static void test_poll_timeout(void **state)
{
	struct evtchn_bind_ipi ipi = { .vcpu = 0 };
	evtchn_port_t port;
	struct sched_poll p = { .nr_ports = 1 };
	uint64_t a[5] = { SCHEDOP_poll, gva_of(&p) };

	(void)state;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_ipi, &ipi), 0);
	port = ipi.port;
	mask_port(d, port);
	guest_ack_all(v0);
	vcpu_info_of(v0)->evtchn_upcall_mask = 1;
	p.ports = gva_of(&port);
	p.timeout = (uint64_t)domain_system_time(d) + 5000000;
	assert_int_equal(do_sched_op(v0, a), 0);
	assert_true(v0->blocked);
	for (int i = 0; i < WAIT_LIMIT_MS && __atomic_load_n(&v0->blocked, __ATOMIC_SEQ_CST); i++)
		sleep_ms(1);
	assert_false(v0->blocked);
	assert_false(vcpu_event_pending(v0));

	/* A timeout in the past wakes at once too. */
	p.timeout = 1;
	assert_int_equal(do_sched_op(v0, a), 0);
	for (int i = 0; i < WAIT_LIMIT_MS && __atomic_load_n(&v0->blocked, __ATOMIC_SEQ_CST); i++)
		sleep_ms(1);
	assert_false(v0->blocked);
}

static void test_watchdog_fires(void **state)
{
	struct sched_watchdog w = { .id = 0, .timeout = 1 };
	uint64_t a[5] = { SCHEDOP_watchdog, gva_of(&w) };

	(void)state;
	shutdowns = 0;
	assert_int_equal(do_sched_op(v0, a), 1);
	for (int i = 0; i < WAIT_LIMIT_MS && !__atomic_load_n(&shutdowns, __ATOMIC_SEQ_CST); i++)
		sleep_ms(1);
	assert_int_equal(shutdowns, 1);
	assert_int_equal(shutdown_reason, SHUTDOWN_watchdog);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_matches_the_frequency),
		cmocka_unit_test(test_scale_known_values),
		cmocka_unit_test(test_quantum_is_exact),
		cmocka_unit_test(test_records_agree),
		cmocka_unit_test(test_system_time_follows_the_record),
		cmocka_unit_test(test_wallclock),
		cmocka_unit_test(test_default_periodic_timer),
		cmocka_unit_test(test_periodic_stops_while_blocked),
		cmocka_unit_test(test_missed_tick_raised_before_running),
		cmocka_unit_test(test_periodic_timer_args),
		cmocka_unit_test(test_singleshot),
		cmocka_unit_test(test_set_timer_op_huge_timeouts),
		cmocka_unit_test(test_vcpuop_singleshot),
		cmocka_unit_test(test_poll_timeout),
		cmocka_unit_test(test_watchdog_fires),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
