/*
 * Transactions: they see their own changes, commit when nothing they looked
 * at changed (also when others changed other nodes, even siblings), and fail
 * with EAGAIN on a real conflict; watches fire at commit only.
 */
#include "test_xenstored_harness.h"

struct env {
	struct xsd x;
	struct tconn *a, *b;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_int_equal(xsd_init(&e->x), 0);
	e->a = tconn_new(&e->x, 0);
	e->b = tconn_new(&e->x, 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	tconn_free(e->a);
	tconn_free(e->b);
	xsd_fini(&e->x);
	free(e);
	return 0;
}

static void test_sees_own_writes_and_isolates(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t tx;

	assert_int_equal(t_write(&e->x, e->a, 0, "/t/x", "old"), 0);
	tx = t_txn_start(&e->x, e->a);
	assert_int_not_equal(tx, 0);
	assert_int_equal(t_write(&e->x, e->a, tx, "/t/x", "new"), 0);
	assert_int_equal(t_write(&e->x, e->a, tx, "/t/y/z", "deep"), 0);
	assert_int_equal(t_read(&e->x, e->a, tx, "/t/x", v), 0);
	assert_string_equal(v, "new");
	assert_int_equal(t_read(&e->x, e->a, tx, "/t/y/z", v), 0);
	assert_string_equal(v, "deep");
	/* Outside, nothing changed yet. */
	assert_int_equal(t_read(&e->x, e->b, 0, "/t/x", v), 0);
	assert_string_equal(v, "old");
	assert_int_equal(t_read(&e->x, e->b, 0, "/t/y", v), ENOENT);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), 0);
	assert_int_equal(t_read(&e->x, e->b, 0, "/t/x", v), 0);
	assert_string_equal(v, "new");
	assert_int_equal(t_read(&e->x, e->b, 0, "/t/y/z", v), 0);
	assert_string_equal(v, "deep");
}

static void test_abort_discards(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t tx = t_txn_start(&e->x, e->a);

	assert_int_equal(t_write(&e->x, e->a, tx, "/ab/x", "1"), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, false), 0);
	assert_int_equal(t_read(&e->x, e->a, 0, "/ab/x", v), ENOENT);
	/* The id is gone. */
	assert_int_equal(t_read(&e->x, e->a, tx, "/ab", v), ENOENT);
}

static void test_conflict_on_read_node(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t tx;

	assert_int_equal(t_write(&e->x, e->a, 0, "/c/x", "1"), 0);
	tx = t_txn_start(&e->x, e->a);
	assert_int_equal(t_read(&e->x, e->a, tx, "/c/x", v), 0);
	assert_int_equal(t_write(&e->x, e->a, tx, "/c/y", "from-tx"), 0);
	assert_int_equal(t_write(&e->x, e->b, 0, "/c/x", "2"), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), EAGAIN);
	/* Nothing of the failed transaction is applied. */
	assert_int_equal(t_read(&e->x, e->b, 0, "/c/y", v), ENOENT);
}

static void test_conflict_on_written_node(void **state)
{
	struct env *e = *state;
	uint32_t tx;

	assert_int_equal(t_write(&e->x, e->a, 0, "/w/x", "1"), 0);
	tx = t_txn_start(&e->x, e->a);
	assert_int_equal(t_write(&e->x, e->a, tx, "/w/x", "tx"), 0);
	assert_int_equal(t_write(&e->x, e->b, 0, "/w/x", "other"), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), EAGAIN);
}

static void test_conflict_on_absent_node_created(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t tx = t_txn_start(&e->x, e->a);

	assert_int_equal(t_read(&e->x, e->a, tx, "/n/x", v), ENOENT);
	assert_int_equal(t_write(&e->x, e->a, tx, "/n/flag", "1"), 0);
	assert_int_equal(t_write(&e->x, e->b, 0, "/n/x", "appeared"), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), EAGAIN);
}

