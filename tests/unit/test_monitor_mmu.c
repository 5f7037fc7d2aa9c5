/*
 * The PV MMU against Xen's rules: entry validation, the type and pin state
 * machine, mmu_update, mmuext_op, update_va_mapping and vm_assist, on a
 * domain without KVM (see test_monitor_mmu_env.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_monitor_mmu_env.h"

static int setup1(void **state)
{
	*state = env_create(1);
	return 0;
}

static int setup2(void **state)
{
	*state = env_create(2);
	return 0;
}

static int teardown(void **state)
{
	env_destroy(*state);
	return 0;
}

/* The slot of the read-only M2P in every L4 that has it. */
#define M2P_SLOT ((unsigned int)(HV_M2P_VA >> 39) & 511)

static long mmuext(struct vcpu *v, unsigned int cmd, uint64_t arg1, uint64_t arg2)
{
	struct mmuext_op *op = env_va(v->d, ENV_ARGS);

	memset(op, 0, sizeof(*op));
	op->cmd = cmd;
	op->arg1.mfn = arg1;
	op->arg2.src_mfn = arg2;
	return call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF);
}

static uint64_t m2p(struct domain *d, uint64_t mfn)
{
	return ((uint64_t *)(d->hv + ((d->hva->m2p_pfn - d->hv_base_pfn) << PAGE_SHIFT)))[mfn];
}

/* ---- the bootstrap tables --------------------------------------------------- */

static void initial_tables_are_a_pinned_l4_tree(void **state)
{
	struct domain *d = *state;
	enum frame_type t;

	assert_int_equal(type_count(d, ENV_L4, &t), 2);	/* pin + vCPU 0's base */
	assert_int_equal(t, FT_L4);
	assert_int_equal(type_count(d, ENV_L3, &t), 1);
	assert_int_equal(t, FT_L3);
	assert_int_equal(type_count(d, ENV_L2, &t), 1);
	assert_int_equal(t, FT_L2);
	assert_int_equal(type_count(d, ENV_L1, &t), 1);
	assert_int_equal(t, FT_L1);
	assert_int_equal(type_count(d, 100, &t), 1);	/* mapped writable once */
	assert_int_equal(t, FT_WRITABLE);
	assert_int_equal(d->vcpu[0].guest_table, ENV_L4);
	/* Xen's adjustments: kernel pages become user-accessible, not global. */
	assert_int_equal(*env_entry(d, ENV_L1, 100),
			 (100ULL << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_US | PTE_GK);
	assert_int_equal(*env_entry(d, ENV_L4, 0) & PTE_US, PTE_US);
	/* Xen's slots, as the hypervisor area has them. */
	for (unsigned int s = HV_SLOT_FIRST; s <= HV_SLOT_LAST; s++)
		assert_int_equal(*env_entry(d, ENV_L4, s), d->hva->l4_slot[s - HV_SLOT_FIRST]);
}

static void initial_tables_must_validate(void **state)
{
	struct domain *d = *state;

	(void)state;
	/* A second tree whose L1 maps itself writable is refused. */
	*env_entry(d, 200, 0) = (201ULL << PAGE_SHIFT) | PTE_P | PTE_RW;
	*env_entry(d, 201, 0) = (202ULL << PAGE_SHIFT) | PTE_P | PTE_RW;
	*env_entry(d, 202, 0) = (203ULL << PAGE_SHIFT) | PTE_P | PTE_RW;
	*env_entry(d, 203, 0) = (203ULL << PAGE_SHIFT) | PTE_P | PTE_RW;
	/* 200-203 are mapped writable by the bootstrap L1: not tables. */
	assert_int_equal(mmu_note_initial_tables(d, 200), -1);
	assert_int_equal(type_count(d, 200, NULL), 1);
}

/* ---- L1 entries -------------------------------------------------------------- */

static void l1_flags_are_checked_and_adjusted(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	uint64_t ptr = pte_maddr(ENV_L1, 10);

	/* Cache attributes need cache-flush permission. */
	assert_int_equal(mmu_update_one(v, ptr, (10ULL << 12) | PTE_P | PTE_PCD, NULL), -XEN_EINVAL);
	/* Global is the guest's to set in an L1. */
	assert_int_equal(mmu_update_one(v, ptr, (10ULL << 12) | PTE_P | PTE_G, NULL), 0);
	assert_int_equal(*env_entry(d, ENV_L1, 10),
			 (10ULL << 12) | PTE_P | PTE_G | PTE_US | PTE_GK);
	/* A user page is made global. */
	assert_int_equal(mmu_update_one(v, ptr, (10ULL << 12) | PTE_P | PTE_RW | PTE_US, NULL), 0);
	assert_int_equal(*env_entry(d, ENV_L1, 10), (10ULL << 12) | PTE_P | PTE_RW | PTE_US | PTE_G);
	/* Not present: anything goes, unchecked. */
	assert_int_equal(mmu_update_one(v, ptr, 0xfff0000000000ff0ULL, NULL), 0);
	assert_int_equal(*env_entry(d, ENV_L1, 10), 0xfff0000000000ff0ULL);
}

static void l1_targets_are_checked(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	const struct hvarea *a = d->hva;
	uint64_t ptr = pte_maddr(ENV_L1, 10);

	/* A page table may be mapped, but not writable. */
	assert_int_equal(mmu_update_one(v, ptr, (ENV_L2 << 12) | PTE_P | PTE_RW, NULL), -XEN_EBUSY);
	assert_int_equal(mmu_update_one(v, ptr, (ENV_L2 << 12) | PTE_P, NULL), 0);
	/* Hypervisor frames: the guest's (shared_info) yes, the rest no. */
	assert_int_equal(mmu_update_one(v, ptr, (a->shared_info_pfn << 12) | PTE_P | PTE_RW, NULL), 0);
	assert_int_equal(mmu_update_one(v, ptr, (a->idt_pfn << 12) | PTE_P, NULL), -XEN_EBUSY);
	/* The M2P read-only only. */
	assert_int_equal(mmu_update_one(v, ptr, (a->m2p_pfn << 12) | PTE_P, NULL), 0);
	assert_int_equal(mmu_update_one(v, ptr, (a->m2p_pfn << 12) | PTE_P | PTE_RW, NULL),
			 -XEN_EBUSY);
	/* No such frame: MMIO a domU has no access to; INVALID_MFN is EINVAL. */
	assert_int_equal(mmu_update_one(v, ptr, (0x100000ULL << 12) | PTE_P, NULL), -XEN_EPERM);
	assert_int_equal(mmu_update_one(v, ptr, 0x000ffffffffff000ULL | PTE_P, NULL), -XEN_EINVAL);
}

static void writable_mappings_are_counted(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	assert_int_equal(type_count(d, 100, NULL), 1);
	/* A second writable mapping (at VA of frame 101). */
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L1, 101), (100ULL << 12) | PTE_P | PTE_RW,
					NULL),
			 0);
	assert_int_equal(type_count(d, 100, NULL), 2);
	assert_int_equal(type_count(d, 101, NULL), 0);
	/* Read-only mappings hold no type reference. */
	assert_int_equal(env_map(v, 100, PTE_P), 0);
	assert_int_equal(type_count(d, 100, NULL), 1);
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L1, 101), 0, NULL), 0);
	assert_int_equal(type_count(d, 100, NULL), 0);
}

