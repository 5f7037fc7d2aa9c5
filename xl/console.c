/*
 * The console client: one poll loop between the console stream of the
 * control socket and the terminal.
 */
#include "console.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Guest output to stdout. 1: more may come; 0: the console ended; <0. */
static int pump_output(int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -errno;
	if (n == 0)
		return 0;
	return write_all(STDOUT_FILENO, buf, (size_t)n) ? -EPIPE : 1;
}

/* Terminal or pipe input to the guest. 1: carry on; 0: the user escaped;
 * 2: stdin ended; <0 the console went away. */
static int pump_input(int fd, bool interactive, int escape)
{
	char buf[512];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	char *esc;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 2;
	if (n == 0)
		return 2;
	esc = interactive ? memchr(buf, escape, (size_t)n) : NULL;
	if (esc)
		n = esc - buf;
	if (n && write_all(fd, buf, (size_t)n))
		return -EPIPE;
	return esc ? 0 : 1;
}

int console_open(unsigned int domid)
{
	char err[CTL_LINE_MAX];
	int fd = ctl_console_open(domid, err, sizeof(err));

	if (fd == -EREMOTEIO)
		fprintf(stderr, "xl: domain %u refused its console: %s\n", domid, err);
	else if (fd < 0)
		fprintf(stderr, "xl: cannot reach the console of domain %u: %s\n", domid,
			strerror(-fd));
	return fd;
}

int console_run(int fd, int escape)
{
	struct sigaction sa = {.sa_handler = on_signal}, old_term, old_hup, old_pipe;
	struct termios saved, raw;
	bool interactive, read_stdin, raw_set = false;
	int rc = 0;

	interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	read_stdin = interactive || !isatty(STDIN_FILENO);
	if (interactive && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		raw_set = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);

	while (!stop_signal) {
		struct pollfd p[2] = {
			{.fd = fd, .events = POLLIN},
			{.fd = read_stdin ? STDIN_FILENO : -1, .events = POLLIN},
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = 1;
			break;
		}
		if (p[0].revents) {
			int r = pump_output(fd);

			if (r <= 0) {
				/* The console ended, or stdout did. */
				rc = r < 0 ? 1 : 0;
				break;
			}
		}
		if (p[1].revents) {
			int r = pump_input(fd, interactive, escape);

			if (r <= 0) {
				/* Escaped, or the console is gone. */
				break;
			}
			if (r == 2)
				read_stdin = false;
		}
	}

	if (raw_set)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	close(fd);
	/* The terminal is ours again: now let the signal end xl as it would
	 * have (Xen's xl dies of it too, under create -F as well). */
	if (stop_signal)
		raise(stop_signal);
	return rc;
}

int console_attach(unsigned int domid, int escape)
{
	int fd = console_open(domid);

	return fd < 0 ? fd : console_run(fd, escape);
}
