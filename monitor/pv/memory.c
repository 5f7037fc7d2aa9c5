/*
 * HYPERVISOR_memory_op for a 64-bit PV domU, with Xen's semantics
 * (xen/common/memory.c, arch_memory_op, subarch_memory_op).
 *
 * Guest frames are the VM's RAM frames (MFN == GFN), so the domain can only
 * ever hold the nr_pages frames it was built with: decrease_reservation
 * gives frames back (their memory returns to the host, they read as zeros
 * and may not be mapped), increase_reservation and populate_physmap take
 * given-back frames again, up to max_pages.
 */
#include "memory.h"

#include <stdlib.h>
#include <string.h>

#include "../hvarea.h"
#include "mmu.h"

/* Sub-ops and layouts of Xen's public memory.h that include/xen/memory.h
 * does not carry (yet). */
#define XENMEM_remove_from_physmap 15
#define XENMEM_set_pod_target 16
#define XENMEM_get_pod_target 17
#define XENMEM_get_sharing_freed_pages 18
#define XENMEM_get_sharing_shared_pages 19
#define XENMEM_add_to_physmap_batch 23
#define XENMEM_claim_pages 24
#define XENMEM_get_vnumainfo 26
#define XENMEM_reserved_device_memory_map 27
#define XENMEM_RDM_ALL 1
#define E820_MAX 1024

struct memop_remove_from_physmap {
	domid_t domid;
	xen_pfn_t gpfn;
};
_Static_assert(sizeof(struct memop_remove_from_physmap) == 16, "ABI");

struct memop_add_to_physmap_batch {
	domid_t domid;
	uint16_t space;
	uint16_t size;
	domid_t foreign_domid;
	uint64_t idxs, gpfns, errs;
};
_Static_assert(sizeof(struct memop_add_to_physmap_batch) == 32, "ABI");

struct memop_pod_target {
	uint64_t target_pages, tot_pages, pod_cache_pages, pod_entries;
	domid_t domid;
};
_Static_assert(sizeof(struct memop_pod_target) == 40, "ABI");

struct memop_vnuma_topology_info {
	domid_t domid;
	uint16_t pad;
	uint32_t nr_vnodes, nr_vcpus, nr_vmemranges;
	uint64_t vdistance, vcpu_to_vnode, vmemrange;
};
_Static_assert(sizeof(struct memop_vnuma_topology_info) == 40, "ABI");

struct memop_rdm_map {
	uint32_t flags;
	uint16_t seg;
	uint8_t bus, devfn;
	uint32_t nr_entries;
	uint64_t buffer;
};
_Static_assert(sizeof(struct memop_rdm_map) == 24, "ABI");

/* A domU's largest extent: a 2 MiB superpage (x86's CONFIG_DOMU_MAX_ORDER). */
#define DOMU_MAX_ORDER 9
#define M2P_ENTRIES_PER_2M (2 * 1024 * 1024 / 8)

/* One past the highest machine frame (Xen's max_page). */
static uint64_t max_page(const struct domain *d)
{
	return d->hv_base_pfn + d->hv_nr_pages;
}

static unsigned int order_of_pages(uint64_t pages)
{
	unsigned int order = 0;

	while (order < 63 && (1ULL << order) < pages)
		order++;
	return order;
}

/* ---- reservations ------------------------------------------------------------ */

struct memop {
	uint64_t list;		/* guest VA of xen_pfn_t[nr] */
	uint64_t nr;
	unsigned int order;
	uint64_t limit;		/* frames must lie below this one (0: anywhere) */
	bool pod;		/* XENMEMF_populate_on_demand */
	uint64_t done;
};

static uint64_t tot_pages(const struct domain *d)
{
	return d->nr_pages - mmu_released_frames(d);
}

/* Whether the domain may grow by n frames (Xen's assign_pages check). */
static bool room_for(const struct domain *d, uint64_t n)
{
	return d->max_pages >= tot_pages(d) && n <= d->max_pages - tot_pages(d);
}

