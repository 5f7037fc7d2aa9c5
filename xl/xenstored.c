/*
 * Starting xenstored on demand, through lib/xs_client.
 */
#include "xenstored.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "xs_client.h"

int xenstored_ensure(void)
{
	char binary[PATH_MAX];
	struct xs_client *c;
	int rc;

	rc = xl_helper_path("XENO_XENSTORED", "xenstored", binary, sizeof(binary));
	if (rc || access(binary, X_OK) < 0)
		return 0;
	c = xs_client_open_or_start(binary);
	if (!c) {
		rc = -errno;
		fprintf(stderr, "xl: warning: no xenstored answers, and %s did not start: %s\n",
			binary, strerror(errno));
		return rc;
	}
	xs_client_close(c);
	return 0;
}
