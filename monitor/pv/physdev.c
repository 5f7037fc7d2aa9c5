/*
 * HYPERVISOR_physdev_op (and the old physdev_op_compat) for a PV domU that
 * has no devices, with Xen's answers (xen/arch/x86/physdev.c): the virtual
 * IOPL and I/O bitmap are recorded for the I/O emulation; pirq numbers
 * can be allocated and their EOI page registered; everything that needs a
 * device, an interrupt controller or privilege is refused as XSM refuses a
 * domU.
 */
#include "physdev.h"

#include <xen/physdev.h>

#include "mmu.h"

/* Sub-ops and layouts of Xen's public physdev.h that include/xen/physdev.h
 * does not carry (yet). */
#define PHYSDEVOP_manage_pci_add 15
#define PHYSDEVOP_manage_pci_remove 16
#define PHYSDEVOP_restore_msi 19
#define PHYSDEVOP_manage_pci_add_ext 20
#define PHYSDEVOP_setup_gsi 21
#define PHYSDEVOP_pci_mmcfg_reserved 24
#define PHYSDEVOP_pci_device_add 25
#define PHYSDEVOP_pci_device_remove 26
#define PHYSDEVOP_restore_msi_ext 27
#define PHYSDEVOP_dbgp_op 29
#define PHYSDEVOP_prepare_msix 30
#define PHYSDEVOP_release_msix 31
#define PHYSDEVOP_pci_device_reset 32
#define MAP_PIRQ_TYPE_GSI 0x1
#define MAP_PIRQ_TYPE_MSI 0x0
#define MAP_PIRQ_TYPE_MSI_SEG 0x3
#define MAP_PIRQ_TYPE_MULTI_MSI 0x4
#define NR_ISA_IRQS 16
#define IOBMP_BYTES 8192
#define MAX_IO_PORTS 65536

struct physdev_map_pirq {
	domid_t domid;
	int32_t type, index, pirq, bus, devfn, entry_nr;
	uint64_t table_base;
};
_Static_assert(sizeof(struct physdev_map_pirq) == 40, "ABI");

struct physdev_unmap_pirq {
	domid_t domid;
	int32_t pirq;
};
_Static_assert(sizeof(struct physdev_unmap_pirq) == 8, "ABI");

struct physdev_get_free_pirq {
	int32_t type;
	uint32_t pirq;
};

struct physdev_manage_pci_ext {
	uint8_t bus, devfn;
	uint32_t is_extfn, is_virtfn;
	struct {
		uint8_t bus, devfn;
	} physfn;
};
_Static_assert(sizeof(struct physdev_manage_pci_ext) == 16, "ABI");

struct physdev_setup_gsi {
	int32_t gsi;
	uint8_t triggering, polarity;
};
_Static_assert(sizeof(struct physdev_setup_gsi) == 8, "ABI");

/* ---- pirqs ---------------------------------------------------------------- */

static bool pirq_allocated(const struct physdev_state *p, unsigned int pirq)
{
	return p->pirq_allocated[pirq / 8] & (1U << (pirq % 8));
}

/* Xen's get_free_pirq: GSI pirqs above the ISA range first, then the rest
 * from the top down. */
static int get_free_pirq(struct physdev_state *p, int type)
{
	int i;

	if (type == MAP_PIRQ_TYPE_GSI)
		for (i = NR_ISA_IRQS; i < PV_NR_IRQS_GSI; i++)
			if (!pirq_allocated(p, i))
				goto found;
	for (i = PV_NR_PIRQS - 1; i >= PV_NR_IRQS_GSI; i--)
		if (!pirq_allocated(p, i))
			goto found;
	return -XEN_ENOSPC;
found:
	p->pirq_allocated[i / 8] |= 1U << (i % 8);
	return i;
}

static long eoi(struct vcpu *v, uint64_t arg)
{
	struct physdev_eoi e;
	long rc;

	if (copy_from_guest(v, &e, arg, sizeof(e)) < 0)
		return -XEN_EFAULT;
	if (e.irq >= PV_NR_PIRQS)
		return -XEN_EINVAL;
	mmu_lock(v->d);
	/* An allocated pirq has nothing bound behind it here: nothing to end. */
	rc = pirq_allocated(mmu_physdev(v->d), e.irq) ? 0 : -XEN_EINVAL;
	mmu_unlock(v->d);
	return rc;
}

