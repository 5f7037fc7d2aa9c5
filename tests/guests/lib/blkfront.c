/*
 * The test guests' blkif frontend (blkfront.h).
 */
#include "blkfront.h"

#include "events.h"
#include "guest.h"
#include "hypercall.h"
#include "xs.h"

static uint8_t gnt_pages[BF_NR_GRANT_FRAMES][4096] __page_aligned_bss;
static uint8_t pool[BF_POOL_PAGES][4096] __page_aligned_bss;
static grant_ref_t pool_ref[BF_POOL_PAGES];
static unsigned int pool_used;
static grant_ref_t next_ref = GNTTAB_NR_RESERVED_ENTRIES;
struct grant_entry_v1 *gnt_table;

bool gnt_setup(void)
{
	xen_pfn_t frames[BF_NR_GRANT_FRAMES];
	struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = BF_NR_GRANT_FRAMES,
					.frame_list = PTR(frames)};

	if (gnt_table)
		return true;
	if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, PTR(&st), 1) || st.status)
		return false;
	/* the frames are consecutive here and in our mapping */
	for (unsigned int i = 0; i < BF_NR_GRANT_FRAMES; i++)
		if (map_frame_at(gnt_pages[i], frames[i], PTE_DATA))
			return false;
	gnt_table = (struct grant_entry_v1 *)gnt_pages;
	return true;
}

void gnt_set(grant_ref_t ref, uint16_t flags, domid_t dom, uint64_t frame)
{
	struct grant_entry_v1 *e = &gnt_table[ref];

	e->frame = (uint32_t)frame;
	e->domid = dom;
	__atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
}

grant_ref_t gnt_alloc(void)
{
	return next_ref++;
}

void *page_alloc(void)
{
	void *p;

	if (pool_used == BF_POOL_PAGES)
		report_crash("page pool exhausted");
	p = pool[pool_used];
	memset(p, 0, PAGE_SIZE);
	pool_ref[pool_used] = gnt_alloc();
	gnt_set(pool_ref[pool_used], GTF_permit_access, 0, virt_to_mfn(p));
	pool_used++;
	return p;
}

grant_ref_t page_ref(const void *page)
{
	return pool_ref[((const uint8_t *)page - pool[0]) / PAGE_SIZE];
}

/* ---- handshake ---------------------------------------------------------------- */

int bf_backend_state(const struct bf_dev *v)
{
	char p[96];
	uint64_t s;

	snprintf(p, sizeof(p), "%s/state", v->be);
	return xs_read_uint(p, &s) ? (int)s : -1;
}

static bool fe_write(const struct bf_dev *v, const char *key, const char *fmt, uint64_t val)
{
	char p[96], s[32];

	snprintf(p, sizeof(p), "%s/%s", v->fe, key);
	snprintf(s, sizeof(s), fmt, val);
	return xs_write(p, s);
}

static bool be_uint(const struct bf_dev *v, const char *key, uint64_t *val)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", v->be, key);
	return xs_read_uint(p, val);
}

static bool wait_be(const struct bf_dev *v, const char *state)
{
	char p[96];

	snprintf(p, sizeof(p), "%s/state", v->be);
	if (xs_wait_for(p, state, BF_WAIT_NS))
		return true;
	note("backend %s: state %d, waited for %s", v->be, bf_backend_state(v), state);
	return false;
}

static bool setup_queue(struct bf_dev *v, unsigned int i)
{
	struct bf_queue *q = &v->q[i];
	unsigned int pages = 1u << v->order;
	char prefix[16] = "", key[48];
	uint8_t *ring = NULL;

	/* the ring's pages, consecutive in our address space */
	for (unsigned int p = 0; p < pages; p++) {
		uint8_t *pg = page_alloc();

		if (!ring)
			ring = pg;
		q->refs[p] = page_ref(pg);
	}
	q->sring = (struct blkif_sring *)ring;
	xen_sring_init(&q->sring->h);
	q->size = XEN_RING_SIZE(blkif, (size_t)pages * PAGE_SIZE);
	q->req_prod_pvt = q->rsp_cons = 0;
	if (evtchn_alloc_unbound(0, &q->port))
		return false;
	port_mask(q->port);
	if (v->nq > 1)
		snprintf(prefix, sizeof(prefix), "queue-%u/", i);
	for (unsigned int p = 0; p < pages; p++) {
		if (v->order == 0)
			snprintf(key, sizeof(key), "%sring-ref", prefix);
		else
			snprintf(key, sizeof(key), "%sring-ref%u", prefix, p);
		if (!fe_write(v, key, "%lu", q->refs[p]))
			return false;
	}
	snprintf(key, sizeof(key), "%sevent-channel", prefix);
	return fe_write(v, key, "%lu", q->port);
}

