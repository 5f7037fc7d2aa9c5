/*
 * The vCPU threads. Each runs its vCPU until an exit, turns the exit into a
 * Xen PV event (hypercall, syscall, exception), and resumes the guest. The
 * offset stored to in the doorbell page says which stub left the VM:
 *
 *   0xf1       a hypercall-page slot (from guest user mode: a user syscall,
 *              as the `syscall` in Xen's slot would be)
 *   0xf0       the LSTAR stub: a hypercall by `syscall` from guest kernel
 *              mode, or a guest user syscall to bounce to the guest kernel
 *   0x80 + v   an exception stub; the hardware frame is on our CPL0 stack
 *   0xf2       the store stub's way back (pt_store.c)
 *   0xf3       nothing: a bare exit, for measuring what an exit costs
 *
 * Before every entry the pending event upcall is delivered, the register
 * state is written back, and queued page-table stores are handed to the
 * CPL0 store stub that runs on the way in (pt_store.c).
 */
#include "vcpu.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include <xen/callback.h>

#include "emulate.h"
#include "hvarea.h"
#include "kvm/kvm.h"
#include "pv/evtchn.h"
#include "pv/mmu.h"
#include "pv/sched.h"
#include "pv/vcpu_op.h"
#include "pv/time.h"
#include "traps.h"

#define KICK_SIGNAL SIGUSR1

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void vcpu_kick(struct vcpu *v)
{
	pthread_mutex_lock(&v->lock);
	v->kick = 1;
	pthread_cond_broadcast(&v->wake);
	pthread_mutex_unlock(&v->lock);
	if (v->kvm)
		kvm_vcpu_request_exit(v->kvm);
	if (v->thread_started && __atomic_load_n(&v->running, __ATOMIC_ACQUIRE))
		pthread_kill(v->thread, KICK_SIGNAL);
}

static bool must_wait(struct vcpu *v)
{
	struct domain *d = v->d;

	if (d->dying)
		return false;
	if (v->paused || !v->online || d->state == DOM_SHUTDOWN)
		return true;
	if (v->blocked) {
		if (!vcpu_event_pending(v))
			return true;
		v->blocked = false;
	}
	return false;
}

static void wait_until_runnable(struct vcpu *v)
{
	pthread_mutex_lock(&v->lock);
	while (must_wait(v))
		pthread_cond_wait(&v->wake, &v->lock);
	v->kick = 0;
	pthread_mutex_unlock(&v->lock);
}

/* Write back what the PV code changed; flush: also flush the guest TLB. */
static int sync_to_kvm(struct vcpu *v, bool flush)
{
	if (v->sregs_dirty || flush) {
		struct vcpu_sregs s = {
			.cs = FLAT_KERNEL_CS64,
			.ss = FLAT_KERNEL_SS64,
			.cr3 = vcpu_current_l4(v) << PAGE_SHIFT,
			.cr0 = v->fpu_ts ? (1ULL << 3) : 0,
			.fs_base = v->fs_base,
			.gs_base = v->kernel_mode ? v->gs_base_kernel : v->gs_base_user,
		};
		if (kvm_vcpu_set_cpl3(v->kvm, &s, flush) < 0)
			return -1;
		if (flush)
			mmu_note_tlb_flushed(v);	/* it takes effect at this entry */
		v->sregs_dirty = false;
		v->exit_cpl = 3;
	}
	if (v->regs_dirty) {
		if (kvm_vcpu_set_regs(v->kvm, &v->regs) < 0)
			return -1;
		v->regs_dirty = false;
	}
	return 0;
}

static bool cr3_changes(struct vcpu *v)
{
	struct vcpu_sregs s;

	return v->sregs_dirty && kvm_vcpu_get_sregs(v->kvm, &s) == 0 &&
	       s.cr3 != vcpu_current_l4(v) << PAGE_SHIFT;
}

static void do_hypercall(struct vcpu *v)
{
	struct vcpu_regs *r = &v->regs;
	uint64_t arg[5] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8 };
	unsigned int nr = (unsigned int)r->rax;
	long ret;

	if (nr < EXIT_STATS_HYPERCALLS)
		v->stats.hypercall[nr]++;
	else
		v->stats.other++;
	pthread_mutex_lock(&v->d->lock);
	ret = hypercall_dispatch(v, nr, arg);
	pthread_mutex_unlock(&v->d->lock);
	if (ret != HYPERCALL_NO_RETURN)
		r->rax = (uint64_t)ret;
	v->regs_dirty = true;
	if (v->d->trace)
		mlog(v->d, "v%u hypercall %u (%#llx %#llx %#llx %#llx %#llx) = %ld", v->id, nr,
		     (unsigned long long)arg[0], (unsigned long long)arg[1],
		     (unsigned long long)arg[2], (unsigned long long)arg[3],
		     (unsigned long long)arg[4], ret);
}

