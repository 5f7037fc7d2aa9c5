/*
 * memory_op on a domain without KVM: reservation arithmetic (giving frames
 * back and taking them again, max_pages, extent orders, address limits),
 * the memory map, what the guest learns about the M2P, and the sub-ops a
 * domU is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_monitor_mmu_env.h"
#include "../../monitor/pv/memory.h"

#define LIST (ENV_ARGS + 0x400)	/* extent list */
#define CMD(op, start) ((uint64_t)(op) | ((uint64_t)(start) << MEMOP_EXTENT_SHIFT))

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

static long memop(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	return call(do_memory_op, v, cmd, arg, 0, 0);
}

/* A reservation request at ENV_ARGS over the list at LIST. */
static long reservation(struct vcpu *v, unsigned int op, uint64_t start, uint64_t nr,
			unsigned int order, unsigned int flags)
{
	struct xen_memory_reservation *r = env_va(v->d, ENV_ARGS);

	*r = (struct xen_memory_reservation){
		.extent_start = LIST,
		.nr_extents = nr,
		.extent_order = order,
		.mem_flags = flags,
		.domid = DOMID_SELF,
	};
	return memop(v, CMD(op, start), ENV_ARGS);
}

static uint64_t *list(struct domain *d)
{
	return env_va(d, LIST);
}

static long current_reservation(struct vcpu *v)
{
	*(domid_t *)env_va(v->d, ENV_ARGS) = DOMID_SELF;
	return memop(v, XENMEM_current_reservation, ENV_ARGS);
}

static uint64_t m2p(struct domain *d, uint64_t mfn)
{
	return ((uint64_t *)(d->hv + ((d->hva->m2p_pfn - d->hv_base_pfn) << PAGE_SHIFT)))[mfn];
}

/* Unmap frames [first, first + n) from the bootstrap L1. */
static void unmap(struct vcpu *v, uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++)
		assert_int_equal(env_map(v, i, 0), 0);
}

/* ---- reservation sizes ---------------------------------------------------------- */

static void reservation_figures(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	domid_t *domid = env_va(d, ENV_ARGS);

	assert_int_equal(current_reservation(v), ENV_PAGES);
	*domid = ENV_DOMID;
	assert_int_equal(memop(v, XENMEM_maximum_reservation, ENV_ARGS), ENV_PAGES);
	*domid = 0;
	assert_int_equal(memop(v, XENMEM_current_reservation, ENV_ARGS), -XEN_EPERM);
	*domid = 9;
	assert_int_equal(memop(v, XENMEM_maximum_reservation, ENV_ARGS), -XEN_ESRCH);
	assert_int_equal(memop(v, XENMEM_current_reservation, 0x7fff00000000ULL), -XEN_EFAULT);
	assert_int_equal(memop(v, CMD(XENMEM_current_reservation, 1), ENV_ARGS), -XEN_EINVAL);
	/* The highest frame there is, and the guest's own idea of its size. */
	assert_int_equal(memop(v, XENMEM_maximum_ram_page, 0), d->hv_base_pfn + d->hv_nr_pages);
	*domid = DOMID_SELF;
	assert_int_equal(memop(v, XENMEM_maximum_gpfn, ENV_ARGS), 0);
	d->shared_info->arch.max_pfn = ENV_PAGES;
	assert_int_equal(memop(v, XENMEM_maximum_gpfn, ENV_ARGS), ENV_PAGES - 1);
}

