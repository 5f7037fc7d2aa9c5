/*
 * Xen PV delivery of exceptions, syscalls, NMIs and events to the guest
 * kernel, and the hypercalls that configure them (Xen's
 * create_bounce_frame, pv/traps.c, pv/callback.c, pv/iret.c).
 *
 * The bounce frame, from the top of the new guest stack down:
 *   ss, rsp, rflags, cs | saved_upcall_mask << 32, rip, [error code], r11, rcx
 * It goes on the current stack if the guest was in kernel mode (its saved
 * CS then has RPL 0, which tells the guest kernel it interrupted itself),
 * else on the stack registered with stack_switch after switching to kernel
 * mode; 16-byte aligned either way. The saved RFLAGS carries IF as the
 * inverse of the saved event mask, and the virtual IOPL only under
 * VMASST_TYPE_architectural_iopl.
 */
#include "traps.h"

#include <string.h>

#include <xen/callback.h>

#include "pv/vcpu_op.h"

#define X86_EFLAGS_MBS 0x2ULL	/* bit 1 always reads as one */
#define X86_EFLAGS_TF 0x100ULL
#define X86_EFLAGS_IF 0x200ULL
#define X86_EFLAGS_DF 0x400ULL
#define X86_EFLAGS_IOPL 0x3000ULL
#define X86_EFLAGS_NT 0x4000ULL
#define X86_EFLAGS_RF 0x10000ULL
#define X86_EFLAGS_VM 0x20000ULL
#define X86_EFLAGS_AC 0x40000ULL
#define X86_EFLAGS_ALL 0x3f7fd5ULL	/* every defined flag */
#define PFEC_USER 0x4u
#define X86_EXC_NMI 2
#define X86_EXC_UD 6
#define X86_EXC_GP 13
#define X86_EXC_PF 14

/* Xen's fixup_guest_{stack,code}_selector: a 64-bit PV guest's selectors
 * have RPL 3. */
static uint16_t guest_rpl(uint64_t sel)
{
	return (uint16_t)((sel & 3) == 3 ? sel : (sel & ~3ULL) | 3);
}

void pv_toggle_mode(struct vcpu *v)
{
	v->kernel_mode = !v->kernel_mode;
	v->sregs_dirty = true;
}

int pv_bounce(struct vcpu *v, uint64_t eip, uint16_t cs, uint16_t ss, bool has_err, uint32_t err,
	      bool mask_events)
{
	struct vcpu_info *vi = vcpu_info_of(v);
	struct vcpu_regs *r = &v->regs;
	uint64_t frame[8], sp;
	unsigned int n = 0;

	if (!eip) {
		domain_crash(v->d, "no guest handler for a bounce (cs %#x rip %#llx)", cs,
			     (unsigned long long)r->rip);
		return -1;
	}
	if (v->d->trace)
		mlog(v->d, "v%u bounce to %#llx from rip %#llx rsp %#llx", v->id,
		     (unsigned long long)eip, (unsigned long long)r->rip, (unsigned long long)r->rsp);
	if (v->kernel_mode) {
		sp = r->rsp;
		cs &= ~3;	/* tells the guest kernel it interrupted itself */
	} else {
		pv_toggle_mode(v);
		sp = v->kernel_sp;
	}
	sp &= ~0xfULL;
	uint8_t saved_mask = vi->evtchn_upcall_mask;
	uint64_t rflags = r->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL);
	if (!saved_mask)
		rflags |= X86_EFLAGS_IF;
	if (__atomic_load_n(&v->d->vm_assist, __ATOMIC_RELAXED) &
	    (1ULL << VMASST_TYPE_architectural_iopl))
		rflags |= (uint64_t)(v->iopl & 3) << 12;
	frame[n++] = r->rcx;
	frame[n++] = r->r11;
	if (has_err)
		frame[n++] = err;
	frame[n++] = r->rip;
	frame[n++] = cs | ((uint64_t)saved_mask << 32);
	frame[n++] = rflags;
	frame[n++] = r->rsp;
	frame[n++] = ss;
	sp -= n * 8;
	if (copy_to_guest(v, sp, frame, n * 8) < 0) {
		domain_crash(v->d, "cannot write a bounce frame at %#llx", (unsigned long long)sp);
		return -1;
	}
	if (mask_events)
		vi->evtchn_upcall_mask = 1;
	r->rsp = sp;
	r->rip = eip;
	/* as the CPU does on a trap; the guest always runs with IF set */
	r->rflags = (r->rflags & ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_VM |
				   X86_EFLAGS_AC | X86_EFLAGS_IOPL)) | X86_EFLAGS_IF;
	v->regs_dirty = true;
	v->sregs_dirty = true;
	return 0;
}

static int bounce_to_trap(struct vcpu *v, const struct trap_info *ti, bool has_err, uint32_t err)
{
	return pv_bounce(v, ti->address, v->kernel_mode ? FLAT_KERNEL_CS : FLAT_USER_CS,
			 v->kernel_mode ? FLAT_KERNEL_SS : FLAT_USER_SS, has_err, err,
			 TI_GET_IF(ti) != 0);
}

