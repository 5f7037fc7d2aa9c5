#include "ring.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "conn.h"
#include "domain.h"
#include "log.h"
#include "loop.h"
#include "xsd.h"

struct ring {
	struct xenstore_domain_interface *intf;
	size_t map_len;
	int evt_in, evt_out;
	struct loop_fd lfd;
	struct conn *conn;
	/* The indices we own, kept here: the guest could scribble over the page's copies. */
	XENSTORE_RING_IDX req_cons, rsp_prod;
	bool notify;
};

/* How soon a ring that had input is looked at again, input or not. */
#define RING_RECHECK_MS 2

static uint32_t load(const volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Copies from a ring buffer at index idx, across the wrap. */
static void copy_from(void *dst, const volatile char *ring, XENSTORE_RING_IDX idx, size_t n)
{
	size_t off = MASK_XENSTORE_IDX(idx), first = XENSTORE_RING_SIZE - off;

	if (first > n)
		first = n;
	memcpy(dst, (const char *)ring + off, first);
	memcpy((char *)dst + first, (const char *)ring, n - first);
}

static void copy_to(volatile char *ring, XENSTORE_RING_IDX idx, const void *src, size_t n)
{
	size_t off = MASK_XENSTORE_IDX(idx), first = XENSTORE_RING_SIZE - off;

	if (first > n)
		first = n;
	memcpy((char *)ring + off, src, first);
	memcpy((char *)ring, (const char *)src + first, n - first);
}

/*
 * Takes whatever the guest has published, a part of a request included, as
 * Xen's xenstored does: Linux notifies only when its previous producer index
 * had been consumed, so bytes left in the ring would never be announced again.
 */
static ssize_t ring_recv(struct conn *c, void *buf, size_t len)
{
	struct ring *r = c->transport;
	XENSTORE_RING_IDX prod = load(&r->intf->req_prod);
	uint32_t avail = prod - r->req_cons;
	size_t n;

	if (avail > XENSTORE_RING_SIZE) {
		conn_fail(c, XENSTORE_ERROR_RINGIDX);
		return -1;
	}
	n = avail < len ? avail : len;
	if (!n)
		return 0;
	copy_from(buf, r->intf->req, r->req_cons, n);
	/* Our reads of the data complete before the guest may reuse the space. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->req_cons += (uint32_t)n;
	store(&r->intf->req_cons, r->req_cons);
	/* Our next look at req_prod must not pass this store: the guest
	 * publishes, then reads req_cons to decide whether to notify, so if
	 * each side read the other's old index, bytes published meanwhile
	 * would never be announced (x86 lets a load pass an earlier store). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->notify = true;
	/* Linux's xb_write has no full barrier between publishing req_prod
	 * and reading req_cons, so the same race can still lose its
	 * notification from its side: look again shortly after any input. */
	if (!c->x->ring_recheck_ms)
		c->x->ring_recheck_ms = c->x->now_ms + RING_RECHECK_MS;
	return (ssize_t)n;
}

static ssize_t ring_send(struct conn *c, const void *buf, size_t len)
{
	struct ring *r = c->transport;
	XENSTORE_RING_IDX cons = load(&r->intf->rsp_cons);
	uint32_t used = r->rsp_prod - cons, space;
	size_t n;

	if (used > XENSTORE_RING_SIZE) {
		conn_fail(c, XENSTORE_ERROR_RINGIDX);
		return -1;
	}
	space = XENSTORE_RING_SIZE - used;
	n = len < space ? len : space;
	if (!n)
		return 0;
	copy_to(r->intf->rsp, r->rsp_prod, buf, n);
	/* The data is visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->rsp_prod += (uint32_t)n;
	store(&r->intf->rsp_prod, r->rsp_prod);
	r->notify = true;
	return (ssize_t)n;
}

static void ring_kick(struct conn *c)
{
	struct ring *r = c->transport;
	uint64_t one = 1;

	if (!r->notify)
		return;
	r->notify = false;
	if (r->evt_out >= 0 && write(r->evt_out, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_msg("domain %u: cannot signal its event channel: %s", c->id.domid,
			strerror(errno));
}

static void ring_failed(struct conn *c, unsigned err)
{
	struct ring *r = c->transport;

	store(&r->intf->error, err);
	r->notify = true;
	ring_kick(c);
}

static void ring_destroy(struct conn *c)
{
	struct ring *r = c->transport;

	if (r->evt_in >= 0) {
		if (c->x->loop)
			loop_del(c->x->loop, &r->lfd);
		close(r->evt_in);
	}
	if (r->evt_out >= 0)
		close(r->evt_out);
	if (r->map_len)
		munmap(r->intf, r->map_len);
	free(r);
}

static const struct conn_ops ring_ops = {
	.recv = ring_recv,
	.send = ring_send,
	.kick = ring_kick,
	.failed = ring_failed,
	.destroy = ring_destroy,
};

/* Empties both queues: the state a reconnect and a new domain start from. */
static void reset_indices(struct ring *r)
{
	r->req_cons = r->rsp_prod = 0;
	store(&r->intf->req_cons, 0);
	store(&r->intf->req_prod, 0);
	store(&r->intf->rsp_cons, 0);
	store(&r->intf->rsp_prod, 0);
	store(&r->intf->error, XENSTORE_ERROR_NONE);
}

void ring_conn_event(struct conn *c)
{
	struct ring *r = c->transport;

	if (load(&r->intf->connection) == XENSTORE_RECONNECT) {
		log_trace("domain %u asks to reconnect its ring", c->id.domid);
		conn_reset(c);
		c->stalled = false;
		reset_indices(r);
		store(&r->intf->connection, XENSTORE_CONNECTED);
		r->notify = true;
		ring_kick(c);
	}
	conn_mark_ready(c);
}

/*
 * Clears the eventfd's count without ever blocking. Its file status flags
 * are the monitor's (the same open file), so O_NONBLOCK is not ours to set:
 * ask for a non-blocking read of this one call instead.
 */
static void drain_eventfd(int fd)
{
	uint64_t count;
	struct iovec iov = {.iov_base = &count, .iov_len = sizeof(count)};
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	if (preadv2(fd, &iov, 1, -1, RWF_NOWAIT) >= 0 || errno != EOPNOTSUPP)
		return;
	/* Kernels without non-blocking eventfd reads: look first (racy, but only we read it). */
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN) && read(fd, &count, sizeof(count)) < 0)
		log_msg("eventfd read failed: %s", strerror(errno));
}

