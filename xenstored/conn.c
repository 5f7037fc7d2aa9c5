#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "log.h"
#include "ops.h"
#include "txn.h"
#include "watch.h"
#include "xsd.h"

struct pending_event {
	struct hnode h;
	struct list fifo;
	uint64_t off; /* stream offset of the message's header */
	uint32_t len; /* payload bytes */
};

struct conn *conn_new(struct xsd *x, const struct conn_ops *ops, void *transport,
		      const struct ident *id, const char *kind)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (htable_init(&c->pending_events, 16) < 0) {
		free(c);
		return NULL;
	}
	c->x = x;
	c->ops = ops;
	c->transport = transport;
	c->id = *id;
	c->kind = kind;
	c->next_txid = 1;
	list_init(&c->ready_link);
	list_init(&c->dirty_link);
	list_init(&c->event_fifo);
	list_init(&c->watches);
	list_init(&c->txns);
	list_init(&c->introduced);
	list_add_tail(&x->conns, &c->link);
	x->nconns++;
	return c;
}

static void account_out(struct conn *c, long bytes)
{
	if (!c->id.priv)
		acct_add64(&acct_of(&c->x->acct, c->id.domid)->memory, bytes);
}

static void close_fds(struct conn *c)
{
	for (unsigned i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	c->nfds = 0;
}

static void drop_events(struct conn *c, bool all)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &c->event_fifo)
	{
		struct pending_event *pe = list_entry(pos, struct pending_event, fifo);

		if (!all && pe->off >= c->out_sent)
			break;
		htable_del(&c->pending_events, &pe->h);
		list_del(&pe->fifo);
		free(pe);
	}
}

void conn_reset(struct conn *c)
{
	struct list *pos, *tmp;

	watch_del_all(c);
	list_for_each_safe(pos, tmp, &c->txns)
	{
		struct txn *t = list_entry(pos, struct txn, conn_link);

		list_del(&t->conn_link);
		txn_free(t);
		c->ntxns--;
		if (!c->id.priv)
			acct_add32(&acct_of(&c->x->acct, c->id.domid)->transactions, -1);
	}
	drop_events(c, true);
	account_out(c, -(long)conn_out_pending(c));
	c->out_sent += conn_out_pending(c);
	c->out_head = c->out_tail = 0;
	c->nreplies = 0;
	c->rx_total += c->rx_len - c->rx_head;
	c->rx_head = c->rx_len = 0;
	close_fds(c);
}

void conn_kill(struct conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	list_del(&c->ready_link);
	list_del(&c->link);
	list_add_tail(&c->x->dead, &c->link);
}

void conn_fail(struct conn *c, unsigned ring_err)
{
	log_msg("%s connection of domain %u: protocol error %u, no longer served", c->kind,
		c->id.domid, ring_err);
	if (c->ops->failed)
		c->ops->failed(c, ring_err);
	if (!c->dom) {
		conn_kill(c);
		return;
	}
	conn_reset(c);
	c->stalled = true;
	list_del(&c->ready_link);
}

void conn_free(struct conn *c)
{
	struct list *pos, *tmp;

	conn_reset(c);
	/* Domains this connection introduced go with it (their monitor is gone). */
	list_for_each_safe(pos, tmp, &c->introduced)
	{
		struct domain *d = list_entry(pos, struct domain, intro_link);

		domain_release(c->x, d->domid);
	}
	if (c->dom && c->dom->conn == c)
		c->dom->conn = NULL;
	list_del(&c->ready_link);
	list_del(&c->dirty_link);
	list_del(&c->link);
	c->x->nconns--;
	htable_fini(&c->pending_events);
	free(c->reply_ends);
	free(c->out);
	if (c->ops->destroy)
		c->ops->destroy(c);
	free(c);
}

void conn_mark_ready(struct conn *c)
{
	if (c->dead || c->stalled || !list_empty(&c->ready_link))
		return;
	list_add_tail(&c->x->ready, &c->ready_link);
}

static void mark_dirty(struct conn *c)
{
	if (list_empty(&c->dirty_link))
		list_add_tail(&c->x->dirty, &c->dirty_link);
}

void conn_take_fds(struct conn *c, const int *fds, unsigned n, uint64_t at)
{
	close_fds(c);
	if (n > CONN_MAX_FDS) {
		for (unsigned i = 0; i < n; i++)
			close(fds[i]);
		return;
	}
	memcpy(c->fds, fds, n * sizeof(*fds));
	c->nfds = n;
	c->fds_at = at;
}

