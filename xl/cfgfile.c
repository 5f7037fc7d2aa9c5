/*
 * An xl.cfg file plus command-line overrides -> struct domain_config.
 */
#include "cfgfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

/* Config files are small; this bounds what a mistaken path can cost. */
#define CFGFILE_MAX (16u << 20)

static int read_all(const char *path, char **data, size_t *len)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	/* Xen's xl reads nothing for /dev/null: the command line is the
	 * whole configuration. */
	if (!strcmp(path, "/dev/null"))
		goto out;
	f = fopen(path, "r");
	if (!f) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		if (n == cap) {
			char *nb;

			cap = cap ? cap * 2 : 4096;
			if (cap > CFGFILE_MAX) {
				rc = -EFBIG;
				goto out;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0) {
			if (ferror(f))
				rc = -EIO;
			break;
		}
	}
out:
	if (f)
		fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*data = buf;
	*len = n;
	return 0;
}

int cfgfile_load(const char *path, const char *overrides, FILE *report, struct domain_config *dc)
{
	struct cfg *cfg = NULL;
	char *data = NULL;
	size_t len = 0;
	int rc;

	memset(dc, 0, sizeof(*dc));
	rc = read_all(path, &data, &len);
	if (rc) {
		fprintf(report, "Failed to read config file: %s: %s\n", path, strerror(-rc));
		goto out;
	}
	if (overrides && *overrides) {
		/* Appended as "\n<overrides>\n", as Xen's xl does: line numbers
		 * in messages about them count on from the file's. */
		size_t olen = strlen(overrides);
		char *nd = realloc(data, len + olen + 3);

		if (!nd) {
			rc = -ENOMEM;
			goto out;
		}
		data = nd;
		data[len++] = '\n';
		memcpy(data + len, overrides, olen);
		len += olen;
		data[len++] = '\n';
	}
	cfg = cfg_new(report, path);
	if (!cfg) {
		rc = -ENOMEM;
		goto out;
	}
	rc = cfg_parse(cfg, data ? data : "", len);
	if (rc)
		fprintf(report, "Failed to parse config: %s\n", strerror(-rc));
	else
		rc = domcfg_from_cfg(cfg, dc, report);
out:
	cfg_free(cfg);
	free(data);
	return rc;
}
