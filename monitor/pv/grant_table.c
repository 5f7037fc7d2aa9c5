/*
 * HYPERVISOR_grant_table_op for a PV domU: grant table v1 in hypervisor
 * frames (set up, query, version, copy), with Xen's per-operation status
 * codes and their order of checks. We behave as Xen booted with
 * gnttab=max-ver:1.
 *
 * Every other domain lives in another process: dom0 exists but never
 * grants anything to a domU here (our backends read the guest's grant
 * entries directly), any other domain id is taken as absent. So foreign
 * maps answer GNTST_bad_domain, and mapping one's own grants is not
 * offered (GNTST_permission_denied).
 */
#include "grant_table.h"

#include <string.h>

#include <xen/grant_table.h>

#include "../hvarea.h"
#include "mmu.h"

#define INITIAL_FRAMES 1	/* Xen's table starts with one frame */
/* Xen's GNTTABOP_CMD_MASK: the bits above carry an opaque argument that
 * only GNTTABOP_cache_flush (not on x86) takes. */
#define CMD_MASK 0xfffu

static bool is_self(const struct domain *d, domid_t dom)
{
	return dom == DOMID_SELF || dom == d->domid;
}

/* Xen's status for a domain id that is not ours: dom0 exists (and is not
 * the domU's to touch), anything else does not. */
static int16_t foreign_status(domid_t dom)
{
	return dom == 0 ? GNTST_permission_denied : GNTST_bad_domain;
}

static unsigned int nr_frames(const struct domain *d)
{
	return d->gnttab_frames > INITIAL_FRAMES ? d->gnttab_frames : INITIAL_FRAMES;
}

static struct grant_entry_v1 *entry(struct domain *d, grant_ref_t ref)
{
	if (ref >= nr_frames(d) * GNTTAB_V1_ENTRIES_PER_PAGE)
		return NULL;
	return (struct grant_entry_v1 *)gpa_range(d, d->hva->grant_pfn << PAGE_SHIFT,
						  (uint64_t)HV_NR_GRANT_FRAMES << PAGE_SHIFT) +
	       ref;
}

static long setup_table(struct vcpu *v, uint64_t uop)
{
	struct domain *d = v->d;
	struct gnttab_setup_table op;

	if (copy_from_guest(v, &op, uop, sizeof(op)) < 0)
		return -XEN_EFAULT;
	if (!pv_array_ok(op.frame_list, op.nr_frames, sizeof(xen_pfn_t)))
		return -XEN_EFAULT;
	if (!is_self(d, op.dom)) {
		op.status = foreign_status(op.dom);
	} else if (op.nr_frames > HV_NR_GRANT_FRAMES) {
		op.status = GNTST_general_error;
	} else {
		if (op.nr_frames > d->gnttab_frames)
			d->gnttab_frames = op.nr_frames;
		op.status = GNTST_okay;
		for (uint32_t i = 0; i < op.nr_frames; i++) {
			xen_pfn_t mfn = d->hva->grant_pfn + i;
			if (copy_to_guest(v, op.frame_list + i * sizeof(mfn), &mfn, sizeof(mfn)) < 0) {
				op.status = GNTST_bad_virt_addr;
				break;
			}
		}
	}
	if (copy_to_guest(v, uop + offsetof(struct gnttab_setup_table, status), &op.status,
			  sizeof(op.status)) < 0)
		return -XEN_EFAULT;
	return 0;
}

static long query_size(struct vcpu *v, uint64_t uop)
{
	struct domain *d = v->d;
	struct gnttab_query_size op;

	if (copy_from_guest(v, &op, uop, sizeof(op)) < 0)
		return -XEN_EFAULT;
	if (is_self(d, op.dom)) {
		op.nr_frames = nr_frames(d);
		op.max_nr_frames = HV_NR_GRANT_FRAMES;
		op.status = GNTST_okay;
	} else {
		op.status = foreign_status(op.dom);
	}
	return copy_to_guest(v, uop, &op, sizeof(op)) < 0 ? -XEN_EFAULT : 0;
}

/* Xen's set_version: the answer always carries the version in force. */
static long set_version(struct vcpu *v, uint64_t uop)
{
	struct gnttab_set_version op;
	long rc = 0;

	if (copy_from_guest(v, &op, uop, sizeof(op)) < 0)
		return -XEN_EFAULT;
	if (op.version != 1 && op.version != 2)
		rc = -XEN_EINVAL;
	else if (op.version == 2)
		rc = -XEN_ENOSYS;	/* as Xen with gnttab=max-ver:1 */
	op.version = 1;
	if (copy_to_guest(v, uop, &op, sizeof(op)) < 0)
		rc = -XEN_EFAULT;
	return rc;
}

static long get_version(struct vcpu *v, uint64_t uop)
{
	struct gnttab_get_version op;

	if (copy_from_guest(v, &op, uop, sizeof(op)) < 0)
		return -XEN_EFAULT;
	if (!is_self(v->d, op.dom))
		return pv_foreign_domain_error(op.dom);
	op.version = 1;
	return copy_to_guest(v, uop, &op, sizeof(op)) < 0 ? -XEN_EFAULT : 0;
}

/* ---- GNTTABOP_copy ------------------------------------------------------------ */

/* One side of a copy: its frame, and the bytes the grant covers (v1: all). */
struct copy_buf {
	uint8_t *page;
};

