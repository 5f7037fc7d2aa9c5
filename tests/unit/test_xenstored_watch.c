/*
 * Watches: the first event at once, events for the path and below, relative
 * paths kept relative, removal seen by watchers of removed nodes, identical
 * pending events merged, permissions respected, and a watcher that does not
 * read its events cannot hold up anyone else.
 */
#include "test_xenstored_harness.h"

struct env {
	struct xsd x;
	struct tconn *dom0, *w, *d5;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_int_equal(xsd_init(&e->x), 0);
	e->dom0 = tconn_new(&e->x, 0);
	e->w = tconn_new(&e->x, 0);
	e->d5 = tconn_new(&e->x, 5);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	if (e->w)
		tconn_free(e->w);
	tconn_free(e->dom0);
	tconn_free(e->d5);
	xsd_fini(&e->x);
	free(e);
	return 0;
}

static void settle(struct env *e)
{
	xsd_run_pending(&e->x);
}

static void test_initial_and_subtree(void **state)
{
	struct env *e = *state;

	assert_int_equal(t_simple(&e->x, e->w, XS_WATCH, 0, "/a/b", "T"), 0);
	assert_int_equal(tconn_events(e->w, "/a/b", "T"), 1);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/a/b/c", "1"), 0);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/a/x", "1"), 0);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/a/bc", "1"), 0);
	settle(e);
	assert_int_equal(tconn_events(e->w, "/a/b/c", "T"), 1);
	assert_int_equal(tconn_events(e->w, "/a/x", "T"), 0);
	assert_int_equal(tconn_events(e->w, "/a/bc", "T"), 0);
	/* A watch on "/" sees everything. */
	assert_int_equal(t_simple(&e->x, e->w, XS_WATCH, 0, "/", "R"), 0);
	assert_int_equal(tconn_events(e->w, "/", "R"), 1);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/z", "1"), 0);
	settle(e);
	assert_int_equal(tconn_events(e->w, "/z", "R"), 1);
}

static void test_unwatch_and_reset(void **state)
{
	struct env *e = *state;

	assert_int_equal(t_simple(&e->x, e->w, XS_WATCH, 0, "/u", "1"), 0);
	assert_int_equal(t_simple(&e->x, e->w, XS_WATCH, 0, "/u", "2"), 0);
	assert_int_equal(t_simple(&e->x, e->w, XS_UNWATCH, 0, "/u", "1"), 0);
	assert_int_equal(t_simple(&e->x, e->w, XS_UNWATCH, 0, "/u", "1"), ENOENT);
	tconn_drain(e->w);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/u", "x"), 0);
	settle(e);
	assert_int_equal(tconn_events(e->w, "/u", "1"), 0);
	assert_int_equal(tconn_events(e->w, "/u", "2"), 1);
	assert_int_equal(t_simple(&e->x, e->w, XS_RESET_WATCHES, 0, "", NULL), 0);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/u", "z"), 0);
	settle(e);
	assert_int_equal(tconn_events(e->w, "/u", "2"), 0);
}

static void test_relative(void **state)
{
	struct env *e = *state;
	struct tmsg m;

	assert_int_equal(t_simple(&e->x, e->dom0, XS_MKDIR, 0, "/local/domain/5", NULL), 0);
	tconn_callv(&e->x, e->dom0, XS_SET_PERMS, 0, &m, "/local/domain/5", "b5", NULL);
	assert_int_equal(t_simple(&e->x, e->d5, XS_WATCH, 0, "device", "dev"), 0);
	assert_int_equal(tconn_events(e->d5, "device", "dev"), 1);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/local/domain/5/device/vbd/1", "x"), 0);
	settle(e);
	assert_int_equal(tconn_events(e->d5, "device/vbd/1", "dev"), 1);
}

static void test_removal(void **state)
{
	struct env *e = *state;

	assert_int_equal(t_write(&e->x, e->dom0, 0, "/r/a/b/c", "1"), 0);
	assert_int_equal(t_simple(&e->x, e->w, XS_WATCH, 0, "/r/a/b", "deep"), 0);
	assert_int_equal(t_simple(&e->x, e->w, XS_WATCH, 0, "/r", "top"), 0);
	assert_int_equal(t_simple(&e->x, e->w, XS_WATCH, 0, "/r/a/none", "absent"), 0);
	tconn_drain(e->w);
	assert_int_equal(t_simple(&e->x, e->dom0, XS_RM, 0, "/r/a", NULL), 0);
	settle(e);
	/* Watchers above hear of the removed node; a watch on a removed node
	 * hears of it under its own path; nothing for one on a node that was
	 * never there. */
	assert_int_equal(tconn_events(e->w, "/r/a", "top"), 1);
	assert_int_equal(tconn_events(e->w, "/r/a/b", "deep"), 1);
	assert_int_equal(tconn_events(e->w, "/r/a/none", "absent"), 0);
	assert_int_equal(e->w->events.len, 0);
}

