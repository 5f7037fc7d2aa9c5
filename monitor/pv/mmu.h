/*
 * The PV MMU: Xen's page type system, reduced to what a 64-bit PV domain
 * needs, and the hypercalls that change page tables (mmu_update, mmuext_op,
 * update_va_mapping) or the domain's MMU assists (vm_assist).
 *
 * Every RAM frame has a type (none, L1..L4 page table, descriptor page,
 * writable) and a count of references of that type; a frame changes type
 * only while its count is 0. A page table is validated when its count goes
 * from 0 to 1 (every present entry checked, and the lower tables typed in
 * turn), so a frame in use as a page table can never be mapped writable and
 * a writable frame never walked by the MMU. Pinning holds one reference,
 * as does each vCPU base pointer. Frames above RAM (shared_info, grant
 * frames) are never typed.
 *
 * Errors are Xen's (negative XEN_E*). All of it runs under one lock per
 * domain (mmu_lock); segments.c, memory.c and physdev.c use the frame-type
 * calls below with that lock held.
 */
#ifndef MONITOR_PV_MMU_H
#define MONITOR_PV_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "../domain.h"

/* ---- set-up, called by the builder ------------------------------------- */
/* Allocate d->mmu for d->nr_pages frames of RAM. 0, or -1 (out of memory). */
int mmu_init(struct domain *d);
/* Free d->mmu (after the vCPUs stopped). */
void mmu_destroy(struct domain *d);
/* The builder's bootstrap tables rooted at l4_mfn, written before any vCPU
 * ran: validate them as an L4 tree (plain stores for Xen's adjustments),
 * pin the L4 as Xen's builder does, and make it vCPU 0's kernel base
 * pointer (sets d->vcpu[0].guest_table). Logs and returns -1 if the tables
 * do not validate (a builder bug). */
int mmu_note_initial_tables(struct domain *d, uint64_t l4_mfn);

/* ---- hypercalls --------------------------------------------------------- */
long do_mmu_update(struct vcpu *v, const uint64_t arg[5]);
long do_mmuext_op(struct vcpu *v, const uint64_t arg[5]);
long do_update_va_mapping(struct vcpu *v, const uint64_t arg[5]);
long do_update_va_mapping_otherdomain(struct vcpu *v, const uint64_t arg[5]);
long do_vm_assist(struct vcpu *v, const uint64_t arg[5]);

/* ---- for other parts of the monitor ----------------------------------- */
/* VCPUOP_initialise's page tables (Xen's arch_set_info_guest): make
 * kernel_mfn target's kernel L4 and user_mfn (0: none) its user L4, each
 * validated; cur is the calling vCPU (its queue carries the stores). */
int mmu_vcpu_set_tables(struct vcpu *cur, struct vcpu *target, uint64_t kernel_mfn,
			uint64_t user_mfn);
/* Drop target's base pointers (VCPUOP_down after reset, domain teardown). */
void mmu_vcpu_drop_tables(struct vcpu *cur, struct vcpu *target);
/* Write one page-table entry as MMU_NORMAL_PT_UPDATE does (for emulated
 * guest writes to a read-only page table): 0 or Xen's error. */
int mmu_update_pte(struct vcpu *v, uint64_t pte_maddr, uint64_t val, bool preserve_ad);
/* Xen's writable page tables (pv_ro_page_fault): whether a #PF with error
 * code err at cr2, taken in guest kernel mode, is a write to an L1 page
 * table that the guest maps read-only, which Xen emulates when the
 * writable_pagetables assist is on. Returns the guest-physical address the
 * write targets, or 0 for an ordinary fault. The caller decodes the write
 * and applies it with mmu_update_pte (narrower writes merged with the
 * entry's pt_read value); if that fails, the #PF goes to the guest. */
uint64_t mmu_ptwr_target(struct vcpu *v, uint64_t cr2, uint32_t err);
/* The run loop tells the MMU that v's TLB was flushed, so type changes
 * need not flush it again (Xen's tlbflush timestamps). Optional: without
 * it every type change away from "writable" flushes every vCPU. */
void mmu_note_tlb_flushed(struct vcpu *v);

/* ---- frame types, for pv/ (mmu_lock held) ------------------------------- */
enum frame_type {
	FT_NONE,
	FT_L1,
	FT_L2,
	FT_L3,
	FT_L4,
	FT_SEG_DESC,	/* a GDT/LDT frame: validated descriptors */
	FT_WRITABLE,	/* mapped writable somewhere */
};

void mmu_lock(struct domain *d);
void mmu_unlock(struct domain *d);
/* Whether mfn is a RAM frame the domain owns (not given back). */
bool mmu_ram_owned(const struct domain *d, uint64_t mfn);
/* Whether the domain owns mfn: its RAM, shared_info or a grant frame (the
 * frames Xen's get_page_from_gfn succeeds on for a PV domU). */
bool mmu_frame_owned(const struct domain *d, uint64_t mfn);
/* Take a reference of type t on RAM frame mfn, validating it if its count
 * was 0; cur carries any page-table stores. 0 or Xen's error. */
int mmu_get_type(struct vcpu *cur, uint64_t mfn, enum frame_type t);
/* Drop one reference (devalidating a page table whose count reaches 0). */
void mmu_put_type(struct vcpu *cur, uint64_t mfn);
enum frame_type mmu_frame_type(const struct domain *d, uint64_t mfn, uint32_t *count);

/* Frames given back with XENMEM_decrease_reservation (memory.c). */
/* Give frame mfn back: 0, or -XEN_ENXIO if the domain does not own it. */
int mmu_release_frame(struct domain *d, uint64_t mfn);
/* Take back 2^order given-back frames, naturally aligned, below the frame
 * number limit (0: none), preferring want: 0 and *mfn, or -XEN_ENOMEM. */
int mmu_reclaim_frames(struct domain *d, uint64_t want, unsigned int order, uint64_t limit,
		       uint64_t *mfn);
uint64_t mmu_released_frames(const struct domain *d);
/* Set M2P entry mfn (MMU_MACHPHYS_UPDATE, populate_physmap). */
void mmu_set_m2p(struct domain *d, uint64_t mfn, uint64_t pfn);
/* physdev.c's and memory.c's state, kept with the frames. */
struct physdev_state *mmu_physdev(struct domain *d);
struct memory_state *mmu_memory(struct domain *d);

/* ---- shared helpers ----------------------------------------------------- */
/* Xen's __addr_ok: a guest address outside the hypervisor's range. */
static inline bool pv_addr_ok(uint64_t va)
{
	return va < (1ULL << 47) || va >= HYPERVISOR_VIRT_END;
}

/* Xen's array_access_ok: count elements of size bytes at va. */
static inline bool pv_array_ok(uint64_t va, uint64_t count, uint64_t size)
{
	return count < ~0ULL / size && pv_addr_ok(va);
}

/*
 * Another domain named by a hypercall. One monitor knows only its own
 * domain; dom0 always exists, so it is refused as Xen's XSM refuses a
 * domU (-EPERM), and any other domain id is taken as absent (-ESRCH).
 */
static inline int pv_foreign_domain_error(uint16_t domid)
{
	return domid == 0 ? -XEN_EPERM : -XEN_ESRCH;
}

/* Whether domid names d itself (DOMID_SELF or its own id). */
static inline bool pv_is_self(const struct domain *d, uint16_t domid)
{
	return domid == DOMID_SELF || domid == d->domid;
}

#endif /* MONITOR_PV_MMU_H */
