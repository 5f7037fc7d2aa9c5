/*
 * Guest user mode: entering it with HYPERVISOR_iret on user page tables,
 * syscall bounced to the kernel's syscall callback (with and without
 * masking events; #UD when there is none), exceptions from user mode on
 * the kernel stack given to stack_switch, and a hypercall attempted from
 * user mode: on 64-bit PV, `syscall` from user mode always goes to the
 * guest kernel, so the hypercall page's slot reaches our callback instead
 * of Xen.
 */
#include "events.h"
#include "guest.h"
#include "hypercall.h"
#include "traps.h"
#include "user.h"

const char test_title[] = "guest user mode";

#define UNMAPPED_VA 0x1000UL
#define NR_PING 0x50
#define SYSCALL_MARKER 0x5eca11edL
#define UD_MARKER 0x0dd0L

static volatile long u_ping, u_hypercall, u_ud;

/* Exceptions taken in user mode, in order. */
static struct {
	uint64_t vector, error_code, cs, frame, cr2, rip;
} user_traps[4];
static unsigned int nr_user_traps;
static struct {
	unsigned int count;
	uint64_t nr, arg, cs, ss, frame, mask_in_handler, saved_mask, rflags;
} sys;

static bool is_syscall_insn(uint64_t rip)
{
	const uint8_t *p = (const uint8_t *)rip;

	return p[0] == 0x0f && p[1] == 0x05;
}

static bool hook(struct trap_frame *f)
{
	if (!frame_from_user(f))
		return false;
	if (f->vector == TRAP_SYSCALL) {
		sys.count++;
		sys.nr = f->rax;
		sys.arg = f->rdi;
		sys.cs = f->cs & 0xffff;
		sys.ss = f->ss;
		sys.frame = (uint64_t)&f->rip;
		sys.mask_in_handler = vcpu0_info->evtchn_upcall_mask;
		sys.saved_mask = (f->cs >> 32) & 0xff;
		sys.rflags = f->rflags;
		f->rax = f->rax == NR_PING ? (long)f->rdi + 1 : SYSCALL_MARKER;
		return true;
	}
	/* No syscall callback: Xen raises #UD at the syscall instruction. */
	if (f->vector == X86_EXC_UD && is_syscall_insn(f->rip)) {
		if (f->rax == USER_EXIT) {
			user_exit_to_kernel(f, f->rdi);
			return true;
		}
		f->rip += 2;
		f->rax = UD_MARKER;
		return true;
	}
	if (nr_user_traps < ARRAY_SIZE(user_traps)) {
		user_traps[nr_user_traps].vector = f->vector;
		user_traps[nr_user_traps].error_code = f->error_code;
		user_traps[nr_user_traps].cs = f->cs & 0xffff;
		user_traps[nr_user_traps].frame = (uint64_t)&f->rip;
		user_traps[nr_user_traps].cr2 = last_trap.cr2;
		user_traps[nr_user_traps].rip = f->rip;
		nr_user_traps++;
	}
	return false; /* probes resume through the fix-up */
}

static void user_main(void)
{
	uint64_t v;

	u_ping = user_syscall(NR_PING, 0x1234);
	u_hypercall = HYPERVISOR_xen_version(XENVER_version, 0);
	PROBE("int3");
	PROBE_OPS("movq (%1), %0", : "=r"(v) : "r"(UNMAPPED_VA));
	PROBE("cli");
	user_syscall(USER_EXIT, 7);
}

static void user_ping(void)
{
	u_ping = user_syscall(NR_PING, 41);
	user_syscall(USER_EXIT, 0);
}

static void user_ud(void)
{
	u_ud = user_syscall(NR_PING, 1);
	user_syscall(USER_EXIT, 9);
}

static void test_user_mode(void)
{
	uint64_t frame_top = (KERNEL_ENTRY_STACK_TOP & ~15UL) - 40;
	long rc;

	nr_user_traps = 0;
	rc = run_user(user_main, false);
	check_eq(rc, 7, "user code ran and exited through a syscall");
	check_eq(HYPERVISOR_xen_version(XENVER_version, 0) > 0, 1, "back in kernel mode: hypercalls work");

	check_eq(u_ping, 0x1235, "user syscall answered by the kernel's syscall callback");
	check_eq(sys.cs, FLAT_USER_CS, "syscall frame: user cs");
	check_eq(sys.ss, FLAT_USER_SS, "syscall frame: user ss");
	check_eq(sys.frame, frame_top, "syscall frame is on the stack_switch stack");
	check_eq(sys.mask_in_handler, 1, "callback without mask flag: events stay as they were (masked)");

	check_eq(u_hypercall, SYSCALL_MARKER, "a hypercall from user mode is not executed by Xen");
	check_eq(sys.nr, __HYPERVISOR_xen_version, "it reaches the kernel as a syscall with rax = 17");
}

