/*
 * xl destroy <Domain>: the monitor stops the domain at once and exits;
 * xl returns when its control socket no longer answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "domains.h"
#include "xl.h"

/* How long a monitor may take to exit after `destroy` said ok. */
#define DESTROY_WAIT_MS 10000

int main_destroy(int argc, char **argv)
{
	const struct timespec tick = {.tv_nsec = 20 * 1000 * 1000};
	struct ctl_info d;
	bool force = xl_force;
	int opt;

	while ((opt = xl_getopt(argc, argv, "f", NULL, "destroy", 1)) != -1)
		if (opt == 'f')
			force = true;
	find_domain(argv[optind], &d);
	if (d.domid == 0 && !force) {
		fprintf(stderr, "Not destroying domain 0; use -f to force.\n"
				"This can only be done when using a disaggregated hardware domain "
				"and toolstack.\n\n");
		return EXIT_FAILURE;
	}
	if (domain_is_host(&d, "destroy"))
		return EXIT_FAILURE;
	if (domain_request(&d, CTL_REQ_DESTROY, "destroy"))
		return EXIT_FAILURE;
	for (int waited = 0; waited < DESTROY_WAIT_MS; waited += 20) {
		if (ctl_domid_answers(d.domid) == 0)
			return EXIT_SUCCESS;
		nanosleep(&tick, NULL);
	}
	fprintf(stderr, "xl: domain %u accepted destroy but is still there after %d s\n", d.domid,
		DESTROY_WAIT_MS / 1000);
	return EXIT_FAILURE;
}
