/*
 * The block backend (Xen's blkback, in the monitor): one struct blkback
 * per virtual disk, a raw image served through Xen's blkif protocol.
 *
 * blkback.c: the image, the xenstore keys, the handshake (xenbus_be.h).
 * blkif_queue.c: one ring (queue) and the thread that serves it with
 * io_uring: request checks, grants, I/O, responses.
 * docs/block.md describes the whole.
 */
#ifndef MONITOR_BACKEND_BLKBACK_H
#define MONITOR_BACKEND_BLKBACK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <disk_spec.h>
#include <xen/event_channel.h>
#include <xen/io/blkif.h>

#include "../domain.h"

/* What we offer (the frontend may ask for less). */
#define BLK_MAX_RING_ORDER 4	/* Xen's XENBUS_MAX_RING_GRANT_ORDER */
#define BLK_MAX_RING_PAGES (1u << BLK_MAX_RING_ORDER)
#define BLK_MAX_QUEUES 4
#define BLK_MAX_INDIRECT_SEGS 256	/* blkback's MAX_INDIRECT_SEGMENTS */
#define BLK_MAX_PERSISTENT 1056	/* per queue, blkback's default max_persistent_grants */

struct blkback;
struct blk_queue;

/* A disk as the device sees it. */
struct blk_disk {
	int fd;
	uint64_t sectors;	/* 512-byte sectors */
	bool readonly, discard;
};

/* What the frontend asked for, per queue; from xenstore at connect. */
struct blk_ring_cfg {
	unsigned int order;	/* ring-page-order */
	grant_ref_t refs[BLK_MAX_RING_PAGES];
	evtchn_port_t port;
	bool persistent;	/* both ends said feature-persistent */
};

/* Start serving one ring: map it, bind the port, start the thread.
 * NULL with a reason in err. */
struct blk_queue *blk_queue_start(struct domain *d, const struct blk_disk *disk,
				  const struct blk_ring_cfg *cfg, unsigned int index, char *err,
				  size_t errlen);
/* Stop the thread after the I/O in flight completes, unbind the port,
 * drop every grant pin. */
void blk_queue_stop(struct blk_queue *q);

/* ---- the device (blkback.c) ----------------------------------------------- */

/* Open the image and create the xenstore nodes; the backend waits in
 * InitWait for the frontend. NULL with a reason in err. */
struct blkback *blkback_create(struct domain *d, const struct disk_spec *spec, char *err,
			       size_t errlen);
/* Remove at once (domain teardown): no handshake. */
void blkback_destroy(struct blkback *b);
/* Detach as Xen does: the frontend is asked to close; once it has, the
 * device is freed and on_gone (if set) runs. */
int blkback_close(struct blkback *b, void (*on_gone)(struct blkback *b, void *arg), void *arg);

/* For `xl block-list`: state, the first queue's event channel and ring
 * reference (-1 if none), the backend path. */
struct blkback_info {
	unsigned int devid;
	int state, evtch, ring_ref;
	const char *be_path;
};
void blkback_info(const struct blkback *b, struct blkback_info *info);
const struct disk_spec *blkback_spec(const struct blkback *b);

#endif /* MONITOR_BACKEND_BLKBACK_H */