static bool list_ok(const struct memop *a)
{
	return pv_array_ok(a->list + a->done * sizeof(xen_pfn_t), a->nr - a->done, sizeof(xen_pfn_t));
}

static void increase_reservation(struct vcpu *v, struct memop *a)
{
	struct domain *d = v->d;
	uint64_t i, mfn;

	if ((a->list && !list_ok(a)) || a->order > DOMU_MAX_ORDER)
		return;
	for (i = a->done; i < a->nr; i++) {
		if (!room_for(d, 1ULL << a->order) ||
		    mmu_reclaim_frames(d, UINT64_MAX, a->order, a->limit, &mfn) < 0)
			break;
		/* The frames stay the domain's even if it cannot be told. */
		if (a->list && copy_to_guest(v, a->list + i * sizeof(mfn), &mfn, sizeof(mfn)) < 0)
			break;
	}
	a->done = i;
}

static void populate_physmap(struct vcpu *v, struct memop *a)
{
	struct domain *d = v->d;
	uint64_t i, gpfn, mfn;

	if (!list_ok(a) || a->pod || a->order > DOMU_MAX_ORDER)
		return;	/* populate-on-demand is not for oneself */
	for (i = a->done; i < a->nr; i++) {
		if (copy_from_guest(v, &gpfn, a->list + i * sizeof(gpfn), sizeof(gpfn)) < 0)
			break;
		/* The frame the guest calls gpfn, when it is free, keeps the
		 * P2M an identity. */
		if (!room_for(d, 1ULL << a->order) ||
		    mmu_reclaim_frames(d, gpfn, a->order, a->limit, &mfn) < 0)
			break;
		for (uint64_t j = 0; j < (1ULL << a->order); j++)
			mmu_set_m2p(d, mfn + j, gpfn + j);
		if (copy_to_guest(v, a->list + i * sizeof(mfn), &mfn, sizeof(mfn)) < 0)
			break;
	}
	a->done = i;
}

static void decrease_reservation(struct vcpu *v, struct memop *a)
{
	struct domain *d = v->d;
	uint64_t i, gmfn;

	if (!list_ok(a) || a->order > DOMU_MAX_ORDER)
		return;
	for (i = a->done; i < a->nr; i++) {
		if (copy_from_guest(v, &gmfn, a->list + i * sizeof(gmfn), sizeof(gmfn)) < 0)
			break;
		/* As Xen, frames of a failing extent given back so far stay so. */
		for (uint64_t j = 0; j < (1ULL << a->order); j++)
			if (mmu_release_frame(d, gmfn + j) < 0)
				goto out;
	}
out:
	a->done = i;
}

/* The three reservation ops return how many extents were done, counting
 * from the start extent in the command's upper bits. */
static long reservation_op(struct vcpu *v, unsigned int op, uint64_t start, uint64_t arg)
{
	struct domain *d = v->d;
	struct xen_memory_reservation r;
	unsigned int bits;
	struct memop a = { 0 };

	if (copy_from_guest(v, &r, arg, sizeof(r)) < 0)
		return (long)start;
	if (r.nr_extents > (UINT32_MAX >> MEMOP_EXTENT_SHIFT) || start >= r.nr_extents)
		return (long)start;
	/* Another domain: absent, or refused by XSM; both end here. */
	if (!pv_is_self(d, r.domid))
		return (long)start;
	bits = XENMEMF_get_address_bits(r.mem_flags);
	if (bits && bits < order_of_pages(max_page(d)) + PAGE_SHIFT) {
		if (bits <= PAGE_SHIFT)
			return (long)start;
		a.limit = 1ULL << (bits - PAGE_SHIFT);
	}
	/* No virtual NUMA here; a physical node only a privileged domain
	 * may insist on. */
	if (!(r.mem_flags & XENMEMF_vnode) && XENMEMF_get_node(r.mem_flags) != 0xff &&
	    (r.mem_flags & XENMEMF_exact_node_request))
		return (long)start;
	a.list = r.extent_start;
	a.nr = r.nr_extents;
	a.order = r.extent_order;
	a.pod = op == XENMEM_populate_physmap && (r.mem_flags & XENMEMF_populate_on_demand);
	a.done = start;

	mmu_lock(d);
	if (op == XENMEM_increase_reservation)
		increase_reservation(v, &a);
	else if (op == XENMEM_decrease_reservation)
		decrease_reservation(v, &a);
	else
		populate_physmap(v, &a);
	mmu_unlock(d);
	return (long)a.done;
}

