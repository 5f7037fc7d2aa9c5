/*
 * The PV MMU: update_va_mapping, mmu_update (page-table updates, writes to
 * data pages, A/D preservation, M2P updates), mmuext_op (pin/unpin at
 * every level, NEW_BASEPTR onto our own page tables, TLB flushes, LDT,
 * clear/copy page) and Xen's refusals: frames beyond RAM, writable
 * mappings of page tables, pinning pages that are not valid tables.
 */
#include "guest.h"
#include "hypercall.h"
#include "traps.h"

const char test_title[] = "PV MMU";

#define UNMAPPED_VA 0x1000UL
#define NONCANONICAL 0x8000000000000000UL
#define NOT_RAM_MFN 0xfffffffUL /* 1 TiB up: no domain has RAM there */
#define SLOT1_VA 0x0000008000000000UL /* L4 slot 1: only our new tables map it */

static uint8_t page_a[4096] __page_aligned_bss;
static uint8_t page_b[4096] __page_aligned_bss;
static uint8_t page_c[4096] __page_aligned_bss;
static uint64_t l1[512] __page_aligned_bss;
static uint64_t l2[512] __page_aligned_bss;
static uint64_t l3[512] __page_aligned_bss;
static uint64_t l4[512] __page_aligned_bss;


static long mmuext(unsigned int cmd, uint64_t arg1)
{
	struct mmuext_op op = { .cmd = cmd, .arg1.mfn = arg1 };

	return HYPERVISOR_mmuext_op(PTR(&op), 1, 0, DOMID_SELF);
}

static long mmu_update1(uint64_t ptr, uint64_t val)
{
	struct mmu_update u = { .ptr = ptr, .val = val };
	unsigned int done = 0;
	long rc = HYPERVISOR_mmu_update(PTR(&u), 1, PTR(&done), DOMID_SELF);

	if (!rc && done != 1)
		return -1000; /* reported as a mismatch by the caller */
	return rc;
}

static uint8_t read_byte(const volatile uint8_t *p)
{
	return *p;
}

static void test_update_va_mapping(void)
{
	uint64_t mfn_a = virt_to_mfn(page_a), mfn_b = virt_to_mfn(page_b);

	memset(page_a, 'A', 4096);
	memset(page_b, 'B', 4096);
	check_eq(HYPERVISOR_update_va_mapping(PTR(page_a), (mfn_b << 12) | PTE_DATA, UVMF_INVLPG), 0,
		 "update_va_mapping: map page B at A's address");
	check_eq(read_byte(page_a), 'B', "A's address shows B");
	/* volatile: the compiler takes page_a and page_b for distinct objects
	 * and would read page_b[7] before the store through the alias */
	((volatile uint8_t *)page_a)[7] = 'x';
	check_eq(read_byte(page_b + 7), 'x', "a write through the new mapping lands in B");
	page_b[7] = 'B';
	check_eq(HYPERVISOR_update_va_mapping(PTR(page_a), (mfn_a << 12) | PTE_DATA,
					      UVMF_TLB_FLUSH | UVMF_LOCAL),
		 0, "update_va_mapping back, with a full local flush");
	check_eq(read_byte(page_a), 'A', "A's address shows A again");
	check_eq(HYPERVISOR_update_va_mapping(PTR(page_a), (mfn_a << 12) | PTE_DATA,
					      UVMF_INVLPG | UVMF_ALL),
		 0, "update_va_mapping with UVMF_ALL");

	check_eq(HYPERVISOR_update_va_mapping(PTR(page_c), 0, UVMF_INVLPG), 0, "unmap a page");
	trap_reset();
	PROBE_OPS("movb (%0), %%al", : : "r"(page_c) : "rax");
	check_eq(last_trap.vector, X86_EXC_PF, "the unmapped page faults");
	check_eq(last_trap.cr2, (uint64_t)page_c, "at its address");
	check_eq(set_page_rw(page_c), 0, "map it again");

	check_eq(HYPERVISOR_update_va_mapping(HYPERVISOR_VIRT_START, (mfn_a << 12) | PTE_DATA,
					      UVMF_INVLPG),
		 -XEN_EINVAL, "update_va_mapping in the hypervisor's range");
	check_eq(HYPERVISOR_update_va_mapping(UNMAPPED_VA, (mfn_a << 12) | PTE_DATA, UVMF_INVLPG),
		 -XEN_EINVAL, "update_va_mapping where there is no L1 table");
	check_eq(HYPERVISOR_update_va_mapping(NONCANONICAL, (mfn_a << 12) | PTE_DATA, UVMF_INVLPG),
		 -XEN_EINVAL, "update_va_mapping at a non-canonical address");
	check_eq(HYPERVISOR_update_va_mapping(PTR(page_a), (NOT_RAM_MFN << 12) | PTE_DATA,
					      UVMF_INVLPG),
		 -XEN_EPERM, "mapping a frame beyond RAM");
	check_eq(read_byte(page_a), 'A', "a refused update leaves the mapping alone");
	check_eq(HYPERVISOR_update_va_mapping(PTR(page_a), (mfn_a << 12) | PTE_DATA,
					      UVMF_INVLPG | UNMAPPED_VA),
		 -XEN_EFAULT, "UVMF_MULTI with an unreadable vCPU mask");
}

