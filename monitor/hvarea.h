/*
 * The hypervisor area: frames above guest RAM that only the monitor owns,
 * and their mappings in Xen's reserved virtual range (L4 slots 256-271).
 *
 *   slot 256  empty: this host's KVM (kvm_pvm) reserves it (any access there
 *             is a reserved-bit #PF), so the M2P cannot sit at Xen's
 *             default MACH2PHYS_VIRT_START; XENMEM_machphys_mapping tells
 *             guests where it is instead, as Xen's ABI allows
 *   slot 257  HV_AREA_VA: IDT, exception stubs, syscall stub, the doorbell
 *             page, and per vCPU a 2 MiB window: GDT (16 pages: 14 guest
 *             frames + Xen's reserved two), TSS, the CPL0 stack
 *   slot 258  HV_M2P_VA: the M2P, read-only to the guest
 *   slot 259  HV_DIRECTMAP_VA: all guest-physical memory, writable and
 *             supervisor-only, for the CPL0 store stub (PLATFORM.md:
 *             page-table entries must be written in guest context)
 *
 * Guest-visible frames that live here too: shared_info, grant-table frames.
 */
#ifndef MONITOR_HVAREA_H
#define MONITOR_HVAREA_H

#include "domain.h"

#define HV_SLOT_FIRST 256
#define HV_SLOT_LAST 271
#define HV_AREA_VA 0xffff808000000000ULL		/* slot 257 */
#define HV_M2P_VA 0xffff810000000000ULL		/* slot 258 */
#define HV_DIRECTMAP_VA 0xffff818000000000ULL	/* slot 259, CPL0 only */
#define HV_VCPU_WINDOW(id) (HV_AREA_VA + 0x200000ULL * ((id) + 1))

/* Offsets inside the shared 2 MiB window at HV_AREA_VA. */
#define HV_IDT_OFF 0x0000
#define HV_STUBS_OFF 0x1000	/* exception stubs, CPL0 */
#define HV_EXC_STUB_SIZE 16	/* bytes per vector */
#define HV_STORE_STUB_OFF 0x1800	/* the page-table store stub, CPL0 */
#define HV_STORE_STUB_LEN 13
#define HV_SYSCALL_OFF 0x2000	/* LSTAR target, user-executable */
#define HV_STORES_DONE_OFF 0x2010	/* rings DOORBELL_STORES_DONE, user-executable */
/* A page mapped to a guest-physical frame outside every KVM memory slot:
 * a one-byte store there is an MMIO exit, which KVM has completed by the
 * time it returns (an `out` needs one more KVM_RUN to be finished). */
#define HV_DOORBELL_OFF 0x3000
#define HV_DOORBELL_INSN_LEN 9	/* movabs %al,addr64 */
/* Offsets inside a vCPU window. */
#define HV_GDT_OFF 0x00000	/* 16 pages */
#define HV_TSS_OFF 0x10000	/* 3 pages: TSS + I/O bitmap */
#define HV_STACK_OFF 0x13000	/* 2 pages of CPL0 stack; RSP0 at +0x15000 */
#define HV_STACK_TOP 0x15000
#define HV_TSS_LIMIT (0x68 + 8192)	/* an I/O bitmap that opens no port */

/* GDT selectors of Xen's reserved page that we use at CPL0. */
#define HV_CS0 0xe008
#define HV_DS0 0xe010
#define HV_TSS_SEL 0xe040

#define HV_NR_GRANT_FRAMES 32

struct hvarea {
	uint64_t base_pfn, nr_pages;	/* all hypervisor frames */
	uint64_t l4_slot[HV_SLOT_LAST - HV_SLOT_FIRST + 1];	/* entries for every guest L4 */
	uint64_t m2p_pfn, m2p_nr;	/* the M2P table frames (512 entries each) */
	uint64_t shared_info_pfn;
	uint64_t grant_pfn;		/* HV_NR_GRANT_FRAMES frames */
	uint64_t idt_pfn, stubs_pfn, syscall_pfn;
	uint64_t doorbell_pfn;		/* just past the area: no memory there */
	uint64_t shared_l1_pfn;
	struct {
		uint64_t l1_pfn;	/* maps the vCPU window */
		uint64_t gdt_pfn;	/* Xen's reserved GDT pages (2 frames) */
		uint64_t tss_pfn;	/* 3 frames */
		uint64_t stack_pfn;	/* 2 frames */
	} vcpu[XENO_MAX_VCPUS];
};

/* Frames needed for a domain of nr_ram_pages RAM pages and nr_vcpus. */
uint64_t hvarea_size(uint64_t nr_ram_pages, unsigned int nr_vcpus);
/* Lay out and fill the area in d->hv (d->hv_base_pfn, d->hv_nr_pages set).
 * Runs before any vCPU does, so plain stores are seen by the guest. */
int hvarea_init(struct domain *d, struct hvarea *a);
/* Whether the guest may map frame mfn, and writable? (RAM, shared_info,
 * grant frames writable; M2P read-only; the rest never). */
bool hvarea_guest_may_map(const struct domain *d, uint64_t mfn, bool writable);
/* gpa of the L1 entry that maps page `idx` (0..15) of v's GDT window. */
uint64_t hvarea_gdt_pte_gpa(const struct domain *d, unsigned int vcpu, unsigned int idx);
/* Write at p the store that rings doorbell offset `off`; returns the end. */
uint8_t *hv_doorbell_insn(uint8_t *p, uint8_t off);
/* Host pointer to a range of a CPL0 stack in the slot-257 area, or NULL. */
void *hvarea_ptr(struct domain *d, uint64_t hv_va, uint64_t len);

#endif /* MONITOR_HVAREA_H */
