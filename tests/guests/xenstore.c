/*
 * Xenstore through the guest's own ring (start_info's store_mfn and
 * store_evtchn), as a PV kernel's xenbus uses it: reads and writes relative
 * to the domain's home, a directory, a watch and its events, a transaction,
 * Xen's error replies, and a message larger than the ring.
 */
#include <xen/io/xs_wire.h>

#include "events.h"
#include "guest.h"
#include "hypercall.h"
#include "xs.h"

const char test_title[] = "xenstore over the guest's ring";

static uint32_t next_req = 1;

/* Watch events seen while waiting for replies: "path\0token\0" each. */
static char events[4096];
static size_t events_len;

struct reply {
	uint32_t type, len;
	char p[XENSTORE_PAYLOAD_MAX + 1];
};

/* The next message from the store, watch events included. */
static bool get_msg(struct xsd_sockmsg *hdr, struct reply *r)
{
	if (!xs_ring_get(hdr, sizeof(*hdr)) || hdr->len > XENSTORE_PAYLOAD_MAX)
		return false;
	if (!xs_ring_get(r->p, hdr->len))
		return false;
	r->p[hdr->len] = 0;
	r->type = hdr->type;
	r->len = hdr->len;
	return true;
}

static bool request(uint32_t type, uint32_t tx, const void *a, size_t alen, const void *b,
		    size_t blen, struct reply *r)
{
	struct xsd_sockmsg hdr = {.type = type, .req_id = next_req++, .tx_id = tx,
				  .len = (uint32_t)(alen + blen)};
	struct xsd_sockmsg in;

	if (!xs_ring_put(&hdr, sizeof(hdr)) || !xs_ring_put(a, alen) || !xs_ring_put(b, blen))
		return false;
	while (get_msg(&in, r)) {
		if (in.type != XS_WATCH_EVENT)
			return in.req_id == hdr.req_id && in.tx_id == tx;
		if (events_len + in.len <= sizeof(events)) {
			memcpy(events + events_len, r->p, in.len);
			events_len += in.len;
		}
	}
	return false;
}

/* One or two string arguments, each with its nul. */
static bool req_str(uint32_t type, uint32_t tx, const char *a, const char *b, struct reply *r)
{
	return request(type, tx, a, strlen(a) + 1, b, b ? strlen(b) + 1 : 0, r);
}

static bool is_ok(const struct reply *r)
{
	return r->type != XS_ERROR && r->len == 3 && strcmp(r->p, "OK") == 0;
}

static bool tx_write(uint32_t tx, const char *path, const char *val)
{
	static struct reply r;

	return request(XS_WRITE, tx, path, strlen(path) + 1, val, strlen(val), &r) && is_ok(&r);
}

/* Waits for the watch event (path, token); true if it came. */
static bool event_seen(const char *path, const char *token)
{
	for (;;) {
		for (size_t off = 0; off < events_len;) {
			const char *p = events + off, *t = p + strlen(p) + 1;
			size_t end = (size_t)(t - events) + strlen(t) + 1;

			if (strcmp(p, path) == 0 && strcmp(t, token) == 0) {
				memcpy(events + off, events + end, events_len - end);
				events_len -= end - off;
				return true;
			}
			off = end;
		}
		/* the next message waits for data (false after five seconds) */
		static struct reply r;
		struct xsd_sockmsg in;

		if (!get_msg(&in, &r) || in.type != XS_WATCH_EVENT ||
		    events_len + in.len > sizeof(events))
			return false;
		memcpy(events + events_len, r.p, in.len);
		events_len += in.len;
	}
}

static void test_ring(void)
{
	check(start_info->store_mfn != 0, "start_info names the store ring (mfn %lx)",
	      (unsigned long)start_info->store_mfn);
	check(start_info->store_evtchn != 0, "and its event channel (%u)",
	      start_info->store_evtchn);
	check(xs_init(), "map the store ring");
	struct xenstore_domain_interface *intf = xs_ring();
	if (!intf)
		return;
	check(intf->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION,
	      "the store offers ring reconnection (features %x)", intf->server_features);
	check_eq(intf->connection, XENSTORE_CONNECTED, "the ring is connected");
}

