/*
 * One blkif ring and its I/O thread (blkback.h).
 *
 * The guest's notification only writes an eventfd (on the vCPU thread);
 * the queue's own thread reads that eventfd through io_uring, so a single
 * io_uring_submit_and_wait() sleeps on both new requests and finished I/O.
 * Each request is copied out of the ring once, checked whole (operation,
 * segment count, sector bounds, every grant) and only then turned into
 * SQEs; its response is written when its last SQE completes.
 *
 * Ordering: a flush or barrier is an fdatasync SQE with IOSQE_IO_DRAIN, so
 * it starts only after every earlier SQE of this queue has completed, and
 * its response (and so the guest's "flush done") only follows the sync. A
 * flush or barrier carrying data is drain-sync -> write -> sync, linked. A
 * barrier also makes the next request's first SQE drain, so nothing after
 * it starts before it has finished.
 */
#include "blkback.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../hvarea.h"
#include "../pv/evtchn.h"
#include "grant_access.h"

#define SECTOR 512u
#define SECTORS_PER_PAGE (PAGE_SIZE / SECTOR)
#define NR_REFS (HV_NR_GRANT_FRAMES * GNTTAB_V1_ENTRIES_PER_PAGE)

/* user_data: slot << 2 | kind */
enum { UD_KICK = 0, UD_SYNC = 1, UD_RW = 2 };
#define UD(slot, kind) (((uint64_t)(slot) << 2) | (kind))

struct blk_seg {
	grant_ref_t ref;
	uint8_t first, last;
};

struct blk_mapped {
	grant_ref_t ref;
	bool persistent;	/* from the queue's cache: not unmapped per request */
};

struct blk_req {
	uint64_t id;
	uint8_t op;		/* echoed in the response */
	int16_t status;
	unsigned int pending;	/* SQEs not yet completed */
	uint64_t bytes;		/* what the read/write SQE must move */
	bool map_write;		/* non-persistent pins are write pins */
	unsigned int nr_mapped;
	struct blk_mapped mapped[BLK_MAX_INDIRECT_SEGS];
	struct iovec iov[BLK_MAX_INDIRECT_SEGS];
};

struct blk_queue {
	struct domain *d;
	const struct blk_disk *disk;
	unsigned int index;

	/* the ring: its grant pins and a contiguous view of its pages */
	struct blkif_sring *sring;
	void *view;
	size_t view_len;
	grant_ref_t ring_refs[BLK_MAX_RING_PAGES];
	unsigned int nr_ring_pinned;
	uint32_t size;
	RING_IDX req_cons, rsp_prod_pvt;
	RING_IDX rsp_told;	/* responses up to here were checked against rsp_event */
	uint64_t unsent_since;	/* when the first response after rsp_told was published */
	bool broken;		/* insane indices: stop until the next connect */
	bool bursty;		/* requests come in bursts: use the awake window */
	uint64_t last_req;	/* when requests were last taken (CLOCK_MONOTONIC ns) */

	evtchn_port_t port;
	bool bound;
	int kick_fd;
	uint64_t kick_buf;

	struct io_uring uring;
	bool uring_ok;
	pthread_t thread;
	bool thread_started;
	volatile bool stop;
	bool drain_next;	/* after a barrier */

	/* persistent grants: write-pinned pages kept until disconnect */
	bool persistent;
	void **pgnt;		/* NR_REFS entries, NULL where none */
	grant_ref_t pgnt_refs[BLK_MAX_PERSISTENT];
	unsigned int nr_pgnt;

	struct blk_req *reqs;
	unsigned int *free_slots, nr_free;
	unsigned int inflight;
};

/* ---- responses --------------------------------------------------------------- */

static void respond(struct blk_queue *q, uint64_t id, uint8_t op, int16_t status)
{
	struct blkif_response *rsp = &q->sring->ring[xen_ring_slot(q->rsp_prod_pvt, q->size)].rsp;

	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	q->rsp_prod_pvt++;
}

