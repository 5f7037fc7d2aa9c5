/* Grant tables: entries a domain writes, and HYPERVISOR_grant_table_op. */
#ifndef XEN_GRANT_TABLE_H
#define XEN_GRANT_TABLE_H

#include <xen/abi.h>

#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE 0
#define GNTTAB_RESERVED_XENSTORE 1

/* grant_entry_v1.flags: type in bits 0-1, then modifiers and status. */
#define GTF_invalid 0
#define GTF_permit_access 1
#define GTF_accept_transfer 2
#define GTF_transitive 3
#define GTF_type_mask 3
#define _GTF_readonly 2
#define GTF_readonly (1 << _GTF_readonly)
#define _GTF_reading 3
#define GTF_reading (1 << _GTF_reading) /* set by Xen while mapped/copied */
#define _GTF_writing 4
#define GTF_writing (1 << _GTF_writing)
#define _GTF_PWT 5
#define GTF_PWT (1 << _GTF_PWT)
#define _GTF_PCD 6
#define GTF_PCD (1 << _GTF_PCD)
#define _GTF_PAT 7
#define GTF_PAT (1 << _GTF_PAT)
#define _GTF_sub_page 8
#define GTF_sub_page (1 << _GTF_sub_page)
#define _GTF_transfer_committed 2
#define GTF_transfer_committed (1 << _GTF_transfer_committed)
#define _GTF_transfer_completed 3
#define GTF_transfer_completed (1 << _GTF_transfer_completed)

#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_dump_table 3
#define GNTTABOP_transfer 4
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version 8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version 10
#define GNTTABOP_swap_grant_ref 11
#define GNTTABOP_cache_flush 12

/* gnttab_map_grant_ref.flags */
#define _GNTMAP_device_map 0
#define GNTMAP_device_map (1 << _GNTMAP_device_map)
#define _GNTMAP_host_map 1
#define GNTMAP_host_map (1 << _GNTMAP_host_map)
#define _GNTMAP_readonly 2
#define GNTMAP_readonly (1 << _GNTMAP_readonly)
#define _GNTMAP_application_map 3
#define GNTMAP_application_map (1 << _GNTMAP_application_map)
#define _GNTMAP_contains_pte 4 /* host_addr is the machine address of a PTE */
#define GNTMAP_contains_pte (1 << _GNTMAP_contains_pte)

/* gnttab_copy.flags */
#define _GNTCOPY_source_gref 0
#define GNTCOPY_source_gref (1 << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref 1
#define GNTCOPY_dest_gref (1 << _GNTCOPY_dest_gref)

/* Per-operation status values (the status fields, not the hypercall's return). */
#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_bad_dev_addr (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain (-12)
#define GNTST_no_space (-13)

#ifndef __ASSEMBLER__

/* Version 1 entry, written by the granting domain. */
struct grant_entry_v1 {
	uint16_t flags; /* GTF_* */
	domid_t domid; /* who may map/copy it */
	uint32_t frame; /* granted frame (or transfer target) */
};
XEN_CHECK_SIZE(struct grant_entry_v1, 8);
#define GNTTAB_V1_ENTRIES_PER_PAGE (XEN_PAGE_SIZE / sizeof(struct grant_entry_v1))

struct grant_entry_header {
	uint16_t flags;
	domid_t domid;
};

/* Version 2 entry; its status bits live in separate status frames. */
union grant_entry_v2 {
	struct grant_entry_header hdr;
	struct {
		struct grant_entry_header hdr;
		uint32_t pad0;
		uint64_t frame;
	} full_page;
	struct {
		struct grant_entry_header hdr;
		uint16_t page_off;
		uint16_t length;
		uint64_t frame;
	} sub_page;
	struct {
		struct grant_entry_header hdr;
		domid_t trans_domid;
		uint16_t pad0;
		grant_ref_t gref;
	} transitive;
	uint32_t __spacer[4];
};
XEN_CHECK_SIZE(union grant_entry_v2, 16);

struct gnttab_map_grant_ref {
	uint64_t host_addr; /* IN */
	uint32_t flags; /* IN: GNTMAP_* */
	grant_ref_t ref; /* IN */
	domid_t dom; /* IN */
	int16_t status; /* OUT: GNTST_* */
	grant_handle_t handle; /* OUT */
	uint64_t dev_bus_addr; /* OUT */
};
XEN_CHECK_OFFSET(struct gnttab_map_grant_ref, flags, 8);
XEN_CHECK_OFFSET(struct gnttab_map_grant_ref, ref, 12);
XEN_CHECK_OFFSET(struct gnttab_map_grant_ref, dom, 16);
XEN_CHECK_OFFSET(struct gnttab_map_grant_ref, status, 18);
XEN_CHECK_OFFSET(struct gnttab_map_grant_ref, handle, 20);
XEN_CHECK_OFFSET(struct gnttab_map_grant_ref, dev_bus_addr, 24);
XEN_CHECK_SIZE(struct gnttab_map_grant_ref, 32);