static void test_read_write(void)
{
	static struct reply r;
	char home[32], domid[8], abs_path[64];
	bool ok;

	snprintf(domid, sizeof(domid), "%u", own_domid());
	snprintf(home, sizeof(home), "/local/domain/%s", domid);
	ok = req_str(XS_GET_DOMAIN_PATH, 0, domid, NULL, &r);
	check(ok && r.type == XS_GET_DOMAIN_PATH && strcmp(r.p, home) == 0,
	      "GET_DOMAIN_PATH %s: %s", domid, r.p);
	ok = req_str(XS_READ, 0, "name", NULL, &r);
	check(ok && r.type == XS_READ && r.len > 0, "read our name relative to home: \"%s\"", r.p);
	check(tx_write(0, "data/greeting", "hello"), "write data/greeting");
	ok = req_str(XS_READ, 0, "data/greeting", NULL, &r);
	check(ok && strcmp(r.p, "hello") == 0, "read it back: \"%s\"", r.p);
	snprintf(abs_path, sizeof(abs_path), "%s/data/greeting", home);
	ok = req_str(XS_READ, 0, abs_path, NULL, &r);
	check(ok && strcmp(r.p, "hello") == 0, "and by its absolute path: \"%s\"", r.p);
	check(tx_write(0, "data/second", "2"), "write data/second");
	ok = req_str(XS_DIRECTORY, 0, "data", NULL, &r);
	check(ok && r.type == XS_DIRECTORY && r.len == sizeof("greeting\0second") &&
		      memcmp(r.p, "greeting\0second", r.len) == 0,
	      "DIRECTORY data lists both (%u bytes)", r.len);
	ok = req_str(XS_RM, 0, "data/second", NULL, &r);
	check(ok && is_ok(&r), "RM data/second");
}

/* A request expected to fail with Xen's error name want. */
static void check_error(uint32_t type, const char *a, const char *b, const char *want,
			const char *what)
{
	static struct reply r;
	bool ok = req_str(type, 0, a, b, &r);

	check(ok && r.type == XS_ERROR && strcmp(r.p, want) == 0, "%s: %s (got %s)", what, want,
	      r.p);
}

static void test_errors(void)
{
	check_error(XS_READ, "data/none", NULL, "ENOENT", "reading a missing node");
	check_error(XS_WRITE, "/xeno-guest-test", NULL, "EACCES", "writing under dom0's root");
	check_error(XS_READ, "bad path", NULL, "EINVAL", "an invalid path");
	check_error(XS_RELEASE, "0", NULL, "EACCES", "RELEASE is for dom0 only");
}

static void test_watch(void)
{
	static struct reply r;
	bool ok;

	ok = req_str(XS_WATCH, 0, "data/watched", "tok", &r);
	check(ok && is_ok(&r), "WATCH data/watched");
	check(event_seen("data/watched", "tok"), "the watch fires once at once");
	check(tx_write(0, "data/watched/x", "1"), "write below the watch");
	check(event_seen("data/watched/x", "tok"), "its event arrives, path relative");
	ok = req_str(XS_UNWATCH, 0, "data/watched", "tok", &r);
	check(ok && is_ok(&r), "UNWATCH");
}

static void test_transaction(void)
{
	static struct reply r;
	uint32_t tx = 0;
	bool ok;

	ok = request(XS_TRANSACTION_START, 0, "", 1, NULL, 0, &r);
	check(ok && r.type == XS_TRANSACTION_START, "TRANSACTION_START");
	for (const char *s = r.p; *s >= '0' && *s <= '9'; s++)
		tx = tx * 10 + (uint32_t)(*s - '0');
	check(tx != 0, "a transaction id (%u)", tx);
	check(tx_write(tx, "data/tx", "inside"), "write inside the transaction");
	ok = req_str(XS_READ, 0, "data/tx", NULL, &r);
	check(ok && r.type == XS_ERROR, "not visible outside before commit (%s)", r.p);
	ok = req_str(XS_TRANSACTION_END, tx, "T", NULL, &r);
	check(ok && is_ok(&r), "commit");
	ok = req_str(XS_READ, 0, "data/tx", NULL, &r);
	check(ok && strcmp(r.p, "inside") == 0, "visible after commit: \"%s\"", r.p);
}

static void test_large_message(void)
{
	static char big[2001];
	static struct reply r;

	bool ok;

	memset(big, 'b', sizeof(big) - 1);
	check(tx_write(0, "data/big", big), "write 2000 bytes: a message larger than the ring");
	ok = req_str(XS_READ, 0, "data/big", NULL, &r);
	check(ok && r.len == 2000 && memcmp(r.p, big, 2000) == 0, "read them back (%u bytes)",
	      r.len);
}

void guest_main(void)
{
	test_ring();
	if (!xs_ring())
		return;
	test_read_write();
	test_errors();
	test_watch();
	test_transaction();
	test_large_message();
}
