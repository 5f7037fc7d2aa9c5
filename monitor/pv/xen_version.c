/*
 * HYPERVISOR_xen_version for a PV domU, as Xen (include/xeno/version.h)
 * answers it under its default XSM policy: the version, platform
 * parameters and features for everyone; the build strings, page size and
 * guest handle too; the command line and build id only to privileged
 * domains (a domU reads "<denied>" from XENVER_commandline and gets -EPERM
 * from the variable-length sub-ops that carry them).
 */
#include "xen_version.h"

#include <string.h>

#include <xen/features.h>
#include <xen/version.h>
#include <xeno/version.h>

#define CAPABILITIES "xen-3.0-x86_64 "	/* Xen's own text: a trailing space */
#define CHANGESET "xeno"
#define VARBUF_MAX (64 * 1024)		/* Xen refuses longer answers (-E2BIG) */

static long put(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
	return copy_to_guest(v, gva, src, len) < 0 ? -XEN_EFAULT : 0;
}

/* A string in a fixed-size, zero-padded buffer of size bytes. */
static long put_fixed(struct vcpu *v, uint64_t gva, const char *s, size_t size)
{
	char buf[1024] = { 0 };

	strncpy(buf, s, size - 1);
	return put(v, gva, buf, size);
}

static uint32_t features_submap0(const struct domain *d)
{
	uint32_t f = (1u << XENFEAT_memory_op_vnode_supported) |
		     (1u << XENFEAT_vcpu_time_phys_area) | (1u << XENFEAT_runstate_phys_area) |
		     /* a PV guest, not translated, so direct mapped */
		     (1u << XENFEAT_mmu_pt_update_preserve_ad) | (1u << XENFEAT_highmem_assist) |
		     (1u << XENFEAT_gnttab_map_avail_bits) | (1u << XENFEAT_dm_msix_all_writes) |
		     (1u << XENFEAT_direct_mapped);

	if (__atomic_load_n(&d->vm_assist, __ATOMIC_RELAXED) & (1ULL << VMASST_TYPE_pae_extended_cr3))
		f |= 1u << XENFEAT_pae_pgdir_above_4gb;
	return f;
}

static long get_features(struct vcpu *v, uint64_t gva)
{
	struct xen_feature_info fi;

	if (copy_from_guest(v, &fi, gva, sizeof(fi)) < 0)
		return -XEN_EFAULT;
	if (fi.submap_idx != 0)
		return -XEN_EINVAL;
	fi.submap = features_submap0(v->d);
	return put(v, gva, &fi, sizeof(fi));
}

/* The XENVER_*2 sub-ops: a NULL argument asks for the length; else the
 * text (no terminator) if the guest's buffer holds it. */
static long put_varbuf(struct vcpu *v, uint64_t gva, const char *s)
{
	uint64_t len = strlen(s);
	struct xen_varbuf vb;

	if (len > VARBUF_MAX)
		return -XEN_E2BIG;
	if (!gva)
		return (long)len;
	if (copy_from_guest(v, &vb, gva, sizeof(vb)) < 0)
		return -XEN_EFAULT;
	if (len > vb.len)
		return -XEN_ENOBUFS;
	if (copy_to_guest(v, gva + offsetof(struct xen_varbuf, buf), s, len) < 0)
		return -XEN_EFAULT;
	return (long)len;
}

long do_xen_version(struct vcpu *v, const uint64_t arg[5])
{
	uint64_t p = arg[1];

	switch (arg[0]) {
	case XENVER_version:
		return (XENO_XEN_MAJOR << 16) | XENO_XEN_MINOR;
	case XENVER_extraversion:
		return put_fixed(v, p, XENO_XEN_EXTRA, XEN_EXTRAVERSION_LEN);
	case XENVER_compile_info: {
		struct xen_compile_info ci;
		memset(&ci, 0, sizeof(ci));
		strncpy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler) - 1);
		strcpy(ci.compile_by, "xeno");
		strcpy(ci.compile_domain, "xeno");
		strncpy(ci.compile_date, __DATE__, sizeof(ci.compile_date) - 1);
		return put(v, p, &ci, sizeof(ci));
	}
	case XENVER_capabilities:
		return put_fixed(v, p, CAPABILITIES, XEN_CAPABILITIES_INFO_LEN);
	case XENVER_changeset:
		return put_fixed(v, p, CHANGESET, XEN_CHANGESET_INFO_LEN);
	case XENVER_platform_parameters: {
		/* a release build's answer for a 64-bit PV guest */
		struct xen_platform_parameters pp = { .virt_start = HYPERVISOR_VIRT_START };
		return put(v, p, &pp, sizeof(pp));
	}
	case XENVER_get_features:
		return get_features(v, p);
	case XENVER_pagesize:
		return p ? -XEN_EINVAL : (long)PAGE_SIZE;
	case XENVER_guest_handle: {
		xen_domain_handle_t h;
		memset(h, 0, sizeof(h));
		memcpy(h, &v->d->domid, sizeof(v->d->domid));
		return put(v, p, h, sizeof(h));
	}
	case XENVER_commandline:
		/* denied: exactly the string and its terminator are written */
		return put(v, p, XENVER_DENIED_STRING, sizeof(XENVER_DENIED_STRING));
	case XENVER_extraversion2:
		return put_varbuf(v, p, XENO_XEN_EXTRA);
	case XENVER_capabilities2:
		return put_varbuf(v, p, CAPABILITIES);
	case XENVER_changeset2:
		return put_varbuf(v, p, CHANGESET);
	case XENVER_build_id:
	case XENVER_commandline2:
		return -XEN_EPERM;
	default:
		return -XEN_ENOSYS;
	}
}
