/*
 * SCHEDOP_*: yield, block, poll, shutdown, watchdogs; blocking and waking
 * vCPUs; the runstate. Semantics and error codes are Xen's (do_sched_op,
 * do_poll and vcpu_block in xen/common/sched/core.c).
 */
#include "sched.h"

#include <sched.h>
#include <string.h>

#include <xen/sched.h>

#include "evtchn.h"

static struct sched_vcpu *sched_of(struct vcpu *v)
{
	return &evtchn_vcpu_of(v)->sched;
}

static void set_blocked(struct vcpu *v, bool blocked)
{
	pthread_mutex_lock(&v->lock);
	v->blocked = blocked;
	pthread_mutex_unlock(&v->lock);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Xen's local_events_need_delivery. */
static bool events_need_delivery(struct vcpu *v)
{
	struct vcpu_info *vi = vcpu_info_of(v);

	return __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST) &&
	       !__atomic_load_n(&vi->evtchn_upcall_mask, __ATOMIC_SEQ_CST);
}

/* ---- runstate ------------------------------------------------------------------ */

static void runstate_change(struct sched_vcpu *sv, int state, int64_t now)
{
	struct vcpu_runstate_info *r = &sv->runstate;
	int64_t delta = now - (int64_t)r->state_entry_time;

	if (r->state == state)
		return;
	if (delta > 0) {
		r->time[r->state] += (uint64_t)delta;
		r->state_entry_time = (uint64_t)now;
	}
	r->state = state;
}

/* The phys area is guest memory the guest reads concurrently: mark it as
 * being updated while it is (Xen always does for this area). */
static void write_area(struct vcpu_runstate_info *area, const struct vcpu_runstate_info *r)
{
	__atomic_store_n(&area->state_entry_time, r->state_entry_time | XEN_RUNSTATE_UPDATE,
			 __ATOMIC_SEQ_CST);
	area->state = r->state;
	memcpy(area->time, r->time, sizeof(area->time));
	__atomic_store_n(&area->state_entry_time, r->state_entry_time, __ATOMIC_SEQ_CST);
}

void sched_runstate_write_va(struct vcpu *cur, struct vcpu *v, const struct vcpu_runstate_info *r)
{
	uint64_t gva = v->runstate_gva, entry = r->state_entry_time;
	uint64_t at_entry = gva + offsetof(struct vcpu_runstate_info, state_entry_time);
	bool flag = v->d->vm_assist & (1ULL << VMASST_TYPE_runstate_update_flag);
	struct vcpu_runstate_info copy = *r;

	if (!gva)
		return;
	/* Failures are ignored, as Xen does: the guest's area, the guest's problem. */
	if (flag) {
		uint64_t updating = entry | XEN_RUNSTATE_UPDATE;
		copy.state_entry_time = updating;
		copy_to_guest(cur, at_entry, &updating, sizeof(updating));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	copy_to_guest(cur, gva, &copy, sizeof(copy));
	if (flag) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		copy_to_guest(cur, at_entry, &entry, sizeof(entry));
	}
}

void sched_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out, bool up_to_now)
{
	struct sched_vcpu *sv = sched_of(v);
	int64_t now = domain_system_time(v->d);

	pthread_mutex_lock(&sv->lock);
	*out = sv->runstate;
	pthread_mutex_unlock(&sv->lock);
	int64_t delta = now - (int64_t)out->state_entry_time;
	if (up_to_now && delta > 0)
		out->time[out->state] += (uint64_t)delta;
}

void sched_set_runstate_area(struct vcpu *cur, struct vcpu *v, struct vcpu_runstate_info *area)
{
	struct sched_vcpu *sv = sched_of(v);

	pthread_mutex_lock(&sv->lock);
	if (area && v == cur)
		write_area(area, &sv->runstate);
	sv->runstate_area = area;
	pthread_mutex_unlock(&sv->lock);
}

/* ---- descheduling and waking ------------------------------------------------------ */

