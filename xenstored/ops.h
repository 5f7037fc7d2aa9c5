/*
 * Requests: one static table indexed by message type (name, handler,
 * flags), and the dispatcher that checks privilege and transaction, calls
 * the handler and queues its reply or Xen's error.
 */
#ifndef XSD_OPS_H
#define XSD_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#include "store.h"

struct conn;
struct txn;
struct watch;
struct xsd;

struct req {
	struct xsd *x;
	struct conn *c;
	struct xsd_sockmsg hdr;
	const char *p; /* payload, with a nul after its len bytes */
	uint32_t len;
	struct txn *txn;
	struct store_ctx s;
	char *reply; /* XENSTORE_PAYLOAD_MAX + 1 bytes */
	uint32_t reply_len;
	struct watch *initial; /* WATCH: its first event follows the reply */
	int *fds;	       /* descriptors that came with this message */
	unsigned *nfds;	       /* a handler that keeps them sets this to 0 */
};

/*
 * Handles one message of c. payload has hdr->len bytes. Descriptors left in
 * fds (count in *nfds) are the caller's to close.
 */
void ops_dispatch(struct conn *c, const struct xsd_sockmsg *hdr, const char *payload, int *fds,
		  unsigned *nfds);

/* Reply helpers for handlers; they return 0 or -E2BIG. */
int req_reply(struct req *r, const void *data, size_t len);
int req_reply_str(struct req *r, const char *s);
int req_ok(struct req *r);
/* Canonicalises a path argument for r's connection; returns the length or -EINVAL. */
int req_path(struct req *r, const char *in, bool allow_special, char *out, bool *relative);

/* The handlers, by area. Each returns 0 (reply set) or a negative errno. */
int op_read(struct req *r);
int op_write(struct req *r);
int op_mkdir(struct req *r);
int op_rm(struct req *r);
int op_directory(struct req *r);
int op_directory_part(struct req *r);
int op_get_perms(struct req *r);
int op_set_perms(struct req *r);
int op_watch(struct req *r);
int op_unwatch(struct req *r);
int op_reset_watches(struct req *r);
int op_transaction_start(struct req *r);
int op_transaction_end(struct req *r);
int op_introduce(struct req *r);
int op_release(struct req *r);
int op_get_domain_path(struct req *r);
int op_is_domain_introduced(struct req *r);
int op_resume(struct req *r);
int op_set_target(struct req *r);
int op_get_feature(struct req *r);
int op_control(struct req *r);

#endif /* XSD_OPS_H */
