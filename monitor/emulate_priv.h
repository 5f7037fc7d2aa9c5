/*
 * What Xen's pv_emulate_privileged_op does for a PV guest that took #GP(0):
 * the privileged instructions a PV kernel may use (control and debug
 * register moves, clts, wbinvd, rdmsr and wrmsr of the MSRs Xen emulates)
 * and port I/O, cli and sti under the virtual IOPL or I/O bitmap.
 */
#ifndef MONITOR_EMULATE_PRIV_H
#define MONITOR_EMULATE_PRIV_H

#include "domain.h"

/* Emulate the instruction at the guest's rip. Returns true if the #GP is
 * consumed: emulated, or another exception delivered in its place (#UD,
 * #PF, #DB after a single-stepped instruction); false leaves the #GP(0)
 * for the guest. */
bool emulate_privileged_op(struct vcpu *v);

/* The guest's CR0 as it reads it (its virtual TS included). */
uint64_t emulate_guest_cr0(const struct vcpu *v);

#endif /* MONITOR_EMULATE_PRIV_H */
