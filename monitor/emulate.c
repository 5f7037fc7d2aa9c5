/*
 * The monitor's part of Xen's trap handlers for a PV guest (emulate.h):
 *
 *   #UD  Xen's forced-emulation CPUID (ud2; "xen"; cpuid); `int n`, which
 *        this host raises as #UD rather than #GP((n << 3) | 2)
 *   #NM  with the guest's virtual CR0.TS set: delivered, and TS cleared
 *   #GP  `int n` to a gate the guest's DPL allows; #GP(0) at a privileged
 *        or port I/O instruction (emulate_priv.c)
 *   #PF  in the vCPU's GDT: #GP(selector), as Xen turns a descriptor-table
 *        mapping fault; at Xen's default M2P address (which this host
 *        cannot map): the load emulated, or the fault Xen would give; a
 *        kernel store to a read-only L1 under the writable_pagetables
 *        assist: checked and done as an mmu_update
 *
 * Everything else is bounced to the guest as the exception it raised.
 */
#include "emulate.h"

#include <string.h>

#include "emulate_priv.h"
#include "hvarea.h"
#include "insn.h"
#include "kvm/kvm.h"
#include "pv/mmu.h"
#include "rmw.h"
#include "traps.h"

#include <xeno/version.h>

#define XEN_CPUID_BASE 0x40000000u
#define XEN_CPUID_MAX_LEAF 5	/* Xen's XEN_CPUID_MAX_NUM_LEAVES */
#define XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD (1u << 0)

#define PFEC_PRESENT 0x1u
#define PFEC_WRITE 0x2u
#define PFEC_USER 0x4u
#define PFEC_RSVD 0x8u
#define PFEC_IFETCH 0x10u

#define GDT_WINDOW_BYTES (16 * PAGE_SIZE)

int emulate_fetch(struct vcpu *v, uint8_t *buf, unsigned int len)
{
	uint64_t rip = v->regs.rip;
	unsigned int in_page = PAGE_SIZE - (rip & (PAGE_SIZE - 1));

	memset(buf, 0, len);
	if (in_page >= len)
		return copy_from_guest(v, buf, rip, len) < 0 ? 0 : (int)len;
	if (copy_from_guest(v, buf, rip, in_page) < 0)
		return 0;
	if (copy_from_guest(v, buf + in_page, rip + in_page, len - in_page) < 0)
		return (int)in_page;
	return (int)len;
}

static unsigned int highest_bit(uint64_t x)
{
	return x ? 63 - (unsigned int)__builtin_clzll(x) : 0;
}

/* Xen's hypervisor leaves at 0x40000000 for a PV domain. */
static void xen_leaf(struct vcpu *v, uint32_t idx, uint32_t subleaf, uint32_t out[4])
{
	struct domain *d = v->d;

	switch (idx) {
	case 0:
		out[0] = XEN_CPUID_BASE + XEN_CPUID_MAX_LEAF;
		memcpy(&out[1], "XenV", 4);
		memcpy(&out[2], "MMXe", 4);
		memcpy(&out[3], "nVMM", 4);
		break;
	case 1:
		out[0] = (XENO_XEN_MAJOR << 16) | XENO_XEN_MINOR;
		break;
	case 2:
		out[0] = 1;			/* hypercall pages */
		out[1] = XEN_CPUID_BASE;	/* the MSR that sets one up */
		out[2] = XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD;
		break;
	case 3:	/* time: no virtual TSC, TSC mode "default", not known safe */
		if (subleaf == 0)
			out[2] = (uint32_t)d->tsc_khz;
		else if (subleaf == 2)
			out[0] = (uint32_t)d->tsc_khz;
		break;
	case 5:	/* PV: address bits of the highest machine frame */
		if (subleaf == 0)
			out[1] = highest_bit(d->hv_base_pfn + d->hv_nr_pages - 1) + 1 + PAGE_SHIFT;
		break;
	default:	/* 4 is for HVM guests */
		break;
	}
}

void emulate_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	memset(out, 0, 4 * sizeof(uint32_t));
	if (leaf >= XEN_CPUID_BASE && leaf < XEN_CPUID_BASE + 0x10000) {
		if (leaf - XEN_CPUID_BASE <= XEN_CPUID_MAX_LEAF)
			xen_leaf(v, leaf - XEN_CPUID_BASE, subleaf, out);
		return;
	}
	/* the same table KVM gives the guest's native cpuid */
	kvm_vm_cpuid(v->d->kvm, leaf, subleaf, out);
	/* Leaf 0x16 (base MHz), where the host leaves it empty, says the TSC
	 * rate the time area says: Linux then skips its PIT calibration, whose
	 * 100,000 port reads (1 us each on Xen) cost an exit each here. */
	if (leaf == 0x16 && !out[0]) {
		uint32_t basic[4] = { 0 };
		kvm_vm_cpuid(v->d->kvm, 0, 0, basic);
		if (basic[0] >= 0x16)
			out[0] = out[1] = (uint32_t)((v->d->tsc_khz + 500) / 1000);
	}
}

