/* Emulation of what a PV guest kernel may trap on: CPUID through Xen's
 * forced-emulation prefix, the MSRs Xen emulates for PV, `int n`. */
#ifndef MONITOR_EMULATE_H
#define MONITOR_EMULATE_H

#include "domain.h"

/* Called for every guest exception before it is bounced. Returns true if
 * the exception was consumed (emulated, or turned into another delivery). */
bool emulate_exception(struct vcpu *v, unsigned int vec, uint32_t err);

/* Xen's CPUID view for a PV guest (leaf, subleaf) -> eax..edx. */
void emulate_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif /* MONITOR_EMULATE_H */
