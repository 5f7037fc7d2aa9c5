/*
 * Program paths and directories.
 */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int xl_helper_path(const char *env, const char *name, char *buf, size_t len)
{
	const char *v = getenv(env);
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;
	int w;

	if (v && *v) {
		w = snprintf(buf, len, "%s", v);
		return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	w = snprintf(buf, len, "%s/%s", exe, name);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

int xl_script_path(const char *script, char *buf, size_t len)
{
	char dir[PATH_MAX], real[PATH_MAX];
	int w, rc;

	if (script[0] == '/') {
		w = snprintf(buf, len, "%s", script);
		return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
	}
	rc = xl_helper_path("XENO_SCRIPT_DIR", "../../scripts", dir, sizeof(dir));
	if (rc)
		return rc;
	if (!realpath(dir, real))
		return -errno;
	w = snprintf(buf, len, "%s/%s", real, script);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}
