/*
 * Golden-output tests for xl.cfg reading (in the manner of Xen's
 * check-xl-disk-parse): every tests/xl-cfg/<case>.cfg is loaded as
 * `xl create -n` loads it, with the command-line overrides listed one per
 * line in <case>.overrides if that file exists, and everything printed
 * (Xen's diagnostics, then the JSON configuration or "rejected") must equal
 * <case>.expected byte for byte.
 *
 * The expected files were checked against Xen's own libxlu parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../xl/cfgfile.h"

/* Contents of a file, NUL-terminated; NULL if it does not exist. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

static void check_case(void **state)
{
	const char *name = *state;
	char path[PATH_MAX];
	char *out = NULL, *expected, *overrides;
	size_t out_len = 0;
	struct domain_config dc;
	FILE *m;
	int rc;

	snprintf(path, sizeof(path), "%s.overrides", name);
	overrides = slurp(path);
	snprintf(path, sizeof(path), "%s.cfg", name);

	m = open_memstream(&out, &out_len);
	assert_non_null(m);
	rc = cfgfile_load(path, overrides, m, &dc);
	if (rc == 0) {
		fputs("--- json\n", m);
		domcfg_print_json(&dc, m);
	} else {
		fputs("--- rejected\n", m);
	}
	domcfg_free(&dc);
	fclose(m);

	snprintf(path, sizeof(path), "%s.expected", name);
	expected = slurp(path);
	if (!expected)
		fail_msg("%s is missing; the output was:\n%s", path, out);
	if (strcmp(out, expected))
		fail_msg("%s.cfg: output differs from %s\n--- got:\n%s--- expected:\n%s", name,
			 path, out, expected);
	free(expected);
	free(overrides);
	free(out);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	char exe[PATH_MAX], dir[PATH_MAX + 32];
	struct CMUnitTest *tests = NULL;
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d;
	ssize_t len;
	int rc;

	/* build/tests/test_xl_cfg -> tests/xl-cfg of the same tree */
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len < 0)
		return 1;
	exe[len] = '\0';
	snprintf(dir, sizeof(dir), "%s/../../tests/xl-cfg", dirname(exe));
	if (chdir(dir)) {
		fprintf(stderr, "test_xl_cfg: cannot enter %s: %s\n", dir, strerror(errno));
		return 1;
	}
	d = opendir(".");
	if (!d)
		return 1;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l > 4 && !strcmp(e->d_name + l - 4, ".cfg")) {
			names = realloc(names, (n + 1) * sizeof(*names));
			names[n++] = strndup(e->d_name, l - 4);
		}
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "test_xl_cfg: no cases in %s\n", dir);
		return 1;
	}
	qsort(names, n, sizeof(*names), by_name);
	tests = calloc(n, sizeof(*tests));
	for (size_t i = 0; i < n; i++) {
		tests[i].name = names[i];
		tests[i].test_func = check_case;
		tests[i].initial_state = names[i];
	}
	rc = _cmocka_run_group_tests("xl-cfg golden", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return rc;
}
