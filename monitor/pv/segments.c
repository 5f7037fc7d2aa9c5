/*
 * Descriptor tables and segment bases: HYPERVISOR_set_gdt,
 * update_descriptor and set_segment_base, as Xen does them for a 64-bit PV
 * guest. GDT frames become descriptor pages (mmu.c's FT_SEG_DESC) whose
 * every descriptor has been checked, and are mapped into the vCPU's GDT
 * window in the hypervisor area, ahead of Xen's reserved page.
 */
#include "segments.h"

#include <string.h>

#include "../hvarea.h"
#include "mmu.h"

/* Bits of a descriptor's high word. */
#define SEG_TYPE (15U << 8)
#define SEG_WR (1U << 9)	/* writable data / readable code */
#define SEG_EC (1U << 10)	/* expand-down data / conforming code */
#define SEG_CODE (1U << 11)
#define SEG_S (1U << 12)	/* code or data, not a system descriptor */
#define SEG_DPL (3U << 13)
#define SEG_P (1U << 15)
#define TYPE_CALL_GATE (12U << 8)

#define DESCS_PER_PAGE 512
/* The guest's frames in the GDT window: present, writable (the CPU sets
 * accessed bits), supervisor only, not executable. */
#define GDT_PTE_FLAGS (0x1ULL | 0x2ULL | 0x20ULL | 0x40ULL | (1ULL << 63))

static bool gate_selector_ok(uint32_t sel)
{
	return (sel >> 3) < FIRST_RESERVED_GDT_ENTRY || sel == FLAT_KERNEL_CS || (sel & 4);
}

bool pv_check_descriptor(uint64_t *desc)
{
	uint32_t a = (uint32_t)*desc, b = (uint32_t)(*desc >> 32), cs;

	/* A descriptor that is not present always faults. */
	if (!(b & SEG_P))
		return true;
	/* The guest kernel runs in ring 3: every DPL becomes 3. */
	b |= SEG_DPL;
	if (!(b & SEG_S))
		goto system;
	/* Code and data segments: no base or limit checks in 64-bit mode. */
	*desc = ((uint64_t)b << 32) | a;
	return true;
system:
	/* Type 0 is harmless: the upper half of a 64-bit call gate. */
	if ((b & SEG_TYPE) == 0)
		return true;
	if ((b & SEG_TYPE) != TYPE_CALL_GATE)
		return false;
	cs = a >> 16;
	if (!gate_selector_ok(cs))
		return false;
	/* DPL 0, so that using the gate faults and can be emulated; the
	 * guest's DPL is kept in the target selector's RPL. */
	b &= ~SEG_DPL;
	cs = (cs & ~3U) | 3;
	a = (a & 0xffff) | (cs << 16);
	if (b & 0xff)
		return false;
	*desc = ((uint64_t)b << 32) | a;
	return true;
}

int segdesc_validate_frame(struct domain *d, uint64_t mfn)
{
	uint8_t *page = d->ram + (mfn << PAGE_SHIFT);

	for (unsigned int i = 0; i < DESCS_PER_PAGE; i++) {
		uint64_t desc, fixed;

		memcpy(&desc, page + 8 * i, 8);
		fixed = desc;
		if (!pv_check_descriptor(&fixed))
			return -XEN_EINVAL;
		/* a data page: the guest sees the fix-up at once */
		if (fixed != desc)
			__atomic_store_n((uint64_t *)(page + 8 * i), fixed, __ATOMIC_RELAXED);
	}
	return 0;
}

/* ---- HYPERVISOR_set_gdt ---------------------------------------------------- */