static void evt_in_ready(struct loop_fd *lf, uint32_t events)
{
	struct ring *r = container_of(lf, struct ring, lfd);

	if (events & EPOLLIN)
		drain_eventfd(lf->fd);
	ring_conn_event(r->conn);
}

struct conn *ring_conn_new(struct xsd *x, struct domain *d, struct xenstore_domain_interface *intf,
			   size_t map_len, int evt_in, int evt_out, bool fresh)
{
	struct ident id = {.domid = d->domid, .priv = false, .target = d->target};
	struct ring *r = calloc(1, sizeof(*r));
	struct conn *c = NULL;

	if (!r)
		goto fail;
	r->intf = intf;
	r->map_len = map_len;
	r->evt_in = evt_in;
	r->evt_out = evt_out;
	if (fresh) {
		reset_indices(r);
		store(&intf->server_features, XSD_RING_FEATURES);
		if (load(&intf->connection) == XENSTORE_RECONNECT)
			store(&intf->connection, XENSTORE_CONNECTED);
	} else {
		/* Back after a restart: continue where the indices stand, if they are sane. */
		r->req_cons = load(&intf->req_cons);
		r->rsp_prod = load(&intf->rsp_prod);
		if (load(&intf->req_prod) - r->req_cons > XENSTORE_RING_SIZE ||
		    r->rsp_prod - load(&intf->rsp_cons) > XENSTORE_RING_SIZE)
			reset_indices(r);
	}
	c = conn_new(x, &ring_ops, r, &id, "ring");
	if (!c)
		goto fail;
	r->conn = c;
	c->dom = d;
	if (x->loop && evt_in >= 0) {
		r->lfd.fd = evt_in;
		r->lfd.cb = evt_in_ready;
		if (loop_add(x->loop, &r->lfd, EPOLLIN) < 0) {
			r->evt_in = -1; /* not in the loop: conn_free must not loop_del it */
			close(evt_in);
			conn_free(c);
			return NULL;
		}
	}
	r->notify = true;
	conn_mark_ready(c);
	return c;
fail:
	if (evt_in >= 0)
		close(evt_in);
	if (evt_out >= 0)
		close(evt_out);
	if (map_len)
		munmap(intf, map_len);
	free(r);
	return NULL;
}
