/*
 * xeno-monitor: the hypervisor of one PV domain (docs/architecture.md).
 *
 * Bring-up, in order: arguments, logging, event loop, domain build, console
 * backend, control socket, shutdown handling, xenstore (optional), the
 * ready line for xl, the vCPUs; then the event loop runs until the domain
 * is gone. Teardown is the reverse, and the control socket never outlives
 * the process's orderly exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <ctl.h>

#include "backend/devices.h"
#include "backend/grant_access.h"
#include "build/builder.h"
#include "console.h"
#include "control.h"
#include "domain.h"
#include "eventloop.h"
#include "lifecycle.h"
#include "net/netback.h"
#include "xs_domain.h"

struct args {
	unsigned int domid;
	const char *name;
	struct lifecycle_config lc;
	bool paused;
	int ready_fd;
};

static const char usage[] =
	"usage: xeno-monitor --domid N --name NAME --kernel PATH [--ramdisk PATH]\n"
	"                    [--cmdline STR] --memory MIB --vcpus N [--paused]\n"
	"                    [--on-poweroff ACT] [--on-reboot ACT] [--on-crash ACT]\n"
	"                    [--disk SPEC]... [--vif SPEC]... [--ready-fd FD]\n"
	"ACT: destroy restart preserve rename-restart coredump-destroy\n"
	"     coredump-restart soft-reset\n"
	"SPEC: devid=N,mac=M[,bridge=B][,script=/path][,vifname=I][,ip=A][,mtu=N]\n"
	"      [,queues=N][,rate_bytes=N,rate_usecs=N] (docs/net.md)\n";

/* Report an argument error on stderr and, if xl gave one, the ready fd. */
static int arg_error(const struct args *a, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xeno-monitor: %s\n", msg);
	if (a->ready_fd >= 0)
		ctl_ready_send(a->ready_fd, msg);
	return -1;
}

/* A whole decimal number in [min, max]. */
static int parse_uint(const char *s, unsigned long long min, unsigned long long max,
		      unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out < min || *out > max ? -1 : 0;
}

/* Names become file names (console-<name>.log): printable ASCII, no '/'. */
static bool valid_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= sizeof(((struct domain *)0)->name) || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '/')
			return false;
	return true;
}

enum { OPT_DOMID = 256, OPT_NAME, OPT_KERNEL, OPT_RAMDISK, OPT_CMDLINE, OPT_MEMORY, OPT_VCPUS,
       OPT_PAUSED, OPT_ON_POWEROFF, OPT_ON_REBOOT, OPT_ON_CRASH, OPT_READY_FD, OPT_DISK,
       OPT_VIF, OPT_HELP };

