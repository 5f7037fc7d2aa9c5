/*
 * A PV domain without KVM for the MMU, segment and memory tests: malloc'd
 * RAM, the real hypervisor area, and bootstrap page tables as the builder
 * makes them, registered with mmu_note_initial_tables. Guest virtual
 * address X maps frame X >> 12 (the first MiB), so hypercall arguments are
 * written at their VA in RAM.
 *
 * Queued page-table stores are carried out by drain(), as the helper would.
 */
#ifndef TEST_MONITOR_MMU_ENV_H
#define TEST_MONITOR_MMU_ENV_H

#include <stdlib.h>
#include <string.h>

#include "../../monitor/domain.h"
#include "../../monitor/hvarea.h"
#include "../../monitor/pv/mmu.h"

#define ENV_PAGES 512		/* 2 MiB of RAM */
#define ENV_DOMID 5
/* Bootstrap tables: L4, L3, L2, L1 in frames 1-4; the L1 maps VA 0-2 MiB
 * onto frames 0-511, writable except the tables themselves. */
#define ENV_L4 1
#define ENV_L3 2
#define ENV_L2 3
#define ENV_L1 4
/* Where tests put hypercall arguments (a writable frame). */
#define ENV_ARGS 0x10000ULL

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_US 0x4ULL
#define PTE_PCD 0x10ULL
#define PTE_A 0x20ULL
#define PTE_D 0x40ULL
#define PTE_PSE 0x80ULL
#define PTE_G 0x100ULL
#define PTE_GK (1ULL << 52)	/* Xen's _PAGE_GUEST_KERNEL */

static inline uint64_t *env_entry(struct domain *d, uint64_t mfn, unsigned int idx)
{
	return (uint64_t *)(d->ram + (mfn << PAGE_SHIFT)) + idx;
}

static inline struct domain *env_create(unsigned int nr_vcpus)
{
	struct domain *d = calloc(1, sizeof(*d));

	d->domid = ENV_DOMID;
	d->nr_pages = d->max_pages = ENV_PAGES;
	d->nr_vcpus = nr_vcpus;
	d->ram_fd = -1;
	d->ram = aligned_alloc(PAGE_SIZE, ENV_PAGES * PAGE_SIZE);
	memset(d->ram, 0, ENV_PAGES * PAGE_SIZE);
	d->hv_base_pfn = (ENV_PAGES + 511) & ~511ULL;
	d->hv_nr_pages = hvarea_size(ENV_PAGES, nr_vcpus);
	d->hv = aligned_alloc(PAGE_SIZE, d->hv_nr_pages * PAGE_SIZE);
	memset(d->hv, 0, d->hv_nr_pages * PAGE_SIZE);
	d->hva = calloc(1, sizeof(*d->hva));
	if (hvarea_init(d, d->hva) < 0)
		abort();
	pthread_mutex_init(&d->lock, NULL);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		v->d = d;
		v->id = i;
		v->online = true;
		v->kernel_mode = true;
		pthread_mutex_init(&v->lock, NULL);
		pthread_cond_init(&v->wake, NULL);
	}
	*env_entry(d, ENV_L4, 0) = (ENV_L3 << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US | PTE_A;
	*env_entry(d, ENV_L3, 0) = (ENV_L2 << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US | PTE_A;
	*env_entry(d, ENV_L2, 0) = (ENV_L1 << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US | PTE_A;
	for (uint64_t pfn = 0; pfn < ENV_PAGES; pfn++) {
		uint64_t rw = (pfn >= ENV_L4 && pfn <= ENV_L1) ? 0 : PTE_RW;
		*env_entry(d, ENV_L1, pfn) = (pfn << PAGE_SHIFT) | PTE_P | rw | PTE_A | PTE_D;
	}
	for (unsigned int s = HV_SLOT_FIRST; s <= HV_SLOT_LAST; s++)
		*env_entry(d, ENV_L4, s) = d->hva->l4_slot[s - HV_SLOT_FIRST];
	if (mmu_init(d) < 0 || mmu_note_initial_tables(d, ENV_L4) < 0)
		abort();
	return d;
}

static inline void env_destroy(struct domain *d)
{
	mmu_destroy(d);
	free(d->hva);
	free(d->hv);
	free(d->ram);
	free(d);
}

/* Carry out v's queued page-table stores, as the helper does. */
static inline void drain(struct vcpu *v)
{
	for (unsigned int i = 0; i < v->pt_queued; i++)
		memcpy(gpa_range(v->d, v->pt_queue[i].gpa, 8), &v->pt_queue[i].val, 8);
	v->pt_queued = 0;
}

/* Run a hypercall handler, then the helper. */
static inline long call(hypercall_fn *fn, struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2,
			uint64_t a3)
{
	const uint64_t arg[5] = { a0, a1, a2, a3, 0 };
	long rc = fn(v, arg);

	drain(v);
	return rc;
}

static inline void *env_va(struct domain *d, uint64_t va)
{
	return d->ram + va;
}

static inline uint32_t type_count(struct domain *d, uint64_t mfn, enum frame_type *t)
{
	uint32_t count;
	enum frame_type ft = mmu_frame_type(d, mfn, &count);

	if (t)
		*t = ft;
	return count;
}

/* One mmu_update request at ENV_ARGS; returns rc, *done = success count. */
static inline long mmu_update_one(struct vcpu *v, uint64_t ptr, uint64_t val, unsigned int *done)
{
	struct mmu_update *u = env_va(v->d, ENV_ARGS);
	uint32_t *pdone = env_va(v->d, ENV_ARGS + 0x800);

	u->ptr = ptr;
	u->val = val;
	*pdone = 0xdead;
	long rc = call(do_mmu_update, v, ENV_ARGS, 1, ENV_ARGS + 0x800, DOMID_SELF);
	if (done)
		*done = *pdone;
	return rc;
}

static inline uint64_t pte_maddr(uint64_t mfn, unsigned int idx)
{
	return (mfn << PAGE_SHIFT) + 8ULL * idx;
}

/* Map frame pfn at VA (pfn << 12) with flags, through the L1. */
static inline long env_map(struct vcpu *v, uint64_t pfn, uint64_t flags)
{
	return mmu_update_one(v, pte_maddr(ENV_L1, (unsigned int)pfn), (pfn << PAGE_SHIFT) | flags,
			      NULL);
}

#endif /* TEST_MONITOR_MMU_ENV_H */
