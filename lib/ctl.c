/*
 * The monitor control socket protocol: paths, request names, the `info`
 * answer, and the client and server halves (see ctl.h).
 */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *const request_text[] = {
	[CTL_REQ_INFO] = "info",
	[CTL_REQ_PAUSE] = "pause",
	[CTL_REQ_UNPAUSE] = "unpause",
	[CTL_REQ_SHUTDOWN_POWEROFF] = "shutdown poweroff",
	[CTL_REQ_SHUTDOWN_REBOOT] = "shutdown reboot",
	[CTL_REQ_DESTROY] = "destroy",
	[CTL_REQ_CONSOLE] = "console",
};

#define NR_REQUESTS (sizeof(request_text) / sizeof(request_text[0]))

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

const char *ctl_run_dir(void) { return env_or("XENO_RUN_DIR", "/run/xeno"); }

const char *ctl_log_dir(void) { return env_or("XENO_LOG_DIR", "/var/log/xeno"); }

int ctl_socket_path(unsigned int domid, char *buf, size_t len)
{
	struct sockaddr_un sun;
	int n = snprintf(buf, len, "%s/dom%u.ctl", ctl_run_dir(), domid);

	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	return 0;
}

static int socket_addr(unsigned int domid, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	return ctl_socket_path(domid, sun->sun_path, sizeof(sun->sun_path));
}

const char *ctl_request_text(enum ctl_request req)
{
	if ((size_t)req >= NR_REQUESTS)
		return NULL;
	return request_text[req];
}

