/*
 * What the monitor does with a guest exception before bouncing it
 * (monitor/emulate.c, emulate_priv.c), on a domain without KVM: the
 * instruction is placed in guest memory at CODE_VA, the vCPU's registers
 * point at it, and emulate_exception() runs as the run loop would call it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_monitor_mmu_env.h"
#include "../../monitor/emulate.h"

#define CODE_VA 0x20000ULL	/* a writable frame of the test domain */
#define STACK_TOP 0x30000ULL
#define BITMAP_VA 0x28000ULL
#define HANDLER 0x7777000ULL	/* where the guest's #GP handler "is" */
#define X86_CR0_TS 0x8ULL

struct env {
	struct domain *d;
	void *shared_info;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	e->d = env_create(1);
	e->shared_info = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(e->shared_info, 0, PAGE_SIZE);
	e->d->shared_info = e->shared_info;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	env_destroy(e->d);
	free(e->shared_info);
	free(e);
	return 0;
}

/* Put the instruction at CODE_VA and make it the vCPU's next one. */
static struct vcpu *at(void **state, const uint8_t *code, size_t len)
{
	struct env *e = *state;
	struct vcpu *v = &e->d->vcpu[0];

	memset(env_va(e->d, CODE_VA), 0x90, 64);
	memcpy(env_va(e->d, CODE_VA), code, len);
	v->regs.rip = CODE_VA;
	v->regs.rsp = STACK_TOP;
	v->regs.rflags = 0x202;
	return v;
}

#define AT(state, ...)                                                                             \
	({                                                                                         \
		static const uint8_t code_[] = { __VA_ARGS__ };                                    \
		at((state), code_, sizeof(code_));                                                 \
	})

static bool gp0(struct vcpu *v)
{
	return emulate_exception(v, 13, 0);
}

static void test_control_registers(void **state)
{
	struct vcpu *v = AT(state, 0x0f, 0x20, 0xc0);	/* mov %cr0,%rax */

	v->fpu_ts = true;
	assert_true(gp0(v));
	assert_int_equal(v->regs.rax, 0x80050033ULL | X86_CR0_TS);
	assert_int_equal(v->regs.rip, CODE_VA + 3);

	/* clts clears the virtual TS */
	v = AT(state, 0x0f, 0x06);
	assert_true(gp0(v));
	assert_false(v->fpu_ts);
	assert_int_equal(v->regs.rip, CODE_VA + 2);

	/* a CR0 write may change TS only */
	v = AT(state, 0x0f, 0x22, 0xc0);		/* mov %rax,%cr0 */
	v->regs.rax = 0x80050033ULL | X86_CR0_TS;
	assert_true(gp0(v));
	assert_true(v->fpu_ts);
	v = AT(state, 0x0f, 0x22, 0xc0);
	v->regs.rax = 0x80050033ULL & ~(1ULL << 16);	/* WP off */
	assert_false(gp0(v));
	assert_int_equal(v->regs.rip, CODE_VA);

	/* CR2 written, read back and shown in vcpu_info */
	v = AT(state, 0x0f, 0x22, 0xd3);		/* mov %rbx,%cr2 */
	v->regs.rbx = 0x4242000;
	assert_true(gp0(v));
	v = AT(state, 0x0f, 0x20, 0xd1);		/* mov %cr2,%rcx */
	assert_true(gp0(v));
	assert_int_equal(v->regs.rcx, 0x4242000);
	assert_int_equal(vcpu_info_of(v)->arch.cr2, 0x4242000);

	/* CR3 names the kernel's L4; CR8 is not emulated */
	v = AT(state, 0x0f, 0x20, 0xda);		/* mov %cr3,%rdx */
	assert_true(gp0(v));
	assert_int_equal(v->regs.rdx, ENV_L4 << PAGE_SHIFT);
	v = AT(state, 0x44, 0x0f, 0x20, 0xc0);		/* mov %cr8,%rax */
	assert_false(gp0(v));
}