static const struct option options[] = {
	{"domid", required_argument, NULL, OPT_DOMID},
	{"name", required_argument, NULL, OPT_NAME},
	{"kernel", required_argument, NULL, OPT_KERNEL},
	{"ramdisk", required_argument, NULL, OPT_RAMDISK},
	{"cmdline", required_argument, NULL, OPT_CMDLINE},
	{"memory", required_argument, NULL, OPT_MEMORY},
	{"vcpus", required_argument, NULL, OPT_VCPUS},
	{"paused", no_argument, NULL, OPT_PAUSED},
	{"on-poweroff", required_argument, NULL, OPT_ON_POWEROFF},
	{"on-reboot", required_argument, NULL, OPT_ON_REBOOT},
	{"on-crash", required_argument, NULL, OPT_ON_CRASH},
	{"ready-fd", required_argument, NULL, OPT_READY_FD},
	{"disk", required_argument, NULL, OPT_DISK},
	{"vif", required_argument, NULL, OPT_VIF},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* The ready fd first, so that every later error can be sent there too. */
static int find_ready_fd(int argc, char **argv, struct args *a)
{
	unsigned long long v;

	for (int i = 1; i < argc; i++) {
		const char *val = NULL;

		if (!strcmp(argv[i], "--ready-fd") && i + 1 < argc)
			val = argv[i + 1];
		else if (!strncmp(argv[i], "--ready-fd=", 11))
			val = argv[i] + 11;
		if (!val)
			continue;
		if (parse_uint(val, 0, 65535, &v) < 0 || fcntl((int)v, F_GETFD) < 0)
			return arg_error(a, "--ready-fd: '%s' is not an open file descriptor", val);
		a->ready_fd = (int)v;
		fcntl(a->ready_fd, F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	unsigned long long v;
	bool have_domid = false, have_memory = false, have_vcpus = false;
	int opt;

	*a = (struct args){.ready_fd = -1};
	a->lc.on_poweroff = ACTION_DESTROY;	/* xl's defaults */
	a->lc.on_reboot = ACTION_RESTART;
	a->lc.on_crash = ACTION_DESTROY;
	if (find_ready_fd(argc, argv, a) < 0)
		return -1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		enum shutdown_action *act = NULL;

		switch (opt) {
		case OPT_DOMID:
			if (parse_uint(optarg, 1, CTL_DOMID_MAX, &v) < 0)
				return arg_error(a, "--domid: '%s' is not a domid between 1 and %u",
						 optarg, CTL_DOMID_MAX);
			a->domid = (unsigned int)v;
			have_domid = true;
			break;
		case OPT_NAME:
			if (!valid_name(optarg))
				return arg_error(a, "--name: '%s' is not a valid domain name (1-%zu "
						    "printable characters, no '/')",
						 optarg, sizeof(((struct domain *)0)->name) - 1);
			a->name = optarg;
			break;
		case OPT_KERNEL:
			a->lc.build.kernel = optarg;
			break;
		case OPT_RAMDISK:
			a->lc.build.ramdisk = optarg;
			break;
		case OPT_CMDLINE:
			if (strlen(optarg) >= MAX_GUEST_CMDLINE)
				return arg_error(a, "--cmdline: longer than %d characters",
						 MAX_GUEST_CMDLINE - 1);
			a->lc.build.cmdline = optarg;
			break;
		case OPT_MEMORY:
			if (parse_uint(optarg, 1, 1ULL << 30, &v) < 0)
				return arg_error(a, "--memory: '%s' is not a size in MiB", optarg);
			a->lc.build.memory_mib = v;
			have_memory = true;
			break;
		case OPT_VCPUS:
			if (parse_uint(optarg, 1, XENO_MAX_VCPUS, &v) < 0)
				return arg_error(a, "--vcpus: '%s' is not a number between 1 and %d",
						 optarg, XENO_MAX_VCPUS);
			a->lc.build.vcpus = (unsigned int)v;
			have_vcpus = true;
			break;
		case OPT_PAUSED:
			a->paused = true;
			break;
		case OPT_ON_POWEROFF:
			act = &a->lc.on_poweroff;
			break;
		case OPT_ON_REBOOT:
			act = &a->lc.on_reboot;
			break;
		case OPT_ON_CRASH:
			act = &a->lc.on_crash;
			break;
		case OPT_READY_FD:
			break;	/* taken by find_ready_fd */
		case OPT_DISK: {
			char err[512];

			if (devices_add_disk(optarg, err, sizeof(err)) < 0)
				return arg_error(a, "--disk: %s", err);
			break;
		}
		case OPT_VIF: {
			char why[256];

			if (netback_configure(optarg, why, sizeof(why)) < 0)
				return arg_error(a, "--vif: %s", why);
			break;
		}
		case OPT_HELP:
			fputs(usage, stdout);
			exit(0);
		default:
			fputs(usage, stderr);
			return arg_error(a, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
		if (act && shutdown_action_parse(optarg, act) < 0)
			return arg_error(a, "%s: '%s' is not an action", argv[optind - 2], optarg);
	}
	if (optind < argc)
		return arg_error(a, "unexpected argument '%s'", argv[optind]);
	if (!have_domid || !a->name || !a->lc.build.kernel || !have_memory || !have_vcpus) {
		fputs(usage, stderr);
		return arg_error(a, "--domid, --name, --kernel, --memory and --vcpus are required");
	}
	return 0;
}

/* SIGTERM, SIGINT, SIGHUP: destroy the domain cleanly. */
static struct {
	struct domain *d;
	int fd;
} sig = {.fd = -1};

static void signal_event(void *arg, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)arg;
	(void)events;
	if (read(sig.fd, &si, sizeof(si)) != sizeof(si))
		return;
	lifecycle_destroy(sig.d, strsignal((int)si.ssi_signo));
}

/* Signals for the monitor's own exit come through a signalfd on the loop;
 * blocked here before any thread exists, they stay blocked in every thread.
 * The vCPU kick signal (SIGUSR1) is blocked too: only the vCPU threads,
 * which unblock it, take it. */
static int setup_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sig.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	sigaddset(&set, SIGUSR1);
	if (sig.fd < 0 || pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct args a;
	struct domain *d = NULL;
	struct console *con = NULL;
	const char *log_dir = ctl_log_dir();
	char err[512] = "";
	int status = MONITOR_EXIT_FAILED;
	bool built = false;

	if (parse_args(argc, argv, &a) < 0)
		return MONITOR_EXIT_FAILED;
	if (mlog_init(a.domid, log_dir) < 0)
		fprintf(stderr, "xeno-monitor: cannot open %s/hypervisor.log: %s\n", log_dir,
			strerror(errno));
	if (setup_signals() < 0 || ev_init() < 0) {
		snprintf(err, sizeof(err), "cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, sizeof(err), "out of memory");
		goto out;
	}
	d->domid = (uint16_t)a.domid;
	snprintf(d->name, sizeof(d->name), "%s", a.name);
	sig.d = d;

	built = true;	/* domain_teardown also undoes a partial build */
	if (domain_build(d, &a.lc.build, err, sizeof(err)) < 0)
		goto out;
	con = console_create(d, log_dir, err, sizeof(err));
	if (!con || console_bind(con, d, err, sizeof(err)) < 0)
		goto out;
	if (control_open(d, con, err, sizeof(err)) < 0)
		goto out;
	if (lifecycle_init(d, &a.lc, con) < 0 || ev_add(sig.fd, EPOLLIN, signal_event, NULL) < 0) {
		snprintf(err, sizeof(err), "cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	/* xenstore is optional, unless the domain has devices */
	if (xs_domain_introduce(d, &a.lc.build) < 0 && netback_configured()) {
		snprintf(err, sizeof(err), "vifs need xenstore, and xenstored is not reachable");
		goto out;
	}
	if (devices_start(d, err, sizeof(err)) < 0 || netback_start(d, err, sizeof(err)) < 0)
		goto out;
	if (a.ready_fd >= 0)
		ctl_ready_send(a.ready_fd, NULL);
	a.ready_fd = -1;

	built = false;	/* from here on the lifecycle tears it down */
	if (lifecycle_start(d, a.paused) < 0)
		lifecycle_destroy(d, "the vCPUs could not start");
	else
		mlog(d, "domain %u (%s) %s", d->domid, d->name,
		     a.paused ? "created paused" : "running");
	if (ev_run() < 0)
		lifecycle_destroy(d, "the event loop failed");
	status = lifecycle_exit_status();
out:
	if (err[0]) {
		mlog(d, "cannot create domain %u: %s", a.domid, err);
		if (a.ready_fd >= 0)
			ctl_ready_send(a.ready_fd, err);
	}
	control_close();
	if (built) {
		netback_stop(d);
		devices_stop(d);
		grant_access_destroy(d);
		xs_domain_release(d);
		console_unbind(con);
		domain_teardown(d);
	}
	console_destroy(con);
	free(d);
	return status;
}
