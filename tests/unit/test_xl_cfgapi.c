/*
 * The xl.cfg parser's API and its behaviour on hostile input: getters,
 * += joins, bounds, very deep or very long input, bytes Xen's own parser
 * would abort on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../xl/cfg.h"

/* Parse text; report lines land in *report (caller frees). */
static struct cfg *parse(const char *text, size_t len, int *rc, char **report)
{
	size_t rlen;
	FILE *m = open_memstream(report, &rlen);
	struct cfg *cfg;

	assert_non_null(m);
	cfg = cfg_new(m, "t.cfg");
	assert_non_null(cfg);
	*rc = cfg_parse(cfg, text, len);
	fflush(m);
	/* Getters report to the same stream later; keep it open. */
	return cfg;
}

/* fclose() of the memstream updates *report, so it is freed after. */
static void done(struct cfg *cfg, char **report)
{
	FILE *m = cfg->report;

	cfg_free(cfg);
	fclose(m);
	free(*report);
}

static void test_getters(void **state)
{
	const char *text = "s = 'str'\nn = 0x20\nl = [ 'a', 7, [ 'x' ] ]\nneg = '-5'\n";
	const struct cfg_value *list;
	const char *s;
	char *report;
	long v;
	int rc;

	(void)state;
	struct cfg *cfg = parse(text, strlen(text), &rc, &report);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg_get_string(cfg, "s", &s, false), 0);
	assert_string_equal(s, "str");
	assert_int_equal(cfg_get_long(cfg, "n", &v, false), 0);
	assert_int_equal(v, 32);
	assert_int_equal(cfg_get_long(cfg, "neg", &v, false), 0);
	assert_int_equal(v, -5);
	assert_int_equal(cfg_get_bounded_long(cfg, "n", 0, 31, &v, true), -EINVAL);
	assert_int_equal(cfg_get_bounded_long(cfg, "neg", 0, 31, &v, true), -EINVAL);
	assert_int_equal(cfg_get_string(cfg, "missing", &s, false), -ESRCH);
	assert_int_equal(cfg_get_list(cfg, "l", &list, false), 0);
	assert_int_equal(list->nitems, 3);
	assert_string_equal(cfg_list_string(list, 0), "a");
	assert_string_equal(cfg_list_string(list, 1), "7");
	assert_null(cfg_list_string(list, 2)); /* a list, not a string */
	assert_null(cfg_list_string(list, 3));
	assert_null(cfg_list_string(list, -1));
	assert_int_equal(cfg_get_list(cfg, "s", &list, true), -EINVAL);
	assert_int_equal(cfg_get_string(cfg, "l", &s, true), -EINVAL);
	done(cfg, &report);
}

static void test_append_joins(void **state)
{
	const char *text = "a = 'x'\na += 'y'\na += 'z'\nl = [ 1 ]\nl += [ 2, 3 ]\n";
	const struct cfg_value *list;
	const char *s;
	char *report;
	int rc;

	(void)state;
	struct cfg *cfg = parse(text, strlen(text), &rc, &report);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg_get_string(cfg, "a", &s, false), 0);
	assert_string_equal(s, "xyz");
	assert_int_equal(cfg_get_list(cfg, "l", &list, false), 0);
	assert_int_equal(list->nitems, 3);
	assert_string_equal(cfg_list_string(list, 2), "3");
	done(cfg, &report);
}

static void test_deep_nesting_is_refused(void **state)
{
	size_t depth = 100000;
	char *text = malloc(depth + 16);
	char *report;
	int rc;

	(void)state;
	strcpy(text, "a = ");
	memset(text + 4, '[', depth);
	text[4 + depth] = '\0';
	struct cfg *cfg = parse(text, strlen(text), &rc, &report);
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(report, "memory exhausted"));
	done(cfg, &report);
	free(text);
}

static void test_long_list(void **state)
{
	size_t n = 200000;
	char *text = malloc(n * 3 + 16);
	const struct cfg_value *list;
	char *report, *p;
	int rc;

	(void)state;
	p = text + sprintf(text, "l = [");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "1,");
	strcpy(p, "]\n");
	struct cfg *cfg = parse(text, strlen(text), &rc, &report);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg_get_list(cfg, "l", &list, false), 0);
	assert_int_equal(list->nitems, (int)n);
	done(cfg, &report);
	free(text);
}

/* Xen's own parser asserts on a NUL inside a string; ours must just cope. */
static void test_nul_bytes(void **state)
{
	static const char text[] = "a = \"x\0y\"\nb = \0\n\0 = 1\nc = 'ok'\n";
	char *report;
	int rc;

	(void)state;
	struct cfg *cfg = parse(text, sizeof(text) - 1, &rc, &report);
	assert_int_equal(rc, -EINVAL);
	done(cfg, &report);

	cfg = parse("a = 'x\0'\n", 9, &rc, &report);
	assert_int_equal(rc, 0);
	const char *s;
	assert_int_equal(cfg_get_string(cfg, "a", &s, false), 0);
	assert_string_equal(s, "x");
	done(cfg, &report);
}

static void test_empty_and_comment_only(void **state)
{
	char *report;
	int rc;

	(void)state;
	struct cfg *cfg = parse("", 0, &rc, &report);
	assert_int_equal(rc, 0);
	assert_null(cfg->settings);
	done(cfg, &report);
	cfg = parse("# nothing\n\n;;\n", 15, &rc, &report);
	assert_int_equal(rc, 0);
	assert_null(cfg->settings);
	done(cfg, &report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_append_joins),
		cmocka_unit_test(test_deep_nesting_is_refused),
		cmocka_unit_test(test_long_list),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_empty_and_comment_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
