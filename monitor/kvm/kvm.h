/*
 * The KVM layer: the only part of xeno that includes <linux/kvm.h>.
 * A VM with memory slots and vCPUs; each vCPU runs until an exit, which is
 * reported in our own terms.
 */
#ifndef MONITOR_KVM_H
#define MONITOR_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu_regs;
struct kvm_vm;
struct kvm_vcpu;

enum kvm_exit_kind {
	KEXIT_DOORBELL,		/* a one-byte store to the doorbell page */
	KEXIT_IGNORED,		/* any other access there: it did nothing */
	KEXIT_INTR,		/* interrupted by a signal (a kick) */
	KEXIT_SHUTDOWN,		/* triple fault */
	KEXIT_HLT,
	KEXIT_OTHER,		/* anything else: fatal for the domain */
};

struct kvm_exit {
	enum kvm_exit_kind kind;
	uint16_t doorbell;	/* the offset stored to, for KEXIT_DOORBELL */
	uint32_t raw_reason;	/* KVM's exit reason, for messages */
	uint64_t hw_reason;	/* KVM_EXIT_FAIL_ENTRY / internal error detail */
};

/* The segment and control state the PV code needs. */
struct vcpu_sregs {
	uint64_t cr0, cr2, cr3, cr4, efer;
	uint64_t fs_base, gs_base;
	uint16_t cs, ss, ds, es, fs, gs;
	int cpl;
};

/* Layout of the CPL0 side, fixed when the vCPU is created. */
struct kvm_cpu_tables {
	uint64_t gdt_base;	/* linear addresses in the hypervisor area */
	uint16_t gdt_limit;
	uint64_t idt_base;
	uint16_t idt_limit;
	uint64_t tss_base;
	uint32_t tss_limit;
	uint16_t tss_sel;
	uint64_t lstar;		/* syscall entry */
	uint16_t star_cs0;	/* STAR[47:32]: CPL0 selector pair for syscall */
	uint16_t star_cs3;	/* STAR[63:48]: base of the sysret selectors */
};

struct kvm_vm *kvm_vm_create(char *err, size_t errlen);
void kvm_vm_destroy(struct kvm_vm *vm);
int kvm_vm_add_memory(struct kvm_vm *vm, unsigned int slot, uint64_t gpa, uint64_t size, void *host);
/* The guest-physical page, outside every memory slot, whose one-byte
 * stores are reported as KEXIT_DOORBELL. */
void kvm_vm_set_doorbell(struct kvm_vm *vm, uint64_t gpa);

struct kvm_vcpu *kvm_vcpu_create(struct kvm_vm *vm, unsigned int id, const struct kvm_cpu_tables *t,
				 char *err, size_t errlen);
void kvm_vcpu_destroy(struct kvm_vcpu *c);
int kvm_vcpu_run(struct kvm_vcpu *c, struct kvm_exit *e);
int kvm_vcpu_get_regs(struct kvm_vcpu *c, struct vcpu_regs *r);
int kvm_vcpu_set_regs(struct kvm_vcpu *c, const struct vcpu_regs *r);
int kvm_vcpu_get_sregs(struct kvm_vcpu *c, struct vcpu_sregs *s);
/* Whether an exception or interrupt is on its way into the guest (KVM
 * stopped between raising it and delivering it through the IDT). */
bool kvm_vcpu_event_in_flight(struct kvm_vcpu *c);
/* Put the vCPU at CPL3 with s's cs, ss, cr3, fs_base, gs_base and CR0.TS
 * (from s->cr0); data selectors are left as the guest loaded them. With
 * flush, the guest TLB is flushed even if nothing changes. */
int kvm_vcpu_set_cpl3(struct kvm_vcpu *c, const struct vcpu_sregs *s, bool flush);
/* Enter at CPL0 with flat code and stack segments cs and ss (the rest of
 * the segment state as it is): for the monitor's CPL0 stubs. */
int kvm_vcpu_set_cpl0(struct kvm_vcpu *c, uint16_t cs, uint16_t ss);
uint64_t kvm_vcpu_tsc_khz(struct kvm_vcpu *c);
/* The CPUID the VM's vCPUs see (KVM's supported set, filtered for a PV
 * guest when the VM is created). Returns false for a leaf not in it. */
bool kvm_vm_cpuid(struct kvm_vm *vm, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* Make the vCPU leave KVM_RUN soon (from another thread: signal it too). */
void kvm_vcpu_request_exit(struct kvm_vcpu *c);
/* Install the kick signal handler (once per process). */
void kvm_install_kick_signal(int sig);

#endif /* MONITOR_KVM_H */