static void decrease_gives_frames_back(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	unmap(v, 300, 4);
	memset(env_va(d, 300ULL << 12), 0xaa, PAGE_SIZE);
	list(d)[0] = 300;
	assert_int_equal(reservation(v, XENMEM_decrease_reservation, 0, 1, 0, 0), 1);
	assert_int_equal(current_reservation(v), ENV_PAGES - 1);
	assert_int_equal(*(uint8_t *)env_va(d, (300ULL << 12) + 17), 0);
	assert_int_equal(m2p(d, 300), ~0ULL);
	/* No longer the domain's: not mappable, not a table, not given twice. */
	assert_int_equal(env_map(v, 300, PTE_P), -XEN_EBUSY);
	assert_int_equal(reservation(v, XENMEM_decrease_reservation, 0, 1, 0, 0), 0);
	/* Extents of two frames. */
	list(d)[0] = 302;
	assert_int_equal(reservation(v, XENMEM_decrease_reservation, 0, 1, 1, 0), 1);
	assert_int_equal(current_reservation(v), ENV_PAGES - 3);
	/* Stops at the first frame it cannot give back. */
	list(d)[0] = 301;
	list(d)[1] = ENV_PAGES;
	list(d)[2] = 305;
	assert_int_equal(reservation(v, XENMEM_decrease_reservation, 0, 3, 0, 0), 1);
	assert_int_equal(current_reservation(v), ENV_PAGES - 4);
	/* Too big an extent, a bad list, a start past the end. */
	assert_int_equal(reservation(v, XENMEM_decrease_reservation, 0, 1, 10, 0), 0);
	assert_int_equal(reservation(v, XENMEM_decrease_reservation, 5, 3, 0, 0), 5);
	struct xen_memory_reservation *r = env_va(d, ENV_ARGS);
	r->extent_start = HYPERVISOR_VIRT_START;
	assert_int_equal(memop(v, XENMEM_decrease_reservation, ENV_ARGS), 0);
	assert_int_equal(memop(v, CMD(XENMEM_decrease_reservation, 2), 0x7fff00000000ULL), 2);
	/* Another domain's frames: nothing done. */
	list(d)[0] = 310;
	r->extent_start = LIST;
	r->domid = 0;
	assert_int_equal(memop(v, XENMEM_decrease_reservation, ENV_ARGS), 0);
}

static void frames_in_use_are_freed_last(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	/* Frame 310 is still mapped writable when given back: the guest keeps
	 * what it wrote until the mapping goes. */
	memset(env_va(d, 310ULL << 12), 0x55, PAGE_SIZE);
	list(d)[0] = 310;
	assert_int_equal(reservation(v, XENMEM_decrease_reservation, 0, 1, 0, 0), 1);
	assert_int_equal(*(uint8_t *)env_va(d, 310ULL << 12), 0x55);
	/* Not reusable meanwhile. */
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 1, 0, 0), 0);
	unmap(v, 310, 1);
	assert_int_equal(*(uint8_t *)env_va(d, 310ULL << 12), 0);
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 1, 0, 0), 1);
	assert_int_equal(list(d)[0], 310);
}

static void increase_takes_frames_again(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	unmap(v, 300, 8);
	for (unsigned int i = 0; i < 8; i++)
		list(d)[i] = 300 + i;
	assert_int_equal(reservation(v, XENMEM_decrease_reservation, 0, 8, 0, 0), 8);
	/* Order 2 needs four aligned frames given back. */
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 1, 2, 0), 1);
	assert_int_equal(list(d)[0] % 4, 0);
	assert_in_range(list(d)[0], 300, 304);
	assert_int_equal(current_reservation(v), ENV_PAGES - 4);
	/* No list: the frames are the domain's, it is not told which. */
	struct xen_memory_reservation *r = env_va(d, ENV_ARGS);
	*r = (struct xen_memory_reservation){ .nr_extents = 1, .domid = DOMID_SELF };
	assert_int_equal(memop(v, XENMEM_increase_reservation, ENV_ARGS), 1);
	assert_int_equal(current_reservation(v), ENV_PAGES - 3);
	/* Never past max_pages, and never more than was given back. */
	d->max_pages = ENV_PAGES - 2;
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 3, 0, 0), 1);
	d->max_pages = ENV_PAGES;
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 5, 0, 0), 2);
	assert_int_equal(current_reservation(v), ENV_PAGES);
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 1, 0, 0), 0);
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 1, 10, 0), 0);
}

static void increase_honours_address_bits_and_nodes(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	unmap(v, 300, 1);
	list(d)[0] = 300;
	assert_int_equal(reservation(v, XENMEM_decrease_reservation, 0, 1, 0, 0), 1);
	/* Below 1 MiB there is nothing given back; 12 bits is no memory. */
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 1, 0, 20), 0);
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 1, 0, 12), 0);
	/* A node only a privileged domain may insist on. */
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 1, 0,
				     XENMEMF_node(1) | XENMEMF_exact_node_request),
			 0);
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 1, 0, 21 | XENMEMF_node(1)),
			 1);
	assert_int_equal(list(d)[0], 300);
	/* Counts that could not be continued are refused outright. */
	assert_int_equal(reservation(v, XENMEM_increase_reservation, 0, 1ULL << 32, 0, 0), 0);
}

