/*
 * Permissions with Xen's semantics: the owner and the privileged may do
 * anything; others get their own entry or else the default; a missing node
 * shows as EACCES to whoever may not see its parent; unprivileged domains
 * own what they create and cannot give nodes away.
 */
#include "test_xenstored_harness.h"

struct env {
	struct xsd x;
	struct tconn *dom0, *d5, *d7;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_int_equal(xsd_init(&e->x), 0);
	e->dom0 = tconn_new(&e->x, 0);
	e->d5 = tconn_new(&e->x, 5);
	e->d7 = tconn_new(&e->x, 7);
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

static int set_perms(struct xsd *x, struct tconn *t, const char *path, const char *p1,
		     const char *p2)
{
	struct tmsg m;

	tconn_callv(x, t, XS_SET_PERMS, 0, &m, path, p1, p2, NULL);
	return tmsg_err(&m);
}

static void get_perms(struct xsd *x, struct tconn *t, const char *path, char *out)
{
	struct tmsg m;
	size_t o = 0;

	tconn_callv(x, t, XS_GET_PERMS, 0, &m, path, NULL);
	assert_int_equal(m.type, XS_GET_PERMS);
	out[0] = 0;
	for (uint32_t off = 0; off < m.len; off += (uint32_t)strlen(m.p + off) + 1)
		o += (size_t)sprintf(out + o, "%s%s", o ? "," : "", m.p + off);
}

static void test_default_root_is_private(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];

	assert_int_equal(t_write(&e->x, e->dom0, 0, "/priv", "secret"), 0);
	get_perms(&e->x, e->dom0, "/priv", v);
	assert_string_equal(v, "n0");
	assert_int_equal(t_read(&e->x, e->d5, 0, "/priv", v), EACCES);
	assert_int_equal(t_write(&e->x, e->d5, 0, "/priv", "x"), EACCES);
	assert_int_equal(t_write(&e->x, e->d5, 0, "/mine", "x"), EACCES);
	/* A missing node under an unreadable parent is not revealed as missing. */
	assert_int_equal(t_read(&e->x, e->d5, 0, "/priv/nothing", v), EACCES);
	assert_int_equal(t_read(&e->x, e->dom0, 0, "/priv/nothing", v), ENOENT);
}

static void test_acl_entries(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];

	assert_int_equal(t_write(&e->x, e->dom0, 0, "/shared", "data"), 0);
	assert_int_equal(set_perms(&e->x, e->dom0, "/shared", "n0", "r5"), 0);
	assert_int_equal(t_read(&e->x, e->d5, 0, "/shared", v), 0);
	assert_string_equal(v, "data");
	assert_int_equal(t_write(&e->x, e->d5, 0, "/shared", "no"), EACCES);
	assert_int_equal(t_read(&e->x, e->d7, 0, "/shared", v), EACCES);
	/* The default access applies to domains without an entry. */
	assert_int_equal(set_perms(&e->x, e->dom0, "/shared", "b0", "n5"), 0);
	assert_int_equal(t_write(&e->x, e->d7, 0, "/shared", "by7"), 0);
	assert_int_equal(t_read(&e->x, e->d5, 0, "/shared", v), EACCES);
}

static void test_owner_may_all_and_owns_children(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];

	assert_int_equal(t_simple(&e->x, e->dom0, XS_MKDIR, 0, "/local/domain/5", NULL), 0);
	assert_int_equal(set_perms(&e->x, e->dom0, "/local/domain/5", "n5", "r0"), 0);
	/* Relative paths are under the domain's home. */
	assert_int_equal(t_write(&e->x, e->d5, 0, "data/x", "1"), 0);
	assert_int_equal(t_read(&e->x, e->d5, 0, "/local/domain/5/data/x", v), 0);
	assert_string_equal(v, "1");
	get_perms(&e->x, e->d5, "data/x", v);
	assert_string_equal(v, "n5,r0");
	assert_int_equal(t_read(&e->x, e->d7, 0, "/local/domain/5/data/x", v), EACCES);
	/* The owner may set permissions but not give the node away. */
	assert_int_equal(set_perms(&e->x, e->d5, "data/x", "n5", "r7"), 0);
	assert_int_equal(t_read(&e->x, e->d7, 0, "/local/domain/5/data/x", v), 0);
	assert_int_equal(set_perms(&e->x, e->d5, "data/x", "n7", NULL), EPERM);
	/* Others may not set permissions at all. */
	assert_int_equal(set_perms(&e->x, e->d7, "/local/domain/5/data/x", "b7", NULL), EACCES);
	/* Dom0 may give nodes away. */
	assert_int_equal(set_perms(&e->x, e->dom0, "/local/domain/5/data/x", "n7", NULL), 0);
	assert_int_equal(t_write(&e->x, e->d7, 0, "/local/domain/5/data/x", "mine"), 0);
}