static void test_mmu_update(void)
{
	uint64_t pte_a = pte_maddr(PTR(page_a), 1);
	uint64_t mfn_a = virt_to_mfn(page_a), mfn_b = virt_to_mfn(page_b);
	uint64_t mfn_c = virt_to_mfn(page_c), pfn_c = virt_to_pfn(page_c);
	struct mmu_update two[2] = {
		{ .ptr = pte_a, .val = (mfn_b << 12) | PTE_DATA },
		{ .ptr = pte_a, .val = (NOT_RAM_MFN << 12) | PTE_DATA },
	};
	unsigned int done = 99;

	if (!check(pte_a != 0, "found the L1 entry of page A (%#lx)", pte_a))
		return;
	check_eq(mmu_update1(pte_a, (mfn_b << 12) | PTE_DATA), 0,
		 "MMU_NORMAL_PT_UPDATE of an L1 entry");
	check_eq(mmuext(MMUEXT_INVLPG_LOCAL, PTR(page_a)), 0, "MMUEXT_INVLPG_LOCAL");
	check_eq(read_byte(page_a), 'B', "the new entry is in effect");

	check_eq(HYPERVISOR_mmu_update(PTR(two), 2, PTR(&done), DOMID_SELF), -XEN_EPERM,
		 "a batch whose second update maps a frame beyond RAM");
	check_eq(done, 1, "done counts the update that succeeded");
	mmu_update1(pte_a, (mfn_a << 12) | PTE_DATA);
	mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0);
	check_eq(read_byte(page_a), 'A', "restored, after MMUEXT_TLB_FLUSH_LOCAL");

	/* PRESERVE_AD keeps the accessed and dirty bits of the old entry. */
	check_eq(mmu_update1(pte_a | MMU_PT_UPDATE_PRESERVE_AD,
			     (mfn_a << 12) | _PAGE_PRESENT | _PAGE_RW),
		 0, "MMU_PT_UPDATE_PRESERVE_AD");
	check_eq(pte_read(PTR(page_a), 1) & (_PAGE_ACCESSED | _PAGE_DIRTY),
		 _PAGE_ACCESSED | _PAGE_DIRTY, "A and D survived");
	mmu_update1(pte_a, (mfn_a << 12) | PTE_DATA);

	/* On a page that is not a page table, the "update" is a plain write. */
	memset(page_c, 0, 4096);
	check_eq(mmu_update1((mfn_c << 12) + 16, 0x1122334455667788UL), 0,
		 "MMU_NORMAL_PT_UPDATE on a data page");
	check_eq(*(volatile uint64_t *)(page_c + 16), 0x1122334455667788UL,
		 "writes the value into the page");

	check_eq(mmu_update1(NOT_RAM_MFN << 12, 0), -XEN_EINVAL, "update of a frame beyond RAM");
	check_eq(mmu_update1(pte_a | 4, 0), -XEN_ENOSYS, "unknown mmu_update command");
	check_eq(HYPERVISOR_mmu_update(UNMAPPED_VA, 1, 0, DOMID_SELF), -XEN_EFAULT,
		 "mmu_update from a bad address");

	/* The M2P: readable where machphys_mapping says (MACH2PHYS_VIRT_START
	 * on Xen), changed by MMU_MACHPHYS_UPDATE. */
	const volatile uint64_t *m2p = m2p_table();
	check_eq(m2p[mfn_c], pfn_c, "the M2P maps page C's frame to its pfn");
	check_eq(mmu_update1((mfn_c << 12) | MMU_MACHPHYS_UPDATE, 0x12345), 0, "MMU_MACHPHYS_UPDATE");
	check_eq(m2p[mfn_c], 0x12345, "the M2P shows the new entry");
	mmu_update1((mfn_c << 12) | MMU_MACHPHYS_UPDATE, pfn_c);
	check_eq(m2p[mfn_c], pfn_c, "and the old one back");
	check_eq(mmu_update1((NOT_RAM_MFN << 12) | MMU_MACHPHYS_UPDATE, 1), -XEN_EINVAL,
		 "MMU_MACHPHYS_UPDATE of a frame beyond RAM");
	trap_reset();
	PROBE_OPS("movq $1, (%0)", : : "r"(&m2p[mfn_c]));
	check_eq(last_trap.vector, X86_EXC_PF, "the M2P is read-only");
}

