/*
 * Quotas bind unprivileged domains: each limit gives the domain Xen's error
 * while dom0 and other domains go on being served.
 */
#include "test_xenstored_harness.h"

struct env {
	struct xsd x;
	struct tconn *dom0, *d5, *d7;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct tmsg m;

	assert_int_equal(xsd_init(&e->x), 0);
	e->dom0 = tconn_new(&e->x, 0);
	e->d5 = tconn_new(&e->x, 5);
	e->d7 = tconn_new(&e->x, 7);
	for (unsigned d = 5; d <= 7; d += 2) {
		char home[32], owner[8];

		snprintf(home, sizeof(home), "/local/domain/%u", d);
		snprintf(owner, sizeof(owner), "b%u", d);
		assert_int_equal(t_simple(&e->x, e->dom0, XS_MKDIR, 0, home, NULL), 0);
		tconn_callv(&e->x, e->dom0, XS_SET_PERMS, 0, &m, home, owner, NULL);
		assert_int_equal(tmsg_err(&m), 0);
	}
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	tconn_free(e->dom0);
	tconn_free(e->d5);
	tconn_free(e->d7);
	xsd_fini(&e->x);
	free(e);
	return 0;
}

/* The well-behaved still get served. */
static void others_served(struct env *e)
{
	char v[XENSTORE_PAYLOAD_MAX + 1];

	assert_int_equal(t_write(&e->x, e->d7, 0, "fine", "yes"), 0);
	assert_int_equal(t_read(&e->x, e->d7, 0, "fine", v), 0);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/tool/fine", "yes"), 0);
}

static void test_nodes(void **state)
{
	struct env *e = *state;
	char path[32];
	int ret = 0;
	unsigned i;

	e->x.quota.val[Q_NODES] = 10;
	/* The home counts: 9 more fit. */
	for (i = 0; i < 20 && ret == 0; i++) {
		snprintf(path, sizeof(path), "n%u", i);
		ret = t_write(&e->x, e->d5, 0, path, "x");
	}
	assert_int_equal(ret, ENOSPC);
	assert_int_equal(i, 10);
	assert_int_equal(acct_peek(&e->x.acct, 5).nodes, 10);
	/* Nor through a transaction, nor by creating several levels at once. */
	{
		uint32_t tx = t_txn_start(&e->x, e->d5);

		assert_int_equal(t_write(&e->x, e->d5, tx, "deep/er", "x"), ENOSPC);
		assert_int_equal(t_txn_end(&e->x, e->d5, tx, false), 0);
	}
	/* Freeing one makes room again. */
	assert_int_equal(t_simple(&e->x, e->d5, XS_RM, 0, "n0", NULL), 0);
	assert_int_equal(t_write(&e->x, e->d5, 0, "again", "x"), 0);
	others_served(e);
	for (i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "/tool/n%u", i);
		assert_int_equal(t_write(&e->x, e->dom0, 0, path, "x"), 0);
	}
}

static void test_node_size(void **state)
{
	struct env *e = *state;
	char big[3001];
	char buf[XENSTORE_PAYLOAD_MAX];
	struct tmsg m;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(t_write(&e->x, e->d5, 0, "big", big), ENOSPC);
	big[2000] = 0;
	assert_int_equal(t_write(&e->x, e->d5, 0, "big", big), 0);
	big[2000] = 'x';
	assert_int_equal(t_write(&e->x, e->dom0, 0, "/tool/big", big), 0);
	/* A payload over 4096 bytes cannot even be sent: see the hostile tests. */
	memcpy(buf, "/tool/b\0", 8);
	memset(buf + 8, 'y', sizeof(buf) - 8);
	tconn_call(&e->x, e->dom0, XS_WRITE, 0, buf, sizeof(buf), &m);
	assert_int_equal(tmsg_err(&m), 0);
	others_served(e);
}

static void test_watches(void **state)
{
	struct env *e = *state;
	char tok[16];
	unsigned i;

	for (i = 0; i < 128; i++) {
		snprintf(tok, sizeof(tok), "t%u", i);
		assert_int_equal(t_simple(&e->x, e->d5, XS_WATCH, 0, "w", tok), 0);
	}
	assert_int_equal(t_simple(&e->x, e->d5, XS_WATCH, 0, "w", "one-more"), ENOSPC);
	assert_int_equal(t_simple(&e->x, e->d5, XS_UNWATCH, 0, "w", "t0"), 0);
	assert_int_equal(t_simple(&e->x, e->d5, XS_WATCH, 0, "w", "one-more"), 0);
	assert_int_equal(t_simple(&e->x, e->d5, XS_WATCH, 0, "w", "one-more"), EEXIST);
	for (i = 0; i < 300; i++) {
		snprintf(tok, sizeof(tok), "t%u", i);
		assert_int_equal(t_simple(&e->x, e->dom0, XS_WATCH, 0, "/x", tok), 0);
	}
	others_served(e);
}

