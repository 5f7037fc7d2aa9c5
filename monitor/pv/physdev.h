/*
 * HYPERVISOR_physdev_op for a PV domU without devices: the virtual IOPL and
 * I/O bitmap, the pirq EOI page, the pirq numbers a domU may allocate, and
 * Xen's refusals for everything that needs a device or privilege.
 */
#ifndef MONITOR_PV_PHYSDEV_H
#define MONITOR_PV_PHYSDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "../domain.h"

/*
 * Xen gives a domU nr_irqs_gsi + 32 pirqs (extra_domU_irqs); nr_irqs_gsi
 * is the host's GSI count, 24 on a machine with one IO-APIC.
 */
#define PV_NR_IRQS_GSI 24
#define PV_NR_PIRQS (PV_NR_IRQS_GSI + 32)

/* Per-domain state; lives in the MMU state (d->mmu), under mmu_lock. */
struct physdev_state {
	bool eoi_map_set;	/* PHYSDEVOP_pirq_eoi_gmfn_v1/v2 done */
	bool auto_unmask;	/* v1: EOI also unmasks the event channel */
	uint64_t eoi_map_mfn;	/* holds a writable type reference */
	uint8_t pirq_allocated[(PV_NR_PIRQS + 7) / 8];
};

long do_physdev_op(struct vcpu *v, const uint64_t arg[5]);
long do_physdev_op_compat(struct vcpu *v, const uint64_t arg[5]);

#endif /* MONITOR_PV_PHYSDEV_H */