/* What user_main's three probes raised, taken on the stack_switch stack. */
static void test_user_exceptions(void)
{
	uint64_t frame_top = (KERNEL_ENTRY_STACK_TOP & ~15UL) - 40;

	if (!check_eq(nr_user_traps, 3, "three exceptions from user mode"))
		return;
	check_eq(user_traps[0].vector, X86_EXC_BP, "int3 in user mode: #BP");
	check_eq(user_traps[0].cs, FLAT_USER_CS, "#BP frame: user cs");
	check_eq(user_traps[0].frame, frame_top, "#BP frame on the stack_switch stack");
	check_eq(user_traps[1].vector, X86_EXC_PF, "unmapped read in user mode: #PF");
	check_eq(user_traps[1].error_code, PFEC_USER, "#PF error code: not present, read, user");
	check_eq(user_traps[1].cr2, UNMAPPED_VA, "#PF cr2");
	check_eq(user_traps[1].frame, frame_top, "#PF frame on the stack_switch stack");
	check_eq(user_traps[2].vector, X86_EXC_GP, "cli in user mode: #GP");
	check_eq(user_traps[2].error_code, 0, "#GP(0)");
}

/* With CALLBACKF_mask_events the syscall callback runs with events masked. */
static void test_mask_flag(void)
{
	struct callback_register cb = {
		.type = CALLBACKTYPE_syscall,
		.flags = CALLBACKF_mask_events,
		.address = (uint64_t)entry_syscall,
	};

	check_eq(HYPERVISOR_callback_op(CALLBACKOP_register, PTR(&cb)), 0,
		 "syscall callback that masks events");
	run_user(user_ping, true);
	events_disable();
	check_eq(u_ping, 42, "syscall answered");
	check_eq(sys.mask_in_handler, 1, "events masked in the callback");
	check_eq(sys.saved_mask, 0, "frame holds the user's mask (unmasked)");
	check_eq(!!(sys.rflags & 0x200), 1, "frame rflags.IF set");

	cb.flags = 0;
	HYPERVISOR_callback_op(CALLBACKOP_register, PTR(&cb));
	run_user(user_ping, true);
	events_disable();
	check_eq(sys.mask_in_handler, 0, "without the flag events stay unmasked");
}

/* No syscall callback: Xen raises #UD at the user's syscall instruction. */
static void test_no_callback(void)
{
	struct callback_register cb = { .type = CALLBACKTYPE_syscall, .address = 0 };

	check_eq(HYPERVISOR_callback_op(CALLBACKOP_register, PTR(&cb)), 0,
		 "clear the syscall callback");
	trap_reset();
	check_eq(run_user(user_ud, false), 9, "user code ran with no syscall callback");
	check_eq(u_ud, UD_MARKER, "its syscall raised #UD in the kernel");
	check_eq(last_trap.cs & 0xffff, FLAT_USER_CS, "#UD from user mode");
	check(is_syscall_insn(last_trap.rip), "#UD reports the syscall instruction");
	cb.address = (uint64_t)entry_syscall;
	HYPERVISOR_callback_op(CALLBACKOP_register, PTR(&cb));
}

/* MMUEXT_NEW_USER_BASEPTR: 0 clears, a page that is not a table is refused. */
static void test_user_baseptr(void)
{
	static uint8_t not_a_table[4096] __page_aligned_bss;
	struct mmuext_op op = { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = 0 };

	check_eq(HYPERVISOR_mmuext_op(PTR(&op), 1, 0, DOMID_SELF), 0,
		 "NEW_USER_BASEPTR 0 clears the user page tables");
	not_a_table[0] = 1;
	op.arg1.mfn = virt_to_mfn(not_a_table);
	check_eq(HYPERVISOR_mmuext_op(PTR(&op), 1, 0, DOMID_SELF), -XEN_EINVAL,
		 "NEW_USER_BASEPTR of a writable data page");
}

void guest_main(void)
{
	if (!check_eq(user_mode_init(), 0, "user page tables, kernel stack and syscall callback"))
		return;
	trap_hook = hook;
	test_user_mode();
	test_user_exceptions();
	test_mask_flag();
	test_no_callback();
	test_user_baseptr();
	trap_hook = NULL;
}