/* ---- the memory map ------------------------------------------------------------ */

static long memory_map(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->d;
	struct memory_state *ms = mmu_memory(d);
	struct xen_e820_entry ram = { .addr = 0, .size = d->nr_pages << PAGE_SHIFT, .type = E820_RAM };
	struct xen_memory_map map;
	long rc = 0;

	if (copy_from_guest(v, &map, arg, sizeof(map)) < 0)
		return -XEN_EFAULT;
	mmu_lock(d);
	const struct xen_e820_entry *e = ms->e820 ? ms->e820 : &ram;
	unsigned int n = ms->e820 ? ms->nr_e820 : 1;
	if (map.nr_entries < n)
		n = map.nr_entries;
	map.nr_entries = n;
	if ((n && copy_to_guest(v, map.buffer, e, n * sizeof(*e)) < 0) ||
	    copy_to_guest(v, arg, &map, sizeof(map)) < 0)
		rc = -XEN_EFAULT;
	mmu_unlock(d);
	return rc;
}

static long set_memory_map(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->d;
	struct memory_state *ms = mmu_memory(d);
	struct xen_foreign_memory_map fmap;
	struct xen_e820_entry *e;

	if (copy_from_guest(v, &fmap, arg, sizeof(fmap)) < 0)
		return -XEN_EFAULT;
	if (fmap.map.nr_entries > E820_MAX)
		return -XEN_EINVAL;
	if (!pv_is_self(d, fmap.domid))
		return pv_foreign_domain_error(fmap.domid);
	e = malloc(fmap.map.nr_entries ? fmap.map.nr_entries * sizeof(*e) : 1);
	if (!e)
		return -XEN_ENOMEM;
	if (fmap.map.nr_entries &&
	    copy_from_guest(v, e, fmap.map.buffer, fmap.map.nr_entries * sizeof(*e)) < 0) {
		free(e);
		return -XEN_EFAULT;
	}
	mmu_lock(d);
	free(ms->e820);
	ms->e820 = e;
	ms->nr_e820 = fmap.map.nr_entries;
	mmu_unlock(d);
	return 0;
}

/* ---- the M2P ----------------------------------------------------------------------- */

static long machphys_mapping(struct vcpu *v, uint64_t arg)
{
	/* Where our M2P is (hvarea.h: not Xen's default slot on this host). */
	struct xen_machphys_mapping m = {
		.v_start = HV_M2P_VA,
		.v_end = HV_M2P_VA + v->d->hva->m2p_nr * PAGE_SIZE,
		.max_mfn = v->d->hva->m2p_nr * (PAGE_SIZE / 8) - 1,
	};

	return copy_to_guest(v, arg, &m, sizeof(m)) < 0 ? -XEN_EFAULT : 0;
}

/* The first frame of every 2 MiB of the M2P that covers max_page. */
static long machphys_mfn_list(struct vcpu *v, uint64_t arg)
{
	const struct hvarea *a = v->d->hva;
	struct xen_machphys_mfn_list l;
	uint64_t chunks = (max_page(v->d) + M2P_ENTRIES_PER_2M - 1) / M2P_ENTRIES_PER_2M;
	uint64_t last = 0;
	uint32_t i;

	if (copy_from_guest(v, &l, arg, sizeof(l)) < 0)
		return -XEN_EFAULT;
	for (i = 0; i != l.max_extents && i < chunks; i++) {
		uint64_t mfn = 512ULL * i < a->m2p_nr ? a->m2p_pfn + 512ULL * i : last;
		if (copy_to_guest(v, l.extent_start + 8ULL * i, &mfn, sizeof(mfn)) < 0)
			return -XEN_EFAULT;
		last = mfn;
	}
	l.nr_extents = i;
	return copy_to_guest(v, arg, &l, sizeof(l)) < 0 ? -XEN_EFAULT : 0;
}

