/*
 * vif hotplug scripts (hotplug.h).
 */
#include "hotplug.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* In the child: the script with libxl's arguments and environment. */
static void exec_script(const char *script, bool online, const char *path, const char *ifname,
			const char *gatewaydev, int out_fd)
{
	sigset_t none;
	int devnull = open("/dev/null", O_RDONLY);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		_exit(126);
	setenv("script", script, 1);
	setenv("XENBUS_TYPE", "vif", 1);
	setenv("XENBUS_PATH", path, 1);
	setenv("XENBUS_BASE_PATH", "backend", 1);
	setenv("netdev", gatewaydev, 1);
	setenv("vif", ifname, 1);
	execl(script, script, online ? "online" : "offline", "type_if=vif", (char *)NULL);
	dprintf(STDERR_FILENO, "cannot execute %s: %s\n", script, strerror(errno));
	_exit(127);
}

/* The last non-empty line of out, into err. */
static void last_line(char *out, size_t len, char *err, size_t errlen)
{
	char *end = out + len, *start;

	while (end > out && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	*end = '\0';
	start = end;
	while (start > out && start[-1] != '\n')
		start--;
	snprintf(err, errlen, "%s", start);
}

int hotplug_run(const char *script, bool online, unsigned int domid, unsigned int devid,
		const char *ifname, const char *gatewaydev, char *err, size_t errlen)
{
	char path[64], out[4096];
	size_t len = 0;
	int pipefd[2], status = 0;
	struct timespec start, now;
	pid_t pid;

	snprintf(path, sizeof(path), "backend/vif/%u/%u", domid, devid);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0)
		exec_script(script, online, path, ifname, gatewaydev, pipefd[1]);
	close(pipefd[1]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= HOTPLUG_TIMEOUT_S) {
			kill(pid, SIGKILL);
			snprintf(out, sizeof(out), "timed out after %d s", HOTPLUG_TIMEOUT_S);
			len = strlen(out);
			break;
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = read(pipefd[0], out + len, len < sizeof(out) - 1 ? sizeof(out) - 1 - len : 0);
		if (n <= 0 && len < sizeof(out) - 1)
			break;	/* the script (and its children) closed the pipe */
		if (n > 0)
			len += (size_t)n;
		if (len >= sizeof(out) - 1)
			len = 0;	/* keep only the end of long output */
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	last_line(out, len, err, errlen);
	if (!err[0])
		snprintf(err, errlen, "%s %s exited with status %d", script,
			 online ? "online" : "offline",
			 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return -1;
}
