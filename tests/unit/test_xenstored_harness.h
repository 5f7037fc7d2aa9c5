/*
 * Test harness for xenstored's unit tests: the daemon's state in-process,
 * with connections whose transport is a pair of byte buffers, so a test
 * speaks the wire protocol and reads exactly what a client would.
 */
#ifndef TEST_XENSTORED_HARNESS_H
#define TEST_XENSTORED_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/io/xs_wire.h>

#include "../../xenstored/buf.h"
#include "../../xenstored/conn.h"
#include "../../xenstored/xsd.h"

struct tconn {
	struct conn *c;
	struct buf in; /* bytes the client sent, not yet taken by the daemon */
	size_t in_off;
	struct buf out; /* bytes the daemon sent, not yet parsed by the test */
	size_t out_off;
	struct buf events; /* watch events received, "path\0token\0" each */
	size_t send_room; /* bytes the transport takes per send; 0 = unlimited */
	bool stop_reading; /* the client reads nothing (a slow client) */
	bool closed;
	uint32_t next_req;
};

struct tmsg {
	uint32_t type, req_id, tx_id, len;
	char p[XENSTORE_PAYLOAD_MAX + 1];
};

static ssize_t t_recv(struct conn *c, void *buf, size_t len)
{
	struct tconn *t = c->transport;
	size_t avail = t->in.len - t->in_off;

	if (!avail)
		return t->closed ? -1 : 0;
	if (len > avail)
		len = avail;
	memcpy(buf, t->in.p + t->in_off, len);
	t->in_off += len;
	return (ssize_t)len;
}

static ssize_t t_send(struct conn *c, const void *buf, size_t len)
{
	struct tconn *t = c->transport;

	if (t->stop_reading)
		return 0;
	if (t->send_room && len > t->send_room)
		len = t->send_room;
	buf_append(&t->out, buf, len);
	return (ssize_t)len;
}

static void t_destroy(struct conn *c)
{
	struct tconn *t = c->transport;

	t->c = NULL;
}

static const struct conn_ops t_ops = {
	.recv = t_recv,
	.send = t_send,
	.destroy = t_destroy,
};

static inline struct tconn *tconn_new(struct xsd *x, unsigned domid)
{
	struct ident id = {.domid = (uint16_t)domid, .priv = domid == 0, .target = -1};
	struct tconn *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->c = conn_new(x, &t_ops, t, &id, "test");
	assert_non_null(t->c);
	t->next_req = 1;
	return t;
}

static inline void tconn_free(struct tconn *t)
{
	if (t->c)
		conn_free(t->c);
	buf_free(&t->in);
	buf_free(&t->out);
	buf_free(&t->events);
	free(t);
}

/* Queues raw bytes as if the client sent them. */
static inline void tconn_send_raw(struct tconn *t, const void *p, size_t len)
{
	buf_append(&t->in, p, len);
	if (t->c)
		conn_mark_ready(t->c);
}

static inline uint32_t tconn_send(struct tconn *t, uint32_t type, uint32_t tx, const void *p,
				  size_t len)
{
	struct xsd_sockmsg hdr = {.type = type, .req_id = t->next_req++, .tx_id = tx,
				  .len = (uint32_t)len};

	tconn_send_raw(t, &hdr, sizeof(hdr));
	tconn_send_raw(t, p, len);
	return hdr.req_id;
}

/* Takes the next message the daemon sent; false if there is none. */
static inline bool tconn_next(struct tconn *t, struct tmsg *m)
{
	struct xsd_sockmsg hdr;

	if (t->out.len - t->out_off < sizeof(hdr))
		return false;
	memcpy(&hdr, t->out.p + t->out_off, sizeof(hdr));
	assert_true(hdr.len <= XENSTORE_PAYLOAD_MAX);
	if (t->out.len - t->out_off < sizeof(hdr) + hdr.len)
		return false;
	m->type = hdr.type;
	m->req_id = hdr.req_id;
	m->tx_id = hdr.tx_id;
	m->len = hdr.len;
	memcpy(m->p, t->out.p + t->out_off + sizeof(hdr), hdr.len);
	m->p[hdr.len] = 0;
	t->out_off += sizeof(hdr) + hdr.len;
	return true;
}

/* Watch events are collected here as "path\0token\0" entries. */
static inline void tconn_collect(struct tconn *t)
{
	struct tmsg m;

	while (tconn_next(t, &m)) {
		assert_int_equal(m.type, XS_WATCH_EVENT);
		buf_append(&t->events, m.p, m.len);
	}
}

