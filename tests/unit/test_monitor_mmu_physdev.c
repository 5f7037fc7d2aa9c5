/*
 * physdev_op for a domU without devices: the virtual IOPL and I/O bitmap,
 * pirq allocation and EOI, the EOI page, and Xen's refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <xen/physdev.h>

#include "test_monitor_mmu_env.h"
#include "../../monitor/pv/physdev.h"

#define PHYSDEVOP_get_free_pirq 23
#define MAP_PIRQ_TYPE_MSI 0x0
#define MAP_PIRQ_TYPE_GSI 0x1
#define MAP_PIRQ_TYPE_MSI_SEG 0x3
#define MAP_PIRQ_TYPE_MULTI_MSI 0x4
#define BAD_VA 0x7fff00000000ULL

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

static long physdev(struct vcpu *v, int cmd, uint64_t arg)
{
	return call(do_physdev_op, v, (uint64_t)cmd, arg, 0, 0);
}

static uint32_t *args32(struct domain *d)
{
	return env_va(d, ENV_ARGS);
}

static void iopl_and_io_bitmap(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	struct physdev_set_iobitmap *b = env_va(d, ENV_ARGS);

	for (uint32_t iopl = 0; iopl < 4; iopl++) {
		args32(d)[0] = iopl;
		assert_int_equal(physdev(v, PHYSDEVOP_set_iopl, ENV_ARGS), 0);
		assert_int_equal(v->iopl, iopl);
	}
	args32(d)[0] = 4;
	assert_int_equal(physdev(v, PHYSDEVOP_set_iopl, ENV_ARGS), -XEN_EINVAL);
	assert_int_equal(v->iopl, 3);
	assert_int_equal(physdev(v, PHYSDEVOP_set_iopl, BAD_VA), -XEN_EFAULT);

	*b = (struct physdev_set_iobitmap){ .bitmap = 0x40000, .nr_ports = 1024 };
	assert_int_equal(physdev(v, PHYSDEVOP_set_iobitmap, ENV_ARGS), 0);
	assert_int_equal(v->iobmp, 0x40000);
	assert_int_equal(v->iobmp_nr, 1024);
	b->nr_ports = 65537;
	assert_int_equal(physdev(v, PHYSDEVOP_set_iobitmap, ENV_ARGS), -XEN_EINVAL);
	*b = (struct physdev_set_iobitmap){ .bitmap = HYPERVISOR_VIRT_START, .nr_ports = 8 };
	assert_int_equal(physdev(v, PHYSDEVOP_set_iobitmap, ENV_ARGS), -XEN_EINVAL);
	assert_int_equal(v->iobmp, 0x40000);
	/* The old hypercall carries the same operations inline. */
	struct physdev_op *op = env_va(d, ENV_ARGS);
	memset(op, 0, sizeof(*op));
	op->cmd = PHYSDEVOP_set_iopl;
	op->u.set_iopl.iopl = 1;
	assert_int_equal(call(do_physdev_op_compat, v, ENV_ARGS, 0, 0, 0), 0);
	assert_int_equal(v->iopl, 1);
	assert_int_equal(call(do_physdev_op_compat, v, BAD_VA, 0, 0, 0), -XEN_EFAULT);
}

static void pirqs(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	struct physdev_irq_status_query *q = env_va(d, ENV_ARGS);
	int n;

	*q = (struct physdev_irq_status_query){ .irq = 5 };
	assert_int_equal(physdev(v, PHYSDEVOP_irq_status_query, ENV_ARGS), 0);
	assert_int_equal(q->flags, XENIRQSTAT_needs_eoi);
	q->irq = PV_NR_PIRQS;
	assert_int_equal(physdev(v, PHYSDEVOP_irq_status_query, ENV_ARGS), -XEN_EINVAL);
	/* Nothing allocated: nothing to EOI. */
	args32(d)[0] = 16;
	assert_int_equal(physdev(v, PHYSDEVOP_eoi, ENV_ARGS), -XEN_EINVAL);
	/* GSI pirqs above the ISA range first, others from the top. */
	args32(d)[0] = MAP_PIRQ_TYPE_GSI;
	assert_int_equal(physdev(v, PHYSDEVOP_get_free_pirq, ENV_ARGS), 0);
	assert_int_equal(args32(d)[1], 16);
	args32(d)[0] = MAP_PIRQ_TYPE_MSI;
	assert_int_equal(physdev(v, PHYSDEVOP_get_free_pirq, ENV_ARGS), 0);
	assert_int_equal(args32(d)[1], PV_NR_PIRQS - 1);
	args32(d)[0] = 16;
	assert_int_equal(physdev(v, PHYSDEVOP_eoi, ENV_ARGS), 0);
	/* Until they run out. */
	for (n = 0; n < 100; n++) {
		args32(d)[0] = MAP_PIRQ_TYPE_MSI;
		if (physdev(v, PHYSDEVOP_get_free_pirq, ENV_ARGS) < 0)
			break;
	}
	assert_int_equal(n, PV_NR_PIRQS - PV_NR_IRQS_GSI - 1);
	assert_int_equal(physdev(v, PHYSDEVOP_get_free_pirq, ENV_ARGS), -XEN_ENOSPC);
	args32(d)[0] = MAP_PIRQ_TYPE_GSI;
	assert_int_equal(physdev(v, PHYSDEVOP_get_free_pirq, ENV_ARGS), 0);
	assert_int_equal(args32(d)[1], 17);
	assert_int_equal(physdev(v, PHYSDEVOP_IRQ_UNMASK_NOTIFY, 0), 0);
}

