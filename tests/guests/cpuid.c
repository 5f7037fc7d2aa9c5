/*
 * Xen's CPUID view through the forced-emulation prefix (ud2; "xen"; cpuid):
 * the hypervisor leaves at 0x40000000 (signature, version, hypercall page
 * count and MSR), and the hypercall-page MSR they name: writing a frame's
 * address to it makes Xen fill that page with hypercall stubs.
 */
#include <xen/cpuid.h>

#include "guest.h"
#include "hypercall.h"
#include "traps.h"

const char test_title[] = "CPUID hypervisor leaves and the hypercall-page MSR";

#define NOT_RAM_MFN 0xfffffffUL
#define X86_FEATURE_HYPERVISOR (1U << 31) /* leaf 1, ecx */

struct cpuid_regs {
	uint32_t a, b, c, d;
};

static uint8_t second_page[4096] __page_aligned_bss;

static struct cpuid_regs xen_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__(XEN_CPUID : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

static struct cpuid_regs native_cpuid(uint32_t leaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(0));
	return r;
}

/* wrmsr that may fault: returns the vector it raised, or -1. */
static long wrmsr_probe(uint32_t msr, uint64_t val)
{
	trap_reset();
	PROBE_OPS("wrmsr", : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
	return last_trap.count ? (long)last_trap.vector : -1;
}

static long rdmsr_probe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	trap_reset();
	PROBE_OPS("rdmsr", : "=a"(lo), "=d"(hi) : "c"(msr));
	*val = ((uint64_t)hi << 32) | lo;
	return last_trap.count ? (long)last_trap.vector : -1;
}

static void test_leaves(void)
{
	struct cpuid_regs r = xen_cpuid(XEN_CPUID_FIRST_LEAF, 0);
	long version = HYPERVISOR_xen_version(XENVER_version, 0);

	check_eq(r.b, XEN_CPUID_SIGNATURE_EBX, "leaf 0x40000000 ebx: \"XenV\"");
	check_eq(r.c, XEN_CPUID_SIGNATURE_ECX, "ecx: \"MMXe\"");
	check_eq(r.d, XEN_CPUID_SIGNATURE_EDX, "edx: \"nVMM\"");
	check(r.a >= XEN_CPUID_LEAF(2) && r.a <= XEN_CPUID_LEAF(XEN_CPUID_MAX_NUM_LEAVES),
	      "eax: highest Xen leaf (%#x)", r.a);

	r = xen_cpuid(XEN_CPUID_LEAF(1), 0);
	check_eq(r.a, version, "leaf 0x40000001: the version xen_version reports");

	r = xen_cpuid(XEN_CPUID_LEAF(2), 0);
	check_eq(r.a, 1, "leaf 0x40000002 eax: one hypercall page");
	check_eq(r.b, XEN_MSR_HYPERCALL_PAGE, "ebx: the hypercall-page MSR");
	check(r.c & XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD,
	      "ecx: MMU_PT_UPDATE_PRESERVE_AD for a PV guest");

	r = xen_cpuid(XEN_CPUID_LEAF(4), 0);
	check(!r.a && !r.b && !r.c && !r.d, "leaf 0x40000004 (HVM only) is empty for PV");
	r = xen_cpuid(XEN_CPUID_LEAF(0x10), 0);
	check(!r.a && !r.b && !r.c && !r.d, "a leaf past Xen's range is empty");
}

static void test_basic_leaves(void)
{
	struct cpuid_regs xen = xen_cpuid(0, 0), native = native_cpuid(0);

	check(xen.b == native.b && xen.c == native.c && xen.d == native.d,
	      "leaf 0 shows the host's vendor");
	check(xen_cpuid(1, 0).c & X86_FEATURE_HYPERVISOR, "leaf 1 sets the hypervisor bit");
}

static void test_hypercall_msr(void)
{
	long (*slot17)(uint64_t, uint64_t);
	uint64_t v = 1, addr = virt_to_mfn(second_page) << PAGE_SHIFT;
	long ret;

	check_eq(rdmsr_probe(XEN_MSR_HYPERCALL_PAGE, &v), -1, "the hypercall-page MSR reads");
	check_eq(v, 0, "as zero");
	check_eq(wrmsr_probe(XEN_MSR_HYPERCALL_PAGE, addr | 1), X86_EXC_GP,
		 "page index 1 is refused with #GP");
	check_eq(wrmsr_probe(XEN_MSR_HYPERCALL_PAGE, NOT_RAM_MFN << PAGE_SHIFT), X86_EXC_GP,
		 "a frame beyond RAM is refused with #GP");
	check_eq(wrmsr_probe(XEN_MSR_HYPERCALL_PAGE + 1, 0), X86_EXC_GP, "MSR 0x40000001 is #GP");
	check_eq(rdmsr_probe(XEN_MSR_HYPERCALL_PAGE + 1, &v), X86_EXC_GP, "and unreadable");

	if (!check_eq(wrmsr_probe(XEN_MSR_HYPERCALL_PAGE, addr), -1,
		      "writing a frame's address fills it"))
		return;
	slot17 = (long (*)(uint64_t, uint64_t))(second_page + 32 * __HYPERVISOR_xen_version);
	ret = slot17(XENVER_pagesize, 0);
	check_eq(ret, 4096, "a hypercall through the second page works");
}

void guest_main(void)
{
	test_leaves();
	test_basic_leaves();
	test_hypercall_msr();
}