static void test_cr3_write(void **state)
{
	struct vcpu *v = AT(state, 0x0f, 0x22, 0xd8);	/* mov %rax,%cr3 */

	v->regs.rax = ENV_L4 << PAGE_SHIFT;
	v->sregs_dirty = false;
	assert_true(gp0(v));
	assert_true(v->sregs_dirty);	/* reloaded: the TLB is flushed */
	v = AT(state, 0x0f, 0x22, 0xd8);
	v->regs.rax = CODE_VA;		/* a data page is no L4 */
	assert_false(gp0(v));
	assert_int_equal(v->guest_table, ENV_L4);
}

static void test_debug_registers(void **state)
{
	struct vcpu *v = AT(state, 0x0f, 0x21, 0xf8);	/* mov %dr7,%rax */

	assert_true(gp0(v));
	assert_int_equal(v->regs.rax, 0x400);
	v = AT(state, 0x0f, 0x23, 0xc3);		/* mov %rbx,%dr0 */
	v->regs.rbx = 0x1000;
	assert_true(gp0(v));
	v = AT(state, 0x0f, 0x21, 0xc1);		/* mov %dr0,%rcx */
	assert_true(gp0(v));
	assert_int_equal(v->regs.rcx, 0x1000);
	/* a breakpoint in Xen's range is refused */
	v = AT(state, 0x0f, 0x23, 0xc3);
	v->regs.rbx = HYPERVISOR_VIRT_START;
	assert_false(gp0(v));
}

static void test_user_mode_is_not_privileged(void **state)
{
	struct vcpu *v = AT(state, 0x0f, 0x20, 0xc0);	/* mov %cr0,%rax */

	v->kernel_mode = false;
	assert_false(gp0(v));
	v = AT(state, 0x0f, 0x32);			/* rdmsr */
	assert_false(gp0(v));
	v->kernel_mode = true;
}

static void test_msrs(void **state)
{
	struct env *e = *state;
	struct vcpu *v = AT(state, 0x0f, 0x32);	/* rdmsr */
	const uint8_t *page = env_va(e->d, 0x40000);

	v->regs.rcx = 0xc0000080;		/* EFER */
	assert_true(gp0(v));
	assert_int_equal(v->regs.rax, 0xd01);
	assert_int_equal(v->regs.rdx, 0);

	v = AT(state, 0x0f, 0x30);			/* wrmsr: the same value back */
	v->regs.rcx = 0xc0000080;
	v->regs.rax = 0xd01;
	v->regs.rdx = 0;
	assert_true(gp0(v));
	v = AT(state, 0x0f, 0x30);			/* a change */
	v->regs.rax = 0xc01;
	assert_false(gp0(v));

	v = AT(state, 0x0f, 0x32);
	v->regs.rcx = 0x1b;				/* APIC_BASE */
	assert_true(gp0(v));
	assert_int_equal(v->regs.rax, 0xfee00900);

	v = AT(state, 0x0f, 0x30);			/* FS_BASE must be canonical */
	v->regs.rcx = 0xc0000100;
	v->regs.rax = 0;
	v->regs.rdx = 0x80000000;
	assert_false(gp0(v));

	/* Intel's microcode-revision latch and feature control, as Xen answers
	 * them; #GP on another vendor (this domain has no CPUID table, so no
	 * vendor: the Intel side is checked by tests/integration/debian.sh) */
	uint32_t id[4];
	emulate_cpuid(v, 0, 0, id);
	bool intel = !memcmp(&id[1], "Genu", 4);
	v = AT(state, 0x0f, 0x30);
	v->regs.rcx = 0x8b;
	v->regs.rax = v->regs.rdx = 0;
	assert_int_equal(gp0(v), intel);
	v = AT(state, 0x0f, 0x30);
	v->regs.rax = 1;				/* only 0 may be written */
	assert_false(gp0(v));
	v = AT(state, 0x0f, 0x32);
	v->regs.rcx = 0x3a;
	assert_int_equal(gp0(v), intel);
	if (intel)
		assert_int_equal(v->regs.rax, 1);	/* locked, nothing enabled */

	/* Xen's MSR range: the hypercall page, and nothing else */
	v = AT(state, 0x0f, 0x32);
	v->regs.rcx = 0x40000000;
	v->regs.rax = 7;
	assert_true(gp0(v));
	assert_int_equal(v->regs.rax, 0);
	v = AT(state, 0x0f, 0x32);
	v->regs.rcx = 0x40000001;
	assert_false(gp0(v));

	v = AT(state, 0x0f, 0x30);
	v->regs.rcx = 0x40000000;
	v->regs.rdx = 0;
	v->regs.rax = 0x40000 | 1;			/* a page index */
	assert_false(gp0(v));
	v = AT(state, 0x0f, 0x30);
	v->regs.rax = ENV_L1 << PAGE_SHIFT;		/* a page table */
	assert_false(gp0(v));
	v = AT(state, 0x0f, 0x30);
	v->regs.rax = 0x40000;
	assert_true(gp0(v));
	/* slot 17 (xen_version): mov $17,%eax; movabs %al,doorbell+0xf1; ret */
	uint64_t bell;
	assert_int_equal(page[17 * 32], 0xb8);
	assert_int_equal(page[17 * 32 + 1], 17);
	assert_int_equal(page[17 * 32 + 5], 0xa2);
	memcpy(&bell, &page[17 * 32 + 6], 8);
	assert_int_equal(bell, HV_AREA_VA + HV_DOORBELL_OFF + DOORBELL_HYPERCALL);
	assert_int_equal(page[17 * 32 + 14], 0xc3);
}

