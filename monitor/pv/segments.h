/*
 * Descriptor tables and segment bases of a 64-bit PV guest: set_gdt,
 * update_descriptor and set_segment_base, with Xen's descriptor rules.
 */
#ifndef MONITOR_PV_SEGMENTS_H
#define MONITOR_PV_SEGMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "../domain.h"

long do_set_gdt(struct vcpu *v, const uint64_t arg[5]);
long do_update_descriptor(struct vcpu *v, const uint64_t arg[5]);
long do_set_segment_base(struct vcpu *v, const uint64_t arg[5]);

/* Xen's pv_set_gdt, for VCPUOP_initialise: make frames[] (entries
 * descriptors) target's GDT, mapped into its GDT window; cur is the calling
 * vCPU. Takes mmu_lock. 0 or -XEN_EINVAL. */
int segments_set_gdt(struct vcpu *cur, struct vcpu *target, const uint64_t *frames,
		     unsigned int entries);
/* Drop target's GDT frames (VCPUOP_down after reset, teardown). */
void segments_destroy_gdt(struct vcpu *cur, struct vcpu *target);

/* Xen's check_descriptor for a 64-bit PV guest: whether *desc is safe to
 * load, after raising its DPL to 3 (call gates: DPL 0, the DPL kept in the
 * target selector's RPL). Fixes *desc up in place when it is. */
bool pv_check_descriptor(uint64_t *desc);
/* Check and fix up all 512 descriptors of RAM frame mfn (a frame becoming
 * a descriptor page): 0 or -XEN_EINVAL. Called by mmu.c, mmu_lock held. */
int segdesc_validate_frame(struct domain *d, uint64_t mfn);

#endif /* MONITOR_PV_SEGMENTS_H */