/* ---- #UD ------------------------------------------------------------------ */

static bool emulate_ud(struct vcpu *v)
{
	static const uint8_t forced_cpuid[] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 };
	uint8_t insn[sizeof(forced_cpuid)];
	int got = emulate_fetch(v, insn, sizeof(insn));

	if (got == (int)sizeof(insn) && !memcmp(insn, forced_cpuid, sizeof(insn))) {
		uint32_t out[4];
		emulate_cpuid(v, (uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, out);
		v->regs.rax = out[0];
		v->regs.rbx = out[1];
		v->regs.rcx = out[2];
		v->regs.rdx = out[3];
		v->regs.rip += sizeof(forced_cpuid);
		v->regs_dirty = true;
		return true;
	}
	/* `int n` through a DPL 0 gate: #UD on this host, #GP((n << 3) | 2) on Xen's */
	if (got >= 2 && insn[0] == 0xcd) {
		pv_soft_interrupt(v, insn[1], 2);
		return true;
	}
	return false;
}

/* ---- #NM ------------------------------------------------------------------ */

/* Xen's do_device_not_available: with the virtual TS set the guest gets
 * #NM and TS is cleared; otherwise the FPU is simply usable again. */
static bool emulate_nm(struct vcpu *v)
{
	bool ts = v->fpu_ts;

	v->fpu_ts = false;
	v->sregs_dirty = true;
	if (ts)
		pv_inject_exception(v, 7, false, 0);
	else
		mlog_once(v->d, "#NM with the virtual CR0.TS clear at %#llx: resumed",
			  (unsigned long long)v->regs.rip);
	return true;
}

/* ---- #GP ------------------------------------------------------------------ */

static bool emulate_gp(struct vcpu *v, uint32_t err)
{
	/* an IDT vector in the error code: `int n` through a DPL 0 gate */
	if ((err & 3) == 2) {
		uint8_t insn[2];
		if (emulate_fetch(v, insn, 2) == 2 && insn[0] == 0xcd && insn[1] == err >> 3) {
			pv_soft_interrupt(v, insn[1], 2);
			return true;
		}
		return false;
	}
	return err == 0 && emulate_privileged_op(v);
}

/* ---- #PF ------------------------------------------------------------------ */

/* A descriptor load the CPU could not complete because the GDT page is not
 * mapped (beyond the guest's entries): Xen makes it #GP(selector). */
static bool gdt_fault(struct vcpu *v, uint32_t err)
{
	uint64_t base = HV_VCPU_WINDOW(v->id) + HV_GDT_OFF;

	if (err & (PFEC_USER | PFEC_RSVD) || v->cr2 < base || v->cr2 - base >= GDT_WINDOW_BYTES)
		return false;
	pv_inject_exception(v, 13, true, (uint32_t)(v->cr2 - base) & ~7u);
	return true;
}

/* Whether the L4 the vCPU runs on maps the M2P (Xen leaves it out of an
 * L4 used only for user mode, and the MMU follows that rule). */
static bool m2p_mapped(struct vcpu *v)
{
	uint64_t l4 = vcpu_current_l4(v) << PAGE_SHIFT;
	unsigned int slot = (HV_M2P_VA >> 39) & 511;

	return gpa_range(v->d, l4 + slot * 8, 8) && (pt_read(v, l4 + slot * 8) & 1);
}

/* A `mov` from memory into a register, as compiled code reads an array:
 * the destination register and the load's size; false for anything else. */
static bool decode_load(const struct insn *in, uint64_t **dst, struct vcpu_regs *r,
			unsigned int *size)
{
	if (in->twobyte)
		return false;
	if (in->op == 0x8b && !insn_rm_is_reg(in)) {
		*dst = vcpu_gpr(r, in->reg);
		*size = insn_opsize(in);
		return true;
	}
	if (in->op == 0xa1) {	/* mov moffs into rAX */
		*dst = &r->rax;
		*size = insn_opsize(in);
		return true;
	}
	return false;
}