struct gnttab_unmap_grant_ref {
	uint64_t host_addr;
	uint64_t dev_bus_addr;
	grant_handle_t handle;
	int16_t status; /* OUT */
};
XEN_CHECK_OFFSET(struct gnttab_unmap_grant_ref, handle, 16);
XEN_CHECK_OFFSET(struct gnttab_unmap_grant_ref, status, 20);
XEN_CHECK_SIZE(struct gnttab_unmap_grant_ref, 24);

/* OUT: frame_list[0..nr_frames) receives the grant table's frames. */
struct gnttab_setup_table {
	domid_t dom;
	uint32_t nr_frames;
	int16_t status;
	uint64_t frame_list; /* guest VA of xen_pfn_t[nr_frames] */
};
XEN_CHECK_OFFSET(struct gnttab_setup_table, nr_frames, 4);
XEN_CHECK_OFFSET(struct gnttab_setup_table, status, 8);
XEN_CHECK_OFFSET(struct gnttab_setup_table, frame_list, 16);
XEN_CHECK_SIZE(struct gnttab_setup_table, 24);

struct gnttab_dump_table {
	domid_t dom;
	int16_t status;
};
XEN_CHECK_SIZE(struct gnttab_dump_table, 4);

struct gnttab_transfer {
	xen_pfn_t mfn;
	domid_t domid;
	grant_ref_t ref;
	int16_t status;
};
XEN_CHECK_OFFSET(struct gnttab_transfer, ref, 12);
XEN_CHECK_OFFSET(struct gnttab_transfer, status, 16);
XEN_CHECK_SIZE(struct gnttab_transfer, 24);

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref; /* with GNTCOPY_*_gref */
		xen_pfn_t gmfn; /* otherwise a frame of the caller */
	} u;
	domid_t domid;
	uint16_t offset;
};
XEN_CHECK_OFFSET(struct gnttab_copy_ptr, domid, 8);
XEN_CHECK_OFFSET(struct gnttab_copy_ptr, offset, 10);
XEN_CHECK_SIZE(struct gnttab_copy_ptr, 16);

/* Copy len bytes; neither side may cross a page boundary. */
struct gnttab_copy {
	struct gnttab_copy_ptr source, dest;
	uint16_t len;
	uint16_t flags; /* GNTCOPY_* */
	int16_t status; /* OUT */
};
XEN_CHECK_OFFSET(struct gnttab_copy, dest, 16);
XEN_CHECK_OFFSET(struct gnttab_copy, len, 32);
XEN_CHECK_OFFSET(struct gnttab_copy, flags, 34);
XEN_CHECK_OFFSET(struct gnttab_copy, status, 36);
XEN_CHECK_SIZE(struct gnttab_copy, 40);

struct gnttab_query_size {
	domid_t dom;
	uint32_t nr_frames; /* OUT */
	uint32_t max_nr_frames; /* OUT */
	int16_t status; /* OUT */
};
XEN_CHECK_OFFSET(struct gnttab_query_size, max_nr_frames, 8);
XEN_CHECK_OFFSET(struct gnttab_query_size, status, 12);
XEN_CHECK_SIZE(struct gnttab_query_size, 16);

struct gnttab_unmap_and_replace {
	uint64_t host_addr;
	uint64_t new_addr;
	grant_handle_t handle;
	int16_t status;
};
XEN_CHECK_SIZE(struct gnttab_unmap_and_replace, 24);

/* IN: 1 or 2. OUT: the version in force. */
struct gnttab_set_version {
	uint32_t version;
};
XEN_CHECK_SIZE(struct gnttab_set_version, 4);

struct gnttab_get_status_frames {
	uint32_t nr_frames;
	domid_t dom;
	int16_t status;
	uint64_t frame_list; /* guest VA of uint64_t[nr_frames] */
};
XEN_CHECK_OFFSET(struct gnttab_get_status_frames, frame_list, 8);
XEN_CHECK_SIZE(struct gnttab_get_status_frames, 16);

struct gnttab_get_version {
	domid_t dom;
	uint16_t pad;
	uint32_t version; /* OUT */
};
XEN_CHECK_SIZE(struct gnttab_get_version, 8);

struct gnttab_swap_grant_ref {
	grant_ref_t ref_a;
	grant_ref_t ref_b;
	int16_t status;
};
XEN_CHECK_SIZE(struct gnttab_swap_grant_ref, 12);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_GRANT_TABLE_H */
