#include "xs_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

struct event {
	struct event *next;
	char *path; /* path, nul, token, nul in one block */
	char *token;
};

struct xs_client {
	int fd;
	uint32_t next_req;
	bool broken; /* the stream is out of step: every call fails */
	struct event *events, **events_tail;
};

static const char *socket_path(void)
{
	const char *p = getenv("XENSTORED_PATH");

	return p && *p ? p : XS_CLIENT_DEFAULT_PATH;
}

struct xs_client *xs_client_open_path(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct xs_client *c;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	c->fd = fd;
	c->next_req = 1;
	c->events_tail = &c->events;
	return c;
}

struct xs_client *xs_client_open(void)
{
	return xs_client_open_path(socket_path());
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

struct xs_client *xs_client_open_or_start(const char *xenstored_binary)
{
	struct xs_client *c = xs_client_open();
	int status;
	pid_t pid;

	if (c || (errno != ENOENT && errno != ECONNREFUSED))
		return c;
	pid = fork();
	if (pid < 0)
		return NULL;
	if (pid == 0) {
		/* The daemon outlives us: it must not hold on to our descriptors. */
		close_range(3, ~0U, 0);
		execl(xenstored_binary, xenstored_binary, (char *)NULL);
		_exit(127);
	}
	/* The daemon's first process exits once the socket listens (0), or if one
	 * started by someone else holds the lock (2); either way, connect. */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 2)) {
		errno = ECHILD;
		return NULL;
	}
	/* The winner of a race may still be starting up. */
	for (int i = 0; i < 500; i++) {
		c = xs_client_open();
		if (c || (errno != ENOENT && errno != ECONNREFUSED))
			return c;
		sleep_ms(10);
	}
	return NULL;
}

void xs_client_close(struct xs_client *c)
{
	if (!c)
		return;
	while (c->events) {
		struct event *e = c->events;

		c->events = e->next;
		free(e->path);
		free(e);
	}
	close(c->fd);
	free(c);
}

int xs_client_fd(const struct xs_client *c)
{
	return c->fd;
}

