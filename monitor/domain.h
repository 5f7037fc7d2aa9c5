/*
 * The state of one PV domain and its vCPUs, as the monitor keeps it, and the
 * internal interfaces every part of the monitor uses.
 *
 * Nothing here includes <linux/kvm.h>: the PV ABI code is plain C over
 * guest memory and a register file, so it can be unit-tested without a VM.
 */
#ifndef MONITOR_DOMAIN_H
#define MONITOR_DOMAIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <xen/xen.h>
#include <xen/arch-x86_64.h>

#include "exit_stats.h"

#define XENO_MAX_VCPUS 8
#define PAGE_SIZE 4096ULL
#define PAGE_SHIFT 12

/* Offsets in the doorbell page of the exits that our stubs raise with a
 * one-byte store there (see docs/monitor.md). */
#define DOORBELL_SYSCALL 0xf0	/* the LSTAR stub: a `syscall` happened */
#define DOORBELL_HYPERCALL 0xf1	/* a slot of the hypercall page */
#define DOORBELL_STORES_DONE 0xf2	/* the page-table store stub returned to the monitor */
#define DOORBELL_NOP 0xf3	/* a bare exit and nothing else (benchmarks) */
#define DOORBELL_EXCEPTION 0x80	/* 0x80 + vector: an exception stub (CPL0) */

/* The guest's general registers, saved at every exit. */
struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
};

/* Xen PV callbacks the guest registered (set_callbacks / callback_op). */
struct pv_callback {
	uint64_t eip;
	uint16_t flags;		/* CALLBACKF_mask_events */
};

enum vcpu_timer_kind { TIMER_SINGLESHOT, TIMER_PERIODIC, TIMER_NR };

struct domain;

struct vcpu {
	struct domain *d;
	unsigned int id;
	void *kvm;		/* struct kvm_vcpu (kvm/kvm.h) */
	pthread_t thread;
	bool thread_started;

	/* Architectural state the monitor owns while the vCPU is out of KVM. */
	struct vcpu_regs regs;
	bool regs_dirty;	/* write regs back before resuming */
	bool sregs_dirty;	/* CR3, CPL3 segments, FS/GS base must be written back */
	int exit_cpl;		/* CPL the vCPU stopped at (0 in a CPL0 stub) */
	bool in_transition;	/* a kick stopped it in a CPL0 stub or mid-exception */
	uint64_t cr2;

	/* Xen PV state (per vCPU). */
	bool online;
	bool kernel_mode;		/* guest kernel (true) or guest user mode */
	uint64_t guest_table;		/* kernel L4 mfn */
	uint64_t guest_table_user;	/* user L4 mfn, 0 if none */
	uint64_t fs_base, gs_base_kernel, gs_base_user;
	uint16_t gs_sel_user;
	uint64_t kernel_ss, kernel_sp;	/* stack_switch */
	struct trap_info traps[256];	/* set_trap_table; address 0 = none */
	struct pv_callback cb_event, cb_failsafe, cb_syscall;
	bool fpu_ts;			/* virtual CR0.TS (fpu_taskswitch) */
	uint64_t cr4;			/* the guest's view of CR4 */
	uint64_t dr[8];			/* set_debugreg values (dr4/dr5 unused) */
	uint64_t gdt_frames[FIRST_RESERVED_GDT_PAGE];
	unsigned int gdt_ents;
	uint64_t ldt_base;
	unsigned int ldt_ents;
	uint64_t vcpu_info_gpa;		/* where this vCPU's vcpu_info lives */
	uint64_t runstate_gva;		/* VCPUOP_register_runstate_memory_area, 0 = none */
	int64_t timer_deadline[TIMER_NR];	/* system time ns; 0 = not armed */
	uint64_t timer_period;			/* periodic timer period, ns */
	uint64_t cpu_time_ns;

	/* Scheduling. */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool blocked;		/* SCHEDOP_block / poll: sleeping until an event */
	uint32_t poll_ports[128];
	unsigned int nr_poll_ports;
	int64_t poll_deadline;	/* system time ns, 0 = none */
	volatile int running;	/* inside KVM_RUN */
	volatile int kick;	/* an event was raised: re-check before running */
	bool paused;

