/*
 * HYPERVISOR_vcpu_op: bringing vCPUs up and down, VCPUOP_initialise for
 * SMP, where vcpu_info lives, the runstate and time areas, per-vCPU timers
 * and NMIs.
 */
#ifndef MONITOR_PV_VCPU_OP_H
#define MONITOR_PV_VCPU_OP_H

#include "../domain.h"

struct vcpu_op_vcpu {
	pthread_mutex_t lock;	/* the fields below; taken last */
	bool initialised;	/* vCPU 0 by the builder, others by VCPUOP_initialise */
	struct vcpu_guest_context *initial;	/* from VCPUOP_initialise, until taken */
	struct vcpu_info *vcpu_info;	/* registered location (atomic), NULL: shared_info */
	int nmi_pending;	/* atomic */
};

/*
 * The context a VCPUOP_initialise gave v, once. It was checked as Xen does,
 * and its GDT and page tables are already v's (segments_set_gdt,
 * mmu_vcpu_set_tables); the run loop loads the rest (registers, kernel or
 * user mode, trap table, callbacks, kernel stack, segment bases, LDT, FPU)
 * before v first runs after coming up. Any thread.
 */
bool vcpu_take_initial_context(struct vcpu *v, struct vcpu_guest_context *out);

/* An NMI was sent to v (VCPUOP_send_nmi), once: deliver it to v's NMI callback. */
bool vcpu_take_nmi(struct vcpu *v);

long do_vcpu_op(struct vcpu *v, const uint64_t arg[5]);

#endif /* MONITOR_PV_VCPU_OP_H */
