/* HYPERVISOR_xen_version sub-operations. */
#ifndef XEN_VERSION_H
#define XEN_VERSION_H

#include <xen/abi.h>

#define XENVER_version 0 /* no argument; returns (major << 16) | minor */
#define XENVER_extraversion 1 /* xen_extraversion_t */
#define XENVER_compile_info 2 /* struct xen_compile_info */
#define XENVER_capabilities 3 /* xen_capabilities_info_t */
#define XENVER_changeset 4 /* xen_changeset_info_t */
#define XENVER_platform_parameters 5 /* struct xen_platform_parameters */
#define XENVER_get_features 6 /* struct xen_feature_info */
#define XENVER_pagesize 7 /* no argument; returns the page size */
#define XENVER_guest_handle 8 /* xen_domain_handle_t */
#define XENVER_commandline 9 /* xen_commandline_t */
#define XENVER_build_id 10 /* struct xen_varbuf; returns the length */
#define XENVER_extraversion2 11 /* struct xen_varbuf */
#define XENVER_capabilities2 12 /* struct xen_varbuf */
#define XENVER_changeset2 13 /* struct xen_varbuf */
#define XENVER_commandline2 14 /* struct xen_varbuf */

/* What Xen writes in place of information a guest may not see. */
#define XENVER_DENIED_STRING "<denied>"

#ifndef __ASSEMBLER__

typedef char xen_extraversion_t[16];
typedef char xen_capabilities_info_t[1024];
typedef char xen_changeset_info_t[64];
typedef char xen_commandline_t[1024];
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t))
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t))

struct xen_compile_info {
	char compiler[64];
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
};
XEN_CHECK_SIZE(struct xen_compile_info, 144);

struct xen_platform_parameters {
	xen_ulong_t virt_start; /* start of the hypervisor's reserved range */
};
XEN_CHECK_SIZE(struct xen_platform_parameters, 8);

/* IN: submap_idx. OUT: 32 XENFEAT_* bits starting at submap_idx * 32. */
struct xen_feature_info {
	uint32_t submap_idx;
	uint32_t submap;
};
XEN_CHECK_SIZE(struct xen_feature_info, 8);

/*
 * Variable-length answer: IN len is the capacity of buf; the hypercall
 * returns the full length (and writes nothing when len is 0).
 */
struct xen_varbuf {
	uint32_t len;
	unsigned char buf[];
};
XEN_CHECK_SIZE(struct xen_varbuf, 4);

/* XENVER_build_id's argument: the same layout under its own name. */
struct xen_build_id {
	uint32_t len;
	unsigned char buf[];
};
XEN_CHECK_SIZE(struct xen_build_id, 4);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_VERSION_H */
