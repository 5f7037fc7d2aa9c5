/*
 * xl, the toolstack: global options, then one command from the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xl.h"

int main(int argc, char **argv)
{
	const struct xl_cmd *cmd;
	const char *name;
	int opt;

	while ((opt = getopt(argc, argv, "+vfN")) >= 0) {
		switch (opt) {
		case 'v':
			xl_verbose++;
			break;
		case 'f':
			xl_force = true;
			break;
		case 'N':
			xl_dryrun = true;
			break;
		default:
			fprintf(stderr, "unknown global option\n");
			return EXIT_FAILURE;
		}
	}
	name = argv[optind];
	if (!name) {
		xl_help(NULL);
		return EXIT_FAILURE;
	}
	/* The command parses its own options, from argv[0] = its name. */
	argv += optind;
	argc -= optind;
	optind = 0;

	if (!strcmp(name, "help")) {
		xl_help(argv[1]);
		return EXIT_SUCCESS;
	}
	cmd = xl_cmd_find(name);
	if (!cmd) {
		fprintf(stderr, "command not implemented\n");
		return EXIT_FAILURE;
	}
	if (xl_dryrun && !cmd->can_dryrun) {
		fprintf(stderr, "command does not implement -N (dryrun) option\n");
		return EXIT_FAILURE;
	}
	return cmd->run(argc, argv);
}