/* Makes room for n more bytes of output. */
static int out_reserve(struct conn *c, size_t n)
{
	size_t pending = conn_out_pending(c), cap;
	char *p;

	if (c->out_cap - c->out_tail >= n)
		return 0;
	if (c->out_head && c->out_cap - pending >= n) {
		memmove(c->out, c->out + c->out_head, pending);
		c->out_head = 0;
		c->out_tail = pending;
		return 0;
	}
	cap = c->out_cap ? c->out_cap : 4096;
	while (cap - pending < n)
		cap *= 2;
	p = malloc(cap);
	if (!p)
		return -ENOMEM;
	if (pending)
		memcpy(p, c->out + c->out_head, pending);
	free(c->out);
	c->out = p;
	c->out_cap = cap;
	c->out_head = 0;
	c->out_tail = pending;
	return 0;
}

/* Appends a message; returns its stream offset, or -1 without memory. */
static int64_t out_append(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
			  const void *p1, uint32_t l1, const void *p2, uint32_t l2)
{
	struct xsd_sockmsg hdr = {.type = type, .req_id = req_id, .tx_id = tx_id, .len = l1 + l2};
	uint64_t at = c->out_sent + conn_out_pending(c);

	if (out_reserve(c, sizeof(hdr) + l1 + l2) < 0)
		return -1;
	memcpy(c->out + c->out_tail, &hdr, sizeof(hdr));
	if (l1)
		memcpy(c->out + c->out_tail + sizeof(hdr), p1, l1);
	if (l2)
		memcpy(c->out + c->out_tail + sizeof(hdr) + l1, p2, l2);
	c->out_tail += sizeof(hdr) + l1 + l2;
	account_out(c, (long)(sizeof(hdr) + l1 + l2));
	mark_dirty(c);
	return (int64_t)at;
}