	/* Page-table stores queued for the CPL0 store stub (pt_store.c). */
	struct pt_store { uint64_t gpa, val; } pt_queue[256];
	unsigned int pt_queued;
	bool stub_return_pending;	/* a kick made the stub return to us */
	bool rekick;			/* kick again soon after the next entry */
	timer_t rekick_timer;		/* raises the kick signal on this thread */
	uint64_t stub_return_rip;	/* where the guest goes on from then */
	bool tlb_flush;		/* flush the guest TLB before resuming */

	uint64_t exits;
	struct exit_stats stats;	/* exit_stats.h */

	/* ---- pv/physdev.c: PHYSDEVOP_set_iopl / set_iobitmap ---- */
	unsigned int iopl;		/* virtual IOPL of the guest kernel, 0-3 */
	uint64_t iobmp;			/* guest VA of the I/O bitmap, 0 = none */
	unsigned int iobmp_nr;		/* ports it covers */

	/* ---- traps.c, emulate*.c: virtual CPU state Xen keeps for a PV vCPU ---- */
	uint64_t guest_cr2;		/* CR2 as the guest reads it (Xen's ctrlreg[2]) */
	bool nmi_masked;		/* an NMI is being handled: none until iret */
};

/* Domain lifecycle, as `xl list` shows it. */
enum domain_state { DOM_RUNNING, DOM_PAUSED, DOM_SHUTDOWN };

struct evtchn_state;	/* pv/evtchn.c */
struct mmu_state;	/* pv/mmu.c: frame types and pins */
struct hvarea;		/* hvarea.h */
struct console;		/* console.c */
struct grant_pins;	/* backend/grant_access.c */

struct domain {
	uint16_t domid;
	char name[64];
	void *kvm;		/* struct kvm_vm (kvm/kvm.h) */

	/* Guest RAM: frames [0, nr_pages) as a memfd mapped at ram. */
	int ram_fd;
	uint8_t *ram;
	uint64_t nr_pages;
	uint64_t max_pages;
	/* Hypervisor-owned frames [hv_base_pfn, hv_base_pfn + hv_nr_pages). */
	uint8_t *hv;
	uint64_t hv_base_pfn, hv_nr_pages;

	unsigned int nr_vcpus;
	struct vcpu vcpu[XENO_MAX_VCPUS];

	/* Boot layout, filled by the builder. */
	uint64_t start_info_pfn, store_pfn, console_pfn;
	uint64_t shared_info_pfn;	/* a hypervisor frame, as on Xen */
	struct shared_info *shared_info;
	uint32_t store_evtchn, console_evtchn;
	unsigned int gnttab_frames;	/* grant-table frames set up (v1) */
	bool trace;			/* XENO_TRACE=1: log every exit */
	uint64_t vm_assist;
	char cmdline[MAX_GUEST_CMDLINE];

	pthread_mutex_t lock;	/* event channels, grants, shutdown state */
	struct hvarea *hva;
	struct evtchn_state *evtchn;
	struct mmu_state *mmu;
	struct console *console;
	struct grant_pins *grant_pins;	/* backends' pins on the guest's grants */

	enum domain_state state;
	int shutdown_reason;	/* SHUTDOWN_* once shut down, else -1 */
	bool dying;
	int64_t boot_time_ns;	/* host CLOCK_MONOTONIC at build */
	uint64_t tsc_khz;
	int64_t tsc_offset;	/* guest TSC - host TSC */
	uint32_t tsc_mul;
	int8_t tsc_shift;

	/* ---- emulate_priv.c: the port latches Xen keeps for a domU ---- */
	uint8_t cmos_idx;	/* RTC index, port 0x70 */
	uint32_t pci_cf8;	/* PCI configuration address, port 0xcf8 */
};

static inline struct shared_info *domain_shared_info(struct domain *d)
{
	return d->shared_info;
}

/* The vcpu_info the guest currently uses for v (shared_info slot or the
 * area registered with VCPUOP_register_vcpu_info). */
