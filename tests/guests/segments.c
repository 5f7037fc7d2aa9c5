/*
 * Segments of a 64-bit PV guest: set_segment_base for FS, the kernel's and
 * the user's GS; set_gdt with the guest's own descriptor page (Xen checks
 * every descriptor and keeps the page read-only while it is a GDT); and
 * update_descriptor, which checks and fixes up a single descriptor.
 */
#include "guest.h"
#include "hypercall.h"
#include "traps.h"
#include "user.h"

const char test_title[] = "segment bases and descriptor tables";

#define UNMAPPED_VA 0x1000UL
#define NONCANONICAL 0x8000000000000000UL
#define NOT_RAM_MFN 0xfffffffUL

#define DESC_DATA_DPL3 0x00cff3000000ffffUL
#define DESC_CODE64_DPL3 0x00affb000000ffffUL
#define DESC_DATA_DPL0 0x00cf93000000ffffUL
#define DESC_TSS 0x0000890000000067UL /* a system descriptor: never allowed */
#define DESC_DPL_MASK (3UL << 45)

static const uint64_t fs_value = 0xf5f5f5f5f5f5f5f5UL;
static const uint64_t gs_kernel_value = 0x6b6b6b6b6b6b6b6bUL;
static const uint64_t gs_user_value = 0x7575757575757575UL;
static volatile uint64_t user_fs_read, user_gs_read;

static uint64_t gdt[512] __page_aligned_bss;

static uint64_t read_fs0(void)
{
	uint64_t v;

	__asm__ __volatile__("movq %%fs:0, %0" : "=r"(v));
	return v;
}

static uint64_t read_gs0(void)
{
	uint64_t v;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(v));
	return v;
}

static void user_read_bases(void)
{
	user_fs_read = read_fs0();
	user_gs_read = read_gs0();
	user_syscall(USER_EXIT, 0);
}

static void test_segment_bases(void)
{
	check_eq(HYPERVISOR_set_segment_base(SEGBASE_FS, PTR(&fs_value)), 0, "SEGBASE_FS");
	check_eq(read_fs0(), fs_value, "%%fs:0 reads through the new base");
	check_eq(HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, PTR(&gs_kernel_value)), 0,
		 "SEGBASE_GS_KERNEL");
	check_eq(read_gs0(), gs_kernel_value, "%%gs:0 reads through the kernel GS base");
	check_eq(HYPERVISOR_set_segment_base(SEGBASE_GS_USER, PTR(&gs_user_value)), 0,
		 "SEGBASE_GS_USER");
	check_eq(read_gs0(), gs_kernel_value, "the kernel's GS base is unchanged");

	if (check_eq(user_mode_init(), 0, "user mode set up")) {
		run_user(user_read_bases, false);
		check_eq(user_gs_read, gs_user_value, "user mode sees the user GS base");
		check_eq(user_fs_read, fs_value, "and the same FS base");
		check_eq(read_gs0(), gs_kernel_value, "back in the kernel: the kernel GS base");
	}

	check_eq(HYPERVISOR_set_segment_base(SEGBASE_FS, NONCANONICAL), -XEN_EINVAL,
		 "a non-canonical FS base");
	check_eq(HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, NONCANONICAL), -XEN_EINVAL,
		 "a non-canonical GS base");
	check_eq(HYPERVISOR_set_segment_base(7, 0), -XEN_EINVAL, "an unknown segment");
	check_eq(HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, FLAT_USER_DS32), 0,
		 "SEGBASE_GS_USER_SEL");
	HYPERVISOR_set_segment_base(SEGBASE_FS, 0);
}

static void test_set_gdt(void)
{
	uint64_t frame = virt_to_mfn(gdt);
	uint64_t bad_frame = NOT_RAM_MFN;
	uint64_t sel = (1 << 3) | 3;

	memset(gdt, 0, sizeof(gdt));
	gdt[1] = DESC_DATA_DPL3;
	gdt[2] = DESC_CODE64_DPL3;

	check_eq(HYPERVISOR_set_gdt(PTR(&frame), 512), -XEN_EINVAL,
		 "set_gdt of a page that is mapped writable");
	check_eq(set_page_ro(gdt), 0, "map the GDT page read-only");
	check_eq(HYPERVISOR_set_gdt(PTR(&bad_frame), 512), -XEN_EINVAL, "set_gdt of a frame beyond RAM");
	check_eq(HYPERVISOR_set_gdt(PTR(&frame), FIRST_RESERVED_GDT_ENTRY + 1), -XEN_EINVAL,
		 "set_gdt reaching into Xen's reserved entries");
	check_eq(HYPERVISOR_set_gdt(UNMAPPED_VA, 512), -XEN_EFAULT, "set_gdt from a bad address");
	if (!check_eq(HYPERVISOR_set_gdt(PTR(&frame), 512), 0, "set_gdt"))
		return;

	trap_reset();
	PROBE_OPS("movw %w0, %%ds", : : "r"(sel));
	check_eq(last_trap.count, 0, "our own data descriptor loads into %%ds");
	PROBE_OPS("movw %w0, %%ds", : : "r"(FLAT_KERNEL_DS32));
	check_eq(last_trap.count, 0, "Xen's reserved selectors still load");
	__asm__ __volatile__("movw %w0, %%ds" : : "r"(0));

	check_eq(set_page_rw(gdt), -XEN_EBUSY, "a live GDT page cannot be mapped writable");

	/* update_descriptor on the live GDT page. */
	check_eq(HYPERVISOR_update_descriptor((frame << 12) + 3 * 8, DESC_DATA_DPL0), 0,
		 "update_descriptor");
	check_eq(gdt[3] & DESC_DPL_MASK, DESC_DPL_MASK, "Xen raised the descriptor's DPL to 3");
	check_eq(HYPERVISOR_update_descriptor((frame << 12) + 4 * 8 + 4, DESC_DATA_DPL3), -XEN_EINVAL,
		 "update_descriptor at an unaligned address");
	check_eq(HYPERVISOR_update_descriptor((frame << 12) + 4 * 8, DESC_TSS), -XEN_EINVAL,
		 "update_descriptor with a system descriptor");
	check_eq(gdt[4], 0, "a refused descriptor is not written");
	check_eq(HYPERVISOR_update_descriptor(NOT_RAM_MFN << 12, DESC_DATA_DPL3), -XEN_EINVAL,
		 "update_descriptor of a frame beyond RAM");

	/* Dropping the GDT releases the page. */
	check_eq(HYPERVISOR_set_gdt(PTR(&frame), 0), 0, "set_gdt with no entries");
	check_eq(set_page_rw(gdt), 0, "the page may be writable again");

	/* A page holding a system descriptor is not a valid GDT. */
	gdt[5] = DESC_TSS;
	set_page_ro(gdt);
	check_eq(HYPERVISOR_set_gdt(PTR(&frame), 512), -XEN_EINVAL,
		 "set_gdt of a page with a system descriptor");
	set_page_rw(gdt);

	/* On an ordinary page, update_descriptor is a checked write. */
	gdt[5] = 0;
	check_eq(HYPERVISOR_update_descriptor((frame << 12) + 6 * 8, DESC_CODE64_DPL3), 0,
		 "update_descriptor on an ordinary page");
	check_eq(gdt[6], DESC_CODE64_DPL3, "writes the descriptor");
}

void guest_main(void)
{
	test_segment_bases();
	test_set_gdt();
}