bool bf_connect(struct bf_dev *v, unsigned int devid, unsigned int nq, unsigned int order,
		bool persistent)
{
	v->devid = devid;
	v->nq = nq;
	v->order = order;
	v->persistent = persistent;
	snprintf(v->fe, sizeof(v->fe), "device/vbd/%u", devid);
	if (!xs_init())
		return false;
	{
		char p[64];

		snprintf(p, sizeof(p), "%s/backend", v->fe);
		if (!xs_read(p, v->be, sizeof(v->be))) {
			note("no backend path at %s", p);
			return false;
		}
	}
	if (!wait_be(v, "2"))
		return false;
	if (!be_uint(v, "max-ring-page-order", &v->max_order) ||
	    !be_uint(v, "multi-queue-max-queues", &v->max_queues) ||
	    !be_uint(v, "feature-max-indirect-segments", &v->max_indirect))
		return false;
	if (order && !fe_write(v, "ring-page-order", "%lu", order))
		return false;
	if (nq > 1 && !fe_write(v, "multi-queue-num-queues", "%lu", nq))
		return false;
	for (unsigned int i = 0; i < nq; i++)
		if (!setup_queue(v, i))
			return false;
	{
		char p[96];

		snprintf(p, sizeof(p), "%s/protocol", v->fe);
		if (!xs_write(p, "x86_64-abi"))
			return false;
	}
	if (!fe_write(v, "feature-persistent", "%lu", persistent) ||
	    !fe_write(v, "state", "%lu", 3) || !wait_be(v, "4"))
		return false;
	if (!be_uint(v, "sectors", &v->sectors) || !be_uint(v, "info", &v->info))
		return false;
	return fe_write(v, "state", "%lu", 4);
}

bool bf_close(struct bf_dev *v)
{
	if (!fe_write(v, "state", "%lu", 5) || !wait_be(v, "5") || !fe_write(v, "state", "%lu", 6) ||
	    !wait_be(v, "6"))
		return false;
	for (unsigned int i = 0; i < v->nq; i++)
		evtchn_close(v->q[i].port);
	return fe_write(v, "state", "%lu", 1) && wait_be(v, "2");
}

/* ---- requests ---------------------------------------------------------------- */

union blkif_sring_entry *bf_slot(struct bf_dev *v, unsigned int qi)
{
	struct bf_queue *q = &v->q[qi];
	union blkif_sring_entry *e = &q->sring->ring[xen_ring_slot(q->req_prod_pvt, q->size)];

	memset(e, 0, sizeof(*e));
	q->req_prod_pvt++;
	return e;
}

void bf_push(struct bf_dev *v, unsigned int qi)
{
	struct bf_queue *q = &v->q[qi];
	RING_IDX old = q->sring->h.req_prod;

	xen_ring_store(&q->sring->h.req_prod, q->req_prod_pvt);
	xen_ring_mb();
	if (xen_ring_need_notify(old, q->req_prod_pvt, xen_ring_load(&q->sring->h.req_event)))
		evtchn_send(q->port);
}

bool bf_response(struct bf_dev *v, unsigned int qi, struct blkif_response *rsp, uint64_t timeout_ns)
{
	struct bf_queue *q = &v->q[qi];
	uint64_t deadline = system_time_ns() + timeout_ns;

	for (;;) {
		if (xen_ring_load(&q->sring->h.rsp_prod) != q->rsp_cons) {
			memcpy(rsp, &q->sring->ring[xen_ring_slot(q->rsp_cons, q->size)].rsp,
			       sizeof(*rsp));
			q->rsp_cons++;
			return true;
		}
		q->sring->h.rsp_event = q->rsp_cons + 1;
		xen_ring_mb();
		if (xen_ring_load(&q->sring->h.rsp_prod) != q->rsp_cons)
			continue;
		if (system_time_ns() > deadline)
			return false;
		poll_ports(&q->port, 1, 10000000UL);
		port_clear_pending(q->port);
	}
}

static uint64_t next_id = 1;

int bf_io(struct bf_dev *v, unsigned int q, uint8_t op, uint64_t sector, void **pages,
	  unsigned int nseg)
{
	static void *ind_pages[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	union blkif_sring_entry *e = bf_slot(v, q);
	struct blkif_response rsp;
	uint64_t id = next_id++;

	if (nseg <= BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		e->req = (struct blkif_request){.operation = op, .nr_segments = (uint8_t)nseg,
						.handle = (blkif_vdev_t)v->devid, .id = id,
						.sector_number = sector};
		for (unsigned int i = 0; i < nseg; i++)
			e->req.seg[i] = (struct blkif_request_segment){page_ref(pages[i]), 0, 7};
	} else {
		struct blkif_request_indirect *r = (struct blkif_request_indirect *)&e->req;

		*r = (struct blkif_request_indirect){.operation = BLKIF_OP_INDIRECT,
						     .indirect_op = op,
						     .nr_segments = (uint16_t)nseg, .id = id,
						     .sector_number = sector,
						     .handle = (blkif_vdev_t)v->devid};
		for (unsigned int i = 0; i < nseg; i++) {
			unsigned int pg = i / BLKIF_SEGS_PER_INDIRECT_FRAME;
			struct blkif_request_segment *s;

			if (!ind_pages[pg])
				ind_pages[pg] = page_alloc();
			s = ind_pages[pg];
			s[i % BLKIF_SEGS_PER_INDIRECT_FRAME] =
				(struct blkif_request_segment){page_ref(pages[i]), 0, 7};
			r->indirect_grefs[pg] = page_ref(ind_pages[pg]);
		}
	}
	bf_push(v, q);
	if (!bf_response(v, q, &rsp, BF_WAIT_NS))
		return 99;
	if (rsp.id != id)
		return 98;
	return rsp.status;
}
