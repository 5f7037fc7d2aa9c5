/*
 * xl create [-pFcqnde] [-f] <ConfigFile> [key=value ...]
 *
 * Parse the configuration (printing what Xen's xl prints), start xenstored
 * if needed, pick a domid, start the domain's monitor and wait until it is
 * ready. -c attaches the console (xl then returns when it ends), -F waits
 * until the domain is gone, -p leaves it paused.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xeno/monitor_exit.h>

#include "cfgfile.h"
#include "console.h"
#include "domains.h"
#include "domid_alloc.h"
#include "monitor_spawn.h"
#include "xenstored.h"
#include "xl.h"

struct create_opts {
	const char *config_file;
	char *overrides; /* "key=value\n" lines */
	bool paused, foreground, console, quiet, dryrun, debug;
};

static int append_override(struct create_opts *o, const char *arg)
{
	size_t old = o->overrides ? strlen(o->overrides) : 0, add = strlen(arg);
	char *s = realloc(o->overrides, old + add + 2);

	if (!s)
		return -ENOMEM;
	memcpy(s + old, arg, add);
	s[old + add] = '\n';
	s[old + add + 1] = '\0';
	o->overrides = s;
	return 0;
}

/* Xen's argument rules: a first argument that is neither an option nor a
 * key=value is the config file; later operands with '=' are overrides. */
static int parse_args(int argc, char **argv, struct create_opts *o)
{
	static const struct option opts[] = {
		{"defconfig", 1, 0, 'f'},
		{"dryrun", 0, 0, 'n'},
		{"ignore-global-affinity-masks", 0, 0, 'i'},
		{"quiet", 0, 0, 'q'},
		{"vncviewer", 0, 0, 'V'},
		{"vncviewer-autopass", 0, 0, 'A'},
		XL_COMMON_LONG_OPTS,
	};
	int opt;

	if (argv[1] && argv[1][0] != '-' && !strchr(argv[1], '=')) {
		o->config_file = argv[1];
		argc--;
		argv++;
	}
	while ((opt = xl_getopt(argc, argv, "AFVcdef:inpq", opts, "create", 0)) != -1) {
		switch (opt) {
		case 'A':
		case 'V':
			fprintf(stderr, "xl: PV guests here have no framebuffer: no VNC viewer\n");
			return -EINVAL;
		case 'F':
			o->foreground = true;
			break;
		case 'c':
			o->console = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'f':
			o->config_file = optarg;
			break;
		case 'n':
			o->dryrun = true;
			break;
		case 'p':
			o->paused = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		default:
			break; /* -e, -i: nothing to do here */
		}
	}
	for (; optind < argc; optind++) {
		if (strchr(argv[optind], '=')) {
			if (append_override(o, argv[optind]))
				return -ENOMEM;
		} else if (!o->config_file) {
			o->config_file = argv[optind];
		} else {
			xl_help("create");
			return -E2BIG;
		}
	}
	return 0;
}

/* An absolute path for a kernel or ramdisk that must exist and be
 * readable; relative paths are relative to where xl runs, as in Xen. */
static char *resolve_image(const char *what, const char *path)
{
	char *abs = realpath(path, NULL);

	if (!abs || access(abs, R_OK) < 0) {
		fprintf(stderr, "xl: cannot use %s %s: %s\n", what, path, strerror(errno));
		free(abs);
		return NULL;
	}
	return abs;
}

/* Under the domid lock: a fresh domid, a name nobody uses, the monitor. */
static int start_domain(const struct domain_config *dc, const char *kernel, const char *ramdisk,
			bool paused, unsigned int *domid, pid_t *pid)
{
	struct ctl_info *list = NULL;
	size_t n = 0;
	int lock, rc, id;

	lock = domid_lock();
	if (lock < 0) {
		fprintf(stderr, "xl: cannot lock %s/domid.lock: %s\n", ctl_run_dir(),
			strerror(-lock));
		return lock;
	}
	rc = domains_list(&list, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		if (!strcmp(list[i].name, dc->name)) {
			fprintf(stderr, "xl: a domain named \"%s\" already exists (domid %u)\n",
				dc->name, list[i].domid);
			rc = -EEXIST;
		}
	}
	free(list);
	if (rc)
		goto out;
	id = domid_pick();
	if (id < 0) {
		fprintf(stderr, "xl: no free domid\n");
		rc = id;
		goto out;
	}
	struct monitor_start ms = {
		.domid = (unsigned int)id,
		.dc = dc,
		.kernel = kernel,
		.ramdisk = ramdisk,
		.paused = paused,
	};
	rc = monitor_spawn(&ms, pid);
	if (!rc)
		*domid = (unsigned int)id;
out:
	domid_unlock(lock);
	return rc;
}

