/*
 * What the monitor does with an exception the guest raised before it is
 * bounced to the guest's handler, as Xen does in its trap handlers:
 * emulate it (privileged instructions, port I/O, CPUID through Xen's
 * forced-emulation prefix, loads from Xen's default M2P address), turn it
 * into what Xen would deliver (`int n`, a descriptor-table fault, #NM with
 * the virtual CR0.TS), or leave it to be bounced as it is.
 */
#ifndef MONITOR_EMULATE_H
#define MONITOR_EMULATE_H

#include "domain.h"

/* Called for every guest exception before it is bounced. Returns true if
 * the exception was consumed (emulated, or turned into another delivery). */
bool emulate_exception(struct vcpu *v, unsigned int vec, uint32_t err);

/* Xen's CPUID view for a PV guest (leaf, subleaf) -> eax..edx. */
void emulate_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* Read up to len instruction bytes at the guest's rip, stopping at the
 * first unreadable page; returns how many were read (0 if none). */
int emulate_fetch(struct vcpu *v, uint8_t *buf, unsigned int len);

#endif /* MONITOR_EMULATE_H */
