/* HYPERVISOR_xen_version: who we say we are. We present Xen 4.17's ABI. */
#include "xen_version.h"

#include <string.h>

#include <xen/features.h>
#include <xen/version.h>

static long put(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
	return copy_to_guest(v, gva, src, len) < 0 ? -XEN_EFAULT : 0;
}

long do_xen_version(struct vcpu *v, const uint64_t arg[5])
{
	uint64_t p = arg[1];

	switch (arg[0]) {
	case XENVER_version:
		return (XENO_XEN_MAJOR << 16) | XENO_XEN_MINOR;
	case XENVER_extraversion: {
		xen_extraversion_t s = XENO_XEN_EXTRA;
		return put(v, p, s, sizeof(s));
	}
	case XENVER_compile_info: {
		struct xen_compile_info ci;
		memset(&ci, 0, sizeof(ci));
		strcpy(ci.compiler, "gcc " __VERSION__);
		strcpy(ci.compile_by, "xeno");
		strcpy(ci.compile_domain, "xeno");
		strcpy(ci.compile_date, __DATE__);
		return put(v, p, &ci, sizeof(ci));
	}
	case XENVER_capabilities: {
		xen_capabilities_info_t s;
		memset(s, 0, sizeof(s));
		strcpy(s, "xen-3.0-x86_64 ");
		return put(v, p, s, sizeof(s));
	}
	case XENVER_changeset: {
		xen_changeset_info_t s;
		memset(s, 0, sizeof(s));
		strcpy(s, "xeno");
		return put(v, p, s, sizeof(s));
	}
	case XENVER_platform_parameters: {
		struct xen_platform_parameters pp = { .virt_start = HYPERVISOR_VIRT_START };
		return put(v, p, &pp, sizeof(pp));
	}
	case XENVER_get_features: {
		struct xen_feature_info fi;
		if (copy_from_guest(v, &fi, p, sizeof(fi)) < 0)
			return -XEN_EFAULT;
		if (fi.submap_idx == 0)
			fi.submap = (1u << XENFEAT_memory_op_vnode_supported) |
				    (1u << XENFEAT_mmu_pt_update_preserve_ad) |
				    (1u << XENFEAT_highmem_assist) |
				    (1u << XENFEAT_gnttab_map_avail_bits);
		else if (fi.submap_idx < 32)
			fi.submap = 0;
		else
			return -XEN_EINVAL;
		return put(v, p, &fi, sizeof(fi));
	}
	case XENVER_pagesize:
		return 4096;
	case XENVER_guest_handle: {
		xen_domain_handle_t h;
		memset(h, 0, sizeof(h));
		memcpy(h, &v->d->domid, sizeof(v->d->domid));
		return put(v, p, h, sizeof(h));
	}
	case XENVER_commandline:
	case XENVER_build_id:
		/* privileged in Xen: a domU is refused */
		return -XEN_EPERM;
	default:
		return -XEN_ENOSYS;
	}
}
