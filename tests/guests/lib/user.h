/*
 * Guest user mode: page tables for it (an L4 that shares the kernel's
 * lower levels, installed with MMUEXT_NEW_USER_BASEPTR), a kernel stack
 * for entries from it (HYPERVISOR_stack_switch), the syscall callback,
 * and a way in and out.
 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#include <stdbool.h>
#include <stdint.h>

/* The syscall number with which user code ends run_user(). */
#define USER_EXIT 0x7e7e

/* Where Xen puts frames for entries from user mode, unless a test moves it. */
extern uint8_t kernel_entry_stack[];
#define KERNEL_ENTRY_STACK_TOP ((uint64_t)kernel_entry_stack + 2 * 4096)

/* Set everything up; the first failing hypercall's result, else 0. */
long user_mode_init(void);

/*
 * Run fn in user mode on its own stack (events enabled there if asked)
 * until it calls user_syscall(USER_EXIT, value); returns value.
 */
long run_user(void (*fn)(void), bool events);

static inline long user_syscall(long nr, long arg)
{
	long ret;

	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(nr), "D"(arg) : "rcx", "r11", "memory");
	return ret;
}

#endif /* GUEST_USER_H */
