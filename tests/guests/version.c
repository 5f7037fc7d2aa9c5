/*
 * HYPERVISOR_xen_version: every sub-op, what an unprivileged PV domU may
 * see (Xen's default XSM policy), exact copy sizes, and the error paths;
 * and xenpmu_op, which says the virtual PMU is off, as a default Xen does.
 */
#include <xen/features.h>

#include "guest.h"
#include "hypercall.h"

const char test_title[] = "xen_version sub-ops";

#define UNMAPPED_VA 0x1000UL
#define CANARY 0xa5

/* A buffer of size bytes followed by canary bytes that must stay untouched. */
static uint8_t buf[2048 + 64];

static void fill(void)
{
	memset(buf, CANARY, sizeof(buf));
}

static bool untouched_from(size_t off)
{
	for (size_t i = off; i < sizeof(buf); i++)
		if (buf[i] != CANARY)
			return false;
	return true;
}

static bool terminated(size_t size)
{
	return strnlen((const char *)buf, size) < size;
}

static void test_version(void)
{
	long v = HYPERVISOR_xen_version(XENVER_version, 0);

	check(v > 0 && (v >> 16) >= 3, "XENVER_version is %ld.%ld", v >> 16, v & 0xffff);
	check_eq(HYPERVISOR_xen_version(XENVER_version, UNMAPPED_VA), v,
		 "XENVER_version ignores its argument");
}

/* A fixed-size string answer: all size bytes written, NUL-terminated, no more. */
static void test_fixed_string(int cmd, const char *name, size_t size)
{
	long rc;

	fill();
	rc = HYPERVISOR_xen_version(cmd, PTR(buf));
	check_eq(rc, 0, "%s", name);
	check(terminated(size), "%s is NUL-terminated within %zu bytes", name, size);
	check(untouched_from(size), "%s writes exactly %zu bytes", name, size);
	check_eq(HYPERVISOR_xen_version(cmd, UNMAPPED_VA), -XEN_EFAULT, "%s to a bad address", name);
	note("%s: \"%s\"", name, (const char *)buf);
}

static void test_compile_info(void)
{
	struct xen_compile_info *ci = (struct xen_compile_info *)buf;

	fill();
	check_eq(HYPERVISOR_xen_version(XENVER_compile_info, PTR(buf)), 0, "XENVER_compile_info");
	check(strnlen(ci->compiler, sizeof(ci->compiler)) < sizeof(ci->compiler) &&
		      strnlen(ci->compile_by, sizeof(ci->compile_by)) < sizeof(ci->compile_by) &&
		      strnlen(ci->compile_domain, sizeof(ci->compile_domain)) <
			      sizeof(ci->compile_domain) &&
		      strnlen(ci->compile_date, sizeof(ci->compile_date)) <
			      sizeof(ci->compile_date),
	      "XENVER_compile_info strings are terminated");
	check(untouched_from(sizeof(*ci)), "XENVER_compile_info writes %zu bytes", sizeof(*ci));
	check_eq(HYPERVISOR_xen_version(XENVER_compile_info, UNMAPPED_VA), -XEN_EFAULT,
		 "XENVER_compile_info to a bad address");
}

static void test_capabilities(void)
{
	test_fixed_string(XENVER_capabilities, "XENVER_capabilities", XEN_CAPABILITIES_INFO_LEN);
	check(strstr((const char *)buf, "xen-3.0-x86_64") != NULL,
	      "capabilities include xen-3.0-x86_64");
}

static void test_platform_parameters(void)
{
	struct xen_platform_parameters *pp = (struct xen_platform_parameters *)buf;

	fill();
	check_eq(HYPERVISOR_xen_version(XENVER_platform_parameters, PTR(buf)), 0,
		 "XENVER_platform_parameters");
	/* Release builds report the start of the reserved range, debug builds 0. */
	check(pp->virt_start == HYPERVISOR_VIRT_START || pp->virt_start == 0,
	      "virt_start is HYPERVISOR_VIRT_START or 0 (%#lx)", pp->virt_start);
	check(untouched_from(sizeof(*pp)), "XENVER_platform_parameters writes 8 bytes");
	check_eq(HYPERVISOR_xen_version(XENVER_platform_parameters, UNMAPPED_VA), -XEN_EFAULT,
		 "XENVER_platform_parameters to a bad address");
}

