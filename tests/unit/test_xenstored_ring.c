/*
 * A guest's ring, end to end in one process: the test introduces a domain
 * the way a monitor does (memfd of "guest RAM" and two eventfds passed with
 * XS_INTRODUCE) and then plays the guest on the shared page, with Xen's ring
 * semantics: wrap-around, messages larger than the ring, reconnection, and
 * a guest that corrupts its indices or lies about lengths.
 */
#include "test_xenstored_harness.h"

#include <fcntl.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../xenstored/domain.h"
#include "../../xenstored/ring.h"

#define RAM_PAGES 16
#define RING_MFN 5

struct guest {
	int memfd, to_store, to_guest;
	char *ram;
	struct xenstore_domain_interface *intf;
	unsigned domid;
	uint32_t next_req;
	struct buf events;
};

struct env {
	struct xsd x;
	struct tconn *dom0, *monitor;
	struct guest g;
};

static void guest_make(struct guest *g, unsigned domid)
{
	memset(g, 0, sizeof(*g));
	g->domid = domid;
	g->memfd = memfd_create("guest-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(g->memfd >= 0);
	assert_int_equal(ftruncate(g->memfd, RAM_PAGES * 4096), 0);
	/* What a monitor should do: guest RAM never shrinks under the store's mapping. */
	assert_int_equal(fcntl(g->memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	g->ram = mmap(NULL, RAM_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, g->memfd, 0);
	assert_true(g->ram != MAP_FAILED);
	g->intf = (void *)(g->ram + RING_MFN * 4096);
	g->to_store = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->to_guest = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->next_req = 1;
}

static void guest_free(struct guest *g)
{
	munmap(g->ram, RAM_PAGES * 4096);
	close(g->memfd);
	close(g->to_store);
	close(g->to_guest);
	buf_free(&g->events);
}

/* Sends INTRODUCE with the three descriptors, as xs_client_introduce() does. */
static int introduce(struct env *e, struct tconn *t, struct guest *g, uint64_t mfn, int fd0,
		     int fd1, int fd2)
{
	char payload[64];
	int len = snprintf(payload, sizeof(payload), "%u%c%llu%c1", g->domid, 0,
			   (unsigned long long)mfn, 0);
	int fds[3] = {dup(fd0), dup(fd1), dup(fd2)};
	uint32_t id;
	struct tmsg m;

	id = tconn_send(t, XS_INTRODUCE, 0, payload, (size_t)len + 1);
	conn_take_fds(t->c, fds, 3, t->in.len - 1);
	xsd_run_pending(&e->x);
	assert_true(tconn_next(t, &m));
	assert_int_equal(m.req_id, id);
	return tmsg_err(&m);
}

static struct conn *ring_of(struct env *e, unsigned domid)
{
	struct domain *d = domain_find(&e->x, domid);

	assert_non_null(d);
	assert_non_null(d->conn);
	return d->conn;
}

/* The guest notifies the store's event channel; the daemon runs. */
static void kick(struct env *e, struct guest *g)
{
	uint64_t one = 1;

	assert_int_equal(write(g->to_store, &one, 8), 8);
	ring_conn_event(ring_of(e, g->domid));
	xsd_run_pending(&e->x);
}

static uint32_t ld(volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Writes as much of data as fits in the request ring. */
static size_t guest_put(struct guest *g, const char *data, size_t len)
{
	struct xenstore_domain_interface *in = g->intf;
	uint32_t prod = in->req_prod, cons = ld(&in->req_cons);
	size_t n = 0;

	while (n < len && prod - cons < XENSTORE_RING_SIZE) {
		in->req[MASK_XENSTORE_IDX(prod)] = data[n++];
		prod++;
	}
	__atomic_store_n(&in->req_prod, prod, __ATOMIC_RELEASE);
	return n;
}

/* Reads what the response ring holds into out. */
static void guest_take(struct guest *g, struct buf *out)
{
	struct xenstore_domain_interface *in = g->intf;
	uint32_t cons = in->rsp_cons, prod = ld(&in->rsp_prod);

	assert_true(prod - cons <= XENSTORE_RING_SIZE);
	while (cons != prod) {
		buf_append(out, &in->rsp[MASK_XENSTORE_IDX(cons)], 1);
		cons++;
	}
	__atomic_store_n(&in->rsp_cons, cons, __ATOMIC_RELEASE);
}

/* One request through the ring; returns the reply (events are kept in g->events). */
static void guest_call(struct env *e, struct guest *g, uint32_t type, const void *p, size_t len,
		       struct tmsg *reply)
{
	struct xsd_sockmsg hdr = {.type = type, .req_id = g->next_req++, .len = (uint32_t)len};
	struct buf msg = {0}, in = {0};
	size_t sent = 0, off = 0;

	buf_append(&msg, &hdr, sizeof(hdr));
	buf_append(&msg, p, len);
	for (int rounds = 0; rounds < 1000; rounds++) {
		sent += guest_put(g, msg.p + sent, msg.len - sent);
		kick(e, g);
		guest_take(g, &in);
		kick(e, g);
		guest_take(g, &in);
		while (in.len - off >= sizeof(hdr)) {
			struct xsd_sockmsg r;

			memcpy(&r, in.p + off, sizeof(r));
			if (in.len - off < sizeof(r) + r.len)
				break;
			if (r.type == XS_WATCH_EVENT) {
				buf_append(&g->events, in.p + off + sizeof(r), r.len);
				off += sizeof(r) + r.len;
				continue;
			}
			assert_int_equal(r.req_id, hdr.req_id);
			reply->type = r.type;
			reply->len = r.len;
			memcpy(reply->p, in.p + off + sizeof(r), r.len);
			reply->p[r.len] = 0;
			buf_free(&msg);
			buf_free(&in);
			return;
		}
	}
	fail_msg("no reply through the ring");
}

static int guest_write(struct env *e, struct guest *g, const char *path, const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(val);
	struct tmsg m;

	memcpy(buf, path, pl);
	memcpy(buf + pl, val, vl);
	guest_call(e, g, XS_WRITE, buf, pl + vl, &m);
	return tmsg_err(&m);
}

static unsigned guest_events(struct guest *g, const char *path, const char *token)
{
	unsigned n = 0;

	for (size_t off = 0; off < g->events.len;) {
		const char *p = g->events.p + off, *t = p + strlen(p) + 1;

		n += strcmp(p, path) == 0 && strcmp(t, token) == 0;
		off = (size_t)(t - g->events.p) + strlen(t) + 1;
	}
	g->events.len = 0;
	return n;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct tmsg m;

	assert_int_equal(xsd_init(&e->x), 0);
	e->dom0 = tconn_new(&e->x, 0);
	e->monitor = tconn_new(&e->x, 0);
	guest_make(&e->g, 3);
	assert_int_equal(t_simple(&e->x, e->dom0, XS_MKDIR, 0, "/local/domain/3", NULL), 0);
	tconn_callv(&e->x, e->dom0, XS_SET_PERMS, 0, &m, "/local/domain/3", "n3", "r0", NULL);
	assert_int_equal(tmsg_err(&m), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	tconn_free(e->dom0);
	if (e->monitor)
		tconn_free(e->monitor);
	xsd_fini(&e->x);
	guest_free(&e->g);
	free(e);
	return 0;
}

static void test_introduce_and_talk(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	struct tmsg m;

	assert_int_equal(t_simple(&e->x, e->dom0, XS_WATCH, 0, "@introduceDomain", "in"), 0);
	tconn_drain(e->dom0);
	e->g.intf->req_prod = 1234; /* garbage from before: the store resets the ring */
	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	xsd_run_pending(&e->x);
	assert_int_equal(tconn_events(e->dom0, "@introduceDomain", "in"), 1);
	assert_int_equal(e->g.intf->server_features, XSD_RING_FEATURES);
	assert_int_equal(e->g.intf->req_prod, 0);
	tconn_callv(&e->x, e->dom0, XS_IS_DOMAIN_INTRODUCED, 0, &m, "3", NULL);
	assert_string_equal(m.p, "T");

	/* The guest writes, reads and watches relative to its home. */
	assert_int_equal(guest_write(e, &e->g, "data/hello", "world"), 0);
	assert_int_equal(t_read(&e->x, e->dom0, 0, "/local/domain/3/data/hello", v), 0);
	assert_string_equal(v, "world");
	guest_call(e, &e->g, XS_READ, "data/hello", 11, &m);
	assert_int_equal(m.type, XS_READ);
	assert_string_equal(m.p, "world");
	guest_call(e, &e->g, XS_READ, "/local/domain/0", 16, &m);
	assert_string_equal(m.p, "EACCES");
	guest_call(e, &e->g, XS_WATCH, "control\0tok", 12, &m);
	assert_string_equal(m.p, "OK");
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/local/domain/3/control/shutdown", "poweroff"),
			 0);
	guest_call(e, &e->g, XS_GET_DOMAIN_PATH, "3", 2, &m);
	assert_string_equal(m.p, "/local/domain/3");
	assert_int_equal(guest_events(&e->g, "control/shutdown", "tok"), 1);
	/* The store signals the guest's event channel. */
	{
		uint64_t count = 0;

		assert_int_equal(read(e->g.to_guest, &count, 8), 8);
		assert_true(count > 0);
	}
}

/* Linux's xb_write: each piece is published on its own, and the store is
 * notified only if it had consumed everything published before. */
static void linux_publish(struct env *e, struct guest *g, const void *data, size_t len)
{
	uint32_t prod = g->intf->req_prod;

	assert_int_equal(guest_put(g, data, len), len);
	if (prod - ld(&g->intf->req_cons) == 0)
		kick(e, g);
}

static void test_header_then_body_as_linux_writes(void **state)
{
	struct env *e = *state;
	struct xsd_sockmsg hdr = {.type = XS_WRITE, .req_id = 77, .len = 4};
	struct buf in = {0};
	struct xsd_sockmsg r;

	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	/* The store runs after the header alone: it must not leave it there, or
	 * the body's publication (prod > cons) would never be announced. */
	linux_publish(e, &e->g, &hdr, sizeof(hdr));
	linux_publish(e, &e->g, "k\0v1", 4);
	guest_take(&e->g, &in);
	assert_true(in.len >= sizeof(r));
	memcpy(&r, in.p, sizeof(r));
	assert_int_equal(r.req_id, 77);
	assert_int_equal(r.type, XS_WRITE);
	buf_free(&in);
}

/*
 * The store-buffering race seen from Linux's side: it publishes a request
 * while the store is still reading the previous one, reads a stale req_cons
 * (it has no full barrier there) and so does not notify, while the store's
 * last look at req_prod came just before the publication. The store must
 * find the request on its own shortly after.
 */
static void test_unannounced_request_after_activity(void **state)
{
	struct env *e = *state;
	struct xsd_sockmsg hdr = {.type = XS_READ, .req_id = 91, .len = 2};
	struct buf in = {0};
	struct xsd_sockmsg r;
	struct timespec pause = {.tv_nsec = 5 * 1000 * 1000};

	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	assert_int_equal(guest_write(e, &e->g, "k", "v1"), 0);
	guest_take(&e->g, &in);
	buf_free(&in);
	/* published, never notified */
	assert_int_equal(guest_put(&e->g, (const char *)&hdr, sizeof(hdr)), sizeof(hdr));
	assert_int_equal(guest_put(&e->g, "k", 2), 2);
	nanosleep(&pause, NULL);
	xsd_run_pending(&e->x);
	guest_take(&e->g, &in);
	assert_true(in.len >= sizeof(r));
	memcpy(&r, in.p, sizeof(r));
	assert_int_equal(r.req_id, 91);
	assert_int_equal(r.type, XS_READ);
	assert_int_equal(r.len, 2);
	assert_memory_equal(in.p + sizeof(r), "v1", 2);
	buf_free(&in);
}

static void test_messages_larger_than_ring(void **state)
{
	struct env *e = *state;
	char val[4000], path[] = "big";
	struct tmsg m;

	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	e->x.quota.val[Q_NODE_SIZE] = 0;
	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 1] = 0;
	assert_int_equal(guest_write(e, &e->g, path, val), 0);
	guest_call(e, &e->g, XS_READ, path, sizeof(path), &m);
	assert_int_equal(m.len, sizeof(val) - 1);
	assert_memory_equal(m.p, val, sizeof(val) - 1);
}

static void test_wraparound_after_restart(void **state)
{
	struct env *e = *state;
	const uint32_t start = 0xffffff00u;
	char v[16];
	struct tmsg m;

	/* A domain known from the journal is taken up where its ring stands. */
	assert_int_equal(domain_restore(&e->x, 3, RING_MFN, 1, -1), 0);
	e->g.intf->req_cons = e->g.intf->req_prod = start;
	e->g.intf->rsp_cons = e->g.intf->rsp_prod = start;
	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	assert_int_equal(e->g.intf->req_prod, start);
	for (int i = 0; i < 200; i++) {
		snprintf(v, sizeof(v), "%d", i);
		assert_int_equal(guest_write(e, &e->g, "wrap", v), 0);
		guest_call(e, &e->g, XS_READ, "wrap", 5, &m);
		assert_string_equal(m.p, v);
	}
	/* The indices went through 2^32. */
	assert_true(e->g.intf->req_prod < start);
}

static void test_reconnect(void **state)
{
	struct env *e = *state;
	struct tmsg m;

	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	guest_call(e, &e->g, XS_WATCH, "w\0t", 4, &m);
	assert_int_equal(e->x.watches.count, 1);
	e->g.intf->req_prod += 7; /* half a message the guest gives up on */
	e->g.intf->connection = XENSTORE_RECONNECT;
	kick(e, &e->g);
	assert_int_equal(e->g.intf->connection, XENSTORE_CONNECTED);
	assert_int_equal(e->g.intf->req_prod, 0);
	assert_int_equal(e->g.intf->rsp_prod, 0);
	assert_int_equal(e->x.watches.count, 0);
	e->g.events.len = 0;
	assert_int_equal(guest_write(e, &e->g, "after", "reconnect"), 0);
}

static void test_corrupt_indices(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	struct tmsg m;

	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	e->g.intf->req_prod = e->g.intf->req_cons + 5000;
	kick(e, &e->g);
	assert_int_equal(e->g.intf->error, XENSTORE_ERROR_RINGIDX);
	assert_true(ring_of(e, 3)->stalled);
	/* Still introduced; everyone else is served. */
	tconn_callv(&e->x, e->dom0, XS_IS_DOMAIN_INTRODUCED, 0, &m, "3", NULL);
	assert_string_equal(m.p, "T");
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/ok", "1"), 0);
	assert_int_equal(t_read(&e->x, e->dom0, 0, "/ok", v), 0);
	/* A reconnect brings the ring back. */
	e->g.intf->connection = XENSTORE_RECONNECT;
	kick(e, &e->g);
	assert_int_equal(e->g.intf->error, XENSTORE_ERROR_NONE);
	assert_int_equal(guest_write(e, &e->g, "back", "1"), 0);
}

static void test_oversized_length(void **state)
{
	struct env *e = *state;
	struct xsd_sockmsg hdr = {.type = XS_READ, .req_id = 9, .len = 100000};

	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	guest_put(&e->g, (const char *)&hdr, sizeof(hdr));
	kick(e, &e->g);
	assert_int_equal(e->g.intf->error, XENSTORE_ERROR_PROTO);
}

static void test_guest_not_reading(void **state)
{
	struct env *e = *state;
	struct xsd_sockmsg hdr = {.type = XS_GET_DOMAIN_PATH, .len = 2};
	char v[XENSTORE_PAYLOAD_MAX + 1];
	struct buf reqs = {0}, in = {0};
	size_t sent = 0;

	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	for (int i = 0; i < 200; i++) {
		hdr.req_id = (uint32_t)i;
		buf_append(&reqs, &hdr, sizeof(hdr));
		buf_append(&reqs, "3", 2);
	}
	/* Requests keep coming, replies are never taken: the response ring fills
	 * and the store stops taking requests, without holding up anyone else. */
	for (int i = 0; i < 50; i++) {
		sent += guest_put(&e->g, reqs.p + sent, reqs.len - sent);
		kick(e, &e->g);
	}
	assert_true(sent < reqs.len);
	assert_int_equal(e->g.intf->rsp_prod - e->g.intf->rsp_cons, XENSTORE_RING_SIZE);
	assert_true(ring_of(e, 3)->nreplies <= e->x.quota.val[Q_OUTSTANDING]);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/still", "served"), 0);
	assert_int_equal(t_read(&e->x, e->dom0, 0, "/still", v), 0);
	/* Once the guest reads, everything arrives, in order. */
	for (int i = 0; i < 1000 && in.len < 200 * (sizeof(hdr) + 16); i++) {
		sent += guest_put(&e->g, reqs.p + sent, reqs.len - sent);
		guest_take(&e->g, &in);
		kick(e, &e->g);
	}
	assert_int_equal(in.len, 200 * (sizeof(hdr) + 16));
	for (int i = 0; i < 200; i++) {
		struct xsd_sockmsg r;

		memcpy(&r, in.p + (size_t)i * (sizeof(r) + 16), sizeof(r));
		assert_int_equal(r.req_id, (uint32_t)i);
		assert_int_equal(r.len, 16);
	}
	buf_free(&reqs);
	buf_free(&in);
}

static void test_release_removes_domain_nodes(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	struct tmsg m;

	assert_int_equal(t_simple(&e->x, e->dom0, XS_MKDIR, 0, "/shared", NULL), 0);
	tconn_callv(&e->x, e->dom0, XS_SET_PERMS, 0, &m, "/shared", "n0", "b3", NULL);
	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	assert_int_equal(guest_write(e, &e->g, "/shared/by3", "x"), 0);
	assert_int_equal(guest_write(e, &e->g, "home-node", "x"), 0);
	assert_int_equal(t_simple(&e->x, e->dom0, XS_WATCH, 0, "@releaseDomain", "rel"), 0);
	assert_int_equal(t_simple(&e->x, e->dom0, XS_WATCH, 0, "/shared", "sh"), 0);
	tconn_drain(e->dom0);

	assert_int_equal(t_simple(&e->x, e->dom0, XS_RELEASE, 0, "3", NULL), 0);
	xsd_run_pending(&e->x);
	assert_int_equal(tconn_events(e->dom0, "@releaseDomain", "rel"), 1);
	assert_int_equal(tconn_events(e->dom0, "/shared/by3", "sh"), 1);
	assert_int_equal(t_read(&e->x, e->dom0, 0, "/shared/by3", v), ENOENT);
	assert_int_equal(t_read(&e->x, e->dom0, 0, "/local/domain/3", v), ENOENT);
	tconn_callv(&e->x, e->dom0, XS_GET_PERMS, 0, &m, "/shared", NULL);
	assert_memory_equal(m.p, "n0\0", 3);
	assert_int_equal(m.len, 3);
	tconn_callv(&e->x, e->dom0, XS_IS_DOMAIN_INTRODUCED, 0, &m, "3", NULL);
	assert_string_equal(m.p, "F");
	assert_int_equal(acct_peek(&e->x.acct, 3).nodes, 0);
	tconn_callv(&e->x, e->dom0, XS_CONTROL, 0, &m, "check", NULL);
	assert_string_equal(m.p, "OK");
}

static void test_monitor_exit_releases(void **state)
{
	struct env *e = *state;
	struct tmsg m;

	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	/* The monitor's connection goes (its process died). */
	e->monitor->closed = true;
	conn_mark_ready(e->monitor->c);
	xsd_run_pending(&e->x);
	assert_null(e->monitor->c);
	tconn_callv(&e->x, e->dom0, XS_IS_DOMAIN_INTRODUCED, 0, &m, "3", NULL);
	assert_string_equal(m.p, "F");
}

static void test_introduce_refusals(void **state)
{
	struct env *e = *state;
	struct guest g0;
	int notevt = dup(e->g.memfd);

	assert_int_equal(introduce(e, e->monitor, &e->g, RAM_PAGES, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 EINVAL);
	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, notevt,
				   e->g.to_guest),
			 EINVAL);
	guest_make(&g0, 0);
	assert_int_equal(introduce(e, e->monitor, &g0, RING_MFN, g0.memfd, g0.to_store,
				   g0.to_guest),
			 EINVAL);
	guest_free(&g0);
	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 0);
	assert_int_equal(introduce(e, e->monitor, &e->g, RING_MFN, e->g.memfd, e->g.to_store,
				   e->g.to_guest),
			 EEXIST);
	close(notevt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_introduce_and_talk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_then_body_as_linux_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unannounced_request_after_activity, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_messages_larger_than_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound_after_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_indices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_not_reading, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_removes_domain_nodes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_monitor_exit_releases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_introduce_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
