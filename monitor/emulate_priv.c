/*
 * Xen's emulation of privileged instructions for a PV guest (see
 * emulate_priv.h). The guest kernel counts as ring 0 here, as Xen's
 * emulator fakes it; from guest user mode only port I/O, cli and sti can
 * be allowed (virtual IOPL 3, or the I/O bitmap).
 *
 * A domU owns no I/O ports: reads of a port it may touch return all ones
 * and writes vanish, except the two latches Xen keeps per domain (the RTC
 * index at 0x70 and the PCI configuration address at 0xcf8, as dwords).
 * String I/O (ins, outs) is not emulated: it stays a #GP.
 */
#include "emulate_priv.h"

#include <string.h>
#include <x86intrin.h>

#include "emulate.h"
#include "hypercall_page.h"
#include "insn.h"
#include "pv/debugreg.h"
#include "pv/mmu.h"
#include "traps.h"

#define X86_CR0_TS 0x8ULL
/* What the vCPU runs with: PG AM WP NE ET MP PE (kvm/kvm.c). */
#define GUEST_CR0 0x80050033ULL
/* The hardware bits a PV guest sees (PAE OSFXSR OSXMMEXCPT); of the bits
 * Xen lets a guest choose (TSD DE FSGSBASE OSXSAVE) none is offered. */
#define GUEST_CR4 0x620ULL
#define X86_EFLAGS_TF 0x100ULL
#define DR6_BS (1ULL << 14)
#define DR6_DEFAULT 0xffff0ff0ULL

#define MSR_IA32_TSC 0x10u
#define MSR_IA32_PLATFORM_ID 0x17u
#define MSR_IA32_APIC_BASE 0x1bu
#define MSR_IA32_UCODE_REV 0x8bu
#define MSR_IA32_FEATURE_CONTROL 0x3au
#define FEATURE_CONTROL_LOCKED 0x1ULL
#define MSR_IA32_MPERF 0xe7u
#define MSR_IA32_APERF 0xe8u
#define MSR_IA32_THERM_CONTROL 0x19au
#define MSR_IA32_MISC_ENABLE 0x1a0u
#define MSR_IA32_ENERGY_PERF_BIAS 0x1b0u
#define MSR_IA32_CR_PAT 0x277u
#define MSR_IA32_PERF_CAPABILITIES 0x345u
#define MSR_EFER 0xc0000080u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_SHADOW_GS_BASE 0xc0000102u
#define MSR_K8_HWCR 0xc0010015u
#define MSR_AMD64_NB_CFG 0xc001001fu
#define MSR_K7_FID_VID_CTL 0xc0010041u
#define MSR_K7_FID_VID_STATUS 0xc0010042u
#define MSR_K8_PSTATE_LIMIT 0xc0010061u
#define MSR_K8_PSTATE7 0xc001006bu
#define XEN_MSR_BASE 0x40000000u	/* Xen's MSRs: the hypercall page, then nothing */
#define XEN_MSR_LAST 0x400001ffu

#define APIC_DEFAULT_BASE 0xfee00000ULL
#define APIC_BASE_ENABLE 0x800ULL
#define APIC_BASE_BSP 0x100ULL
/* MISC_ENABLE as Xen shows it: fast strings, and BTS, PEBS and xTPR off. */
#define GUEST_MISC_ENABLE ((1ULL << 0) | (1ULL << 11) | (1ULL << 12) | (1ULL << 23))
#define EFER_VALUE 0xd01ULL	/* SCE LME LMA NXE */
/* Xen's PAT for PV guests (WB, WT, UC-, UC, WC, WP, UC, UC). */
#define XEN_PV_PAT 0x050100070406ULL

#define RTC_INDEX_PORT 0x70
#define RTC_DATA_PORT 0x71
#define PCI_CF8 0xcf8

enum result {
	EMULATED,	/* done: rip moves past the instruction */
	REFUSED,	/* not emulated: the #GP(0) goes to the guest */
	DELIVERED,	/* another exception was delivered instead */
};

uint64_t emulate_guest_cr0(const struct vcpu *v)
{
	return GUEST_CR0 | (v->fpu_ts ? X86_CR0_TS : 0);
}

static bool host_is_intel(struct vcpu *v)
{
	uint32_t r[4];

	emulate_cpuid(v, 0, 0, r);
	return !memcmp(&r[1], "Genu", 4);
}

/* ---- MSRs ---------------------------------------------------------------- */

/* Xen's hypercall-page MSR: the frame of the written address (page offset
 * 0 only) must be one the guest may write, then it becomes a hypercall
 * page. */