static void test_pinning(void)
{
	uint64_t mfn_l1 = virt_to_mfn(l1), mfn_l2 = virt_to_mfn(l2);

	memset(l1, 0, sizeof(l1));
	check_eq(mmuext(MMUEXT_PIN_L1_TABLE, mfn_l1), -XEN_EINVAL,
		 "pinning a page that is mapped writable");
	check_eq(set_page_ro(l1), 0, "map the L1 page read-only");
	check_eq(mmuext(MMUEXT_PIN_L1_TABLE, mfn_l1), 0, "MMUEXT_PIN_L1_TABLE");
	check_eq(mmuext(MMUEXT_PIN_L1_TABLE, mfn_l1), -XEN_EINVAL, "pinning it twice");
	check_eq(set_page_rw(l1), -XEN_EBUSY, "a pinned table cannot be mapped writable");
	check_eq(mmuext(MMUEXT_CLEAR_PAGE, mfn_l1), -XEN_EINVAL, "MMUEXT_CLEAR_PAGE of a table");
	check_eq(mmuext(MMUEXT_UNPIN_TABLE, mfn_l1), 0, "MMUEXT_UNPIN_TABLE");
	check_eq(mmuext(MMUEXT_UNPIN_TABLE, mfn_l1), -XEN_EINVAL, "unpinning it twice");
	check_eq(set_page_rw(l1), 0, "unpinned, it may be writable again");

	/* An L2 whose entry points at a data page is not a valid L2. */
	memset(l2, 0, sizeof(l2));
	l2[0] = (virt_to_mfn(page_c) << 12) | PTE_TABLE;
	set_page_ro(l2);
	check_eq(mmuext(MMUEXT_PIN_L2_TABLE, mfn_l2), -XEN_EINVAL,
		 "pinning an L2 that points at a writable data page");
	set_page_rw(l2);
	check_eq(mmuext(MMUEXT_PIN_L1_TABLE, NOT_RAM_MFN), -XEN_EINVAL, "pinning a frame beyond RAM");
	check_eq(mmuext(MMUEXT_UNPIN_TABLE, virt_to_mfn(page_c)), -XEN_EINVAL,
		 "unpinning a page that is not pinned");
}

/* Our own four levels: slot 1 maps page B, everything else as the kernel's. */
static void test_own_page_tables(void)
{
	const uint64_t *kernel_l4 = (const uint64_t *)start_info->pt_base;
	uint64_t boot_l4_mfn = virt_to_mfn(kernel_l4);
	uint64_t mfn_l1 = virt_to_mfn(l1), mfn_l2 = virt_to_mfn(l2);
	uint64_t mfn_l3 = virt_to_mfn(l3), mfn_l4 = virt_to_mfn(l4);

	memset(page_b, 'B', 4096);
	memset(page_c, 'C', 4096);
	memset(l1, 0, 4096);
	memset(l2, 0, 4096);
	memset(l3, 0, 4096);
	for (int i = 0; i < 512; i++)
		l4[i] = i >= 256 && i <= 271 ? 0 : kernel_l4[i];
	l1[0] = (virt_to_mfn(page_b) << 12) | PTE_DATA;
	l2[0] = (mfn_l1 << 12) | PTE_TABLE;
	l3[0] = (mfn_l2 << 12) | PTE_TABLE;
	l4[1] = (mfn_l3 << 12) | PTE_TABLE;
	check(!set_page_ro(l1) && !set_page_ro(l2) && !set_page_ro(l3) && !set_page_ro(l4),
	      "map the four new tables read-only");

	trap_reset();
	PROBE_OPS("movb (%0), %%al", : : "r"(SLOT1_VA) : "rax");
	check_eq(last_trap.vector, X86_EXC_PF, "the boot page tables do not map slot 1");

	check_eq(mmuext(MMUEXT_NEW_BASEPTR, virt_to_mfn(page_c)), -XEN_EINVAL,
		 "NEW_BASEPTR of a data page");
	check_eq(mmuext(MMUEXT_PIN_L4_TABLE, mfn_l4), 0, "MMUEXT_PIN_L4_TABLE validates all levels");
	check_eq(mmuext(MMUEXT_NEW_BASEPTR, mfn_l4), 0, "MMUEXT_NEW_BASEPTR onto our tables");
	check_eq(read_byte((const uint8_t *)SLOT1_VA), 'B', "slot 1 shows page B");

	check_eq(mmu_update1(mfn_l1 << 12, (virt_to_mfn(page_c) << 12) | PTE_DATA), 0,
		 "mmu_update of a live L1 entry");
	mmuext(MMUEXT_INVLPG_LOCAL, SLOT1_VA);
	check_eq(read_byte((const uint8_t *)SLOT1_VA), 'C', "slot 1 now shows page C");
	check_eq(mmu_update1((mfn_l1 << 12) + 8, (mfn_l2 << 12) | PTE_DATA), -XEN_EBUSY,
		 "a writable mapping of a live L2 is refused");
	check_eq(mmu_update1((mfn_l1 << 12) + 8, (mfn_l2 << 12) | PTE_DATA_RO), 0,
		 "a read-only one is fine");
	check_eq(((const volatile uint64_t *)(SLOT1_VA + 4096))[0] & PTE_ADDR_MASK, mfn_l1 << 12,
		 "and shows the L2's entry");

	check_eq(mmuext(MMUEXT_NEW_BASEPTR, boot_l4_mfn), 0, "NEW_BASEPTR back to the boot tables");
	check_eq(mmuext(MMUEXT_UNPIN_TABLE, mfn_l4), 0, "unpin our L4");
	check(!set_page_rw(l1) && !set_page_rw(l2) && !set_page_rw(l3) && !set_page_rw(l4),
	      "all four are plain pages again");
}

