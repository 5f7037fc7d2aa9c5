/*
 * Port I/O from a PV guest. Xen lets a PV kernel touch ports when its
 * virtual IOPL (PHYSDEVOP_set_iopl) or its I/O bitmap (set_iobitmap)
 * allows it; the access then reaches hardware only for ports the domain
 * owns, which a domU never does: reads return all ones, writes vanish.
 * Linux sets IOPL 1 at boot and probes PCI configuration ports this way.
 * cli and sti follow the same rule.
 */
#include "emulate_io.h"

/* Xen's iopl_ok: the virtual IOPL covers the guest's virtual CPL (1 for a
 * PV kernel, 0 with VMASST_TYPE_architectural_iopl, 3 for user mode). */
static bool iopl_ok(struct vcpu *v)
{
	bool arch_iopl = v->d->vm_assist & (1ULL << VMASST_TYPE_architectural_iopl);
	unsigned int cpl = v->kernel_mode ? (arch_iopl ? 0 : 1) : 3;

	return cpl <= v->iopl;
}

bool guest_io_okay(struct vcpu *v, unsigned int port, unsigned int bytes)
{
	if (iopl_ok(v))
		return true;
	if (!v->iobmp || port + bytes > v->iobmp_nr)
		return false;
	/* every port of the access must have its bit clear */
	for (unsigned int p = port; p < port + bytes; p++) {
		uint8_t b;
		if (copy_from_guest(v, &b, v->iobmp + p / 8, 1) < 0 || (b >> (p % 8)) & 1)
			return false;
	}
	return true;
}

bool emulate_port_io(struct vcpu *v)
{
	struct vcpu_regs *r = &v->regs;
	uint8_t b[3];
	unsigned int i = 0, size = 4, port;
	bool in;

	for (unsigned int n = 0; n < sizeof(b); n++)
		if (copy_from_guest(v, &b[n], r->rip + n, 1) < 0)
			b[n] = 0;
	if (b[0] == 0x66) {
		size = 2;
		i++;
	}
	switch (b[i]) {
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:	/* in/out with imm8 port */
		port = b[i + 1];
		in = b[i] < 0xe6;
		if (!(b[i] & 1))
			size = 1;
		i += 2;
		break;
	case 0xec: case 0xed: case 0xee: case 0xef:	/* in/out with %dx */
		port = (uint16_t)r->rdx;
		in = b[i] < 0xee;
		if (!(b[i] & 1))
			size = 1;
		i += 1;
		break;
	case 0xfa: case 0xfb:
		/* cli/sti: allowed by the virtual IOPL, and then, as on Xen, no-ops
		 * (a PV kernel masks events through vcpu_info, not EFLAGS.IF) */
		if (i || !iopl_ok(v))
			return false;
		r->rip += 1;
		v->regs_dirty = true;
		return true;
	default:
		return false;
	}
	if (!guest_io_okay(v, port, size))
		return false;
	if (in) {
		uint64_t ones = size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;
		if (size == 4)
			r->rax = ones;	/* a 32-bit result zero-extends */
		else
			r->rax = (r->rax & ~ones) | ones;
	}
	r->rip += i;
	v->regs_dirty = true;
	return true;
}