static void eoi_page(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	uint64_t *gmfn = env_va(d, ENV_ARGS);

	*gmfn = 100;
	assert_int_equal(physdev(v, PHYSDEVOP_pirq_eoi_gmfn_v2, ENV_ARGS), 0);
	assert_int_equal(type_count(d, 100, NULL), 2);	/* held writable */
	*gmfn = 101;
	assert_int_equal(physdev(v, PHYSDEVOP_pirq_eoi_gmfn_v1, ENV_ARGS), -XEN_EBUSY);
	assert_int_equal(type_count(d, 101, NULL), 1);
	/* It can no longer become a page table. */
	assert_int_equal(env_map(v, 100, PTE_P), 0);
	struct mmuext_op *op = env_va(d, ENV_ARGS);
	*op = (struct mmuext_op){ .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = 100 };
	assert_int_equal(call(do_mmuext_op, v, ENV_ARGS, 1, 0, DOMID_SELF), -XEN_EINVAL);
}

static void eoi_page_must_be_writable(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	uint64_t *gmfn = env_va(d, ENV_ARGS);

	*gmfn = ENV_L1;
	assert_int_equal(physdev(v, PHYSDEVOP_pirq_eoi_gmfn_v2, ENV_ARGS), -XEN_EINVAL);
	*gmfn = d->hva->idt_pfn;
	assert_int_equal(physdev(v, PHYSDEVOP_pirq_eoi_gmfn_v2, ENV_ARGS), -XEN_EINVAL);
	assert_int_equal(physdev(v, PHYSDEVOP_pirq_eoi_gmfn_v2, BAD_VA), -XEN_EFAULT);
	*gmfn = 102;
	assert_int_equal(physdev(v, PHYSDEVOP_pirq_eoi_gmfn_v1, ENV_ARGS), 0);
}

static void refusals(void **state)
{
	struct domain *d = *state;
	struct vcpu *v = &d->vcpu[0];
	int32_t *map = env_va(d, ENV_ARGS);	/* struct physdev_map_pirq */

	memset(map, 0, 40);
	*(domid_t *)map = DOMID_SELF;
	map[1] = MAP_PIRQ_TYPE_MSI_SEG;
	assert_int_equal(physdev(v, PHYSDEVOP_map_pirq, ENV_ARGS), -XEN_EPERM);
	assert_int_equal(map[1], MAP_PIRQ_TYPE_MSI);	/* written back, normalised */
	*(domid_t *)map = 9;
	assert_int_equal(physdev(v, PHYSDEVOP_map_pirq, ENV_ARGS), -XEN_ESRCH);
	*(domid_t *)map = DOMID_SELF;
	map[1] = MAP_PIRQ_TYPE_MULTI_MSI;
	map[8] = 1;	/* table_base */
	assert_int_equal(physdev(v, PHYSDEVOP_map_pirq, ENV_ARGS), -XEN_EINVAL);
	assert_int_equal(physdev(v, PHYSDEVOP_map_pirq, BAD_VA), -XEN_EFAULT);
	*(domid_t *)map = DOMID_SELF;
	assert_int_equal(physdev(v, PHYSDEVOP_unmap_pirq, ENV_ARGS), -XEN_EPERM);
	*(domid_t *)map = 0;
	assert_int_equal(physdev(v, PHYSDEVOP_unmap_pirq, ENV_ARGS), -XEN_EPERM);
	*(domid_t *)map = 9;
	assert_int_equal(physdev(v, PHYSDEVOP_unmap_pirq, ENV_ARGS), -XEN_ESRCH);
	assert_int_equal(physdev(v, PHYSDEVOP_apic_read, ENV_ARGS), -XEN_EPERM);
	assert_int_equal(physdev(v, PHYSDEVOP_apic_write, BAD_VA), -XEN_EFAULT);
	assert_int_equal(physdev(v, PHYSDEVOP_alloc_irq_vector, ENV_ARGS), -XEN_EPERM);
	assert_int_equal(physdev(v, 15 /* manage_pci_add */, ENV_ARGS), -XEN_EPERM);
	assert_int_equal(physdev(v, 19 /* restore_msi */, ENV_ARGS), -XEN_ENODEV);
	map[0] = 30;	/* setup_gsi: a GSI the host does not have */
	assert_int_equal(physdev(v, 21, ENV_ARGS), -XEN_EINVAL);
	map[0] = 20;
	assert_int_equal(physdev(v, 21, ENV_ARGS), -XEN_EPERM);
	assert_int_equal(physdev(v, 29 /* dbgp_op */, ENV_ARGS), -XEN_EPERM);
	assert_int_equal(physdev(v, PHYSDEVOP_free_irq_vector, ENV_ARGS), -XEN_ENOSYS);
	assert_int_equal(physdev(v, 99, ENV_ARGS), -XEN_ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(iopl_and_io_bitmap, setup, teardown),
		cmocka_unit_test_setup_teardown(pirqs, setup, teardown),
		cmocka_unit_test_setup_teardown(eoi_page, setup, teardown),
		cmocka_unit_test_setup_teardown(eoi_page_must_be_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