static void test_unprivileged_creator_owns(void **state)
{
	struct env *e = *state;
	char v[XENSTORE_PAYLOAD_MAX + 1];

	assert_int_equal(t_simple(&e->x, e->dom0, XS_MKDIR, 0, "/open", NULL), 0);
	assert_int_equal(set_perms(&e->x, e->dom0, "/open", "n0", "b5"), 0);
	assert_int_equal(t_write(&e->x, e->d5, 0, "/open/a/b", "v"), 0);
	get_perms(&e->x, e->dom0, "/open/a", v);
	assert_string_equal(v, "n5,b5");
	get_perms(&e->x, e->dom0, "/open/a/b", v);
	assert_string_equal(v, "n5,b5");
}

static void test_rm_needs_write(void **state)
{
	struct env *e = *state;

	assert_int_equal(t_write(&e->x, e->dom0, 0, "/ro/x", "1"), 0);
	assert_int_equal(set_perms(&e->x, e->dom0, "/ro", "r0", NULL), 0);
	assert_int_equal(set_perms(&e->x, e->dom0, "/ro/x", "r0", NULL), 0);
	assert_int_equal(t_simple(&e->x, e->d5, XS_RM, 0, "/ro/x", NULL), EACCES);
	/* Removing a missing node needs write access to where it would be... */
	assert_int_equal(t_simple(&e->x, e->d5, XS_RM, 0, "/ro/none", NULL), EACCES);
	/* ...and is fine if its parent exists. */
	assert_int_equal(t_simple(&e->x, e->dom0, XS_MKDIR, 0, "/rw", NULL), 0);
	assert_int_equal(set_perms(&e->x, e->dom0, "/rw", "b0", NULL), 0);
	assert_int_equal(t_simple(&e->x, e->d5, XS_RM, 0, "/rw/none", NULL), 0);
	assert_int_equal(t_simple(&e->x, e->d5, XS_RM, 0, "/rw/none/deeper", NULL), ENOENT);
	assert_int_equal(t_simple(&e->x, e->dom0, XS_RM, 0, "/", NULL), EINVAL);
}

static void test_privileged_only_requests(void **state)
{
	struct env *e = *state;

	assert_int_equal(t_simple(&e->x, e->d5, XS_RELEASE, 0, "7", NULL), EACCES);
	assert_int_equal(t_simple(&e->x, e->d5, XS_INTRODUCE, 0, "7", NULL), EACCES);
	assert_int_equal(t_simple(&e->x, e->d5, XS_CONTROL, 0, "check", NULL), EACCES);
	assert_int_equal(t_simple(&e->x, e->d5, XS_IS_DOMAIN_INTRODUCED, 0, "0", NULL), EACCES);
	assert_int_equal(t_simple(&e->x, e->d5, XS_SET_TARGET, 0, "5", NULL), EACCES);
}

static void test_special_nodes(void **state)
{
	struct env *e = *state;
	char v[64];

	get_perms(&e->x, e->dom0, "@releaseDomain", v);
	assert_string_equal(v, "n0");
	assert_int_equal(set_perms(&e->x, e->dom0, "@releaseDomain", "n0", "r5"), 0);
	get_perms(&e->x, e->d5, "@releaseDomain", v);
	assert_string_equal(v, "n0,r5");
	/* Special names are for watches and permissions only. */
	assert_int_equal(t_read(&e->x, e->dom0, 0, "@releaseDomain", v), EINVAL);
	assert_int_equal(t_write(&e->x, e->dom0, 0, "@x", "1"), EINVAL);
}

static void test_check_accounting(void **state)
{
	struct env *e = *state;
	struct tmsg m;

	assert_int_equal(t_simple(&e->x, e->dom0, XS_MKDIR, 0, "/acc", NULL), 0);
	assert_int_equal(set_perms(&e->x, e->dom0, "/acc", "b0", NULL), 0);
	assert_int_equal(t_write(&e->x, e->d5, 0, "/acc/a", "1"), 0);
	assert_int_equal(t_write(&e->x, e->d7, 0, "/acc/b/c", "1"), 0);
	assert_int_equal(set_perms(&e->x, e->dom0, "/acc/a", "b7", NULL), 0);
	assert_int_equal(t_simple(&e->x, e->dom0, XS_RM, 0, "/acc/b", NULL), 0);
	assert_int_equal(acct_peek(&e->x.acct, 5).nodes, 0);
	assert_int_equal(acct_peek(&e->x.acct, 7).nodes, 1);
	tconn_callv(&e->x, e->dom0, XS_CONTROL, 0, &m, "check", NULL);
	assert_string_equal(m.p, "OK");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_root_is_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acl_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_may_all_and_owns_children, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unprivileged_creator_owns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_needs_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privileged_only_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_special_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_accounting, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