/* -F: wait for the monitor to exit. A crashed guest is not xl's failure
 * (Xen's xl -F also exits 0 then); a monitor that failed is. */
static int wait_until_gone(const struct domain_config *dc, unsigned int domid, pid_t pid)
{
	int status;

	fprintf(stderr, "Waiting for domain %s (domid %u) to die [pid %ld]\n", dc->name, domid,
		(long)pid);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "xl: waitpid: %s\n", strerror(errno));
			return EXIT_FAILURE;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == MONITOR_EXIT_CRASHED)
		fprintf(stderr, "Domain %u has shut down, reason code 3 0x3\n", domid);
	else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "xl: the monitor of domain %u failed (%s %d)\n", domid,
			WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return EXIT_FAILURE;
	}
	fprintf(stderr, "Domain %u has been destroyed.\n", domid);
	return EXIT_SUCCESS;
}

int main_create(int argc, char **argv)
{
	struct create_opts o = {.dryrun = xl_dryrun};
	struct domain_config dc = {0};
	char *kernel = NULL, *ramdisk = NULL;
	unsigned int domid = 0;
	int status = EXIT_FAILURE, console_fd = -1, rc;
	pid_t pid = -1;

	rc = parse_args(argc, argv, &o);
	if (rc) {
		status = rc == -E2BIG ? 2 : EXIT_FAILURE;
		goto out;
	}
	if (!o.config_file) {
		fprintf(stderr, "Config file not specified and none in save file\n");
		goto out;
	}
	if (!o.quiet)
		fprintf(stderr, "Parsing config from %s\n", o.config_file);
	if (cfgfile_load(o.config_file, o.overrides, stderr, &dc))
		goto out;
	if (o.dryrun || o.debug) {
		domcfg_print_json(&dc, o.dryrun ? stdout : stderr);
		fflush(o.dryrun ? stdout : stderr);
	}
	if (o.dryrun) {
		status = EXIT_SUCCESS;
		goto out;
	}

	if (!domcfg_valid_name(dc.name)) {
		fprintf(stderr, "xl: invalid domain name \"%s\"\n", dc.name);
		goto out;
	}
	if (!dc.kernel) {
		fprintf(stderr, "xl: no kernel= in %s: a PV domain needs one\n", o.config_file);
		goto out;
	}
	kernel = resolve_image("kernel", dc.kernel);
	if (!kernel || (dc.ramdisk && !(ramdisk = resolve_image("ramdisk", dc.ramdisk))))
		goto out;

	/* The single place where xl brings up xenstored (lib/xs_client). */
	xenstored_ensure();

	/* With -c the domain starts paused until the console is attached, so
	 * that none of its output happens before. */
	if (start_domain(&dc, kernel, ramdisk, o.paused || o.console, &domid, &pid))
		goto out;
	status = EXIT_SUCCESS;

	if (o.console) {
		console_fd = console_open(domid);
		if (!o.paused) {
			struct ctl_info d = {.domid = domid};

			if (domain_request(&d, CTL_REQ_UNPAUSE, "unpause"))
				status = EXIT_FAILURE;
		}
		if (console_fd >= 0 && console_run(console_fd, CONSOLE_ESCAPE_DEFAULT))
			status = EXIT_FAILURE;
	}
	if (o.foreground)
		status = wait_until_gone(&dc, domid, pid) == EXIT_SUCCESS ? status : EXIT_FAILURE;
out:
	domcfg_free(&dc);
	free(kernel);
	free(ramdisk);
	free(o.overrides);
	return status;
}