static void batches_stop_at_the_first_failure(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	struct mmu_update *u = env_va(d, ENV_ARGS);
	uint32_t *done = env_va(d, ENV_ARGS + 0x800);
	uint64_t before = *env_entry(d, ENV_L1, 12);

	u[0] = (struct mmu_update){ pte_maddr(ENV_L1, 11), (11ULL << 12) | PTE_P };
	u[1] = (struct mmu_update){ pte_maddr(ENV_L1, 12), (12ULL << 12) | PTE_P | PTE_PCD };
	u[2] = (struct mmu_update){ pte_maddr(ENV_L1, 12), 0 };
	assert_int_equal(call(do_mmu_update, v, ENV_ARGS, 3, ENV_ARGS + 0x800, DOMID_SELF),
			 -XEN_EINVAL);
	assert_int_equal(*done, 1);
	assert_int_equal(*env_entry(d, ENV_L1, 11) & PTE_RW, 0);
	assert_int_equal(*env_entry(d, ENV_L1, 12), before);
	/* A list the guest cannot point at. */
	assert_int_equal(call(do_mmu_update, v, 0xffff800000000000ULL, 1, 0, DOMID_SELF),
			 -XEN_EFAULT);
	/* A list that runs into unmapped memory: the count says how far. */
	u = env_va(d, 0x1ff000 - sizeof(*u));
	*u = (struct mmu_update){ pte_maddr(ENV_L1, 11), (11ULL << 12) | PTE_P | PTE_RW };
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L1, 0x1ff), 0, NULL), 0);	/* unmap 0x1ff000 */
	assert_int_equal(call(do_mmu_update, v, 0x1ff000 - sizeof(*u), 2, ENV_ARGS + 0x800,
			      DOMID_SELF),
			 -XEN_EFAULT);
	assert_int_equal(*done, 1);
}

static void preserve_ad_keeps_accessed_and_dirty(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L1, 13) | MMU_PT_UPDATE_PRESERVE_AD,
					(13ULL << 12) | PTE_P | PTE_RW, NULL),
			 0);
	assert_int_equal(*env_entry(d, ENV_L1, 13) & (PTE_A | PTE_D), PTE_A | PTE_D);
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L1, 13), (13ULL << 12) | PTE_P | PTE_RW,
					NULL),
			 0);
	assert_int_equal(*env_entry(d, ENV_L1, 13) & (PTE_A | PTE_D), 0);
}

