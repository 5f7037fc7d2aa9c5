/* Frames, the P2M list and walks of the page tables the builder gave us. */
#include "guest.h"
#include "hypercall.h"

uint64_t pfn_to_mfn(uint64_t pfn)
{
	if (pfn >= start_info->nr_pages)
		report_crash("pfn %#lx beyond nr_pages %#lx", pfn, start_info->nr_pages);
	return ((const uint64_t *)start_info->mfn_list)[pfn];
}

uint64_t virt_to_mfn(const void *va)
{
	return pfn_to_mfn(virt_to_pfn(va));
}

uint64_t mfn_to_pfn(uint64_t mfn)
{
	const uint64_t *p2m = (const uint64_t *)start_info->mfn_list;

	for (uint64_t pfn = 0; pfn < start_info->nr_pages; pfn++)
		if (p2m[pfn] == mfn)
			return pfn;
	return ~0UL;
}

const volatile uint64_t *m2p_table(void)
{
	static uint64_t v_start;
	struct xen_machphys_mapping mm;
	long rc;

	if (!v_start) {
		rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping, PTR(&mm));
		if (rc)
			report_crash("XENMEM_machphys_mapping failed: %ld", rc);
		v_start = mm.v_start;
	}
	return (const volatile uint64_t *)v_start;
}

/* The table that holds va's entry at level, read through our mappings. */
static uint64_t *table_for(uint64_t va, int level)
{
	uint64_t *table = (uint64_t *)start_info->pt_base;

	for (int l = 4; l > level; l--) {
		uint64_t e = table[(va >> (PAGE_SHIFT + 9 * (l - 1))) & 511];
		uint64_t pfn;

		if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE))
			return NULL;
		pfn = mfn_to_pfn((e & PTE_ADDR_MASK) >> PAGE_SHIFT);
		if (pfn == ~0UL)
			return NULL;
		table = (uint64_t *)pfn_to_virt(pfn);
	}
	return table;
}

static unsigned int index_at(uint64_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

uint64_t pte_maddr(uint64_t va, int level)
{
	uint64_t *table = table_for(va, level);

	return table ? (virt_to_mfn(table) << PAGE_SHIFT) + index_at(va, level) * 8 : 0;
}

uint64_t pte_read(uint64_t va, int level)
{
	uint64_t *table = table_for(va, level);

	return table ? table[index_at(va, level)] : 0;
}

long map_frame_at(void *va, uint64_t mfn, uint64_t flags)
{
	return HYPERVISOR_update_va_mapping(PTR(va), (mfn << PAGE_SHIFT) | flags, UVMF_INVLPG);
}

long set_page_ro(void *va)
{
	return map_frame_at(va, virt_to_mfn(va), PTE_DATA_RO);
}

long set_page_rw(void *va)
{
	return map_frame_at(va, virt_to_mfn(va), PTE_DATA);
}