static void test_port_io(void **state)
{
	struct env *e = *state;
	struct vcpu *v = AT(state, 0xe4, 0x80);	/* in $0x80,%al */

	v->iopl = 0;
	assert_false(gp0(v));			/* IOPL 0: #GP */
	v->iopl = 1;
	v->regs.rax = 0x1234567800;
	assert_true(gp0(v));
	assert_int_equal(v->regs.rax, 0x12345678ff);	/* no such port: all ones in %al */
	assert_int_equal(v->regs.rip, CODE_VA + 2);

	v = AT(state, 0xe5, 0x80);			/* in $0x80,%eax zero-extends */
	v->regs.rax = ~0ULL;
	assert_true(gp0(v));
	assert_int_equal(v->regs.rax, 0xffffffff);

	/* the RTC index latch */
	v = AT(state, 0xe6, 0x70);			/* out %al,$0x70 */
	v->regs.rax = 0x8b;
	assert_true(gp0(v));
	v = AT(state, 0xe4, 0x70);
	assert_true(gp0(v));
	assert_int_equal(v->regs.rax & 0xff, 0x0b);

	/* the PCI address latch, dword accesses only, through %dx */
	v = AT(state, 0xef);				/* out %eax,(%dx) */
	v->regs.rdx = 0xcf8;
	v->regs.rax = 0x80001234;
	assert_true(gp0(v));
	v = AT(state, 0xed);				/* in (%dx),%eax */
	v->regs.rax = 0;
	assert_true(gp0(v));
	assert_int_equal(v->regs.rax, 0x80001234);

	/* the I/O bitmap: a clear bit opens the port */
	v->iopl = 0;
	memset(env_va(e->d, BITMAP_VA), 0xff, 32);
	*(uint8_t *)env_va(e->d, BITMAP_VA + 0x80 / 8) &= ~1;
	v->iobmp = BITMAP_VA;
	v->iobmp_nr = 256;
	v = AT(state, 0xe4, 0x80);
	assert_true(gp0(v));
	v = AT(state, 0xe4, 0x81);
	assert_false(gp0(v));
	v = AT(state, 0x66, 0xe5, 0x80);		/* two ports: 0x81 is closed */
	assert_false(gp0(v));
	v->iobmp_nr = 0;
	v = AT(state, 0xe4, 0x80);
	assert_false(gp0(v));
}

static void test_cli_sti(void **state)
{
	struct env *e = *state;
	struct vcpu *v = AT(state, 0xfa);

	v->iopl = 0;
	assert_false(gp0(v));
	v->iopl = 1;
	assert_true(gp0(v));				/* a no-op */
	assert_int_equal(v->regs.rip, CODE_VA + 1);
	assert_int_equal(v->regs.rflags, 0x202);

	/* user mode needs IOPL 3; the kernel counts as ring 0 with the assist */
	v = AT(state, 0xfb);
	v->kernel_mode = false;
	assert_false(gp0(v));
	v->iopl = 3;
	assert_true(gp0(v));
	v->kernel_mode = true;
	v->iopl = 0;
	e->d->vm_assist = 1ULL << VMASST_TYPE_architectural_iopl;
	v = AT(state, 0xfa);
	assert_true(gp0(v));
	e->d->vm_assist = 0;
}