static unsigned int gdt_pages(unsigned int entries)
{
	return (entries + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE;
}

static void map_gdt_page(struct vcpu *cur, struct vcpu *t, unsigned int i, uint64_t pte)
{
	uint64_t gpa = hvarea_gdt_pte_gpa(cur->d, t->id, i);

	/* A store fails only when the helper cannot run: the domain is
	 * crashed by then. */
	if (pt_read(cur, gpa) != pte)
		(void)pt_store(cur, gpa, pte);
}

static void destroy_gdt_locked(struct vcpu *cur, struct vcpu *t)
{
	unsigned int n = gdt_pages(t->gdt_ents);

	for (unsigned int i = 0; i < FIRST_RESERVED_GDT_PAGE; i++) {
		if (i < n)
			mmu_put_type(cur, t->gdt_frames[i]);
		t->gdt_frames[i] = 0;
		map_gdt_page(cur, t, i, 0);
	}
	t->gdt_ents = 0;
}

static int set_gdt_locked(struct vcpu *cur, struct vcpu *t, const uint64_t *frames,
			  unsigned int entries)
{
	unsigned int n = gdt_pages(entries), i;

	if (entries > FIRST_RESERVED_GDT_ENTRY)
		return -XEN_EINVAL;
	for (i = 0; i < n; i++)
		if (!mmu_ram_owned(cur->d, frames[i]) ||
		    mmu_get_type(cur, frames[i], FT_SEG_DESC) < 0)
			break;
	if (i < n) {
		while (i-- > 0)
			mmu_put_type(cur, frames[i]);
		return -XEN_EINVAL;
	}
	/* The new frames are held before the old are let go: a frame in both
	 * stays a descriptor page throughout. */
	destroy_gdt_locked(cur, t);
	t->gdt_ents = entries;
	for (i = 0; i < n; i++) {
		t->gdt_frames[i] = frames[i];
		map_gdt_page(cur, t, i, (frames[i] << PAGE_SHIFT) | GDT_PTE_FLAGS);
	}
	return 0;
}

int segments_set_gdt(struct vcpu *cur, struct vcpu *target, const uint64_t *frames,
		     unsigned int entries)
{
	int rc;

	mmu_lock(cur->d);
	rc = set_gdt_locked(cur, target, frames, entries);
	mmu_unlock(cur->d);
	return rc;
}

void segments_destroy_gdt(struct vcpu *cur, struct vcpu *target)
{
	mmu_lock(cur->d);
	destroy_gdt_locked(cur, target);
	mmu_unlock(cur->d);
}

long do_set_gdt(struct vcpu *v, const uint64_t arg[5])
{
	uint64_t frames[FIRST_RESERVED_GDT_PAGE];
	unsigned int entries = (unsigned int)arg[1];
	long rc;

	if (entries > FIRST_RESERVED_GDT_ENTRY)
		return -XEN_EINVAL;
	if (gdt_pages(entries) &&
	    copy_from_guest(v, frames, arg[0], gdt_pages(entries) * sizeof(frames[0])) < 0)
		return -XEN_EFAULT;
	mmu_lock(v->d);
	rc = set_gdt_locked(v, v, frames, entries);
	mmu_unlock(v->d);
	if (!rc)
		v->tlb_flush = true;
	return rc;
}

/* ---- HYPERVISOR_update_descriptor --------------------------------------------- */

long do_update_descriptor(struct vcpu *v, const uint64_t arg[5])
{
	struct domain *d = v->d;
	uint64_t gaddr = arg[0], desc = arg[1], mfn = gaddr >> PAGE_SHIFT;
	bool ram = mfn < d->nr_pages;
	long rc = -XEN_EINVAL;

	/* Unaligned, it would corrupt two descriptors. */
	if ((gaddr & 7) || !pv_check_descriptor(&desc))
		return -XEN_EINVAL;
	mmu_lock(d);
	if (!mmu_frame_owned(d, mfn))
		goto out;
	if (ram) {
		uint32_t count;
		/* A descriptor page stays one; anything else must be writable. */
		enum frame_type t =
			mmu_frame_type(d, mfn, &count) == FT_SEG_DESC ? FT_SEG_DESC : FT_WRITABLE;
		if (mmu_get_type(v, mfn, t) < 0)
			goto out;
	}
	__atomic_store_n((uint64_t *)gpa_range(d, gaddr, 8), desc, __ATOMIC_RELAXED);
	if (ram)
		mmu_put_type(v, mfn);
	rc = 0;
out:
	mmu_unlock(d);
	return rc;
}

/* ---- HYPERVISOR_set_segment_base ------------------------------------------------ */

/* The descriptor a CPL3 load of sel would read, as the guest's GDT, Xen's
 * reserved page and the LDT hold it. */
static bool read_descriptor(struct vcpu *v, uint16_t sel, uint64_t *desc)
{
	struct domain *d = v->d;
	unsigned int idx = sel >> 3;
	void *p;

	if (sel & 4) {
		if (idx >= v->ldt_ents || copy_from_guest(v, desc, v->ldt_base + 8ULL * idx, 8) < 0)
			return false;
		/* Xen checks LDT pages before the CPU may use them. */
		return pv_check_descriptor(desc);
	}
	if (idx >= FIRST_RESERVED_GDT_ENTRY)
		p = gpa_range(d, (d->hva->vcpu[v->id].gdt_pfn << PAGE_SHIFT) +
					 8ULL * (idx - FIRST_RESERVED_GDT_ENTRY),
			      8);
	else if (idx < v->gdt_ents)
		p = gpa_range(d, (v->gdt_frames[idx / DESCS_PER_PAGE] << PAGE_SHIFT) +
					 8ULL * (idx % DESCS_PER_PAGE),
			      8);
	else
		return false;	/* beyond the guest's table: a null descriptor */
	if (!p)
		return false;
	*desc = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED);
	return true;
}