static void updates_elsewhere(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	/* A data frame: a plain write. */
	assert_int_equal(mmu_update_one(v, pte_maddr(20, 3), 0x5555, NULL), 0);
	assert_int_equal(*env_entry(d, 20, 3), 0x5555);
	/* Xen's own L4 slots. */
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L4, 256), 0, NULL), -XEN_EINVAL);
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L4, 271), 0, NULL), -XEN_EINVAL);
	/* A frame the domain does not own. */
	assert_int_equal(mmu_update_one(v, pte_maddr(d->hva->idt_pfn, 0), 0, NULL), -XEN_EINVAL);
	/* An unknown command. */
	assert_int_equal(mmu_update_one(v, pte_maddr(20, 3) | 5, 0, NULL), -XEN_ENOSYS);
	/* The M2P. */
	assert_int_equal(mmu_update_one(v, (20ULL << 12) | MMU_MACHPHYS_UPDATE, 0x1234, NULL), 0);
	assert_int_equal(m2p(d, 20), 0x1234);
	assert_int_equal(
		mmu_update_one(v, (d->hva->idt_pfn << 12) | MMU_MACHPHYS_UPDATE, 0x1234, NULL),
		-XEN_EINVAL);
}

static void foreign_domains(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	struct mmu_update *u = env_va(d, ENV_ARGS);
	uint32_t *done = env_va(d, ENV_ARGS + 0x800);
	uint64_t pdone = ENV_ARGS + 0x800;

	*u = (struct mmu_update){ pte_maddr(ENV_L1, 14), (14ULL << 12) | PTE_P };
	/* Itself by id, or an absent domain: ESRCH, nothing done. */
	*done = 7;
	assert_int_equal(call(do_mmu_update, v, ENV_ARGS, 1, pdone, ENV_DOMID), -XEN_ESRCH);
	assert_int_equal(*done, 0);
	assert_int_equal(call(do_mmu_update, v, ENV_ARGS, 1, pdone, 9), -XEN_ESRCH);
	/* Xen and dom0 exist; XSM refuses a domU. */
	assert_int_equal(call(do_mmu_update, v, ENV_ARGS, 1, pdone, DOMID_XEN), -XEN_EPERM);
	assert_int_equal(call(do_mmu_update, v, ENV_ARGS, 1, pdone, 0), -XEN_EPERM);
	/* Page tables of another domain (encoded as domid + 1 above bit 16). */
	assert_int_equal(call(do_mmu_update, v, ENV_ARGS, 1, pdone, (10U << 16) | DOMID_SELF),
			 -XEN_ESRCH);
	assert_int_equal(call(do_mmu_update, v, ENV_ARGS, 1, pdone, (1U << 16) | DOMID_SELF),
			 -XEN_EPERM);
	assert_int_equal(
		call(do_mmu_update, v, ENV_ARGS, 1, pdone, ((ENV_DOMID + 1U) << 16) | DOMID_SELF), 0);
	/* DOMID_IO: the frames mapped must be its own, which RAM is not. */
	*u = (struct mmu_update){ pte_maddr(ENV_L1, 15), (15ULL << 12) | PTE_P };
	assert_int_equal(call(do_mmu_update, v, ENV_ARGS, 1, pdone, DOMID_IO), -XEN_EBUSY);
	u->val = 0;
	assert_int_equal(call(do_mmu_update, v, ENV_ARGS, 1, pdone, DOMID_IO), 0);
	*u = (struct mmu_update){ pte_maddr(ENV_L2, 5), 0 };
	assert_int_equal(call(do_mmu_update, v, ENV_ARGS, 1, pdone, DOMID_IO), -XEN_EINVAL);
}

/* ---- tables and pins ------------------------------------------------------------ */

static void pin_unpin_l1(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	enum frame_type t;

	*env_entry(d, 30, 0) = (40ULL << 12) | PTE_P | PTE_RW;
	*env_entry(d, 30, 1) = (41ULL << 12) | PTE_P;
	/* Mapped writable: cannot become a page table. */
	assert_int_equal(mmuext(v, MMUEXT_PIN_L1_TABLE, 30, 0), -XEN_EINVAL);
	assert_int_equal(env_map(v, 30, PTE_P | PTE_A), 0);
	assert_int_equal(mmuext(v, MMUEXT_PIN_L1_TABLE, 30, 0), 0);
	assert_int_equal(type_count(d, 30, &t), 1);
	assert_int_equal(t, FT_L1);
	assert_int_equal(type_count(d, 40, NULL), 2);	/* + the table's mapping */
	assert_int_equal(*env_entry(d, 30, 0), (40ULL << 12) | PTE_P | PTE_RW | PTE_US | PTE_GK);
	/* Pinned once only; a pinned table may not become writable. */
	assert_int_equal(mmuext(v, MMUEXT_PIN_L1_TABLE, 30, 0), -XEN_EINVAL);
	assert_int_equal(type_count(d, 30, NULL), 1);
	assert_int_equal(mmuext(v, MMUEXT_PIN_L2_TABLE, 30, 0), -XEN_EINVAL);
	assert_int_equal(env_map(v, 30, PTE_P | PTE_RW), -XEN_EBUSY);
	assert_int_equal(mmuext(v, MMUEXT_UNPIN_TABLE, 30, 0), 0);
	assert_int_equal(type_count(d, 30, NULL), 0);
	assert_int_equal(type_count(d, 40, NULL), 1);
	assert_int_equal(mmuext(v, MMUEXT_UNPIN_TABLE, 30, 0), -XEN_EINVAL);
	assert_int_equal(env_map(v, 30, PTE_P | PTE_RW), 0);
	/* Frames the domain does not have. */
	assert_int_equal(mmuext(v, MMUEXT_PIN_L1_TABLE, ENV_PAGES, 0), -XEN_EINVAL);
	assert_int_equal(mmuext(v, MMUEXT_PIN_L1_TABLE, d->hva->shared_info_pfn, 0), -XEN_EINVAL);
}

