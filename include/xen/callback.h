/* HYPERVISOR_callback_op: where Xen enters the guest kernel. */
#ifndef XEN_CALLBACK_H
#define XEN_CALLBACK_H

#include <xen/abi.h>

#define CALLBACKTYPE_event 0 /* event upcall */
#define CALLBACKTYPE_failsafe 1 /* a bad segment on return to the guest */
#define CALLBACKTYPE_syscall 2 /* 64-bit syscall from guest user mode */
#define CALLBACKTYPE_sysenter_deprecated 3
#define CALLBACKTYPE_nmi 4
#define CALLBACKTYPE_sysenter 5
#define CALLBACKTYPE_syscall32 7

/* Mask events (vcpu_info.evtchn_upcall_mask) when entering the callback. */
#define _CALLBACKF_mask_events 0
#define CALLBACKF_mask_events (1U << _CALLBACKF_mask_events)

#define CALLBACKOP_register 0 /* struct callback_register */
#define CALLBACKOP_unregister 1 /* struct callback_unregister */

#ifndef __ASSEMBLER__

struct callback_register {
	uint16_t type; /* CALLBACKTYPE_* */
	uint16_t flags; /* CALLBACKF_* */
	uint64_t address; /* guest VA of the handler */
};
XEN_CHECK_OFFSET(struct callback_register, address, 8);
XEN_CHECK_SIZE(struct callback_register, 16);

struct callback_unregister {
	uint16_t type;
	uint16_t _unused;
};
XEN_CHECK_SIZE(struct callback_unregister, 4);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_CALLBACK_H */
