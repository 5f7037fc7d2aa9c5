/*
 * xl list [Domain]: Xen's table, Domain-0 (the host) first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"
#include "hostinfo.h"
#include "xl.h"

static void row(const struct ctl_info *d)
{
	printf("%-40s %5u %5llu %5u     %s  %8.1f\n", d->name, d->domid,
	       (unsigned long long)(d->memory_kib / 1024), d->online_vcpus, d->state,
	       (double)d->cpu_time_ns / 1e9);
}

int main_list(int argc, char **argv)
{
	struct ctl_info dom0, one, *list = NULL;
	size_t n = 0;
	int opt, rc;

	while ((opt = xl_getopt(argc, argv, "", NULL, "list", 0)) != -1)
		;
	if (argc - optind > 1) {
		xl_help("list");
		return EXIT_FAILURE;
	}
	if (optind < argc) {
		if (domain_lookup(argv[optind], &one)) {
			if (strspn(argv[optind], "0123456789") == strlen(argv[optind])) {
				fprintf(stderr, "Error: Domain '%s' does not exist.\n",
					argv[optind]);
				return EXIT_FAILURE;
			}
			find_domain(argv[optind], &one); /* prints Xen's message, exits */
		}
	} else {
		rc = domains_list(&list, &n);
		if (rc) {
			fprintf(stderr, "xl: cannot list domains in %s: %s\n", ctl_run_dir(),
				strerror(-rc));
			return EXIT_FAILURE;
		}
		host_dom0_info(&dom0);
	}

	printf("Name                                        ID   Mem VCPUs\tState\tTime(s)\n");
	if (optind < argc) {
		row(&one);
	} else {
		row(&dom0);
		for (size_t i = 0; i < n; i++)
			row(&list[i]);
	}
	free(list);
	return EXIT_SUCCESS;
}