static void failed_validation_undoes_everything(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	enum frame_type t;

	*env_entry(d, 31, 0) = (40ULL << 12) | PTE_P | PTE_RW;
	*env_entry(d, 31, 1) = (ENV_L2 << 12) | PTE_P | PTE_RW;	/* a table, writable */
	assert_int_equal(env_map(v, 31, PTE_P), 0);
	assert_int_equal(mmuext(v, MMUEXT_PIN_L1_TABLE, 31, 0), -XEN_EBUSY);
	assert_int_equal(type_count(d, 31, &t), 0);
	assert_int_equal(t, FT_NONE);
	assert_int_equal(type_count(d, 40, NULL), 1);
	/* An L2 whose second L1 fails: the first L1 is let go again. */
	*env_entry(d, 32, 0) = (33ULL << 12) | PTE_P | PTE_RW;
	*env_entry(d, 32, 1) = (31ULL << 12) | PTE_P | PTE_RW;
	*env_entry(d, 33, 0) = (40ULL << 12) | PTE_P | PTE_RW;
	assert_int_equal(env_map(v, 32, PTE_P), 0);
	assert_int_equal(env_map(v, 33, PTE_P), 0);
	assert_int_equal(mmuext(v, MMUEXT_PIN_L2_TABLE, 32, 0), -XEN_EBUSY);
	assert_int_equal(type_count(d, 32, NULL), 0);
	assert_int_equal(type_count(d, 33, NULL), 0);
	assert_int_equal(type_count(d, 40, NULL), 1);
	/* Superpages and global bits are not for an L2. */
	*env_entry(d, 32, 1) = (31ULL << 12) | PTE_P | PTE_PSE;
	assert_int_equal(mmuext(v, MMUEXT_PIN_L2_TABLE, 32, 0), -XEN_EINVAL);
	*env_entry(d, 32, 1) = (34ULL << 12) | PTE_P | PTE_G;
	assert_int_equal(mmuext(v, MMUEXT_PIN_L2_TABLE, 32, 0), -XEN_EINVAL);
	assert_int_equal(type_count(d, 33, NULL), 0);
}

static void hooking_a_table_types_it(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	enum frame_type t;

	*env_entry(d, 30, 0) = (40ULL << 12) | PTE_P | PTE_RW;
	assert_int_equal(env_map(v, 30, PTE_P), 0);
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L2, 1), (30ULL << 12) | PTE_P | PTE_RW, NULL),
			 0);
	assert_int_equal(type_count(d, 30, &t), 1);
	assert_int_equal(t, FT_L1);
	assert_int_equal(*env_entry(d, ENV_L2, 1), (30ULL << 12) | PTE_P | PTE_RW | PTE_US);
	assert_int_equal(env_map(v, 30, PTE_P | PTE_RW), -XEN_EBUSY);
	/* Changing only rights and A/D keeps the reference where it is. */
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L2, 1), (30ULL << 12) | PTE_P | PTE_A, NULL),
			 0);
	assert_int_equal(type_count(d, 30, NULL), 1);
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L2, 1), 0, NULL), 0);
	assert_int_equal(type_count(d, 30, NULL), 0);
	assert_int_equal(type_count(d, 40, NULL), 1);
	assert_int_equal(env_map(v, 30, PTE_P | PTE_RW), 0);
	/* A table of the wrong level, or one that maps itself (linear page
	 * tables are not supported). */
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L2, 1), (ENV_L2 << 12) | PTE_P, NULL),
			 -XEN_EINVAL);
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L4, 5), (ENV_L4 << 12) | PTE_P, NULL),
			 -XEN_EINVAL);
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L3, 1), (ENV_L4 << 12) | PTE_P, NULL),
			 -XEN_EINVAL);
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L2, 1), (ENV_PAGES + 0ULL) << 12 | PTE_P,
					NULL),
			 -XEN_EINVAL);
}