/* Publish the responses written so far (the guest may find them at
 * once); whether to notify is decided in tell_guest(). */
static void publish_responses(struct blk_queue *q, uint64_t now)
{
	if (q->sring->h.rsp_prod == q->rsp_prod_pvt)
		return;
	if (q->sring->h.rsp_prod == q->rsp_told)
		q->unsent_since = now;
	xen_ring_store(&q->sring->h.rsp_prod, q->rsp_prod_pvt);
	xen_ring_mb();
}

/* Notify the guest if it asked (rsp_event) for any response published
 * since the last time we looked. */
static void tell_guest(struct blk_queue *q)
{
	RING_IDX prod = q->sring->h.rsp_prod;

	if (q->rsp_told == prod)
		return;
	if (xen_ring_need_notify(q->rsp_told, prod, xen_ring_load(&q->sring->h.rsp_event)))
		evtchn_host_notify(q->d, q->port);
	q->rsp_told = prod;
}

/* ---- grants of a request ---------------------------------------------------- */

static void unmap_all(struct blk_queue *q, struct blk_req *r)
{
	for (unsigned int i = 0; i < r->nr_mapped; i++)
		if (!r->mapped[i].persistent)
			grant_unmap(q->d, r->mapped[i].ref, r->map_write);
	r->nr_mapped = 0;
}

/* A page for ref: from the persistent cache, newly cached, or pinned for
 * this request only. GNTST_* status. */
static int map_seg(struct blk_queue *q, struct blk_req *r, grant_ref_t ref, void **page)
{
	struct blk_mapped *m = &r->mapped[r->nr_mapped];
	int st;

	if (q->persistent && ref < NR_REFS) {
		if (q->pgnt[ref]) {
			*page = q->pgnt[ref];
			*m = (struct blk_mapped){ref, true};
			r->nr_mapped++;
			return GNTST_okay;
		}
		/* Linux's blkfront grants persistent pages writable */
		if (q->nr_pgnt < BLK_MAX_PERSISTENT && grant_map(q->d, ref, true, page) == GNTST_okay) {
			q->pgnt[ref] = *page;
			q->pgnt_refs[q->nr_pgnt++] = ref;
			*m = (struct blk_mapped){ref, true};
			r->nr_mapped++;
			return GNTST_okay;
		}
	}
	st = grant_map(q->d, ref, r->map_write, page);
	if (st == GNTST_okay) {
		*m = (struct blk_mapped){ref, false};
		r->nr_mapped++;
	}
	return st;
}

/* ---- requests ---------------------------------------------------------------- */

static struct blk_req *slot_get(struct blk_queue *q, unsigned int *slot)
{
	/* never empty: the ring bounds what is in flight (see take_requests) */
	*slot = q->free_slots[--q->nr_free];
	q->inflight++;
	return &q->reqs[*slot];
}

static void slot_put(struct blk_queue *q, unsigned int slot)
{
	q->free_slots[q->nr_free++] = slot;
	q->inflight--;
}

static struct io_uring_sqe *sqe_get(struct blk_queue *q)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->uring);

	if (!sqe) {
		io_uring_submit(&q->uring);
		sqe = io_uring_get_sqe(&q->uring);
	}
	return sqe;	/* the SQ holds 3 per ring slot + the kick: never NULL */
}

static void finish(struct blk_queue *q, unsigned int slot)
{
	struct blk_req *r = &q->reqs[slot];

	unmap_all(q, r);
	respond(q, r->id, r->op, r->status);
	slot_put(q, slot);
}

static void sqe_sync(struct blk_queue *q, unsigned int slot, unsigned int flags)
{
	struct io_uring_sqe *sqe = sqe_get(q);

	io_uring_prep_fsync(sqe, q->disk->fd, IORING_FSYNC_DATASYNC);
	io_uring_sqe_set_flags(sqe, flags);
	io_uring_sqe_set_data64(sqe, UD(slot, UD_SYNC));
	q->reqs[slot].pending++;
}

