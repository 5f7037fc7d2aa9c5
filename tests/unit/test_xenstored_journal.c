/*
 * Persistence: the store, the introduced domains and their watches survive
 * a restart of the daemon; a journal cut short loses only its unfinished
 * end; a foreign file is not trusted; the journal is compacted as it grows.
 */
#include "test_xenstored_harness.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../xenstored/domain.h"
#include "../../xenstored/persist.h"
#include "../../xenstored/ring.h"

struct env {
	char dir[64];
	struct xsd x;
	struct tconn *t;
};

static void start(struct env *e)
{
	assert_int_equal(xsd_init(&e->x), 0);
	assert_int_equal(persist_open(&e->x, e->dir), 0);
	e->t = tconn_new(&e->x, 0);
}

/* Like the daemon's exit: connections just vanish, nothing is released. */
static void stop(struct env *e)
{
	xsd_run_pending(&e->x);
	xsd_fini(&e->x);
	tconn_free(e->t);
	e->t = NULL;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	strcpy(e->dir, "/tmp/xsd-journal-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	start(e);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	if (e->t)
		stop(e);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static off_t journal_size(struct env *e)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/journal", e->dir);
	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void test_store_survives(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	struct tmsg m;
	uint32_t tx;

	assert_int_equal(t_write(&e->x, e->t, 0, "/a/b", "one"), 0);
	assert_int_equal(t_write(&e->x, e->t, 0, "/a/c", "two"), 0);
	assert_int_equal(t_write(&e->x, e->t, 0, "/gone", "x"), 0);
	assert_int_equal(t_simple(&e->x, e->t, XS_RM, 0, "/gone", NULL), 0);
	tconn_callv(&e->x, e->t, XS_SET_PERMS, 0, &m, "/a/b", "n5", "r7", NULL);
	tconn_callv(&e->x, e->t, XS_SET_PERMS, 0, &m, "@releaseDomain", "n0", "r5", NULL);
	tconn_call(&e->x, e->t, XS_WRITE, 0, "/bin\0\x01\0\x02", 8, &m);
	tx = t_txn_start(&e->x, e->t);
	assert_int_equal(t_write(&e->x, e->t, tx, "/tx/kept", "1"), 0);
	assert_int_equal(t_txn_end(&e->x, e->t, tx, true), 0);
	tx = t_txn_start(&e->x, e->t);
	assert_int_equal(t_write(&e->x, e->t, tx, "/tx/dropped", "1"), 0);
	assert_int_equal(t_txn_end(&e->x, e->t, tx, false), 0);
	stop(e);

	start(e);
	assert_int_equal(t_read(&e->x, e->t, 0, "/a/b", v), 0);
	assert_string_equal(v, "one");
	assert_int_equal(t_read(&e->x, e->t, 0, "/a/c", v), 0);
	assert_string_equal(v, "two");
	assert_int_equal(t_read(&e->x, e->t, 0, "/gone", v), ENOENT);
	assert_int_equal(t_read(&e->x, e->t, 0, "/tx/kept", v), 0);
	assert_int_equal(t_read(&e->x, e->t, 0, "/tx/dropped", v), ENOENT);
	tconn_callv(&e->x, e->t, XS_GET_PERMS, 0, &m, "/a/b", NULL);
	assert_int_equal(m.len, 6);
	assert_memory_equal(m.p, "n5\0r7\0", 6);
	tconn_callv(&e->x, e->t, XS_GET_PERMS, 0, &m, "@releaseDomain", NULL);
	assert_memory_equal(m.p, "n0\0r5\0", 6);
	tconn_callv(&e->x, e->t, XS_READ, 0, &m, "/bin", NULL);
	assert_int_equal(m.len, 3);
	assert_memory_equal(m.p, "\x01\0\x02", 3);
	assert_int_equal(acct_peek(&e->x.acct, 5).nodes, 1);
	tconn_callv(&e->x, e->t, XS_CONTROL, 0, &m, "check", NULL);
	assert_string_equal(m.p, "OK");
}

static void test_cut_short(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1], path[128];
	off_t size;

	assert_int_equal(t_write(&e->x, e->t, 0, "/first", "1"), 0);
	xsd_run_pending(&e->x);
	size = journal_size(e);
	assert_int_equal(t_write(&e->x, e->t, 0, "/second", "2"), 0);
	stop(e);
	/* A crash in the middle of writing the last record. */
	snprintf(path, sizeof(path), "%s/journal", e->dir);
	assert_int_equal(truncate(path, size + 5), 0);
	start(e);
	assert_int_equal(t_read(&e->x, e->t, 0, "/first", v), 0);
	assert_int_equal(t_read(&e->x, e->t, 0, "/second", v), ENOENT);
	/* Life goes on, and the next restart keeps what follows. */
	assert_int_equal(t_write(&e->x, e->t, 0, "/third", "3"), 0);
	stop(e);
	start(e);
	assert_int_equal(t_read(&e->x, e->t, 0, "/third", v), 0);
}

static void test_foreign_file(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1], path[128];
	int fd;

	assert_int_equal(t_write(&e->x, e->t, 0, "/x", "1"), 0);
	stop(e);
	snprintf(path, sizeof(path), "%s/journal", e->dir);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a journal at all, just text\n", 32), 32);
	close(fd);
	start(e);
	assert_int_equal(t_read(&e->x, e->t, 0, "/x", v), ENOENT);
	assert_int_equal(t_write(&e->x, e->t, 0, "/y", "1"), 0);
}

