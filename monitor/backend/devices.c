/*
 * The domain's devices (devices.h): configured disks and their backends.
 */
#include "devices.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctl.h>
#include <disk_spec.h>

#include "blkback.h"
#include "grant_access.h"

#define MAX_DISKS 64

struct disk {
	struct disk_spec spec;
	struct blkback *b;	/* NULL while the domain is not built */
};

static struct {
	struct disk disk[MAX_DISKS];
	unsigned int nr;
	bool started;
} dev;

static struct disk *find_devid(unsigned int devid)
{
	for (unsigned int i = 0; i < dev.nr; i++)
		if (dev.disk[i].spec.devid == devid)
			return &dev.disk[i];
	return NULL;
}

static int add(const struct disk_spec *s, char *err, size_t errlen)
{
	if (find_devid(s->devid)) {
		snprintf(err, errlen, "vdev %s (device %u) already exists", s->vdev, s->devid);
		return -1;
	}
	if (dev.nr == MAX_DISKS) {
		snprintf(err, errlen, "no more than %d disks", MAX_DISKS);
		return -1;
	}
	dev.disk[dev.nr++] = (struct disk){.spec = *s};
	return 0;
}

static void forget(struct disk *k)
{
	*k = dev.disk[--dev.nr];
}

int devices_add_disk(const char *spec, char *err, size_t errlen)
{
	struct disk_spec s;
	char why[256];

	if (disk_spec_parse(spec, &s, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "disk '%s': %s", spec, why);
		return -1;
	}
	return add(&s, err, errlen);
}

static int start_disk(struct domain *d, struct disk *k, char *err, size_t errlen)
{
	char why[200];

	k->b = blkback_create(d, &k->spec, why, sizeof(why));
	if (!k->b) {
		snprintf(err, errlen, "disk %.31s: %s", k->spec.vdev, why);
		return -1;
	}
	return 0;
}

int devices_start(struct domain *d, char *err, size_t errlen)
{
	if (grant_access_init(d) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	dev.started = true;
	for (unsigned int i = 0; i < dev.nr; i++) {
		if (start_disk(d, &dev.disk[i], err, errlen) < 0) {
			devices_stop(d);
			return -1;
		}
	}
	return 0;
}

void devices_stop(struct domain *d)
{
	if (!dev.started)
		return;
	for (unsigned int i = 0; i < dev.nr; i++) {
		blkback_destroy(dev.disk[i].b);
		dev.disk[i].b = NULL;
	}
	grant_access_destroy(d);
	dev.started = false;
}

/* ---- control requests -------------------------------------------------------- */

static void block_list(struct domain *d, int fd)
{
	char line[CTL_LINE_MAX];

	for (unsigned int i = 0; i < dev.nr; i++) {
		struct blkback_info info;

		if (!dev.disk[i].b)
			continue;
		blkback_info(dev.disk[i].b, &info);
		snprintf(line, sizeof(line), "disk %u 0 %u %d %d %d %s", info.devid, d->domid,
			 info.state, info.evtch, info.ring_ref, info.be_path);
		ctl_send_line(fd, line);
	}
	ctl_send_line(fd, "end");
}

static void block_attach(struct domain *d, int fd, const char *spec)
{
	char err[CTL_LINE_MAX];
	struct disk_spec s;
	char why[200];

	if (disk_spec_parse(spec, &s, why, sizeof(why)) < 0) {
		ctl_send_error(fd, why);
		return;
	}
	if (!dev.started) {
		ctl_send_error(fd, "the domain is not running");
		return;
	}
	if (add(&s, err, sizeof(err)) < 0 || start_disk(d, &dev.disk[dev.nr - 1], err,
							 sizeof(err)) < 0) {
		if (find_devid(s.devid) && !find_devid(s.devid)->b)
			forget(find_devid(s.devid));
		ctl_send_error(fd, err);
		return;
	}
	mlog(d, "blkback: %s attached (%s)", s.vdev, s.target);
	ctl_send_ok(fd);
}

/* The frontend closed: the disk leaves the configuration. */
static void disk_gone(struct blkback *b, void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < dev.nr; i++) {
		if (dev.disk[i].b == b) {
			forget(&dev.disk[i]);
			return;
		}
	}
}

static void block_detach(int fd, const char *args)
{
	char name[DISK_SPEC_VDEV_MAX], extra[16] = "";
	unsigned int devid;
	struct disk *k;
	bool force;
	int n = sscanf(args, "%31s %15s", name, extra);

	force = n == 2 && !strcmp(extra, "force");
	if (n < 1 || (n == 2 && !force) || disk_vdev_to_devid(name, &devid) < 0) {
		ctl_send_error(fd, "usage: block-detach <vdev|devid> [force]");
		return;
	}
	k = find_devid(devid);
	if (!k || !k->b) {
		ctl_send_error(fd, "no such disk");
		return;
	}
	if (force) {
		blkback_destroy(k->b);
		forget(k);
	} else if (blkback_close(k->b, disk_gone, NULL) < 0) {
		ctl_send_error(fd, "cannot write the backend's state");
		return;
	}
	ctl_send_ok(fd);
}

bool devices_control(struct domain *d, int fd, const char *line)
{
	if (!strcmp(line, "block-list"))
		block_list(d, fd);
	else if (!strncmp(line, "block-attach ", 13))
		block_attach(d, fd, line + 13);
	else if (!strncmp(line, "block-detach ", 13))
		block_detach(fd, line + 13);
	else
		return false;
	return true;
}