void pv_inject_exception(struct vcpu *v, unsigned int vec, bool has_err, uint32_t err)
{
	const struct trap_info *ti = &v->traps[vec & 255];

	if (vec == X86_EXC_PF) {
		v->guest_cr2 = v->cr2;
		vcpu_info_of(v)->arch.cr2 = v->cr2;
		/* the user bit tells the guest's own mode, not the CPU's */
		err = (err & ~PFEC_USER) | (v->kernel_mode ? 0 : PFEC_USER);
	}
	if (!ti->address) {
		domain_crash(v->d, "unhandled exception %u (error %#x) at %#llx, no trap handler", vec,
			     err, (unsigned long long)v->regs.rip);
		return;
	}
	bounce_to_trap(v, ti, has_err, err);
}

/* Xen's process_nmi: an NMI sent with VCPUOP_send_nmi goes to trap entry 2
 * (the NMI callback) unless one is being handled; with no handler it is
 * dropped. */
static bool deliver_nmi(struct vcpu *v)
{
	if (v->nmi_masked || !vcpu_take_nmi(v))
		return false;
	if (!v->traps[X86_EXC_NMI].address)
		return false;
	v->nmi_masked = true;
	return bounce_to_trap(v, &v->traps[X86_EXC_NMI], false, 0) == 0;
}

bool pv_deliver_upcall(struct vcpu *v)
{
	struct vcpu_info *vi = vcpu_info_of(v);

	if (deliver_nmi(v))
		return true;
	if (!__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE) || vi->evtchn_upcall_mask ||
	    !v->cb_event.eip)
		return false;
	return pv_bounce(v, v->cb_event.eip, v->kernel_mode ? FLAT_KERNEL_CS : FLAT_USER_CS,
			 v->kernel_mode ? FLAT_KERNEL_SS : FLAT_USER_SS, false, 0, true) == 0;
}

void pv_user_syscall(struct vcpu *v)
{
	/* As after `syscall`: return address in rcx, flags in r11. */
	v->regs.rip = v->regs.rcx;
	v->regs.rflags = v->regs.r11;
	if (!v->cb_syscall.eip) {
		/* Xen raises #UD at the syscall instruction */
		v->regs.rip -= 2;
		pv_inject_exception(v, X86_EXC_UD, false, 0);
		return;
	}
	if (pv_bounce(v, v->cb_syscall.eip, FLAT_USER_CS64, FLAT_USER_SS64, false, 0,
		      v->cb_syscall.flags & CALLBACKF_mask_events) == 0)
		v->regs.rflags &= ~X86_EFLAGS_DF;	/* the PV ABI's syscall mask */
}

void pv_user_hypercall_page(struct vcpu *v)
{
	/* Xen's slot runs `syscall` where ours rings the doorbell: the same state */
	v->regs.rcx = v->regs.rip;
	v->regs.r11 = v->regs.rflags;
	pv_user_syscall(v);
}

/*
 * `int n`, as Xen's IDT makes it: vectors 3 and 4 are #BP and #OF whatever
 * DPL the guest gave them (Xen's gates are DPL 3); 0x80 goes straight to a
 * registered handler (Xen's int80 gate); any other vector needs a guest
 * DPL that admits the caller (1 for the kernel, 3 for user mode), else
 * #GP with the IDT vector in the error code.
 */
void pv_soft_interrupt(struct vcpu *v, unsigned int n, unsigned int insn_len)
{
	const struct trap_info *ti = &v->traps[n & 255];
	unsigned int need = v->kernel_mode ? 1 : 3;

	if (n == 3 || n == 4) {
		v->regs.rip += insn_len;
		pv_inject_exception(v, n, false, 0);
		return;
	}
	if (ti->address && (TI_GET_DPL(ti) >= need || n == 0x80)) {
		v->regs.rip += insn_len;
		bounce_to_trap(v, ti, false, 0);
		return;
	}
	pv_inject_exception(v, X86_EXC_GP, true, (n << 3) | 2);
}

long do_set_trap_table(struct vcpu *v, const uint64_t arg[5])
{
	uint64_t p = arg[0];
	struct trap_info t;

	if (!p) {
		memset(v->traps, 0, sizeof(v->traps));
		return 0;
	}
	/* Entries are installed one by one: those before a bad one stay. */
	for (;; p += sizeof(t)) {
		if (copy_from_guest(v, &t, p, sizeof(t)) < 0)
			return -XEN_EFAULT;
		if (!t.address)
			return 0;
		if (!is_canonical(t.address))
			return -XEN_EINVAL;
		t.cs = guest_rpl(t.cs);
		v->traps[t.vector] = t;
		if (v->d->dying)
			return 0;
	}
}

