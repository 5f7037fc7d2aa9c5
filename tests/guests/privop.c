/*
 * Privileged instructions in a PV guest kernel (which runs at ring 3):
 * what Xen emulates (MSRs it knows, control and debug registers, clts,
 * wbinvd, port I/O the virtual IOPL or I/O bitmap allows) and what it
 * bounces back as #GP (hlt, cli without IOPL, unknown MSRs, forbidden
 * changes, lidt).
 */
#include "guest.h"
#include "hypercall.h"
#include "traps.h"

const char test_title[] = "privileged instructions";

#define NONCANONICAL 0x8000000000000000UL
#define NO_SUCH_MSR 0xdeadbeefU
#define MSR_EFER 0xc0000080U
#define MSR_FS_BASE 0xc0000100U
#define MSR_GS_BASE 0xc0000101U
#define MSR_SHADOW_GS_BASE 0xc0000102U
#define MSR_APIC_BASE 0x0000001bU
#define MSR_PAT 0x00000277U
#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_LMA (1UL << 10)
#define XEN_MSR_PAT 0x0000050100070406UL
#define X86_CR0_WP (1UL << 16)

static const uint64_t fs_value = 0x1234567890abcdefUL;
static const uint64_t gs_user_value = 0x0fedcba987654321UL;

static long rdmsr_probe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	trap_reset();
	PROBE_OPS("rdmsr", : "=a"(lo), "=d"(hi) : "c"(msr));
	*val = ((uint64_t)hi << 32) | lo;
	return last_trap.count ? (long)last_trap.vector : -1;
}

static long wrmsr_probe(uint32_t msr, uint64_t val)
{
	trap_reset();
	PROBE_OPS("wrmsr", : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
	return last_trap.count ? (long)last_trap.vector : -1;
}

/* Runs insn (no operands; it may clobber rax) and returns the vector it raised, or -1. */
#define TRY(insn)                                                                                  \
	({                                                                                         \
		trap_reset();                                                                      \
		PROBE_OPS(insn, ::: "rax", "memory");                                              \
		last_trap.count ? (long)last_trap.vector : -1L;                                    \
	})

static long set_iopl(unsigned int iopl)
{
	struct physdev_set_iopl op = { .iopl = iopl };

	return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, PTR(&op));
}

static void test_msrs(void)
{
	uint64_t v = 0, efer = 0;

	check_eq(rdmsr_probe(MSR_EFER, &efer), -1, "rdmsr EFER");
	check_eq(efer & (EFER_LME | EFER_LMA | EFER_SCE), EFER_LME | EFER_LMA | EFER_SCE,
		 "EFER shows long mode and syscall enabled (%#lx)", efer);
	check_eq(wrmsr_probe(MSR_EFER, efer), -1, "writing EFER's own value back is allowed");
	check_eq(wrmsr_probe(MSR_EFER, efer ^ EFER_SCE), X86_EXC_GP, "changing EFER is #GP");

	HYPERVISOR_set_segment_base(SEGBASE_FS, PTR(&fs_value));
	check_eq(rdmsr_probe(MSR_FS_BASE, &v), -1, "rdmsr FS_BASE");
	check_eq(v, PTR(&fs_value), "FS_BASE is what set_segment_base set");
	check_eq(wrmsr_probe(MSR_FS_BASE, 0), -1, "wrmsr FS_BASE");
	HYPERVISOR_set_segment_base(SEGBASE_FS, PTR(&fs_value));
	check_eq(wrmsr_probe(MSR_FS_BASE, NONCANONICAL), X86_EXC_GP,
		 "a non-canonical FS_BASE is #GP");
	HYPERVISOR_set_segment_base(SEGBASE_GS_USER, PTR(&gs_user_value));
	check_eq(rdmsr_probe(MSR_SHADOW_GS_BASE, &v), -1, "rdmsr SHADOW_GS_BASE");
	check_eq(v, PTR(&gs_user_value), "it is the user GS base");
	HYPERVISOR_set_segment_base(SEGBASE_FS, 0);

	check_eq(rdmsr_probe(MSR_APIC_BASE, &v), -1, "rdmsr APIC_BASE");
	check_eq(v, 0xfee00900UL, "APIC_BASE: enabled, BSP, at 0xfee00000");
	check_eq(rdmsr_probe(MSR_PAT, &v), -1, "rdmsr PAT");
	check_eq(v, XEN_MSR_PAT, "the PAT is Xen's");

	check_eq(rdmsr_probe(NO_SUCH_MSR, &v), X86_EXC_GP, "rdmsr of an unknown MSR is #GP");
	check_eq(last_trap.error_code, 0, "#GP(0)");
	check_eq(wrmsr_probe(NO_SUCH_MSR, 0), X86_EXC_GP, "wrmsr of an unknown MSR is #GP");
}