static void new_baseptr_switches_tables(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	*env_entry(d, 50, 0) = (ENV_L3 << 12) | PTE_P | PTE_RW;
	assert_int_equal(mmuext(v, MMUEXT_NEW_BASEPTR, 50, 0), -XEN_EINVAL);	/* writable */
	assert_int_equal(env_map(v, 50, PTE_P), 0);
	v->sregs_dirty = v->tlb_flush = false;
	assert_int_equal(mmuext(v, MMUEXT_NEW_BASEPTR, 50, 0), 0);
	assert_int_equal(v->guest_table, 50);
	assert_true(v->sregs_dirty && v->tlb_flush);
	assert_int_equal(type_count(d, 50, NULL), 1);
	assert_int_equal(type_count(d, ENV_L3, NULL), 2);
	assert_int_equal(type_count(d, ENV_L4, NULL), 1);	/* still pinned */
	assert_int_equal(*env_entry(d, 50, M2P_SLOT), d->hva->l4_slot[M2P_SLOT - HV_SLOT_FIRST]);
	assert_int_equal(*env_entry(d, 50, 257), d->hva->l4_slot[1]);
	/* Unpinning the old L4 lets its tree go. */
	assert_int_equal(mmuext(v, MMUEXT_UNPIN_TABLE, ENV_L4, 0), 0);
	assert_int_equal(type_count(d, ENV_L4, NULL), 0);
	assert_int_equal(type_count(d, ENV_L3, NULL), 1);
	/* The same table again only reloads it. */
	v->tlb_flush = false;
	assert_int_equal(mmuext(v, MMUEXT_NEW_BASEPTR, 50, 0), 0);
	assert_true(v->tlb_flush);
	assert_int_equal(type_count(d, 50, NULL), 1);
	assert_int_equal(mmuext(v, MMUEXT_NEW_BASEPTR, d->hva->shared_info_pfn, 0), -XEN_EINVAL);
}

static void user_baseptr_and_m2p_strict(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	const uint64_t arg[5] = { VMASST_CMD_enable, VMASST_TYPE_m2p_strict };

	*env_entry(d, 50, 0) = (ENV_L3 << 12) | PTE_P | PTE_RW;
	assert_int_equal(env_map(v, 50, PTE_P), 0);
	assert_int_equal(mmuext(v, MMUEXT_NEW_USER_BASEPTR, 50, 0), 0);
	assert_int_equal(v->guest_table_user, 50);
	assert_int_equal(type_count(d, 50, NULL), 1);
	assert_int_equal(*env_entry(d, 50, M2P_SLOT), 0);	/* not a kernel base yet */
	assert_int_equal(mmuext(v, MMUEXT_NEW_USER_BASEPTR, 0, 0), 0);
	assert_int_equal(type_count(d, 50, NULL), 0);
	/* With m2p_strict an L4 gets the M2P when validated, and loses it as a
	 * user base pointer. */
	assert_int_equal(do_vm_assist(v, arg), 0);
	assert_int_equal(mmuext(v, MMUEXT_NEW_USER_BASEPTR, 50, 0), 0);
	assert_int_equal(*env_entry(d, 50, M2P_SLOT), 0);
	assert_int_equal(mmuext(v, MMUEXT_PIN_L4_TABLE, 50, 0), 0);
	*env_entry(d, 51, 0) = (ENV_L3 << 12) | PTE_P | PTE_RW;
	assert_int_equal(env_map(v, 51, PTE_P), 0);
	assert_int_equal(mmuext(v, MMUEXT_PIN_L4_TABLE, 51, 0), 0);
	assert_int_equal(*env_entry(d, 51, M2P_SLOT), d->hva->l4_slot[M2P_SLOT - HV_SLOT_FIRST]);
	assert_int_equal(type_count(d, 50, NULL), 2);
	/* XTF's way: the kernel L4 as the user one too. */
	assert_int_equal(mmuext(v, MMUEXT_NEW_USER_BASEPTR, ENV_L4, 0), 0);
	assert_int_equal(type_count(d, ENV_L4, NULL), 3);
	assert_int_equal(type_count(d, 50, NULL), 1);
}

static void vcpu_tables_for_vcpu_op(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0], *w = &d->vcpu[1];

	assert_int_equal(mmu_vcpu_set_tables(v, w, ENV_L4, ENV_L4), 0);
	assert_int_equal(w->guest_table, ENV_L4);
	assert_int_equal(w->guest_table_user, ENV_L4);
	assert_int_equal(type_count(d, ENV_L4, NULL), 4);
	mmu_vcpu_drop_tables(v, w);
	assert_int_equal(type_count(d, ENV_L4, NULL), 2);
	assert_int_equal(w->guest_table, 0);
	assert_int_equal(mmu_vcpu_set_tables(v, w, 100, 0), -XEN_EINVAL);
}

/* ---- other mmuext ops ------------------------------------------------------------ */