static void populate_physmap_keeps_the_identity(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];

	unmap(v, 320, 2);
	list(d)[0] = 320;
	list(d)[1] = 321;
	assert_int_equal(reservation(v, XENMEM_decrease_reservation, 0, 2, 0, 0), 2);
	/* The frame the guest names comes back as itself when it can. */
	list(d)[0] = 321;
	assert_int_equal(reservation(v, XENMEM_populate_physmap, 0, 1, 0, 0), 1);
	assert_int_equal(list(d)[0], 321);
	assert_int_equal(m2p(d, 321), 321);
	/* Otherwise another frame, with the M2P saying which pfn it is. */
	list(d)[0] = 400;
	assert_int_equal(reservation(v, XENMEM_populate_physmap, 0, 1, 0, 0), 1);
	assert_int_equal(list(d)[0], 320);
	assert_int_equal(m2p(d, 320), 400);
	assert_int_equal(reservation(v, XENMEM_populate_physmap, 0, 1, 0, 0), 0);
	/* Populate-on-demand is not for oneself. */
	assert_int_equal(reservation(v, XENMEM_populate_physmap, 0, 1, 0, XENMEMF_populate_on_demand),
			 0);
}

/* ---- the memory map and the M2P ----------------------------------------------------- */

static void memory_map(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	struct xen_memory_map *m = env_va(d, ENV_ARGS);
	struct xen_e820_entry *e = env_va(d, LIST);

	*m = (struct xen_memory_map){ .nr_entries = 8, .buffer = LIST };
	assert_int_equal(memop(v, XENMEM_memory_map, ENV_ARGS), 0);
	assert_int_equal(m->nr_entries, 1);
	assert_int_equal(e[0].addr, 0);
	assert_int_equal(e[0].size, ENV_PAGES * PAGE_SIZE);
	assert_int_equal(e[0].type, E820_RAM);
	m->nr_entries = 0;
	assert_int_equal(memop(v, XENMEM_memory_map, ENV_ARGS), 0);
	assert_int_equal(m->nr_entries, 0);
	*m = (struct xen_memory_map){ .nr_entries = 1, .buffer = 0x7fff00000000ULL };
	assert_int_equal(memop(v, XENMEM_memory_map, ENV_ARGS), -XEN_EFAULT);
	/* A start extent means nothing to the arch sub-ops. */
	assert_int_equal(memop(v, CMD(XENMEM_memory_map, 1), ENV_ARGS), -XEN_ENOSYS);
	/* The domain may set its own map (the toolstack's job on Xen). */
	struct xen_foreign_memory_map *f = env_va(d, ENV_ARGS);
	e[0] = (struct xen_e820_entry){ 0, 0x9f000, E820_RAM };
	e[1] = (struct xen_e820_entry){ 0x100000, 0x100000, E820_RAM };
	*f = (struct xen_foreign_memory_map){ .domid = DOMID_SELF, .map = { 2, LIST } };
	assert_int_equal(memop(v, XENMEM_set_memory_map, ENV_ARGS), 0);
	f->map.nr_entries = 1025;
	assert_int_equal(memop(v, XENMEM_set_memory_map, ENV_ARGS), -XEN_EINVAL);
	f->map.nr_entries = 2;
	f->domid = 0;
	assert_int_equal(memop(v, XENMEM_set_memory_map, ENV_ARGS), -XEN_EPERM);
	memset(e, 0, 2 * sizeof(*e));
	*m = (struct xen_memory_map){ .nr_entries = 8, .buffer = LIST };
	assert_int_equal(memop(v, XENMEM_memory_map, ENV_ARGS), 0);
	assert_int_equal(m->nr_entries, 2);
	assert_int_equal(e[1].addr, 0x100000);
	assert_int_equal(e[1].size, 0x100000);
}

