/*
 * A PV domain's configuration, taken from a parsed xl.cfg the way Xen's xl
 * takes it (defaults, precedence, messages).
 */
#ifndef XL_DOMCFG_H
#define XL_DOMCFG_H

#include <stdio.h>

#include "cfg.h"
#include "disk_spec.h"
#include "vif_spec.h"

/* Largest vcpus/maxvcpus xl accepts; the monitor may accept fewer. */
#define DOMCFG_MAX_VCPUS 4096
/* Longest domain name (the control protocol's limit). */
#define DOMCFG_NAME_MAX 127

struct domain_config {
	char *name;
	char *kernel; /* as written in the file (NULL if none) */
	char *ramdisk;
	char *cmdline;	 /* cmdline=, or composed from root= and extra= */
	long memory_mib; /* memory= (target) */
	long maxmem_mib; /* maxmem= */
	int vcpus;	 /* vcpus= (online at boot) */
	int max_vcpus;	 /* maxvcpus= */
	/* Xen's action names: destroy, restart, rename-restart, preserve,
	 * coredump-destroy, coredump-restart, soft-reset. */
	const char *on_poweroff, *on_reboot, *on_watchdog, *on_crash, *on_soft_reset;
	struct disk_spec *disks;	/* disk=, in order */
	int nr_disks;
	/* vif= items with libxl's defaults resolved (devid, mac, bridge,
	 * script name, mtu) */
	struct vif_spec *vifs;
	int nr_vifs;
};

/* Fill dc from cfg. Messages go to err in Xen's words; -EINVAL where Xen's
 * xl would have exited, -ENOMEM. dc must be freed either way. */
int domcfg_from_cfg(const struct cfg *cfg, struct domain_config *dc, FILE *err);
void domcfg_free(struct domain_config *dc);

/* The configuration as `xl create -n` prints it: the part of libxl's JSON
 * domain configuration that xeno uses, defaults resolved. */
void domcfg_print_json(const struct domain_config *dc, FILE *out);

/* Whether name can name a domain (also a file name and one protocol line):
 * 1..DOMCFG_NAME_MAX printable characters, no '/'. */
int domcfg_valid_name(const char *name);

#endif /* XL_DOMCFG_H */