static void mmuext_refusals_and_counts(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	struct mmuext_op *op = env_va(d, ENV_ARGS);
	uint32_t *done = env_va(d, ENV_ARGS + 0x800);

	assert_int_equal(mmuext(v, MMUEXT_FLUSH_CACHE, 0, 0), -XEN_EACCES);
	assert_int_equal(mmuext(v, MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), -XEN_EACCES);
	assert_int_equal(mmuext(v, MMUEXT_MARK_SUPER, 0, 0), -XEN_EOPNOTSUPP);
	assert_int_equal(mmuext(v, MMUEXT_UNMARK_SUPER, 0, 0), -XEN_EOPNOTSUPP);
	assert_int_equal(mmuext(v, 14, 0, 0), -XEN_ENOSYS);
	memset(op, 0, 3 * sizeof(*op));
	op[0].cmd = MMUEXT_TLB_FLUSH_LOCAL;
	op[1].cmd = MMUEXT_FLUSH_CACHE;
	op[2].cmd = MMUEXT_TLB_FLUSH_LOCAL;
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 3, ENV_ARGS + 0x800, DOMID_SELF),
			 -XEN_EACCES);
	assert_int_equal(*done, 1);
	/* Only the domain itself, named as DOMID_SELF. */
	op[0].cmd = MMUEXT_TLB_FLUSH_LOCAL;
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, ENV_DOMID), -XEN_ESRCH);
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, 9), -XEN_ESRCH);
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, 0), -XEN_EPERM);
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_IO), -XEN_EPERM);
	/* A continuation's final value comes back as it is. */
	assert_int_equal(call(do_mmuext_op, v, 0, 1U << 31, 0, (unsigned int)-XEN_EINVAL),
			 -XEN_EINVAL);
}

static void set_ldt_checks(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	struct mmuext_op *op = env_va(d, ENV_ARGS);

	memset(op, 0, sizeof(*op));
	op->cmd = MMUEXT_SET_LDT;
	op->arg1.linear_addr = 0x20000;
	op->arg2.nr_ents = 8193;
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF), -XEN_EINVAL);
	op->arg2.nr_ents = 16;
	op->arg1.linear_addr = 0x20008;
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF), -XEN_EINVAL);
	op->arg1.linear_addr = HYPERVISOR_VIRT_START;
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF), -XEN_EINVAL);
	op->arg1.linear_addr = 0x20000;
	v->sregs_dirty = false;
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF), 0);
	assert_int_equal(v->ldt_base, 0x20000);
	assert_int_equal(v->ldt_ents, 16);
	assert_true(v->sregs_dirty);
	op->arg2.nr_ents = 0;	/* no LDT: the address does not matter */
	op->arg1.linear_addr = 0x20008;
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF), 0);
	assert_int_equal(v->ldt_ents, 0);
	assert_int_equal(v->ldt_base, 0);
}

static void clear_and_copy_page(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	memset(env_va(d, 61ULL << 12), 0xab, PAGE_SIZE);
	memset(env_va(d, 60ULL << 12), 0xcd, PAGE_SIZE);
	assert_int_equal(mmuext(v, MMUEXT_COPY_PAGE, 62, 61), 0);
	assert_memory_equal(env_va(d, 62ULL << 12), env_va(d, 61ULL << 12), PAGE_SIZE);
	assert_int_equal(mmuext(v, MMUEXT_CLEAR_PAGE, 60, 0), 0);
	assert_int_equal(*(uint8_t *)env_va(d, (60ULL << 12) + 100), 0);
	/* Only writable frames of the domain's. */
	assert_int_equal(mmuext(v, MMUEXT_CLEAR_PAGE, ENV_L1, 0), -XEN_EINVAL);
	assert_int_equal(mmuext(v, MMUEXT_COPY_PAGE, ENV_L1, 61), -XEN_EINVAL);
	assert_int_equal(mmuext(v, MMUEXT_CLEAR_PAGE, d->hva->idt_pfn, 0), -XEN_EINVAL);
	assert_int_equal(mmuext(v, MMUEXT_COPY_PAGE, 62, d->hva->idt_pfn), -XEN_EINVAL);
	/* A table may be the source. */
	assert_int_equal(mmuext(v, MMUEXT_COPY_PAGE, 62, ENV_L1), 0);
	assert_memory_equal(env_va(d, 62ULL << 12), env_va(d, ENV_L1 << 12), PAGE_SIZE);
}

/* ---- flushes ------------------------------------------------------------------------ */

static void flushes_reach_the_vcpus_named(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0], *w = &d->vcpu[1];
	struct mmuext_op *op = env_va(d, ENV_ARGS);
	uint64_t *mask = env_va(d, ENV_ARGS + 0x400);

	memset(op, 0, sizeof(*op));
	op->cmd = MMUEXT_TLB_FLUSH_MULTI;
	op->arg2.vcpumask = ENV_ARGS + 0x400;
	*mask = 2;
	v->tlb_flush = w->tlb_flush = false;
	w->kick = 0;
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF), 0);
	assert_false(v->tlb_flush);
	assert_true(w->tlb_flush);
	assert_int_equal(w->kick, 1);
	assert_int_equal(mmu_update_one(v, pte_maddr(ENV_L1, 0x1ff), 0, NULL), 0);
	memset(op, 0, sizeof(*op));
	op->cmd = MMUEXT_TLB_FLUSH_MULTI;
	op->arg2.vcpumask = 0x1ff000;	/* unmapped */
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF), -XEN_EINVAL);
	op->cmd = MMUEXT_INVLPG_ALL;
	op->arg1.linear_addr = 0x1000;
	v->tlb_flush = w->tlb_flush = false;
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF), 0);
	assert_true(v->tlb_flush && w->tlb_flush);
	/* An address Xen will not flush is ignored, not an error. */
	op->arg1.linear_addr = HYPERVISOR_VIRT_START;
	v->tlb_flush = w->tlb_flush = false;
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF), 0);
	assert_false(v->tlb_flush || w->tlb_flush);
}

