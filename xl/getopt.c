/*
 * xl's global options, per-command option parsing and help text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"

int xl_verbose;
bool xl_dryrun;
bool xl_force;

void xl_help(const char *command)
{
	const struct xl_cmd *cmd;

	if (!command || !strcmp(command, "help")) {
		printf("Usage xl [-vfN] <subcommand> [args]\n\n");
		printf("xl full list of subcommands:\n\n");
		for (size_t i = 0; i < xl_ncmds; i++) {
			printf(" %-19s ", xl_cmds[i].name);
			if (strlen(xl_cmds[i].name) > 19)
				printf("\n %-19s ", "");
			printf("%s\n", xl_cmds[i].desc);
		}
		return;
	}
	cmd = xl_cmd_find(command);
	if (!cmd) {
		printf("command \"%s\" not implemented\n", command);
		return;
	}
	printf("Usage: xl [-v%s%s] %s %s\n\n%s.\n\n", cmd->modifies ? "f" : "",
	       cmd->can_dryrun ? "N" : "", cmd->name, cmd->usage, cmd->desc);
	if (cmd->options)
		printf("Options:\n\n%s\n", cmd->options);
}

int xl_getopt(int argc, char **argv, const char *optstring, const struct option *longopts,
	      const char *command, int min_args)
{
	static const struct option common[] = {XL_COMMON_LONG_OPTS};
	int opt;

	opterr = 0;
	opt = getopt_long(argc, argv, optstring, longopts ? longopts : common, NULL);
	if (opt == 'h' || (opt == '?' && optopt == 'h')) {
		xl_help(command);
		exit(0);
	}
	if (opt == '?') {
		if (optopt)
			fprintf(stderr, "option `%c' not supported.\n", optopt);
		else
			fprintf(stderr, "option `%s' not supported.\n", argv[optind - 1]);
		exit(2);
	}
	if (opt == ':') {
		fprintf(stderr, "option `%c' needs an argument.\n", optopt);
		exit(2);
	}
	if (opt != -1)
		return opt;
	if (argc - optind < min_args) {
		fprintf(stderr, "'xl %s' requires at least %d argument%s.\n\n", command, min_args,
			min_args > 1 ? "s" : "");
		xl_help(command);
		exit(2);
	}
	return -1;
}