int conn_queue_reply(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		     const void *payload, uint32_t len)
{
	int64_t at;

	if (c->dead || c->stalled)
		return 0;
	if (c->nreplies == c->reply_cap) {
		unsigned cap = c->reply_cap ? c->reply_cap * 2 : 8;
		uint64_t *r = realloc(c->reply_ends, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		c->reply_ends = r;
		c->reply_cap = cap;
	}
	at = out_append(c, type, req_id, tx_id, payload, len, NULL, 0);
	if (at < 0)
		return -ENOMEM;
	c->reply_ends[c->nreplies++] = (uint64_t)at + sizeof(struct xsd_sockmsg) + len;
	return 0;
}

static const char *out_bytes_at(const struct conn *c, uint64_t off)
{
	return c->out + c->out_head + (off - c->out_sent);
}

void conn_queue_event(struct conn *c, const char *path, const char *token)
{
	size_t plen = strlen(path) + 1, tlen = strlen(token) + 1, len = plen + tlen;
	struct xsd *x = c->x;
	struct pending_event *pe;
	uint64_t h;
	int64_t at;

	if (c->dead || c->stalled || len > XENSTORE_PAYLOAD_MAX)
		return;
	if (!c->id.priv) {
		struct acct_dom *a = acct_of(&x->acct, c->id.domid);

		if (quota_exceeded(x->quota.val[Q_MEMORY], a->memory, sizeof(struct xsd_sockmsg) + len)) {
			log_msg("domain %u over its memory quota: watch event %s dropped",
				c->id.domid, path);
			return;
		}
	} else if (conn_out_pending(c) + len > x->limits.priv_out_max) {
		log_msg("%s connection does not read its watch events: dropped", c->kind);
		conn_kill(c);
		return;
	}

	at = out_append(c, XS_WATCH_EVENT, 0, 0, path, (uint32_t)plen, token, (uint32_t)tlen);
	if (at < 0)
		return;
	/* An identical event still waiting to go out already tells the watcher. */
	h = hash_bytes(out_bytes_at(c, (uint64_t)at) + sizeof(struct xsd_sockmsg), len);
	for (struct hnode *e = htable_chain(&c->pending_events, h); e && path[0] != '@';
	     e = e->next) {
		struct pending_event *old = container_of(e, struct pending_event, h);

		if (e->hash == h && old->len == len &&
		    memcmp(out_bytes_at(c, old->off) + sizeof(struct xsd_sockmsg),
			   out_bytes_at(c, (uint64_t)at) + sizeof(struct xsd_sockmsg), len) == 0) {
			c->out_tail -= sizeof(struct xsd_sockmsg) + len;
			account_out(c, -(long)(sizeof(struct xsd_sockmsg) + len));
			return;
		}
	}
	pe = malloc(sizeof(*pe));
	if (!pe)
		return;
	pe->off = (uint64_t)at;
	pe->len = (uint32_t)len;
	htable_add(&c->pending_events, &pe->h, h);
	list_add_tail(&c->event_fifo, &pe->fifo);
}

/* Whether c must not get more requests processed until its output drains. */
static bool conn_blocked(const struct conn *c)
{
	const struct xsd *x = c->x;

	if (conn_out_pending(c) > x->limits.out_soft)
		return true;
	if (!c->id.priv) {
		struct acct_dom a = acct_peek(&x->acct, c->id.domid);

		if (x->quota.val[Q_OUTSTANDING] && c->nreplies >= x->quota.val[Q_OUTSTANDING])
			return true;
		if (quota_exceeded(x->quota.val[Q_MEMORY], a.memory, 0))
			return true;
	}
	return false;
}

static bool have_message(const struct conn *c)
{
	struct xsd_sockmsg hdr;
	size_t avail = c->rx_len - c->rx_head;

	if (avail < sizeof(hdr))
		return false;
	memcpy(&hdr, c->rx + c->rx_head, sizeof(hdr));
	return hdr.len > XENSTORE_PAYLOAD_MAX || avail >= sizeof(hdr) + hdr.len;
}

static void handle_message(struct conn *c, const struct xsd_sockmsg *hdr)
{
	uint64_t start = c->rx_total - (c->rx_len - c->rx_head);
	uint64_t end = start + sizeof(*hdr) + hdr->len;
	int fds[CONN_MAX_FDS];
	unsigned nfds = 0;

	if (c->nfds && c->fds_at < end) {
		nfds = c->nfds;
		memcpy(fds, c->fds, sizeof(fds));
		c->nfds = 0;
	}
	c->rx_head += sizeof(*hdr) + hdr->len;
	ops_dispatch(c, hdr, c->rx + c->rx_head - hdr->len, fds, &nfds);
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
}

bool conn_process(struct conn *c, unsigned budget)
{
	while (budget && !c->dead && !c->stalled && !conn_blocked(c)) {
		struct xsd_sockmsg hdr;
		ssize_t n;

		if (have_message(c)) {
			memcpy(&hdr, c->rx + c->rx_head, sizeof(hdr));
			if (hdr.len > XENSTORE_PAYLOAD_MAX) {
				log_msg("%s client (domain %u) sent a %u-byte payload", c->kind,
					c->id.domid, hdr.len);
				conn_fail(c, XENSTORE_ERROR_PROTO);
				return false;
			}
			handle_message(c, &hdr);
			budget--;
			continue;
		}
		if (c->rx_head) {
			memmove(c->rx, c->rx + c->rx_head, c->rx_len - c->rx_head);
			c->rx_len -= c->rx_head;
			c->rx_head = 0;
		}
		n = c->ops->recv(c, c->rx + c->rx_len, sizeof(c->rx) - c->rx_len);
		if (n < 0) {
			c->peer_gone = true;
			if (!c->dom)
				conn_kill(c);
			return false;
		}
		if (n == 0)
			break;
		c->rx_len += (size_t)n;
		c->rx_total += (uint64_t)n;
	}
	mark_dirty(c);
	if (c->dead || c->stalled)
		return false;
	return budget == 0 || (have_message(c) && !conn_blocked(c));
}

void conn_flush(struct conn *c)
{
	size_t pending;

	while (!c->dead && (pending = conn_out_pending(c)) > 0) {
		ssize_t n = c->ops->send(c, c->out + c->out_head, pending);

		if (n < 0) {
			c->peer_gone = true;
			if (!c->dom)
				conn_kill(c);
			break;
		}
		if (n == 0)
			break;
		c->out_head += (size_t)n;
		c->out_sent += (uint64_t)n;
		account_out(c, -n);
	}
	if (c->out_head == c->out_tail)
		c->out_head = c->out_tail = 0;
	if (c->nreplies && c->reply_ends[0] <= c->out_sent) {
		unsigned done = 1;

		while (done < c->nreplies && c->reply_ends[done] <= c->out_sent)
			done++;
		memmove(c->reply_ends, c->reply_ends + done,
			(c->nreplies - done) * sizeof(uint64_t));
		c->nreplies -= done;
	}
	drop_events(c, false);
	if (c->dead)
		return;
	if (c->ops->want)
		c->ops->want(c, !c->stalled && !conn_blocked(c), conn_out_pending(c) > 0);
	if (c->ops->kick)
		c->ops->kick(c);
}
