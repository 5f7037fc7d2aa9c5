/*
 * fpu_taskswitch: the guest's virtual CR0.TS. With TS set, the next x87 or
 * SSE instruction raises #NM in the guest; Xen clears TS as it delivers
 * it, so the instruction runs when the handler returns, with the FPU state
 * intact. CR0 reads (emulated) show TS; clts clears it.
 */
#include "guest.h"
#include "hypercall.h"
#include "traps.h"

const char test_title[] = "fpu_taskswitch and #NM";

#define X86_CR0_TS 0x8UL

static unsigned int nm_count;

static bool hook(struct trap_frame *f)
{
	if (f->vector != X86_EXC_NM)
		return false;
	nm_count++;
	return true; /* re-execute: Xen already cleared TS */
}

static uint64_t read_cr0(void)
{
	uint64_t v = 0;

	PROBE_OPS("movq %%cr0, %0", : "=r"(v));
	return v;
}

/* 1 + pi, computed on the x87 stack and stored as raw bits. */
static uint64_t one_plus_pi(bool switch_in_between)
{
	uint64_t bits;

	__asm__ __volatile__("fninit\n\tfld1\n\tfldpi" ::: "memory");
	if (switch_in_between)
		HYPERVISOR_fpu_taskswitch(1);
	__asm__ __volatile__("faddp\n\tfstpl %0" : "=m"(bits) : : "memory");
	return bits;
}

void guest_main(void)
{
	uint64_t expected;

	trap_hook = hook;
	check_eq(read_cr0() & X86_CR0_TS, 0, "CR0.TS starts clear");
	expected = one_plus_pi(false);
	check_eq(nm_count, 0, "x87 use without TS raises nothing");

	check_eq(HYPERVISOR_fpu_taskswitch(1), 0, "fpu_taskswitch(1)");
	check_eq(read_cr0() & X86_CR0_TS, X86_CR0_TS, "CR0 reads with TS set");
	trap_reset();
	PROBE("fninit");
	check_eq(nm_count, 1, "x87 instruction with TS set raises #NM");
	check_eq(last_trap.rip, probe_insn, "#NM reports the instruction");
	check_eq(last_trap.error_code, 0, "#NM has no error code");
	check_eq(read_cr0() & X86_CR0_TS, 0, "delivering #NM cleared TS");
	PROBE("fninit");
	check_eq(nm_count, 1, "so the next x87 instruction runs");

	check_eq(HYPERVISOR_fpu_taskswitch(1), 0, "fpu_taskswitch(1) again");
	PROBE("xorps %%xmm0, %%xmm0");
	check_eq(nm_count, 2, "an SSE instruction raises #NM too");

	nm_count = 0;
	check_eq(one_plus_pi(true), expected, "x87 registers survive the #NM round trip");
	check_eq(nm_count, 1, "with exactly one #NM");

	check_eq(HYPERVISOR_fpu_taskswitch(1), 0, "fpu_taskswitch(1)");
	check_eq(HYPERVISOR_fpu_taskswitch(0), 0, "fpu_taskswitch(0)");
	nm_count = 0;
	PROBE("fninit");
	check_eq(nm_count, 0, "fpu_taskswitch(0) cleared TS");

	HYPERVISOR_fpu_taskswitch(1);
	trap_reset();
	PROBE("clts");
	check_eq(last_trap.count, 0, "clts is emulated for the guest kernel");
	check_eq(read_cr0() & X86_CR0_TS, 0, "and clears TS");
	trap_hook = NULL;
}
