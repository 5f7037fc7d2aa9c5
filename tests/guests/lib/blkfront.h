/*
 * A minimal blkif frontend for test guests: a pool of granted pages, the
 * xenbus handshake with the backend (one or more queues, one or more ring
 * pages, persistent grants on or off), raw requests and responses. The
 * hostile guest uses the raw parts to send what a correct frontend never
 * would.
 */
#ifndef GUEST_BLKFRONT_H
#define GUEST_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/grant_table.h>
#include <xen/io/blkif.h>

#define BF_MAX_QUEUES 2
#define BF_MAX_ORDER 2
#define BF_POOL_PAGES 400
#define BF_NR_GRANT_FRAMES 4
#define BF_WAIT_NS 5000000000UL

/* ---- grants ---- */
bool gnt_setup(void);
extern struct grant_entry_v1 *gnt_table;
/* Write an entry as a granting kernel does (frame and domid, then flags). */
void gnt_set(grant_ref_t ref, uint16_t flags, domid_t dom, uint64_t frame);
/* A fresh reference (never reused). */
grant_ref_t gnt_alloc(void);

/* ---- pages: each granted to dom0 read-write once, when allocated ---- */
void *page_alloc(void);
grant_ref_t page_ref(const void *page);

/* ---- a virtual disk ---- */
struct bf_queue {
	struct blkif_sring *sring;
	uint32_t size;
	RING_IDX req_prod_pvt, rsp_cons;
	evtchn_port_t port;
	grant_ref_t refs[1u << BF_MAX_ORDER];
};

struct bf_dev {
	unsigned int devid;
	char fe[48], be[64];
	unsigned int nq, order;
	bool persistent;
	struct bf_queue q[BF_MAX_QUEUES];
	uint64_t sectors;
	uint64_t info, max_indirect, max_queues, max_order;
};

/* Wait for the backend's InitWait, publish rings and go Connected once the
 * backend is. False (with a note) on any failure. */
bool bf_connect(struct bf_dev *v, unsigned int devid, unsigned int nq, unsigned int order,
		bool persistent);
/* Closing, Closed (the backend follows), then Initialising: the backend
 * waits in InitWait for a new connection. */
bool bf_close(struct bf_dev *v);
/* The state node of the backend, as a number (-1 if unreadable). */
int bf_backend_state(const struct bf_dev *v);

/* The next request slot of queue q (zeroed); bf_push publishes it. */
union blkif_sring_entry *bf_slot(struct bf_dev *v, unsigned int q);
void bf_push(struct bf_dev *v, unsigned int q);
/* Wait for the next response of queue q; false on timeout. */
bool bf_response(struct bf_dev *v, unsigned int q, struct blkif_response *rsp, uint64_t timeout_ns);

/* One request over whole pages (first..last sectors 0..7), direct or (if
 * nseg > 11) indirect; its response status, or 99 on timeout. */
int bf_io(struct bf_dev *v, unsigned int q, uint8_t op, uint64_t sector, void **pages,
	  unsigned int nseg);

#endif /* GUEST_BLKFRONT_H */