/* Counts the watch events for path/token received so far, and forgets those. */
static inline unsigned tconn_events(struct tconn *t, const char *path, const char *token)
{
	unsigned n = 0;
	size_t keep = 0;

	tconn_collect(t);
	for (size_t off = 0; off < t->events.len;) {
		const char *p = t->events.p + off, *tok = p + strlen(p) + 1;
		size_t end = (size_t)(tok - t->events.p) + strlen(tok) + 1;

		if (strcmp(p, path) == 0 && strcmp(tok, token) == 0) {
			n++;
		} else {
			memmove(t->events.p + keep, p, end - off);
			keep += end - off;
		}
		off = end;
	}
	t->events.len = keep;
	return n;
}

/* Forgets everything received so far. */
static inline void tconn_drain(struct tconn *t)
{
	t->out_off = t->out.len;
	t->events.len = 0;
}

/* Sends a request, runs the daemon, returns the reply; events before it are collected. */
static inline void tconn_call(struct xsd *x, struct tconn *t, uint32_t type, uint32_t tx,
			      const void *p, size_t len, struct tmsg *reply)
{
	uint32_t id = tconn_send(t, type, tx, p, len);

	xsd_run_pending(x);
	for (;;) {
		assert_true(tconn_next(t, reply));
		if (reply->type != XS_WATCH_EVENT)
			break;
		buf_append(&t->events, reply->p, reply->len);
	}
	assert_int_equal(reply->req_id, id);
	assert_int_equal(reply->tx_id, tx);
}

/* A request with nul-terminated string arguments (NULL-terminated list). */
static inline void tconn_callv(struct xsd *x, struct tconn *t, uint32_t type, uint32_t tx,
			       struct tmsg *reply, ...)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t len = 0;
	const char *s;
	va_list ap;

	va_start(ap, reply);
	while ((s = va_arg(ap, const char *))) {
		size_t l = strlen(s) + 1;

		assert_true(len + l <= sizeof(buf));
		memcpy(buf + len, s, l);
		len += l;
	}
	va_end(ap);
	tconn_call(x, t, type, tx, buf, len, reply);
}

/* Returns 0 on "OK", else the errno of an error reply (as a positive number). */
static inline int tmsg_err(const struct tmsg *m)
{
	if (m->type != XS_ERROR)
		return 0;
	for (size_t i = 0; i < XS_WIRE_NR_ERRORS; i++)
		if (strcmp(m->p, xs_wire_errors[i].name) == 0)
			return xs_wire_errors[i].errnum;
	fail_msg("unknown error %s", m->p);
	return -1;
}

/* Convenience calls; each returns 0 or the store's errno. */
static inline int t_write(struct xsd *x, struct tconn *t, uint32_t tx, const char *path,
			  const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(val);
	struct tmsg m;

	memcpy(buf, path, pl);
	memcpy(buf + pl, val, vl);
	tconn_call(x, t, XS_WRITE, tx, buf, pl + vl, &m);
	return tmsg_err(&m);
}

/* Reads into val (a caller buffer of XENSTORE_PAYLOAD_MAX + 1). */
static inline int t_read(struct xsd *x, struct tconn *t, uint32_t tx, const char *path, char *val)
{
	struct tmsg m;

	tconn_callv(x, t, XS_READ, tx, &m, path, NULL);
	if (m.type == XS_ERROR)
		return tmsg_err(&m);
	assert_int_equal(m.type, XS_READ);
	memcpy(val, m.p, m.len + 1);
	return 0;
}

static inline int t_simple(struct xsd *x, struct tconn *t, uint32_t type, uint32_t tx,
			   const char *a, const char *b)
{
	struct tmsg m;

	tconn_callv(x, t, type, tx, &m, a, b, NULL);
	return tmsg_err(&m);
}

static inline uint32_t t_txn_start(struct xsd *x, struct tconn *t)
{
	struct tmsg m;

	tconn_call(x, t, XS_TRANSACTION_START, 0, "", 1, &m);
	assert_int_equal(m.type, XS_TRANSACTION_START);
	return (uint32_t)strtoul(m.p, NULL, 10);
}

static inline int t_txn_end(struct xsd *x, struct tconn *t, uint32_t tx, bool commit)
{
	return t_simple(x, t, XS_TRANSACTION_END, tx, commit ? "T" : "F", NULL);
}

/* DIRECTORY as one string "a,b,c" (names in store order). */
static inline int t_dir(struct xsd *x, struct tconn *t, uint32_t tx, const char *path, char *out)
{
	struct tmsg m;
	size_t o = 0;

	tconn_callv(x, t, XS_DIRECTORY, tx, &m, path, NULL);
	if (m.type == XS_ERROR)
		return tmsg_err(&m);
	out[0] = 0;
	for (uint32_t off = 0; off < m.len; off += (uint32_t)strlen(m.p + off) + 1)
		o += (size_t)sprintf(out + o, "%s%s", o ? "," : "", m.p + off);
	return 0;
}

#endif /* TEST_XENSTORED_HARNESS_H */
