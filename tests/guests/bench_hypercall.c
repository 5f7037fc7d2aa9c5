/*
 * Benchmark guest: the cost of a null hypercall (xen_version) through the
 * hypercall page and through `syscall` (the path the Linux kernel uses), and
 * of a bare exit (a store to the doorbell page that the monitor ignores), and of a one-entry
 * mmu_update through `syscall` (Linux's set_pte outside lazy mode: the
 * monitor must make the store in guest context), all measured here with the
 * guest's Xen clock (TSC-based, from vcpu_time_info) in one run.
 * bench/hypercall.sh turns the line it prints into ratios. As a test it
 * checks that both paths return the same, correct version and that the
 * page-table update took effect.
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

static long mmu_update_by_syscall(const struct mmu_update *u)
{
	long ret;
	register long domid __asm__("r10") = DOMID_SELF;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"((long)__HYPERVISOR_mmu_update), "D"(u), "S"(1L), "d"(0L),
			       "r"(domid)
			     : "rcx", "r11", "memory");
	return ret;
}

static uint8_t page[4096] __page_aligned_bss;

/* The monitor's doorbell page at its no-op offset (monitor/hvarea.h:
 * HV_AREA_VA + HV_DOORBELL_OFF + DOORBELL_NOP): the cheapest exit there is. */
#define DOORBELL_NOP_VA 0xffff8080000030f3ULL

static void bare_exit(void)
{
	*(volatile uint8_t *)DOORBELL_NOP_VA = 0;
}

void guest_main(void)
{
	long by_page = 0, by_syscall = 0, by_mmu = 0;
	uint64_t t0, t1, t2, t3, t4;
	uint64_t pte = pte_read((uint64_t)page, 1);
	/* alternate the entry between read-only and writable: a real change each time */
	struct mmu_update u[2] = { { .ptr = pte_maddr((uint64_t)page, 1), .val = pte & ~(uint64_t)_PAGE_RW },
				   { .ptr = pte_maddr((uint64_t)page, 1), .val = pte | _PAGE_RW } };

	for (int i = 0; i < 50; i++) {	/* warm up every path */
		by_page = HYPERVISOR_xen_version(XENVER_version, 0);
		by_syscall = version_by_syscall();
		bare_exit();
		by_mmu |= mmu_update_by_syscall(&u[i & 1]);
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
	for (int i = 0; i < ROUNDS; i++)
		by_mmu |= mmu_update_by_syscall(&u[i & 1]);
	t4 = system_time_ns();
	printk("BENCH rounds=%d exit_ns=%lu page_ns=%lu syscall_ns=%lu mmu_ns=%lu\n", ROUNDS,
	       (unsigned long)((t1 - t0) / ROUNDS), (unsigned long)((t2 - t1) / ROUNDS),
	       (unsigned long)((t3 - t2) / ROUNDS), (unsigned long)((t4 - t3) / ROUNDS));
	check(by_page > 0 && (by_page >> 16) >= 3, "xen_version through the hypercall page: %#lx",
	      by_page);
	check_eq(by_syscall, by_page, "xen_version through syscall agrees");
	check_eq(by_mmu, 0, "every mmu_update through syscall succeeded");
	check_eq(pte_read((uint64_t)page, 1), u[(ROUNDS - 1) & 1].val, "the last update is in the table");
	page[0] = 1;	/* and the mapping it left is writable */
	report_finish();
}
