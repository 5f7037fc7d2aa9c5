/*
 * Emulation of the privileged or virtualised instructions a PV guest kernel
 * may trap on. Everything else is bounced to the guest as the exception it
 * raised, as Xen does.
 */
#include "emulate.h"

#include <string.h>

#include "hvarea.h"
#include "kvm/kvm.h"
#include "traps.h"

#define XEN_CPUID_BASE 0x40000000u
#define XEN_MAJOR 4
#define XEN_MINOR 17

#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SFMASK 0xc0000084u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_SHADOW_GS_BASE 0xc0000102u
#define MSR_TSC_AUX 0xc0000103u
#define MSR_IA32_TSC 0x10u
#define MSR_IA32_PLATFORM_ID 0x17u
#define MSR_IA32_APIC_BASE 0x1bu
#define MSR_IA32_MISC_ENABLE 0x1a0u
#define MSR_IA32_CR_PAT 0x277u
#define MSR_IA32_SYSENTER_CS 0x174u
#define MSR_IA32_SYSENTER_ESP 0x175u
#define MSR_IA32_SYSENTER_EIP 0x176u
#define MSR_IA32_UCODE_REV 0x8bu

/* Xen's PAT for PV guests (WB, WT, UC-, UC, WC, WP, UC, UC as Xen sets it). */
#define XEN_PV_PAT 0x050100070406ULL

static int fetch(struct vcpu *v, uint8_t *buf, unsigned int len)
{
	uint64_t rip = v->regs.rip;
	unsigned int in_page = 4096 - (rip & 0xfff);

	memset(buf, 0, len);
	if (in_page >= len)
		return copy_from_guest(v, buf, rip, len) < 0 ? -1 : (int)len;
	if (copy_from_guest(v, buf, rip, in_page) < 0)
		return -1;
	if (copy_from_guest(v, buf + in_page, rip + in_page, len - in_page) < 0)
		return (int)in_page;
	return (int)len;
}

void emulate_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	memset(out, 0, 4 * sizeof(uint32_t));
	if (leaf >= XEN_CPUID_BASE && leaf < XEN_CPUID_BASE + 0x100) {
		switch (leaf - XEN_CPUID_BASE) {
		case 0:
			out[0] = XEN_CPUID_BASE + 2;	/* largest Xen leaf we describe */
			memcpy(&out[1], "XenV", 4);
			memcpy(&out[2], "MMXe", 4);
			memcpy(&out[3], "nVMM", 4);
			break;
		case 1:
			out[0] = (XEN_MAJOR << 16) | XEN_MINOR;
			break;
		case 2:
			out[0] = 1;			/* hypercall pages */
			out[1] = XEN_CPUID_BASE;	/* MSR that would set one up */
			break;
		}
		return;
	}
	/* the same table KVM gives the guest's native cpuid */
	kvm_vm_cpuid(v->d->kvm, leaf, subleaf, out);
}

static bool read_msr(struct vcpu *v, uint32_t idx, uint64_t *val)
{
	switch (idx) {
	case MSR_FS_BASE: *val = v->fs_base; return true;
	case MSR_GS_BASE: *val = v->kernel_mode ? v->gs_base_kernel : v->gs_base_user; return true;
	case MSR_SHADOW_GS_BASE: *val = v->kernel_mode ? v->gs_base_user : v->gs_base_kernel; return true;
	case MSR_EFER: *val = 0xd01; return true;	/* SCE LME LMA NXE */
	case MSR_IA32_CR_PAT: *val = XEN_PV_PAT; return true;
	case MSR_IA32_MISC_ENABLE: *val = 1; return true;	/* fast strings */
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_UCODE_REV:
	case MSR_STAR: case MSR_LSTAR: case MSR_CSTAR: case MSR_SFMASK:
	case MSR_IA32_SYSENTER_CS: case MSR_IA32_SYSENTER_ESP: case MSR_IA32_SYSENTER_EIP:
		*val = 0;
		return true;
	default:
		return false;
	}
}

static bool write_msr(struct vcpu *v, uint32_t idx, uint64_t val)
{
	bool canonical = (uint64_t)((int64_t)(val << 16) >> 16) == val;

	switch (idx) {
	case MSR_FS_BASE:
		if (!canonical)
			return false;
		v->fs_base = val;
		break;
	case MSR_GS_BASE:
		if (!canonical)
			return false;
		if (v->kernel_mode)
			v->gs_base_kernel = val;
		else
			v->gs_base_user = val;
		break;
	case MSR_SHADOW_GS_BASE:
		if (!canonical)
			return false;
		if (v->kernel_mode)
			v->gs_base_user = val;
		else
			v->gs_base_kernel = val;
		break;
	case MSR_IA32_CR_PAT:
		/* Xen's PV PAT is fixed; writing the same value is fine */
		return val == XEN_PV_PAT;
	default:
		return false;
	}
	v->sregs_dirty = true;
	return true;
}

