/*
 * Fuzzes xenstored's wire protocol: the input is cut into chunks, each sent
 * by one of four clients (dom0 and three guests' connections, without a
 * ring) or closing one of them. After every input the store must still be
 * consistent (CONTROL check) and all memory accounted for.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../xenstored/buf.h"
#include "../../xenstored/conn.h"
#include "../../xenstored/log.h"
#include "../../xenstored/xsd.h"

#define NCLIENTS 4

struct client {
	struct conn *c;
	struct buf in;
	size_t off;
	bool closed;
	size_t sent; /* bytes the daemon wrote, for reading back the check's reply */
	struct buf out;
};

static ssize_t f_recv(struct conn *c, void *buf, size_t len)
{
	struct client *cl = c->transport;
	size_t avail = cl->in.len - cl->off;

	if (!avail)
		return cl->closed ? -1 : 0;
	if (len > avail)
		len = avail;
	memcpy(buf, cl->in.p + cl->off, len);
	cl->off += len;
	return (ssize_t)len;
}

static ssize_t f_send(struct conn *c, const void *buf, size_t len)
{
	struct client *cl = c->transport;

	/* Keep only what a check reply needs; a slow reader now and then. */
	if (cl->out.len > (1u << 16))
		cl->out.len = 0;
	buf_append(&cl->out, buf, len);
	return (ssize_t)len;
}

static void f_destroy(struct conn *c)
{
	struct client *cl = c->transport;

	cl->c = NULL;
}

static const struct conn_ops f_ops = {.recv = f_recv, .send = f_send, .destroy = f_destroy};

static void open_client(struct xsd *x, struct client *cl, unsigned i)
{
	struct ident id = {.domid = (uint16_t)(i ? i + 4 : 0), .priv = i == 0, .target = -1};

	memset(cl, 0, sizeof(*cl));
	cl->c = conn_new(x, &f_ops, cl, &id, "fuzz");
}

static void close_client(struct client *cl)
{
	if (cl->c)
		conn_free(cl->c);
	buf_free(&cl->in);
	buf_free(&cl->out);
}

/* The store's own consistency check, asked for like a client would. */
static void check(struct xsd *x, struct client *dom0)
{
	struct xsd_sockmsg hdr = {.type = XS_CONTROL, .req_id = 0xc0ffee, .len = 6};
	size_t before;

	close_client(dom0);
	open_client(x, dom0, 0);
	before = dom0->out.len;
	buf_append(&dom0->in, &hdr, sizeof(hdr));
	buf_append(&dom0->in, "check", 6);
	conn_mark_ready(dom0->c);
	xsd_run_pending(x);
	if (dom0->out.len - before < sizeof(hdr) + 2 ||
	    memcmp(dom0->out.p + before + sizeof(hdr), "OK", 2) != 0) {
		fprintf(stderr, "store inconsistent: %.*s\n", (int)(dom0->out.len - before),
			dom0->out.p + before + sizeof(hdr));
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct client cl[NCLIENTS];
	struct xsd x;
	size_t off = 0;

	if (!quiet) {
		log_open("/dev/null");
		quiet = true;
	}
	if (xsd_init(&x) < 0)
		return 0;
	/* Small quotas so that they are reached. */
	x.quota.val[Q_NODES] = 40;
	x.quota.val[Q_WATCHES] = 8;
	x.quota.val[Q_TRANSACTIONS] = 4;
	x.quota.val[Q_TRANS_NODES] = 32;
	x.limits.priv_out_max = 1u << 16;
	for (unsigned i = 0; i < NCLIENTS; i++)
		open_client(&x, &cl[i], i);

	while (off + 3 <= size) {
		unsigned who = data[off] % NCLIENTS, action = data[off] / NCLIENTS;
		size_t len = (size_t)data[off + 1] | (size_t)data[off + 2] << 8;

		off += 3;
		if (len > size - off)
			len = size - off;
		if (action == 63) {
			cl[who].closed = true;
		} else if (cl[who].c) {
			buf_append(&cl[who].in, data + off, len);
			off += len;
		}
		if (cl[who].c)
			conn_mark_ready(cl[who].c);
		xsd_run_pending(&x);
		if (!cl[who].c) {
			close_client(&cl[who]);
			open_client(&x, &cl[who], who);
		}
	}
	for (int i = 0; i < 4; i++)
		xsd_run_pending(&x);
	check(&x, &cl[0]);
	for (unsigned i = 0; i < NCLIENTS; i++)
		close_client(&cl[i]);
	xsd_fini(&x);
	return 0;
}