static void type_changes_flush_stale_tlbs(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0], *w = &d->vcpu[1];

	/* Frame 70 loses its writable mapping and becomes a page table: every
	 * vCPU might still hold the writable translation. */
	assert_int_equal(env_map(v, 70, PTE_P), 0);
	w->tlb_flush = false;
	w->kick = 0;
	assert_int_equal(mmuext(v, MMUEXT_PIN_L1_TABLE, 70, 0), 0);
	assert_true(w->tlb_flush);
	assert_int_equal(w->kick, 1);
	/* Not when both flushed since the mapping went. */
	assert_int_equal(env_map(v, 71, PTE_P), 0);
	mmu_note_tlb_flushed(v);
	mmu_note_tlb_flushed(w);
	v->tlb_flush = w->tlb_flush = false;
	assert_int_equal(mmuext(v, MMUEXT_PIN_L1_TABLE, 71, 0), 0);
	assert_false(v->tlb_flush || w->tlb_flush);
}

/* ---- update_va_mapping ------------------------------------------------------------------ */

static void update_va_mapping_finds_the_l1(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0], *w = &d->vcpu[1];
	uint64_t *mask = env_va(d, ENV_ARGS);

	v->tlb_flush = w->tlb_flush = false;
	assert_int_equal(call(do_update_va_mapping, v, 0x30000, (0x30ULL << 12) | PTE_P, UVMF_INVLPG,
			      0),
			 0);
	assert_int_equal(*env_entry(d, ENV_L1, 0x30), (0x30ULL << 12) | PTE_P | PTE_US | PTE_GK);
	assert_true(v->tlb_flush);
	assert_false(w->tlb_flush);
	assert_int_equal(call(do_update_va_mapping, v, 0x30000, 0, UVMF_TLB_FLUSH | UVMF_ALL, 0), 0);
	assert_true(w->tlb_flush);
	/* A vCPU mask in guest memory; a bad one faults after the update. */
	*mask = 2;
	w->tlb_flush = false;
	assert_int_equal(call(do_update_va_mapping, v, 0x30000, (0x30ULL << 12) | PTE_P,
			      UVMF_INVLPG | ENV_ARGS, 0),
			 0);
	assert_true(w->tlb_flush);
	assert_int_equal(call(do_update_va_mapping, v, 0x30000, 0, UVMF_INVLPG | 0x7fff0000ULL, 0),
			 -XEN_EFAULT);
	assert_int_equal(*env_entry(d, ENV_L1, 0x30), 0);
	/* Checked as mmu_update checks. */
	assert_int_equal(call(do_update_va_mapping, v, 0x30000, (ENV_L3 << 12) | PTE_P | PTE_RW, 0, 0),
			 -XEN_EBUSY);
	/* No L1 there, not a guest address, or not canonical. */
	assert_int_equal(call(do_update_va_mapping, v, 0x200000, 0, 0, 0), -XEN_EINVAL);
	assert_int_equal(call(do_update_va_mapping, v, HYPERVISOR_VIRT_START, 0, 0, 0), -XEN_EINVAL);
	assert_int_equal(call(do_update_va_mapping, v, 1ULL << 63, 0, UVMF_INVLPG | UVMF_ALL, 0),
			 -XEN_EINVAL);
}

static void update_va_mapping_otherdomain(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	assert_int_equal(call(do_update_va_mapping_otherdomain, v, 0x30000, 0, 0, DOMID_SELF), 0);
	assert_int_equal(*env_entry(d, ENV_L1, 0x30), 0);
	assert_int_equal(call(do_update_va_mapping_otherdomain, v, 0x30000, 0, 0, ENV_DOMID),
			 -XEN_ESRCH);
	assert_int_equal(call(do_update_va_mapping_otherdomain, v, 0x30000, 0, 0, 0), -XEN_EPERM);
	assert_int_equal(call(do_update_va_mapping_otherdomain, v, 0x30000, 0, 0, DOMID_IO),
			 -XEN_EPERM);
	assert_int_equal(call(do_update_va_mapping_otherdomain, v, 0x30000, 0, 0, 12), -XEN_ESRCH);
}

/* ---- writable page tables -------------------------------------------------------------- */

