/*
 * A hostile blkif frontend: requests no correct frontend sends, each of
 * which must get BLKIF_RSP_ERROR (or EOPNOTSUPP for unknown operations)
 * without harming the backend; then impossible ring indices on xvda,
 * after which xvdb must still work.
 *
 * Disks (tests/integration/blk_guest.sh): xvda (51712) and xvdb (51728),
 * 16 MiB raw images, rw.
 */
#include "blkfront.h"
#include "events.h"
#include "guest.h"
#include "xs.h"

const char test_title[] = "hostile blkif frontend";

static struct bf_dev a, b;
static void *page, *ro_page;

/* One raw request on xvda queue 0; its status (99: no response). */
static int send(const struct blkif_request *req)
{
	union blkif_sring_entry *e = bf_slot(&a, 0);
	struct blkif_response rsp;

	memcpy(&e->req, req, sizeof(*req));
	bf_push(&a, 0);
	if (!bf_response(&a, 0, &rsp, BF_WAIT_NS))
		return 99;
	return rsp.id == req->id ? rsp.status : 98;
}

static struct blkif_request rd(uint64_t sector, grant_ref_t ref, uint8_t first, uint8_t last)
{
	struct blkif_request r = {.operation = BLKIF_OP_READ, .nr_segments = 1, .id = 0x4242,
				  .sector_number = sector};

	r.seg[0] = (struct blkif_request_segment){ref, first, last};
	return r;
}

static void test_bounds(void)
{
	struct blkif_request r;

	r = rd(a.sectors, page_ref(page), 0, 0);
	check_eq(send(&r), BLKIF_RSP_ERROR, "sector = the disk's size");
	r = rd(~0ULL - 2, page_ref(page), 0, 7);
	check_eq(send(&r), BLKIF_RSP_ERROR, "sector near 2^64 (wraps)");
	r = rd(0, page_ref(page), 0, 8);
	check_eq(send(&r), BLKIF_RSP_ERROR, "last_sect 8 (past the page)");
	r = rd(0, page_ref(page), 5, 2);
	check_eq(send(&r), BLKIF_RSP_ERROR, "first_sect after last_sect");
	r = rd(0, page_ref(page), 0, 7);
	r.nr_segments = 12;
	check_eq(send(&r), BLKIF_RSP_ERROR, "12 direct segments");
	r.nr_segments = 0;
	check_eq(send(&r), BLKIF_RSP_ERROR, "a read of no segments");
	r = rd(0, page_ref(page), 0, 7);
	r.operation = 4;
	check_eq(send(&r), BLKIF_RSP_EOPNOTSUPP, "reserved operation 4");
	r.operation = 200;
	check_eq(send(&r), BLKIF_RSP_EOPNOTSUPP, "operation 200");
}

static void test_grants(void)
{
	grant_ref_t ref = gnt_alloc();
	struct blkif_request r;

	r = rd(0, 0xfffff, 0, 7);
	check_eq(send(&r), BLKIF_RSP_ERROR, "grant ref beyond the table");
	gnt_set(ref, GTF_permit_access, 5, virt_to_mfn(page));
	r = rd(0, ref, 0, 7);
	check_eq(send(&r), BLKIF_RSP_ERROR, "a grant to another domain (5)");
	gnt_set(ref, 0, 0, virt_to_mfn(page));
	check_eq(send(&r), BLKIF_RSP_ERROR, "an invalid grant entry");
	gnt_set(ref, GTF_permit_access | GTF_readonly, 0, virt_to_mfn(ro_page));
	check_eq(send(&r), BLKIF_RSP_ERROR, "a read into a read-only grant");
	check_eq(gnt_table[ref].flags, GTF_permit_access | GTF_readonly,
		 "and the entry is left as it was");
	gnt_set(ref, GTF_permit_access, 0, 0x7ffffff);
	check_eq(send(&r), BLKIF_RSP_ERROR, "a grant of a frame that is not RAM");
	gnt_set(ref, GTF_permit_access, 0, pte_maddr((uint64_t)page, 1) >> PAGE_SHIFT);
	check_eq(send(&r), BLKIF_RSP_ERROR, "a read into a page-table frame");
	gnt_set(ref, GTF_permit_access | GTF_readonly, 0, virt_to_mfn(ro_page));
	r.operation = BLKIF_OP_WRITE;
	check_eq(send(&r), BLKIF_RSP_OKAY, "a write from a read-only grant is fine");
}

static void test_indirect(void)
{
	struct blkif_request_indirect ind = {.operation = BLKIF_OP_INDIRECT,
					     .indirect_op = BLKIF_OP_READ, .nr_segments = 257,
					     .id = 0x4242};
	struct blkif_request r;

	ind.indirect_grefs[0] = page_ref(page);
	memcpy(&r, &ind, sizeof(ind));
	check_eq(send(&r), BLKIF_RSP_ERROR, "257 indirect segments");
	ind.nr_segments = 0;
	memcpy(&r, &ind, sizeof(ind));
	check_eq(send(&r), BLKIF_RSP_ERROR, "0 indirect segments");
	ind.nr_segments = 4;
	ind.indirect_op = BLKIF_OP_DISCARD;
	memcpy(&r, &ind, sizeof(ind));
	check_eq(send(&r), BLKIF_RSP_ERROR, "indirect discard");
	ind.indirect_op = BLKIF_OP_READ;
	ind.indirect_grefs[0] = 0xfffff;
	memcpy(&r, &ind, sizeof(ind));
	check_eq(send(&r), BLKIF_RSP_ERROR, "bogus indirect page grant");
	/* an indirect page full of garbage segments */
	memset(page, 0xff, PAGE_SIZE);
	ind.indirect_grefs[0] = page_ref(page);
	memcpy(&r, &ind, sizeof(ind));
	check_eq(send(&r), BLKIF_RSP_ERROR, "indirect page of garbage segments");
}

static void test_insane_ring(void)
{
	struct bf_queue *q = &a.q[0];
	RING_IDX before = q->sring->h.rsp_prod;
	void *p[1] = {page};

	q->req_prod_pvt += 1000;	/* claims 1000 requests in a 32-slot ring */
	bf_push(&a, 0);
	poll_ports(&q->port, 1, 300000000UL);
	check_eq(q->sring->h.rsp_prod, before, "no responses to an impossible req_prod");
	check_eq(bf_io(&b, 0, BLKIF_OP_WRITE, 0, p, 1), 0, "xvdb still writes");
	check_eq(bf_io(&b, 0, BLKIF_OP_READ, 0, p, 1), 0, "and reads");
	check_eq(bf_io(&b, 0, BLKIF_OP_FLUSH_DISKCACHE, 0, p, 0), 0, "and flushes");
}

void guest_main(void)
{
	if (!check(gnt_setup() && xs_init(), "grants and xenstore set up"))
		return;
	page = page_alloc();
	ro_page = page_alloc();
	if (!check(bf_connect(&a, 51712, 1, 0, false), "xvda connects") ||
	    !check(bf_connect(&b, 51728, 1, 0, false), "xvdb connects"))
		return;
	test_bounds();
	test_grants();
	test_indirect();
	test_insane_ring();
}
