/*
 * xl: the command table and what the commands share.
 *
 * Each command lives in its own cmd_<name>.c with an entry point
 * int main_<name>(int argc, char **argv), where argv[0] is the command's
 * name and the return value is xl's exit status. Adding a command is one
 * file plus one line in cmdtable.c.
 */
#ifndef XL_XL_H
#define XL_XL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

struct xl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	bool can_dryrun; /* accepts the global -N */
	bool modifies;	 /* accepts the global -f */
	const char *desc;
	const char *usage;
	const char *options; /* NULL if none */
};

extern const struct xl_cmd xl_cmds[];
extern const size_t xl_ncmds;

const struct xl_cmd *xl_cmd_find(const char *name);
/* `xl help [command]` */
void xl_help(const char *command);

/* Global options: -v (more output), -N (dry run), -f (force). */
extern int xl_verbose;
extern bool xl_dryrun;
extern bool xl_force;

/*
 * getopt_long with xl's conventions: -h/--help prints the command's help
 * and exits 0; an unknown option exits 2; when the options are done,
 * fewer than min_args operands print the usage and exit 2.
 * Returns the option character, or -1 when done.
 */
int xl_getopt(int argc, char **argv, const char *optstring, const struct option *longopts,
	      const char *command, int min_args);

/* The command-line long options every command takes. */
#define XL_COMMON_LONG_OPTS                                                                        \
	{"help", 0, 0, 'h'}, { 0, 0, 0, 0 }

int main_block_attach(int argc, char **argv);
int main_block_detach(int argc, char **argv);
int main_block_list(int argc, char **argv);
int main_console(int argc, char **argv);
int main_create(int argc, char **argv);
int main_destroy(int argc, char **argv);
int main_dmesg(int argc, char **argv);
int main_exit_stats(int argc, char **argv);
int main_domid(int argc, char **argv);
int main_domname(int argc, char **argv);
int main_info(int argc, char **argv);
int main_list(int argc, char **argv);
int main_networkattach(int argc, char **argv);
int main_networkdetach(int argc, char **argv);
int main_networklist(int argc, char **argv);
int main_pause(int argc, char **argv);
int main_reboot(int argc, char **argv);
int main_shutdown(int argc, char **argv);
int main_unpause(int argc, char **argv);

#endif /* XL_XL_H */