static void sqe_rw(struct blk_queue *q, unsigned int slot, bool write, uint64_t off,
		   unsigned int nseg, unsigned int flags)
{
	struct io_uring_sqe *sqe = sqe_get(q);
	struct blk_req *r = &q->reqs[slot];

	if (write)
		io_uring_prep_writev(sqe, q->disk->fd, r->iov, nseg, off);
	else
		io_uring_prep_readv(sqe, q->disk->fd, r->iov, nseg, off);
	io_uring_sqe_set_flags(sqe, flags);
	io_uring_sqe_set_data64(sqe, UD(slot, UD_RW));
	r->pending++;
}

/*
 * The flags of a request's first SQE: IOSQE_IO_DRAIN if it must wait for
 * everything before it (a flush, or anything after a barrier). A drain
 * also waits for the pending read of the kick eventfd, which may not
 * complete until the guest notifies again (it need not while the queue is
 * awake): kick the eventfd ourselves so that it completes now.
 */
static unsigned int drain_flag(struct blk_queue *q, bool drain)
{
	drain |= q->drain_next;
	q->drain_next = false;
	if (!drain)
		return 0;
	eventfd_write(q->kick_fd, 1);
	return IOSQE_IO_DRAIN;
}

/* READ, WRITE, FLUSH_DISKCACHE, WRITE_BARRIER with segs already copied
 * out of the ring (and out of indirect pages). */
static void do_rw(struct blk_queue *q, uint64_t id, uint8_t op, uint8_t resp_op,
		  blkif_sector_t sector, unsigned int nseg, unsigned int max_seg,
		  const struct blk_seg *segs)
{
	bool sync = op == BLKIF_OP_FLUSH_DISKCACHE || op == BLKIF_OP_WRITE_BARRIER;
	bool write = op != BLKIF_OP_READ;
	uint64_t total = 0;
	unsigned int slot;
	struct blk_req *r = slot_get(q, &slot);

	*r = (struct blk_req){.id = id, .op = resp_op, .status = BLKIF_RSP_OKAY,
			      .map_write = op == BLKIF_OP_READ};
	if (write && q->disk->readonly) {
		mlog_once(q->d, "blkback: write or flush to a read-only disk refused");
		goto error;
	}
	if ((!sync && nseg == 0) || nseg > max_seg) {
		mlog_once(q->d, "blkback: request with %u segments refused", nseg);
		goto error;
	}
	for (unsigned int i = 0; i < nseg; i++) {
		if (segs[i].first > segs[i].last || segs[i].last >= SECTORS_PER_PAGE) {
			mlog_once(q->d, "blkback: segment sectors %u-%u refused", segs[i].first,
				  segs[i].last);
			goto error;
		}
		total += segs[i].last - segs[i].first + 1u;
	}
	if (sector > q->disk->sectors || total > q->disk->sectors - sector) {
		mlog_once(q->d, "blkback: sectors %llu+%llu beyond the disk (%llu) refused",
			  (unsigned long long)sector, (unsigned long long)total,
			  (unsigned long long)q->disk->sectors);
		goto error;
	}
	for (unsigned int i = 0; i < nseg; i++) {
		void *page;
		int st = map_seg(q, r, segs[i].ref, &page);

		if (st != GNTST_okay) {
			mlog_once(q->d, "blkback: grant %u refused (status %d)", segs[i].ref, st);
			goto error;
		}
		r->iov[i].iov_base = (uint8_t *)page + segs[i].first * SECTOR;
		r->iov[i].iov_len = (segs[i].last - segs[i].first + 1u) * SECTOR;
	}
	r->bytes = total * SECTOR;
	if (sync) {
		unsigned int f = drain_flag(q, true);

		if (nseg) {
			sqe_sync(q, slot, f | IOSQE_IO_LINK);
			sqe_rw(q, slot, true, sector * SECTOR, nseg, IOSQE_IO_LINK);
			sqe_sync(q, slot, 0);
		} else {
			sqe_sync(q, slot, f);
		}
		if (op == BLKIF_OP_WRITE_BARRIER)
			q->drain_next = true;
	} else {
		sqe_rw(q, slot, write, sector * SECTOR, nseg, drain_flag(q, false));
	}
	return;
error:
	r->status = BLKIF_RSP_ERROR;
	finish(q, slot);
}

