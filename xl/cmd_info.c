/*
 * xl info [name]: the host and the hypervisor, as Xen's `key : value` lines.
 * With a name, only the values of the keys that start with it.
 *
 * xtf-runner reads virt_caps and xen_caps here: "pv" must be in virt_caps,
 * and "xen-3.0-x86_32p" must not be in xen_caps (no 32-bit PV guests).
 * Nothing else may print the words hvm, hap or shadow, which it would take
 * for capabilities.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xeno/version.h>

#include "hostinfo.h"
#include "xl.h"

/* Xen's x86_64 HYPERVISOR_VIRT_START. */
#define XEN_VIRT_START 0xffff800000000000ull

static const char *only;

static void field(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void field(const char *key, const char *fmt, ...)
{
	va_list ap;

	/* The filter compares a prefix of the key, as Xen's does. */
	if (only && strncmp(key, only, strlen(only)))
		return;
	if (!only)
		printf("%-23s: ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int main_info(int argc, char **argv)
{
	struct host_facts h;
	char build_id[128];
	const uint32_t *c;
	int opt;

	while ((opt = xl_getopt(argc, argv, "", NULL, "info", 0)) != -1)
		;
	if (optind < argc)
		only = argv[optind];

	host_facts(&h);
	c = h.hw_caps;
	host_build_id(build_id, sizeof(build_id));

	field("host", "%s", h.uts.nodename);
	field("release", "%s", h.uts.release);
	field("version", "%s", h.uts.version);
	field("machine", "%s", h.uts.machine);
	field("nr_cpus", "%d", h.nr_cpus);
	field("max_cpu_id", "%d", h.max_cpu_id);
	field("nr_nodes", "%d", h.nr_nodes);
	field("cores_per_socket", "%d", h.cores_per_socket);
	field("threads_per_core", "%d", h.threads_per_core);
	field("cpu_mhz", "%lu.%03lu", h.cpu_khz / 1000, h.cpu_khz % 1000);
	field("hw_caps", "%08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x", c[0], c[1], c[2], c[3], c[4],
	      c[5], c[6], c[7]);
	field("virt_caps", "pv gnttab-v1");
	field("total_memory", "%llu", (unsigned long long)h.total_mib);
	field("free_memory", "%llu", (unsigned long long)h.free_mib);
	field("sharing_freed_memory", "0");
	field("sharing_used_memory", "0");
	field("outstanding_claims", "0");
	field("free_cpus", "0");
	field("xen_major", "%d", XENO_XEN_MAJOR);
	field("xen_minor", "%d", XENO_XEN_MINOR);
	field("xen_extra", "%s", XENO_XEN_EXTRA);
	field("xen_version", "%d.%d%s", XENO_XEN_MAJOR, XENO_XEN_MINOR, XENO_XEN_EXTRA);
	field("xen_caps", "xen-3.0-x86_64");
	/* vCPUs are Linux threads: Linux schedules them, no Xen scheduler. */
	field("xen_scheduler", "linux");
	field("xen_pagesize", "4096");
	field("platform_params", "virt_start=0x%llx", XEN_VIRT_START);
	field("xen_changeset", "xeno");
	field("xen_commandline", "%s", "");
	field("cc_compiler", "gcc %s", __VERSION__);
	field("cc_compile_by", "xeno");
	field("cc_compile_domain", "xeno");
	field("cc_compile_date", "%s", __DATE__ " " __TIME__);
	field("build_id", "%s", build_id);
	field("xend_config_format", "4");
	return EXIT_SUCCESS;
}
