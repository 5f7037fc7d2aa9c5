/* HYPERVISOR_memory_op: reservations, the memory map, M2P information. */
#ifndef XEN_MEMORY_H
#define XEN_MEMORY_H

#include <xen/abi.h>

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_maximum_ram_page 2 /* no argument; returns the highest MFN */
#define XENMEM_current_reservation 3 /* domid_t *; returns pages */
#define XENMEM_maximum_reservation 4 /* domid_t *; returns pages */
#define XENMEM_machphys_mfn_list 5
#define XENMEM_populate_physmap 6
#define XENMEM_add_to_physmap 7
#define XENMEM_memory_map 9 /* struct xen_memory_map: the domain's E820 */
#define XENMEM_machine_memory_map 10
#define XENMEM_exchange 11
#define XENMEM_machphys_mapping 12
#define XENMEM_set_memory_map 13
#define XENMEM_maximum_gpfn 14
#define XENMEM_machphys_compat_mfn_list 25

/*
 * Not in Xen's public headers but visible to guests: when Xen preempts a
 * reservation operation it re-enters it with the next extent encoded in the
 * command's upper bits, so Xen masks the command with MEMOP_CMD_MASK.
 */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1 << MEMOP_EXTENT_SHIFT) - 1)

/* xen_memory_reservation.mem_flags */
#define XENMEMF_address_bits(x) (x)
#define XENMEMF_get_address_bits(x) ((x) & 0xffu)
#define XENMEMF_node(x) (((x) + 1) << 8)
#define XENMEMF_get_node(x) ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand (1 << 16)
#define XENMEMF_exact_node_request (1 << 17)
#define XENMEMF_vnode (1 << 18)

/* xen_add_to_physmap.space */
#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_grant_table 1
#define XENMAPSPACE_gmfn 2
#define XENMAPSPACE_gmfn_range 3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio 5

/* E820 types of the entries XENMEM_memory_map returns. */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_UNUSABLE 5

#ifndef __ASSEMBLER__

struct xen_memory_reservation {
	uint64_t extent_start; /* guest VA of xen_pfn_t[nr_extents] */
	xen_ulong_t nr_extents;
	uint32_t extent_order;
	uint32_t mem_flags; /* XENMEMF_* */
	domid_t domid;
};
XEN_CHECK_OFFSET(struct xen_memory_reservation, nr_extents, 8);
XEN_CHECK_OFFSET(struct xen_memory_reservation, extent_order, 16);
XEN_CHECK_OFFSET(struct xen_memory_reservation, mem_flags, 20);
XEN_CHECK_OFFSET(struct xen_memory_reservation, domid, 24);
XEN_CHECK_SIZE(struct xen_memory_reservation, 32);

struct xen_memory_exchange {
	struct xen_memory_reservation in;
	struct xen_memory_reservation out;
	xen_ulong_t nr_exchanged;
};
XEN_CHECK_SIZE(struct xen_memory_exchange, 72);

struct xen_machphys_mfn_list {
	uint32_t max_extents;
	uint64_t extent_start; /* guest VA of xen_pfn_t[] */
	uint32_t nr_extents; /* OUT */
};
XEN_CHECK_OFFSET(struct xen_machphys_mfn_list, extent_start, 8);
XEN_CHECK_SIZE(struct xen_machphys_mfn_list, 24);

/* Where the M2P is mapped for this guest. */
struct xen_machphys_mapping {
	xen_ulong_t v_start, v_end;
	xen_ulong_t max_mfn;
};
XEN_CHECK_SIZE(struct xen_machphys_mapping, 24);

struct xen_add_to_physmap {
	domid_t domid;
	uint16_t size; /* XENMAPSPACE_gmfn_range only */
	uint32_t space; /* XENMAPSPACE_* */
	xen_ulong_t idx;
	xen_pfn_t gpfn;
};
XEN_CHECK_OFFSET(struct xen_add_to_physmap, idx, 8);
XEN_CHECK_SIZE(struct xen_add_to_physmap, 24);
#define XENMAPIDX_grant_table_status 0x80000000U

/* IN: capacity of buffer in entries. OUT: entries written. */
struct xen_memory_map {
	uint32_t nr_entries;
	uint64_t buffer; /* guest VA of struct xen_e820_entry[] */
};
XEN_CHECK_OFFSET(struct xen_memory_map, buffer, 8);
XEN_CHECK_SIZE(struct xen_memory_map, 16);

struct xen_foreign_memory_map {
	domid_t domid;
	struct xen_memory_map map;
};
XEN_CHECK_SIZE(struct xen_foreign_memory_map, 24);

/* The BIOS E820 entry layout: packed, 20 bytes. */
struct xen_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820_* */
} __attribute__((packed));
XEN_CHECK_SIZE(struct xen_e820_entry, 20);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_MEMORY_H */
