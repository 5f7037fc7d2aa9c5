/*
 * Descriptor checks (Xen's check_descriptor for 64-bit PV), set_gdt,
 * update_descriptor and set_segment_base, on a domain without KVM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_monitor_mmu_env.h"
#include "../../monitor/pv/segments.h"

#define GDT_FRAME 80ULL

static int setup(void **state)
{
	*state = env_create(1);
	return 0;
}

static int teardown(void **state)
{
	env_destroy(*state);
	return 0;
}

/* A code or data descriptor: base, limit 0xfffff (pages), type, DPL, L. */
static uint64_t seg(uint32_t base, unsigned int type, unsigned int dpl, bool l)
{
	uint32_t a = (base << 16) | 0xffff;
	uint32_t b = ((base >> 16) & 0xff) | (type << 8) | (1U << 12) | (dpl << 13) | (1U << 15) |
		     (0xfU << 16) | (l ? 1U << 21 : 1U << 22) | (1U << 23) | (base & 0xff000000U);
	return ((uint64_t)b << 32) | a;
}

/* A 64-bit call gate's low half: target selector, offset 0x1000, DPL. */
static uint64_t call_gate(uint16_t sel, unsigned int dpl)
{
	return 0x1000 | ((uint64_t)sel << 16) | ((uint64_t)(0xcU | (dpl << 5) | 0x80U) << 40);
}

static uint64_t *gdt(struct domain *d)
{
	return (uint64_t *)(d->ram + (GDT_FRAME << PAGE_SHIFT));
}

static uint64_t gdt_pte(struct domain *d, unsigned int i)
{
	return *(uint64_t *)gpa_range(d, hvarea_gdt_pte_gpa(d, 0, i), 8);
}

static long set_gdt(struct vcpu *v, const uint64_t *frames, unsigned int n, unsigned int entries)
{
	if (n)
		memcpy(env_va(v->d, ENV_ARGS), frames, n * sizeof(*frames));
	return call(do_set_gdt, v, ENV_ARGS, entries, 0, 0);
}

/* ---- check_descriptor ---------------------------------------------------------- */

static void descriptors_are_checked(void **state)
{
	uint64_t d;

	(void)state;
	/* Not present, null: left as they are. */
	d = seg(0, 0xa, 0, true) & ~(1ULL << 47);
	assert_true(pv_check_descriptor(&d));
	assert_int_equal(d, seg(0, 0xa, 0, true) & ~(1ULL << 47));
	d = 0;
	assert_true(pv_check_descriptor(&d));
	/* Code and data: DPL raised to 3, nothing else touched. */
	d = seg(0, 0xa, 0, true);
	assert_true(pv_check_descriptor(&d));
	assert_int_equal(d, seg(0, 0xa, 3, true));
	d = seg(0x12345678, 0x2, 1, false);
	assert_true(pv_check_descriptor(&d));
	assert_int_equal(d, seg(0x12345678, 0x2, 3, false));
	/* System descriptors other than call gates are refused: LDT, TSS,
	 * interrupt and trap gates; type 0 (a gate's upper half) is not. */
	for (unsigned int type = 1; type < 16; type++) {
		d = (1ULL << 47) | ((uint64_t)type << 40);
		assert_int_equal(pv_check_descriptor(&d), type == 0xc);
	}
	d = 0x0000ffffffff0000ULL & ~(0x1fULL << 40);
	assert_true(pv_check_descriptor(&d));
}

static void call_gates_are_checked(void **state)
{
	uint64_t d;

	(void)state;
	/* A guest selector: DPL to 0, the (raised) DPL kept in the RPL. */
	d = call_gate(0x10, 3);
	assert_true(pv_check_descriptor(&d));
	assert_int_equal(d, call_gate(0x13, 0));
	d = call_gate(0x10, 0);
	assert_true(pv_check_descriptor(&d));
	assert_int_equal(d, call_gate(0x13, 0));
	/* Xen's own selectors: only FLAT_KERNEL_CS. */
	d = call_gate(FLAT_KERNEL_CS, 3);
	assert_true(pv_check_descriptor(&d));
	d = call_gate(FLAT_RING3_CS32, 3);
	assert_false(pv_check_descriptor(&d));
	d = call_gate(0xe008, 3);
	assert_false(pv_check_descriptor(&d));
	/* LDT selectors are fine. */
	d = call_gate(0xe00c, 3);
	assert_true(pv_check_descriptor(&d));
	/* Reserved bits. */
	d = call_gate(0x10, 3) | (1ULL << 32);
	assert_false(pv_check_descriptor(&d));
}

/* ---- set_gdt ------------------------------------------------------------------------- */