static void test_compaction(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1], val[1000];

	memset(val, 'c', sizeof(val) - 1);
	val[sizeof(val) - 1] = 0;
	/* Rewriting one node over and over: the file must not keep every version. */
	for (int i = 0; i < 5000; i++) {
		val[0] = (char)('a' + i % 26);
		assert_int_equal(t_write(&e->x, e->t, 0, "/hot", val), 0);
	}
	xsd_run_pending(&e->x);
	assert_true(journal_size(e) < 2 * 1024 * 1024);
	stop(e);
	start(e);
	assert_int_equal(t_read(&e->x, e->t, 0, "/hot", v), 0);
	assert_string_equal(v, val);
}

struct guest {
	int memfd, to_store, to_guest;
	struct xenstore_domain_interface *intf;
};

static void introduce(struct env *e, struct guest *g)
{
	int fds[3] = {dup(g->memfd), dup(g->to_store), dup(g->to_guest)};
	struct tmsg m;

	tconn_send(e->t, XS_INTRODUCE, 0, "4\0" "2\0" "1", 6);
	conn_take_fds(e->t->c, fds, 3, e->t->in.len - 1);
	xsd_run_pending(&e->x);
	assert_true(tconn_next(e->t, &m));
	assert_string_equal(m.p, "OK");
}

static void guest_watch(struct env *e, struct guest *g)
{
	struct xsd_sockmsg hdr = {.type = XS_WATCH, .req_id = 1, .len = 11};
	char msg[sizeof(hdr) + 11];

	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), "/watched\0t", 11);
	memcpy(g->intf->req, msg, sizeof(msg));
	g->intf->req_prod += sizeof(msg);
	ring_conn_event(domain_find(&e->x, 4)->conn);
	xsd_run_pending(&e->x);
	/* Take the reply and the first event. */
	g->intf->rsp_cons = g->intf->rsp_prod;
}

static void test_domains_and_watches_survive(void **state)
{
	struct env *e = *state;
	struct guest g;
	struct tmsg m;
	char *ram;

	g.memfd = memfd_create("ram", MFD_CLOEXEC);
	assert_int_equal(ftruncate(g.memfd, 4 * 4096), 0);
	ram = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, g.memfd, 0);
	g.intf = (void *)(ram + 2 * 4096);
	g.to_store = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g.to_guest = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	assert_int_equal(t_write(&e->x, e->t, 0, "/watched", "1"), 0);
	tconn_callv(&e->x, e->t, XS_SET_PERMS, 0, &m, "/watched", "r0", NULL);
	assert_int_equal(t_write(&e->x, e->t, 0, "/owned-by-4", "1"), 0);
	tconn_callv(&e->x, e->t, XS_SET_PERMS, 0, &m, "/owned-by-4", "n4", NULL);
	introduce(e, &g);
	guest_watch(e, &g);
	assert_int_equal(e->x.watches.count, 1);
	stop(e); /* a restart: not a release */

	start(e);
	tconn_callv(&e->x, e->t, XS_IS_DOMAIN_INTRODUCED, 0, &m, "4", NULL);
	assert_string_equal(m.p, "F");
	introduce(e, &g); /* its monitor comes back */
	tconn_callv(&e->x, e->t, XS_IS_DOMAIN_INTRODUCED, 0, &m, "4", NULL);
	assert_string_equal(m.p, "T");
	assert_int_equal(e->x.watches.count, 1);
	{
		uint32_t before = g.intf->rsp_prod;

		assert_int_equal(t_write(&e->x, e->t, 0, "/watched", "2"), 0);
		xsd_run_pending(&e->x);
		assert_true(g.intf->rsp_prod != before);
	}
	stop(e);

	/* This time the monitor does not come back in time. */
	e->x.reattach_timeout_s = 0;
	assert_int_equal(xsd_init(&e->x), 0);
	e->x.reattach_timeout_s = 0;
	assert_int_equal(persist_open(&e->x, e->dir), 0);
	e->t = tconn_new(&e->x, 0);
	assert_non_null(domain_find(&e->x, 4));
	xsd_run_pending(&e->x);
	assert_null(domain_find(&e->x, 4));
	tconn_callv(&e->x, e->t, XS_READ, 0, &m, "/owned-by-4", NULL);
	assert_string_equal(m.p, "ENOENT");

	munmap(ram, 4 * 4096);
	close(g.memfd);
	close(g.to_store);
	close(g.to_guest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_survives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domains_and_watches_survive, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
