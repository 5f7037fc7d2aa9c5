/*
 * `mov` to and from control registers, which the guest kernel (at CPL3)
 * cannot execute: reads return the guest's view (CR0 with its virtual TS,
 * CR2 of the last #PF, CR3 of its current page tables, its CR4); writes may
 * change only what Xen lets a PV kernel change (CR0.TS; CR4 bits that make
 * no difference to a PV guest). A CR3 write is refused (#GP): PV kernels
 * switch page tables with MMUEXT_NEW_BASEPTR.
 */
#include "emulate_cr.h"

static uint64_t *gpr(struct vcpu_regs *r, unsigned int n)
{
	uint64_t *regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
			       &r->r8,  &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
	return regs[n & 15];
}

bool emulate_cr_access(struct vcpu *v)
{
	uint8_t b[4];
	unsigned int i = 0;
	bool rex_r = false, rex_b = false;

	if (!v->kernel_mode)
		return false;
	for (unsigned int n = 0; n < sizeof(b); n++)
		if (copy_from_guest(v, &b[n], v->regs.rip + n, 1) < 0)
			return false;
	if ((b[0] & 0xf0) == 0x40) {
		rex_r = b[0] & 4;
		rex_b = b[0] & 1;
		i++;
	}
	if (b[i] != 0x0f || (b[i + 1] != 0x20 && b[i + 1] != 0x22) || (b[i + 2] >> 6) != 3)
		return false;
	bool write = b[i + 1] == 0x22;
	unsigned int cr = ((b[i + 2] >> 3) & 7) | (rex_r ? 8 : 0);
	uint64_t *reg = gpr(&v->regs, (b[i + 2] & 7) | (rex_b ? 8 : 0));
	uint64_t cr4 = v->cr4 ? v->cr4 : GUEST_CR4_DEFAULT;

	if (!write) {
		switch (cr) {
		case 0: *reg = GUEST_CR0 | (v->fpu_ts ? 8 : 0); break;
		case 2: *reg = v->cr2; break;
		case 3: *reg = vcpu_current_l4(v) << PAGE_SHIFT; break;
		case 4: *reg = cr4; break;
		default: return false;
		}
	} else {
		switch (cr) {
		case 0:
			if ((*reg ^ GUEST_CR0) & ~8ULL)
				return false;
			v->fpu_ts = *reg & 8;
			v->sregs_dirty = true;
			break;
		case 4:
			/* PGE/PSE/PCE/TSD and friends mean nothing to a PV guest; the
			 * rest (PAE, the FXSR pair) must stay as they are */
			if ((*reg ^ GUEST_CR4_DEFAULT) & GUEST_CR4_DEFAULT)
				return false;
			v->cr4 = *reg;
			break;
		default:
			return false;
		}
	}
	v->regs.rip += i + 3;
	v->regs_dirty = true;
	return true;
}
