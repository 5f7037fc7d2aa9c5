/* Exception, syscall and event delivery to a PV guest kernel (Xen's bounce
 * frames), and the hypercalls that configure them. */
#ifndef MONITOR_TRAPS_H
#define MONITOR_TRAPS_H

#include "domain.h"

/* Bounce the interrupted context in v->regs to handler `eip` on the guest
 * kernel stack. cs/ss: the interrupted selectors. 0 or -1 (domain crashed). */
int pv_bounce(struct vcpu *v, uint64_t eip, uint16_t cs, uint16_t ss, bool has_err, uint32_t err,
	      bool mask_events);
/* A guest user-mode `syscall`: bounce to the registered syscall callback
 * (none: #UD at the syscall instruction, as Xen raises it). */
void pv_user_syscall(struct vcpu *v);
/* A hypercall-page slot run in guest user mode (its doorbell store exited):
 * Xen's slot would have run `syscall`, so this is a user syscall too. */
void pv_user_hypercall_page(struct vcpu *v);
/* A software interrupt `int n` from the guest: deliver or #GP as Xen does. */
void pv_soft_interrupt(struct vcpu *v, unsigned int n, unsigned int insn_len);

long do_set_trap_table(struct vcpu *v, const uint64_t arg[5]);
long do_iret(struct vcpu *v, const uint64_t arg[5]);
long do_stack_switch(struct vcpu *v, const uint64_t arg[5]);
long do_set_callbacks(struct vcpu *v, const uint64_t arg[5]);
long do_callback_op(struct vcpu *v, const uint64_t arg[5]);
long do_fpu_taskswitch(struct vcpu *v, const uint64_t arg[5]);

#endif /* MONITOR_TRAPS_H */
