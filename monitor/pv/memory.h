/*
 * HYPERVISOR_memory_op for a PV domU: reservations (ballooning), the
 * domain's memory map, and what Xen tells a guest about the M2P.
 */
#ifndef MONITOR_PV_MEMORY_H
#define MONITOR_PV_MEMORY_H

#include <stdint.h>

#include <xen/memory.h>

#include "../domain.h"

/* Per-domain state; lives in the MMU state (d->mmu), under mmu_lock. */
struct memory_state {
	/* XENMEM_set_memory_map; none: one RAM entry covering nr_pages */
	struct xen_e820_entry *e820;
	unsigned int nr_e820;
};

long do_memory_op(struct vcpu *v, const uint64_t arg[5]);

#endif /* MONITOR_PV_MEMORY_H */
