/*
 * The control socket: one request line per connection. Requests run on the
 * event loop; the answer is written at once (lib/ctl.c gives a client that
 * does not read at most a second) and the connection closed, except after
 * `console`, which hands the connection to the console backend.
 */
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctl.h>

#include "backend/devices.h"
#include "console.h"
#include "eventloop.h"
#include "exit_stats.h"
#include "lifecycle.h"
#include "net/netback.h"
#include "xs_domain.h"

/* Connections that have not sent their request yet. */
#define MAX_PENDING 32

struct ctl_conn {
	int fd;
	struct ctl_reader r;
	struct ctl_conn *next;
};

static struct {
	struct domain *d;
	struct console *con;
	unsigned int domid;
	int listen_fd;
	struct ctl_conn *conns;
	unsigned int nr_conns;
} ctl = {.listen_fd = -1};

/* Unlink c from the pending list and stop watching its fd. */
static void conn_forget(struct ctl_conn *c)
{
	for (struct ctl_conn **p = &ctl.conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	ctl.nr_conns--;
	ev_del(c->fd);
}

static void conn_close(struct ctl_conn *c)
{
	conn_forget(c);
	close(c->fd);
	free(c);
}

static void fill_info(struct domain *d, struct ctl_info *info)
{
	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	snprintf(info->name, sizeof(info->name), "%s", d->name);
	lifecycle_state(d, info->state);
	info->memory_kib = d->nr_pages * (PAGE_SIZE / 1024);
	info->max_memory_kib = d->max_pages * (PAGE_SIZE / 1024);
	info->vcpus = d->nr_vcpus;
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		info->online_vcpus += d->vcpu[i].online;
		info->cpu_time_ns += __atomic_load_n(&d->vcpu[i].cpu_time_ns, __ATOMIC_RELAXED);
	}
	info->pid = (int)getpid();
}

static int request_shutdown(struct domain *d, const char *reason, char *err, size_t errlen)
{
	if (__atomic_load_n(&d->shutdown_reason, __ATOMIC_SEQ_CST) >= 0 || d->dying) {
		snprintf(err, errlen, "domain %u has already shut down", d->domid);
		return -1;
	}
	return xs_domain_request_shutdown(d, reason, err, errlen);
}

/* vif-attach <spec>, vif-detach <devid|mac>, vif-list (docs/architecture.md). */
static void net_request(struct domain *d, int fd, const char *line)
{
	char err[CTL_LINE_MAX] = "";
	int rc = -1;

	if (!strncmp(line, "vif-attach ", 11)) {
		rc = netback_attach(d, line + 11, err, sizeof(err));
	} else if (!strncmp(line, "vif-detach ", 11)) {
		rc = netback_detach(d, line + 11, err, sizeof(err));
	} else if (!strcmp(line, "vif-list")) {
		char *buf = malloc(65536);

		if (buf) {
			netback_list(d, buf, 65536);
			if (send(fd, buf, strlen(buf), MSG_NOSIGNAL) < 0 ||
			    send(fd, "end\n", 4, MSG_NOSIGNAL) < 0)
				mlog_once(d, "control: cannot send the vif list");
			free(buf);
			return;
		}
		snprintf(err, sizeof(err), "out of memory");
	} else {
		snprintf(err, sizeof(err), "unknown request");
	}
	if (rc < 0)
		ctl_send_error(fd, err);
	else
		ctl_send_ok(fd);
}

static void send_line(void *arg, const char *line)
{
	ctl_send_line(*(int *)arg, line);
}

