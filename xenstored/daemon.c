#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "persist.h"
#include "socket.h"
#include "xsd.h"

#define DEFAULT_SOCKET "/run/xenstored/socket"
#define DEFAULT_STATE "/var/lib/xeno"
#define DEFAULT_LOG_DIR "/var/log/xeno"

void xsd_options_default(struct xsd_options *o)
{
	memset(o, 0, sizeof(*o));
	o->reattach_timeout_s = 30;
	quota_defaults(&o->quota);
}

static int mkdir_p(const char *path)
{
	char dir[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, len + 1);
	for (char *p = dir + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = 0;
			if (mkdir(dir, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (!c)
				return 0;
		}
	}
}

static int make_socket_dir(const char *socket_path)
{
	char dir[PATH_MAX];
	char *slash;

	if (strlen(socket_path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, socket_path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	return mkdir_p(dir);
}

/* Only one daemon per socket: a lock next to it, held for life. */
static int take_lock(const char *socket_path)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s.lock", socket_path) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno == EWOULDBLOCK ? -EADDRINUSE : -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int write_pid_file(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)pid);
	return fclose(f) == 0 ? 0 : -errno;
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Detaches: the caller's process waits until the daemon, set up in the
 * child, says it serves (0) or failed (its exit status), and exits with
 * that. Returns, in the child, the descriptor to report on.
 */
static int detach(void)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		unsigned char status = 1;

		close(p[1]);
		while (read(p[0], &status, 1) < 0 && errno == EINTR)
			;
		_exit(status);
	}
	close(p[0]);
	setsid();
	return p[1];
}

/* Tells the waiting parent how start-up went; on success, lets go of the terminal. */
static void report(int *ready_fd, unsigned char status)
{
	int null;

	if (*ready_fd < 0)
		return;
	if (status == 0) {
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			close(null);
		}
	}
	if (write(*ready_fd, &status, 1) < 0)
		log_msg("cannot report start-up: %s", strerror(errno));
	close(*ready_fd);
	*ready_fd = -1;
}

static struct loop_fd sig_lfd = {.fd = -1};
static bool stopping;

static void signal_ready(struct loop_fd *lf, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(lf->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_reopen();
		} else {
			log_msg("signal %u: stopping", si.ssi_signo);
			stopping = true;
		}
	}
}

static int setup_signals(struct loop *l)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	sig_lfd.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sig_lfd.fd < 0)
		return -errno;
	sig_lfd.cb = signal_ready;
	return loop_add(l, &sig_lfd, EPOLLIN);
}

static const char *default_log(char *buf, size_t cap)
{
	const char *dir = getenv("XENO_LOG_DIR");

	if (!dir || !*dir)
		dir = DEFAULT_LOG_DIR;
	if (mkdir_p(dir) < 0)
		return NULL;
	snprintf(buf, cap, "%s/xenstored.log", dir);
	return buf;
}

/* The poll timeout that also wakes us at deadline (0: none), given timeout. */
static int until(uint64_t deadline, uint64_t now, int timeout)
{
	int t;

	if (!deadline)
		return timeout;
	t = deadline > now ? (int)(deadline - now) : 0;
	return timeout < 0 || t < timeout ? t : timeout;
}

static int serve(struct xsd *x)
{
	while (!stopping) {
		int timeout = -1, ret;

		if (!list_empty(&x->ready)) {
			timeout = 0;
		} else {
			uint64_t now = xsd_clock_ms();

			timeout = until(x->reattach_deadline, now, timeout);
			timeout = until(x->ring_recheck_ms, now, timeout);
		}
		ret = loop_wait(x->loop, timeout);
		if (ret < 0) {
			log_msg("event loop: %s", strerror(-ret));
			return 1;
		}
		xsd_run_pending(x);
	}
	return 0;
}

int xsd_daemon_main(const struct xsd_options *o)
{
	static struct xsd x;
	char state_buf[PATH_MAX], log_buf[PATH_MAX];
	const char *socket_path = o->socket_path, *state_dir = o->state_dir, *log_file = o->log_file;
	int lock_fd = -1, listen_fd = -1, ready_fd = -1, status = 1, ret;

	if (!socket_path)
		socket_path = getenv("XENSTORED_PATH");
	if (!socket_path || !*socket_path)
		socket_path = DEFAULT_SOCKET;
	if (!state_dir && !o->no_persist) {
		const char *base = getenv("XENO_STATE_DIR");

		snprintf(state_buf, sizeof(state_buf), "%s/xenstore",
			 base && *base ? base : DEFAULT_STATE);
		state_dir = state_buf;
	}
	if (!log_file && !o->foreground)
		log_file = default_log(log_buf, sizeof(log_buf));
	if (log_file && (ret = log_open(log_file)) < 0) {
		fprintf(stderr, "xenstored: cannot open log %s: %s\n", log_file, strerror(-ret));
		return 1;
	}
	log_set_trace(o->trace);
	raise_fd_limit();
	if (!o->foreground) {
		ready_fd = detach();
		if (ready_fd < 0) {
			fprintf(stderr, "xenstored: cannot detach: %s\n", strerror(-ready_fd));
			return 1;
		}
	}

	if (xsd_init(&x) < 0) {
		log_msg("out of memory");
		return 1;
	}
	x.quota = o->quota;
	x.reattach_timeout_s = o->reattach_timeout_s;

	ret = make_socket_dir(socket_path);
	lock_fd = ret < 0 ? ret : take_lock(socket_path);
	if (lock_fd == -EADDRINUSE) {
		fprintf(stderr, "xenstored: already running on %s\n", socket_path);
		status = 2;
		goto out;
	}
	if (lock_fd < 0) {
		fprintf(stderr, "xenstored: cannot lock %s.lock: %s\n", socket_path,
			strerror(-lock_fd));
		goto out;
	}
	if (state_dir) {
		ret = mkdir_p(state_dir);
		if (ret == 0)
			ret = persist_open(&x, state_dir);
		if (ret < 0) {
			fprintf(stderr, "xenstored: cannot use %s: %s\n", state_dir, strerror(-ret));
			goto out;
		}
	}
	listen_fd = socket_listen(socket_path);
	if (listen_fd < 0) {
		fprintf(stderr, "xenstored: cannot listen on %s: %s\n", socket_path,
			strerror(-listen_fd));
		goto out;
	}
	if (o->pid_file && write_pid_file(o->pid_file, getpid()) < 0)
		fprintf(stderr, "xenstored: cannot write %s\n", o->pid_file);

	x.loop = loop_new();
	if (!x.loop || setup_signals(x.loop) < 0 || socket_serve(&x, listen_fd) < 0) {
		log_msg("cannot set up the event loop");
		goto out;
	}
	listen_fd = -1;
	log_msg("serving %s (pid %d, store %s)", socket_path, (int)getpid(),
		state_dir ? state_dir : "in memory only");
	report(&ready_fd, 0);
	status = serve(&x);
	xsd_run_pending(&x);
	log_msg("stopped");
	unlink(socket_path);
	if (o->pid_file)
		unlink(o->pid_file);
out:
	report(&ready_fd, (unsigned char)status);
	if (x.loop) {
		socket_stop(&x);
		if (sig_lfd.fd >= 0)
			close(sig_lfd.fd);
	}
	if (listen_fd >= 0)
		close(listen_fd);
	xsd_fini(&x);
	loop_free(x.loop);
	x.loop = NULL;
	if (lock_fd >= 0)
		close(lock_fd);
	log_close();
	return status;
}
