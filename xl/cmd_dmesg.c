/*
 * xl dmesg [-c]: the hypervisor's log, $XENO_LOG_DIR/hypervisor.log.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "xl.h"

int main_dmesg(int argc, char **argv)
{
	static const struct option opts[] = {{"clear", 0, 0, 'c'}, XL_COMMON_LONG_OPTS};
	char path[PATH_MAX], buf[65536];
	bool clear = false;
	ssize_t n;
	int opt, fd;

	while ((opt = xl_getopt(argc, argv, "c", opts, "dmesg", 0)) != -1)
		if (opt == 'c')
			clear = true;
	snprintf(path, sizeof(path), "%s/hypervisor.log", ctl_log_dir());

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && !clear)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* No monitor has logged anything yet: an empty log. */
		if (errno == ENOENT)
			return EXIT_SUCCESS;
		fprintf(stderr, "xl: cannot read %s: %s\n", path, strerror(errno));
		return EXIT_FAILURE;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	fflush(stdout);
	if (n < 0) {
		fprintf(stderr, "xl: cannot read %s: %s\n", path, strerror(errno));
		close(fd);
		return EXIT_FAILURE;
	}
	/* Writers append (O_APPEND), so they carry on at the new end. */
	if (clear && ftruncate(fd, 0) < 0) {
		fprintf(stderr, "xl: cannot clear %s: %s\n", path, strerror(errno));
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);
	return EXIT_SUCCESS;
}
