/*
 * set_trap_table and exception delivery: which vector, error code, CR2 and
 * return address each exception reports, the layout of Xen's bounce frame
 * (16-byte aligned, right below the interrupted stack), the saved event
 * mask in the frame, software interrupts and their DPL.
 */
#include "events.h"
#include "guest.h"
#include "hypercall.h"
#include "traps.h"

const char test_title[] = "set_trap_table and exception delivery";

#define UNMAPPED_VA 0x1000UL
#define NONCANONICAL 0x8000000000000000UL
#define KERNEL_CS_RPL0 (FLAT_KERNEL_CS & ~3UL)

TRAP_STUB(entry_int81, 0x81, 0);
TRAP_STUB(entry_alt_bp, 0x203, 0);
void entry_int81(void), entry_alt_bp(void);

static uint8_t ro_page[4096] __page_aligned_bss;
static uint8_t in_handler_mask;

static bool hook_record_mask(struct trap_frame *f)
{
	(void)f;
	in_handler_mask = vcpu0_info->evtchn_upcall_mask;
	return false; /* let the probe fix-up resume */
}

static long set_one_trap(uint8_t vector, uint8_t flags, void (*fn)(void))
{
	struct trap_info t[2] = {
		{ .vector = vector, .flags = flags, .cs = FLAT_KERNEL_CS, .address = (uint64_t)fn },
		{ 0 },
	};

	return HYPERVISOR_set_trap_table(PTR(t));
}

/* The bounce frame of the last trap, checked against the probe. */
static void check_frame(const char *what, uint8_t mask)
{
	uint64_t aligned = probe_rsp & ~15UL;

	check_eq(last_trap.frame_addr, aligned - 40,
		 "%s: frame sits below the 16-byte aligned stack (rip slot at aligned - 40)", what);
	check_eq(last_trap.rsp, probe_rsp, "%s: frame rsp is the interrupted rsp", what);
	check_eq(last_trap.ss, FLAT_KERNEL_SS, "%s: frame ss", what);
	check_eq(last_trap.cs & 0xffff, KERNEL_CS_RPL0, "%s: frame cs has RPL 0 (kernel mode)",
		 what);
	check_eq((last_trap.cs >> 32) & 0xff, mask, "%s: saved upcall mask in cs bits 32-39", what);
	check_eq(!!(last_trap.rflags & 0x200), !mask, "%s: rflags.IF is the inverse of the mask",
		 what);
	check_eq(last_trap.rflags & 0x3000, 0, "%s: rflags.IOPL is 0", what);
}

static void test_set_trap_table(void)
{
	struct trap_info bad[3] = {
		{ .vector = 3, .cs = FLAT_KERNEL_CS, .address = (uint64_t)entry_alt_bp },
		{ .vector = 4, .cs = FLAT_KERNEL_CS, .address = NONCANONICAL },
		{ 0 },
	};

	check_eq(HYPERVISOR_set_trap_table(UNMAPPED_VA), -XEN_EFAULT,
		 "set_trap_table from a bad address");
	/* Entries before the bad one are installed: int3 then reaches entry_alt_bp. */
	check_eq(HYPERVISOR_set_trap_table(PTR(bad)), -XEN_EINVAL,
		 "set_trap_table with a non-canonical handler");
	trap_reset();
	PROBE("int3");
	check_eq(last_trap.vector, 0x203, "entries before the bad one were installed");
	/* NULL clears the whole table; reinstall before anything can trap. */
	check_eq(HYPERVISOR_set_trap_table(0), 0, "set_trap_table(NULL) clears the table");
	check_eq(HYPERVISOR_set_trap_table(PTR(trap_table)), 0, "set_trap_table reinstalls");
}

static void test_breakpoint(void)
{
	uint64_t rcx = 0x5555666677778888UL, r11 = 0x1111222233334444UL;

	events_disable();
	trap_reset();
	/* r11 is loaded and read back in the same asm: a register variable
	 * bound to r11 would not survive the calls above (GCC's rule), and
	 * the check would compare whatever they left there. */
	__asm__ __volatile__("movq %[r11], %%r11\n\t" PROBE_TEMPLATE("int3") "\n\tmovq %%r11, %[r11]"
			     : "+c"(rcx), [r11] "+r"(r11)
			     :
			     : "r11", "memory");
	__asm__ __volatile__("" ::: "memory");
	check_eq(last_trap.count, 1, "int3 traps once");
	check_eq(last_trap.vector, X86_EXC_BP, "int3 is #BP");
	check_eq(last_trap.rip, probe_next, "#BP reports the next instruction");
	check_frame("#BP, events masked", 1);
	check_eq(rcx, 0x5555666677778888UL, "rcx survives the trap");
	check_eq(r11, 0x1111222233334444UL, "r11 survives the trap");

	events_enable();
	trap_reset();
	PROBE("int3");
	check_frame("#BP, events unmasked", 0);
	events_disable();
}

