/*
 * Hypercalls through the hypercall page that the domain builder fills:
 * slot N at hypercall_page + 32 * N, arguments in rdi, rsi, rdx, r10, r8,
 * result in rax. The slot preserves rcx and r11; Xen may clobber the
 * argument registers, so they are all in/out operands here.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>

#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/xen.h>

extern char hypercall_page[4096];

static inline long hypercall(unsigned int nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			     uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a4;
	register uint64_t r8 __asm__("r8") = a5;
	long ret;

	__asm__ __volatile__("call *%[slot]"
			     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
			     : [slot] "r"(hypercall_page + nr * XEN_HYPERCALL_SLOT_SIZE)
			     : "rcx", "r11", "memory", "cc");
	return ret;
}

#define hypercall0(nr) hypercall((nr), 0, 0, 0, 0, 0)
#define hypercall1(nr, a) hypercall((nr), (uint64_t)(a), 0, 0, 0, 0)
#define hypercall2(nr, a, b) hypercall((nr), (uint64_t)(a), (uint64_t)(b), 0, 0, 0)
#define hypercall3(nr, a, b, c) hypercall((nr), (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), 0, 0)
#define hypercall4(nr, a, b, c, d)                                                                 \
	hypercall((nr), (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d), 0)

/*
 * Typed wrappers. Pointer arguments are plain uint64_t guest addresses so
 * that tests can pass bad ones on purpose.
 */
static inline long HYPERVISOR_console_io(int cmd, unsigned int count, uint64_t buf)
{
	return hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}
static inline long HYPERVISOR_xen_version(int cmd, uint64_t arg)
{
	return hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}
static inline long HYPERVISOR_sched_op(int cmd, uint64_t arg)
{
	return hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}
static inline long HYPERVISOR_set_trap_table(uint64_t table)
{
	return hypercall1(__HYPERVISOR_set_trap_table, table);
}
static inline long HYPERVISOR_callback_op(int cmd, uint64_t arg)
{
	return hypercall2(__HYPERVISOR_callback_op, cmd, arg);
}
static inline long HYPERVISOR_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall)
{
	return hypercall3(__HYPERVISOR_set_callbacks, event, failsafe, syscall);
}
static inline long HYPERVISOR_stack_switch(uint64_t ss, uint64_t sp)
{
	return hypercall2(__HYPERVISOR_stack_switch, ss, sp);
}
static inline long HYPERVISOR_mmu_update(uint64_t reqs, unsigned int count, uint64_t done,
					 unsigned int domid)
{
	return hypercall4(__HYPERVISOR_mmu_update, reqs, count, done, domid);
}
static inline long HYPERVISOR_mmuext_op(uint64_t ops, unsigned int count, uint64_t done,
					unsigned int domid)
{
	return hypercall4(__HYPERVISOR_mmuext_op, ops, count, done, domid);
}
static inline long HYPERVISOR_update_va_mapping(uint64_t va, uint64_t pte, uint64_t flags)
{
	return hypercall3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}
static inline long HYPERVISOR_set_segment_base(int which, uint64_t base)
{
	return hypercall2(__HYPERVISOR_set_segment_base, which, base);
}
static inline long HYPERVISOR_set_gdt(uint64_t frame_list, unsigned int entries)
{
	return hypercall2(__HYPERVISOR_set_gdt, frame_list, entries);
}
static inline long HYPERVISOR_update_descriptor(uint64_t maddr, uint64_t desc)
{
	return hypercall2(__HYPERVISOR_update_descriptor, maddr, desc);
}
static inline long HYPERVISOR_fpu_taskswitch(int set)
{
	return hypercall1(__HYPERVISOR_fpu_taskswitch, set);
}
static inline long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
	return hypercall2(__HYPERVISOR_vm_assist, cmd, type);
}
static inline long HYPERVISOR_multicall(uint64_t calls, unsigned int count)
{
	return hypercall2(__HYPERVISOR_multicall, calls, count);
}
static inline long HYPERVISOR_memory_op(unsigned int cmd, uint64_t arg)
{
	return hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}
static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, uint64_t arg)
{
	return hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}
static inline long HYPERVISOR_event_channel_op(int cmd, uint64_t arg)
{
	return hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}
static inline long HYPERVISOR_grant_table_op(unsigned int cmd, uint64_t args, unsigned int count)
{
	return hypercall3(__HYPERVISOR_grant_table_op, cmd, args, count);
}
static inline long HYPERVISOR_physdev_op(int cmd, uint64_t arg)
{
	return hypercall2(__HYPERVISOR_physdev_op, cmd, arg);
}
static inline long HYPERVISOR_set_timer_op(uint64_t timeout_abs_ns)
{
	return hypercall1(__HYPERVISOR_set_timer_op, timeout_abs_ns);
}

#define PTR(p) ((uint64_t)(uintptr_t)(p))

static inline long evtchn_send(evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, PTR(&send));
}

#endif /* GUEST_HYPERCALL_H */