/* rdmsr / wrmsr from guest kernel mode. */
static bool emulate_msr(struct vcpu *v, bool write)
{
	struct vcpu_regs *r = &v->regs;
	uint32_t idx = (uint32_t)r->rcx;
	uint64_t val;

	if (!v->kernel_mode)
		return false;
	if (write) {
		if (!write_msr(v, idx, (r->rdx << 32) | (uint32_t)r->rax)) {
			mlog_once(v->d, "wrmsr %#x <- %#llx not emulated: #GP to the guest", idx,
				  (unsigned long long)((r->rdx << 32) | (uint32_t)r->rax));
			return false;
		}
	} else {
		if (!read_msr(v, idx, &val)) {
			mlog_once(v->d, "rdmsr %#x not emulated: #GP to the guest", idx);
			return false;
		}
		r->rax = (uint32_t)val;
		r->rdx = val >> 32;
	}
	r->rip += 2;
	v->regs_dirty = true;
	return true;
}

static uint64_t *gpr(struct vcpu_regs *r, unsigned int n)
{
	uint64_t *regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
			       &r->r8,  &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
	return regs[n & 15];
}

/*
 * Xen's default M2P address (L4 slot 256) is reserved by this host's KVM
 * (any access there is a reserved-bit #PF), so we leave that slot empty.
 * Guests that ask
 * XENMEM_machphys_mapping (Linux) use our alias; for those that read the
 * default address directly (XTF), loads from it are emulated here: a `mov`
 * from memory into a register, which is how compiled code reads an array.
 */
static bool emulate_m2p_read(struct vcpu *v, uint32_t err)
{
	struct domain *d = v->d;
	uint8_t b[15];
	unsigned int i = 0, size = 4;
	bool rex_w = false, rex_r = false;

	if ((err & (2 | 16)) || v->cr2 < MACH2PHYS_VIRT_START || v->cr2 >= MACH2PHYS_VIRT_END)
		return false;
	if (fetch(v, b, sizeof(b)) < 3)
		return false;
	if (b[i] == 0x66) {
		size = 2;
		i++;
	}
	if ((b[i] & 0xf0) == 0x40) {
		rex_w = b[i] & 8;
		rex_r = b[i] & 4;
		i++;
	}
	uint8_t op = b[i++], modrm = 0;
	if (rex_w)
		size = 8;
	if (op == 0xa1) {
		i += 8;		/* mov moffs64 into rAX */
	} else if (op == 0x8b) {
		modrm = b[i++];
		uint8_t mod = modrm >> 6, rm = modrm & 7;
		if (mod == 3)
			return false;
		if (rm == 4) {
			uint8_t sib = b[i++];
			if (mod == 0 && (sib & 7) == 5)
				i += 4;
		} else if (mod == 0 && rm == 5) {
			i += 4;	/* rip-relative */
		}
		i += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	} else {
		return false;
	}
	if (i > sizeof(b))
		return false;

	uint64_t off = v->cr2 - MACH2PHYS_VIRT_START, val = 0;
	const void *src = off + size <= d->hva->m2p_nr * PAGE_SIZE
				  ? gpa_range(d, (d->hva->m2p_pfn << PAGE_SHIFT) + off, size)
				  : NULL;
	if (!src) {
		/* past our table: not mapped, as past Xen's */
		pv_inject_exception(v, 14, true, err & ~(8u | 1u));	/* not present */
		return true;
	}
	memcpy(&val, src, size);
	uint64_t *dst = gpr(&v->regs, (rex_r ? 8 : 0) | ((modrm >> 3) & 7));
	if (size == 2)
		*dst = (*dst & ~0xffffULL) | (val & 0xffff);
	else
		*dst = val;	/* a 32-bit load zero-extends */
	v->regs.rip += i;
	v->regs_dirty = true;
	return true;
}

bool emulate_exception(struct vcpu *v, unsigned int vec, uint32_t err)
{
	static const uint8_t xen_prefix[] = { 0x0f, 0x0b, 0x78, 0x65, 0x6e };
	uint8_t insn[8];

	if (vec == 14)
		return emulate_m2p_read(v, err);
	if (vec != 6 && vec != 13)
		return false;
	if (fetch(v, insn, sizeof(insn)) < 2)
		return false;
	/* ud2a; .ascii "xen"; cpuid */
	if (vec == 6 && !memcmp(insn, xen_prefix, 5) && insn[5] == 0x0f && insn[6] == 0xa2) {
		uint32_t out[4];
		emulate_cpuid(v, (uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, out);
		v->regs.rax = out[0];
		v->regs.rbx = out[1];
		v->regs.rcx = out[2];
		v->regs.rdx = out[3];
		v->regs.rip += 7;
		v->regs_dirty = true;
		return true;
	}
	/* `int n`: this host raises #UD for it, Xen's raise #GP((n << 3) | 2) */
	if (insn[0] == 0xcd && (vec == 6 || (err & 7) == 2)) {
		pv_soft_interrupt(v, insn[1], 2);
		return true;
	}
	if (vec == 13 && err == 0 && insn[0] == 0x0f && (insn[1] == 0x32 || insn[1] == 0x30))
		return emulate_msr(v, insn[1] == 0x30);
	return false;
}
