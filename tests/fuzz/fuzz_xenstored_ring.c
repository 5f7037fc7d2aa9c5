/*
 * Fuzzes a guest's ring as the guest: the input scribbles over the shared
 * page (data, producer and consumer indices, the connection flag) between
 * notifications, while dom0 makes changes the guest watches. The store must
 * never read or write outside the page's queues, and stay consistent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../xenstored/buf.h"
#include "../../xenstored/conn.h"
#include "../../xenstored/domain.h"
#include "../../xenstored/log.h"
#include "../../xenstored/ring.h"
#include "../../xenstored/xsd.h"

/* dom0's connection: requests in, the last reply kept. */
struct dom0 {
	struct conn *c;
	struct buf in, out;
};

static ssize_t dom0_recv(struct conn *c, void *buf, size_t len)
{
	struct dom0 *d = c->transport;
	size_t n = d->in.len < len ? d->in.len : len;

	memcpy(buf, d->in.p, n);
	memmove(d->in.p, d->in.p + n, d->in.len - n);
	d->in.len -= n;
	return (ssize_t)n;
}

static ssize_t dom0_send(struct conn *c, const void *buf, size_t len)
{
	struct dom0 *d = c->transport;

	d->out.len = 0;
	buf_append(&d->out, buf, len);
	return (ssize_t)len;
}

static const struct conn_ops dom0_ops = {.recv = dom0_recv, .send = dom0_send};

static void dom0_request(struct xsd *x, struct dom0 *d, uint32_t type, const char *p,
			 uint32_t len)
{
	struct xsd_sockmsg hdr = {.type = type, .len = len};

	buf_append(&d->in, &hdr, sizeof(hdr));
	buf_append(&d->in, p, len);
	conn_mark_ready(d->c);
	xsd_run_pending(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ident host = {.domid = 0, .priv = true, .target = -1};
	static bool quiet;
	struct xenstore_domain_interface *page;
	struct dom0 dom0 = {0};
	struct conn *ring;
	struct domain *d;
	struct xsd x;
	size_t off = 0;

	if (!quiet) {
		log_open("/dev/null");
		quiet = true;
	}
	page = aligned_alloc(4096, 4096);
	if (!page || xsd_init(&x) < 0) {
		free(page);
		return 0;
	}
	memset(page, 0, 4096);
	dom0.c = conn_new(&x, &dom0_ops, &dom0, &host, "dom0");
	dom0_request(&x, &dom0, XS_MKDIR, "/local/domain/3", 16);
	dom0_request(&x, &dom0, XS_SET_PERMS, "/local/domain/3\0b3", 19);
	/* A domain as after a restart: the ring is taken as the page says. */
	domain_restore(&x, 3, 0, 1, -1);
	d = domain_find(&x, 3);
	ring = ring_conn_new(&x, d, page, 0, -1, -1, size > 0 && (data[0] & 1));
	d->conn = ring;
	d->restored = false;

	while (ring && off + 2 <= size) {
		uint8_t op = data[off], arg = data[off + 1];
		size_t len;

		off += 2;
		switch (op % 8) {
		case 0: /* request bytes, published */
			len = arg < size - off ? arg : size - off;
			for (size_t i = 0; i < len; i++)
				page->req[MASK_XENSTORE_IDX(page->req_prod + i)] = (char)data[off + i];
			page->req_prod += (uint32_t)len;
			off += len;
			break;
		case 1: /* a well-formed request from the input's bytes */
			len = arg < size - off ? arg : size - off;
			{
				struct xsd_sockmsg hdr = {.type = data[off - 2] >> 3,
							  .req_id = 1,
							  .len = (uint32_t)len};
				const char *h = (const char *)&hdr;

				for (size_t i = 0; i < sizeof(hdr); i++)
					page->req[MASK_XENSTORE_IDX(page->req_prod + i)] = h[i];
				for (size_t i = 0; i < len; i++)
					page->req[MASK_XENSTORE_IDX(page->req_prod + sizeof(hdr) +
								    i)] = (char)data[off + i];
				page->req_prod += (uint32_t)(sizeof(hdr) + len);
				off += len;
			}
			break;
		case 2: /* the guest consumes replies, or lies about it */
			page->rsp_cons = arg & 1 ? page->rsp_prod : page->rsp_cons + arg * 97u;
			break;
		case 3:
			page->req_prod += (uint32_t)arg << (arg & 24);
			break;
		case 4:
			page->connection = arg & 1 ? XENSTORE_RECONNECT : arg;
			break;
		case 5: /* dom0 changes what the guest may be watching */
			dom0_request(&x, &dom0, XS_WRITE,
				     arg & 1 ? "/local/domain/3/a\0v" : "/local/domain/3/b/c\0v",
				     arg & 1 ? 19 : 21);
			break;
		case 6:
			page->req_cons = arg;
			page->rsp_prod = arg * 31u;
			break;
		default:
			break;
		}
		ring_conn_event(ring);
		xsd_run_pending(&x);
	}
	dom0_request(&x, &dom0, XS_CONTROL, "check", 6);
	if (dom0.out.len < sizeof(struct xsd_sockmsg) + 2 ||
	    memcmp(dom0.out.p + sizeof(struct xsd_sockmsg), "OK", 2) != 0) {
		fprintf(stderr, "store inconsistent\n");
		abort();
	}
	xsd_fini(&x);
	free(page);
	buf_free(&dom0.in);
	buf_free(&dom0.out);
	return 0;
}
