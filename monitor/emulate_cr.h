/* Control-register moves by the guest kernel, emulated as Xen does for PV. */
#ifndef MONITOR_EMULATE_CR_H
#define MONITOR_EMULATE_CR_H

#include "domain.h"

#define GUEST_CR0 0x80050033ULL	/* PG AM WP NE ET MP PE, as the vCPU runs */
#define GUEST_CR4_DEFAULT 0x620ULL	/* PAE OSFXSR OSXMMEXCPT */

/* A #GP at a `mov %crN,reg` / `mov reg,%crN` in guest kernel mode: emulate
 * it and return true; false leaves the #GP to be delivered. */
bool emulate_cr_access(struct vcpu *v);

#endif
