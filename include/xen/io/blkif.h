/* The PV block device protocol (xen-blkfront <-> blkback). */
#ifndef XEN_IO_BLKIF_H
#define XEN_IO_BLKIF_H

#include <xen/abi.h>
#include <xen/io/ring.h>

#define BLKIF_OP_READ 0
#define BLKIF_OP_WRITE 1
#define BLKIF_OP_WRITE_BARRIER 2
#define BLKIF_OP_FLUSH_DISKCACHE 3
#define BLKIF_OP_RESERVED_1 4
#define BLKIF_OP_DISCARD 5
#define BLKIF_OP_INDIRECT 6

#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8

#define BLKIF_RSP_EOPNOTSUPP (-2)
#define BLKIF_RSP_ERROR (-1)
#define BLKIF_RSP_OKAY 0

/* "info" node of the backend */
#define VDISK_CDROM 0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY 0x4

#define BLKIF_DISCARD_SECURE (1 << 0)

/* Sectors are always 512 bytes in the protocol, whatever sector-size says. */
#define BLKIF_SECTOR_SHIFT 9

#ifndef __ASSEMBLER__

typedef uint16_t blkif_vdev_t;
typedef uint64_t blkif_sector_t;

/* One granted page; first_sect..last_sect (inclusive, 512-byte units) used. */
struct blkif_request_segment {
	grant_ref_t gref;
	uint8_t first_sect, last_sect;
};
XEN_CHECK_SIZE(struct blkif_request_segment, 8);
#define BLKIF_SEGS_PER_INDIRECT_FRAME (XEN_PAGE_SIZE / sizeof(struct blkif_request_segment))

struct blkif_request {
	uint8_t operation; /* BLKIF_OP_* */
	uint8_t nr_segments;
	blkif_vdev_t handle;
	uint64_t id; /* echoed in the response */
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
XEN_CHECK_OFFSET(struct blkif_request, handle, 2);
XEN_CHECK_OFFSET(struct blkif_request, id, 8);
XEN_CHECK_OFFSET(struct blkif_request, sector_number, 16);
XEN_CHECK_OFFSET(struct blkif_request, seg, 24);
XEN_CHECK_SIZE(struct blkif_request, 112);

struct blkif_request_discard {
	uint8_t operation; /* BLKIF_OP_DISCARD */
	uint8_t flag; /* BLKIF_DISCARD_* */
	blkif_vdev_t handle;
	uint64_t id;
	blkif_sector_t sector_number;
	uint64_t nr_sectors;
};
XEN_CHECK_OFFSET(struct blkif_request_discard, nr_sectors, 24);
XEN_CHECK_SIZE(struct blkif_request_discard, 32);

/* Segments listed in granted pages of blkif_request_segment[]. */
struct blkif_request_indirect {
	uint8_t operation; /* BLKIF_OP_INDIRECT */
	uint8_t indirect_op; /* READ or WRITE */
	uint16_t nr_segments;
	uint64_t id;
	blkif_sector_t sector_number;
	blkif_vdev_t handle;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};
XEN_CHECK_OFFSET(struct blkif_request_indirect, nr_segments, 2);
XEN_CHECK_OFFSET(struct blkif_request_indirect, id, 8);
XEN_CHECK_OFFSET(struct blkif_request_indirect, sector_number, 16);
XEN_CHECK_OFFSET(struct blkif_request_indirect, handle, 24);
XEN_CHECK_OFFSET(struct blkif_request_indirect, indirect_grefs, 28);
XEN_CHECK_SIZE(struct blkif_request_indirect, 64);

struct blkif_response {
	uint64_t id;
	uint8_t operation;
	int16_t status; /* BLKIF_RSP_* */
};
XEN_CHECK_OFFSET(struct blkif_response, status, 10);
XEN_CHECK_SIZE(struct blkif_response, 16);

XEN_RING_DEFINE(blkif, struct blkif_request, struct blkif_response);
XEN_CHECK_SIZE(union blkif_sring_entry, 112);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_IO_BLKIF_H */
