/*
 * System time, wallclock and timers (see time.h). Scaling follows Xen's
 * set_time_scale/scale_delta (xen/arch/x86/time.c); timer semantics follow
 * xen/common/sched/core.c (set_timer_op, periodic timers) and
 * xen/common/domain.c (VCPUOP_*_timer).
 */
#include "time.h"

#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <xen/xen.h>

#include "../eventloop.h"
#include "evtchn.h"

#define NS_PER_SEC 1000000000LL
/* Furthest a timerfd is armed ahead: keeps CLOCK_MONOTONIC sums far from overflow. */
#define MAX_TIMER_DELTA (1LL << 62)
/* set_timer_op: Xen's answer to a timeout more than 2^50 ns (13 days) ahead. */
#define HUGE_TIMEOUT_SHIFT 50
#define HUGE_TIMEOUT_DELAY 100000000LL

static uint64_t host_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static int64_t clock_ns(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (int64_t)t.tv_sec * NS_PER_SEC + t.tv_nsec;
}

static struct time_vcpu *time_of(struct vcpu *v)
{
	return &evtchn_vcpu_of(v)->time;
}

/* ---- scaling -------------------------------------------------------------------- */

void time_scale_from_khz(uint64_t khz, uint32_t *mul, int8_t *shift)
{
	uint64_t tps64 = khz * 1000;
	uint32_t tps32;
	int s = 0;

	/* Bring ticks per second into (1e9, 2e9]: then ns per tick, a fraction
	 * below 1, fits 32 bits with full precision. */
	while (tps64 > 2 * (uint64_t)NS_PER_SEC) {
		tps64 >>= 1;
		s--;
	}
	tps32 = (uint32_t)tps64;
	while (tps32 <= (uint32_t)NS_PER_SEC) {
		tps32 <<= 1;
		s++;
	}
	*mul = (uint32_t)(((uint64_t)NS_PER_SEC << 32) / tps32);
	*shift = (int8_t)s;
}

uint64_t time_scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t time_scale_quantum(uint32_t mul, int8_t shift)
{
	/* (q << shift) * mul must be a multiple of 2^32 (and, for a negative
	 * shift, q a multiple of 2^-shift so that the shift drops nothing). */
	int bits = 32 - (mul ? __builtin_ctz(mul) : 32) - shift;

	return 1ULL << (bits < 0 ? 0 : bits > 48 ? 48 : bits);
}

/* The TSC rate, when KVM did not tell it: against CLOCK_MONOTONIC_RAW. */
static uint64_t measure_tsc_khz(void)
{
	struct timespec pause = { .tv_nsec = 10000000 };
	int64_t t0 = clock_ns(CLOCK_MONOTONIC_RAW);
	uint64_t c0 = host_tsc();

	nanosleep(&pause, NULL);
	int64_t t1 = clock_ns(CLOCK_MONOTONIC_RAW);
	uint64_t c1 = host_tsc();
	uint64_t khz = (c1 - c0) * 1000000 / (uint64_t)(t1 - t0);
	return khz ? khz : 1;
}

int64_t domain_system_time(struct domain *d)
{
	struct evtchn_state *es = d->evtchn;

	if (!es)
		return clock_ns(CLOCK_MONOTONIC) - d->boot_time_ns;
	const struct time_domain *td = &es->time;
	uint64_t tsc = host_tsc() + (uint64_t)d->tsc_offset;
	if (tsc >= td->tsc0)
		return td->sys0 + (int64_t)time_scale_delta(tsc - td->tsc0, d->tsc_mul,
							    d->tsc_shift);
	return td->sys0 - (int64_t)time_scale_delta(td->tsc0 - tsc, d->tsc_mul, d->tsc_shift);
}

/* ---- what the guest reads ------------------------------------------------------------- */

struct vcpu_time_info time_record(struct domain *d)
{
	const struct time_domain *td = &d->evtchn->time;
	uint64_t tsc = host_tsc() + (uint64_t)d->tsc_offset;
	uint64_t k = tsc > td->tsc0 && td->quantum ? (tsc - td->tsc0) / td->quantum : 0;

	return (struct vcpu_time_info){
		.tsc_timestamp = td->tsc0 + k * td->quantum,
		.system_time = (uint64_t)td->sys0 + k * td->quantum_ns,
		.tsc_to_system_mul = d->tsc_mul,
		.tsc_shift = d->tsc_shift,
		.flags = XEN_PVCLOCK_TSC_STABLE_BIT,
	};
}

