/*
 * HYPERVISOR_memory_op for a PV domU: reservation queries, the memory map,
 * the M2P's location, giving a page back (decrease_reservation) and getting
 * pages (increase_reservation, populate_physmap), with Xen's quirk that a
 * bad reservation argument reports "0 extents done" rather than -EFAULT.
 */
#include "guest.h"
#include "hypercall.h"

const char test_title[] = "memory_op";

#define UNMAPPED_VA 0x1000UL
#define NO_SUCH_DOMAIN 0x7000
#define START_EXTENT(n) ((n) << MEMOP_EXTENT_SHIFT)

static uint8_t scratch[4096] __page_aligned_bss;
/* Xen's default M2P address; the ABI's is what machphys_mapping reports. */
static const volatile uint64_t *const default_m2p = (const volatile uint64_t *)MACH2PHYS_VIRT_START;

static long query(unsigned int op, domid_t dom)
{
	domid_t d = dom;

	return HYPERVISOR_memory_op(op, PTR(&d));
}

static void test_queries(void)
{
	long cur = query(XENMEM_current_reservation, DOMID_SELF);
	long max = query(XENMEM_maximum_reservation, DOMID_SELF);
	const uint64_t *p2m = (const uint64_t *)start_info->mfn_list;
	uint64_t top_mfn = 0, saved_max_pfn;
	long max_ram;

	check_eq(cur, (long)start_info->nr_pages, "current_reservation is start_info's nr_pages");
	check(max >= cur, "maximum_reservation (%ld) >= current (%ld)", max, cur);
	/* A PV guest tells Xen its P2M size in shared_info (Linux does at boot);
	 * maximum_gpfn is that less one, 0 while nothing was said. */
	saved_max_pfn = shared_info->arch.max_pfn;
	shared_info->arch.max_pfn = start_info->nr_pages;
	check_eq(query(XENMEM_maximum_gpfn, DOMID_SELF), (long)start_info->nr_pages - 1,
		 "maximum_gpfn is shared_info's max_pfn less one");
	shared_info->arch.max_pfn = saved_max_pfn;
	check_eq(HYPERVISOR_memory_op(XENMEM_current_reservation, UNMAPPED_VA), -XEN_EFAULT,
		 "current_reservation from a bad address");
	check_eq(query(XENMEM_current_reservation, NO_SUCH_DOMAIN), -XEN_ESRCH,
		 "current_reservation of a domain that does not exist");
	check_eq(query(XENMEM_current_reservation | START_EXTENT(1), DOMID_SELF), -XEN_EINVAL,
		 "current_reservation with a continuation offset");

	for (uint64_t pfn = 0; pfn < start_info->nr_pages; pfn++)
		if (p2m[pfn] > top_mfn)
			top_mfn = p2m[pfn];
	max_ram = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, 0);
	check(max_ram > 0 && (uint64_t)max_ram >= top_mfn,
	      "maximum_ram_page (%ld) lies above our highest frame (%lu)", max_ram, top_mfn);
	check_eq(HYPERVISOR_memory_op(XENMEM_maximum_ram_page | START_EXTENT(1), 0), -XEN_EINVAL,
		 "maximum_ram_page with a continuation offset");
	check_eq(HYPERVISOR_memory_op(99, 0), -XEN_ENOSYS, "unknown memory_op");
}

static void test_memory_map(void)
{
	static struct xen_e820_entry e820[16];
	struct xen_memory_map map = { .nr_entries = ARRAY_SIZE(e820), .buffer = PTR(e820) };
	uint64_t ram = 0;

	if (!check_eq(HYPERVISOR_memory_op(XENMEM_memory_map, PTR(&map)), 0, "XENMEM_memory_map"))
		return;
	check(map.nr_entries >= 1 && map.nr_entries <= ARRAY_SIZE(e820), "%u entries",
	      map.nr_entries);
	for (unsigned int i = 0; i < map.nr_entries && i < ARRAY_SIZE(e820); i++) {
		note("e820 %u: %#lx + %#lx type %u", i, e820[i].addr, e820[i].size, e820[i].type);
		if (e820[i].type == E820_RAM)
			ram += e820[i].size;
	}
	check_eq(e820[0].addr, 0, "the map starts at 0");
	check(ram >= start_info->nr_pages * PAGE_SIZE, "RAM in the map (%#lx) covers our pages", ram);

	map.nr_entries = 0;
	check_eq(HYPERVISOR_memory_op(XENMEM_memory_map, PTR(&map)), 0, "memory_map with no room");
	check_eq(map.nr_entries, 0, "returns no entries");
	map.nr_entries = 4;
	map.buffer = UNMAPPED_VA;
	check_eq(HYPERVISOR_memory_op(XENMEM_memory_map, PTR(&map)), -XEN_EFAULT,
		 "memory_map into a bad buffer");
	check_eq(HYPERVISOR_memory_op(XENMEM_memory_map, UNMAPPED_VA), -XEN_EFAULT,
		 "memory_map from a bad address");
}