static bool write_hypercall_page_msr(struct vcpu *v, uint64_t val)
{
	struct domain *d = v->d;
	uint64_t mfn = val >> PAGE_SHIFT;
	enum frame_type t;
	uint32_t count;
	bool ok;

	if (val & (PAGE_SIZE - 1))
		return false;
	mmu_lock(d);
	ok = mmu_ram_owned(d, mfn);
	if (ok) {
		/* Xen's get_page_type(PGT_writable_page) */
		t = mmu_frame_type(d, mfn, &count);
		ok = !count || t == FT_NONE || t == FT_WRITABLE;
	}
	if (ok)
		hypercall_page_fill(d->ram + (mfn << PAGE_SHIFT));
	mmu_unlock(d);
	return ok;
}

static bool amd_msr(uint32_t idx)
{
	return idx == MSR_K7_FID_VID_CTL || idx == MSR_K7_FID_VID_STATUS ||
	       (idx >= MSR_K8_PSTATE_LIMIT && idx <= MSR_K8_PSTATE7);
}

static bool read_msr(struct vcpu *v, uint32_t idx, uint64_t *val)
{
	*val = 0;
	if (idx >= XEN_MSR_BASE && idx <= XEN_MSR_LAST)
		return idx == XEN_MSR_BASE;	/* the hypercall-page MSR reads as zero */
	switch (idx) {
	case MSR_FS_BASE: *val = v->fs_base; return true;
	case MSR_GS_BASE: *val = v->gs_base_kernel; return true;
	case MSR_SHADOW_GS_BASE: *val = v->gs_base_user; return true;
	case MSR_EFER: *val = EFER_VALUE; return true;
	case MSR_IA32_CR_PAT: *val = XEN_PV_PAT; return true;
	case MSR_IA32_PERF_CAPABILITIES: return true;
	case MSR_IA32_UCODE_REV: return true;	/* no microcode revision to report */
	case MSR_IA32_TSC:
		*val = __rdtsc() + (uint64_t)v->d->tsc_offset;
		return true;
	case MSR_IA32_APIC_BASE:
		*val = APIC_DEFAULT_BASE | APIC_BASE_ENABLE | (v->id == 0 ? APIC_BASE_BSP : 0);
		return true;
	case MSR_IA32_MISC_ENABLE:
		*val = GUEST_MISC_ENABLE;
		return host_is_intel(v);
	case MSR_IA32_PLATFORM_ID:
		return host_is_intel(v);
	case MSR_IA32_FEATURE_CONTROL:
		/* as Xen: locked, nothing (VMX, SMX, LMCE) enabled */
		*val = FEATURE_CONTROL_LOCKED;
		return host_is_intel(v);
	case MSR_AMD64_NB_CFG:
		return !host_is_intel(v);
	default:
		if (amd_msr(idx))
			return !host_is_intel(v);
		/* Xen fakes a read as zero for a guest without a #GP handler */
		if (!v->traps[13].address) {
			mlog_once(v->d, "rdmsr %#x read as zero: no #GP handler yet", idx);
			return true;
		}
		mlog_once(v->d, "rdmsr %#x not emulated: #GP to the guest", idx);
		return false;
	}
}

static bool write_msr(struct vcpu *v, uint32_t idx, uint64_t val)
{
	if (idx == XEN_MSR_BASE)
		return write_hypercall_page_msr(v, val);
	switch (idx) {
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_SHADOW_GS_BASE:
		if (!is_canonical(val))
			return false;
		if (idx == MSR_FS_BASE)
			v->fs_base = val;
		else if (idx == MSR_GS_BASE)
			v->gs_base_kernel = val;
		else
			v->gs_base_user = val;
		v->sregs_dirty = true;
		return true;
	case MSR_EFER:
		/* Linux writes back what it read; a change is refused */
		return val == EFER_VALUE;
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_THERM_CONTROL:
	case MSR_IA32_ENERGY_PERF_BIAS:
		return host_is_intel(v);	/* accepted and ignored, as for a domU on Xen */
	case MSR_K8_HWCR:
	case MSR_AMD64_NB_CFG:
		return !host_is_intel(v);
	case MSR_IA32_MPERF:
	case MSR_IA32_APERF:
		return true;
	case MSR_IA32_UCODE_REV:
		/* Intel's "clear, cpuid, read" of the revision: Xen takes a 0 */
		return host_is_intel(v) && val == 0;
	default:
		if (amd_msr(idx))
			return !host_is_intel(v);
		mlog_once(v->d, "wrmsr %#x <- %#llx not emulated: #GP to the guest", idx,
			  (unsigned long long)val);
		return false;
	}
}