/* The guest retries while version is odd or changed under it. */
static void write_time(struct vcpu_time_info *u, const struct vcpu_time_info *t)
{
	uint32_t version = (__atomic_load_n(&u->version, __ATOMIC_RELAXED) + 1) | 1;

	__atomic_store_n(&u->version, version, __ATOMIC_SEQ_CST);
	u->tsc_timestamp = t->tsc_timestamp;
	u->system_time = t->system_time;
	u->tsc_to_system_mul = t->tsc_to_system_mul;
	u->tsc_shift = t->tsc_shift;
	u->flags = t->flags;
	__atomic_store_n(&u->version, version + 1, __ATOMIC_SEQ_CST);
}

void time_update_vcpu(struct vcpu *v)
{
	struct time_vcpu *tv = time_of(v);
	struct vcpu_time_info t = time_record(v->d);

	pthread_mutex_lock(&tv->lock);
	write_time(&vcpu_info_of(v)->time, &t);
	if (tv->area)
		write_time(tv->area, &t);
	pthread_mutex_unlock(&tv->lock);
}

void time_set_area(struct vcpu *v, struct vcpu_time_info *area)
{
	struct time_vcpu *tv = time_of(v);
	struct vcpu_time_info t = time_record(v->d);

	pthread_mutex_lock(&tv->lock);
	tv->area = area;
	if (area)
		write_time(area, &t);
	pthread_mutex_unlock(&tv->lock);
}

void time_set_area_gva(struct vcpu *cur, struct vcpu *v, uint64_t gva)
{
	struct vcpu_time_info t = time_record(v->d);
	uint64_t at_version = gva + offsetof(struct vcpu_time_info, version);

	time_of(v)->area_gva = gva;
	if (!gva)
		return;
	/* As Xen: version odd first, then the record, then version even. */
	t.version = (vcpu_info_of(v)->time.version + 1) | 1;
	if (copy_to_guest(cur, at_version, &t.version, sizeof(t.version)) < 0)
		return;
	copy_to_guest(cur, gva, &t, sizeof(t));
	t.version++;
	copy_to_guest(cur, at_version, &t.version, sizeof(t.version));
}

/* Wallclock time at system time 0, so that the guest's `date` is the host's. */
static void set_wallclock(struct domain *d, int64_t wc_ns)
{
	struct shared_info *s = d->shared_info;
	uint64_t sec = (uint64_t)(wc_ns / NS_PER_SEC);
	uint32_t version = (s->wc_version + 1) | 1;

	__atomic_store_n(&s->wc_version, version, __ATOMIC_SEQ_CST);
	s->wc_sec = (uint32_t)sec;
	s->wc_sec_hi = (uint32_t)(sec >> 32);
	s->wc_nsec = (uint32_t)(wc_ns % NS_PER_SEC);
	__atomic_store_n(&s->wc_version, version + 1, __ATOMIC_SEQ_CST);
}

/* ---- timers ------------------------------------------------------------------------------ */

/* Arm fd to fire at system time deadline (0: disarm); a deadline in the
 * past fires at once. */