static void handle_syscall_exit(struct vcpu *v)
{
	struct vcpu_regs *r = &v->regs;

	if (v->exit_cpl == 0)
		v->sregs_dirty = true;	/* a VMX/SVM host entered the stub at CPL0 */
	if (!v->kernel_mode) {
		v->stats.user_syscall++;
		pv_user_syscall(v);
		return;
	}
	/* A hypercall made with `syscall`: it returns to rcx with flags r11. */
	uint64_t ret_rip = r->rcx, ret_flags = r->r11;
	do_hypercall(v);
	if (r->rip == HV_AREA_VA + HV_SYSCALL_OFF + HV_DOORBELL_INSN_LEN) {
		/* not redirected by the hypercall (iret does) */
		r->rip = ret_rip;
		r->rflags = (ret_flags & ~0x3000ULL) | 0x200;
	}
}

/* The CPU left the hardware frame on our CPL0 stack: make it the guest's
 * register state again, then deliver or emulate. */
static void handle_exception(struct vcpu *v, unsigned int vec)
{
	static const uint32_t has_err = (1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) |
					(1u << 13) | (1u << 14) | (1u << 17) | (1u << 21) |
					(1u << 29) | (1u << 30);
	bool err_present = vec < 32 && (has_err >> vec) & 1;
	uint64_t sp = v->regs.rsp;
	uint64_t *f = hvarea_ptr(v->d, sp, (5 + err_present) * 8);
	struct vcpu_sregs s;

	if (!f || kvm_vcpu_get_sregs(v->kvm, &s) < 0) {
		domain_crash(v->d, "exception %u with a bad CPL0 stack %#llx", vec,
			     (unsigned long long)sp);
		return;
	}
	uint32_t err = err_present ? (uint32_t)f[0] : 0;
	f += err_present;
	if ((f[1] & 3) != 3) {
		domain_crash(v->d, "exception %u inside the monitor's CPL0 code at %#llx", vec,
			     (unsigned long long)f[0]);
		return;
	}
	v->regs.rip = f[0];
	v->regs.rflags = f[2];
	v->regs.rsp = f[3];
	v->regs_dirty = true;
	v->sregs_dirty = true;
	v->cr2 = s.cr2;
	if (v->d->trace)
		mlog(v->d, "v%u exception %u error %#x at %#llx cr2 %#llx (%s mode)", v->id, vec, err,
		     (unsigned long long)v->regs.rip, (unsigned long long)v->cr2,
		     v->kernel_mode ? "kernel" : "user");
	if (emulate_exception(v, vec, err)) {
		v->stats.exception_emulated[vec & 31]++;
		if (v->d->trace)
			mlog(v->d, "v%u   emulated: rax %#llx rbx %#llx rcx %#llx rdx %#llx", v->id,
			     (unsigned long long)v->regs.rax, (unsigned long long)v->regs.rbx,
			     (unsigned long long)v->regs.rcx, (unsigned long long)v->regs.rdx);
		return;
	}
	v->stats.exception_delivered[vec & 31]++;
	pv_inject_exception(v, vec, err_present, err);
}

/*
 * A guest `int3` is a software exception, and KVM_GET_VCPU_EVENTS leaves
 * software exceptions out; on this host rip is already past the int3
 * while KVM holds the #BP, and loading registers then drops it. So a kick
 * that stopped the vCPU just past an 0xcc byte may have caught a #BP on its
 * way: the vCPU is let run to its exit, and kicked again shortly in case
 * the byte was only the end of some other instruction.
 */
static bool bp_may_be_pending(struct vcpu *v)
{
	uint8_t b;

	return copy_from_guest(v, &b, v->regs.rip - 1, 1) == 0 && b == 0xcc;
}

#define REKICK_NS 200000

static void arm_rekick(struct vcpu *v)
{
	struct itimerspec t = { .it_value.tv_nsec = REKICK_NS };

	if (timer_settime(v->rekick_timer, 0, &t, NULL) < 0)
		mlog_once(v->d, "cannot arm the re-kick timer: %s", strerror(errno));
}

/*
 * The doorbell page is mapped for CPL3, so guest code can store to it as
 * well as our stubs can. An exit counts only where a stub rings it: the
 * hypercall page's slots are the guest's own code (a store from there is
 * a hypercall, or a system call in user mode, as Xen's `syscall` would
 * be), the others are ours and rip shows which rang.
 */