static void test_forced_cpuid(void **state)
{
	struct vcpu *v = AT(state, 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2);

	v->regs.rax = 0x40000002;
	assert_true(emulate_exception(v, 6, 0));
	assert_int_equal(v->regs.rax, 1);		/* one hypercall page */
	assert_int_equal(v->regs.rbx, 0x40000000);	/* through this MSR */
	assert_int_equal(v->regs.rcx & 1, 1);		/* MMU_PT_UPDATE_PRESERVE_AD */
	assert_int_equal(v->regs.rip, CODE_VA + 7);
	v = AT(state, 0x0f, 0x0b);			/* a plain ud2 is the guest's */
	assert_false(emulate_exception(v, 6, 0));
}

/* `int n`, which this host raises as #UD: Xen's rules for which vectors a
 * guest may raise and how. */
static void test_software_interrupts(void **state)
{
	struct env *e = *state;
	const uint64_t *frame = env_va(e->d, STACK_TOP - 8 * 8);
	struct vcpu *v = AT(state, 0xcd, 0x81);

	v->traps[13] = (struct trap_info){ .vector = 13, .cs = FLAT_KERNEL_CS, .address = HANDLER };
	v->traps[0x81] = (struct trap_info){ .vector = 0x81, .cs = FLAT_KERNEL_CS, .address = HANDLER + 0x81 };
	assert_true(emulate_exception(v, 6, 0));	/* DPL 0: #GP(vector 0x81, IDT) */
	assert_int_equal(v->regs.rip, HANDLER);
	assert_int_equal(frame[2], (0x81 << 3) | 2);
	assert_int_equal(frame[3], CODE_VA);		/* at the int instruction */

	v = AT(state, 0xcd, 0x81);
	v->traps[0x81].flags = 3;			/* DPL 3 */
	assert_true(emulate_exception(v, 6, 0));
	assert_int_equal(v->regs.rip, HANDLER + 0x81);
	/* no error code, so the frame is a word shorter: rip after the int */
	assert_int_equal(frame[3], CODE_VA + 2);

	/* int $3 is #BP and int $0x80 reaches its handler, whatever their DPL */
	v = AT(state, 0xcd, 0x03);
	v->traps[3] = (struct trap_info){ .vector = 3, .cs = FLAT_KERNEL_CS, .address = HANDLER + 3 };
	assert_true(emulate_exception(v, 6, 0));
	assert_int_equal(v->regs.rip, HANDLER + 3);
	v = AT(state, 0xcd, 0x80);
	v->traps[0x80] = (struct trap_info){ .vector = 0x80, .cs = FLAT_KERNEL_CS, .address = HANDLER + 0x80 };
	assert_true(emulate_exception(v, 6, 0));
	assert_int_equal(v->regs.rip, HANDLER + 0x80);
}

/* A #PF in the vCPU's GDT window: a descriptor load past the guest's
 * entries, which Xen turns into #GP(selector) for the guest. */
static void test_gdt_fault(void **state)
{
	struct vcpu *v = AT(state, 0x8e, 0xd8);	/* mov %eax,%ds */
	struct env *e = *state;
	const uint64_t *frame = env_va(e->d, STACK_TOP - 8 * 8);

	v->traps[13].address = HANDLER;
	v->traps[13].cs = FLAT_KERNEL_CS;
	v->cr2 = HV_VCPU_WINDOW(0) + HV_GDT_OFF + 0x1230;
	assert_true(emulate_exception(v, 14, 0));
	assert_int_equal(v->regs.rip, HANDLER);
	/* the frame: rcx, r11, error code, rip, cs, rflags, rsp, ss */
	assert_int_equal(frame[2], 0x1230);
	assert_int_equal(frame[3], CODE_VA);
	/* a user-mode access to the window is an ordinary #PF */
	v = AT(state, 0x8e, 0xd8);
	assert_false(emulate_exception(v, 14, 4));
}

