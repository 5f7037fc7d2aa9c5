/*
 * The xenstore wire protocol: message header, message types, error names,
 * and the shared ring page through which a guest talks to the store.
 * Written for this project from Xen's public ABI (io/xs_wire.h,
 * docs/misc/xenstore.txt, docs/misc/xenstore-ring.txt).
 */
#ifndef XEN_IO_XS_WIRE_H
#define XEN_IO_XS_WIRE_H

#include <xen/abi.h>
#include <xen/errno.h>

#ifndef __ASSEMBLER__

enum xsd_sockmsg_type {
	XS_CONTROL = 0, /* XS_DEBUG is its old name */
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15, /* only from the store */
	XS_ERROR = 16,       /* only from the store */
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	/* 20 was XS_RESTRICT; it is invalid now */
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	XS_GET_FEATURE = 23,
	XS_SET_FEATURE = 24,
	XS_GET_QUOTA = 25,
	XS_SET_QUOTA = 26,
	XS_TYPE_COUNT = 27,
	XS_INVALID = 0xffff,
};
#define XS_DEBUG XS_CONTROL

/* Every message in either direction: this header, then len bytes. */
struct xsd_sockmsg {
	uint32_t type;   /* enum xsd_sockmsg_type */
	uint32_t req_id; /* echoed in the reply */
	uint32_t tx_id;  /* transaction, 0 for none */
	uint32_t len;    /* payload bytes that follow */
};
XEN_CHECK_SIZE(struct xsd_sockmsg, 16);

/* Index of path and token in a watch event's payload. */
enum xs_watch_type {
	XS_WATCH_PATH = 0,
	XS_WATCH_TOKEN = 1,
};

#define XENSTORE_PAYLOAD_MAX 4096
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

/*
 * Errors travel as their names ("ENOENT\0"). The order is Xen's and new
 * names only ever go at the end.
 */
struct xs_wire_error {
	int errnum; /* XEN_E* */
	const char *name;
};
static const struct xs_wire_error xs_wire_errors[] __attribute__((unused)) = {
	{XEN_EINVAL, "EINVAL"},	      {XEN_EACCES, "EACCES"}, {XEN_EEXIST, "EEXIST"},
	{XEN_EISDIR, "EISDIR"},	      {XEN_ENOENT, "ENOENT"}, {XEN_ENOMEM, "ENOMEM"},
	{XEN_ENOSPC, "ENOSPC"},	      {XEN_EIO, "EIO"},	      {XEN_ENOTEMPTY, "ENOTEMPTY"},
	{XEN_ENOSYS, "ENOSYS"},	      {XEN_EROFS, "EROFS"},   {XEN_EBUSY, "EBUSY"},
	{XEN_EAGAIN, "EAGAIN"},	      {XEN_EISCONN, "EISCONN"}, {XEN_E2BIG, "E2BIG"},
	{XEN_EPERM, "EPERM"},
};
#define XS_WIRE_NR_ERRORS (sizeof(xs_wire_errors) / sizeof(xs_wire_errors[0]))

/* The shared ring page (one 4 KiB page, mapped by the store). */
#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

/*
 * req: guest produces, store consumes. rsp: store produces (replies and
 * watch events), guest consumes. Indices run free and wrap at 2^32; a
 * queue never holds more than XENSTORE_RING_SIZE bytes.
 */
struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE];
	char rsp[XENSTORE_RING_SIZE];
	XENSTORE_RING_IDX req_cons, req_prod;
	XENSTORE_RING_IDX rsp_cons, rsp_prod;
	uint32_t server_features; /* XENSTORE_SERVER_FEATURE_*, set by the store */
	uint32_t connection;	  /* XENSTORE_CONNECTED / XENSTORE_RECONNECT */
	uint32_t error;		  /* XENSTORE_ERROR_*, set by the store */
	uint32_t evtchn_port;
};
XEN_CHECK_OFFSET(struct xenstore_domain_interface, rsp, 1024);
XEN_CHECK_OFFSET(struct xenstore_domain_interface, req_cons, 2048);
XEN_CHECK_OFFSET(struct xenstore_domain_interface, req_prod, 2052);
XEN_CHECK_OFFSET(struct xenstore_domain_interface, rsp_cons, 2056);
XEN_CHECK_OFFSET(struct xenstore_domain_interface, rsp_prod, 2060);
XEN_CHECK_OFFSET(struct xenstore_domain_interface, server_features, 2064);
XEN_CHECK_OFFSET(struct xenstore_domain_interface, connection, 2068);
XEN_CHECK_OFFSET(struct xenstore_domain_interface, error, 2072);
XEN_CHECK_OFFSET(struct xenstore_domain_interface, evtchn_port, 2076);
_Static_assert(sizeof(struct xenstore_domain_interface) <= XEN_PAGE_SIZE, "xenstore ring fits a page");

#endif /* !__ASSEMBLER__ */

#define XENSTORE_SERVER_FEATURE_RECONNECTION 1
#define XENSTORE_SERVER_FEATURE_ERROR 2
#define XENSTORE_SERVER_FEATURE_WATCHDEPTH 4
#define XENSTORE_SERVER_FEATURE_DOMID_ANY 8

#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

#define XENSTORE_ERROR_NONE 0
#define XENSTORE_ERROR_COMM 1
#define XENSTORE_ERROR_RINGIDX 2
#define XENSTORE_ERROR_PROTO 3

#endif /* XEN_IO_XS_WIRE_H */
