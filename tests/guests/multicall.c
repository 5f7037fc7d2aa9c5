/*
 * HYPERVISOR_multicall: a batch runs every call in order, each call's own
 * result lands in its entry (failures do not stop the batch), nesting is
 * refused. Also the hypercall numbers nobody serves, and the other way to
 * make a hypercall from the guest kernel: `syscall` with the number in rax
 * (what Linux does).
 */
#include "guest.h"
#include "hypercall.h"

const char test_title[] = "multicall and hypercall numbers";

#define UNMAPPED_VA 0x1000UL

static const uint64_t fs_first = 0x1111, fs_second = 0x2222;

static long by_syscall(long nr, uint64_t a1, uint64_t a2)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret), "+D"(a1), "+S"(a2)
			     : "a"(nr)
			     : "rcx", "r11", "rdx", "r10", "r8", "memory");
	return ret;
}

static uint64_t read_fs0(void)
{
	uint64_t v;

	__asm__ __volatile__("movq %%fs:0, %0" : "=r"(v));
	return v;
}

static void test_batch(void)
{
	static char extraversion[XEN_EXTRAVERSION_LEN];
	static const char msg[] = "multicall: console_io from inside a batch\n";
	struct multicall_entry calls[] = {
		{ .op = __HYPERVISOR_xen_version, .args = { XENVER_version } },
		{ .op = __HYPERVISOR_vm_assist, .args = { VMASST_CMD_enable, 6 } },
		{ .op = 60 },
		{ .op = __HYPERVISOR_xen_version, .args = { XENVER_pagesize } },
		{ .op = __HYPERVISOR_console_io, .args = { CONSOLEIO_write, 8, UNMAPPED_VA } },
		{ .op = __HYPERVISOR_xen_version, .args = { XENVER_extraversion, PTR(extraversion) } },
		{ .op = __HYPERVISOR_console_io, .args = { CONSOLEIO_write, sizeof(msg) - 1, PTR(msg) } },
		{ .op = __HYPERVISOR_set_segment_base, .args = { SEGBASE_FS, PTR(&fs_first) } },
		{ .op = __HYPERVISOR_set_segment_base, .args = { SEGBASE_FS, PTR(&fs_second) } },
	};
	long version = HYPERVISOR_xen_version(XENVER_version, 0);

	memset(extraversion, 0x7f, sizeof(extraversion));
	for (unsigned int i = 0; i < ARRAY_SIZE(calls); i++)
		calls[i].result = 0xdead;
	check_eq(HYPERVISOR_multicall(PTR(calls), ARRAY_SIZE(calls)), 0, "a batch of %zu calls",
		 ARRAY_SIZE(calls));
	check_eq(calls[0].result, version, "xen_version's result");
	check_eq(calls[1].result, -XEN_EINVAL, "a failing call's error");
	check_eq(calls[2].result, -XEN_ENOSYS, "an unknown hypercall's -ENOSYS");
	check_eq(calls[3].result, 4096, "the batch went on after failures");
	check_eq(calls[4].result, -XEN_EFAULT, "a bad pointer inside a batch");
	check_eq(calls[5].result, 0, "a call that writes guest memory");
	check(strnlen(extraversion, sizeof(extraversion)) < sizeof(extraversion),
	      "and its output is there");
	check_eq(calls[6].result, 0, "console_io inside a batch");
	check_eq(calls[8].result, 0, "set_segment_base inside a batch");
	check_eq(read_fs0(), fs_second, "calls ran in order");
	HYPERVISOR_set_segment_base(SEGBASE_FS, 0);
}

static void test_batch_errors(void)
{
	struct multicall_entry inner[1] = { { .op = __HYPERVISOR_xen_version } };
	struct multicall_entry outer[2] = {
		{ .op = __HYPERVISOR_multicall, .args = { PTR(inner), 1 } },
		{ .op = __HYPERVISOR_xen_version, .args = { XENVER_pagesize } },
	};

	check_eq(HYPERVISOR_multicall(PTR(outer), 2), 0, "a batch holding a multicall");
	check_eq(outer[0].result, -XEN_EINVAL, "nested multicall is refused");
	check_eq(outer[1].result, 4096, "and the batch goes on");
	check_eq(HYPERVISOR_multicall(PTR(outer), 0), 0, "an empty batch");
	check_eq(HYPERVISOR_multicall(UNMAPPED_VA, 2), -XEN_EFAULT, "a batch at a bad address");
}

static void test_numbers(void)
{
	static const unsigned int unused[] = { 11, 38, 43, 47, 56, 60, 127 };
	long version = HYPERVISOR_xen_version(XENVER_version, 0);

	for (unsigned int i = 0; i < ARRAY_SIZE(unused); i++)
		check_eq(hypercall0(unused[i]), -XEN_ENOSYS, "hypercall %u is not served",
			 unused[i]);
	check_eq(by_syscall(__HYPERVISOR_xen_version, XENVER_version, 0), version,
		 "syscall from the kernel is a hypercall");
	check_eq(by_syscall(__HYPERVISOR_xen_version, XENVER_pagesize, 0), 4096,
		 "with its arguments in rdi, rsi");
	check_eq(by_syscall(1000, 0, 0), -XEN_ENOSYS, "syscall with a number beyond the table");
}

void guest_main(void)
{
	test_batch();
	test_batch_errors();
	test_numbers();
}