/* ---- sub-ops a domU is refused ------------------------------------------------------- */

static long domain_stat(struct vcpu *v, unsigned int op, uint64_t arg)
{
	struct domain *d = v->d;
	domid_t domid;

	if (copy_from_guest(v, &domid, arg, sizeof(domid)) < 0)
		return -XEN_EFAULT;
	if (!pv_is_self(d, domid))
		return pv_foreign_domain_error(domid);
	switch (op) {
	case XENMEM_current_reservation:
		return (long)tot_pages(d);
	case XENMEM_maximum_reservation:
		return (long)d->max_pages;
	default: {
		/* PV guests give nr_pfns in shared_info; Xen reports it less one. */
		uint64_t max_pfn = __atomic_load_n(&domain_shared_info(d)->arch.max_pfn, __ATOMIC_RELAXED);
		return (long)((max_pfn ? max_pfn : 1) - 1);
	}
	}
}

/* add_to_physmap and remove_from_physmap are for translated guests. */
static long add_to_physmap(struct vcpu *v, uint64_t start, uint64_t arg)
{
	struct xen_add_to_physmap x;

	if (start != (uint16_t)start)
		return -XEN_EDOM;
	if (copy_from_guest(v, &x, arg, sizeof(x)) < 0)
		return -XEN_EFAULT;
	if (x.space == XENMAPSPACE_gmfn_foreign)
		return -XEN_ENOSYS;
	if (!pv_is_self(v->d, x.domid))
		return pv_foreign_domain_error(x.domid);
	return -XEN_EACCES;
}

static long add_to_physmap_batch(struct vcpu *v, uint64_t start, uint64_t arg)
{
	struct memop_add_to_physmap_batch x;

	if (start != (uint16_t)start)
		return -XEN_EDOM;
	if (copy_from_guest(v, &x, arg, sizeof(x)) < 0)
		return -XEN_EFAULT;
	if (x.space == XENMAPSPACE_gmfn_range)
		return -XEN_EOPNOTSUPP;
	if (!pv_is_self(v->d, x.domid))
		return pv_foreign_domain_error(x.domid);
	return -XEN_EACCES;
}

static long remove_from_physmap(struct vcpu *v, uint64_t arg)
{
	struct memop_remove_from_physmap x;

	if (copy_from_guest(v, &x, arg, sizeof(x)) < 0)
		return -XEN_EFAULT;
	if (!pv_is_self(v->d, x.domid))
		return pv_foreign_domain_error(x.domid);
	return -XEN_EACCES;
}

static long pod_target(struct vcpu *v, uint64_t arg)
{
	struct memop_pod_target t;

	if (copy_from_guest(v, &t, arg, sizeof(t)) < 0)
		return -XEN_EFAULT;
	/* A domain that exists is refused for not being HVM. */
	if (!pv_is_self(v->d, t.domid) && pv_foreign_domain_error(t.domid) == -XEN_ESRCH)
		return -XEN_ESRCH;
	return -XEN_EINVAL;
}

static long claim_pages(struct vcpu *v, uint64_t arg)
{
	struct xen_memory_reservation r;

	if (copy_from_guest(v, &r, arg, sizeof(r)) < 0)
		return -XEN_EFAULT;
	if (r.extent_start || r.extent_order || r.mem_flags)
		return -XEN_EINVAL;
	/* By id only (DOMID_SELF names no domain); then a privileged op. */
	if (r.domid == v->d->domid || r.domid == 0)
		return -XEN_EPERM;
	return -XEN_EINVAL;
}

