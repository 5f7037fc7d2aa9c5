/*
 * fork + exec of the monitor, and the ready-line handshake.
 */
#include "monitor_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "paths.h"

#define MAX_ARGS 32	/* besides two per disk and per vif */

/* `--disk` values: the canonical spec, a relative target made absolute
 * (relative to where xl runs, as Xen's backends see it). NULL on error. */
static char **disk_args(const struct domain_config *dc)
{
	char **out = calloc((size_t)dc->nr_disks + 1, sizeof(*out));
	char cwd[PATH_MAX];

	if (!out || !getcwd(cwd, sizeof(cwd)))
		goto fail;
	for (int i = 0; i < dc->nr_disks; i++) {
		struct disk_spec d = dc->disks[i];
		char buf[sizeof(d.target) + 256];

		if (d.target[0] != '/') {
			char abs[sizeof(d.target)];

			if (snprintf(abs, sizeof(abs), "%s/%s", cwd, d.target) >= (int)sizeof(abs))
				goto fail;
			strcpy(d.target, abs);
		}
		if (disk_spec_format(&d, buf, sizeof(buf)) >= (int)sizeof(buf) ||
		    !(out[i] = strdup(buf)))
			goto fail;
	}
	return out;
fail:
	for (int i = 0; out && out[i]; i++)
		free(out[i]);
	free(out);
	return NULL;
}

static void free_disk_args(char **a)
{
	for (int i = 0; a && a[i]; i++)
		free(a[i]);
	free(a);
}

/* "--vif" and its canonical spec, with the script made absolute. */
static int vif_args(const struct vif_spec *spec, char **out)
{
	struct vif_spec v = *spec;
	char buf[2048];
	int rc;

	rc = xl_script_path(spec->script, v.script, sizeof(v.script));
	if (rc) {
		fprintf(stderr, "xl: vif %d: cannot locate script %s: %s\n", spec->devid,
			spec->script, strerror(-rc));
		return rc;
	}
	rc = vif_spec_format(&v, buf, sizeof(buf));
	if (rc)
		return rc;
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
}

/* The monitor's command line; numbers are formatted into nums, vif specs
 * into vifs (freed by the caller). */
static int build_argv(const struct monitor_start *ms, const char *monitor, int ready_fd,
		      char nums[4][24], char **disks, char **vifs, const char **argv)
{
	const struct domain_config *dc = ms->dc;
	int n = 0;

	snprintf(nums[0], sizeof(nums[0]), "%u", ms->domid);
	snprintf(nums[1], sizeof(nums[1]), "%ld", dc->memory_mib);
	snprintf(nums[2], sizeof(nums[2]), "%d", dc->vcpus);
	snprintf(nums[3], sizeof(nums[3]), "%d", ready_fd);

	argv[n++] = monitor;
	argv[n++] = "--domid";
	argv[n++] = nums[0];
	argv[n++] = "--name";
	argv[n++] = dc->name;
	argv[n++] = "--kernel";
	argv[n++] = ms->kernel;
	if (ms->ramdisk) {
		argv[n++] = "--ramdisk";
		argv[n++] = ms->ramdisk;
	}
	if (dc->cmdline) {
		argv[n++] = "--cmdline";
		argv[n++] = dc->cmdline;
	}
	argv[n++] = "--memory";
	argv[n++] = nums[1];
	argv[n++] = "--vcpus";
	argv[n++] = nums[2];
	if (ms->paused)
		argv[n++] = "--paused";
	argv[n++] = "--on-poweroff";
	argv[n++] = dc->on_poweroff;
	argv[n++] = "--on-reboot";
	argv[n++] = dc->on_reboot;
	argv[n++] = "--on-crash";
	argv[n++] = dc->on_crash;
	for (int i = 0; disks[i]; i++) {
		argv[n++] = "--disk";
		argv[n++] = disks[i];
	}
	argv[n++] = "--ready-fd";
	argv[n++] = nums[3];
	for (int i = 0; i < dc->nr_vifs; i++) {
		int rc = vif_args(&dc->vifs[i], &vifs[i]);

		if (rc)
			return rc;
		argv[n++] = "--vif";
		argv[n++] = vifs[i];
	}
	argv[n] = NULL;
	return 0;
}