static void m2p_information(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	struct xen_machphys_mapping *mp = env_va(d, ENV_ARGS);
	struct xen_machphys_mfn_list *l = env_va(d, ENV_ARGS);

	assert_int_equal(memop(v, XENMEM_machphys_mapping, ENV_ARGS), 0);
	/* Where the M2P is on this host, and how many frames it covers. */
	assert_int_equal(mp->v_start, HV_M2P_VA);
	assert_int_equal(mp->v_end, HV_M2P_VA + d->hva->m2p_nr * PAGE_SIZE);
	assert_int_equal(mp->max_mfn, d->hva->m2p_nr * 512 - 1);
	assert_true(mp->max_mfn >= d->hv_base_pfn + d->hv_nr_pages - 1);
	*l = (struct xen_machphys_mfn_list){ .max_extents = 4, .extent_start = LIST };
	list(d)[1] = 0x77;
	assert_int_equal(memop(v, XENMEM_machphys_mfn_list, ENV_ARGS), 0);
	assert_int_equal(l->nr_extents, 1);	/* one 2 MiB chunk covers this domain */
	assert_int_equal(list(d)[0], d->hva->m2p_pfn);
	assert_int_equal(list(d)[1], 0x77);
	l->max_extents = 0;
	assert_int_equal(memop(v, XENMEM_machphys_mfn_list, ENV_ARGS), 0);
	assert_int_equal(l->nr_extents, 0);
	assert_int_equal(memop(v, XENMEM_machphys_mapping, 0x7fff00000000ULL), -XEN_EFAULT);
	assert_int_equal(memop(v, XENMEM_machphys_compat_mfn_list, ENV_ARGS), -XEN_EOPNOTSUPP);
}

static void refused_sub_ops(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	struct xen_add_to_physmap *x = env_va(d, ENV_ARGS);
	struct xen_memory_reservation *r = env_va(d, ENV_ARGS);

	assert_int_equal(memop(v, XENMEM_machine_memory_map, ENV_ARGS), -XEN_EPERM);
	*x = (struct xen_add_to_physmap){ .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info };
	assert_int_equal(memop(v, XENMEM_add_to_physmap, ENV_ARGS), -XEN_EACCES);
	assert_int_equal(memop(v, CMD(XENMEM_add_to_physmap, 1 << 16), ENV_ARGS), -XEN_EDOM);
	x->space = XENMAPSPACE_gmfn_foreign;
	assert_int_equal(memop(v, XENMEM_add_to_physmap, ENV_ARGS), -XEN_ENOSYS);
	x->space = XENMAPSPACE_grant_table;
	x->domid = 9;
	assert_int_equal(memop(v, XENMEM_add_to_physmap, ENV_ARGS), -XEN_ESRCH);
	assert_int_equal(memop(v, XENMEM_exchange, ENV_ARGS), -XEN_ENOSYS);
	assert_int_equal(memop(v, CMD(XENMEM_exchange, 1), ENV_ARGS), -XEN_EINVAL);
	/* remove_from_physmap (15) is for translated guests. */
	*(domid_t *)env_va(d, ENV_ARGS) = DOMID_SELF;
	assert_int_equal(memop(v, 15, ENV_ARGS), -XEN_EACCES);
	/* claim_pages (24): by id only, and privileged. */
	*r = (struct xen_memory_reservation){ .domid = ENV_DOMID };
	assert_int_equal(memop(v, 24, ENV_ARGS), -XEN_EPERM);
	r->domid = DOMID_SELF;
	assert_int_equal(memop(v, 24, ENV_ARGS), -XEN_EINVAL);
	/* get_vnumainfo (26): no topology. */
	memset(env_va(d, ENV_ARGS), 0, 40);
	*(domid_t *)env_va(d, ENV_ARGS) = DOMID_SELF;
	assert_int_equal(memop(v, 26, ENV_ARGS), -XEN_EOPNOTSUPP);
	((uint16_t *)env_va(d, ENV_ARGS))[1] = 1;
	assert_int_equal(memop(v, 26, ENV_ARGS), -XEN_EINVAL);
	/* No memory sharing: nothing shared, nothing freed by it. */
	assert_int_equal(memop(v, 18, 0), 0);
	assert_int_equal(memop(v, 19, 0), 0);
	assert_int_equal(memop(v, 63, 0), -XEN_ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reservation_figures, setup, teardown),
		cmocka_unit_test_setup_teardown(decrease_gives_frames_back, setup, teardown),
		cmocka_unit_test_setup_teardown(frames_in_use_are_freed_last, setup, teardown),
		cmocka_unit_test_setup_teardown(increase_takes_frames_again, setup, teardown),
		cmocka_unit_test_setup_teardown(increase_honours_address_bits_and_nodes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(populate_physmap_keeps_the_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_map, setup, teardown),
		cmocka_unit_test_setup_teardown(m2p_information, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_sub_ops, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