static void do_discard(struct blk_queue *q, const struct blkif_request_discard *req)
{
	unsigned int slot;
	struct blk_req *r = slot_get(q, &slot);
	struct io_uring_sqe *sqe;

	*r = (struct blk_req){.id = req->id, .op = BLKIF_OP_DISCARD, .status = BLKIF_RSP_OKAY};
	if (!q->disk->discard || (req->flag & BLKIF_DISCARD_SECURE)) {
		r->status = BLKIF_RSP_EOPNOTSUPP;
	} else if (q->disk->readonly || req->sector_number > q->disk->sectors ||
		   req->nr_sectors > q->disk->sectors - req->sector_number) {
		mlog_once(q->d, "blkback: discard of sectors %llu+%llu refused",
			  (unsigned long long)req->sector_number,
			  (unsigned long long)req->nr_sectors);
		r->status = BLKIF_RSP_ERROR;
	}
	if (r->status != BLKIF_RSP_OKAY || req->nr_sectors == 0) {
		finish(q, slot);
		return;
	}
	sqe = sqe_get(q);
	io_uring_prep_fallocate(sqe, q->disk->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				req->sector_number * SECTOR, req->nr_sectors * SECTOR);
	io_uring_sqe_set_flags(sqe, drain_flag(q, false));
	io_uring_sqe_set_data64(sqe, UD(slot, UD_SYNC));
	r->pending = 1;
}

/* The segment list of an indirect request, copied out of its pages. */
static void do_indirect(struct blk_queue *q, const struct blkif_request_indirect *req)
{
	static struct blk_seg none[1];
	struct blk_seg segs[BLK_MAX_INDIRECT_SEGS];
	unsigned int nseg = req->nr_segments, pages;
	uint8_t op = req->indirect_op;

	if ((op != BLKIF_OP_READ && op != BLKIF_OP_WRITE) || nseg == 0 ||
	    nseg > BLK_MAX_INDIRECT_SEGS) {
		mlog_once(q->d, "blkback: indirect request (op %u, %u segments) refused", op, nseg);
		do_rw(q, req->id, BLKIF_OP_READ, op, 0, 0, 0, none);	/* an error response */
		return;
	}
	pages = (nseg + BLKIF_SEGS_PER_INDIRECT_FRAME - 1) / BLKIF_SEGS_PER_INDIRECT_FRAME;
	for (unsigned int p = 0; p < pages; p++) {
		unsigned int n = nseg - p * BLKIF_SEGS_PER_INDIRECT_FRAME;
		struct blkif_request_segment *src;
		void *page;

		if (n > BLKIF_SEGS_PER_INDIRECT_FRAME)
			n = BLKIF_SEGS_PER_INDIRECT_FRAME;
		if (grant_map(q->d, req->indirect_grefs[p], false, &page) != GNTST_okay) {
			mlog_once(q->d, "blkback: indirect page grant %u refused",
				  req->indirect_grefs[p]);
			do_rw(q, req->id, BLKIF_OP_READ, op, 0, 0, 0, none);
			return;
		}
		src = page;
		for (unsigned int i = 0; i < n; i++) {
			struct blkif_request_segment s;

			memcpy(&s, &src[i], sizeof(s));
			segs[p * BLKIF_SEGS_PER_INDIRECT_FRAME + i] =
				(struct blk_seg){s.gref, s.first_sect, s.last_sect};
		}
		grant_unmap(q->d, req->indirect_grefs[p], false);
	}
	do_rw(q, req->id, op, op, req->sector_number, nseg, BLK_MAX_INDIRECT_SEGS, segs);
}