/* In the child: become a daemon of our own and exec. Never returns. */
static void exec_monitor(const char *monitor, const char *const argv[], int log_fd, int ready_fd)
{
	sigset_t none;
	int devnull = open("/dev/null", O_RDONLY);

	setsid();
	/* xl may ignore SIGPIPE; the monitor starts from the defaults. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 ||
	    dup2(log_fd, STDERR_FILENO) < 0 || fcntl(ready_fd, F_SETFD, 0) < 0) {
		dprintf(ready_fd, "error cannot set up the monitor's descriptors: %s\n",
			strerror(errno));
		_exit(127);
	}
	execv(monitor, (char *const *)argv);
	dprintf(ready_fd, "error cannot execute %s: %s\n", monitor, strerror(errno));
	_exit(127);
}

/* A monitor that failed exits by itself (after its error line); one that
 * does not within a few seconds is killed, so that no half-built domain
 * stays behind. */
static void reap(pid_t pid)
{
	const struct timespec tick = {.tv_nsec = 10 * 1000 * 1000};

	for (int i = 0; i < 500; i++) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int monitor_spawn(const struct monitor_start *ms, pid_t *pid_out)
{
	char monitor[PATH_MAX], log[PATH_MAX], err[CTL_LINE_MAX], nums[4][24];
	const char **argv = calloc(MAX_ARGS + 2 * ((size_t)ms->dc->nr_disks + (size_t)ms->dc->nr_vifs),
				   sizeof(*argv));
	char **disks = disk_args(ms->dc);
	char **vifs = calloc((size_t)ms->dc->nr_vifs + 1, sizeof(*vifs));
	int pipefd[2] = {-1, -1}, log_fd = -1, rc;
	pid_t pid = -1;

	if (!argv || !disks || !vifs) {
		fprintf(stderr, "xl: out of memory (or a disk path too long)\n");
		rc = -ENOMEM;
		goto out;
	}
	rc = xl_helper_path("XENO_MONITOR", "xeno-monitor", monitor, sizeof(monitor));
	if (rc) {
		fprintf(stderr, "xl: cannot locate xeno-monitor: %s\n", strerror(-rc));
		goto out;
	}
	if (access(monitor, X_OK) < 0) {
		rc = -errno;
		fprintf(stderr, "xl: cannot run the domain monitor %s: %s\n", monitor,
			strerror(errno));
		goto out;
	}
	rc = ctl_mkdirs(ctl_log_dir());
	if (rc) {
		fprintf(stderr, "xl: cannot create %s: %s\n", ctl_log_dir(), strerror(-rc));
		goto out;
	}
	snprintf(log, sizeof(log), "%s/monitor-%s.log", ctl_log_dir(), ms->dc->name);
	log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0) {
		rc = -errno;
		fprintf(stderr, "xl: cannot open %s: %s\n", log, strerror(errno));
		goto out;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	rc = build_argv(ms, monitor, pipefd[1], nums, disks, vifs, argv);
	if (rc)
		goto out;

	pid = fork();
	if (pid < 0) {
		rc = -errno;
		fprintf(stderr, "xl: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0)
		exec_monitor(monitor, argv, log_fd, pipefd[1]);
	close(pipefd[1]);
	pipefd[1] = -1;

	rc = ctl_ready_wait(pipefd[0], err, sizeof(err));
	if (rc == 0) {
		*pid_out = pid;
		goto out;
	}
	if (rc == -EREMOTEIO)
		fprintf(stderr, "xl: domain %s was not created: %s (see %s)\n", ms->dc->name, err,
			log);
	else
		fprintf(stderr,
			"xl: the monitor of domain %s stopped before it was ready (see %s)\n",
			ms->dc->name, log);
	reap(pid);
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (log_fd >= 0)
		close(log_fd);
	for (int i = 0; vifs && i < ms->dc->nr_vifs; i++)
		free(vifs[i]);
	free(vifs);
	free(argv);
	free_disk_args(disks);
	return rc;
}
