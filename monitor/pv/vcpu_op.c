/*
 * HYPERVISOR_vcpu_op, with Xen's checks and error codes (do_vcpu_op in
 * xen/arch/x86/domain.c, common_vcpu_op and map_guest_area in
 * xen/common/domain.c).
 */
#include "vcpu_op.h"

#include <stdlib.h>
#include <string.h>

#include <xen/sched.h>
#include <xen/vcpu.h>

#include "evtchn.h"
#include "mmu.h"
#include "segments.h"

#define STIME_DELTA_MAX ((int64_t)(~0ULL >> 2))
#define MIN_PERIOD_NS 1000000	/* 1 ms */
#define MAX_LDT_ENTRIES 8192

static struct vcpu_op_vcpu *op_of(struct vcpu *v)
{
	return &evtchn_vcpu_of(v)->op;
}

struct vcpu_info *vcpu_info_of(struct vcpu *v)
{
	struct evtchn_state *es = v->d->evtchn;
	struct vcpu_info *vi = es ? __atomic_load_n(&es->vcpu[v->id].op.vcpu_info, __ATOMIC_ACQUIRE)
				  : NULL;

	return vi ? vi : &v->d->shared_info->vcpu_info[v->id];
}

bool vcpu_take_initial_context(struct vcpu *v, struct vcpu_guest_context *out)
{
	struct vcpu_op_vcpu *op = op_of(v);
	struct vcpu_guest_context *c;

	pthread_mutex_lock(&op->lock);
	c = op->initial;
	op->initial = NULL;
	pthread_mutex_unlock(&op->lock);
	if (!c)
		return false;
	*out = *c;
	free(c);
	return true;
}

bool vcpu_take_nmi(struct vcpu *v)
{
	return __atomic_exchange_n(&op_of(v)->nmi_pending, 0, __ATOMIC_SEQ_CST);
}

/* ---- guest areas given by physical address (Xen's map_guest_area) --------------- */

/* The host address of [gpa, gpa + size) if it is a valid area, else NULL
 * with *rc set: -ENXIO if it crosses a page or is misaligned, -EINVAL if
 * it is not the guest's RAM. */
static void *guest_area(struct domain *d, uint64_t gpa, uint64_t size, long *rc)
{
	if ((gpa >> PAGE_SHIFT) != ((gpa + size - 1) >> PAGE_SHIFT) || gpa % sizeof(xen_ulong_t)) {
		*rc = -XEN_ENXIO;
		return NULL;
	}
	if ((gpa >> PAGE_SHIFT) >= d->nr_pages) {
		*rc = -XEN_EINVAL;
		return NULL;
	}
	*rc = 0;
	return d->ram + gpa;
}

/* Move t's vcpu_info to mfn:offset, once; the old contents come along and
 * every event is marked pending, so that none is lost in the move. */
static long register_vcpu_info(struct vcpu *t, const struct vcpu_register_vcpu_info *r)
{
	struct vcpu_op_vcpu *op = op_of(t);
	uint64_t gpa = (r->mfn << PAGE_SHIFT) + r->offset;
	struct vcpu_info *vi;
	long rc;

	if (gpa == ~0ULL || (gpa >> PAGE_SHIFT) != r->mfn)
		return -XEN_EINVAL;
	if (__atomic_load_n(&op->vcpu_info, __ATOMIC_ACQUIRE))
		return -XEN_EBUSY;
	vi = guest_area(t->d, gpa, sizeof(*vi), &rc);
	if (!vi)
		return rc;
	memcpy(vi, vcpu_info_of(t), sizeof(*vi));
	__atomic_store_n(&op->vcpu_info, vi, __ATOMIC_RELEASE);
	t->vcpu_info_gpa = gpa;
	__atomic_store_n(&vi->evtchn_pending_sel, ~0ULL, __ATOMIC_SEQ_CST);
	evtchn_mark_events_pending(t);
	time_update_vcpu(t);
	return 0;
}

/* ---- VCPUOP_initialise, up, down ------------------------------------------------------ */

/* The checks Xen's arch_set_info_guest makes on a 64-bit PV context before
 * it takes the GDT and page-table frames (which are checked as they are). */
static bool context_ok(const struct vcpu_guest_context *c)
{
	if (c->debugreg[6] != (uint32_t)c->debugreg[6] ||
	    c->debugreg[7] != (uint32_t)c->debugreg[7])
		return false;
	for (unsigned int i = 0; i < 4; i++)
		if (!guest_addr_ok(c->debugreg[i]))
			return false;
	if (!is_canonical(c->user_regs.rip) || !is_canonical(c->user_regs.rsp) ||
	    !is_canonical(c->kernel_sp) || (c->ldt_ents && !is_canonical(c->ldt_base)) ||
	    !is_canonical(c->fs_base) || !is_canonical(c->gs_base_kernel) ||
	    !is_canonical(c->gs_base_user) || !is_canonical(c->event_callback_eip) ||
	    !is_canonical(c->syscall_callback_eip) || !is_canonical(c->failsafe_callback_eip))
		return false;
	for (unsigned int i = 0; i < 256; i++)
		if (!is_canonical(c->trap_ctxt[i].address))
			return false;
	if (!guest_addr_ok(c->ldt_base) || c->ldt_base % PAGE_SIZE || c->ldt_ents > MAX_LDT_ENTRIES)
		return false;
	if (c->gdt_ents > FIRST_RESERVED_GDT_ENTRY)
		return false;
	/* Starting in user mode needs user page tables. */
	if (!(c->flags & VGCF_in_kernel) && !c->ctrlreg[1])
		return false;
	return true;
}