static void handle(struct blk_queue *q, const union blkif_sring_entry *e)
{
	const struct blkif_request *req = &e->req;
	struct blk_seg segs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	unsigned int nseg = req->nr_segments;

	switch (req->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		for (unsigned int i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
			segs[i] = (struct blk_seg){req->seg[i].gref, req->seg[i].first_sect,
						   req->seg[i].last_sect};
		do_rw(q, req->id, req->operation, req->operation, req->sector_number, nseg,
		      BLKIF_MAX_SEGMENTS_PER_REQUEST, segs);
		break;
	case BLKIF_OP_INDIRECT:
		do_indirect(q, (const struct blkif_request_indirect *)req);
		break;
	case BLKIF_OP_DISCARD:
		do_discard(q, (const struct blkif_request_discard *)req);
		break;
	default: {
		unsigned int slot;
		struct blk_req *r = slot_get(q, &slot);

		mlog_once(q->d, "blkback: unknown operation %u", req->operation);
		*r = (struct blk_req){.id = req->id, .op = req->operation,
				      .status = BLKIF_RSP_EOPNOTSUPP};
		finish(q, slot);
	}
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * While requests come in bursts (several at once, or pushed before the
 * guest had read our earlier responses), the queue stays awake for
 * BLK_AWAKE_NS after the last request it took: meanwhile req_event is left
 * behind, so the frontend pushes requests without notifying us, and we
 * look at the ring ourselves. Responses are published at once, but the guest is notified
 * only when the queue goes back to sleep (or after BLK_NOTIFY_MAX_NS), so
 * the responses to a burst of requests (Linux splits a 1 MiB I/O into 8
 * ring requests) cost the guest one interrupt instead of several. Each
 * notification in either direction costs the guest exits of tens of µs
 * each (docs/block.md). A lone request (the guest waited for every earlier
 * response, as at a queue depth of 1) is answered and notified at once:
 * the window would only add to its latency. rsp_event says how far the
 * guest has read (Linux sets it one past its rsp_cons); a lying guest
 * only changes when it is notified.
 */
#define BLK_AWAKE_NS 250000u
#define BLK_NOTIFY_MAX_NS 1000000u

/* Take every request the frontend has published; the number taken, or 0
 * (also when the ring's indices are impossible: the queue halts). */
static unsigned int take_requests(struct blk_queue *q)
{
	RING_IDX prod, read_to = xen_ring_load(&q->sring->h.rsp_event) - 1;
	uint32_t n;
	unsigned int taken = 0;
	bool pipelined = q->req_cons != read_to;

	if (q->broken)
		return 0;
	prod = xen_ring_load(&q->sring->h.req_prod);
	if (!xen_ring_unconsumed_requests(prod, q->req_cons, q->rsp_prod_pvt, q->size, &n)) {
		mlog(q->d, "blkback: queue %u: frontend's req_prod %u is impossible "
			   "(consumed %u, answered %u, ring %u): queue halted",
		     q->index, prod, q->req_cons, q->rsp_prod_pvt, q->size);
		q->broken = true;
		return 0;
	}
	for (; taken < n; taken++) {
		union blkif_sring_entry e;

		/* one copy: the guest may rewrite the slot meanwhile */
		memcpy(&e, &q->sring->ring[xen_ring_slot(q->req_cons, q->size)], sizeof(e));
		q->req_cons++;
		handle(q, &e);
	}
	if (taken) {
		q->bursty = taken > 1 || pipelined;
		q->last_req = now_ns();
	}
	return taken;
}

/* Ask to be notified of the next request, then look once more (Xen's
 * RING_FINAL_CHECK_FOR_REQUESTS). True if requests came meanwhile. */
static bool rearm_requests(struct blk_queue *q)
{
	if (q->broken)
		return false;
	q->sring->h.req_event = q->req_cons + 1;
	xen_ring_mb();
	return take_requests(q) > 0;
}

/* Ask to be notified of the next request, taking any that came meanwhile,
 * until none did; true (and the queue stays awake) if those were a burst. */
static bool settle(struct blk_queue *q)
{
	while (rearm_requests(q))
		if (q->bursty)
			return true;
	return false;
}

/* ---- the thread -------------------------------------------------------------- */

static void arm_kick(struct blk_queue *q)
{
	struct io_uring_sqe *sqe = sqe_get(q);

	io_uring_prep_read(sqe, q->kick_fd, &q->kick_buf, sizeof(q->kick_buf), 0);
	io_uring_sqe_set_data64(sqe, UD(0, UD_KICK));
}

static void complete(struct blk_queue *q, const struct io_uring_cqe *cqe)
{
	uint64_t ud = io_uring_cqe_get_data64(cqe);
	unsigned int slot = (unsigned int)(ud >> 2);
	struct blk_req *r = &q->reqs[slot];

	if ((ud & 3) == UD_RW ? (uint64_t)(int64_t)cqe->res != r->bytes : cqe->res != 0) {
		if (cqe->res != -ECANCELED)
			mlog_once(q->d, "blkback: I/O on the image failed: %s",
				  cqe->res < 0 ? strerror(-cqe->res) : "short transfer");
		r->status = BLKIF_RSP_ERROR;
	}
	if (--r->pending == 0)
		finish(q, slot);
}

static void *queue_thread(void *arg)
{
	struct blk_queue *q = arg;
	bool kick_armed = true, awake;

	arm_kick(q);
	awake = settle(q);
	while (kick_armed || q->inflight || awake) {
		struct io_uring_cqe *cqe;
		unsigned int head, seen = 0;
		bool stop = __atomic_load_n(&q->stop, __ATOMIC_ACQUIRE);
		uint64_t now;

		if (awake) {
			uint64_t left = BLK_AWAKE_NS - (now_ns() - q->last_req);
			struct __kernel_timespec ts = {0, (long long)(left > BLK_AWAKE_NS ? 0 : left)};

			io_uring_submit_and_wait_timeout(&q->uring, &cqe, 1, &ts, NULL);
		} else if (io_uring_submit_and_wait(&q->uring, 1) < 0 && errno != EINTR) {
			/* cannot happen with a valid ring; wait for stop politely */
			usleep(1000);
		}
		io_uring_for_each_cqe(&q->uring, head, cqe) {
			seen++;
			/* liburing's own timeout SQE, on kernels without EXT_ARG */
			if (io_uring_cqe_get_data64(cqe) == LIBURING_UDATA_TIMEOUT)
				continue;
			if ((io_uring_cqe_get_data64(cqe) & 3) != UD_KICK) {
				complete(q, cqe);
				continue;
			}
			kick_armed = false;
			stop = __atomic_load_n(&q->stop, __ATOMIC_ACQUIRE);
			if (!stop) {
				arm_kick(q);
				kick_armed = true;
			}
		}
		io_uring_cq_advance(&q->uring, seen);
		now = now_ns();
		if (stop) {
			awake = false;
		} else if (take_requests(q)) {
			awake = q->bursty || settle(q);
		} else if (awake && now - q->last_req >= BLK_AWAKE_NS) {
			awake = settle(q);
		}
		publish_responses(q, now);
		if (!awake || now - q->unsent_since >= BLK_NOTIFY_MAX_NS)
			tell_guest(q);
	}
	publish_responses(q, now_ns());
	tell_guest(q);
	return NULL;
}

static void notified(void *arg)
{
	struct blk_queue *q = arg;

	eventfd_write(q->kick_fd, 1);
}

/* ---- start and stop ------------------------------------------------------------ */

/* Pin the ring's pages and map them side by side (the memfd of guest RAM
 * lets one host range show frames that are not contiguous in the guest). */
static int map_ring(struct blk_queue *q, const struct blk_ring_cfg *cfg, char *err, size_t errlen)
{
	unsigned int n = 1u << cfg->order;
	struct domain *d = q->d;

	q->view_len = (size_t)n * PAGE_SIZE;
	q->view = mmap(NULL, q->view_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q->view == MAP_FAILED) {
		q->view = NULL;
		snprintf(err, errlen, "cannot reserve the ring view: %s", strerror(errno));
		return -1;
	}
	for (unsigned int i = 0; i < n; i++) {
		void *page;
		int st = grant_map(d, cfg->refs[i], true, &page);

		if (st != GNTST_okay) {
			snprintf(err, errlen, "ring-ref %u refused (grant status %d)", cfg->refs[i],
				 st);
			return -1;
		}
		q->ring_refs[q->nr_ring_pinned++] = cfg->refs[i];
		if (mmap((uint8_t *)q->view + i * PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, d->ram_fd,
			 (off_t)((uint8_t *)page - d->ram)) == MAP_FAILED) {
			snprintf(err, errlen, "cannot map ring page %u: %s", i, strerror(errno));
			return -1;
		}
	}
	q->sring = q->view;
	q->size = XEN_RING_SIZE(blkif, q->view_len);
	return 0;
}

void blk_queue_stop(struct blk_queue *q)
{
	if (!q)
		return;
	if (q->bound)
		evtchn_host_unbind(q->d, q->port);	/* no more notified() after this */
	if (q->thread_started) {
		__atomic_store_n(&q->stop, true, __ATOMIC_RELEASE);
		eventfd_write(q->kick_fd, 1);
		pthread_join(q->thread, NULL);
	}
	if (q->uring_ok)
		io_uring_queue_exit(&q->uring);
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	for (unsigned int i = 0; i < q->nr_pgnt; i++)
		grant_unmap(q->d, q->pgnt_refs[i], true);
	for (unsigned int i = 0; i < q->nr_ring_pinned; i++)
		grant_unmap(q->d, q->ring_refs[i], true);
	if (q->view)
		munmap(q->view, q->view_len);
	free(q->pgnt);
	free(q->reqs);
	free(q->free_slots);
	free(q);
}

struct blk_queue *blk_queue_start(struct domain *d, const struct blk_disk *disk,
				  const struct blk_ring_cfg *cfg, unsigned int index, char *err,
				  size_t errlen)
{
	struct blk_queue *q = calloc(1, sizeof(*q));
	int rc;

	err[0] = 0;
	if (!q) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->d = d;
	q->disk = disk;
	q->index = index;
	q->port = cfg->port;
	q->persistent = cfg->persistent;
	q->kick_fd = eventfd(0, EFD_CLOEXEC);
	if (q->kick_fd < 0 || map_ring(q, cfg, err, errlen) < 0)
		goto fail;
	q->reqs = calloc(q->size, sizeof(*q->reqs));
	q->free_slots = calloc(q->size, sizeof(*q->free_slots));
	q->pgnt = q->persistent ? calloc(NR_REFS, sizeof(*q->pgnt)) : NULL;
	if (!q->reqs || !q->free_slots || (q->persistent && !q->pgnt)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (unsigned int i = 0; i < q->size; i++)
		q->free_slots[q->nr_free++] = q->size - 1 - i;
	rc = io_uring_queue_init(q->size * 3 + 2, &q->uring, 0);
	if (rc < 0) {
		snprintf(err, errlen, "io_uring: %s", strerror(-rc));
		goto fail;
	}
	q->uring_ok = true;
	/* the frontend has initialised the ring: start where it is */
	q->req_cons = q->rsp_prod_pvt = q->rsp_told = q->sring->h.rsp_prod;
	if (evtchn_host_bind(d, cfg->port, notified, q) < 0) {
		snprintf(err, errlen, "event-channel %u is not a port left for domain 0",
			 cfg->port);
		goto fail;
	}
	q->bound = true;
	rc = pthread_create(&q->thread, NULL, queue_thread, q);
	if (rc) {
		snprintf(err, errlen, "cannot start the I/O thread: %s", strerror(rc));
		goto fail;
	}
	q->thread_started = true;
	return q;
fail:
	if (!err[0])
		snprintf(err, errlen, "%s", strerror(errno));
	blk_queue_stop(q);
	return NULL;
}
