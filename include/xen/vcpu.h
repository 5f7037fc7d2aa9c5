/* HYPERVISOR_vcpu_op: per-vCPU control, runstate, timers, vcpu_info. */
#ifndef XEN_VCPU_H
#define XEN_VCPU_H

#include <xen/abi.h>

#define VCPUOP_initialise 0 /* struct vcpu_guest_context */
#define VCPUOP_up 1
#define VCPUOP_down 2
#define VCPUOP_is_up 3
#define VCPUOP_get_runstate_info 4 /* struct vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer 6
#define VCPUOP_stop_periodic_timer 7
#define VCPUOP_set_singleshot_timer 8
#define VCPUOP_stop_singleshot_timer 9
#define VCPUOP_register_vcpu_info 10
#define VCPUOP_send_nmi 11
#define VCPUOP_get_physid 12
#define VCPUOP_register_vcpu_time_memory_area 13
#define VCPUOP_register_runstate_phys_area 14
#define VCPUOP_register_vcpu_time_phys_area 15

#define RUNSTATE_running 0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked 2
#define RUNSTATE_offline 3

/* Set in state_entry_time while Xen updates the area (VMASST runstate_update_flag). */
#define XEN_RUNSTATE_UPDATE (1ULL << 63)

/* Fail with -ETIME if the timeout is already in the past. */
#define _VCPU_SSHOTTMR_future 0
#define VCPU_SSHOTTMR_future (1U << _VCPU_SSHOTTMR_future)

#ifndef __ASSEMBLER__

struct vcpu_runstate_info {
	int32_t state; /* RUNSTATE_* */
	uint64_t state_entry_time; /* system time of the last change */
	uint64_t time[4]; /* ns spent in each state */
};
XEN_CHECK_OFFSET(struct vcpu_runstate_info, state_entry_time, 8);
XEN_CHECK_OFFSET(struct vcpu_runstate_info, time, 16);
XEN_CHECK_SIZE(struct vcpu_runstate_info, 48);

/* Xen keeps the runstate at this guest VA up to date. */
struct vcpu_register_runstate_memory_area {
	uint64_t addr; /* guest VA of struct vcpu_runstate_info */
};
XEN_CHECK_SIZE(struct vcpu_register_runstate_memory_area, 8);

struct vcpu_set_periodic_timer {
	uint64_t period_ns;
};
XEN_CHECK_SIZE(struct vcpu_set_periodic_timer, 8);

struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns; /* system time */
	uint32_t flags; /* VCPU_SSHOTTMR_* */
};
XEN_CHECK_SIZE(struct vcpu_set_singleshot_timer, 16);

/* Move this vCPU's vcpu_info to mfn:offset (once only). */
struct vcpu_register_vcpu_info {
	uint64_t mfn;
	uint32_t offset;
	uint32_t rsvd; /* must be zero */
};
XEN_CHECK_SIZE(struct vcpu_register_vcpu_info, 16);

struct vcpu_get_physid {
	uint64_t phys_id;
};
XEN_CHECK_SIZE(struct vcpu_get_physid, 8);

struct vcpu_register_time_memory_area {
	uint64_t addr; /* guest VA of struct vcpu_time_info */
};
XEN_CHECK_SIZE(struct vcpu_register_time_memory_area, 8);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_VCPU_H */
