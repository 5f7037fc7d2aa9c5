/*
 * A client connection, whatever carries it: a Unix socket of the host or a
 * guest's shared ring. The transport supplies a few operations; framing,
 * queues, limits, watches and transactions are handled here alike.
 */
#ifndef XSD_CONN_H
#define XSD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <xen/io/xs_wire.h>

#include "hash.h"
#include "list.h"
#include "perms.h"

struct xsd;
struct conn;

struct conn_ops {
	/* Reads up to len bytes: >0 bytes read, 0 nothing for now, -1 the peer is gone or broken. */
	ssize_t (*recv)(struct conn *c, void *buf, size_t len);
	/* Writes up to len bytes: bytes taken, 0 no room for now, -1 gone or broken. */
	ssize_t (*send)(struct conn *c, const void *buf, size_t len);
	/* After a round of recv/send: tell the peer (a guest's event channel). May be NULL. */
	void (*kick)(struct conn *c);
	/* Which readiness to wait for (a socket's epoll interest). May be NULL. */
	void (*want)(struct conn *c, bool read, bool write);
	/* The connection failed with a ring error code (XENSTORE_ERROR_*). May be NULL. */
	void (*failed)(struct conn *c, unsigned err);
	/* Frees the transport. */
	void (*destroy)(struct conn *c);
};

#define CONN_RX_CAP (2 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX))
#define CONN_MAX_FDS 3

struct conn {
	struct xsd *x;
	const struct conn_ops *ops;
	void *transport;
	struct ident id;
	struct domain *dom; /* the domain whose ring this is; NULL for sockets */
	const char *kind;   /* for logs: "socket", "ring" */

	struct list link;
	struct list ready_link;
	struct list dirty_link;

	bool dead;	/* no more service; freed by xsd_run_pending() */
	bool stalled;	/* kept (a domain's ring) but no longer served */
	bool peer_gone; /* recv or send reported -1 */

	/* Input: bytes received and not yet processed. */
	char rx[CONN_RX_CAP];
	size_t rx_head, rx_len;
	uint64_t rx_total; /* stream offset just past rx_len */

	/* Descriptors passed with the input, for the message holding byte fds_at. */
	int fds[CONN_MAX_FDS];
	unsigned nfds;
	uint64_t fds_at;

	/* Output: a byte queue; replies and events are whole messages in it. */
	char *out;
	size_t out_head, out_tail, out_cap;
	uint64_t out_sent; /* stream offset of out_head */
	uint64_t *reply_ends; /* stream end of each queued reply, oldest first */
	unsigned nreplies, reply_cap;
	struct htable pending_events; /* struct pending_event by payload, for dedup */
	struct list event_fifo;

	/* State owned by the connection. */
	struct list watches;
	unsigned nwatches;
	struct list txns;
	unsigned ntxns;
	uint32_t next_txid;
	struct list introduced; /* domains whose release is tied to this connection */
};

/* Returns a new connection or NULL (ENOMEM). */
struct conn *conn_new(struct xsd *x, const struct conn_ops *ops, void *transport,
		      const struct ident *id, const char *kind);

/* Marks c dead: it gets no more service and is freed at the end of the round. */
void conn_kill(struct conn *c);
/* Stops serving c after a protocol error but keeps it (a guest's ring). */
void conn_fail(struct conn *c, unsigned ring_err);
/* Frees c now: aborts transactions, removes watches, releases introduced domains. */
void conn_free(struct conn *c);
/* Drops everything c holds (watches, transactions, queued I/O): a ring reconnect. */
void conn_reset(struct conn *c);

/* Input is waiting (the transport has data). */
void conn_mark_ready(struct conn *c);
/* Processes up to budget messages; returns true if more input is pending. */
bool conn_process(struct conn *c, unsigned budget);
/* Sends queued output and notifies the peer. */
void conn_flush(struct conn *c);

/* Records descriptors that arrived with stream byte at (SCM_RIGHTS); takes ownership. */
void conn_take_fds(struct conn *c, const int *fds, unsigned n, uint64_t at);

/* Queues a reply; returns 0 or -ENOMEM. */
int conn_queue_reply(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		     const void *payload, uint32_t len);
/* Queues a watch event, unless an identical one is still pending or limits forbid. */
void conn_queue_event(struct conn *c, const char *path, const char *token);

/* Bytes of output waiting to be sent. */
static inline size_t conn_out_pending(const struct conn *c)
{
	return c->out_tail - c->out_head;
}

#endif /* XSD_CONN_H */
