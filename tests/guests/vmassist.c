/*
 * HYPERVISOR_vm_assist: which assists a 64-bit PV guest may switch, and
 * the visible effect of two of them: architectural_iopl (the virtual IOPL
 * shows in bounce frames and lets the kernel run cli) and, without
 * m2p_strict, an L4 used only for user mode has no M2P mapping.
 */
#include "guest.h"
#include "hypercall.h"
#include "traps.h"
#include "user.h"

const char test_title[] = "vm_assist";

#define X86_EFLAGS_IOPL 0x3000UL

static const unsigned int valid_types[] = {
	VMASST_TYPE_4gb_segments,	  VMASST_TYPE_4gb_segments_notify,
	VMASST_TYPE_writable_pagetables, VMASST_TYPE_pae_extended_cr3,
	VMASST_TYPE_architectural_iopl,	  VMASST_TYPE_runstate_update_flag,
	VMASST_TYPE_m2p_strict,
};

static volatile uint64_t user_m2p_probe;

static long set_iopl(unsigned int iopl)
{
	struct physdev_set_iopl op = { .iopl = iopl };

	return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, PTR(&op));
}

static volatile uint64_t user_probe_at;

static void user_read_m2p(void)
{
	uint64_t v = 0;

	trap_reset();
	PROBE_OPS("movq (%1), %0", : "=r"(v) : "r"(user_probe_at));
	user_m2p_probe = last_trap.vector == X86_EXC_PF ? 1 : 2;
	user_syscall(USER_EXIT, 0);
}

static void test_types(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(valid_types); i++) {
		check_eq(HYPERVISOR_vm_assist(VMASST_CMD_enable, valid_types[i]), 0,
			 "enable assist %u", valid_types[i]);
		check_eq(HYPERVISOR_vm_assist(VMASST_CMD_disable, valid_types[i]), 0,
			 "disable assist %u", valid_types[i]);
	}
	check_eq(HYPERVISOR_vm_assist(VMASST_CMD_enable, 6), -XEN_EINVAL, "assist 6 does not exist");
	check_eq(HYPERVISOR_vm_assist(VMASST_CMD_enable, 31), -XEN_EINVAL, "assist 31 does not exist");
	check_eq(HYPERVISOR_vm_assist(VMASST_CMD_enable, 64), -XEN_EINVAL, "assist 64 is out of range");
	check_eq(HYPERVISOR_vm_assist(2, VMASST_TYPE_m2p_strict), -XEN_ENOSYS, "unknown command");
	check_eq(HYPERVISOR_vm_assist(2, 6), -XEN_EINVAL, "the type is checked first");
}

static void test_architectural_iopl(void)
{
	check_eq(set_iopl(3), 0, "virtual IOPL 3");

	trap_reset();
	PROBE("int3");
	check_eq(last_trap.rflags & X86_EFLAGS_IOPL, 0, "without the assist frames show IOPL 0");

	check_eq(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_architectural_iopl), 0,
		 "enable architectural_iopl");
	trap_reset();
	PROBE("int3");
	check_eq(last_trap.rflags & X86_EFLAGS_IOPL, X86_EFLAGS_IOPL,
		 "with it the frame shows the virtual IOPL");

	/* The kernel counts as ring 0 now: cli is allowed even with IOPL 0. */
	set_iopl(0);
	trap_reset();
	PROBE("cli");
	check_eq(last_trap.count, 0, "cli in the kernel with IOPL 0 is allowed");
	HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_architectural_iopl);
	trap_reset();
	PROBE("cli");
	check_eq(last_trap.vector, X86_EXC_GP, "without the assist it is #GP");
}

/* Both where machphys_mapping puts the M2P and at Xen's default address
 * (the same on Xen). */
static void test_user_m2p(void)
{
	const volatile uint64_t *at[2] = { m2p_table(), (const volatile uint64_t *)MACH2PHYS_VIRT_START };
	uint64_t mfn = virt_to_mfn((const void *)&user_m2p_probe);

	for (unsigned int i = 0; i < 2; i++)
		check_eq(at[i][mfn], virt_to_pfn((const void *)&user_m2p_probe),
			 "the kernel reads the M2P at %p", (const void *)at[i]);
	if (!check_eq(user_mode_init(), 0, "user mode set up"))
		return;
	for (unsigned int i = 0; i < 2; i++) {
		user_probe_at = (uint64_t)&at[i][mfn];
		user_m2p_probe = 0;
		run_user(user_read_m2p, false);
		check_eq(user_m2p_probe, 1, "an L4 used only in user mode does not map the M2P at %p",
			 (const void *)at[i]);
	}
}

void guest_main(void)
{
	test_types();
	test_architectural_iopl();
	test_user_m2p();
}
