/*
 * HYPERVISOR_grant_table_op for a PV domU: grant table v1 in hypervisor
 * frames (set up, query, version, copy). Xen would also let a domU map
 * another domU's grants; here every other domain lives in another process,
 * so foreign maps and copies answer GNTST_bad_domain. Our backends live in
 * the monitor and read the guest's grant entries directly.
 * We behave as Xen booted with gnttab=max-ver:1.
 */
#include "grant_table.h"

#include <string.h>

#include <xen/grant_table.h>

#include "../hvarea.h"

#define MAX_COUNT 1024	/* ops per call we accept; Xen preempts instead */

static bool is_self(const struct domain *d, domid_t dom)
{
	return dom == DOMID_SELF || dom == d->domid;
}

static struct grant_entry_v1 *entry(struct domain *d, grant_ref_t ref)
{
	if (ref >= d->gnttab_frames * GNTTAB_V1_ENTRIES_PER_PAGE)
		return NULL;
	return (struct grant_entry_v1 *)gpa_range(d, d->hva->grant_pfn << PAGE_SHIFT,
						  (uint64_t)HV_NR_GRANT_FRAMES << PAGE_SHIFT) +
	       ref;
}

static int16_t setup_table(struct vcpu *v, struct gnttab_setup_table *op)
{
	struct domain *d = v->d;

	if (!is_self(d, op->dom))
		return GNTST_permission_denied;
	if (op->nr_frames > HV_NR_GRANT_FRAMES)
		return GNTST_general_error;
	if (op->nr_frames > d->gnttab_frames)
		d->gnttab_frames = op->nr_frames;
	for (uint32_t i = 0; i < op->nr_frames; i++) {
		xen_pfn_t mfn = d->hva->grant_pfn + i;
		if (copy_to_guest(v, op->frame_list + i * sizeof(mfn), &mfn, sizeof(mfn)) < 0)
			return GNTST_bad_virt_addr;
	}
	return GNTST_okay;
}

/* One side of a copy: the bytes it names, checked whole. */
static int16_t copy_side(struct domain *d, const struct gnttab_copy_ptr *p, bool is_gref,
			 bool dest, uint16_t len, uint8_t **out)
{
	uint64_t frame;

	if ((uint32_t)p->offset + len > PAGE_SIZE)
		return GNTST_bad_copy_arg;
	if (!is_self(d, p->domid))
		return GNTST_bad_domain;
	if (is_gref) {
		struct grant_entry_v1 *e = entry(d, p->u.ref);
		if (!e)
			return GNTST_bad_gntref;
		struct grant_entry_v1 g;
		memcpy(&g, e, sizeof(g));
		if ((g.flags & GTF_type_mask) != GTF_permit_access || !is_self(d, g.domid))
			return GNTST_permission_denied;
		if (dest && (g.flags & GTF_readonly))
			return GNTST_permission_denied;
		frame = g.frame;
	} else {
		frame = p->u.gmfn;
	}
	if (frame >= d->nr_pages)
		return GNTST_bad_page;
	*out = gpa_range(d, (frame << PAGE_SHIFT) + p->offset, len ? len : 1);
	return *out ? GNTST_okay : GNTST_bad_page;
}

static int16_t grant_copy(struct domain *d, const struct gnttab_copy *op)
{
	uint8_t *src, *dst;
	int16_t st;

	st = copy_side(d, &op->source, op->flags & GNTCOPY_source_gref, false, op->len, &src);
	if (st == GNTST_okay)
		st = copy_side(d, &op->dest, op->flags & GNTCOPY_dest_gref, true, op->len, &dst);
	if (st == GNTST_okay)
		memmove(dst, src, op->len);
	return st;
}

/* Copy op i in, run fn, write its status field back. */
#define EACH_OP(type, status_field, body)                                                          \
	do {                                                                                       \
		for (uint64_t i = 0; i < count; i++) {                                             \
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
	uint64_t cmd = arg[0], uop = arg[1], count = arg[2];

	if (count > MAX_COUNT)
		return -XEN_EINVAL;
	switch (cmd) {
	case GNTTABOP_setup_table:
		if (count != 1)
			return -XEN_EINVAL;
		EACH_OP(struct gnttab_setup_table, status, op.status = setup_table(v, &op));
		return 0;
	case GNTTABOP_query_size:
		if (count != 1)
			return -XEN_EINVAL;
		EACH_OP(struct gnttab_query_size, status, {
			if (is_self(d, op.dom)) {
				op.nr_frames = d->gnttab_frames;
				op.max_nr_frames = HV_NR_GRANT_FRAMES;
				op.status = GNTST_okay;
				if (copy_to_guest(v, gva, &op, sizeof(op)) < 0)
					return -XEN_EFAULT;
			} else {
				op.status = GNTST_permission_denied;
			}
		});
		return 0;
	case GNTTABOP_set_version: {
		struct gnttab_set_version op;
		if (count != 1)
			return -XEN_EINVAL;
		if (copy_from_guest(v, &op, uop, sizeof(op)) < 0)
			return -XEN_EFAULT;
		if (op.version != 1 && op.version != 2)
			return -XEN_EINVAL;
		if (op.version == 2)
			return -XEN_ENOSYS;	/* as Xen with gnttab=max-ver:1 */
		return 0;
	}
	case GNTTABOP_get_version: {
		struct gnttab_get_version op;
		if (count != 1)
			return -XEN_EINVAL;
		if (copy_from_guest(v, &op, uop, sizeof(op)) < 0)
			return -XEN_EFAULT;
		if (!is_self(d, op.dom))
			return -XEN_EPERM;
		op.version = 1;
		return copy_to_guest(v, uop, &op, sizeof(op)) < 0 ? -XEN_EFAULT : 0;
	}
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
		mlog_once(d, "grant_table_op %llu not implemented", (unsigned long long)cmd);
		return -XEN_ENOSYS;
	}
}