/*
 * Xen's default M2P address (L4 slot 256) is reserved by this host's KVM
 * (any access there is a reserved-bit #PF), so the M2P is mapped at
 * HV_M2P_VA, which XENMEM_machphys_mapping reports. For guests that use
 * the default address directly (XTF), loads from it are emulated and
 * other accesses get the #PF Xen's read-only mapping would give.
 */
static bool emulate_m2p_access(struct vcpu *v, uint32_t err)
{
	struct domain *d = v->d;
	uint64_t off = v->cr2 - MACH2PHYS_VIRT_START, table = d->hva->m2p_nr * PAGE_SIZE;
	uint8_t buf[INSN_MAX_LEN];
	struct insn in;
	uint64_t *dst, val = 0;
	unsigned int size;
	bool mapped;
	int got;

	if (v->cr2 < MACH2PHYS_VIRT_START || v->cr2 >= MACH2PHYS_VIRT_END)
		return false;
	mapped = off < table && m2p_mapped(v);
	if (err & (PFEC_WRITE | PFEC_IFETCH)) {
		/* a read-only mapping, or none */
		pv_inject_exception(v, 14, true, (err & (PFEC_WRITE | PFEC_IFETCH)) |
							 (mapped ? PFEC_PRESENT : 0));
		return true;
	}
	got = emulate_fetch(v, buf, sizeof(buf));
	if (mapped && (got <= 0 || insn_decode(&in, buf, (unsigned int)got) < 0 ||
		       !decode_load(&in, &dst, &v->regs, &size))) {
		mlog_once(d, "access to Xen's default M2P address at %#llx not emulated",
			  (unsigned long long)v->regs.rip);
		return false;
	}
	if (!mapped || off + size > table) {
		pv_inject_exception(v, 14, true, 0);	/* not present */
		return true;
	}
	memcpy(&val, gpa_range(d, (d->hva->m2p_pfn << PAGE_SHIFT) + off, size), size);
	if (size == 2)
		*dst = (*dst & ~0xffffULL) | (val & 0xffff);
	else
		*dst = val;	/* a 32-bit load zero-extends */
	v->regs.rip += in.len;
	v->regs_dirty = true;
	return true;
}

/*
 * Xen's writable page tables (VMASST_TYPE_writable_pagetables): a guest
 * kernel's store, xchg, cmpxchg or locked bit operation on an L1 table it
 * maps read-only is computed here and carried out as MMU_NORMAL_PT_UPDATE
 * would (rmw.c). A narrower access is merged into the entry; an unaligned
 * one, or an entry Xen would refuse, leaves the #PF to the guest. Other
 * vCPUs' writes to the entry come through here too, but the shadow MMU's
 * accessed/dirty updates do not: as on Xen, those may race a cmpxchg.
 */
static bool emulate_ptwr(struct vcpu *v, uint32_t err)
{
	uint64_t gpa = mmu_ptwr_target(v, v->cr2, err), cur, old, val, mask;
	uint8_t buf[INSN_MAX_LEN];
	unsigned int size, shift;
	struct vcpu_regs r = v->regs;
	struct insn in;
	bool store;
	int got;

	if (!gpa)
		return false;
	got = emulate_fetch(v, buf, sizeof(buf));
	if (got <= 0 || insn_decode(&in, buf, (unsigned int)got) < 0)
		return false;
	size = rmw_size(&in);
	if (!size || (gpa & (size - 1)))
		return false;
	shift = (gpa & 7) * 8;
	mask = size == 8 ? ~0ULL : ((1ULL << (size * 8)) - 1) << shift;
	cur = pt_read(v, gpa & ~7ULL);
	old = (cur & mask) >> shift;
	if (!rmw_apply(&in, &r, old, &val, &store))
		return false;
	if (store && mmu_update_pte(v, gpa & ~7ULL, (cur & ~mask) | ((val << shift) & mask), false))
		return false;
	v->regs = r;
	v->regs.rip += in.len;
	v->regs_dirty = true;
	return true;
}

static bool emulate_pf(struct vcpu *v, uint32_t err)
{
	return gdt_fault(v, err) || emulate_m2p_access(v, err) || emulate_ptwr(v, err);
}

bool emulate_exception(struct vcpu *v, unsigned int vec, uint32_t err)
{
	switch (vec) {
	case 6: return emulate_ud(v);
	case 7: return emulate_nm(v);
	case 13: return emulate_gp(v, err);
	case 14: return emulate_pf(v, err);
	default: return false;
	}
}