long do_iret(struct vcpu *v, const uint64_t arg[5])
{
	struct iret_context c;
	struct vcpu_regs *r = &v->regs;

	(void)arg;
	if (copy_from_guest(v, &c, r->rsp, sizeof(c)) < 0) {
		domain_crash(v->d, "iret: bad frame at %#llx", (unsigned long long)r->rsp);
		return HYPERCALL_NO_RETURN;
	}
	if (v->d->trace) {
		uint64_t top = 0;
		copy_from_guest(v, &top, c.rsp, sizeof(top));
		mlog(v->d, "v%u iret to %#llx cs %#llx rsp %#llx ([rsp] %#llx) flags %#llx", v->id,
		     (unsigned long long)c.rip, (unsigned long long)c.cs, (unsigned long long)c.rsp,
		     (unsigned long long)top, (unsigned long long)c.flags);
	}
	if ((c.cs & 3) == 3) {
		if (!v->guest_table_user) {
			domain_crash(v->d, "iret to user mode without a user page table");
			return HYPERCALL_NO_RETURN;
		}
		pv_toggle_mode(v);
	}
	if (__atomic_load_n(&v->d->vm_assist, __ATOMIC_RELAXED) &
	    (1ULL << VMASST_TYPE_architectural_iopl))
		v->iopl = (c.rflags & X86_EFLAGS_IOPL) >> 12;
	r->rip = c.rip;
	r->rflags = (c.rflags & X86_EFLAGS_ALL & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) |
		    X86_EFLAGS_IF | X86_EFLAGS_MBS;
	r->rsp = c.rsp;
	if (!(c.flags & VGCF_in_syscall)) {
		r->r11 = c.r11;
		r->rcx = c.rcx;
	}
	r->rax = c.rax;
	vcpu_info_of(v)->evtchn_upcall_mask = !(c.rflags & X86_EFLAGS_IF);
	v->nmi_masked = false;
	v->regs_dirty = true;
	v->sregs_dirty = true;
	/* The CPU's own iret to a non-canonical rip faults; Xen delivers that
	 * #GP as if the guest context it restored had raised it. */
	if (!is_canonical(c.rip))
		pv_inject_exception(v, X86_EXC_GP, true, 0);
	return HYPERCALL_NO_RETURN;
}

long do_stack_switch(struct vcpu *v, const uint64_t arg[5])
{
	v->kernel_ss = guest_rpl(arg[0]);
	v->kernel_sp = arg[1];
	return 0;
}

/* ---- callbacks -------------------------------------------------------------- */

static long register_callback(struct vcpu *v, unsigned int type, uint16_t flags, uint64_t address)
{
	struct pv_callback *cb;

	if (!is_canonical(address))
		return -XEN_EINVAL;
	switch (type) {
	case CALLBACKTYPE_event: cb = &v->cb_event; flags = 0; break;
	case CALLBACKTYPE_failsafe: cb = &v->cb_failsafe; break;
	case CALLBACKTYPE_syscall: cb = &v->cb_syscall; break;
	case CALLBACKTYPE_syscall32:
	case CALLBACKTYPE_sysenter:
		/* 32-bit entry points: accepted and never used (no compat guests) */
		return 0;
	case CALLBACKTYPE_nmi: {
		/* the NMI callback is trap entry 2, events masked */
		struct trap_info *t = &v->traps[X86_EXC_NMI];
		memset(t, 0, sizeof(*t));
		t->vector = X86_EXC_NMI;
		t->cs = FLAT_KERNEL_CS;
		t->address = address;
		TI_SET_IF(t, 1);
		return 0;
	}
	default:
		return -XEN_ENOSYS;
	}
	cb->eip = address;
	cb->flags = flags & CALLBACKF_mask_events;
	return 0;
}

long do_set_callbacks(struct vcpu *v, const uint64_t arg[5])
{
	/* a non-canonical address leaves that callback as it was */
	register_callback(v, CALLBACKTYPE_event, 0, arg[0]);
	register_callback(v, CALLBACKTYPE_failsafe, 0, arg[1]);
	register_callback(v, CALLBACKTYPE_syscall, 0, arg[2]);
	return 0;
}

long do_callback_op(struct vcpu *v, const uint64_t arg[5])
{
	struct callback_register reg;
	struct callback_unregister unreg;

	switch (arg[0]) {
	case CALLBACKOP_register:
		if (copy_from_guest(v, &reg, arg[1], sizeof(reg)) < 0)
			return -XEN_EFAULT;
		return register_callback(v, reg.type, reg.flags, reg.address);
	case CALLBACKOP_unregister:
		if (copy_from_guest(v, &unreg, arg[1], sizeof(unreg)) < 0)
			return -XEN_EFAULT;
		switch (unreg.type) {
		case CALLBACKTYPE_event:
		case CALLBACKTYPE_failsafe:
		case CALLBACKTYPE_syscall:
		case CALLBACKTYPE_syscall32:
		case CALLBACKTYPE_sysenter:
			return -XEN_EINVAL;	/* only the NMI callback can go */
		case CALLBACKTYPE_nmi:
			memset(&v->traps[X86_EXC_NMI], 0, sizeof(v->traps[X86_EXC_NMI]));
			return 0;
		default:
			return -XEN_ENOSYS;
		}
	default:
		return -XEN_ENOSYS;
	}
}

long do_fpu_taskswitch(struct vcpu *v, const uint64_t arg[5])
{
	v->fpu_ts = arg[0] != 0;
	v->sregs_dirty = true;
	return 0;
}
