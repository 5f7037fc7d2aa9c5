/*
 * xl shutdown and xl reboot: [-a] [-w[w]] [-F] <Domain>.
 *
 * The request goes to the guest through its monitor (xenstore
 * control/shutdown). With -w, xl waits until each domain has shut down
 * (its state shows 's', it started afresh, or it is gone); with -ww, until
 * it is gone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domains.h"
#include "xl.h"

/* Xen's shutdown reason codes, by the letter in the state string. */
static int reason_code(char c)
{
	const char *letters = "-rscwS";
	const char *p = strchr(letters, c);

	return p && c ? (int)(p - letters) : 0;
}

struct waited {
	struct ctl_info d;
	bool done;
};

/* Poll until every domain is done; Xen's log lines on the way. */
static void wait_all(struct waited *w, size_t n, bool until_gone)
{
	const struct timespec tick = {.tv_nsec = 100 * 1000 * 1000};
	size_t left = n;

	fprintf(stderr, "Waiting for %zu domains\n", n);
	while (left) {
		for (size_t i = 0; i < n; i++) {
			struct ctl_info now;
			int rc;

			if (w[i].done)
				continue;
			rc = ctl_get_info(w[i].d.domid, &now);
			if (rc == -ENOENT || rc == -ECONNREFUSED) {
				fprintf(stderr, "Domain %u has been destroyed\n", w[i].d.domid);
			} else if (rc) {
				continue;
			} else if (!until_gone &&
				   (now.state[3] == 's' || now.cpu_time_ns < w[i].d.cpu_time_ns)) {
				/* A restarted domain's CPU time starts again from 0. */
				fprintf(stderr, "Domain %u has been shut down, reason code %d\n",
					w[i].d.domid,
					now.state[3] == 's' ? reason_code(now.state[4]) : 1);
			} else {
				continue;
			}
			w[i].done = true;
			left--;
		}
		if (left)
			nanosleep(&tick, NULL);
	}
}

static int shutdown_or_reboot(int argc, char **argv, bool reboot)
{
	static const struct option opts[] = {
		{"all", 0, 0, 'a'},
		{"wait", 0, 0, 'w'},
		XL_COMMON_LONG_OPTS,
	};
	const char *what = reboot ? "reboot" : "shutdown";
	enum ctl_request req = reboot ? CTL_REQ_SHUTDOWN_REBOOT : CTL_REQ_SHUTDOWN_POWEROFF;
	struct ctl_info *targets = NULL, one;
	struct waited *w = NULL;
	size_t n = 0, nw = 0;
	int opt, wait_for = 0, status = EXIT_SUCCESS;
	bool all = false;

	while ((opt = xl_getopt(argc, argv, "awF", opts, what, 0)) != -1) {
		if (opt == 'a')
			all = true;
		else if (opt == 'w')
			wait_for++;
		/* -F: an ACPI fallback, which PV guests do not have. */
	}
	if (!all && optind >= argc) {
		fprintf(stderr, "You must specify -a or a domain id.\n\n");
		return EXIT_FAILURE;
	}
	if (all) {
		int rc = domains_list(&targets, &n);

		if (rc) {
			fprintf(stderr, "xl: cannot list domains: %s\n", strerror(-rc));
			return EXIT_FAILURE;
		}
	} else {
		find_domain(argv[optind], &one);
		if (domain_is_host(&one, what))
			return EXIT_FAILURE;
		targets = malloc(sizeof(*targets));
		if (!targets)
			return EXIT_FAILURE;
		targets[0] = one;
		n = 1;
	}
	w = calloc(n ? n : 1, sizeof(*w));
	if (!w) {
		free(targets);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "%s domain %u\n", reboot ? "Rebooting" : "Shutting down",
			targets[i].domid);
		if (domain_request(&targets[i], req, what)) {
			status = EXIT_FAILURE;
			continue;
		}
		w[nw++].d = targets[i];
	}
	if (wait_for && nw)
		wait_all(w, nw, wait_for > 1);
	free(w);
	free(targets);
	return status;
}

int main_shutdown(int argc, char **argv) { return shutdown_or_reboot(argc, argv, false); }

int main_reboot(int argc, char **argv) { return shutdown_or_reboot(argc, argv, true); }
