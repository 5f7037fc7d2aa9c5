/*
 * A blkif frontend against the monitor's block backend: the handshake,
 * reads and writes (whole and partial pages), flush and barrier, indirect
 * segments, discard, bounds, a read-only disk, then a reconnect with two
 * queues, a four-page ring and persistent grants.
 *
 * Disks (tests/integration/blk_guest.sh): xvda (51712) a 16 MiB raw image,
 * rw; xvdb (51728) read-only. It leaves a signature for the host to find:
 * "xeno-blkfront-signature" at sector 8192 of xvda, and stops right after
 * it if data/blk-hold is 1 (the durability test kills the monitor there).
 */
#include "blkfront.h"
#include "events.h"
#include "guest.h"
#include "xs.h"

const char test_title[] = "blkif frontend against the block backend";

#define XVDA 51712
#define XVDB 51728
#define SIG_SECTOR 8192
#define IND_SEGS 64

static struct bf_dev a, b;

static void fill(void *page, uint64_t sector, unsigned int salt)
{
	uint64_t *w = page;

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = (sector + i / 64) * 0x9e3779b97f4a7c15ULL ^ salt;
}

static bool pages_equal(void **x, void **y, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (memcmp(x[i], y[i], PAGE_SIZE))
			return false;
	return true;
}

static void alloc_pages(void **p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = page_alloc();
}

static void test_connect(void)
{
	check(bf_connect(&a, XVDA, 1, 0, false), "xvda connects (one queue, one page)");
	check_eq(a.sectors, 16 * 2048, "sectors of a 16 MiB image");
	check_eq(a.info, 0, "info: a writable disk");
	check_eq(a.max_indirect, 256, "feature-max-indirect-segments");
	check(a.max_queues >= 1 && a.max_order == 4, "multi-queue-max-queues %lu, max-ring-page-order %lu",
	      (unsigned long)a.max_queues, (unsigned long)a.max_order);
	check_eq(a.q[0].size, 32, "a one-page ring has 32 slots");
}

static void test_rw(void)
{
	void *w[11], *r[11];

	alloc_pages(w, 11);
	alloc_pages(r, 11);
	for (unsigned int i = 0; i < 11; i++)
		fill(w[i], i * 8, 1);
	check_eq(bf_io(&a, 0, BLKIF_OP_WRITE, 0, w, 11), BLKIF_RSP_OKAY, "write 11 segments");
	check_eq(bf_io(&a, 0, BLKIF_OP_READ, 0, r, 11), BLKIF_RSP_OKAY, "read them back");
	check(pages_equal(w, r, 11), "what was read is what was written");
	check_eq(gnt_table[page_ref(r[0])].flags, GTF_permit_access,
		 "without persistent grants the backend's pins are gone after the response");

	/* sectors 2..5 of a page land at sector 1000.. */
	union blkif_sring_entry *e = bf_slot(&a, 0);
	struct blkif_response rsp;
	fill(w[0], 5000, 2);
	e->req = (struct blkif_request){.operation = BLKIF_OP_WRITE, .nr_segments = 1, .id = 77,
					.sector_number = 1000};
	e->req.seg[0] = (struct blkif_request_segment){page_ref(w[0]), 2, 5};
	bf_push(&a, 0);
	check(bf_response(&a, 0, &rsp, BF_WAIT_NS) && rsp.id == 77 && rsp.status == 0 &&
		      rsp.operation == BLKIF_OP_WRITE,
	      "a partial-page write (sectors 2-5 of the page)");
	check_eq(bf_io(&a, 0, BLKIF_OP_READ, 998, r, 1), 0, "read the page around it");
	check(!memcmp((uint8_t *)r[0] + 2 * 512, (uint8_t *)w[0] + 2 * 512, 4 * 512),
	      "the four sectors are where they belong");
}

/* The durability test writes data/blk-hold = 1: stop here, right after the
 * barrier write completed, until the host kills the monitor. */
static void hold_if_asked(void)
{
	char v[8];
	evtchn_port_t none[1] = {0};

	if (!xs_read("data/blk-hold", v, sizeof(v)) || strcmp(v, "1"))
		return;
	note("holding after the barrier write, for the host");
	for (;;)
		poll_ports(none, 0, 1000000000UL);
}

static void test_flush(void)
{
	void *w[1], *r[1];

	alloc_pages(w, 1);
	alloc_pages(r, 1);
	check_eq(bf_io(&a, 0, BLKIF_OP_FLUSH_DISKCACHE, 0, w, 0), 0, "flush-diskcache");
	check_eq(bf_io(&a, 0, BLKIF_OP_WRITE_BARRIER, 0, w, 0), 0, "write-barrier");
	fill(w[0], 3000, 3);
	check_eq(bf_io(&a, 0, BLKIF_OP_FLUSH_DISKCACHE, 3000, w, 1), 0, "flush with data");
	check_eq(bf_io(&a, 0, BLKIF_OP_READ, 3000, r, 1), 0, "and read back");
	check(!memcmp(w[0], r[0], PAGE_SIZE), "the flushed data is there");
	memset(w[0], 0, PAGE_SIZE);
	memcpy(w[0], "xeno-blkfront-signature", 23);
	check_eq(bf_io(&a, 0, BLKIF_OP_WRITE_BARRIER, SIG_SECTOR, w, 1), 0,
		 "barrier write of the signature");
	hold_if_asked();
}