static void arm(struct domain *d, int fd, int64_t deadline)
{
	struct itimerspec its = { 0 };

	if (fd < 0)
		return;
	if (deadline) {
		int64_t mono = clock_ns(CLOCK_MONOTONIC);
		int64_t delta = deadline - domain_system_time(d);
		if (delta < 0)
			delta = 0;
		if (delta > MAX_TIMER_DELTA)
			delta = MAX_TIMER_DELTA;
		mono += delta;	/* > 0, so never the "disarm" value */
		its.it_value.tv_sec = mono / NS_PER_SEC;
		its.it_value.tv_nsec = mono % NS_PER_SEC;
	}
	timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Consume an expiry; false if the timer was re-armed since (nothing to do). */
static bool expired(int fd)
{
	uint64_t n;

	return read(fd, &n, sizeof(n)) == sizeof(n);
}

void time_send_timer_event(struct vcpu *v)
{
	time_update_vcpu(v);
	evtchn_send_virq(v->d, v->id, VIRQ_TIMER);
}

void time_set_singleshot(struct vcpu *v, int64_t deadline)
{
	struct time_vcpu *tv = time_of(v);

	pthread_mutex_lock(&tv->lock);
	v->timer_deadline[TIMER_SINGLESHOT] = deadline;
	arm(v->d, tv->timer_fd[TIMER_SINGLESHOT], deadline);
	pthread_mutex_unlock(&tv->lock);
}

static void singleshot_fired(void *arg, uint32_t events)
{
	struct vcpu *v = arg;
	struct time_vcpu *tv = time_of(v);
	bool fire;

	(void)events;
	if (!expired(tv->timer_fd[TIMER_SINGLESHOT]))
		return;
	pthread_mutex_lock(&tv->lock);
	int64_t deadline = v->timer_deadline[TIMER_SINGLESHOT];
	fire = deadline && domain_system_time(v->d) >= deadline;
	if (fire)
		v->timer_deadline[TIMER_SINGLESHOT] = 0;
	else if (deadline)
		arm(v->d, tv->timer_fd[TIMER_SINGLESHOT], deadline);	/* host clock ran ahead */
	pthread_mutex_unlock(&tv->lock);
	if (fire)
		time_send_timer_event(v);
}

/* Xen's vcpu_periodic_timer_work: a tick if one is due, then arm the next.
 * True if the caller must raise the tick (after dropping the lock). */
static bool periodic_work(struct vcpu *v)
{
	struct time_vcpu *tv = time_of(v);
	int64_t now = domain_system_time(v->d);
	int64_t next = tv->periodic_last + (int64_t)v->timer_period;
	bool tick = now >= next;

	if (tick) {
		tv->periodic_last = now;
		next = now + (int64_t)v->timer_period;
	}
	v->timer_deadline[TIMER_PERIODIC] = next;
	arm(v->d, tv->timer_fd[TIMER_PERIODIC], next);
	return tick;
}

void time_set_periodic(struct vcpu *v, uint64_t period)
{
	struct time_vcpu *tv = time_of(v);
	bool tick = false;

	pthread_mutex_lock(&tv->lock);
	v->timer_period = period;
	v->timer_deadline[TIMER_PERIODIC] = 0;
	arm(v->d, tv->timer_fd[TIMER_PERIODIC], 0);
	if (period)
		tick = periodic_work(v);
	pthread_mutex_unlock(&tv->lock);
	if (tick)
		time_send_timer_event(v);
}

void time_periodic_catch_up(struct vcpu *v)
{
	struct time_vcpu *tv = time_of(v);
	bool tick = false;

	pthread_mutex_lock(&tv->lock);
	if (v->timer_period && v->timer_deadline[TIMER_PERIODIC])
		tick = periodic_work(v);
	pthread_mutex_unlock(&tv->lock);
	if (tick)
		time_send_timer_event(v);
}

static void periodic_fired(void *arg, uint32_t events)
{
	struct vcpu *v = arg;

	(void)events;
	if (expired(time_of(v)->timer_fd[TIMER_PERIODIC]))
		time_periodic_catch_up(v);
}

void time_periodic_stop(struct vcpu *v)
{
	struct time_vcpu *tv = time_of(v);

	pthread_mutex_lock(&tv->lock);
	v->timer_deadline[TIMER_PERIODIC] = 0;
	arm(v->d, tv->timer_fd[TIMER_PERIODIC], 0);
	pthread_mutex_unlock(&tv->lock);
}

void time_periodic_resume(struct vcpu *v)
{
	struct time_vcpu *tv = time_of(v);

	pthread_mutex_lock(&tv->lock);
	if (v->timer_period) {
		/* An overdue tick fires at once; the handler raises it. */
		int64_t next = tv->periodic_last + (int64_t)v->timer_period;
		v->timer_deadline[TIMER_PERIODIC] = next;
		arm(v->d, tv->timer_fd[TIMER_PERIODIC], next);
	}
	pthread_mutex_unlock(&tv->lock);
}

void time_set_poll_timeout(struct vcpu *v, int64_t deadline)
{
	struct time_vcpu *tv = time_of(v);

	pthread_mutex_lock(&tv->lock);
	v->poll_deadline = deadline;
	arm(v->d, tv->poll_fd, deadline);
	pthread_mutex_unlock(&tv->lock);
}

static void poll_fired(void *arg, uint32_t events)
{
	struct vcpu *v = arg;
	struct time_vcpu *tv = time_of(v);
	bool fire;

	(void)events;
	if (!expired(tv->poll_fd))
		return;
	pthread_mutex_lock(&tv->lock);
	int64_t deadline = v->poll_deadline;
	fire = deadline && domain_system_time(v->d) >= deadline;
	if (fire)
		v->poll_deadline = 0;
	else if (deadline)
		arm(v->d, tv->poll_fd, deadline);
	pthread_mutex_unlock(&tv->lock);
	if (fire)
		sched_poll_timeout(v);
}

void time_set_watchdog(struct domain *d, unsigned int id, int64_t deadline)
{
	arm(d, d->evtchn->sched.watchdog_fd[id], deadline);
}

static void watchdog_fired(void *arg, uint32_t events)
{
	struct time_watchdog *w = arg;

	(void)events;
	if (expired(w->d->evtchn->sched.watchdog_fd[w->id]))
		sched_watchdog_fired(w->d, w->id);
}

/* ---- set_timer_op --------------------------------------------------------------------------- */

long do_set_timer_op(struct vcpu *v, const uint64_t arg[5])
{
	int64_t timeout = (int64_t)arg[0];
	int64_t now = domain_system_time(v->d);

	if (timeout == 0) {
		time_set_singleshot(v, 0);
	} else if (timeout < 0 || (timeout > now && (timeout - now) >> HUGE_TIMEOUT_SHIFT)) {
		/* Old Linux wraps its jiffies into far-away timeouts: Xen fires
		 * those after 100 ms, as a middle ground. */
		time_set_singleshot(v, now + HUGE_TIMEOUT_DELAY);
	} else {
		time_set_singleshot(v, timeout);
	}
	return 0;
}

/* ---- set up and tear down ------------------------------------------------------------ */

static int add_timer(int *fd, ev_handler *h, void *arg)
{
	*fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (*fd < 0)
		return -1;
	if (ev_add(*fd, EPOLLIN, h, arg) < 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

static void del_timer(int *fd)
{
	if (*fd < 0)
		return;
	ev_del(*fd);
	close(*fd);
	*fd = -1;
}

int time_init(struct domain *d)
{
	struct evtchn_state *es = d->evtchn;
	struct time_domain *td = &es->time;

	if (!d->tsc_khz)
		d->tsc_khz = measure_tsc_khz();
	time_scale_from_khz(d->tsc_khz, &d->tsc_mul, &d->tsc_shift);
	td->quantum = time_scale_quantum(d->tsc_mul, d->tsc_shift);
	td->quantum_ns = time_scale_delta(td->quantum, d->tsc_mul, d->tsc_shift);

	int64_t mono = clock_ns(CLOCK_MONOTONIC);
	uint64_t tsc = host_tsc();
	int64_t real = clock_ns(CLOCK_REALTIME);
	td->tsc0 = tsc + (uint64_t)d->tsc_offset;
	td->sys0 = mono - d->boot_time_ns;
	set_wallclock(d, real - td->sys0);

	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		struct time_vcpu *tv = time_of(v);
		if (add_timer(&tv->timer_fd[TIMER_SINGLESHOT], singleshot_fired, v) < 0 ||
		    add_timer(&tv->timer_fd[TIMER_PERIODIC], periodic_fired, v) < 0 ||
		    add_timer(&tv->poll_fd, poll_fired, v) < 0)
			goto fail;
		v->timer_period = TIME_DEFAULT_PERIOD_NS;
		time_update_vcpu(v);
	}
	for (unsigned int i = 0; i < NR_DOMAIN_WATCHDOGS; i++) {
		td->watchdog[i] = (struct time_watchdog){ .d = d, .id = i };
		if (add_timer(&es->sched.watchdog_fd[i], watchdog_fired, &td->watchdog[i]) < 0)
			goto fail;
	}
	/* vCPU 0 is up and runs from the start, as the builder leaves it. */
	d->vcpu[0].online = true;
	sched_resume(&d->vcpu[0]);
	return 0;
fail:
	mlog(d, "cannot create the domain's timers: %s", strerror(errno));
	time_destroy(d);
	return -1;
}

void time_destroy(struct domain *d)
{
	struct evtchn_state *es = d->evtchn;

	for (unsigned int i = 0; i < XENO_MAX_VCPUS; i++) {
		struct time_vcpu *tv = &es->vcpu[i].time;
		del_timer(&tv->timer_fd[TIMER_SINGLESHOT]);
		del_timer(&tv->timer_fd[TIMER_PERIODIC]);
		del_timer(&tv->poll_fd);
	}
	for (unsigned int i = 0; i < NR_DOMAIN_WATCHDOGS; i++)
		del_timer(&es->sched.watchdog_fd[i]);
}