static void test_mmuext_misc(void)
{
	struct mmuext_op ops[2] = {
		{ .cmd = MMUEXT_TLB_FLUSH_LOCAL },
		{ .cmd = 99 },
	};
	struct mmuext_op ldt = { .cmd = MMUEXT_SET_LDT };
	unsigned int done = 99;

	check_eq(mmuext(MMUEXT_TLB_FLUSH_ALL, 0), 0, "MMUEXT_TLB_FLUSH_ALL");
	check_eq(mmuext(MMUEXT_INVLPG_ALL, PTR(page_a)), 0, "MMUEXT_INVLPG_ALL");
	check_eq(HYPERVISOR_mmuext_op(PTR(ops), 2, PTR(&done), DOMID_SELF), -XEN_ENOSYS,
		 "a batch ending in an unknown command");
	check_eq(done, 1, "done counts the command that succeeded");
	check_eq(mmuext(MMUEXT_MARK_SUPER, 0), -XEN_EOPNOTSUPP, "MMUEXT_MARK_SUPER");
	check_eq(mmuext(MMUEXT_FLUSH_CACHE, 0), -XEN_EACCES, "MMUEXT_FLUSH_CACHE needs I/O access");
	check_eq(HYPERVISOR_mmuext_op(UNMAPPED_VA, 1, 0, DOMID_SELF), -XEN_EFAULT,
		 "mmuext_op from a bad address");

	memset(page_c, 'C', 4096);
	check_eq(mmuext(MMUEXT_CLEAR_PAGE, virt_to_mfn(page_c)), 0, "MMUEXT_CLEAR_PAGE");
	check_eq(read_byte(page_c + 100), 0, "cleared");
	memset(page_b, 'B', 4096);
	ops[0] = (struct mmuext_op){ .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = virt_to_mfn(page_c),
				     .arg2.src_mfn = virt_to_mfn(page_b) };
	check_eq(HYPERVISOR_mmuext_op(PTR(ops), 1, 0, DOMID_SELF), 0, "MMUEXT_COPY_PAGE");
	check(!memcmp(page_b, page_c, 4096), "copied");
	check_eq(mmuext(MMUEXT_CLEAR_PAGE, NOT_RAM_MFN), -XEN_EINVAL, "clearing a frame beyond RAM");

	check_eq(HYPERVISOR_mmuext_op(PTR(&ldt), 1, 0, DOMID_SELF), 0, "MMUEXT_SET_LDT with no entries");
	ldt.arg1.linear_addr = PTR(page_a) + 8;
	ldt.arg2.nr_ents = 1;
	check_eq(HYPERVISOR_mmuext_op(PTR(&ldt), 1, 0, DOMID_SELF), -XEN_EINVAL,
		 "MMUEXT_SET_LDT at an unaligned address");
	ldt.arg1.linear_addr = PTR(page_a);
	ldt.arg2.nr_ents = 8193;
	check_eq(HYPERVISOR_mmuext_op(PTR(&ldt), 1, 0, DOMID_SELF), -XEN_EINVAL,
		 "MMUEXT_SET_LDT with too many entries");
}

void guest_main(void)
{
	test_update_va_mapping();
	test_mmu_update();
	test_pinning();
	test_own_page_tables();
	test_mmuext_misc();
}