void sched_deschedule(struct vcpu *cur, struct vcpu *v, int state)
{
	struct sched_vcpu *sv = sched_of(v);
	struct vcpu_runstate_info r;

	pthread_mutex_lock(&sv->lock);
	if (!sv->descheduled) {
		__atomic_store_n(&sv->descheduled, true, __ATOMIC_RELEASE);
		time_periodic_stop(v);
	}
	runstate_change(sv, state, domain_system_time(v->d));
	if (sv->runstate_area)
		write_area(sv->runstate_area, &sv->runstate);
	r = sv->runstate;
	pthread_mutex_unlock(&sv->lock);
	if (v == cur)
		sched_runstate_write_va(cur, v, &r);
	/* A wake-up between blocking and here found nothing to resume. */
	sched_resume(v);
}

void sched_resume(struct vcpu *v)
{
	struct sched_vcpu *sv = sched_of(v);

	pthread_mutex_lock(&sv->lock);
	if (sv->descheduled && __atomic_load_n(&v->online, __ATOMIC_SEQ_CST) &&
	    !__atomic_load_n(&v->blocked, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&sv->descheduled, false, __ATOMIC_RELEASE);
		time_periodic_resume(v);
		runstate_change(sv, RUNSTATE_running, domain_system_time(v->d));
		if (sv->runstate_area)
			write_area(sv->runstate_area, &sv->runstate);
		__atomic_store_n(&sv->resumed, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&sv->lock);
}

void sched_vcpu_running(struct vcpu *v)
{
	struct sched_vcpu *sv = sched_of(v);
	struct vcpu_runstate_info r;

	/* The run loop may have ended a wait itself (vcpu_event_pending). */
	if (__atomic_load_n(&sv->descheduled, __ATOMIC_ACQUIRE))
		sched_resume(v);
	if (!__atomic_exchange_n(&sv->resumed, false, __ATOMIC_ACQ_REL))
		return;
	time_periodic_catch_up(v);
	pthread_mutex_lock(&sv->lock);
	r = sv->runstate;
	pthread_mutex_unlock(&sv->lock);
	sched_runstate_write_va(v, v, &r);
}

void vcpu_unblock(struct vcpu *v)
{
	/* The polling period ends when the vCPU is woken: end it before the
	 * vCPU can run. Cleared after, a waker preempted here would wipe out
	 * the poll the vCPU may already have started again, and that poll's
	 * timeout and port would then find nothing to wake: blocked for good. */
	__atomic_store_n(&sched_of(v)->poll_port, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&v->lock);
	if (v->blocked) {
		v->blocked = false;
		pthread_cond_broadcast(&v->wake);
	}
	pthread_mutex_unlock(&v->lock);
	sched_resume(v);
}

bool vcpu_event_pending(struct vcpu *v)
{
	if (events_need_delivery(v))
		return true;
	if (!__atomic_load_n(&sched_of(v)->poll_port, __ATOMIC_SEQ_CST))
		return false;
	for (unsigned int i = 0; i < v->nr_poll_ports; i++)
		if (evtchn_port_poll(v->d, v->poll_ports[i]) > 0)
			return true;
	return false;
}

void sched_wake_pollers(struct domain *d, evtchn_port_t port)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		int *pp = &sched_of(v)->poll_port;
		int p = __atomic_load_n(pp, __ATOMIC_SEQ_CST);

		if (p == 0 || (p > 0 && (evtchn_port_t)p != port))
			continue;
		if (__atomic_compare_exchange_n(pp, &p, 0, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			vcpu_unblock(v);
	}
}

void sched_poll_timeout(struct vcpu *v)
{
	int *pp = &sched_of(v)->poll_port;

	if (__atomic_exchange_n(pp, 0, __ATOMIC_SEQ_CST))
		vcpu_unblock(v);
}

/* ---- block and poll -------------------------------------------------------------------- */

/* Xen's vcpu_block_enable_events: sleep unless an event is pending. */
static long sched_block(struct vcpu *v)
{
	__atomic_store_n(&vcpu_info_of(v)->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
	set_blocked(v, true);
	if (events_need_delivery(v)) {
		set_blocked(v, false);
		return 0;
	}
	sched_deschedule(v, v, RUNSTATE_blocked);
	return 0;
}

static long sched_poll(struct vcpu *v, const struct sched_poll *p)
{
	struct domain *d = v->d;
	int *pp = &sched_of(v)->poll_port;
	evtchn_port_t port = 0;
	long rc = 0;

	if (p->nr_ports > SCHED_MAX_POLL_PORTS)
		return -XEN_EINVAL;
	if (!guest_addr_ok(p->ports))
		return -XEN_EFAULT;

	/* Blocked and polling first, then look: a port raised meanwhile wakes us. */
	v->nr_poll_ports = 0;
	set_blocked(v, true);
	__atomic_store_n(pp, -1, __ATOMIC_SEQ_CST);
	if (v->poll_deadline)
		time_set_poll_timeout(v, 0);
	if (events_need_delivery(v))
		goto out;
	for (uint32_t i = 0; i < p->nr_ports; i++) {
		if (copy_from_guest(v, &port, p->ports + i * sizeof(port), sizeof(port)) < 0) {
			rc = -XEN_EFAULT;
			goto out;
		}
		v->poll_ports[i] = port;
		v->nr_poll_ports = i + 1;
		rc = evtchn_port_poll(d, port);
		if (rc) {
			rc = rc > 0 ? 0 : rc;
			goto out;
		}
	}
	if (p->nr_ports == 1) {
		int any = -1;
		__atomic_compare_exchange_n(pp, &any, (int)port, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
	}
	if (p->timeout)
		time_set_poll_timeout(v, (int64_t)p->timeout);
	sched_deschedule(v, v, RUNSTATE_blocked);
	return 0;
out:
	__atomic_store_n(pp, 0, __ATOMIC_SEQ_CST);
	set_blocked(v, false);
	return rc;
}

/* ---- shutdown and watchdogs ------------------------------------------------------------- */

void sched_shutdown(struct domain *d, unsigned int reason)
{
	struct sched_domain *sd = &d->evtchn->sched;

	pthread_mutex_lock(&d->evtchn->lock);
	if (sd->shutdown_code < 0)
		sd->shutdown_code = (uint8_t)reason;
	reason = (unsigned int)sd->shutdown_code;
	pthread_mutex_unlock(&d->evtchn->lock);
	domain_shutdown(d, (int)reason);
}

static long shutdown_code(struct domain *d, unsigned int reason)
{
	struct sched_domain *sd = &d->evtchn->sched;

	pthread_mutex_lock(&d->evtchn->lock);
	if (sd->shutdown_code < 0)
		sd->shutdown_code = (uint8_t)reason;
	pthread_mutex_unlock(&d->evtchn->lock);
	return 0;
}

static int64_t seconds_from_now(struct domain *d, uint32_t seconds)
{
	int64_t deadline = domain_system_time(d) + (int64_t)seconds * 1000000000;

	return deadline > 0 ? deadline : 1;	/* 0 means "not in use" */
}

/* Xen's domain_watchdog: id 0 creates one (returns its id), else re-arms
 * or (timeout 0) destroys watchdog id. */
static long watchdog(struct domain *d, uint32_t id, uint32_t timeout)
{
	struct sched_domain *sd = &d->evtchn->sched;
	long rc = 0;

	if (id > NR_DOMAIN_WATCHDOGS)
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->evtchn->lock);
	if (id == 0) {
		rc = -XEN_ENOSPC;
		for (unsigned int i = 0; i < NR_DOMAIN_WATCHDOGS; i++) {
			if (sd->watchdog_deadline[i])
				continue;
			sd->watchdog_deadline[i] = seconds_from_now(d, timeout);
			time_set_watchdog(d, i, sd->watchdog_deadline[i]);
			rc = i + 1;
			break;
		}
	} else if (!sd->watchdog_deadline[id - 1]) {
		rc = -XEN_EINVAL;
	} else {
		sd->watchdog_deadline[id - 1] = timeout ? seconds_from_now(d, timeout) : 0;
		time_set_watchdog(d, id - 1, sd->watchdog_deadline[id - 1]);
	}
	pthread_mutex_unlock(&d->evtchn->lock);
	return rc;
}

void sched_watchdog_fired(struct domain *d, unsigned int id)
{
	struct sched_domain *sd = &d->evtchn->sched;
	bool fired;

	pthread_mutex_lock(&d->evtchn->lock);
	int64_t deadline = sd->watchdog_deadline[id];
	fired = deadline && domain_system_time(d) >= deadline;
	if (deadline && !fired)
		time_set_watchdog(d, id, deadline);	/* the host clock ran ahead */
	pthread_mutex_unlock(&d->evtchn->lock);
	if (!fired || d->dying || d->state == DOM_SHUTDOWN)
		return;
	mlog(d, "watchdog timer %u fired for domain %u", id, d->domid);
	sched_shutdown(d, SHUTDOWN_watchdog);
}

/* ---- the hypercalls ---------------------------------------------------------------------- */

/* The domains a domU can name: itself and 0 exist but are not its to shut
 * down (XSM); any other does not exist. */
static long remote_shutdown(struct domain *d, const struct sched_remote_shutdown *r)
{
	return r->domain_id == d->domid || r->domain_id == 0 ? -XEN_EPERM : -XEN_ESRCH;
}

long do_sched_op(struct vcpu *v, const uint64_t arg[5])
{
	struct domain *d = v->d;
	int cmd = (int)arg[0];
	uint64_t gva = arg[1];

	switch (cmd) {
	case SCHEDOP_yield:
		sched_yield();
		return 0;
	case SCHEDOP_block:
		return sched_block(v);
	case SCHEDOP_shutdown: {
		struct sched_shutdown s;
		if (copy_from_guest(v, &s, gva, sizeof(s)) < 0)
			return -XEN_EFAULT;
		sched_shutdown(d, (uint8_t)s.reason);
		return 0;
	}
	case SCHEDOP_shutdown_code: {
		struct sched_shutdown s;
		if (copy_from_guest(v, &s, gva, sizeof(s)) < 0)
			return -XEN_EFAULT;
		return shutdown_code(d, s.reason);
	}
	case SCHEDOP_poll: {
		struct sched_poll p;
		if (copy_from_guest(v, &p, gva, sizeof(p)) < 0)
			return -XEN_EFAULT;
		return sched_poll(v, &p);
	}
	case SCHEDOP_remote_shutdown: {
		struct sched_remote_shutdown r;
		if (copy_from_guest(v, &r, gva, sizeof(r)) < 0)
			return -XEN_EFAULT;
		return remote_shutdown(d, &r);
	}
	case SCHEDOP_watchdog: {
		struct sched_watchdog w;
		if (copy_from_guest(v, &w, gva, sizeof(w)) < 0)
			return -XEN_EFAULT;
		return watchdog(d, w.id, w.timeout);
	}
	case SCHEDOP_pin_override:
		return -XEN_EPERM;	/* the hardware domain's only */
	default:
		mlog_once(d, "unknown SCHEDOP %d (%#llx)", cmd, (unsigned long long)gva);
		return -XEN_ENOSYS;
	}
}

/* The pre-3.0.2 form: the shutdown reason is the argument itself. */
long do_sched_op_compat(struct vcpu *v, const uint64_t arg[5])
{
	switch ((int)arg[0]) {
	case SCHEDOP_yield:
	case SCHEDOP_block:
		return do_sched_op(v, arg);
	case SCHEDOP_shutdown:
		sched_shutdown(v->d, (uint8_t)arg[1]);
		return 0;
	default:
		return -XEN_ENOSYS;
	}
}
