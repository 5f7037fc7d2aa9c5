/*
 * Xen's disk specification (xl-disk-configuration(5)): the strings in an
 * xl.cfg `disk = [...]` and the argument of `xl block-attach`, in both the
 * key=value form and the positional form (`target,format,vdev,access`,
 * with the deprecated `file:/path,xvda,w` prefixes and `hdc:cdrom`).
 *
 * xeno serves raw images (regular files or block devices) from the domain's
 * monitor; everything else is refused with a message saying what. xl parses
 * the user's spec and hands the monitor disk_spec_format()'s canonical
 * form, which the monitor parses again with the same code.
 */
#ifndef XENO_DISK_SPEC_H
#define XENO_DISK_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define DISK_SPEC_TARGET_MAX 1024
#define DISK_SPEC_VDEV_MAX 32

struct disk_spec {
	char target[DISK_SPEC_TARGET_MAX];	/* the image */
	char vdev[DISK_SPEC_VDEV_MAX];	/* the guest's name for it (xvda) */
	unsigned int devid;	/* Xen's device number of vdev */
	bool readonly;		/* access=ro */
	bool cdrom;		/* devtype=cdrom (read-only, removable) */
	bool discard;		/* discard requests allowed (default; no-discard clears) */
};

/* 0, or -1 with the reason in err (what was wrong or unsupported). */
int disk_spec_parse(const char *spec, struct disk_spec *out, char *err, size_t errlen);
/* The canonical key=value form, target last. The length it needs (as
 * snprintf). */
int disk_spec_format(const struct disk_spec *d, char *buf, size_t len);
/* libxl's device number of a vdev name (xvda, xvdb1, hda, sdc, d0p1, or a
 * number); 0, or -1 if it is not a valid name. */
int disk_vdev_to_devid(const char *vdev, unsigned int *devid);

#endif /* XENO_DISK_SPEC_H */