static enum result op_msr(struct vcpu *v, bool write)
{
	struct vcpu_regs *r = &v->regs;
	uint32_t idx = (uint32_t)r->rcx;
	uint64_t val;

	if (write)
		return write_msr(v, idx, (r->rdx << 32) | (uint32_t)r->rax) ? EMULATED : REFUSED;
	if (!read_msr(v, idx, &val))
		return REFUSED;
	r->rax = (uint32_t)val;
	r->rdx = val >> 32;
	return EMULATED;
}

/* ---- control and debug registers ---------------------------------------- */

static enum result read_cr(struct vcpu *v, unsigned int cr, uint64_t *val)
{
	switch (cr) {
	case 0: *val = emulate_guest_cr0(v); return EMULATED;
	case 2: *val = v->guest_cr2; return EMULATED;
	case 3: *val = v->guest_table << PAGE_SHIFT; return EMULATED;	/* the kernel's L4 */
	case 4: *val = GUEST_CR4; return EMULATED;
	default: return REFUSED;
	}
}

static enum result write_cr(struct vcpu *v, unsigned int cr, uint64_t val)
{
	switch (cr) {
	case 0:
		/* only TS is the guest's to change (fpu_taskswitch) */
		if ((val ^ GUEST_CR0) & ~X86_CR0_TS)
			return REFUSED;
		v->fpu_ts = val & X86_CR0_TS;
		v->sregs_dirty = true;
		return EMULATED;
	case 2:
		v->guest_cr2 = val;
		vcpu_info_of(v)->arch.cr2 = val;
		return EMULATED;
	case 3:
		/* as MMUEXT_NEW_BASEPTR (Xen's new_guest_cr3) */
		return mmu_vcpu_set_tables(v, v, val >> PAGE_SHIFT, 0) ? REFUSED : EMULATED;
	case 4:
		/* Xen drops what the guest may not choose; nothing is left */
		if (val & ~GUEST_CR4)
			mlog_once(v->d, "CR4 write %#llx: only %#llx is kept", (unsigned long long)val,
				  (unsigned long long)GUEST_CR4);
		return EMULATED;
	default:
		return REFUSED;
	}
}

/* DR4 and DR5 alias DR6 and DR7 (CR4.DE is never set for the guest). */
static enum result move_dr(struct vcpu *v, unsigned int dr, uint64_t *reg, bool write)
{
	if (dr > 7) {
		pv_inject_exception(v, 6, false, 0);
		return DELIVERED;
	}
	if (dr == 4 || dr == 5)
		dr += 2;
	if (write) {
		const uint64_t arg[5] = { dr, *reg };
		return do_set_debugreg(v, arg) ? REFUSED : EMULATED;
	}
	const uint64_t arg[5] = { dr };
	*reg = (uint64_t)do_get_debugreg(v, arg);
	return EMULATED;
}

/* ---- port I/O ------------------------------------------------------------ */

/* Xen's iopl_ok: the virtual IOPL against the guest's virtual CPL (1 for a
 * PV kernel, 0 with the architectural_iopl assist, 3 in user mode). */
static bool iopl_ok(const struct vcpu *v)
{
	bool arch = __atomic_load_n(&v->d->vm_assist, __ATOMIC_RELAXED) &
		    (1ULL << VMASST_TYPE_architectural_iopl);
	unsigned int cpl = v->kernel_mode ? (arch ? 0 : 1) : 3;

	return cpl <= v->iopl;
}

/* Xen's guest_io_okay: the IOPL, else the I/O bitmap, read (two bytes, as
 * the CPU reads a TSS bitmap) through the kernel's page tables. */
static enum result io_allowed(struct vcpu *v, unsigned int port, unsigned int bytes)
{
	uint64_t at = v->iobmp + (port >> 3);
	uint8_t mask[2];
	bool km = v->kernel_mode;
	int rc0, rc1;

	if (iopl_ok(v))
		return EMULATED;
	if (port + bytes > v->iobmp_nr)
		return REFUSED;
	v->kernel_mode = true;
	rc0 = copy_from_guest(v, &mask[0], at, 1);
	rc1 = rc0 ? rc0 : copy_from_guest(v, &mask[1], at + 1, 1);
	v->kernel_mode = km;
	if (rc0 || rc1) {
		/* Xen reports the fault at bitmap + access size - bytes not read */
		v->cr2 = at + bytes - (rc0 ? 2 : 1);
		pv_inject_exception(v, 14, true, 0);
		return DELIVERED;
	}
	if ((((unsigned int)mask[1] << 8 | mask[0]) >> (port & 7)) & ((1u << bytes) - 1))
		return REFUSED;
	return EMULATED;
}