static void test_transactions(void **state)
{
	struct env *e = *state;
	uint32_t ids[10];
	struct tmsg m;

	for (unsigned i = 0; i < 10; i++)
		ids[i] = t_txn_start(&e->x, e->d5);
	tconn_call(&e->x, e->d5, XS_TRANSACTION_START, 0, "", 1, &m);
	assert_int_equal(tmsg_err(&m), ENOSPC);
	others_served(e);
	assert_int_equal(t_txn_end(&e->x, e->d5, ids[3], false), 0);
	assert_int_not_equal(t_txn_start(&e->x, e->d5), 0);
	assert_int_equal(acct_peek(&e->x.acct, 5).transactions, 10);
}

static void test_transaction_nodes(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1], path[32];
	uint32_t tx;
	int ret = 0;
	unsigned i;

	e->x.quota.val[Q_TRANS_NODES] = 16;
	tx = t_txn_start(&e->x, e->d5);
	for (i = 0; i < 40 && (ret == 0 || ret == ENOENT); i++) {
		snprintf(path, sizeof(path), "r%u", i);
		ret = t_read(&e->x, e->d5, tx, path, v);
	}
	assert_int_equal(ret, ENOSPC);
	assert_int_equal(t_txn_end(&e->x, e->d5, tx, false), 0);
	others_served(e);
}

static void test_permissions_and_path(void **state)
{
	struct env *e = *state;
	char path[3100];
	struct tmsg m;

	assert_int_equal(t_write(&e->x, e->d5, 0, "p", ""), 0);
	tconn_callv(&e->x, e->d5, XS_SET_PERMS, 0, &m, "p", "b5", "r1", "r2", "r3", "r4", "r6",
		    NULL);
	assert_int_equal(tmsg_err(&m), ENOSPC);
	tconn_callv(&e->x, e->d5, XS_SET_PERMS, 0, &m, "p", "b5", "r1", "r2", "r3", "r4", NULL);
	assert_int_equal(tmsg_err(&m), 0);

	/* 2048 bytes below the home are allowed, one more is not. */
	memset(path, 'a', sizeof(path));
	for (size_t i = 100; i < sizeof(path); i += 100)
		path[i] = '/';
	path[2048] = 0;
	assert_int_equal(t_write(&e->x, e->d5, 0, path, ""), 0);
	path[2048] = 'b';
	path[2049] = 0;
	assert_int_equal(t_write(&e->x, e->d5, 0, path, ""), EINVAL);
	/* dom0 is only bound by the protocol's absolute maximum. */
	memset(path, 'a', sizeof(path));
	for (size_t i = 0; i < sizeof(path); i += 100)
		path[i] = '/';
	path[3072] = 0;
	assert_int_equal(t_write(&e->x, e->dom0, 0, path, ""), 0);
	path[3072] = 'c';
	path[3073] = 0;
	assert_int_equal(t_write(&e->x, e->dom0, 0, path, ""), EINVAL);
	others_served(e);
}

static void test_memory(void **state)
{
	struct env *e = *state;
	char val[1500], path[32];
	int ret = 0;
	unsigned i;

	e->x.quota.val[Q_MEMORY] = 32 * 1024;
	memset(val, 'm', sizeof(val) - 1);
	val[sizeof(val) - 1] = 0;
	for (i = 0; i < 100 && ret == 0; i++) {
		snprintf(path, sizeof(path), "m%u", i);
		ret = t_write(&e->x, e->d5, 0, path, val);
	}
	assert_int_equal(ret, ENOMEM);
	assert_true(i > 5);
	assert_true(acct_peek(&e->x.acct, 5).memory <= 32 * 1024);
	others_served(e);
}

static void test_outstanding(void **state)
{
	struct env *e = *state;
	struct tmsg m;
	unsigned replies = 0;

	e->d5->stop_reading = true;
	for (unsigned i = 0; i < 60; i++)
		tconn_send(e->d5, XS_GET_DOMAIN_PATH, 0, "5", 2);
	xsd_run_pending(&e->x);
	/* It stops being served once 20 replies wait; the others are not held up. */
	assert_int_equal(e->d5->c->nreplies, 20);
	others_served(e);
	e->d5->stop_reading = false;
	for (int round = 0; round < 10; round++) {
		conn_mark_ready(e->d5->c);
		xsd_run_pending(&e->x);
	}
	while (tconn_next(e->d5, &m)) {
		assert_string_equal(m.p, "/local/domain/5");
		replies++;
	}
	assert_int_equal(replies, 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions_and_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outstanding, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