/* Whether `mov sel, %gs` at CPL3 with RPL 3 succeeds on desc. */
static bool loadable_data_segment(uint64_t desc)
{
	uint32_t b = (uint32_t)(desc >> 32);

	if (!(b & SEG_P) || !(b & SEG_S))
		return false;
	if (b & SEG_CODE) {
		if (!(b & SEG_WR))
			return false;	/* execute-only code */
		if (b & SEG_EC)
			return true;	/* conforming: no privilege check */
	}
	return (b & SEG_DPL) == SEG_DPL;
}

static uint64_t descriptor_base(uint64_t desc)
{
	uint32_t a = (uint32_t)desc, b = (uint32_t)(desc >> 32);

	return (a >> 16) | ((b & 0xff) << 16) | (b & 0xff000000U);
}

/* SEGBASE_GS_USER_SEL: load the user %gs selector, as Xen does with the
 * user GS active; a selector that faults loads the null one. The user GS
 * base becomes the descriptor's base. */
static void load_user_gs(struct vcpu *v, uint16_t sel)
{
	uint64_t desc, base = 0;

	if (sel > 3) {
		sel |= 3;
		if (read_descriptor(v, sel, &desc) && loadable_data_segment(desc))
			base = descriptor_base(desc);
		else
			sel = 0;
	}
	v->gs_sel_user = sel;
	v->gs_base_user = base;
}

long do_set_segment_base(struct vcpu *v, const uint64_t arg[5])
{
	unsigned int which = (unsigned int)arg[0];
	uint64_t base = arg[1];

	switch (which) {
	case SEGBASE_FS:
	case SEGBASE_GS_USER:
	case SEGBASE_GS_KERNEL:
		if (!is_canonical(base))
			return -XEN_EINVAL;
		if (which == SEGBASE_FS)
			v->fs_base = base;
		else if (which == SEGBASE_GS_USER)
			v->gs_base_user = base;
		else
			v->gs_base_kernel = base;
		break;
	case SEGBASE_GS_USER_SEL:
		load_user_gs(v, (uint16_t)base);
		break;
	default:
		return -XEN_EINVAL;
	}
	v->sregs_dirty = true;
	return 0;
}