int ctl_parse_request(const char *line, enum ctl_request *req)
{
	for (size_t i = 0; i < NR_REQUESTS; i++) {
		if (!strcmp(line, request_text[i])) {
			*req = (enum ctl_request)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- the info answer ------------------------------------------------------ */

/* A decimal number with nothing around it (no sign, no spaces). */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EPROTO;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EPROTO;
	*out = v;
	return 0;
}

/* Position i of the state string holds '-' or the one letter allowed there;
 * position 4 holds the shutdown reason (Xen's "-rscwS"). */
static bool valid_state(const char *s)
{
	static const char flags[] = "rbps?d";

	if (strlen(s) != 6)
		return false;
	for (int i = 0; i < 6; i++) {
		if (s[i] == '-')
			continue;
		if (i == 4 ? !strchr("rscwS", s[i]) : s[i] != flags[i])
			return false;
	}
	return true;
}

int ctl_info_parse_line(struct ctl_info *info, const char *line)
{
	const char *sp = strchr(line, ' ');
	const char *val;
	size_t klen;
	uint64_t v;
	int rc;

	if (!sp)
		return -EPROTO;
	klen = (size_t)(sp - line);
	val = sp + 1;

#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(line, k, klen))
	if (KEY("name")) {
		if (!*val || strlen(val) >= sizeof(info->name))
			return -EPROTO;
		strcpy(info->name, val);
		return 0;
	}
	if (KEY("state")) {
		if (!valid_state(val))
			return -EPROTO;
		strcpy(info->state, val);
		return 0;
	}
	if (KEY("domid")) {
		rc = parse_u64(val, CTL_DOMID_MAX, &v);
		if (!rc)
			info->domid = (unsigned int)v;
		return rc;
	}
	if (KEY("memory_kib"))
		return parse_u64(val, UINT64_MAX, &info->memory_kib);
	if (KEY("max_memory_kib"))
		return parse_u64(val, UINT64_MAX, &info->max_memory_kib);
	if (KEY("cpu_time_ns"))
		return parse_u64(val, UINT64_MAX, &info->cpu_time_ns);
	if (KEY("vcpus") || KEY("online_vcpus") || KEY("pid")) {
		rc = parse_u64(val, INT_MAX, &v);
		if (rc)
			return rc;
		if (KEY("vcpus"))
			info->vcpus = (unsigned int)v;
		else if (KEY("online_vcpus"))
			info->online_vcpus = (unsigned int)v;
		else
			info->pid = (int)v;
		return 0;
	}
#undef KEY
	return 1;
}

/* ---- client ------------------------------------------------------------- */

static void set_timeouts(int fd, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	/* Best effort: without them a wedged monitor only makes xl wait. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int ctl_connect(unsigned int domid)
{
	struct sockaddr_un sun;
	int fd, rc;

	rc = socket_addr(domid, &sun);
	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_timeouts(fd, CTL_CLIENT_TIMEOUT_MS);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int ctl_domid_answers(unsigned int domid)
{
	int fd = ctl_connect(domid);

	if (fd == -ENOENT || fd == -ECONNREFUSED)
		return 0;
	if (fd < 0)
		return fd;
	close(fd);
	return 1;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			/* A non-blocking server socket: give the client a
			 * second to drain its buffer. */
			n = poll(&p, 1, 1000);
			if (n == 0)
				return -EAGAIN;
			if (n < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int ctl_read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return -EMSGSIZE;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		if (r == 0)
			return n ? -EPROTO : -EPIPE;
		if (c == '\n')
			break;
		if (n + 1 >= len)
			return -EMSGSIZE;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* "ok" -> 0, "error <msg>" -> -EREMOTEIO and msg, anything else -EPROTO. */
static int parse_answer(const char *line, char *err, size_t errlen)
{
	if (!strcmp(line, "ok"))
		return 0;
	if (!strncmp(line, "error", 5) && (line[5] == ' ' || !line[5])) {
		if (err && errlen)
			snprintf(err, errlen, "%s", line[5] ? line + 6 : "");
		return -EREMOTEIO;
	}
	return -EPROTO;
}

static int send_request(int fd, enum ctl_request req)
{
	char line[CTL_LINE_MAX];
	const char *text = ctl_request_text(req);

	if (!text)
		return -EINVAL;
	snprintf(line, sizeof(line), "%s\n", text);
	return send_all(fd, line, strlen(line));
}

/* Connect, send req, read the one-line answer; the fd stays open on 0. */
static int call_keep(unsigned int domid, enum ctl_request req, char *err, size_t errlen)
{
	char line[CTL_LINE_MAX];
	int fd, rc;

	if (err && errlen)
		err[0] = '\0';
	fd = ctl_connect(domid);
	if (fd < 0)
		return fd;
	rc = send_request(fd, req);
	if (!rc)
		rc = ctl_read_line(fd, line, sizeof(line));
	if (!rc)
		rc = parse_answer(line, err, errlen);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int ctl_call(unsigned int domid, enum ctl_request req, char *err, size_t errlen)
{
	int fd = call_keep(domid, req, err, errlen);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int ctl_call_text(unsigned int domid, const char *line, char *out, size_t outlen, char *err,
		  size_t errlen)
{
	char buf[CTL_LINE_MAX];
	size_t used = 0;
	int fd, rc;

	if (outlen)
		out[0] = '\0';
	if (err && errlen)
		err[0] = '\0';
	if (strlen(line) + 2 > sizeof(buf) || strchr(line, '\n'))
		return -EINVAL;
	fd = ctl_connect(domid);
	if (fd < 0)
		return fd;
	snprintf(buf, sizeof(buf), "%s\n", line);
	rc = send_all(fd, buf, strlen(buf));
	while (!rc && !(rc = ctl_read_line(fd, buf, sizeof(buf)))) {
		size_t n = strlen(buf);

		if (!strcmp(buf, "ok") || !strcmp(buf, "end"))
			break;
		if (!strncmp(buf, "error", 5) && (buf[5] == ' ' || !buf[5])) {
			rc = parse_answer(buf, err, errlen);
			break;
		}
		if (used + n + 2 <= outlen) {
			memcpy(out + used, buf, n);
			out[used + n] = '\n';
			out[used + n + 1] = '\0';
			used += n + 1;
		}
	}
	close(fd);
	return rc;
}

int ctl_console_open(unsigned int domid, char *err, size_t errlen)
{
	int fd = call_keep(domid, CTL_REQ_CONSOLE, err, errlen);

	if (fd >= 0)
		set_timeouts(fd, 0);
	return fd;
}

/* More lines than any monitor sends: a bound against a runaway answer. */
#define INFO_MAX_LINES 64

int ctl_get_info(unsigned int domid, struct ctl_info *info)
{
	char line[CTL_LINE_MAX];
	int fd, rc, lines = 0;

	memset(info, 0, sizeof(*info));
	strcpy(info->state, "------");
	info->domid = domid;

	fd = ctl_connect(domid);
	if (fd < 0)
		return fd;
	rc = send_request(fd, CTL_REQ_INFO);
	while (!rc) {
		rc = ctl_read_line(fd, line, sizeof(line));
		if (rc)
			break;
		if (!strcmp(line, "end"))
			break;
		if (++lines > INFO_MAX_LINES) {
			rc = -EPROTO;
			break;
		}
		rc = ctl_info_parse_line(info, line);
		if (rc > 0)
			rc = 0;
	}
	close(fd);
	if (rc)
		return rc == -EPIPE ? -EPROTO : rc;
	/* A monitor that answers for another domid or without a name is not
	 * one xl can act on. */
	if (info->domid != domid || !info->name[0])
		return -EPROTO;
	return 0;
}

int ctl_ready_wait(int fd, char *err, size_t errlen)
{
	char line[CTL_LINE_MAX];
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = ctl_read_line(fd, line, sizeof(line));
	if (rc)
		return rc == -EPROTO ? -EPIPE : rc;
	return parse_answer(line, err, errlen);
}

/* ---- server ------------------------------------------------------------- */

int ctl_mkdirs(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

int ctl_listen(unsigned int domid)
{
	struct sockaddr_un sun;
	int fd, rc;

	rc = socket_addr(domid, &sun);
	if (rc)
		return rc;
	rc = ctl_mkdirs(ctl_run_dir());
	if (rc)
		return rc;
	rc = ctl_domid_answers(domid);
	if (rc > 0)
		return -EADDRINUSE;
	if (unlink(sun.sun_path) < 0 && errno != ENOENT)
		return -errno;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

void ctl_unlink(unsigned int domid)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];

	if (!ctl_socket_path(domid, path, sizeof(path)))
		unlink(path);
}

int ctl_accept(int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int ctl_reader_feed(struct ctl_reader *r, int fd)
{
	for (;;) {
		size_t space = sizeof(r->buf) - 1 - r->len;
		char *nl;
		ssize_t n;
		size_t take;

		if (space == 0)
			return -EMSGSIZE;
		/* Peek first, then consume no further than the newline. */
		n = recv(fd, r->buf + r->len, space, MSG_PEEK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		nl = memchr(r->buf + r->len, '\n', (size_t)n);
		take = nl ? (size_t)(nl - (r->buf + r->len)) + 1 : (size_t)n;
		n = recv(fd, r->buf + r->len, take, 0);
		if (n < 0)
			return errno == EINTR || errno == EAGAIN ? 0 : -errno;
		r->len += (size_t)n;
		if (r->len && r->buf[r->len - 1] == '\n') {
			r->len--;
			if (r->len && r->buf[r->len - 1] == '\r')
				r->len--;
			r->buf[r->len] = '\0';
			/* A NUL inside the line would hide its tail. */
			return strlen(r->buf) == r->len ? 1 : -EPROTO;
		}
	}
}

int ctl_send_ok(int fd) { return send_all(fd, "ok\n", 3); }

/* Copy s into buf for a one-line answer: control characters become spaces. */
static void one_line(char *buf, size_t len, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < len && s[i]; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	buf[i] = '\0';
}

int ctl_send_error(int fd, const char *msg)
{
	char clean[CTL_LINE_MAX - 8];
	char line[CTL_LINE_MAX];

	one_line(clean, sizeof(clean), msg ? msg : "");
	snprintf(line, sizeof(line), "error %s\n", clean);
	return send_all(fd, line, strlen(line));
}

int ctl_send_line(int fd, const char *line)
{
	char buf[CTL_LINE_MAX];

	one_line(buf, sizeof(buf) - 1, line);
	strcat(buf, "\n");
	return send_all(fd, buf, strlen(buf));
}

/* A request with an argument (block-attach <spec>): the line, or -ENAMETOOLONG. */
int ctl_call_line(unsigned int domid, const char *line, int *fd_out)
{
	int fd;

	if (strlen(line) + 2 > CTL_LINE_MAX)
		return -ENAMETOOLONG;
	int rc;

	fd = ctl_connect(domid);
	if (fd < 0)
		return fd;
	rc = ctl_send_line(fd, line);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*fd_out = fd;
	return 0;
}

int ctl_send_info(int fd, const struct ctl_info *info)
{
	char name[CTL_NAME_MAX];
	char buf[1024];
	int n;

	one_line(name, sizeof(name), info->name);
	n = snprintf(buf, sizeof(buf),
		     "domid %u\nname %s\nstate %s\nmemory_kib %" PRIu64 "\n"
		     "max_memory_kib %" PRIu64 "\nvcpus %u\nonline_vcpus %u\n"
		     "cpu_time_ns %" PRIu64 "\npid %d\nend\n",
		     info->domid, name, valid_state(info->state) ? info->state : "------",
		     info->memory_kib, info->max_memory_kib, info->vcpus, info->online_vcpus,
		     info->cpu_time_ns, info->pid);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EOVERFLOW;
	return send_all(fd, buf, (size_t)n);
}

int ctl_ready_send(int fd, const char *errmsg)
{
	char clean[CTL_LINE_MAX - 8];
	char line[CTL_LINE_MAX];
	size_t off = 0, len;
	int rc = 0;

	if (errmsg) {
		one_line(clean, sizeof(clean), errmsg);
		snprintf(line, sizeof(line), "error %s\n", clean);
	} else {
		strcpy(line, "ok\n");
	}
	len = strlen(line);
	while (off < len) {
		ssize_t n = write(fd, line + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		off += (size_t)n;
	}
	close(fd);
	return rc;
}
