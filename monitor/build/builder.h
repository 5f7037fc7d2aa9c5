/*
 * The domain builder: loads a Xen PV kernel (ELF, or a bzImage whose payload
 * is one) and lays out the domain the way Xen's builder does for an x86_64
 * PV guest: kernel, ramdisk, P2M list, start_info, xenstore and console
 * pages, bootstrap page tables, boot stack; then shared_info, the hypercall
 * page and the initial vCPU state.
 */
#ifndef MONITOR_BUILDER_H
#define MONITOR_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "../domain.h"

struct build_config {
	const char *kernel;	/* path */
	const char *ramdisk;	/* path or NULL */
	const char *cmdline;	/* or NULL */
	uint64_t memory_mib;
	unsigned int vcpus;
};

/* Create the VM, guest RAM, hypervisor area and vCPU 0's start state.
 * d->domid and d->name are set by the caller. On failure: -1 and a
 * readable reason in err (bad ELF, too little memory, no /dev/kvm ...). */
int domain_build(struct domain *d, const struct build_config *cfg, char *err, size_t errlen);
/* Undo domain_build (the domain's vCPU threads must have stopped). */
void domain_teardown(struct domain *d);

#endif /* MONITOR_BUILDER_H */