static void test_m2p_default_address(void **state)
{
	struct env *e = *state;
	struct vcpu *v = AT(state, 0x48, 0x8b, 0x07);	/* mov (%rdi),%rax */
	const uint64_t *m2p = gpa_range(e->d, e->d->hva->m2p_pfn << PAGE_SHIFT, PAGE_SIZE);

	v->cr2 = MACH2PHYS_VIRT_START + 8 * 5;
	v->regs.rdi = v->cr2;
	assert_true(emulate_exception(v, 14, 0));
	assert_int_equal(v->regs.rax, m2p[5]);
	assert_int_equal(v->regs.rip, CODE_VA + 3);

	/* a write is the fault of a read-only mapping */
	v = AT(state, 0x48, 0x89, 0x07);		/* mov %rax,(%rdi) */
	v->traps[14].address = HANDLER;
	v->traps[14].cs = FLAT_KERNEL_CS;
	assert_true(emulate_exception(v, 14, 2));
	assert_int_equal(v->regs.rip, HANDLER);
	assert_int_equal(*(const uint64_t *)env_va(e->d, STACK_TOP - 8 * 8 + 16), 3);
}

/* With the writable_pagetables assist, a kernel store to its read-only L1
 * is validated and done (Xen's adjustments of the entry aside); without
 * it, or for a bad entry, the #PF stays. */
static void test_writable_pagetables(void **state)
{
	struct env *e = *state;
	uint64_t pte_va = (ENV_L1 << PAGE_SHIFT) + 8 * 0x50;
	uint64_t good = (0x51ULL << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_A | PTE_D;
	struct vcpu *v = AT(state, 0x48, 0x89, 0x07);	/* mov %rax,(%rdi) */

	v->regs.rdi = v->cr2 = pte_va;
	v->regs.rax = good;
	assert_false(emulate_exception(v, 14, 3));	/* assist off */
	e->d->vm_assist = 1ULL << VMASST_TYPE_writable_pagetables;
	assert_true(emulate_exception(v, 14, 3));
	drain(v);
	assert_int_equal(*env_entry(e->d, ENV_L1, 0x50) & ~(PTE_US | PTE_GK | PTE_G), good);
	assert_int_equal(v->regs.rip, CODE_VA + 3);

	/* a writable mapping of the L4 would break Xen's invariants */
	v = AT(state, 0x48, 0x89, 0x07);
	v->regs.rdi = v->cr2 = pte_va;
	v->regs.rax = (ENV_L4 << PAGE_SHIFT) | PTE_P | PTE_RW;
	assert_false(emulate_exception(v, 14, 3));

	/* a 32-bit store into the high half, merged into the entry */
	v = AT(state, 0x89, 0x07);			/* mov %eax,(%rdi) */
	v->regs.rdi = v->cr2 = pte_va + 4;
	v->regs.rax = 0x80000000;			/* NX */
	assert_true(emulate_exception(v, 14, 3));
	drain(v);
	assert_int_equal(*env_entry(e->d, ENV_L1, 0x50) & ~(PTE_US | PTE_GK | PTE_G), good | (1ULL << 63));

	/* Linux's ptep_get_and_clear: the old entry comes back in the register */
	v = AT(state, 0x48, 0x87, 0x37);		/* xchg %rsi,(%rdi) */
	v->regs.rdi = v->cr2 = pte_va;
	v->regs.rsi = 0;
	assert_true(emulate_exception(v, 14, 3));
	drain(v);
	assert_int_equal(*env_entry(e->d, ENV_L1, 0x50), 0);
	assert_int_equal(v->regs.rsi & ~(PTE_US | PTE_GK | PTE_G), good | (1ULL << 63));
	assert_int_equal(v->regs.rip, CODE_VA + 3);
	e->d->vm_assist = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_control_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cr3_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debug_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_mode_is_not_privileged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_sti, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forced_cpuid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_software_interrupts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gdt_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_m2p_default_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_pagetables, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
