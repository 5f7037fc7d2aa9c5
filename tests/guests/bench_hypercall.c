/*
 * Benchmark guest: the cost of a null hypercall (xen_version) through the
 * hypercall page and through `syscall` (the path the Linux kernel uses), and
 * of a bare exit (an `out` the monitor ignores), all measured here with the
 * guest's Xen clock (TSC-based, from vcpu_time_info) in one run. bench/hypercall.sh turns the line it prints into ratios.
 * As a test it checks that both paths return the same, correct version.
 */
#include <xen/version.h>

#include "guest.h"
#include "hypercall.h"

const char test_title[] = "bench: null hypercall round trips";

#define ROUNDS 2000

static long version_by_syscall(void)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"((long)__HYPERVISOR_xen_version), "D"(0L), "S"(0L)
			     : "rcx", "r11", "memory");
	return ret;
}

static void bare_exit(void)
{
	__asm__ __volatile__("outb %%al, $0xf3" ::"a"(0) : "memory");
}

void guest_main(void)
{
	long by_page = 0, by_syscall = 0;
	uint64_t t0, t1, t2, t3;

	for (int i = 0; i < 50; i++) {	/* warm up every path */
		by_page = HYPERVISOR_xen_version(XENVER_version, 0);
		by_syscall = version_by_syscall();
		bare_exit();
	}
	t0 = system_time_ns();
	for (int i = 0; i < ROUNDS; i++)
		bare_exit();
	t1 = system_time_ns();
	for (int i = 0; i < ROUNDS; i++)
		by_page = HYPERVISOR_xen_version(XENVER_version, 0);
	t2 = system_time_ns();
	for (int i = 0; i < ROUNDS; i++)
		by_syscall = version_by_syscall();
	t3 = system_time_ns();
	printk("BENCH rounds=%d exit_ns=%lu page_ns=%lu syscall_ns=%lu\n", ROUNDS,
	       (unsigned long)((t1 - t0) / ROUNDS), (unsigned long)((t2 - t1) / ROUNDS),
	       (unsigned long)((t3 - t2) / ROUNDS));
	check(by_page > 0 && (by_page >> 16) >= 3, "xen_version through the hypercall page: %#lx",
	      by_page);
	check_eq(by_syscall, by_page, "xen_version through syscall agrees");
	report_finish();
}