static void test_no_conflict_on_unrelated_nodes(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t tx;

	assert_int_equal(t_write(&e->x, e->a, 0, "/u/x", "1"), 0);
	assert_int_equal(t_write(&e->x, e->a, 0, "/u/y", "1"), 0);
	tx = t_txn_start(&e->x, e->a);
	assert_int_equal(t_read(&e->x, e->a, tx, "/u/x", v), 0);
	assert_int_equal(t_write(&e->x, e->a, tx, "/u/x", "2"), 0);
	/* Others change other nodes, and even add siblings: no conflict. */
	assert_int_equal(t_write(&e->x, e->b, 0, "/u/y", "2"), 0);
	assert_int_equal(t_write(&e->x, e->b, 0, "/u/z", "new"), 0);
	assert_int_equal(t_write(&e->x, e->b, 0, "/elsewhere", "x"), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), 0);
	assert_int_equal(t_read(&e->x, e->b, 0, "/u/x", v), 0);
	assert_string_equal(v, "2");
}

static void test_concurrent_children_of_one_parent(void **state)
{
	struct env *e = *state;
	char list[256];
	uint32_t t1, t2;

	assert_int_equal(t_simple(&e->x, e->a, XS_MKDIR, 0, "/dev", NULL), 0);
	t1 = t_txn_start(&e->x, e->a);
	t2 = t_txn_start(&e->x, e->b);
	assert_int_equal(t_write(&e->x, e->a, t1, "/dev/vbd/51712/state", "1"), 0);
	assert_int_equal(t_write(&e->x, e->b, t2, "/dev/vif/0/state", "1"), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, t1, true), 0);
	assert_int_equal(t_txn_end(&e->x, e->b, t2, true), 0);
	assert_int_equal(t_dir(&e->x, e->a, 0, "/dev", list), 0);
	assert_string_equal(list, "vbd,vif");
}

static void test_directory_conflicts_with_new_child(void **state)
{
	struct env *e = *state;
	char list[256];
	uint32_t tx;

	assert_int_equal(t_write(&e->x, e->a, 0, "/d/a", ""), 0);
	tx = t_txn_start(&e->x, e->a);
	assert_int_equal(t_dir(&e->x, e->a, tx, "/d", list), 0);
	assert_string_equal(list, "a");
	assert_int_equal(t_write(&e->x, e->a, tx, "/d-count", "1"), 0);
	assert_int_equal(t_write(&e->x, e->b, 0, "/d/b", ""), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), EAGAIN);
}

static void test_directory_view_inside(void **state)
{
	struct env *e = *state;
	char list[256];
	uint32_t tx;

	assert_int_equal(t_write(&e->x, e->a, 0, "/v/a", ""), 0);
	assert_int_equal(t_write(&e->x, e->a, 0, "/v/b", ""), 0);
	tx = t_txn_start(&e->x, e->a);
	assert_int_equal(t_simple(&e->x, e->a, XS_RM, tx, "/v/a", NULL), 0);
	assert_int_equal(t_write(&e->x, e->a, tx, "/v/c", ""), 0);
	assert_int_equal(t_dir(&e->x, e->a, tx, "/v", list), 0);
	assert_string_equal(list, "b,c");
	assert_int_equal(t_dir(&e->x, e->b, 0, "/v", list), 0);
	assert_string_equal(list, "a,b");
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), 0);
	assert_int_equal(t_dir(&e->x, e->b, 0, "/v", list), 0);
	assert_string_equal(list, "b,c");
}

static void test_rm_then_recreate(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1], list[256];
	uint32_t tx;

	assert_int_equal(t_write(&e->x, e->a, 0, "/r/old/leaf", "1"), 0);
	assert_int_equal(t_write(&e->x, e->a, 0, "/r/old/other", "2"), 0);
	tx = t_txn_start(&e->x, e->a);
	assert_int_equal(t_simple(&e->x, e->a, XS_RM, tx, "/r/old", NULL), 0);
	assert_int_equal(t_read(&e->x, e->a, tx, "/r/old/leaf", v), ENOENT);
	assert_int_equal(t_write(&e->x, e->a, tx, "/r/old/leaf", "fresh"), 0);
	assert_int_equal(t_dir(&e->x, e->a, tx, "/r/old", list), 0);
	assert_string_equal(list, "leaf");
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), 0);
	assert_int_equal(t_read(&e->x, e->b, 0, "/r/old/leaf", v), 0);
	assert_string_equal(v, "fresh");
	assert_int_equal(t_read(&e->x, e->b, 0, "/r/old/other", v), ENOENT);
}