static void set_gdt_installs_checked_frames(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	const uint64_t frames[] = { GDT_FRAME };
	enum frame_type t;

	gdt(d)[1] = seg(0, 0xa, 0, true);
	gdt(d)[2] = seg(0x12345678, 0x2, 3, false);
	gdt(d)[3] = call_gate(0x08, 3);
	/* Writable: cannot be a descriptor page. */
	assert_int_equal(set_gdt(v, frames, 1, 4), -XEN_EINVAL);
	assert_int_equal(env_map(v, GDT_FRAME, PTE_P), 0);
	v->tlb_flush = false;
	assert_int_equal(set_gdt(v, frames, 1, 4), 0);
	assert_int_equal(type_count(d, GDT_FRAME, &t), 1);
	assert_int_equal(t, FT_SEG_DESC);
	assert_int_equal(v->gdt_ents, 4);
	assert_int_equal(v->gdt_frames[0], GDT_FRAME);
	assert_true(v->tlb_flush);
	/* Fixed up in place. */
	assert_int_equal(gdt(d)[1], seg(0, 0xa, 3, true));
	assert_int_equal(gdt(d)[3], call_gate(0x0b, 0));
	/* Mapped into the GDT window: supervisor, writable, not executable. */
	assert_int_equal(gdt_pte(d, 0), (GDT_FRAME << 12) | 0x63 | (1ULL << 63));
	assert_int_equal(gdt_pte(d, 1), 0);
	/* And now not writable by the guest. */
	assert_int_equal(env_map(v, GDT_FRAME, PTE_P | PTE_RW), -XEN_EBUSY);
}

static void set_gdt_refusals(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	const uint64_t frames[] = { GDT_FRAME, GDT_FRAME + 1 };

	assert_int_equal(set_gdt(v, frames, 1, FIRST_RESERVED_GDT_ENTRY + 1), -XEN_EINVAL);
	assert_int_equal(call(do_set_gdt, v, 0x7fff00000000ULL, 1, 0, 0), -XEN_EFAULT);
	assert_int_equal(env_map(v, GDT_FRAME, PTE_P), 0);
	assert_int_equal(env_map(v, GDT_FRAME + 1, PTE_P), 0);
	/* A TSS in the second frame: neither frame ends up typed. */
	((uint64_t *)(d->ram + ((GDT_FRAME + 1) << PAGE_SHIFT)))[7] = (1ULL << 47) | (9ULL << 40);
	assert_int_equal(set_gdt(v, frames, 2, 1024), -XEN_EINVAL);
	assert_int_equal(type_count(d, GDT_FRAME, NULL), 0);
	assert_int_equal(type_count(d, GDT_FRAME + 1, NULL), 0);
	/* A frame that is not the domain's. */
	const uint64_t bad[] = { d->hva->shared_info_pfn };
	assert_int_equal(set_gdt(v, bad, 1, 1), -XEN_EINVAL);
	assert_int_equal(v->gdt_ents, 0);
}

static void set_gdt_replaces(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	const uint64_t one[] = { GDT_FRAME }, two[] = { GDT_FRAME + 1, GDT_FRAME + 2 };

	assert_int_equal(env_map(v, GDT_FRAME, PTE_P), 0);
	assert_int_equal(env_map(v, GDT_FRAME + 1, PTE_P), 0);
	assert_int_equal(env_map(v, GDT_FRAME + 2, PTE_P), 0);
	assert_int_equal(set_gdt(v, one, 1, 512), 0);
	assert_int_equal(set_gdt(v, two, 2, 513), 0);
	assert_int_equal(type_count(d, GDT_FRAME, NULL), 0);
	assert_int_equal(type_count(d, GDT_FRAME + 2, NULL), 1);
	assert_int_equal(gdt_pte(d, 1) >> 12 & 0xfffffffff, GDT_FRAME + 2);
	assert_int_equal(env_map(v, GDT_FRAME, PTE_P | PTE_RW), 0);
	/* An empty GDT lets everything go. */
	assert_int_equal(set_gdt(v, NULL, 0, 0), 0);
	assert_int_equal(type_count(d, GDT_FRAME + 1, NULL), 0);
	assert_int_equal(gdt_pte(d, 0), 0);
	/* The same frame twice holds two references. */
	const uint64_t twice[] = { GDT_FRAME + 1, GDT_FRAME + 1 };
	assert_int_equal(set_gdt(v, twice, 2, 1024), 0);
	assert_int_equal(type_count(d, GDT_FRAME + 1, NULL), 2);
	segments_destroy_gdt(v, v);
	drain(v);
	assert_int_equal(type_count(d, GDT_FRAME + 1, NULL), 0);
}

/* ---- update_descriptor ------------------------------------------------------------------ */

