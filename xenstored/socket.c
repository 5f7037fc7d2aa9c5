#include "socket.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"
#include "loop.h"
#include "xsd.h"

/* Descriptors one message may carry: an introduce has three; more are refused. */
#define MAX_PASSED_FDS 8

struct sock {
	struct loop_fd lfd;
	struct conn *conn;
};

static struct {
	struct loop_fd lfd;
	struct xsd *x;
	bool paused; /* out of descriptors: accept again once a client leaves */
} listener = {.lfd.fd = -1};

static ssize_t sock_recv(struct conn *c, void *buf, size_t len)
{
	struct sock *s = c->transport;
	char cbuf[CMSG_SPACE(MAX_PASSED_FDS * sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	ssize_t n;

	do {
		n = recvmsg(s->lfd.fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			unsigned nfds = (unsigned)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			int fds[MAX_PASSED_FDS];

			memcpy(fds, CMSG_DATA(cm), nfds * sizeof(int));
			/* The descriptors came with the last byte read (see conn.h). */
			conn_take_fds(c, fds, nfds, c->rx_total + (uint64_t)n - 1);
		}
	}
	return n;
}

static ssize_t sock_send(struct conn *c, const void *buf, size_t len)
{
	struct sock *s = c->transport;
	ssize_t n;

	do {
		n = send(s->lfd.fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	return n;
}

static void sock_want(struct conn *c, bool read, bool write)
{
	struct sock *s = c->transport;

	if (c->x->loop)
		loop_mod(c->x->loop, &s->lfd, (read ? EPOLLIN : 0) | (write ? EPOLLOUT : 0));
}

static void resume_listener(void)
{
	if (listener.paused && listener.x && listener.x->loop) {
		listener.paused = false;
		loop_mod(listener.x->loop, &listener.lfd, EPOLLIN);
	}
}

static void sock_destroy(struct conn *c)
{
	struct sock *s = c->transport;

	if (c->x->loop)
		loop_del(c->x->loop, &s->lfd);
	close(s->lfd.fd);
	free(s);
	resume_listener();
}

static const struct conn_ops sock_ops = {
	.recv = sock_recv,
	.send = sock_send,
	.want = sock_want,
	.destroy = sock_destroy,
};

static void sock_ready(struct loop_fd *lf, uint32_t events)
{
	struct sock *s = container_of(lf, struct sock, lfd);

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_mark_ready(s->conn);
	if (events & EPOLLOUT)
		conn_flush(s->conn);
}

int socket_conn_new(struct xsd *x, int fd)
{
	static const struct ident host = {.domid = 0, .priv = true, .target = -1};
	struct sock *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->lfd.fd = fd;
	s->lfd.cb = sock_ready;
	s->conn = conn_new(x, &sock_ops, s, &host, "socket");
	if (!s->conn) {
		free(s);
		return -ENOMEM;
	}
	if (x->loop && loop_add(x->loop, &s->lfd, EPOLLIN) < 0) {
		int err = -errno;

		conn_free(s->conn);
		return err ? err : -EIO;
	}
	return 0;
}

static void accept_ready(struct loop_fd *lf, uint32_t events)
{
	(void)events;
	for (;;) {
		int fd = accept4(lf->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				log_msg("cannot accept clients: %s", strerror(errno));
				listener.paused = true;
				loop_mod(listener.x->loop, lf, 0);
			}
			return;
		}
		if (socket_conn_new(listener.x, fd) < 0) {
			close(fd);
			return;
		}
	}
}

int socket_listen(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The caller holds the lock that makes us the only daemon: a socket here is stale. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 128) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int socket_serve(struct xsd *x, int fd)
{
	listener.x = x;
	listener.lfd.fd = fd;
	listener.lfd.cb = accept_ready;
	return loop_add(x->loop, &listener.lfd, EPOLLIN);
}

void socket_stop(struct xsd *x)
{
	if (listener.lfd.fd < 0)
		return;
	loop_del(x->loop, &listener.lfd);
	close(listener.lfd.fd);
	listener.lfd.fd = -1;
	listener.x = NULL;
}
