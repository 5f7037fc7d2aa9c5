/*
 * xl console [-t pv|serial] [-n 0] [-e c] <Domain>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "domains.h"
#include "xl.h"

/* "^c" is Ctrl-c; a single character is itself. -1 if neither. */
static int parse_escape(const char *s)
{
	if (s[0] == '^' && s[1] && !s[2])
		return s[1] & 0x1f;
	if (s[0] && !s[1])
		return (unsigned char)s[0];
	return -1;
}

int main_console(int argc, char **argv)
{
	int escape = CONSOLE_ESCAPE_DEFAULT, opt, rc;
	struct ctl_info d;

	while ((opt = xl_getopt(argc, argv, "n:t:e:", NULL, "console", 1)) != -1) {
		switch (opt) {
		case 't':
			/* One console per domain: its PV console, which is also
			 * what a serial console of a PV guest is here. */
			if (strcmp(optarg, "pv") && strcmp(optarg, "serial")) {
				fprintf(stderr, "console type supported are: pv, serial\n");
				return EXIT_FAILURE;
			}
			break;
		case 'n':
			if (strcmp(optarg, "0")) {
				fprintf(stderr, "xl: only console 0 exists\n");
				fprintf(stderr, "Unable to attach console\n");
				return EXIT_FAILURE;
			}
			break;
		case 'e':
			escape = parse_escape(optarg);
			if (escape < 0) {
				fprintf(stderr, "Invalid escape argument\n");
				return EXIT_FAILURE;
			}
			break;
		}
	}
	find_domain(argv[optind], &d);
	if (domain_is_host(&d, "attach to the console of")) {
		fprintf(stderr, "Unable to attach console\n");
		return EXIT_FAILURE;
	}
	rc = console_attach(d.domid, escape);
	if (rc < 0)
		fprintf(stderr, "Unable to attach console\n");
	return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}