static void update_descriptor_checks(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	const uint64_t frames[] = { GDT_FRAME };
	uint64_t ga = (GDT_FRAME << PAGE_SHIFT) + 5 * 8;

	assert_int_equal(env_map(v, GDT_FRAME, PTE_P), 0);
	assert_int_equal(set_gdt(v, frames, 1, 16), 0);
	assert_int_equal(call(do_update_descriptor, v, ga, seg(0, 0x2, 0, false), 0, 0), 0);
	assert_int_equal(gdt(d)[5], seg(0, 0x2, 3, false));
	assert_int_equal(type_count(d, GDT_FRAME, NULL), 1);
	assert_int_equal(call(do_update_descriptor, v, ga + 1, 0, 0, 0), -XEN_EINVAL);
	assert_int_equal(call(do_update_descriptor, v, ga, (1ULL << 47) | (9ULL << 40), 0, 0),
			 -XEN_EINVAL);
	/* A data page may hold descriptors too; a page table may not. */
	assert_int_equal(call(do_update_descriptor, v, 100ULL << 12, seg(0, 0x2, 3, false), 0, 0), 0);
	assert_int_equal(*env_entry(d, 100, 0), seg(0, 0x2, 3, false));
	assert_int_equal(call(do_update_descriptor, v, ENV_L1 << 12, 0, 0, 0), -XEN_EINVAL);
	assert_int_equal(call(do_update_descriptor, v, d->hva->idt_pfn << 12, 0, 0, 0), -XEN_EINVAL);
	assert_int_equal(call(do_update_descriptor, v, 1ULL << 52, 0, 0, 0), -XEN_EINVAL);
}

/* ---- set_segment_base ---------------------------------------------------------------------- */

static void segment_bases(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	assert_int_equal(call(do_set_segment_base, v, SEGBASE_FS, 0x7f0000001000ULL, 0, 0), 0);
	assert_int_equal(v->fs_base, 0x7f0000001000ULL);
	assert_true(v->sregs_dirty);
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_KERNEL, 0xffff888000000000ULL, 0, 0),
			 0);
	assert_int_equal(v->gs_base_kernel, 0xffff888000000000ULL);
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_USER, 0x1000, 0, 0), 0);
	assert_int_equal(v->gs_base_user, 0x1000);
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_FS, 0x800000000000ULL, 0, 0),
			 -XEN_EINVAL);
	assert_int_equal(v->fs_base, 0x7f0000001000ULL);
	assert_int_equal(call(do_set_segment_base, v, 4, 0, 0, 0), -XEN_EINVAL);
}

static void user_gs_selector(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	const uint64_t frames[] = { GDT_FRAME };

	gdt(d)[2] = seg(0x12345678, 0x2, 3, false);
	gdt(d)[3] = seg(0, 0x8, 3, true);	/* execute-only code */
	gdt(d)[4] = seg(0xabcd0000, 0xa, 3, false);	/* readable code */
	assert_int_equal(env_map(v, GDT_FRAME, PTE_P), 0);
	assert_int_equal(set_gdt(v, frames, 1, 5), 0);
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_USER_SEL, 0x10, 0, 0), 0);
	assert_int_equal(v->gs_sel_user, 0x13);
	assert_int_equal(v->gs_base_user, 0x12345678);
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_USER_SEL, 0x20, 0, 0), 0);
	assert_int_equal(v->gs_sel_user, 0x23);
	assert_int_equal(v->gs_base_user, 0xabcd0000);
	/* Faulting loads give the null selector. */
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_USER_SEL, 0x18, 0, 0), 0);
	assert_int_equal(v->gs_sel_user, 0);
	assert_int_equal(v->gs_base_user, 0);
	v->gs_base_user = 1;
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_USER_SEL, 0x28, 0, 0), 0);
	assert_int_equal(v->gs_sel_user, 0);	/* beyond the guest's entries */
	assert_int_equal(v->gs_base_user, 0);
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_USER_SEL, 0xe008, 0, 0), 0);
	assert_int_equal(v->gs_sel_user, 0);	/* our CPL0 data segment */
	/* Xen's flat selectors load with base 0; null ones keep their RPL. */
	v->gs_base_user = 1;
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_USER_SEL, FLAT_RING3_DS32, 0, 0), 0);
	assert_int_equal(v->gs_sel_user, FLAT_RING3_DS32);
	assert_int_equal(v->gs_base_user, 0);
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_USER_SEL, 2, 0, 0), 0);
	assert_int_equal(v->gs_sel_user, 2);
	/* From the LDT, checked as Xen checks LDT pages. */
	*env_entry(d, 90, 1) = seg(0x5000, 0x2, 0, false);
	v->ldt_base = 90ULL << 12;
	v->ldt_ents = 2;
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_USER_SEL, 0x0c, 0, 0), 0);
	assert_int_equal(v->gs_sel_user, 0x0f);
	assert_int_equal(v->gs_base_user, 0x5000);
	assert_int_equal(call(do_set_segment_base, v, SEGBASE_GS_USER_SEL, 0x14, 0, 0), 0);
	assert_int_equal(v->gs_sel_user, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(descriptors_are_checked),
		cmocka_unit_test(call_gates_are_checked),
		cmocka_unit_test_setup_teardown(set_gdt_installs_checked_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(set_gdt_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(set_gdt_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(update_descriptor_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(segment_bases, setup, teardown),
		cmocka_unit_test_setup_teardown(user_gs_selector, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