/* The frames of the context: its GDT, then its page tables (Xen's order). */
static long take_frames(struct vcpu *v, struct vcpu *t, const struct vcpu_guest_context *c)
{
	long rc = segments_set_gdt(v, t, c->gdt_frames, (unsigned int)c->gdt_ents);

	if (rc)
		return rc;
	rc = mmu_vcpu_set_tables(v, t, xen_cr3_to_pfn(c->ctrlreg[3]),
				 xen_cr3_to_pfn(c->ctrlreg[1]));
	if (rc)
		segments_destroy_gdt(v, t);
	return rc;
}

static void set_online(struct vcpu *t, bool online)
{
	pthread_mutex_lock(&t->lock);
	t->online = online;
	pthread_cond_broadcast(&t->wake);
	pthread_mutex_unlock(&t->lock);
}

static long vcpu_initialise(struct vcpu *v, struct vcpu *t, uint64_t gva)
{
	struct vcpu_op_vcpu *op = op_of(t);
	struct vcpu_guest_context *c = malloc(sizeof(*c));
	bool online = false;
	long rc = 0;

	if (!c)
		return -XEN_ENOMEM;
	if (copy_from_guest(v, c, gva, sizeof(*c)) < 0) {
		free(c);
		return -XEN_EFAULT;
	}
	/* Hypercalls are serialised (d->lock): nobody initialises t meanwhile. */
	pthread_mutex_lock(&op->lock);
	if (op->initialised)
		rc = -XEN_EEXIST;
	pthread_mutex_unlock(&op->lock);
	if (!rc && !context_ok(c))
		rc = -XEN_EINVAL;
	if (!rc)
		rc = take_frames(v, t, c);
	if (!rc) {
		pthread_mutex_lock(&op->lock);
		op->initialised = true;
		online = c->flags & VGCF_online;
		free(op->initial);
		op->initial = c;
		c = NULL;
		pthread_mutex_unlock(&op->lock);
	}
	free(c);
	if (online) {
		set_online(t, true);
		sched_resume(t);
	}
	return rc;
}

static long vcpu_up(struct vcpu *t)
{
	struct vcpu_op_vcpu *op = op_of(t);
	bool initialised;

	pthread_mutex_lock(&op->lock);
	initialised = op->initialised;
	pthread_mutex_unlock(&op->lock);
	if (!initialised)
		return -XEN_EINVAL;
	if (!__atomic_load_n(&t->online, __ATOMIC_SEQ_CST)) {
		set_online(t, true);
		sched_resume(t);
	}
	return 0;
}

/* Taking the last vCPU down powers the domain off, as on Xen. */
static long vcpu_down(struct vcpu *v, struct vcpu *t)
{
	struct domain *d = v->d;
	bool others = false;

	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (i != t->id && __atomic_load_n(&d->vcpu[i].online, __ATOMIC_SEQ_CST))
			others = true;
	if (!others) {
		sched_shutdown(d, SHUTDOWN_poweroff);
		return 0;
	}
	if (__atomic_load_n(&t->online, __ATOMIC_SEQ_CST)) {
		set_online(t, false);
		sched_deschedule(v, t, RUNSTATE_offline);
		vcpu_kick(t);	/* out of the guest, to wait until it is up again */
	}
	return 0;
}

/* ---- timers --------------------------------------------------------------------------- */

static long set_singleshot(struct vcpu *v, struct vcpu *t, uint64_t gva)
{
	struct vcpu_set_singleshot_timer s;

	if (t != v)
		return -XEN_EINVAL;
	if (copy_from_guest(v, &s, gva, sizeof(s)) < 0)
		return -XEN_EFAULT;
	/* Xen ignores VCPU_SSHOTTMR_future: a past timeout fires at once. */
	if (s.timeout_abs_ns < (uint64_t)domain_system_time(v->d)) {
		time_set_singleshot(t, 0);
		time_send_timer_event(t);
	} else {
		time_set_singleshot(t, (int64_t)s.timeout_abs_ns);
	}
	return 0;
}

static long set_periodic(struct vcpu *v, struct vcpu *t, uint64_t gva)
{
	struct vcpu_set_periodic_timer p;

	if (copy_from_guest(v, &p, gva, sizeof(p)) < 0)
		return -XEN_EFAULT;
	if (p.period_ns < MIN_PERIOD_NS || p.period_ns > (uint64_t)STIME_DELTA_MAX)
		return -XEN_EINVAL;
	time_set_periodic(t, p.period_ns);
	return 0;
}

