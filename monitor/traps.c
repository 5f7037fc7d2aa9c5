/*
 * Xen PV delivery of exceptions, syscalls and events to the guest kernel.
 *
 * The bounce frame, from the top of the new guest stack down (Xen's layout):
 *   ss, rsp, rflags, cs | saved_upcall_mask << 32, rip, [error code], r11, rcx
 * The frame goes on the current stack if the guest was in kernel mode (and
 * its saved CS then has RPL 0, which tells the guest kernel it interrupted
 * itself), else on the stack registered with stack_switch after switching
 * to kernel mode.
 */
#include "traps.h"

#include <string.h>

#include <xen/callback.h>

#define X86_EFLAGS_TF 0x100ULL
#define X86_EFLAGS_IF 0x200ULL
#define X86_EFLAGS_IOPL 0x3000ULL
#define X86_EFLAGS_NT 0x4000ULL
#define X86_EFLAGS_RF 0x10000ULL
#define X86_EFLAGS_VM 0x20000ULL
#define X86_EFLAGS_AC 0x40000ULL

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
	r->rflags = (r->rflags & ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_VM |
				   X86_EFLAGS_AC | X86_EFLAGS_IOPL)) | X86_EFLAGS_IF;
	v->regs_dirty = true;
	v->sregs_dirty = true;
	return 0;
}

void pv_inject_exception(struct vcpu *v, unsigned int vec, bool has_err, uint32_t err)
{
	const struct trap_info *ti = &v->traps[vec & 255];

	if (vec == 14)
		vcpu_info_of(v)->arch.cr2 = v->cr2;
	if (!ti->address) {
		domain_crash(v->d, "unhandled exception %u (error %#x) at %#llx, no trap handler", vec,
			     err, (unsigned long long)v->regs.rip);
		return;
	}
	pv_bounce(v, ti->address, v->kernel_mode ? FLAT_KERNEL_CS : FLAT_USER_CS,
		  v->kernel_mode ? FLAT_KERNEL_SS : FLAT_USER_SS, has_err, err, TI_GET_IF(ti) != 0);
}

bool pv_deliver_upcall(struct vcpu *v)
{
	struct vcpu_info *vi = vcpu_info_of(v);

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
		/* Xen raises #GP in the guest when no syscall callback is set */
		pv_inject_exception(v, 13, true, 0);
		return;
	}
	pv_bounce(v, v->cb_syscall.eip, FLAT_USER_CS64, FLAT_USER_SS64, false, 0,
		  v->cb_syscall.flags & CALLBACKF_mask_events);
}

void pv_soft_interrupt(struct vcpu *v, unsigned int n, unsigned int insn_len)
{
	const struct trap_info *ti = &v->traps[n & 255];
	unsigned int need = v->kernel_mode ? 1 : 3;

	if (ti->address && TI_GET_DPL(ti) >= need) {
		v->regs.rip += insn_len;
		pv_bounce(v, ti->address, v->kernel_mode ? FLAT_KERNEL_CS : FLAT_USER_CS,
			  v->kernel_mode ? FLAT_KERNEL_SS : FLAT_USER_SS, false, 0, TI_GET_IF(ti) != 0);
		return;
	}
	pv_inject_exception(v, 13, true, (n << 3) | 2);
}

long do_set_trap_table(struct vcpu *v, const uint64_t arg[5])
{
	uint64_t p = arg[0];
	struct trap_info t;

	if (!p) {
		memset(v->traps, 0, sizeof(v->traps));
		return 0;
	}
	for (unsigned int i = 0; i < 256; i++, p += sizeof(t)) {
		if (copy_from_guest(v, &t, p, sizeof(t)) < 0)
			return -XEN_EFAULT;
		if (!t.address)
			break;
		v->traps[t.vector] = t;
	}
	return 0;
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
	if ((c.cs & 3) == 3) {
		if (!v->guest_table_user) {
			domain_crash(v->d, "iret to user mode without a user page table");
			return HYPERCALL_NO_RETURN;
		}
		pv_toggle_mode(v);
	}
	r->rip = c.rip;
	r->rflags = (c.rflags & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) | X86_EFLAGS_IF;
	r->rsp = c.rsp;
	if (!(c.flags & VGCF_in_syscall)) {
		r->r11 = c.r11;
		r->rcx = c.rcx;
	}
	r->rax = c.rax;
	vcpu_info_of(v)->evtchn_upcall_mask = !(c.rflags & X86_EFLAGS_IF);
	v->regs_dirty = true;
	v->sregs_dirty = true;
	return HYPERCALL_NO_RETURN;
}

long do_stack_switch(struct vcpu *v, const uint64_t arg[5])
{
	/* Xen checks the selector is a valid guest stack segment */
	if ((arg[0] & 3) != 3 && arg[0] != 0)
		return -XEN_EPERM;
	v->kernel_ss = arg[0];
	v->kernel_sp = arg[1];
	return 0;
}

long do_set_callbacks(struct vcpu *v, const uint64_t arg[5])
{
	v->cb_event.eip = arg[0];
	v->cb_failsafe.eip = arg[1];
	v->cb_syscall.eip = arg[2];
	v->cb_syscall.flags = 0;
	return 0;
}

long do_callback_op(struct vcpu *v, const uint64_t arg[5])
{
	struct callback_register reg;
	struct callback_unregister unreg;
	struct pv_callback *cb;

	switch (arg[0]) {
	case CALLBACKOP_register:
		if (copy_from_guest(v, &reg, arg[1], sizeof(reg)) < 0)
			return -XEN_EFAULT;
		switch (reg.type) {
		case CALLBACKTYPE_event: cb = &v->cb_event; break;
		case CALLBACKTYPE_failsafe: cb = &v->cb_failsafe; break;
		case CALLBACKTYPE_syscall: cb = &v->cb_syscall; break;
		case CALLBACKTYPE_nmi: cb = &v->cb_nmi; break;
		case CALLBACKTYPE_syscall32:
		case CALLBACKTYPE_sysenter:
			/* 32-bit entry points: accepted and never used (no compat guests) */
			return 0;
		default:
			return -XEN_EINVAL;
		}
		cb->eip = reg.address;
		cb->flags = reg.flags;
		return 0;
	case CALLBACKOP_unregister:
		if (copy_from_guest(v, &unreg, arg[1], sizeof(unreg)) < 0)
			return -XEN_EFAULT;
		switch (unreg.type) {
		case CALLBACKTYPE_event: cb = &v->cb_event; break;
		case CALLBACKTYPE_failsafe: cb = &v->cb_failsafe; break;
		case CALLBACKTYPE_syscall: cb = &v->cb_syscall; break;
		case CALLBACKTYPE_syscall32:
		case CALLBACKTYPE_sysenter:
			return 0;
		case CALLBACKTYPE_nmi:
			/* Xen refuses to unregister the NMI callback */
			return -XEN_EINVAL;
		default:
			return -XEN_EINVAL;
		}
		cb->eip = 0;
		cb->flags = 0;
		return 0;
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
