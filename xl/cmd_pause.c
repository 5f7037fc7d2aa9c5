/*
 * xl pause <Domain> and xl unpause <Domain>.
 */
#include <stdlib.h>

#include "domains.h"
#include "xl.h"

static int pause_or_unpause(int argc, char **argv, enum ctl_request req, const char *name)
{
	struct ctl_info d;
	int opt;

	while ((opt = xl_getopt(argc, argv, "", NULL, name, 1)) != -1)
		;
	find_domain(argv[optind], &d);
	if (domain_is_host(&d, name))
		return EXIT_FAILURE;
	return domain_request(&d, req, name) ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main_pause(int argc, char **argv)
{
	return pause_or_unpause(argc, argv, CTL_REQ_PAUSE, "pause");
}

int main_unpause(int argc, char **argv)
{
	return pause_or_unpause(argc, argv, CTL_REQ_UNPAUSE, "unpause");
}