static void test_rm_conflicts_with_removed_node_change(void **state)
{
	struct env *e = *state;
	uint32_t tx;

	assert_int_equal(t_write(&e->x, e->a, 0, "/q/x", "1"), 0);
	tx = t_txn_start(&e->x, e->a);
	assert_int_equal(t_simple(&e->x, e->a, XS_RM, tx, "/q/x", NULL), 0);
	assert_int_equal(t_write(&e->x, e->b, 0, "/q/x", "changed"), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), EAGAIN);
}

static void test_watches_fire_at_commit(void **state)
{
	struct env *e = *state;
	uint32_t tx;

	assert_int_equal(t_simple(&e->x, e->b, XS_WATCH, 0, "/wt", "tok"), 0);
	assert_int_equal(tconn_events(e->b, "/wt", "tok"), 1); /* the initial one */
	tx = t_txn_start(&e->x, e->a);
	assert_int_equal(t_write(&e->x, e->a, tx, "/wt/x", "1"), 0);
	xsd_run_pending(&e->x);
	assert_int_equal(tconn_events(e->b, "/wt/x", "tok"), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), 0);
	xsd_run_pending(&e->x);
	assert_int_equal(tconn_events(e->b, "/wt/x", "tok"), 1);

	tx = t_txn_start(&e->x, e->a);
	assert_int_equal(t_write(&e->x, e->a, tx, "/wt/y", "1"), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, false), 0);
	xsd_run_pending(&e->x);
	assert_int_equal(tconn_events(e->b, "/wt/y", "tok"), 0);
}

static void test_protocol_errors(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t tx = t_txn_start(&e->x, e->a);
	struct tmsg m;

	/* No nesting; ids belong to their connection; END needs T or F. */
	tconn_call(&e->x, e->a, XS_TRANSACTION_START, tx, "", 1, &m);
	assert_int_equal(tmsg_err(&m), EBUSY);
	assert_int_equal(t_read(&e->x, e->b, tx, "/", v), ENOENT);
	assert_int_equal(t_simple(&e->x, e->a, XS_TRANSACTION_END, tx, "X", NULL), EINVAL);
	assert_int_equal(t_simple(&e->x, e->a, XS_TRANSACTION_END, 0, "T", NULL), ENOENT);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), 0);
	assert_int_equal(t_txn_end(&e->x, e->a, tx, true), ENOENT);
}

static void test_many_open_transactions(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t ids[300];

	assert_int_equal(t_simple(&e->x, e->a, XS_MKDIR, 0, "/many", NULL), 0);
	for (unsigned i = 0; i < 300; i++) {
		char path[32];

		ids[i] = t_txn_start(&e->x, e->a);
		snprintf(path, sizeof(path), "/many/%u", i);
		assert_int_equal(t_write(&e->x, e->a, ids[i], path, "x"), 0);
	}
	/* Open transactions cost nothing to others. */
	assert_int_equal(t_write(&e->x, e->b, 0, "/many-outside", "1"), 0);
	for (unsigned i = 0; i < 300; i++)
		assert_int_equal(t_txn_end(&e->x, e->a, ids[i], (i & 1) != 0), 0);
	assert_int_equal(t_read(&e->x, e->b, 0, "/many/1", v), 0);
	assert_int_equal(t_read(&e->x, e->b, 0, "/many/2", v), ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sees_own_writes_and_isolates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_discards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict_on_read_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict_on_written_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict_on_absent_node_created, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_conflict_on_unrelated_nodes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_children_of_one_parent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_directory_conflicts_with_new_child, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_directory_view_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_then_recreate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_conflicts_with_removed_node_change, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_watches_fire_at_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protocol_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_open_transactions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