/* The page where Xen would flag pirqs that need an EOI; held writable for
 * the domain's life, as Xen holds it. */
static long pirq_eoi_gmfn(struct vcpu *v, uint64_t arg, bool v1)
{
	struct domain *d = v->d;
	struct physdev_state *p = mmu_physdev(d);
	struct physdev_pirq_eoi_gmfn g;
	long rc = 0;

	if (copy_from_guest(v, &g, arg, sizeof(g)) < 0)
		return -XEN_EFAULT;
	mmu_lock(d);
	if (!mmu_frame_owned(d, g.gmfn) ||
	    (mmu_ram_owned(d, g.gmfn) && mmu_get_type(v, g.gmfn, FT_WRITABLE) < 0)) {
		rc = -XEN_EINVAL;
	} else if (p->eoi_map_set) {
		if (mmu_ram_owned(d, g.gmfn))
			mmu_put_type(v, g.gmfn);
		rc = -XEN_EBUSY;
	} else {
		p->eoi_map_set = true;
		p->eoi_map_mfn = g.gmfn;
		p->auto_unmask = v1;
	}
	mmu_unlock(d);
	return rc;
}

static long irq_status_query(struct vcpu *v, uint64_t arg)
{
	struct physdev_irq_status_query q;

	if (copy_from_guest(v, &q, arg, sizeof(q)) < 0)
		return -XEN_EFAULT;
	if (q.irq >= PV_NR_PIRQS)
		return -XEN_EINVAL;
	/* Without an EOI page the guest must always send an EOI. */
	q.flags = XENIRQSTAT_needs_eoi;
	return copy_to_guest(v, arg, &q, sizeof(q)) < 0 ? -XEN_EFAULT : 0;
}

static long map_pirq(struct vcpu *v, uint64_t arg)
{
	struct physdev_map_pirq m;

	if (copy_from_guest(v, &m, arg, sizeof(m)) < 0)
		return -XEN_EFAULT;
	if (m.type == MAP_PIRQ_TYPE_MULTI_MSI && m.table_base)
		return -XEN_EINVAL;
	if (m.type == MAP_PIRQ_TYPE_MSI_SEG)
		m.type = MAP_PIRQ_TYPE_MSI;
	if (!pv_is_self(v->d, m.domid) && pv_foreign_domain_error(m.domid) == -XEN_ESRCH)
		return -XEN_ESRCH;
	/* Mapping needs device-model privilege; Xen still writes the
	 * (normalised) request back. */
	return copy_to_guest(v, arg, &m, sizeof(m)) < 0 ? -XEN_EFAULT : -XEN_EPERM;
}

static long unmap_pirq(struct vcpu *v, uint64_t arg)
{
	struct physdev_unmap_pirq u;

	if (copy_from_guest(v, &u, arg, sizeof(u)) < 0)
		return -XEN_EFAULT;
	if (!pv_is_self(v->d, u.domid))
		return pv_foreign_domain_error(u.domid);
	return -XEN_EPERM;
}

static long free_pirq(struct vcpu *v, uint64_t arg)
{
	struct physdev_get_free_pirq f;
	int pirq;

	if (copy_from_guest(v, &f, arg, sizeof(f)) < 0)
		return -XEN_EFAULT;
	mmu_lock(v->d);
	pirq = get_free_pirq(mmu_physdev(v->d), f.type);
	mmu_unlock(v->d);
	if (pirq < 0)
		return pirq;
	f.pirq = (uint32_t)pirq;
	return copy_to_guest(v, arg, &f, sizeof(f)) < 0 ? -XEN_EFAULT : 0;
}

/* ---- I/O privilege ----------------------------------------------------------- */

static long set_iopl(struct vcpu *v, uint64_t arg)
{
	struct physdev_set_iopl s;

	if (copy_from_guest(v, &s, arg, sizeof(s)) < 0)
		return -XEN_EFAULT;
	if (s.iopl > 3)
		return -XEN_EINVAL;
	v->iopl = s.iopl;
	return 0;
}

static long set_iobitmap(struct vcpu *v, uint64_t arg)
{
	struct physdev_set_iobitmap s;

	if (copy_from_guest(v, &s, arg, sizeof(s)) < 0)
		return -XEN_EFAULT;
	if (!pv_array_ok(s.bitmap, IOBMP_BYTES, 1) || s.nr_ports > MAX_IO_PORTS)
		return -XEN_EINVAL;
	v->iobmp = s.bitmap;
	v->iobmp_nr = s.nr_ports;
	return 0;
}

