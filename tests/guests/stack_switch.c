/*
 * HYPERVISOR_stack_switch: the kernel stack Xen uses for entries from user
 * mode. Frames land 16-byte aligned right below the registered stack
 * pointer; entries from kernel mode stay on the current stack.
 */
#include "guest.h"
#include "hypercall.h"
#include "traps.h"
#include "user.h"

const char test_title[] = "stack_switch";

#define NR_PING 0x50

static uint8_t stack_a[4096] __page_aligned_bss;
static uint8_t stack_b[4096] __page_aligned_bss;
static uint64_t syscall_frame;

static bool hook(struct trap_frame *f)
{
	if (f->vector != TRAP_SYSCALL || !frame_from_user(f))
		return false;
	syscall_frame = (uint64_t)&f->rip;
	f->rax = 0;
	return true;
}

static void user_ping(void)
{
	user_syscall(NR_PING, 0);
	user_syscall(USER_EXIT, 0);
}

/* Register sp, enter user mode, and see where the syscall's frame landed. */
static void check_stack(uint64_t ss, uint64_t sp, const char *what)
{
	check_eq(HYPERVISOR_stack_switch(ss, sp), 0, "stack_switch to %s", what);
	syscall_frame = 0;
	run_user(user_ping, false);
	check_eq(syscall_frame, (sp & ~15UL) - 40, "entry from user mode lands on %s", what);
}

void guest_main(void)
{
	if (!check_eq(user_mode_init(), 0, "user mode set up"))
		return;
	trap_hook = hook;

	check_stack(FLAT_KERNEL_SS, (uint64_t)stack_a + sizeof(stack_a), "stack A");
	check_stack(FLAT_KERNEL_SS, (uint64_t)stack_b + sizeof(stack_b), "stack B");
	check_stack(FLAT_KERNEL_SS, (uint64_t)stack_a + 1000, "an unaligned stack pointer");
	/* Xen forces the selector's RPL; the call succeeds. */
	check_stack(FLAT_KERNEL_SS & ~3UL, (uint64_t)stack_b + sizeof(stack_b), "stack B with RPL 0 ss");

	/* From kernel mode the frame goes on the current stack, not the registered one. */
	trap_reset();
	PROBE("int3");
	check_eq(last_trap.frame_addr, (probe_rsp & ~15UL) - 40,
		 "an entry from kernel mode stays on the current stack");
	trap_hook = NULL;
}
