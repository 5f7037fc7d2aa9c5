/*
 * A virtual block device (blkback.h): the image, its xenstore keys as libxl
 * and Xen's blkback write them, and the frontend's ring details read at
 * connect (one ring or queue-N/ subdirectories, one page or ring-ref0..N).
 */
#include "blkback.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../pv/evtchn.h"
#include "xenbus_be.h"

struct blkback {
	struct domain *d;
	struct disk_spec spec;
	struct blk_disk disk;
	struct xenbus_be *be;
	struct blk_queue *q[BLK_MAX_QUEUES];
	unsigned int nr_queues;
	int evtch, ring_ref;	/* queue 0's, for block-list; -1 if none */
	void (*on_gone)(struct blkback *b, void *arg);
	void *gone_arg;
};

/* Queues we offer: one per host CPU, at most BLK_MAX_QUEUES (blkback's
 * default is the number of CPUs of dom0). */
static unsigned int max_queues(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > BLK_MAX_QUEUES ? BLK_MAX_QUEUES : (unsigned int)n;
}

static int open_image(struct blkback *b, char *err, size_t errlen)
{
	const struct disk_spec *s = &b->spec;
	struct stat st;
	uint64_t bytes;

	b->disk.fd = open(s->target, (s->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->disk.fd < 0) {
		snprintf(err, errlen, "%s: %s", s->target, strerror(errno));
		return -1;
	}
	if (fstat(b->disk.fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "%s: not a regular file or block device", s->target);
		return -1;
	}
	/* one writer or many readers, as Xen's block script refuses a disk in use */
	if (flock(b->disk.fd, (s->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		snprintf(err, errlen, "%s: in use by another domain (%s)", s->target,
			 strerror(errno));
		return -1;
	}
	bytes = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(b->disk.fd, BLKGETSIZE64, &bytes) < 0) {
		snprintf(err, errlen, "%s: size: %s", s->target, strerror(errno));
		return -1;
	}
	b->disk.sectors = bytes >> 9;
	b->disk.readonly = s->readonly;
	b->disk.discard = s->discard && !s->readonly;
	return 0;
}

/* ---- connect ----------------------------------------------------------------- */

/* A frontend number key, `dflt` if absent. */
static int fe_uint(struct xenbus_be *be, const char *key, unsigned long long max,
		   unsigned long long dflt, unsigned long long *v)
{
	int rc = xenbus_be_read_fe_uint(be, key, max, v);

	if (rc == -ENOENT) {
		*v = dflt;
		return 0;
	}
	if (rc)
		mlog(NULL, "blkback: frontend key %s: %s", key, strerror(-rc));
	return rc;
}

static int read_queue(struct xenbus_be *be, unsigned int nq, unsigned int i, unsigned int order,
		      struct blk_ring_cfg *cfg)
{
	char prefix[16] = "", key[48];
	unsigned long long v;
	int rc;

	if (nq > 1)
		snprintf(prefix, sizeof(prefix), "queue-%u/", i);
	cfg->order = order;
	for (unsigned int p = 0; p < (1u << order); p++) {
		if (order == 0)
			snprintf(key, sizeof(key), "%sring-ref", prefix);
		else
			snprintf(key, sizeof(key), "%sring-ref%u", prefix, p);
		rc = xenbus_be_read_fe_uint(be, key, UINT32_MAX, &v);
		if (rc) {
			mlog(NULL, "blkback: frontend key %s: %s", key, strerror(-rc));
			return rc;
		}
		cfg->refs[p] = (grant_ref_t)v;
	}
	snprintf(key, sizeof(key), "%sevent-channel", prefix);
	rc = xenbus_be_read_fe_uint(be, key, EVTCHN_MAX_PORT, &v);
	if (rc) {
		mlog(NULL, "blkback: frontend key %s: %s", key, strerror(-rc));
		return rc;
	}
	cfg->port = (evtchn_port_t)v;
	return 0;
}

static void stop_queues(struct blkback *b)
{
	for (unsigned int i = 0; i < b->nr_queues; i++)
		blk_queue_stop(b->q[i]);
	b->nr_queues = 0;
	b->evtch = b->ring_ref = -1;
}

static int be_connect(struct xenbus_be *be, enum xenbus_state fe_state, void *arg)
{
	struct blkback *b = arg;
	unsigned long long order, nq, persistent;
	char *proto = NULL, err[256];
	int rc;

	(void)fe_state;
	if ((rc = fe_uint(be, "ring-page-order", BLK_MAX_RING_ORDER, 0, &order)) ||
	    (rc = fe_uint(be, "multi-queue-num-queues", max_queues(), 1, &nq)) ||
	    (rc = fe_uint(be, "feature-persistent", 1, 0, &persistent)))
		return rc;
	if (nq == 0)
		return -EINVAL;
	rc = xenbus_be_read_fe(be, "protocol", &proto);
	if (rc == 0 && strcmp(proto, "x86_64-abi")) {
		mlog(b->d, "blkback: %s: protocol '%s' is not supported (x86_64-abi only)",
		     b->spec.vdev, proto);
		free(proto);
		return -EPROTONOSUPPORT;
	}
	free(proto);
	if (rc && rc != -ENOENT)
		return rc;
	for (unsigned int i = 0; i < nq; i++) {
		struct blk_ring_cfg cfg = {.persistent = persistent};

		rc = read_queue(be, (unsigned int)nq, i, (unsigned int)order, &cfg);
		if (!rc && !(b->q[i] = blk_queue_start(b->d, &b->disk, &cfg, i, err, sizeof(err)))) {
			mlog(b->d, "blkback: %s queue %u: %s", b->spec.vdev, i, err);
			rc = -EINVAL;
		}
		if (rc) {
			stop_queues(b);
			return rc;
		}
		b->nr_queues++;
		if (i == 0) {
			b->evtch = (int)cfg.port;
			b->ring_ref = order == 0 && nq == 1 ? (int)cfg.refs[0] : -1;
		}
	}
	mlog(b->d, "blkback: %s connected: %u queue(s), %u ring page(s) each, persistent grants %s",
	     b->spec.vdev, b->nr_queues, 1u << order, persistent ? "on" : "off");
	return 0;
}

static void be_disconnect(struct xenbus_be *be, void *arg)
{
	(void)be;
	stop_queues(arg);
}

static void free_device(struct blkback *b)
{
	stop_queues(b);
	xenbus_be_destroy(b->be);
	if (b->disk.fd >= 0)
		close(b->disk.fd);
	free(b);
}

static void be_removed(struct xenbus_be *be, void *arg)
{
	struct blkback *b = arg;
	void (*gone)(struct blkback *, void *) = b->on_gone;
	void *gone_arg = b->gone_arg;

	(void)be;
	mlog(b->d, "blkback: %s detached", b->spec.vdev);
	if (gone)
		gone(b, gone_arg);
	free_device(b);
}

static const struct xenbus_be_ops ops = {
	.connect = be_connect,
	.disconnect = be_disconnect,
	.removed = be_removed,
};

/* ---- create and destroy --------------------------------------------------------- */

struct blkback *blkback_create(struct domain *d, const struct disk_spec *spec, char *err,
			       size_t errlen)
{
	struct blkback *b = calloc(1, sizeof(*b));
	char devid[16], sectors[24], info[8], queues[8], order[8], indirect[8];
	bool rw;

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->d = d;
	b->spec = *spec;
	b->disk.fd = -1;
	b->evtch = b->ring_ref = -1;
	if (open_image(b, err, errlen) < 0) {
		free_device(b);
		return NULL;
	}
	rw = !b->disk.readonly;
	snprintf(devid, sizeof(devid), "%u", spec->devid);
	snprintf(sectors, sizeof(sectors), "%llu", (unsigned long long)b->disk.sectors);
	snprintf(info, sizeof(info), "%u",
		 (spec->readonly ? VDISK_READONLY : 0) |
			 (spec->cdrom ? VDISK_CDROM | VDISK_REMOVABLE : 0));
	snprintf(queues, sizeof(queues), "%u", max_queues());
	snprintf(order, sizeof(order), "%u", BLK_MAX_RING_ORDER);
	snprintf(indirect, sizeof(indirect), "%u", BLK_MAX_INDIRECT_SEGS);
	const struct xenbus_be_kv be_keys[] = {
		/* what libxl writes */
		{"params", spec->target},
		{"type", "phy"},
		{"mode", rw ? "w" : "r"},
		{"removable", spec->cdrom ? "1" : "0"},
		{"bootable", "1"},
		{"dev", spec->vdev},
		{"device-type", spec->cdrom ? "cdrom" : "disk"},
		{"discard-enable", b->disk.discard ? "1" : "0"},
		/* what Xen's blkback writes */
		{"feature-max-indirect-segments", indirect},
		{"feature-persistent", "1"},
		{"multi-queue-max-queues", queues},
		{"max-ring-page-order", order},
		{"sectors", sectors},
		{"info", info},
		{"sector-size", "512"},
		{"physical-sector-size", "512"},
		{"feature-flush-cache", rw ? "1" : "0"},
		{"feature-barrier", rw ? "1" : "0"},
		{"feature-discard", b->disk.discard ? "1" : "0"},
		{"discard-granularity", "4096"},
		{"discard-alignment", "0"},
		{"discard-secure", "0"},
		{NULL, NULL},
	};
	const struct xenbus_be_kv fe_keys[] = {
		{"virtual-device", devid},
		{"device-type", spec->cdrom ? "cdrom" : "disk"},
		{NULL, NULL},
	};
	b->be = xenbus_be_create(d, "vbd", spec->devid, be_keys, fe_keys, &ops, b, err, errlen);
	if (!b->be || xenbus_be_switch_state(b->be, XenbusStateInitWait) < 0) {
		if (b->be)
			snprintf(err, errlen, "cannot write the backend state");
		free_device(b);
		return NULL;
	}
	return b;
}

void blkback_destroy(struct blkback *b)
{
	if (b)
		free_device(b);
}

int blkback_close(struct blkback *b, void (*on_gone)(struct blkback *b, void *arg), void *arg)
{
	b->on_gone = on_gone;
	b->gone_arg = arg;
	return xenbus_be_close(b->be);
}

void blkback_info(const struct blkback *b, struct blkback_info *info)
{
	info->devid = b->spec.devid;
	info->state = (int)xenbus_be_state(b->be);
	info->evtch = b->evtch;
	info->ring_ref = b->ring_ref;
	info->be_path = xenbus_be_path(b->be);
}

const struct disk_spec *blkback_spec(const struct blkback *b)
{
	return &b->spec;
}
