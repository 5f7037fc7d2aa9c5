/*
 * Grant tables (version 1) from the granting side: setup_table and mapping
 * the table, query_size, get/set_version, and GNTTABOP_copy through a
 * grant the domain gives itself, with the per-operation status codes for
 * bad references, permissions and page-crossing copies.
 */
#include "events.h"
#include "guest.h"
#include "hypercall.h"

const char test_title[] = "grant tables";

#define UNMAPPED_VA 0x1000UL
#define NO_SUCH_DOMAIN 0x7000
#define REF_SRC 10
#define REF_NONE 11
#define REF_RO 12

static uint8_t table_page[4096] __page_aligned_bss;
static uint8_t src[4096] __page_aligned_bss;
static uint8_t dst[4096] __page_aligned_bss;
static struct grant_entry_v1 *const table = (struct grant_entry_v1 *)table_page;

static struct grant_entry_v1 *setup(void)
{
	uint64_t frame = 0;
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1, .frame_list = PTR(&frame) };

	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, PTR(&st), 2), -XEN_EINVAL,
		 "setup_table takes exactly one argument");
	if (!check_eq(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, PTR(&st), 1), 0,
		      "GNTTABOP_setup_table"))
		return NULL;
	check_eq(st.status, GNTST_okay, "status okay");
	if (!check_eq(map_frame_at(table_page, frame, PTE_DATA), 0, "map grant frame %#lx", frame))
		return NULL;

	st = (struct gnttab_setup_table){ .dom = NO_SUCH_DOMAIN, .nr_frames = 1,
					  .frame_list = PTR(&frame) };
	HYPERVISOR_grant_table_op(GNTTABOP_setup_table, PTR(&st), 1);
	check_eq(st.status, GNTST_bad_domain, "setup_table of a domain that does not exist");
	st = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 100000,
					  .frame_list = PTR(&frame) };
	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, PTR(&st), 1), 0,
		 "setup_table beyond the maximum size");
	check_eq(st.status, GNTST_general_error, "fails in its status");
	st.frame_list = HYPERVISOR_VIRT_START;
	st.nr_frames = 1;
	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, PTR(&st), 1), -XEN_EFAULT,
		 "a frame list in the hypervisor's range");
	return table;
}

static void test_query_and_version(void)
{
	struct gnttab_query_size qs = { .dom = DOMID_SELF };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	struct gnttab_set_version sv = { .version = 3 };
	long rc;

	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_query_size, PTR(&qs), 1), 0, "GNTTABOP_query_size");
	check_eq(qs.status, GNTST_okay, "status okay");
	check(qs.nr_frames >= 1 && qs.nr_frames <= qs.max_nr_frames, "%u of at most %u frames",
	      qs.nr_frames, qs.max_nr_frames);
	qs.dom = NO_SUCH_DOMAIN;
	HYPERVISOR_grant_table_op(GNTTABOP_query_size, PTR(&qs), 1);
	check_eq(qs.status, GNTST_bad_domain, "query_size of a domain that does not exist");

	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_get_version, PTR(&gv), 1), 0, "GNTTABOP_get_version");
	check_eq(gv.version, 1, "a new domain uses version 1");
	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_set_version, PTR(&sv), 1), -XEN_EINVAL,
		 "version 3 does not exist");
	sv.version = 1;
	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_set_version, PTR(&sv), 1), 0,
		 "set_version 1 (no change)");
	sv.version = 2;
	rc = HYPERVISOR_grant_table_op(GNTTABOP_set_version, PTR(&sv), 1);
	check(rc == 0 || rc == -XEN_ENOSYS, "set_version 2: allowed, or -ENOSYS where v1 is the limit (%ld)",
	      rc);
	sv.version = 1;
	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_set_version, PTR(&sv), 1), 0, "back to version 1");
}

static struct gnttab_copy copy_op(grant_ref_t ref, uint16_t src_off, uint64_t dst_mfn,
				  uint16_t dst_off, uint16_t len)
{
	return (struct gnttab_copy){
		.source = { .u.ref = ref, .domid = DOMID_SELF, .offset = src_off },
		.dest = { .u.gmfn = dst_mfn, .domid = DOMID_SELF, .offset = dst_off },
		.len = len,
		.flags = GNTCOPY_source_gref,
	};
}

static void test_copy(domid_t self)
{
	uint64_t dst_mfn = virt_to_mfn(dst);
	struct gnttab_copy c[4];

	for (unsigned int i = 0; i < 4096; i++)
		src[i] = (uint8_t)(i * 7);
	memset(dst, 0, sizeof(dst));
	table[REF_SRC] = (struct grant_entry_v1){ .domid = self, .frame = virt_to_mfn(src) };
	__atomic_store_n(&table[REF_SRC].flags, GTF_permit_access, __ATOMIC_RELEASE);
	table[REF_NONE] = (struct grant_entry_v1){ 0 };

	c[0] = copy_op(REF_SRC, 100, dst_mfn, 200, 300);
	c[1] = copy_op(REF_SRC, 4000, dst_mfn, 0, 200);
	c[2] = copy_op(100000, 0, dst_mfn, 0, 8);
	c[3] = copy_op(REF_NONE, 0, dst_mfn, 0, 8);
	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_copy, PTR(c), 4), 0, "GNTTABOP_copy of four ops");
	check_eq(c[0].status, GNTST_okay, "copy through our own grant");
	check(!memcmp(dst + 200, src + 100, 300), "the bytes arrived");
	check_eq(dst[199] | dst[500], 0, "and nothing around them");
	check_eq(c[1].status, GNTST_bad_copy_arg, "a copy crossing the end of the page");
	check_eq(c[2].status, GNTST_bad_gntref, "a reference beyond the table");
	check_eq(c[3].status, GNTST_general_error, "a reference that grants nothing");
	check_eq(table[REF_SRC].flags, GTF_permit_access, "the grant's reading/writing bits are clear again");

	/* A read-only grant cannot be a copy's destination. */
	table[REF_RO] = (struct grant_entry_v1){ .domid = self, .frame = dst_mfn };
	__atomic_store_n(&table[REF_RO].flags, GTF_permit_access | GTF_readonly, __ATOMIC_RELEASE);
	c[0] = (struct gnttab_copy){
		.source = { .u.gmfn = virt_to_mfn(src), .domid = DOMID_SELF },
		.dest = { .u.ref = REF_RO, .domid = DOMID_SELF },
		.len = 8,
		.flags = GNTCOPY_dest_gref,
	};
	HYPERVISOR_grant_table_op(GNTTABOP_copy, PTR(c), 1);
	check_eq(c[0].status, GNTST_general_error, "copy into a read-only grant");

	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_copy, UNMAPPED_VA, 1), -XEN_EFAULT,
		 "GNTTABOP_copy from a bad address");
	check_eq(HYPERVISOR_grant_table_op(99, PTR(c), 1), -XEN_ENOSYS, "unknown GNTTABOP");
}

void guest_main(void)
{
	domid_t self = own_domid();

	test_query_and_version();
	if (setup())
		test_copy(self);
}