static void test_control_registers(void)
{
	uint64_t cr0 = 0, cr3 = 0, cr2 = 0, dr7 = 0;
	uint64_t boot_l4 = virt_to_mfn((const void *)start_info->pt_base);
	static uint8_t data_page[4096] __page_aligned_bss;

	trap_reset();
	PROBE_OPS("movq %%cr3, %0", : "=r"(cr3));
	check_eq(last_trap.count, 0, "mov from CR3 is emulated");
	check_eq(cr3, boot_l4 << PAGE_SHIFT, "CR3 names the L4 in use");
	PROBE_OPS("movq %0, %%cr3", : : "r"(cr3));
	check_eq(last_trap.count, 0, "mov to CR3 of the same L4 is emulated");
	data_page[0] = 1;
	PROBE_OPS("movq %0, %%cr3", : : "r"(virt_to_mfn(data_page) << PAGE_SHIFT));
	check_eq(last_trap.vector, X86_EXC_GP, "mov to CR3 of a data page is #GP");

	trap_reset();
	PROBE_OPS("movq %%cr0, %0", : "=r"(cr0));
	check_eq(last_trap.count, 0, "mov from CR0 is emulated");
	PROBE_OPS("movq %0, %%cr0", : : "r"(cr0 ^ X86_CR0_WP));
	check_eq(last_trap.vector, X86_EXC_GP, "changing CR0.WP is #GP");

	trap_reset();
	PROBE_OPS("movq %0, %%cr2", : : "r"(0x4242000UL));
	PROBE_OPS("movq %%cr2, %0", : "=r"(cr2));
	check_eq(last_trap.count, 0, "CR2 moves are emulated");
	check_eq(cr2, 0x4242000UL, "CR2 reads back what was written");
	check_eq(vcpu0_info->arch.cr2, 0x4242000UL, "and vcpu_info's cr2 shows it");

	trap_reset();
	PROBE_OPS("movq %%dr7, %0", : "=r"(dr7));
	check_eq(last_trap.count, 0, "mov from DR7 is emulated");

	check_eq(TRY("wbinvd"), -1, "wbinvd is ignored for a domU");
	check_eq(TRY("hlt"), X86_EXC_GP, "hlt is #GP");
	check_eq(last_trap.error_code, 0, "#GP(0)");
	check_eq(TRY("lidt (%%rsp)"), X86_EXC_GP, "lidt is #GP");
}

static void test_iopl(void)
{
	static uint8_t bitmap[32];
	struct physdev_set_iobitmap iob = { .bitmap = PTR(bitmap), .nr_ports = 8 * sizeof(bitmap) };
	uint64_t al;

	check_eq(TRY("cli"), X86_EXC_GP, "cli with IOPL 0 is #GP");
	check_eq(TRY("sti"), X86_EXC_GP, "sti with IOPL 0 is #GP");
	check_eq(TRY("inb $0x80, %%al"), X86_EXC_GP, "in with IOPL 0 is #GP");

	check_eq(set_iopl(4), -XEN_EINVAL, "IOPL 4 does not exist");
	check_eq(set_iopl(1), 0, "PHYSDEVOP_set_iopl 1");
	check_eq(TRY("cli"), -1, "cli with IOPL 1 is allowed");
	check_eq(TRY("sti"), -1, "and sti");
	trap_reset();
	al = 0;
	PROBE_OPS("inb $0x80, %%al", : "+a"(al));
	check_eq(last_trap.count, 0, "in with IOPL 1 is allowed");
	check_eq(al & 0xff, 0xff, "a port the domain does not own reads as all ones");
	check_eq(TRY("outb %%al, $0x80"), -1, "out is allowed and dropped");
	check_eq(set_iopl(0), 0, "back to IOPL 0");

	/* The I/O bitmap: a clear bit opens the port. */
	memset(bitmap, 0xff, sizeof(bitmap));
	bitmap[0x80 / 8] &= ~(1 << (0x80 % 8));
	check_eq(HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, PTR(&iob)), 0,
		 "PHYSDEVOP_set_iobitmap");
	check_eq(TRY("inb $0x80, %%al"), -1, "a port opened in the bitmap is allowed");
	check_eq(TRY("inb $0x81, %%al"), X86_EXC_GP, "its neighbour stays closed");
	iob.nr_ports = 0;
	HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, PTR(&iob));
	check_eq(TRY("inb $0x80, %%al"), X86_EXC_GP, "an empty bitmap closes it again");
	check_eq(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, 0x1000), -XEN_EFAULT,
		 "set_iopl from a bad address");
}

void guest_main(void)
{
	test_msrs();
	test_control_registers();
	test_iopl();
}