/* A trap entry with flags bit 2 masks events while its handler runs. */
static void test_trap_masks_events(void)
{
	trap_hook = hook_record_mask;

	events_enable();
	in_handler_mask = 0xff;
	PROBE("int3");
	check_eq(in_handler_mask, 0, "plain trap gate: events stay unmasked in the handler");

	check_eq(set_one_trap(3, 4, entry_BP), 0, "set #BP with events masked on entry");
	in_handler_mask = 0xff;
	PROBE("int3");
	check_eq(in_handler_mask, 1, "interrupt gate: events masked in the handler");
	check_eq(vcpu0_info->evtchn_upcall_mask, 0, "iret restored the mask from rflags.IF");

	events_disable();
	trap_hook = NULL;
	set_one_trap(3, 0, entry_BP);
}

static void test_page_faults(void)
{
	uint64_t v = 0;

	trap_reset();
	PROBE_OPS("movq (%1), %0", : "=r"(v) : "r"(UNMAPPED_VA));
	check_eq(last_trap.vector, X86_EXC_PF, "read of an unmapped page is #PF");
	check_eq(last_trap.error_code, 0, "#PF error code: not present, read, kernel mode");
	check_eq(last_trap.cr2, UNMAPPED_VA, "cr2 in vcpu_info is the faulting address");
	check_eq(last_trap.rip, probe_insn, "#PF reports the faulting instruction");
	check_frame("#PF", 1);

	trap_reset();
	PROBE_OPS("movq %0, (%1)", : : "r"(v), "r"(UNMAPPED_VA + 8));
	check_eq(last_trap.error_code, PFEC_WRITE, "#PF error code: not present, write");
	check_eq(last_trap.cr2, UNMAPPED_VA + 8, "cr2 of the write");

	if (check_eq(set_page_ro(ro_page), 0, "make a page read-only")) {
		trap_reset();
		PROBE_OPS("movb $1, (%0)", : : "r"(ro_page + 5));
		check_eq(last_trap.vector, X86_EXC_PF, "write to a read-only page is #PF");
		check_eq(last_trap.error_code, PFEC_PRESENT | PFEC_WRITE,
			 "#PF error code: present, write, kernel mode");
		check_eq(last_trap.cr2, (uint64_t)ro_page + 5, "cr2 of the protection fault");
		check_eq(ro_page[5], 0, "the write did not happen");
		set_page_rw(ro_page);
	}
}

static void test_general_protection(void)
{
	uint64_t v = 0;

	trap_reset();
	PROBE_OPS("movq (%1), %0", : "=r"(v) : "r"(NONCANONICAL));
	check_eq(last_trap.vector, X86_EXC_GP, "non-canonical access is #GP");
	check_eq(last_trap.error_code, 0, "#GP(0)");
	check_eq(last_trap.rip, probe_insn, "#GP reports the faulting instruction");
	check_frame("#GP", 1);

	/* An empty descriptor in the guest's part of the GDT. */
	trap_reset();
	PROBE_OPS("movw %w0, %%ds", : : "r"(0x1233));
	check_eq(last_trap.vector, X86_EXC_GP, "loading an empty descriptor into %%ds is #GP");
	check_eq(last_trap.error_code, 0x1230, "#GP error code is the selector");

	trap_reset();
	PROBE_OPS("movw %w0, %%ds", : : "r"(FLAT_KERNEL_DS32));
	check_eq(last_trap.count, 0, "Xen's flat data selector loads");
	__asm__ __volatile__("movw %w0, %%ds" : : "r"(0));
}

static void test_other_faults(void)
{
	uint64_t zero = 0;

	trap_reset();
	PROBE("ud2");
	check_eq(last_trap.vector, X86_EXC_UD, "ud2 is #UD");
	check_eq(last_trap.rip, probe_insn, "#UD reports the instruction");

	trap_reset();
	PROBE_OPS("divq %0", : : "r"(zero) : "rax", "rdx");
	check_eq(last_trap.vector, X86_EXC_DE, "division by zero is #DE");
	check_eq(last_trap.rip, probe_insn, "#DE reports the instruction");
	check_eq(last_trap.error_code, 0, "#DE has no error code");
}

/* int $n: delivered if the entry's DPL allows the kernel (>= 1), else #GP. */
static void test_software_interrupts(void)
{
	trap_reset();
	PROBE("int $0x81");
	check_eq(last_trap.vector, X86_EXC_GP, "int $0x81 with no entry is #GP");
	check_eq(last_trap.error_code, (0x81 << 3) | 2, "#GP error code names IDT vector 0x81");
	check_eq(last_trap.rip, probe_insn, "and reports the int instruction");

	set_one_trap(0x81, 0, entry_int81);
	trap_reset();
	PROBE("int $0x81");
	check_eq(last_trap.vector, X86_EXC_GP, "int $0x81 to a DPL 0 entry is #GP");

	set_one_trap(0x81, 3, entry_int81);
	trap_reset();
	PROBE("int $0x81");
	check_eq(last_trap.vector, 0x81, "int $0x81 to a DPL 3 entry is delivered");
	check_eq(last_trap.rip, probe_next, "after the int instruction");
	check_frame("int $0x81", 1);
}

void guest_main(void)
{
	test_set_trap_table();
	test_breakpoint();
	test_trap_masks_events();
	test_page_faults();
	test_general_protection();
	test_other_faults();
	test_software_interrupts();
}
