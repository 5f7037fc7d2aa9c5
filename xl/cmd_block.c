/*
 * xl block-attach, block-detach, block-list: virtual disks of a running
 * domain, through its monitor's control socket (docs/architecture.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "disk_spec.h"
#include "domains.h"
#include "xl.h"

/* How long block-detach waits for the frontend to close (libxl's timeout). */
#define DETACH_WAIT_S 10

/* Send line; the answer's lines go to each() until "end", "ok" or "error".
 * 0, or -1 with the error printed. */
static int call(unsigned int domid, const char *line, const char *what,
		void (*each)(const char *l, void *arg), void *arg)
{
	char buf[CTL_LINE_MAX];
	int fd, rc = ctl_call_line(domid, line, &fd);

	if (rc < 0) {
		fprintf(stderr, "xl: %s: %s\n", what,
			rc == -ENAMETOOLONG ? "request too long" : strerror(-rc));
		return -1;
	}
	for (;;) {
		rc = ctl_read_line(fd, buf, sizeof(buf));
		if (rc < 0) {
			fprintf(stderr, "xl: %s: no answer from the monitor\n", what);
			break;
		}
		if (!strcmp(buf, "ok") || !strcmp(buf, "end")) {
			rc = 0;
			break;
		}
		if (!strncmp(buf, "error ", 6)) {
			fprintf(stderr, "xl: %s: %s\n", what, buf + 6);
			rc = -1;
			break;
		}
		if (each)
			each(buf, arg);
	}
	close(fd);
	return rc < 0 ? -1 : 0;
}

int main_block_attach(int argc, char **argv)
{
	char spec[CTL_LINE_MAX], canon[CTL_LINE_MAX + 32], line[CTL_LINE_MAX + 48], err[256];
	struct disk_spec d;
	struct ctl_info info;
	size_t len = 0;
	int opt;

	while ((opt = xl_getopt(argc, argv, "", NULL, "block-attach", 2)) != -1)
		;
	find_domain(argv[optind], &info);
	if (domain_is_host(&info, "block-attach"))
		return EXIT_FAILURE;
	/* the spec may come as several arguments, as in Xen: join them with commas */
	spec[0] = 0;
	for (int i = optind + 1; i < argc; i++) {
		int n = snprintf(spec + len, sizeof(spec) - len, "%s%s", len ? "," : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(spec) - len) {
			fprintf(stderr, "xl: disk specification too long\n");
			return EXIT_FAILURE;
		}
		len += (size_t)n;
	}
	if (disk_spec_parse(spec, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "xl: error with disk configuration '%s': %s\n", spec, err);
		return EXIT_FAILURE;
	}
	if (d.target[0] != '/') {
		char cwd[1024], abs[sizeof(d.target)];

		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(abs, sizeof(abs), "%s/%s", cwd, d.target) >= (int)sizeof(abs)) {
			fprintf(stderr, "xl: disk path too long\n");
			return EXIT_FAILURE;
		}
		strcpy(d.target, abs);
	}
	if (disk_spec_format(&d, canon, sizeof(canon)) >= (int)sizeof(canon)) {
		fprintf(stderr, "xl: disk specification too long\n");
		return EXIT_FAILURE;
	}
	snprintf(line, sizeof(line), "block-attach %s", canon);
	return call(info.domid, line, "block-attach", NULL, NULL) ? EXIT_FAILURE : EXIT_SUCCESS;
}

struct row {
	unsigned int devid, be, fe;
	int state, evtch, rref;
	char path[CTL_LINE_MAX];
};

static bool parse_row(const char *l, struct row *r)
{
	return sscanf(l, "disk %u %u %u %d %d %d %255s", &r->devid, &r->be, &r->fe, &r->state,
		      &r->evtch, &r->rref, r->path) == 7;
}

static void print_row(const char *l, void *arg)
{
	struct row r;

	(void)arg;
	if (parse_row(l, &r))
		printf("%-5u %-3u %-6u %-5d %-6d %-8d %-30s\n", r.devid, r.be, r.fe, r.state,
		       r.evtch, r.rref, r.path);
}

int main_block_list(int argc, char **argv)
{
	int opt, rc = EXIT_SUCCESS;

	while ((opt = xl_getopt(argc, argv, "", NULL, "block-list", 1)) != -1)
		;
	for (int i = optind; i < argc; i++) {
		struct ctl_info info;

		find_domain(argv[i], &info);
		if (info.domid == 0)
			continue;	/* the host has no PV disks of its own */
		printf("%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n", "Vdev", "BE", "handle", "state",
		       "evt-ch", "ring-ref", "BE-path");
		if (call(info.domid, "block-list", "block-list", print_row, NULL))
			rc = EXIT_FAILURE;
	}
	return rc;
}

static void find_row(const char *l, void *arg)
{
	struct row r, *want = arg;

	if (parse_row(l, &r) && r.devid == want->devid)
		want->state = 1;
}

/* Whether the disk is still listed; -1 if the monitor does not answer. */
static int listed(unsigned int domid, unsigned int devid)
{
	struct row want = {.devid = devid, .state = 0};

	if (call(domid, "block-list", "block-detach", find_row, &want))
		return -1;
	return want.state;
}

int main_block_detach(int argc, char **argv)
{
	char line[CTL_LINE_MAX];
	struct ctl_info info;
	unsigned int devid;
	bool force = false;
	int opt;

	while ((opt = xl_getopt(argc, argv, "f", NULL, "block-detach", 2)) != -1)
		if (opt == 'f')
			force = true;
	find_domain(argv[optind], &info);
	if (domain_is_host(&info, "block-detach"))
		return EXIT_FAILURE;
	if (disk_vdev_to_devid(argv[optind + 1], &devid) < 0 || listed(info.domid, devid) != 1) {
		fprintf(stderr, "Error: Device %s not connected.\n", argv[optind + 1]);
		return EXIT_FAILURE;
	}
	snprintf(line, sizeof(line), "block-detach %u%s", devid, force ? " force" : "");
	if (call(info.domid, line, "block-detach", NULL, NULL))
		return EXIT_FAILURE;
	for (int i = 0; !force && i < DETACH_WAIT_S * 10; i++) {
		struct timespec ts = {0, 100000000};

		if (listed(info.domid, devid) != 1)
			return EXIT_SUCCESS;
		nanosleep(&ts, NULL);
	}
	if (force)
		return EXIT_SUCCESS;
	fprintf(stderr, "xl: the frontend did not close %s within %d s: removing it by force\n",
		argv[optind + 1], DETACH_WAIT_S);
	snprintf(line, sizeof(line), "block-detach %u force", devid);
	return call(info.domid, line, "block-detach", NULL, NULL) ? EXIT_FAILURE : EXIT_SUCCESS;
}
