/*
 * The protocol parser: payload helpers, paths, permission strings, framing
 * of messages however they are cut, and Xen's replies to malformed input.
 */
#include "test_xenstored_harness.h"

#include "../../xenstored/path.h"
#include "../../xenstored/perms.h"
#include "../../xenstored/wire.h"

static void test_strings(void **state)
{
	const char *vec[3];

	(void)state;
	assert_int_equal(wire_count_strings("a\0b\0", 4), 2);
	assert_int_equal(wire_count_strings("a\0b", 3), -1);
	assert_int_equal(wire_count_strings("", 0), -1);
	assert_non_null(wire_onearg("abc", 4));
	assert_null(wire_onearg("abc", 3));
	assert_null(wire_onearg("a\0b", 4));
	assert_int_equal(wire_strings("a\0bc\0tail", 9, vec, 3), 2);
	assert_string_equal(vec[1], "bc");
}

static void test_numbers(void **state)
{
	unsigned long v;
	unsigned d;

	(void)state;
	assert_int_equal(wire_parse_ulong("4096", 4096, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(wire_parse_ulong("4097", 4096, &v), -EINVAL);
	assert_int_equal(wire_parse_ulong("18446744073709551616", ~0UL, &v), -EINVAL);
	assert_int_equal(wire_parse_ulong("-1", 10, &v), -EINVAL);
	assert_int_equal(wire_parse_ulong(" 1", 10, &v), -EINVAL);
	assert_int_equal(wire_parse_ulong("", 10, &v), -EINVAL);
	assert_int_equal(wire_parse_ulong("9", 5, &v), -EINVAL);
	assert_int_equal(wire_parse_domid("65535", &d), 0);
	assert_int_equal(wire_parse_domid("65536", &d), -EINVAL);
	assert_string_equal(wire_error_name(ENOENT), "ENOENT");
	assert_string_equal(wire_error_name(EAGAIN), "EAGAIN");
	assert_string_equal(wire_error_name(12345), "EINVAL");
}

static void test_paths(void **state)
{
	struct ident d5 = {.domid = 5, .priv = false, .target = -1};
	struct ident d0 = {.domid = 0, .priv = true, .target = -1};
	char out[PATH_BUF];
	bool rel;

	(void)state;
	assert_int_equal(path_canon(&d5, "x/y", false, 2048, out, &rel), 19);
	assert_string_equal(out, "/local/domain/5/x/y");
	assert_true(rel);
	assert_int_equal(path_canon(&d0, "/", false, 2048, out, &rel), 1);
	assert_false(rel);
	assert_int_equal(path_canon(&d0, "/a/", false, 0, out, &rel), -EINVAL);
	assert_int_equal(path_canon(&d0, "/a//b", false, 0, out, &rel), -EINVAL);
	assert_int_equal(path_canon(&d0, "/a b", false, 0, out, &rel), -EINVAL);
	assert_int_equal(path_canon(&d0, "/a.b", false, 0, out, &rel), -EINVAL);
	assert_int_equal(path_canon(&d0, "", false, 0, out, &rel), -EINVAL);
	assert_int_equal(path_canon(&d0, "@releaseDomain", false, 0, out, &rel), -EINVAL);
	assert_int_equal(path_canon(&d0, "@releaseDomain", true, 0, out, &rel), 14);
	assert_int_equal(path_parent_len("/a/b", 4), 2);
	assert_int_equal(path_parent_len("/a", 2), 1);
	assert_string_equal(path_basename("/a/bc", 5), "bc");
	assert_true(path_is_within("/a/b", 4, "/a", 2));
	assert_false(path_is_within("/ab", 3, "/a", 2));
	assert_true(path_is_within("/x", 2, "/", 1));
	assert_int_equal(path_depth("/", 1), 0);
	assert_int_equal(path_depth("/a/b", 4), 2);
}

static void test_perm_strings(void **state)
{
	struct xs_perm p[3];
	char buf[64];
	size_t n;

	(void)state;
	assert_int_equal(perms_parse("b0\0r5\0n65535\0", 13, 3, p), 0);
	assert_int_equal(p[0].mode, XS_PERM_BOTH);
	assert_int_equal(p[1].domid, 5);
	assert_int_equal(p[2].domid, 65535);
	assert_int_equal(perms_parse("x0\0", 3, 1, p), -EINVAL);
	assert_int_equal(perms_parse("r\0", 2, 1, p), -EINVAL);
	assert_int_equal(perms_parse("r65536\0", 7, 1, p), -EINVAL);
	assert_int_equal(perms_parse("r1a\0", 4, 1, p), -EINVAL);
	assert_int_equal(perms_parse("r1", 2, 1, p), -EINVAL);
	n = perms_format(p, 2, buf, sizeof(buf));
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "b0\0r5\0", 6);
	assert_int_equal(perms_format(p, 3, buf, 8), 0);
}

struct env {
	struct xsd x;
	struct tconn *t;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_int_equal(xsd_init(&e->x), 0);
	e->t = tconn_new(&e->x, 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	tconn_free(e->t);
	xsd_fini(&e->x);
	free(e);
	return 0;
}

static void test_framing_any_cut(void **state)
{
	struct env *e = *state;
	struct xsd_sockmsg hdr = {.type = XS_WRITE, .req_id = 77, .len = 8};
	char bytes[sizeof(hdr) + 8];
	struct tmsg m;

	memcpy(bytes, &hdr, sizeof(hdr));
	memcpy(bytes + sizeof(hdr), "/cut\0abc", 8);
	/* One byte per round. */
	for (size_t i = 0; i < sizeof(bytes); i++) {
		tconn_send_raw(e->t, bytes + i, 1);
		xsd_run_pending(&e->x);
		assert_int_equal(tconn_next(e->t, &m), i + 1 == sizeof(bytes));
	}
	assert_int_equal(m.type, XS_WRITE);
	assert_int_equal(m.req_id, 77);
	assert_string_equal(m.p, "OK");
	/* Many at once: replies in order. */
	for (uint32_t i = 0; i < 200; i++)
		tconn_send(e->t, XS_READ, 0, "/cut", 5);
	xsd_run_pending(&e->x);
	xsd_run_pending(&e->x);
	xsd_run_pending(&e->x);
	xsd_run_pending(&e->x);
	for (uint32_t i = 0; i < 200; i++) {
		assert_true(tconn_next(e->t, &m));
		assert_int_equal(m.type, XS_READ);
		assert_string_equal(m.p, "abc");
	}
}

static void test_bad_requests(void **state)
{
	struct env *e = *state;
	struct tmsg m;

	tconn_call(&e->x, e->t, 20, 0, "x", 2, &m); /* the removed RESTRICT */
	assert_string_equal(m.p, "ENOSYS");
	tconn_call(&e->x, e->t, XS_WATCH_EVENT, 0, "a\0b", 4, &m);
	assert_string_equal(m.p, "ENOSYS");
	tconn_call(&e->x, e->t, 0xffff, 0, "", 0, &m);
	assert_string_equal(m.p, "ENOSYS");
	tconn_call(&e->x, e->t, XS_READ, 0, "/unterminated", 13, &m);
	assert_string_equal(m.p, "EINVAL");
	tconn_call(&e->x, e->t, XS_READ, 0, "/two\0/args", 11, &m);
	assert_string_equal(m.p, "EINVAL");
	tconn_call(&e->x, e->t, XS_READ, 0, "", 0, &m);
	assert_string_equal(m.p, "EINVAL");
	tconn_call(&e->x, e->t, XS_WRITE, 0, "/no-nul", 7, &m);
	assert_string_equal(m.p, "EINVAL");
	tconn_call(&e->x, e->t, XS_WATCH, 0, "/w\0", 3, &m);
	assert_string_equal(m.p, "EINVAL");
	tconn_call(&e->x, e->t, XS_SET_PERMS, 0, "/\0q1\0", 5, &m);
	assert_string_equal(m.p, "EINVAL");
	tconn_call(&e->x, e->t, XS_GET_DOMAIN_PATH, 0, "x", 2, &m);
	assert_string_equal(m.p, "EINVAL");
	tconn_call(&e->x, e->t, XS_DIRECTORY_PART, 0, "/\0-1\0", 6, &m);
	assert_string_equal(m.p, "EINVAL");
	/* Binary data with nuls is a value like any other. */
	tconn_call(&e->x, e->t, XS_WRITE, 0, "/bin\0a\0b\0", 9, &m);
	assert_string_equal(m.p, "OK");
	tconn_call(&e->x, e->t, XS_READ, 0, "/bin", 5, &m);
	assert_int_equal(m.len, 4);
	assert_memory_equal(m.p, "a\0b\0", 4);
	assert_true(e->t->c != NULL);
}

static void test_oversized_length_drops_client(void **state)
{
	struct env *e = *state;
	struct xsd_sockmsg hdr = {.type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1};

	tconn_send_raw(e->t, &hdr, sizeof(hdr));
	xsd_run_pending(&e->x);
	assert_null(e->t->c);
}

static void test_domain_requests(void **state)
{
	struct env *e = *state;
	struct tmsg m;

	tconn_callv(&e->x, e->t, XS_GET_DOMAIN_PATH, 0, &m, "42", NULL);
	assert_string_equal(m.p, "/local/domain/42");
	tconn_callv(&e->x, e->t, XS_IS_DOMAIN_INTRODUCED, 0, &m, "0", NULL);
	assert_string_equal(m.p, "T");
	tconn_callv(&e->x, e->t, XS_IS_DOMAIN_INTRODUCED, 0, &m, "42", NULL);
	assert_string_equal(m.p, "F");
	tconn_callv(&e->x, e->t, XS_RELEASE, 0, &m, "42", NULL);
	assert_string_equal(m.p, "ENOENT");
	tconn_callv(&e->x, e->t, XS_RELEASE, 0, &m, "0", NULL);
	assert_string_equal(m.p, "EINVAL");
	tconn_callv(&e->x, e->t, XS_RESUME, 0, &m, "42", NULL);
	assert_string_equal(m.p, "ENOENT");
	tconn_callv(&e->x, e->t, XS_SET_TARGET, 0, &m, "42", "43", NULL);
	assert_string_equal(m.p, "ENOENT");
	/* INTRODUCE without its three descriptors cannot map a ring. */
	tconn_callv(&e->x, e->t, XS_INTRODUCE, 0, &m, "42", "1", "3", NULL);
	assert_string_equal(m.p, "EINVAL");
	tconn_callv(&e->x, e->t, XS_CONTROL, 0, &m, "check", NULL);
	assert_string_equal(m.p, "OK");
	tconn_callv(&e->x, e->t, XS_CONTROL, 0, &m, "no-such-command", NULL);
	assert_string_equal(m.p, "EINVAL");
}

static void test_directory_sizes(void **state)
{
	struct env *e = *state;
	char path[64], gen[32];
	struct tmsg m;
	size_t total = 0, got = 0;
	unsigned long off = 0;

	/* 600 children of 10 bytes: 6000 bytes of names, more than one payload. */
	for (unsigned i = 0; i < 600; i++) {
		snprintf(path, sizeof(path), "/big/child%04u", i);
		assert_int_equal(t_write(&e->x, e->t, 0, path, ""), 0);
		total += 10;
	}
	tconn_callv(&e->x, e->t, XS_DIRECTORY, 0, &m, "/big", NULL);
	assert_string_equal(m.p, "E2BIG");
	gen[0] = 0;
	for (;;) {
		char offs[16];
		size_t glen;

		snprintf(offs, sizeof(offs), "%lu", off);
		tconn_callv(&e->x, e->t, XS_DIRECTORY_PART, 0, &m, "/big", offs, NULL);
		assert_int_equal(m.type, XS_DIRECTORY_PART);
		glen = strlen(m.p) + 1;
		if (gen[0])
			assert_string_equal(gen, m.p);
		strcpy(gen, m.p);
		assert_true(m.len <= XENSTORE_PAYLOAD_MAX);
		/* The list ends with an empty name. */
		if (m.len >= glen + 1 && m.p[m.len - 1] == 0 && m.p[m.len - 2] == 0) {
			got += m.len - glen - 1;
			break;
		}
		got += m.len - glen;
		off += m.len - glen;
	}
	assert_int_equal(got, total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_perm_strings),
		cmocka_unit_test_setup_teardown(test_framing_any_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_length_drops_client, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_domain_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_sizes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