static bool doorbell_from_stub(struct vcpu *v, unsigned int bell)
{
	uint64_t stub_end = HV_AREA_VA + HV_DOORBELL_INSN_LEN;

	switch (bell) {
	case DOORBELL_HYPERCALL:
		return true;
	case DOORBELL_SYSCALL:
		return v->regs.rip == stub_end + HV_SYSCALL_OFF;
	case DOORBELL_STORES_DONE:
		/* (pt_stub_returned puts back the rip the stub was to return to) */
		return v->regs.rip == stub_end + HV_STORES_DONE_OFF && pt_stub_returned(v);
	}
	if (bell < DOORBELL_EXCEPTION || bell >= DOORBELL_EXCEPTION + 32)
		return false;
	/* the exception stubs are supervisor-only: that rip means CPL0 */
	return v->regs.rip ==
	       stub_end + HV_STUBS_OFF + (bell - DOORBELL_EXCEPTION) * HV_EXC_STUB_SIZE;
}

static void handle_exit(struct vcpu *v, const struct kvm_exit *e)
{
	struct domain *d = v->d;

	switch (e->kind) {
	case KEXIT_INTR: {
		v->stats.kick++;
		/* A kick stopped the guest wherever it was: take that state, so
		 * an upcall is framed there and not at the previous exit. */
		struct vcpu_sregs s;
		if (kvm_vcpu_get_regs(v->kvm, &v->regs) < 0 || kvm_vcpu_get_sregs(v->kvm, &s) < 0) {
			domain_crash(d, "cannot read vCPU %u state", v->id);
			return;
		}
		v->exit_cpl = s.cpl;
		/* Mid-transition: inside a CPL0 stub (the store stub is made to
		 * return here first), on the way back from one, or with a guest
		 * exception KVM raised but has not delivered yet (it would be
		 * delivered at whatever rip an upcall frame left). */
		if (s.cpl != 3)
			pt_stub_interrupted(v, v->regs.rip);
		v->rekick = s.cpl == 3 && bp_may_be_pending(v);
		v->in_transition = s.cpl != 3 || v->stub_return_pending || v->rekick ||
				   kvm_vcpu_event_in_flight(v->kvm);
		return;
	}
	case KEXIT_SHUTDOWN:
		domain_crash(d, "triple fault on vCPU %u", v->id);
		return;
	case KEXIT_DOORBELL:
		if (e->doorbell == DOORBELL_NOP) {
			v->stats.other++;
			return;
		}
		break;
	case KEXIT_IGNORED:
		v->stats.other++;
		return;
	default:
		domain_crash(d, "unexpected KVM exit %u (detail %#llx) on vCPU %u", e->raw_reason,
			     (unsigned long long)e->hw_reason, v->id);
		return;
	}
	if (kvm_vcpu_get_regs(v->kvm, &v->regs) < 0) {
		domain_crash(d, "cannot read vCPU %u registers", v->id);
		return;
	}
	if (!doorbell_from_stub(v, e->doorbell)) {
		/* guest code stored there itself: the store does nothing */
		v->stats.other++;
		v->exit_cpl = 3;
	} else if (e->doorbell == DOORBELL_HYPERCALL) {
		v->exit_cpl = 3;
		if (!v->kernel_mode) {
			v->stats.user_syscall++;
			pv_user_hypercall_page(v);
			return;
		}
		do_hypercall(v);
	} else if (e->doorbell == DOORBELL_SYSCALL) {
		struct vcpu_sregs s;
		if (kvm_vcpu_get_sregs(v->kvm, &s) < 0) {
			domain_crash(d, "cannot read vCPU %u state", v->id);
			return;
		}
		v->exit_cpl = s.cpl;
		handle_syscall_exit(v);
	} else if (e->doorbell == DOORBELL_STORES_DONE) {
		v->stats.other++;
		v->exit_cpl = 3;
	} else {
		v->exit_cpl = 0;
		handle_exception(v, e->doorbell - DOORBELL_EXCEPTION);
	}
}

/* VCPUOP_initialise gave this vCPU a context (secondary CPUs): take it.
 * The GDT and page tables were taken when the hypercall was made. */
