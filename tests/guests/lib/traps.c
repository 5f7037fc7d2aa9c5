/* The virtual IDT of the test guests and the C side of every entry. */
#include "guest.h"
#include "events.h"
#include "hypercall.h"
#include "traps.h"
#include "user.h"

volatile struct trap_record last_trap;
volatile uint64_t trap_fixup, probe_insn, probe_next, probe_rsp;
bool (*trap_hook)(struct trap_frame *f);

#define TRAP(vec, fn) { .vector = (vec), .flags = 0, .cs = FLAT_KERNEL_CS, .address = (uint64_t)(fn) }

/* Zero-terminated, as set_trap_table expects. */
struct trap_info trap_table[] = {
	TRAP(0, entry_DE),  TRAP(1, entry_DB),	 TRAP(2, entry_NMI), TRAP(3, entry_BP),
	TRAP(4, entry_OF),  TRAP(5, entry_BR),	 TRAP(6, entry_UD),  TRAP(7, entry_NM),
	TRAP(8, entry_DF),  TRAP(10, entry_TS), TRAP(11, entry_NP), TRAP(12, entry_SS),
	TRAP(13, entry_GP), TRAP(14, entry_PF), TRAP(16, entry_MF), TRAP(17, entry_AC),
	TRAP(18, entry_MC), TRAP(19, entry_XM), { 0 },
};

void traps_init(void)
{
	long rc = HYPERVISOR_set_trap_table(PTR(trap_table));

	if (rc)
		report_crash("set_trap_table failed: %ld", rc);
}

void trap_reset(void)
{
	memset((void *)&last_trap, 0, sizeof(last_trap));
}

static void record(const struct trap_frame *f)
{
	last_trap.count++;
	last_trap.vector = f->vector;
	last_trap.error_code = f->error_code;
	last_trap.rip = f->rip;
	last_trap.cs = f->cs;
	last_trap.rflags = f->rflags;
	last_trap.rsp = f->rsp;
	last_trap.ss = f->ss;
	last_trap.frame_addr = (uint64_t)&f->rip;
	last_trap.cr2 = f->vector == X86_EXC_PF ? vcpu0_info->arch.cr2 : 0;
}

void user_exit_to_kernel(struct trap_frame *f, long ret)
{
	f->rip = (uint64_t)user_return;
	f->cs = FLAT_KERNEL_CS & ~3UL; /* RPL 0: stay in kernel mode */
	f->rsp = user_return_rsp;
	f->ss = FLAT_KERNEL_SS;
	f->rax = ret;
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	if (f->vector == TRAP_EVENT) {
		events_upcall();
		return;
	}
	record(f);
	if (f->vector == TRAP_SYSCALL && f->rax == USER_EXIT && frame_from_user(f)) {
		user_exit_to_kernel(f, f->rdi);
		return;
	}
	if (trap_hook && trap_hook(f))
		return;
	if (trap_fixup) {
		f->rip = trap_fixup;
		trap_fixup = 0;
		return;
	}
	report_crash("unexpected trap: vector %#lx error %#lx at %#lx (cs %#lx) cr2 %#lx", f->vector,
		     f->error_code, f->rip, f->cs, last_trap.cr2);
}