struct vcpu_info *vcpu_info_of(struct vcpu *v);

/* An x86-64 virtual address whose bits 63:48 copy bit 47. */
static inline bool is_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/* General register n (0-15, in the x86 encoding's order) of a register file. */
static inline uint64_t *vcpu_gpr(struct vcpu_regs *r, unsigned int n)
{
	uint64_t *regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
			       &r->r8,  &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
	return regs[n & 15];
}

/* ---- guest memory (guest_mem.c) ------------------------------------------
 * Guest-physical addresses are checked as whole ranges; guest-virtual ones
 * are translated by walking the vCPU's current page tables in software.
 * All return 0 or -XEN_EFAULT. */
void *gpa_range(struct domain *d, uint64_t gpa, uint64_t len);
int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, uint64_t len);
int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, uint64_t len);
/* Translate one guest-virtual address (write: needs a writable mapping). */
int guest_va_to_gpa(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa);
/* The L4 (mfn) that the vCPU's current mode runs on. */
uint64_t vcpu_current_l4(struct vcpu *v);

/* ---- page-table stores in guest context (pt_store.c) ----------------------
 * Queue a store to a page-table page; pt_read sees queued values. The vCPU
 * makes the queued stores in its CPL0 store stub on its way back into the
 * guest (pt_enter_stores, after v->regs are loaded into KVM), or at once
 * (pt_flush: a KVM_RUN of the stub alone; 0 or -1, fatal). */
int pt_store(struct vcpu *v, uint64_t gpa, uint64_t val);
uint64_t pt_read(struct vcpu *v, uint64_t gpa);
int pt_enter_stores(struct vcpu *v);
int pt_flush(struct vcpu *v);
/* A kick stopped the vCPU at rip: if inside the store stub, have the stub
 * return to the monitor (true). At that exit, pt_stub_returned puts the
 * guest's rip back (true) or says the exit was not the stub's (false). */
bool pt_stub_interrupted(struct vcpu *v, uint64_t rip);
bool pt_stub_returned(struct vcpu *v);

/* ---- hypercalls (hypercall.c) --------------------------------------------- */
typedef long hypercall_fn(struct vcpu *v, const uint64_t arg[5]);
/* A handler that set the vCPU's registers itself (iret) returns this. */
#define HYPERCALL_NO_RETURN ((long)0x7fffffff00000001LL)
/* Dispatch one hypercall; returns the value for rax. */
long hypercall_dispatch(struct vcpu *v, unsigned int nr, const uint64_t arg[5]);
const char *hypercall_name(unsigned int nr);

/* ---- traps and bounces (traps.c) ----------------------------------------- */
/* Deliver exception `vec` to the guest kernel as Xen does (bounce frame). */
void pv_inject_exception(struct vcpu *v, unsigned int vec, bool has_err, uint32_t err);
/* Deliver a pending event upcall if unmasked; returns true if one was. */
bool pv_deliver_upcall(struct vcpu *v);
/* Switch between guest kernel and user mode (CR3, GS bases). */
void pv_toggle_mode(struct vcpu *v);

/* ---- lifecycle (domain.c) ------------------------------------------------- */
/* Guest asked to shut down (SCHEDOP_shutdown) or crashed: stop all vCPUs. */
void domain_shutdown(struct domain *d, int reason);
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Make a vCPU re-check for events (signal it out of KVM_RUN, wake it). */
void vcpu_kick(struct vcpu *v);
int64_t domain_system_time(struct domain *d);	/* ns since the domain was built */

/* ---- logging (monitor log and `xl dmesg`) ---------------------------------- */
void mlog(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Log a message once per call site (unimplemented hypercalls). */
#define mlog_once(d, ...)                                                                          \
	do {                                                                                       \
		static int once_;                                                                  \
		if (!__atomic_exchange_n(&once_, 1, __ATOMIC_RELAXED))                             \
			mlog(d, __VA_ARGS__);                                                      \
	} while (0)

#endif /* MONITOR_DOMAIN_H */