/* ---- runstate and time areas -------------------------------------------------------------- */

static long register_runstate_va(struct vcpu *v, struct vcpu *t, uint64_t gva)
{
	struct vcpu_register_runstate_memory_area a;
	struct vcpu_runstate_info r;

	if (copy_from_guest(v, &a, gva, sizeof(a)) < 0 || !guest_addr_ok(a.addr))
		return -XEN_EFAULT;
	t->runstate_gva = a.addr;
	/* Another vCPU's time is counted up to now; our own as it stands. */
	sched_runstate_get(t, &r, t != v);
	sched_runstate_write_va(v, t, &r);
	return 0;
}

static long register_runstate_phys(struct vcpu *v, struct vcpu *t, uint64_t gva)
{
	uint64_t gpa;
	void *area = NULL;
	long rc = 0;

	if (copy_from_guest(v, &gpa, gva, sizeof(gpa)) < 0)
		return -XEN_EFAULT;
	if (gpa != ~0ULL) {	/* ~0: unregister */
		area = guest_area(v->d, gpa, sizeof(struct vcpu_runstate_info), &rc);
		if (!area)
			return rc;
	}
	sched_set_runstate_area(v, t, area);
	return 0;
}

static long register_time_va(struct vcpu *v, struct vcpu *t, uint64_t gva)
{
	struct vcpu_register_time_memory_area a;

	if (copy_from_guest(v, &a, gva, sizeof(a)) < 0 || !guest_addr_ok(a.addr))
		return -XEN_EFAULT;
	time_set_area_gva(v, t, a.addr);
	return 0;
}

static long register_time_phys(struct vcpu *v, struct vcpu *t, uint64_t gva)
{
	uint64_t gpa;
	void *area = NULL;
	long rc = 0;

	if (copy_from_guest(v, &gpa, gva, sizeof(gpa)) < 0)
		return -XEN_EFAULT;
	if (gpa != ~0ULL) {
		area = guest_area(v->d, gpa, sizeof(struct vcpu_time_info), &rc);
		if (!area)
			return rc;
	}
	time_set_area(t, area);
	return 0;
}

/* ---- the hypercall ------------------------------------------------------------------------- */

long do_vcpu_op(struct vcpu *v, const uint64_t arg[5])
{
	struct domain *d = v->d;
	int cmd = (int)arg[0];
	unsigned int id = (unsigned int)arg[1];
	uint64_t gva = arg[2];

	if (id >= d->nr_vcpus)
		return -XEN_ENOENT;
	struct vcpu *t = &d->vcpu[id];

	switch (cmd) {
	case VCPUOP_initialise:
		return vcpu_initialise(v, t, gva);
	case VCPUOP_up:
		return vcpu_up(t);
	case VCPUOP_down:
		return vcpu_down(v, t);
	case VCPUOP_is_up:
		return __atomic_load_n(&t->online, __ATOMIC_SEQ_CST);
	case VCPUOP_get_runstate_info: {
		struct vcpu_runstate_info r;
		sched_runstate_get(t, &r, true);
		return copy_to_guest(v, gva, &r, sizeof(r)) < 0 ? -XEN_EFAULT : 0;
	}
	case VCPUOP_register_runstate_memory_area:
		return register_runstate_va(v, t, gva);
	case VCPUOP_register_runstate_phys_area:
		return register_runstate_phys(v, t, gva);
	case VCPUOP_set_periodic_timer:
		return set_periodic(v, t, gva);
	case VCPUOP_stop_periodic_timer:
		time_set_periodic(t, 0);
		return 0;
	case VCPUOP_set_singleshot_timer:
		return set_singleshot(v, t, gva);
	case VCPUOP_stop_singleshot_timer:
		if (t != v)
			return -XEN_EINVAL;
		time_set_singleshot(t, 0);
		return 0;
	case VCPUOP_register_vcpu_info: {
		struct vcpu_register_vcpu_info r;
		if (copy_from_guest(v, &r, gva, sizeof(r)) < 0)
			return -XEN_EFAULT;
		return register_vcpu_info(t, &r);
	}
	case VCPUOP_register_vcpu_time_memory_area:
		return register_time_va(v, t, gva);
	case VCPUOP_register_vcpu_time_phys_area:
		return register_time_phys(v, t, gva);
	case VCPUOP_send_nmi:
		if (gva)
			return -XEN_EINVAL;
		if (!__atomic_exchange_n(&op_of(t)->nmi_pending, 1, __ATOMIC_SEQ_CST))
			vcpu_kick(t);
		return 0;
	case VCPUOP_get_physid:
		return -XEN_EINVAL;	/* only for the hardware domain's pinned vCPUs */
	default:
		mlog_once(d, "unknown VCPUOP %d (vCPU %u, %#llx)", cmd, id,
			  (unsigned long long)gva);
		return -XEN_ENOSYS;
	}
}