static void load_initial_context(struct vcpu *v)
{
	struct vcpu_guest_context c;

	if (!vcpu_take_initial_context(v, &c))
		return;
	const struct cpu_user_regs *u = &c.user_regs;
	v->regs = (struct vcpu_regs){
		.rax = u->rax, .rbx = u->rbx, .rcx = u->rcx, .rdx = u->rdx,
		.rsi = u->rsi, .rdi = u->rdi, .rsp = u->rsp, .rbp = u->rbp,
		.r8 = u->r8, .r9 = u->r9, .r10 = u->r10, .r11 = u->r11,
		.r12 = u->r12, .r13 = u->r13, .r14 = u->r14, .r15 = u->r15,
		.rip = u->rip, .rflags = (u->rflags & ~0x3000ULL) | 0x200,
	};
	v->kernel_mode = c.flags & VGCF_in_kernel;
	/* as Xen's arch_set_info_guest: the context's IOPL is the virtual one */
	v->iopl = (u->rflags >> 12) & 3;
	memcpy(v->traps, c.trap_ctxt, sizeof(v->traps));
	v->cb_event.eip = c.event_callback_eip;
	v->cb_failsafe.eip = c.failsafe_callback_eip;
	v->cb_failsafe.flags = c.flags & VGCF_failsafe_disables_events ? CALLBACKF_mask_events : 0;
	v->cb_syscall.eip = c.syscall_callback_eip;
	v->cb_syscall.flags = c.flags & VGCF_syscall_disables_events ? CALLBACKF_mask_events : 0;
	v->kernel_ss = c.kernel_ss;
	v->kernel_sp = c.kernel_sp;
	v->fs_base = c.fs_base;
	v->gs_base_kernel = c.gs_base_kernel;
	v->gs_base_user = c.gs_base_user;
	memcpy(v->dr, c.debugreg, sizeof(v->dr));
	v->regs_dirty = true;
	v->sregs_dirty = true;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct domain *d = v->d;
	struct kvm_exit e;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = KICK_SIGNAL };
	ev._sigev_un._tid = gettid();	/* glibc 2.36 names no accessor for it */
	if (timer_create(CLOCK_MONOTONIC, &ev, &v->rekick_timer) < 0) {
		domain_crash(d, "cannot create vCPU %u's re-kick timer: %s", v->id, strerror(errno));
		return NULL;
	}
	time_update_vcpu(v);
	while (!d->dying) {
		wait_until_runnable(v);
		if (d->dying)
			break;
		sched_vcpu_running(v);	/* runstate, missed periodic ticks */
		load_initial_context(v);
		/* Stopped mid-transition: resume it exactly as it was, so it
		 * runs to its exit first; an upcall, a TLB flush or other
		 * state loaded now would land inside that transition. */
		bool in_transition = v->in_transition;
		if (!in_transition) {
			pv_deliver_upcall(v);
			/* The stub runs on the address space the vCPU stopped
			 * in: one it is about to switch to may get Xen's slots
			 * from this very queue. */
			if (v->pt_queued && cr3_changes(v) && pt_flush(v) < 0)
				continue;
			bool flush = __atomic_exchange_n(&v->tlb_flush, false, __ATOMIC_ACQ_REL);
			if (sync_to_kvm(v, flush) < 0) {
				domain_crash(d, "cannot load vCPU %u state", v->id);
				continue;
			}
		}
		if (v->kick) {
			v->kick = 0;
			continue;
		}
		v->in_transition = false;
		if (!in_transition && pt_enter_stores(v) < 0) {
			domain_crash(d, "cannot enter the store stub on vCPU %u", v->id);
			continue;
		}
		if (v->rekick) {
			v->rekick = false;
			arm_rekick(v);
		}
		int64_t t0 = now_ns();
		__atomic_store_n(&v->running, 1, __ATOMIC_RELEASE);
		int r = kvm_vcpu_run(v->kvm, &e);
		__atomic_store_n(&v->running, 0, __ATOMIC_RELEASE);
		v->cpu_time_ns += now_ns() - t0;
		if (r < 0) {
			domain_crash(d, "KVM_RUN failed on vCPU %u: %s", v->id, strerror(errno));
			continue;
		}
		if (!v->exits++ && v->id == 0) {
			struct timespec rt;
			clock_gettime(CLOCK_REALTIME, &rt);
			mlog(d, "first guest exit at realtime %lld ns",
			     (long long)rt.tv_sec * 1000000000 + rt.tv_nsec);
		}
		handle_exit(v, &e);
	}
	timer_delete(v->rekick_timer);
	return NULL;
}

int vcpus_start(struct domain *d)
{
	sigset_t set;

	kvm_install_kick_signal(KICK_SIGNAL);
	/* Only vCPU threads take the kick signal. */
	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		if (pthread_create(&v->thread, NULL, vcpu_thread, v) != 0)
			return -1;
		v->thread_started = true;
	}
	return 0;
}

void vcpus_stop(struct domain *d)
{
	d->dying = true;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_kick(&d->vcpu[i]);
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		if (v->thread_started && !pthread_equal(v->thread, pthread_self())) {
			pthread_join(v->thread, NULL);
			v->thread_started = false;
		}
	}
}

static void set_paused(struct domain *d, bool paused)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		pthread_mutex_lock(&v->lock);
		v->paused = paused;
		pthread_mutex_unlock(&v->lock);
		vcpu_kick(v);
	}
	if (d->state == DOM_RUNNING || d->state == DOM_PAUSED)
		d->state = paused ? DOM_PAUSED : DOM_RUNNING;
}

void domain_pause(struct domain *d)
{
	set_paused(d, true);
}

void domain_unpause(struct domain *d)
{
	set_paused(d, false);
}