/* ---- refusals ------------------------------------------------------------------- */

/* Copy the argument in (for -EFAULT as Xen gives it), then refuse. */
static long copy_then(struct vcpu *v, uint64_t arg, uint64_t len, long rc)
{
	uint8_t buf[40];

	if (copy_from_guest(v, buf, arg, len) < 0)
		return -XEN_EFAULT;
	return rc;
}

static long manage_pci_add_ext(struct vcpu *v, uint64_t arg)
{
	struct physdev_manage_pci_ext m;

	if (copy_from_guest(v, &m, arg, sizeof(m)) < 0)
		return -XEN_EFAULT;
	if (m.is_extfn > 1 || m.is_virtfn > 1)
		return -XEN_EINVAL;
	return -XEN_EPERM;
}

static long setup_gsi(struct vcpu *v, uint64_t arg)
{
	struct physdev_setup_gsi s;

	if (copy_from_guest(v, &s, arg, sizeof(s)) < 0)
		return -XEN_EFAULT;
	if (s.gsi < 0 || s.gsi >= PV_NR_IRQS_GSI)
		return -XEN_EINVAL;
	return -XEN_EPERM;
}

static long physdev_op(struct vcpu *v, int cmd, uint64_t arg)
{
	switch (cmd) {
	case PHYSDEVOP_eoi:
		return eoi(v, arg);
	case PHYSDEVOP_pirq_eoi_gmfn_v1:
	case PHYSDEVOP_pirq_eoi_gmfn_v2:
		return pirq_eoi_gmfn(v, arg, cmd == PHYSDEVOP_pirq_eoi_gmfn_v1);
	case PHYSDEVOP_IRQ_UNMASK_NOTIFY:
		return 0;	/* no pirq is bound to be unmasked */
	case PHYSDEVOP_irq_status_query:
		return irq_status_query(v, arg);
	case PHYSDEVOP_map_pirq:
		return map_pirq(v, arg);
	case PHYSDEVOP_unmap_pirq:
		return unmap_pirq(v, arg);
	case PHYSDEVOP_get_free_pirq:
		return free_pirq(v, arg);
	case PHYSDEVOP_set_iopl:
		return set_iopl(v, arg);
	case PHYSDEVOP_set_iobitmap:
		return set_iobitmap(v, arg);
	case PHYSDEVOP_apic_read:
	case PHYSDEVOP_apic_write:
		return copy_then(v, arg, sizeof(struct physdev_apic), -XEN_EPERM);
	case PHYSDEVOP_alloc_irq_vector:
		return copy_then(v, arg, sizeof(struct physdev_irq), -XEN_EPERM);
	case PHYSDEVOP_manage_pci_add:
	case PHYSDEVOP_manage_pci_remove:
		return copy_then(v, arg, 2, -XEN_EPERM);
	case PHYSDEVOP_manage_pci_add_ext:
		return manage_pci_add_ext(v, arg);
	case PHYSDEVOP_prepare_msix:
	case PHYSDEVOP_release_msix:
		return copy_then(v, arg, 4, -XEN_EPERM);
	case PHYSDEVOP_restore_msi:
		return copy_then(v, arg, 2, -XEN_ENODEV);
	case PHYSDEVOP_restore_msi_ext:
		return copy_then(v, arg, 4, -XEN_ENODEV);
	case PHYSDEVOP_setup_gsi:
		return setup_gsi(v, arg);
	case PHYSDEVOP_pci_mmcfg_reserved:
	case PHYSDEVOP_dbgp_op:
	case PHYSDEVOP_pci_device_add:
	case PHYSDEVOP_pci_device_remove:
	case PHYSDEVOP_pci_device_reset:
		return -XEN_EPERM;
	default:
		return -XEN_ENOSYS;
	}
}

long do_physdev_op(struct vcpu *v, const uint64_t arg[5])
{
	return physdev_op(v, (int)arg[0], arg[1]);
}

long do_physdev_op_compat(struct vcpu *v, const uint64_t arg[5])
{
	struct physdev_op op;

	if (copy_from_guest(v, &op, arg[0], sizeof(op)) < 0)
		return -XEN_EFAULT;
	return physdev_op(v, (int)op.cmd, arg[0] + offsetof(struct physdev_op, u));
}