static int send_all(struct xs_client *c, const struct iovec *iov_in, int n, const int *fds,
		    unsigned nfds)
{
	struct iovec iov[3];
	char cbuf[CMSG_SPACE(3 * sizeof(int))];
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};

	memcpy(iov, iov_in, (size_t)n * sizeof(*iov));
	if (nfds) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	while (msg.msg_iovlen) {
		ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* Descriptors go with the first bytes only. */
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
		while (msg.msg_iovlen && (size_t)w >= msg.msg_iov->iov_len) {
			w -= (ssize_t)msg.msg_iov->iov_len;
			msg.msg_iov++;
			msg.msg_iovlen--;
		}
		if (msg.msg_iovlen) {
			msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + w;
			msg.msg_iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int recv_all(struct xs_client *c, void *buf, size_t len, int timeout_ms)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		ssize_t r;
		int p = poll(&pfd, 1, got ? -1 : timeout_ms);

		if (p < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p == 0)
			return -ETIMEDOUT;
		r = read(c->fd, (char *)buf + got, len - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ECONNRESET;
		got += (size_t)r;
	}
	return 0;
}

/* Reads one message; the payload is malloc'd with a nul after it. */
static int read_msg(struct xs_client *c, struct xsd_sockmsg *hdr, char **payload, int timeout_ms)
{
	int ret = recv_all(c, hdr, sizeof(*hdr), timeout_ms);

	if (ret < 0)
		return ret;
	if (hdr->len > XENSTORE_PAYLOAD_MAX) {
		c->broken = true;
		return -EPROTO;
	}
	*payload = malloc(hdr->len + 1);
	if (!*payload) {
		c->broken = true;
		return -ENOMEM;
	}
	ret = recv_all(c, *payload, hdr->len, -1);
	if (ret < 0) {
		free(*payload);
		c->broken = true;
		return ret;
	}
	(*payload)[hdr->len] = 0;
	return 0;
}

static void queue_event(struct xs_client *c, char *payload, uint32_t len)
{
	struct event *e;
	size_t plen = strnlen(payload, len);

	if (plen >= len || !(e = malloc(sizeof(*e)))) {
		free(payload);
		return;
	}
	e->path = payload;
	e->token = payload + plen + 1;
	e->next = NULL;
	*c->events_tail = e;
	c->events_tail = &e->next;
}

static int error_of(const char *name)
{
	for (size_t i = 0; i < XS_WIRE_NR_ERRORS; i++)
		if (strcmp(xs_wire_errors[i].name, name) == 0)
			return -xs_wire_errors[i].errnum;
	return -EIO;
}

static int transact(struct xs_client *c, uint32_t type, uint32_t tx, const struct iovec *parts,
		    int nparts, const int *fds, unsigned nfds, char **reply, size_t *rlen)
{
	struct xsd_sockmsg hdr = {.type = type, .req_id = c->next_req++, .tx_id = tx};
	struct iovec iov[3];
	int ret;

	if (c->broken)
		return -ECONNRESET;
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	for (int i = 0; i < nparts; i++) {
		iov[i + 1] = parts[i];
		hdr.len += (uint32_t)parts[i].iov_len;
	}
	if (hdr.len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	ret = send_all(c, iov, nparts + 1, fds, nfds);
	if (ret < 0) {
		c->broken = true;
		return ret;
	}
	for (;;) {
		struct xsd_sockmsg in;
		char *payload;

		ret = read_msg(c, &in, &payload, -1);
		if (ret < 0) {
			c->broken = true;
			return ret;
		}
		if (in.type == XS_WATCH_EVENT) {
			queue_event(c, payload, in.len);
			continue;
		}
		if (in.req_id != hdr.req_id) {
			free(payload);
			continue;
		}
		if (in.type == XS_ERROR) {
			ret = error_of(payload);
			free(payload);
			return ret;
		}
		if (reply) {
			*reply = payload;
			if (rlen)
				*rlen = in.len;
		} else {
			free(payload);
		}
		return 0;
	}
}

int xs_client_request(struct xs_client *c, uint32_t type, uint32_t tx, const void *payload,
		      size_t len, char **reply, size_t *rlen)
{
	struct iovec iov = {.iov_base = (void *)payload, .iov_len = len};

	return transact(c, type, tx, &iov, 1, NULL, 0, reply, rlen);
}

/* A request whose payload is one or two nul-terminated strings. */
static int strings_req(struct xs_client *c, uint32_t type, uint32_t tx, const char *a,
		       const char *b, char **reply, size_t *rlen)
{
	struct iovec iov[2] = {
		{.iov_base = (void *)a, .iov_len = strlen(a) + 1},
		{.iov_base = (void *)b, .iov_len = b ? strlen(b) + 1 : 0},
	};

	return transact(c, type, tx, iov, b ? 2 : 1, NULL, 0, reply, rlen);
}

int xs_client_read(struct xs_client *c, uint32_t tx, const char *path, char **value, size_t *len)
{
	return strings_req(c, XS_READ, tx, path, NULL, value, len);
}

int xs_client_write(struct xs_client *c, uint32_t tx, const char *path, const void *data,
		    size_t len)
{
	struct iovec iov[2] = {
		{.iov_base = (void *)path, .iov_len = strlen(path) + 1},
		{.iov_base = (void *)data, .iov_len = len},
	};

	return transact(c, XS_WRITE, tx, iov, 2, NULL, 0, NULL, NULL);
}

int xs_client_mkdir(struct xs_client *c, uint32_t tx, const char *path)
{
	return strings_req(c, XS_MKDIR, tx, path, NULL, NULL, NULL);
}

int xs_client_rm(struct xs_client *c, uint32_t tx, const char *path)
{
	return strings_req(c, XS_RM, tx, path, NULL, NULL, NULL);
}

int xs_client_directory(struct xs_client *c, uint32_t tx, const char *path, char ***names,
			unsigned *n)
{
	char *reply, **v;
	size_t len, count = 0, off;
	int ret = strings_req(c, XS_DIRECTORY, tx, path, NULL, &reply, &len);

	if (ret < 0)
		return ret;
	for (off = 0; off < len; off++)
		count += reply[off] == 0;
	v = malloc((count + 1) * sizeof(*v) + len + 1);
	if (!v) {
		free(reply);
		return -ENOMEM;
	}
	memcpy(v + count + 1, reply, len + 1);
	free(reply);
	off = 0;
	for (size_t i = 0; i < count; i++) {
		v[i] = (char *)(v + count + 1) + off;
		off += strlen(v[i]) + 1;
	}
	v[count] = NULL;
	*names = v;
	*n = (unsigned)count;
	return 0;
}

int xs_client_get_perms(struct xs_client *c, uint32_t tx, const char *path,
			struct xs_client_perm **perms, unsigned *n)
{
	char *reply;
	size_t len, count = 0, off;
	struct xs_client_perm *p;
	int ret = strings_req(c, XS_GET_PERMS, tx, path, NULL, &reply, &len);

	if (ret < 0)
		return ret;
	for (off = 0; off < len; off++)
		count += reply[off] == 0;
	p = malloc(count * sizeof(*p) + 1);
	if (!p) {
		free(reply);
		return -ENOMEM;
	}
	off = 0;
	for (size_t i = 0; i < count; i++) {
		const char *s = reply + off;

		p[i].mode = s[0] == 'r'	  ? XS_CLIENT_PERM_READ
			    : s[0] == 'w' ? XS_CLIENT_PERM_WRITE
			    : s[0] == 'b' ? XS_CLIENT_PERM_BOTH
					  : XS_CLIENT_PERM_NONE;
		p[i].domid = (uint16_t)strtoul(s + 1, NULL, 10);
		off += strlen(s) + 1;
	}
	free(reply);
	*perms = p;
	*n = (unsigned)count;
	return 0;
}

int xs_client_set_perms(struct xs_client *c, uint32_t tx, const char *path,
			const struct xs_client_perm *perms, unsigned n)
{
	static const char letters[4] = {'n', 'r', 'w', 'b'};
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t off = strlen(path) + 1;

	if (off > sizeof(buf))
		return -E2BIG;
	memcpy(buf, path, off);
	for (unsigned i = 0; i < n; i++) {
		int w = snprintf(buf + off, sizeof(buf) - off, "%c%u", letters[perms[i].mode & 3],
				 perms[i].domid);

		if (w < 0 || (size_t)w + 1 > sizeof(buf) - off)
			return -E2BIG;
		off += (size_t)w + 1;
	}
	return xs_client_request(c, XS_SET_PERMS, tx, buf, off, NULL, NULL);
}

int xs_client_watch(struct xs_client *c, const char *path, const char *token)
{
	return strings_req(c, XS_WATCH, 0, path, token, NULL, NULL);
}

int xs_client_unwatch(struct xs_client *c, const char *path, const char *token)
{
	return strings_req(c, XS_UNWATCH, 0, path, token, NULL, NULL);
}

static int pop_event(struct xs_client *c, char **path, char **token)
{
	struct event *e = c->events;

	c->events = e->next;
	if (!c->events)
		c->events_tail = &c->events;
	*path = e->path;
	*token = e->token;
	free(e);
	return 0;
}

int xs_client_read_watch(struct xs_client *c, char **path, char **token, int timeout_ms)
{
	while (!c->events) {
		struct xsd_sockmsg hdr;
		char *payload;
		int ret;

		if (c->broken)
			return -ECONNRESET;
		ret = read_msg(c, &hdr, &payload, timeout_ms);
		if (ret < 0) {
			if (ret != -ETIMEDOUT)
				c->broken = true;
			return ret;
		}
		if (hdr.type == XS_WATCH_EVENT)
			queue_event(c, payload, hdr.len);
		else
			free(payload);
	}
	return pop_event(c, path, token);
}

int xs_client_transaction_start(struct xs_client *c, uint32_t *tx)
{
	char *reply;
	int ret = xs_client_request(c, XS_TRANSACTION_START, 0, "", 1, &reply, NULL);

	if (ret < 0)
		return ret;
	*tx = (uint32_t)strtoul(reply, NULL, 10);
	free(reply);
	return 0;
}

int xs_client_transaction_end(struct xs_client *c, uint32_t tx, bool commit)
{
	return strings_req(c, XS_TRANSACTION_END, tx, commit ? "T" : "F", NULL, NULL, NULL);
}

int xs_client_introduce(struct xs_client *c, unsigned domid, uint64_t mfn, uint32_t port,
			int mem_fd, int evt_to_store_fd, int evt_to_guest_fd)
{
	char buf[64];
	int fds[3] = {mem_fd, evt_to_store_fd, evt_to_guest_fd};
	int n = snprintf(buf, sizeof(buf), "%u%c%llu%c%u", domid, 0, (unsigned long long)mfn, 0,
			 port);
	struct iovec iov = {.iov_base = buf, .iov_len = (size_t)n + 1};

	return transact(c, XS_INTRODUCE, 0, &iov, 1, fds, 3, NULL, NULL);
}

static int domid_req(struct xs_client *c, uint32_t type, unsigned domid, char **reply)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", domid);
	return strings_req(c, type, 0, buf, NULL, reply, NULL);
}

int xs_client_release(struct xs_client *c, unsigned domid)
{
	return domid_req(c, XS_RELEASE, domid, NULL);
}

int xs_client_is_domain_introduced(struct xs_client *c, unsigned domid)
{
	char *reply;
	int ret = domid_req(c, XS_IS_DOMAIN_INTRODUCED, domid, &reply);

	if (ret < 0)
		return ret;
	ret = reply[0] == 'T';
	free(reply);
	return ret;
}

int xs_client_get_domain_path(struct xs_client *c, unsigned domid, char **path)
{
	return domid_req(c, XS_GET_DOMAIN_PATH, domid, path);
}