static void test_machphys(void)
{
	struct xen_machphys_mapping mm;
	uint64_t frames[4];
	struct xen_machphys_mfn_list list = { .max_extents = 4, .extent_start = PTR(frames) };

	const uint64_t *p2m = (const uint64_t *)start_info->mfn_list;
	const volatile uint64_t *m2p;
	uint64_t top_mfn = 0;

	check_eq(HYPERVISOR_memory_op(XENMEM_machphys_mapping, PTR(&mm)), 0, "XENMEM_machphys_mapping");
	/*
	 * The ABI promises a read-only table somewhere in the hypervisor's
	 * reserved range, v_start to v_end, covering frames 0 to max_mfn; Xen
	 * itself puts it at MACH2PHYS_VIRT_START (max_mfn: the whole range), a
	 * hypervisor whose host reserves that slot may put it elsewhere.
	 */
	check(mm.v_start >= HYPERVISOR_VIRT_START && mm.v_start < mm.v_end &&
		      mm.v_end <= HYPERVISOR_VIRT_END,
	      "the M2P (%#lx-%#lx) lies in the hypervisor's range", mm.v_start, mm.v_end);
	check((mm.max_mfn + 1) * 8 <= mm.v_end - mm.v_start, "max_mfn (%#lx) is inside the table",
	      mm.max_mfn);
	for (uint64_t pfn = 0; pfn < start_info->nr_pages; pfn++)
		if (p2m[pfn] > top_mfn)
			top_mfn = p2m[pfn];
	check(mm.max_mfn >= top_mfn, "and covers our highest frame (%#lx)", top_mfn);
	/* Reads through v_start and through Xen's default address agree. */
	m2p = m2p_table();
	for (uint64_t pfn = 0; pfn < start_info->nr_pages; pfn += start_info->nr_pages / 7 + 1)
		if (!check(m2p[p2m[pfn]] == pfn && default_m2p[p2m[pfn]] == pfn,
			   "the M2P maps frame %#lx back to pfn %#lx at both addresses", p2m[pfn], pfn))
			break;
	check_eq(HYPERVISOR_memory_op(XENMEM_machphys_mapping, UNMAPPED_VA), -XEN_EFAULT,
		 "machphys_mapping to a bad address");

	check_eq(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, PTR(&list)), 0,
		 "XENMEM_machphys_mfn_list");
	check(list.nr_extents >= 1 && list.nr_extents <= 4, "it names the M2P's frames (%u)",
	      list.nr_extents);
}

static long reservation(unsigned int op, uint64_t *extents, unsigned long nr, domid_t dom)
{
	struct xen_memory_reservation r = {
		.extent_start = PTR(extents), .nr_extents = nr, .extent_order = 0, .domid = dom,
	};

	return HYPERVISOR_memory_op(op, PTR(&r));
}

/* Give scratch's frame back, then get one at the same pfn again. */
static void test_reservations(void)
{
	uint64_t pfn = virt_to_pfn(scratch), old_mfn = virt_to_mfn(scratch), ext;
	uint64_t *p2m = (uint64_t *)start_info->mfn_list;
	long before = query(XENMEM_current_reservation, DOMID_SELF);

	check_eq(HYPERVISOR_update_va_mapping(PTR(scratch), 0, UVMF_INVLPG), 0, "unmap the page");
	ext = old_mfn;
	check_eq(reservation(XENMEM_decrease_reservation, &ext, 1, DOMID_SELF), 1,
		 "decrease_reservation gives one page back");
	check_eq(query(XENMEM_current_reservation, DOMID_SELF), before - 1, "one page fewer");
	ext = old_mfn;
	check_eq(reservation(XENMEM_decrease_reservation, &ext, 1, DOMID_SELF), 0,
		 "giving the same page back twice does nothing");

	ext = 0;
	check_eq(reservation(XENMEM_increase_reservation, &ext, 1, DOMID_SELF), 1,
		 "increase_reservation gets one page");
	check(ext != 0 && (ext == old_mfn || mfn_to_pfn(ext) == ~0UL),
	      "it is a frame we do not already hold (%#lx)", ext);
	check_eq(query(XENMEM_current_reservation, DOMID_SELF), before, "back to the old count");
	check_eq(reservation(XENMEM_decrease_reservation, &ext, 1, DOMID_SELF), 1,
		 "and give that one back too");

	/* populate_physmap takes pfns and answers with the frames it put there. */
	ext = pfn;
	check_eq(reservation(XENMEM_populate_physmap, &ext, 1, DOMID_SELF), 1, "populate_physmap");
	check_eq(m2p_table()[ext], pfn, "the M2P maps the new frame to the pfn asked for");
	p2m[pfn] = ext;
	check_eq(map_frame_at(scratch, ext, PTE_DATA), 0, "map the new frame");
	memset(scratch, 0x5a, sizeof(scratch));
	check_eq(scratch[4095], 0x5a, "and use it");
	check_eq(query(XENMEM_current_reservation, DOMID_SELF), before, "the count is whole again");

	/* Bad arguments: Xen reports how many extents it did, i.e. none. */
	check_eq(HYPERVISOR_memory_op(XENMEM_increase_reservation, UNMAPPED_VA), 0,
		 "increase_reservation from a bad address does nothing");
	check_eq(reservation(XENMEM_decrease_reservation, (uint64_t *)UNMAPPED_VA, 1, DOMID_SELF), 0,
		 "decrease_reservation with a bad extent list does nothing");
	ext = 0xfffffff;
	check_eq(reservation(XENMEM_decrease_reservation, &ext, 1, DOMID_SELF), 0,
		 "decrease_reservation of a frame that is not ours does nothing");
	check_eq(reservation(XENMEM_increase_reservation, &ext, 1, NO_SUCH_DOMAIN), 0,
		 "increase_reservation for a domain that does not exist does nothing");
	check_eq(query(XENMEM_current_reservation, DOMID_SELF), before, "and the count is unchanged");
}

void guest_main(void)
{
	test_queries();
	test_memory_map();
	test_machphys();
	test_reservations();
}
