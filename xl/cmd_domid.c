/*
 * xl domid <name> and xl domname <id>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"
#include "xl.h"

int main_domid(int argc, char **argv)
{
	struct ctl_info info;
	const char *name;
	int opt;

	while ((opt = xl_getopt(argc, argv, "", NULL, "domid", 1)) != -1)
		;
	name = argv[optind];
	/* A name only: digits would be taken for a domid. */
	if (strspn(name, "0123456789") == strlen(name) || domain_lookup(name, &info)) {
		fprintf(stderr,
			"Can't get domid of domain name '%s', maybe this domain does not exist.\n",
			name);
		return EXIT_FAILURE;
	}
	printf("%u\n", info.domid);
	return EXIT_SUCCESS;
}

int main_domname(int argc, char **argv)
{
	struct ctl_info info;
	const char *arg;
	char *end;
	unsigned long id;
	int opt;

	while ((opt = xl_getopt(argc, argv, "", NULL, "domname", 1)) != -1)
		;
	arg = argv[optind];
	id = strtoul(arg, &end, 10);
	if (end == arg) {
		fprintf(stderr, "Invalid domain id.\n\n");
		return EXIT_FAILURE;
	}
	if (*end || id > CTL_DOMID_MAX || domain_lookup(arg, &info)) {
		fprintf(
		    stderr,
		    "Can't get domain name of domain id '%s', maybe this domain does not exist.\n",
		    arg);
		return EXIT_FAILURE;
	}
	printf("%s\n", info.name);
	return EXIT_SUCCESS;
}