/* Xen's gnttab_copy_lock_domain: a frame number only with DOMID_SELF. */
static int16_t lock_domain(const struct domain *d, domid_t dom, bool is_gref)
{
	if (dom != DOMID_SELF && !is_gref)
		return GNTST_permission_denied;
	if (is_self(d, dom))
		return GNTST_okay;
	/* dom0 exists but grants nothing to us: no grant reference will do */
	return dom == 0 ? GNTST_general_error : GNTST_bad_domain;
}

/* A frame the domain owns (Xen's get_paged_frame); for a destination also
 * one it may write (get_page_type(PGT_writable_page)). */
static int16_t claim_frame(struct domain *d, uint64_t mfn, bool writable, struct copy_buf *b)
{
	enum frame_type t;
	uint32_t count;
	int16_t st = GNTST_okay;

	mmu_lock(d);
	if (!mmu_frame_owned(d, mfn)) {
		st = GNTST_bad_page;
	} else if (writable && mmu_ram_owned(d, mfn)) {
		t = mmu_frame_type(d, mfn, &count);
		if (count && t != FT_WRITABLE && t != FT_NONE)
			st = GNTST_general_error;
	}
	mmu_unlock(d);
	if (st == GNTST_okay) {
		b->page = gpa_range(d, mfn << PAGE_SHIFT, PAGE_SIZE);
		if (!b->page)
			st = GNTST_bad_page;
	}
	return st;
}

/* Xen's acquire_grant_for_copy for a v1 entry of our own table. */
static int16_t claim_grant(struct domain *d, grant_ref_t ref, bool writable, struct copy_buf *b)
{
	struct grant_entry_v1 *e = entry(d, ref), g;

	if (!e)
		return GNTST_bad_gntref;
	memcpy(&g, e, sizeof(g));
	if ((g.flags & GTF_type_mask) != GTF_permit_access || g.domid != d->domid)
		return GNTST_general_error;
	if (writable && (g.flags & GTF_readonly))
		return GNTST_general_error;
	return claim_frame(d, g.frame, writable, b);
}

static int16_t claim(struct domain *d, const struct gnttab_copy_ptr *p, bool is_gref,
		     bool writable, struct copy_buf *b)
{
	return is_gref ? claim_grant(d, p->u.ref, writable, b)
		       : claim_frame(d, p->u.gmfn, writable, b);
}

static int16_t grant_copy(struct domain *d, const struct gnttab_copy *op)
{
	bool src_gref = op->flags & GNTCOPY_source_gref, dst_gref = op->flags & GNTCOPY_dest_gref;
	struct copy_buf src, dst;
	int16_t st;

	if (!op->len)
		return GNTST_okay;
	if ((st = lock_domain(d, op->source.domid, src_gref)) != GNTST_okay ||
	    (st = lock_domain(d, op->dest.domid, dst_gref)) != GNTST_okay ||
	    (st = claim(d, &op->source, src_gref, false, &src)) != GNTST_okay ||
	    (st = claim(d, &op->dest, dst_gref, true, &dst)) != GNTST_okay)
		return st;
	if ((uint32_t)op->source.offset + op->len > PAGE_SIZE ||
	    (uint32_t)op->dest.offset + op->len > PAGE_SIZE)
		return GNTST_bad_copy_arg;
	memmove(dst.page + op->dest.offset, src.page + op->source.offset, op->len);
	return GNTST_okay;
}

/* Each op in turn; its status field written back. */
#define EACH_OP(type, status_field, body)                                                          \
	do {                                                                                       \
		if (!pv_array_ok(uop, count, sizeof(type)))                                        \
			return -XEN_EFAULT;                                                        \
		for (uint64_t i = 0; i < count && !d->dying; i++) {                                \
			type op;                                                                   \
			uint64_t gva = uop + i * sizeof(op);                                       \
			if (copy_from_guest(v, &op, gva, sizeof(op)) < 0)                          \
				return -XEN_EFAULT;                                                \
			body;                                                                      \
			if (copy_to_guest(v, gva + offsetof(type, status_field), &op.status_field, \
					  sizeof(op.status_field)) < 0)                            \
				return -XEN_EFAULT;                                                \
		}                                                                                  \
	} while (0)

long do_grant_table_op(struct vcpu *v, const uint64_t arg[5])
{
	struct domain *d = v->d;
	unsigned int cmd = (unsigned int)arg[0];
	uint64_t uop = arg[1];
	uint64_t count = (uint32_t)arg[2];

	if ((int32_t)count < 0)
		return -XEN_EINVAL;
	if (cmd & ~CMD_MASK)
		return -XEN_EINVAL;
	switch (cmd) {
	case GNTTABOP_setup_table:
		return count != 1 ? -XEN_EINVAL : setup_table(v, uop);
	case GNTTABOP_query_size:
		return count != 1 ? -XEN_EINVAL : query_size(v, uop);
	case GNTTABOP_set_version:
		return set_version(v, uop);
	case GNTTABOP_get_version:
		return get_version(v, uop);
	case GNTTABOP_copy:
		EACH_OP(struct gnttab_copy, status, op.status = grant_copy(d, &op));
		return 0;
	case GNTTABOP_map_grant_ref:
		EACH_OP(struct gnttab_map_grant_ref, status,
			op.status = is_self(d, op.dom) ? GNTST_permission_denied : GNTST_bad_domain);
		return 0;
	case GNTTABOP_unmap_grant_ref:
		EACH_OP(struct gnttab_unmap_grant_ref, status, op.status = GNTST_bad_handle);
		return 0;
	default:
		mlog_once(d, "grant_table_op %u not implemented", cmd);
		return -XEN_ENOSYS;
	}
}