static long get_vnumainfo(struct vcpu *v, uint64_t arg)
{
	struct memop_vnuma_topology_info t;

	if (copy_from_guest(v, &t, arg, sizeof(t)) < 0)
		return -XEN_EFAULT;
	if (t.pad)
		return -XEN_EINVAL;
	if (!pv_is_self(v->d, t.domid))
		return pv_foreign_domain_error(t.domid);
	return -XEN_EOPNOTSUPP;	/* no virtual NUMA topology */
}

static long reserved_device_memory_map(struct vcpu *v, uint64_t arg)
{
	struct memop_rdm_map m;

	if (copy_from_guest(v, &m, arg, sizeof(m)) < 0 || !pv_array_ok(m.buffer, m.nr_entries, 16))
		return -XEN_EFAULT;
	if (m.flags & ~XENMEM_RDM_ALL)
		return -XEN_EINVAL;
	m.nr_entries = 0;	/* no IOMMU reserved regions */
	return copy_to_guest(v, arg, &m, sizeof(m)) < 0 ? -XEN_EFAULT : 0;
}

/* ---- the dispatcher ---------------------------------------------------------------------- */

/* Xen's arch_memory_op: it sees the whole command, so a start extent in the
 * upper bits matches none of its sub-ops. */
static long arch_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	switch (cmd) {
	case XENMEM_memory_map:
		return memory_map(v, arg);
	case XENMEM_set_memory_map:
		return set_memory_map(v, arg);
	case XENMEM_machine_memory_map:
		return -XEN_EPERM;
	case XENMEM_machphys_mapping:
		return machphys_mapping(v, arg);
	case XENMEM_machphys_mfn_list:
		return machphys_mfn_list(v, arg);
	case XENMEM_machphys_compat_mfn_list:
		return -XEN_EOPNOTSUPP;	/* no 32-bit PV support */
	case XENMEM_set_pod_target:
	case XENMEM_get_pod_target:
		return pod_target(v, arg);
	case XENMEM_get_sharing_freed_pages:
	case XENMEM_get_sharing_shared_pages:
		return 0;	/* no memory sharing */
	default:
		mlog_once(v->d, "memory_op: unimplemented command %#llx (%#llx)",
			  (unsigned long long)cmd, (unsigned long long)arg);
		return -XEN_ENOSYS;
	}
}

long do_memory_op(struct vcpu *v, const uint64_t arg[5])
{
	uint64_t cmd = arg[0], a = arg[1];
	uint64_t start = cmd >> MEMOP_EXTENT_SHIFT;
	unsigned int op = cmd & MEMOP_CMD_MASK;

	switch (op) {
	case XENMEM_increase_reservation:
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
		return reservation_op(v, op, start, a);
	case XENMEM_exchange:
		if (start)
			return -XEN_EINVAL;
		mlog_once(v->d, "memory_op: XENMEM_exchange (%#llx) not implemented",
			  (unsigned long long)a);
		return -XEN_ENOSYS;
	case XENMEM_maximum_ram_page:
		return start ? -XEN_EINVAL : (long)max_page(v->d);
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
	case XENMEM_maximum_gpfn:
		return start ? -XEN_EINVAL : domain_stat(v, op, a);
	case XENMEM_add_to_physmap:
		return add_to_physmap(v, start, a);
	case XENMEM_add_to_physmap_batch:
		return add_to_physmap_batch(v, start, a);
	case XENMEM_remove_from_physmap:
		return start ? -XEN_EINVAL : remove_from_physmap(v, a);
	case XENMEM_claim_pages:
		return start ? -XEN_EINVAL : claim_pages(v, a);
	case XENMEM_get_vnumainfo:
		return start ? -XEN_EINVAL : get_vnumainfo(v, a);
	case XENMEM_reserved_device_memory_map:
		return start ? -XEN_EINVAL : reserved_device_memory_map(v, a);
	default:
		return arch_memory_op(v, cmd, a);
	}
}