static uint32_t port_read(struct domain *d, unsigned int port, unsigned int bytes)
{
	uint32_t data = 0;

	if (port == PCI_CF8 && bytes == 4)
		return d->pci_cf8;
	for (unsigned int i = 0; i < bytes; i++) {
		uint32_t b = 0xff;
		if (port + i == RTC_INDEX_PORT)
			b = d->cmos_idx;
		data |= b << (8 * i);
	}
	return data;
}

static void port_write(struct domain *d, unsigned int port, unsigned int bytes, uint32_t data)
{
	if (port == PCI_CF8 && bytes == 4) {
		d->pci_cf8 = data;
		return;
	}
	for (unsigned int i = 0; i < bytes; i++, data >>= 8)
		if (port + i == RTC_INDEX_PORT)
			d->cmos_idx = data & 0x7f;
}

static enum result op_io(struct vcpu *v, const struct insn *in)
{
	struct vcpu_regs *r = &v->regs;
	bool imm = in->op < 0xe8, is_in = !(in->op & 2);
	unsigned int bytes = !(in->op & 1) ? 1 : in->opsize16 ? 2 : 4;
	unsigned int port = imm ? (unsigned int)in->imm : (uint16_t)r->rdx;
	enum result res = io_allowed(v, port, bytes);

	if (res != EMULATED)
		return res;
	pthread_mutex_lock(&v->d->lock);
	if (is_in) {
		uint32_t val = port_read(v->d, port, bytes);
		if (bytes == 4)
			r->rax = val;	/* a 32-bit result zero-extends */
		else if (bytes == 2)
			r->rax = (r->rax & ~0xffffULL) | val;
		else
			r->rax = (r->rax & ~0xffULL) | val;
	} else {
		port_write(v->d, port, bytes, (uint32_t)r->rax);
	}
	pthread_mutex_unlock(&v->d->lock);
	return EMULATED;
}

/* ---- dispatch ------------------------------------------------------------ */

static enum result kernel_op(struct vcpu *v, const struct insn *in)
{
	uint64_t *reg;

	switch (in->op) {
	case 0x06:	/* clts */
		v->fpu_ts = false;
		v->sregs_dirty = true;
		return EMULATED;
	case 0x09:	/* wbinvd: ignored for a domU */
		return EMULATED;
	case 0x20: case 0x22:
		reg = vcpu_gpr(&v->regs, in->rm);
		return in->op == 0x20 ? read_cr(v, in->reg, reg) : write_cr(v, in->reg, *reg);
	case 0x21: case 0x23:
		return move_dr(v, in->reg, vcpu_gpr(&v->regs, in->rm), in->op == 0x23);
	case 0x30: case 0x32:
		return op_msr(v, in->op == 0x30);
	default:
		return REFUSED;
	}
}

static enum result emulate(struct vcpu *v, const struct insn *in)
{
	if (in->twobyte)
		return v->kernel_mode ? kernel_op(v, in) : REFUSED;
	switch (in->op) {
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
	case 0xec: case 0xed: case 0xee: case 0xef:
		return op_io(v, in);
	case 0xfa: case 0xfb:
		/* cli/sti: allowed by the virtual IOPL, and then no-ops (events
		 * are masked through vcpu_info), as on Xen */
		return iopl_ok(v) ? EMULATED : REFUSED;
	default:
		return REFUSED;
	}
}

bool emulate_privileged_op(struct vcpu *v)
{
	uint8_t buf[INSN_MAX_LEN];
	struct insn in;
	int got = emulate_fetch(v, buf, sizeof(buf));
	enum result res;

	if (got <= 0 || insn_decode(&in, buf, (unsigned int)got) < 0)
		return false;
	res = emulate(v, &in);
	if (res == REFUSED)
		return false;
	if (res == EMULATED) {
		v->regs.rip += in.len;
		v->regs_dirty = true;
		/* a single-stepped instruction traps after it, as on hardware */
		if (v->regs.rflags & X86_EFLAGS_TF) {
			v->dr[6] = (v->dr[6] ? v->dr[6] : DR6_DEFAULT) | DR6_BS;
			pv_inject_exception(v, 1, false, 0);
		}
	}
	return true;
}
