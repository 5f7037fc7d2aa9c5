/*
 * Domid allocation under flock.
 */
#include "domid_alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "ctl.h"
#include "paths.h"

int domid_lock(void)
{
	char path[PATH_MAX];
	int fd, rc;

	rc = ctl_mkdirs(ctl_run_dir());
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/domid.lock", ctl_run_dir());
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			close(fd);
			return rc;
		}
	}
	return fd;
}

void domid_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int domid_pick(void)
{
	for (unsigned int id = 1; id <= CTL_DOMID_MAX; id++) {
		/* An error other than "nobody there" keeps the id taken. */
		if (ctl_domid_answers(id) == 0)
			return (int)id;
	}
	return -ENOSPC;
}
