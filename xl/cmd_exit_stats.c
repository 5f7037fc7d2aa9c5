/*
 * xl exit-stats <Domain>: the domain's exits so far, by cause (which
 * hypercall, which exception), from its monitor. A xeno extension in the
 * spirit of Xen's xenperf counters: on this host every exit costs tens of
 * microseconds, so benchmarks take two readings and report the difference
 * per I/O, per packet or per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctl.h>

#include "domains.h"
#include "xl.h"

int main_exit_stats(int argc, char **argv)
{
	static char text[16384];
	char err[CTL_LINE_MAX];
	struct ctl_info d;
	int opt, rc;

	while ((opt = xl_getopt(argc, argv, "", NULL, "exit-stats", 1)) != -1)
		;
	find_domain(argv[optind], &d);
	if (domain_is_host(&d, "count the exits of"))
		return EXIT_FAILURE;
	rc = ctl_call_text(d.domid, "exit-stats", text, sizeof(text), err, sizeof(err));
	if (rc) {
		fprintf(stderr, "xl: cannot read the exits of domain %u: %s\n", d.domid,
			err[0] ? err : strerror(-rc));
		return EXIT_FAILURE;
	}
	fputs(text, stdout);
	return EXIT_SUCCESS;
}