/* Answer one request; the connection is closed or handed over. */
static void handle(struct ctl_conn *c)
{
	struct domain *d = ctl.d;
	enum ctl_request req;
	struct ctl_info info;
	char err[CTL_LINE_MAX] = "";
	int fd = c->fd, rc = 0;

	if (!strncmp(c->r.buf, "vif-", 4)) {
		net_request(d, fd, c->r.buf);
		conn_close(c);
		return;
	}
	if (!strcmp(c->r.buf, "exit-stats")) {	/* xl exit-stats */
		exit_stats_report(d, send_line, &fd);
		ctl_send_line(fd, "end");
		conn_close(c);
		return;
	}
	if (devices_control(d, fd, c->r.buf)) {
		conn_close(c);
		return;
	}
	if (ctl_parse_request(c->r.buf, &req) < 0) {
		ctl_send_error(fd, "unknown request");
		conn_close(c);
		return;
	}
	switch (req) {
	case CTL_REQ_INFO:
		fill_info(d, &info);
		ctl_send_info(fd, &info);
		conn_close(c);
		return;
	case CTL_REQ_CONSOLE:
		conn_forget(c);
		free(c);
		if (ctl_send_ok(fd) < 0) {
			close(fd);
			return;
		}
		if (console_attach(ctl.con, fd) < 0)
			mlog(d, "cannot attach a console client: %s", strerror(errno));
		return;
	case CTL_REQ_DESTROY:
		ctl_send_ok(fd);
		conn_close(c);
		lifecycle_destroy(d, "by request");
		return;
	case CTL_REQ_PAUSE:
		rc = lifecycle_pause(d, err, sizeof(err));
		break;
	case CTL_REQ_UNPAUSE:
		rc = lifecycle_unpause(d, err, sizeof(err));
		break;
	case CTL_REQ_SHUTDOWN_POWEROFF:
		rc = request_shutdown(d, "poweroff", err, sizeof(err));
		break;
	case CTL_REQ_SHUTDOWN_REBOOT:
		rc = request_shutdown(d, "reboot", err, sizeof(err));
		break;
	}
	if (rc < 0)
		ctl_send_error(fd, err);
	else
		ctl_send_ok(fd);
	conn_close(c);
}

static void conn_event(void *arg, uint32_t events)
{
	struct ctl_conn *c = arg;
	int rc = ctl_reader_feed(&c->r, c->fd);

	(void)events;
	if (rc == 0)
		return;
	if (rc < 0) {
		if (rc == -EMSGSIZE || rc == -EPROTO)
			ctl_send_error(c->fd, "malformed request");
		conn_close(c);
		return;
	}
	handle(c);
}

static void accept_event(void *arg, uint32_t events)
{
	(void)arg;
	(void)events;
	for (;;) {
		int fd = ctl_accept(ctl.listen_fd);
		struct ctl_conn *c;

		if (fd == -EAGAIN || fd == -EINTR)
			return;
		if (fd < 0) {
			mlog_once(ctl.d, "control socket accept: %s", strerror(-fd));
			return;
		}
		/* A bound on clients that connect and never ask anything. */
		c = ctl.nr_conns < MAX_PENDING ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			ctl_send_error(fd, "busy");
			close(fd);
			continue;
		}
		c->fd = fd;
		if (ev_add(fd, EPOLLIN, conn_event, c) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = ctl.conns;
		ctl.conns = c;
		ctl.nr_conns++;
	}
}

int control_open(struct domain *d, struct console *con, char *err, size_t errlen)
{
	char path[256];
	int fd;

	ctl.d = d;
	ctl.con = con;
	ctl.domid = d->domid;
	fd = ctl_listen(d->domid);
	if (fd < 0) {
		if (ctl_socket_path(d->domid, path, sizeof(path)) < 0)
			snprintf(path, sizeof(path), "dom%u.ctl", d->domid);
		snprintf(err, errlen, "control socket %s: %s", path,
			 fd == -EADDRINUSE ? "another monitor serves this domid" : strerror(-fd));
		return -1;
	}
	if (ev_add(fd, EPOLLIN, accept_event, NULL) < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		close(fd);
		ctl_unlink(d->domid);
		return -1;
	}
	ctl.listen_fd = fd;
	return 0;
}

void control_close(void)
{
	while (ctl.conns)
		conn_close(ctl.conns);
	if (ctl.listen_fd < 0)
		return;
	ev_del(ctl.listen_fd);
	close(ctl.listen_fd);
	ctl.listen_fd = -1;
	ctl_unlink(ctl.domid);
}