static void test_pending_duplicates_merge(void **state)
{
	struct env *e = *state;

	assert_int_equal(t_simple(&e->x, e->w, XS_WATCH, 0, "/dup", "d"), 0);
	tconn_drain(e->w);
	e->w->stop_reading = true;
	for (int i = 0; i < 100; i++)
		assert_int_equal(t_write(&e->x, e->dom0, 0, "/dup/x", "v"), 0);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/dup/y", "v"), 0);
	e->w->stop_reading = false;
	conn_mark_ready(e->w->c);
	settle(e);
	assert_int_equal(tconn_events(e->w, "/dup/x", "d"), 1);
	assert_int_equal(tconn_events(e->w, "/dup/y", "d"), 1);
}

static void test_permissions(void **state)
{
	struct env *e = *state;
	struct tmsg m;

	assert_int_equal(t_write(&e->x, e->dom0, 0, "/p/secret", "1"), 0);
	assert_int_equal(t_simple(&e->x, e->d5, XS_WATCH, 0, "/p", "p"), 0);
	assert_int_equal(tconn_events(e->d5, "/p", "p"), 1);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/p/secret", "2"), 0);
	settle(e);
	assert_int_equal(tconn_events(e->d5, "/p/secret", "p"), 0);
	/* Once readable, changes are seen. */
	tconn_callv(&e->x, e->dom0, XS_SET_PERMS, 0, &m, "/p/secret", "n0", "r5", NULL);
	settle(e);
	assert_int_equal(tconn_events(e->d5, "/p/secret", "p"), 1);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/p/secret", "3"), 0);
	settle(e);
	assert_int_equal(tconn_events(e->d5, "/p/secret", "p"), 1);
	/* Losing access is still told once (old permissions count). */
	tconn_callv(&e->x, e->dom0, XS_SET_PERMS, 0, &m, "/p/secret", "n0", NULL);
	settle(e);
	assert_int_equal(tconn_events(e->d5, "/p/secret", "p"), 1);
}

static void test_slow_host_watcher_dropped(void **state)
{
	struct env *e = *state;
	char path[32], v[XENSTORE_PAYLOAD_MAX + 1];

	e->x.limits.priv_out_max = 64 * 1024;
	assert_int_equal(t_simple(&e->x, e->w, XS_WATCH, 0, "/storm", "s"), 0);
	e->w->stop_reading = true;
	for (int i = 0; i < 5000 && e->w->c; i++) {
		snprintf(path, sizeof(path), "/storm/%d", i);
		assert_int_equal(t_write(&e->x, e->dom0, 0, path, "v"), 0);
	}
	/* The watcher that never reads was dropped; the writer was never held up. */
	assert_null(e->w->c);
	assert_int_equal(t_read(&e->x, e->dom0, 0, "/storm/10", v), 0);
}

static void test_slow_guest_watcher_bounded(void **state)
{
	struct env *e = *state;
	char path[32];
	struct tmsg m;

	assert_int_equal(t_simple(&e->x, e->dom0, XS_MKDIR, 0, "/storm", NULL), 0);
	tconn_callv(&e->x, e->dom0, XS_SET_PERMS, 0, &m, "/storm", "r0", NULL);
	assert_int_equal(t_simple(&e->x, e->d5, XS_WATCH, 0, "/storm", "s"), 0);
	e->d5->stop_reading = true;
	for (int i = 0; i < 20000; i++) {
		snprintf(path, sizeof(path), "/storm/%d", i);
		assert_int_equal(t_write(&e->x, e->dom0, 0, path, "v"), 0);
	}
	/* Queued events are bounded by the domain's memory quota. */
	assert_non_null(e->d5->c);
	assert_true(conn_out_pending(e->d5->c) <= e->x.quota.val[Q_MEMORY]);
	assert_true(acct_peek(&e->x.acct, 5).memory <= e->x.quota.val[Q_MEMORY]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_and_subtree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwatch_and_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_duplicates_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_host_watcher_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_guest_watcher_bounded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