static void test_indirect(void)
{
	static void *w[IND_SEGS], *r[IND_SEGS];

	alloc_pages(w, IND_SEGS);
	alloc_pages(r, IND_SEGS);
	for (unsigned int i = 0; i < IND_SEGS; i++)
		fill(w[i], 4096 + i * 8, 4);
	check_eq(bf_io(&a, 0, BLKIF_OP_WRITE, 4096, w, IND_SEGS), 0, "indirect write, 64 segments");
	check_eq(bf_io(&a, 0, BLKIF_OP_READ, 4096, r, IND_SEGS), 0, "indirect read, 64 segments");
	check(pages_equal(w, r, IND_SEGS), "256 KiB round trip through indirect pages");

	/* discard it: reads as zeros afterwards (a punched hole) */
	union blkif_sring_entry *e = bf_slot(&a, 0);
	struct blkif_request_discard *d = (struct blkif_request_discard *)&e->req;
	struct blkif_response rsp;
	*d = (struct blkif_request_discard){.operation = BLKIF_OP_DISCARD, .id = 5,
					    .sector_number = 4096, .nr_sectors = IND_SEGS * 8};
	bf_push(&a, 0);
	check(bf_response(&a, 0, &rsp, BF_WAIT_NS) && rsp.status == 0, "discard 256 KiB");
	check_eq(bf_io(&a, 0, BLKIF_OP_READ, 4096, r, 1), 0, "read a discarded page");
	memset(w[0], 0, PAGE_SIZE);
	check(!memcmp(w[0], r[0], PAGE_SIZE), "it reads as zeros");

	check_eq(bf_io(&a, 0, BLKIF_OP_READ, a.sectors - 4, r, 1), BLKIF_RSP_ERROR,
		 "a read past the end is an error");
}

static void test_readonly(void)
{
	void *p[1];

	alloc_pages(p, 1);
	check(bf_connect(&b, XVDB, 1, 0, false), "xvdb connects");
	check_eq(b.info, VDISK_READONLY, "info says read-only");
	check_eq(bf_io(&b, 0, BLKIF_OP_READ, 0, p, 1), 0, "read from the read-only disk");
	check_eq(bf_io(&b, 0, BLKIF_OP_WRITE, 0, p, 1), BLKIF_RSP_ERROR, "write refused");
	check_eq(bf_io(&b, 0, BLKIF_OP_FLUSH_DISKCACHE, 0, p, 0), BLKIF_RSP_ERROR, "flush refused");
	check(bf_close(&b), "xvdb closes and waits again");
}

static void test_reconnect_mq_persistent(void)
{
	static void *w[IND_SEGS], *r[IND_SEGS];

	check(bf_close(&a), "xvda closes (Closing, Closed) and the backend waits again");
	if (!check(bf_connect(&a, XVDA, 2, 2, true), "xvda reconnects: 2 queues, 4-page rings, "
						     "persistent grants"))
		return;
	check_eq(a.q[0].size, 128, "a four-page ring has 128 slots");
	alloc_pages(w, IND_SEGS);
	alloc_pages(r, IND_SEGS);
	check_eq(bf_io(&a, 1, BLKIF_OP_READ, 3000, r, 1), 0, "queue 1 reads the flushed page");
	fill(w[0], 3000, 3);
	check(!memcmp(w[0], r[0], PAGE_SIZE), "the data survived the reconnect");
	for (unsigned int i = 0; i < IND_SEGS; i++)
		fill(w[i], 6000 + i * 8, 6);
	check_eq(bf_io(&a, 0, BLKIF_OP_WRITE, 6000, w, IND_SEGS), 0, "queue 0: indirect write");
	check_eq(bf_io(&a, 1, BLKIF_OP_READ, 6000, r, IND_SEGS), 0, "queue 1: indirect read");
	check(pages_equal(w, r, IND_SEGS), "both queues see the same disk");
	check_eq(gnt_table[page_ref(r[5])].flags & (GTF_reading | GTF_writing),
		 GTF_reading | GTF_writing, "persistent grants stay pinned after the response");
	check_eq(bf_io(&a, 0, BLKIF_OP_READ, 6000, r, IND_SEGS), 0, "again, through the cache");
	check(pages_equal(w, r, IND_SEGS), "same data");
	check(bf_close(&a), "xvda closes");
	check_eq(gnt_table[page_ref(r[5])].flags, GTF_permit_access,
		 "closing drops the persistent pins");
}

void guest_main(void)
{
	if (!check(gnt_setup(), "grant table set up") || !check(xs_init(), "xenstore ring mapped"))
		return;
	test_connect();
	test_rw();
	test_flush();
	test_indirect();
	test_readonly();
	test_reconnect_mq_persistent();
}