static void ptwr_faults_are_recognised(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	const uint64_t assist[5] = { VMASST_CMD_enable, VMASST_TYPE_writable_pagetables };
	const uint32_t write = 0x7;	/* present, write, user */
	uint64_t va = (ENV_L1 << PAGE_SHIFT) + 0x18;

	/* The bootstrap L1 is mapped read-only at its own address. */
	assert_int_equal(mmu_ptwr_target(v, va, write), 0);	/* assist off */
	assert_int_equal(do_vm_assist(v, assist), 0);
	assert_int_equal(mmu_ptwr_target(v, va, write), (ENV_L1 << PAGE_SHIFT) + 0x18);
	/* Reads, instruction fetches, reserved bits, user mode: not ours. */
	assert_int_equal(mmu_ptwr_target(v, va, 0x5), 0);
	assert_int_equal(mmu_ptwr_target(v, va, write | 0x10), 0);
	assert_int_equal(mmu_ptwr_target(v, va, write | 0x8), 0);
	v->kernel_mode = false;
	assert_int_equal(mmu_ptwr_target(v, va, write), 0);
	v->kernel_mode = true;
	/* A read-only data page, an L2, nothing mapped: ordinary faults. */
	assert_int_equal(env_map(v, 100, PTE_P), 0);
	assert_int_equal(mmu_ptwr_target(v, 100ULL << PAGE_SHIFT, write), 0);
	assert_int_equal(mmu_ptwr_target(v, ENV_L2 << PAGE_SHIFT, write), 0);
	assert_int_equal(mmu_ptwr_target(v, 0x200000, write), 0);
	/* What the emulation then does: an update checked as mmu_update. */
	assert_int_equal(mmu_update_pte(v, (ENV_L1 << PAGE_SHIFT) + 0x18, (3ULL << 12) | PTE_P, false),
			 0);
	drain(v);
	assert_int_equal(*env_entry(d, ENV_L1, 3), (3ULL << 12) | PTE_P | PTE_US | PTE_GK);
	assert_int_equal(mmu_update_pte(v, (ENV_L1 << PAGE_SHIFT) + 0x18,
					(3ULL << 12) | PTE_P | PTE_RW, false),
			 -XEN_EBUSY);
}

/* ---- vm_assist ------------------------------------------------------------------------------ */

static void vm_assist_types(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	uint64_t arg[5] = { VMASST_CMD_enable, VMASST_TYPE_writable_pagetables };

	assert_int_equal(do_vm_assist(v, arg), 0);
	assert_int_equal(d->vm_assist, 1ULL << VMASST_TYPE_writable_pagetables);
	arg[1] = VMASST_TYPE_m2p_strict;
	assert_int_equal(do_vm_assist(v, arg), 0);
	arg[0] = VMASST_CMD_disable;
	arg[1] = VMASST_TYPE_writable_pagetables;
	assert_int_equal(do_vm_assist(v, arg), 0);
	assert_int_equal(d->vm_assist, 1ULL << VMASST_TYPE_m2p_strict);
	arg[1] = 6;
	assert_int_equal(do_vm_assist(v, arg), -XEN_EINVAL);
	arg[1] = 33;
	assert_int_equal(do_vm_assist(v, arg), -XEN_EINVAL);
	arg[1] = 64;
	assert_int_equal(do_vm_assist(v, arg), -XEN_EINVAL);
	arg[0] = 2;
	arg[1] = VMASST_TYPE_architectural_iopl;
	assert_int_equal(do_vm_assist(v, arg), -XEN_ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(initial_tables_are_a_pinned_l4_tree, setup1, teardown),
		cmocka_unit_test_setup_teardown(initial_tables_must_validate, setup1, teardown),
		cmocka_unit_test_setup_teardown(l1_flags_are_checked_and_adjusted, setup1, teardown),
		cmocka_unit_test_setup_teardown(l1_targets_are_checked, setup1, teardown),
		cmocka_unit_test_setup_teardown(writable_mappings_are_counted, setup1, teardown),
		cmocka_unit_test_setup_teardown(batches_stop_at_the_first_failure, setup1, teardown),
		cmocka_unit_test_setup_teardown(preserve_ad_keeps_accessed_and_dirty, setup1, teardown),
		cmocka_unit_test_setup_teardown(updates_elsewhere, setup1, teardown),
		cmocka_unit_test_setup_teardown(foreign_domains, setup1, teardown),
		cmocka_unit_test_setup_teardown(pin_unpin_l1, setup1, teardown),
		cmocka_unit_test_setup_teardown(failed_validation_undoes_everything, setup1, teardown),
		cmocka_unit_test_setup_teardown(hooking_a_table_types_it, setup1, teardown),
		cmocka_unit_test_setup_teardown(new_baseptr_switches_tables, setup1, teardown),
		cmocka_unit_test_setup_teardown(user_baseptr_and_m2p_strict, setup1, teardown),
		cmocka_unit_test_setup_teardown(vcpu_tables_for_vcpu_op, setup2, teardown),
		cmocka_unit_test_setup_teardown(mmuext_refusals_and_counts, setup1, teardown),
		cmocka_unit_test_setup_teardown(set_ldt_checks, setup1, teardown),
		cmocka_unit_test_setup_teardown(clear_and_copy_page, setup1, teardown),
		cmocka_unit_test_setup_teardown(flushes_reach_the_vcpus_named, setup2, teardown),
		cmocka_unit_test_setup_teardown(type_changes_flush_stale_tlbs, setup2, teardown),
		cmocka_unit_test_setup_teardown(update_va_mapping_finds_the_l1, setup2, teardown),
		cmocka_unit_test_setup_teardown(update_va_mapping_otherdomain, setup1, teardown),
		cmocka_unit_test_setup_teardown(ptwr_faults_are_recognised, setup1, teardown),
		cmocka_unit_test_setup_teardown(vm_assist_types, setup1, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