static void test_get_features(void)
{
	struct xen_feature_info fi = { .submap_idx = 0 };
	uint32_t must = (1U << XENFEAT_mmu_pt_update_preserve_ad) |
			(1U << XENFEAT_highmem_assist) | (1U << XENFEAT_gnttab_map_avail_bits) |
			(1U << XENFEAT_direct_mapped);
	uint32_t never = (1U << XENFEAT_auto_translated_physmap) |
			 (1U << XENFEAT_writable_page_tables) | (1U << XENFEAT_dom0) |
			 (1U << XENFEAT_hvm_callback_vector) | (1U << XENFEAT_not_direct_mapped) |
			 (1U << XENFEAT_supervisor_mode_kernel);

	check_eq(HYPERVISOR_xen_version(XENVER_get_features, PTR(&fi)), 0,
		 "XENVER_get_features submap 0");
	note("features submap 0: %#x", fi.submap);
	check_eq(fi.submap & must, must, "a PV domU has the PV features");
	check_eq(fi.submap & never, 0, "and none of the HVM, translated or dom0 ones");

	fi.submap_idx = 1;
	check_eq(HYPERVISOR_xen_version(XENVER_get_features, PTR(&fi)), -XEN_EINVAL,
		 "XENVER_get_features submap 1");
	check_eq(HYPERVISOR_xen_version(XENVER_get_features, UNMAPPED_VA), -XEN_EFAULT,
		 "XENVER_get_features from a bad address");
}

static void test_pagesize(void)
{
	check_eq(HYPERVISOR_xen_version(XENVER_pagesize, 0), 4096, "XENVER_pagesize");
	check_eq(HYPERVISOR_xen_version(XENVER_pagesize, PTR(buf)), -XEN_EINVAL,
		 "XENVER_pagesize with a non-NULL argument");
}

static void test_guest_handle(void)
{
	fill();
	check_eq(HYPERVISOR_xen_version(XENVER_guest_handle, PTR(buf)), 0, "XENVER_guest_handle");
	check(untouched_from(sizeof(xen_domain_handle_t)), "XENVER_guest_handle writes 16 bytes");
	check_eq(HYPERVISOR_xen_version(XENVER_guest_handle, UNMAPPED_VA), -XEN_EFAULT,
		 "XENVER_guest_handle to a bad address");
}

/* Xen's command line is for privileged domains: a domU reads "<denied>". */
static void test_commandline(void)
{
	fill();
	check_eq(HYPERVISOR_xen_version(XENVER_commandline, PTR(buf)), 0, "XENVER_commandline");
	check(!strcmp((const char *)buf, XENVER_DENIED_STRING), "a domU reads \"%s\" (got \"%.20s\")",
	      XENVER_DENIED_STRING, (const char *)buf);
	check(untouched_from(sizeof(XENVER_DENIED_STRING)), "and nothing past it");
	check_eq(HYPERVISOR_xen_version(XENVER_commandline2, 0), -XEN_EPERM,
		 "XENVER_commandline2 is denied");
	check_eq(HYPERVISOR_xen_version(XENVER_build_id, 0), -XEN_EPERM,
		 "XENVER_build_id is denied");
}

/* The varbuf variants: length query, too small, exact, and the same text. */
static void test_varbuf(int cmd, int fixed_cmd, const char *name, size_t fixed_size)
{
	static char fixed[1024];
	struct xen_varbuf *vb = (struct xen_varbuf *)buf;
	long len, rc;

	fill();
	check_eq(HYPERVISOR_xen_version(fixed_cmd, PTR(buf)), 0, "%s: fixed-size variant", name);
	memcpy(fixed, buf, fixed_size);

	len = HYPERVISOR_xen_version(cmd, 0);
	check_eq(len, (long)strlen(fixed), "%s: length query", name);
	if (len <= 0 || len > 1024)
		return;

	fill();
	vb->len = len - 1;
	rc = HYPERVISOR_xen_version(cmd, PTR(buf));
	check_eq(rc, -XEN_ENOBUFS, "%s: one byte too small", name);

	fill();
	vb->len = len;
	rc = HYPERVISOR_xen_version(cmd, PTR(buf));
	check_eq(rc, len, "%s: exact buffer", name);
	check(!memcmp(vb->buf, fixed, len), "%s: same text as the fixed variant", name);
	check(untouched_from(sizeof(*vb) + len), "%s: no terminator or more written", name);

	check_eq(HYPERVISOR_xen_version(cmd, UNMAPPED_VA), -XEN_EFAULT, "%s: bad address", name);
}

void guest_main(void)
{
	test_version();
	test_fixed_string(XENVER_extraversion, "XENVER_extraversion", XEN_EXTRAVERSION_LEN);
	test_compile_info();
	test_capabilities();
	test_fixed_string(XENVER_changeset, "XENVER_changeset", XEN_CHANGESET_INFO_LEN);
	test_platform_parameters();
	test_get_features();
	test_pagesize();
	test_guest_handle();
	test_commandline();
	test_varbuf(XENVER_capabilities2, XENVER_capabilities, "XENVER_capabilities2",
		    XEN_CAPABILITIES_INFO_LEN);
	test_varbuf(XENVER_changeset2, XENVER_changeset, "XENVER_changeset2",
		    XEN_CHANGESET_INFO_LEN);
	check_eq(HYPERVISOR_xen_version(99, PTR(buf)), -XEN_ENOSYS, "unknown sub-op");
	/* no virtual PMU, as Xen's default (vpmu off): XENPMU_mode_get is 0 */
	check_eq(hypercall2(__HYPERVISOR_xenpmu_op, 0, PTR(buf)), -XEN_EOPNOTSUPP,
		 "xenpmu_op: the virtual PMU is off");
}
