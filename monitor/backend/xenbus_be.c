/*
 * Split-driver backends in xenstore (xenbus_be.h): the nodes, the watch on
 * each frontend's state, and Xen's backend state machine.
 *
 * One xenstore connection for all backends. Its watch events are read on
 * the event loop; requests made outside the loop's handler may have queued
 * events in the client, so every public call that talks to the store pokes
 * an eventfd that makes the loop drain the queue.
 */
#include "xenbus_be.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <xs_client.h>

#include "../eventloop.h"

#define PATH_LEN 128
#define TOKEN_PREFIX "xenbus_be:"
#define MAX_TX_RETRIES 16

struct xenbus_be {
	struct domain *d;
	const struct xenbus_be_ops *ops;
	void *arg;
	unsigned int devid;
	uint64_t id;	/* watch token */
	char parent[PATH_LEN], path[PATH_LEN + 16], fe_path[PATH_LEN + 16];
	enum xenbus_state state, fe_state;
	bool online, connected;
	struct xenbus_be *next;
};

static struct {
	struct xs_client *xs;
	int kick_fd;
	struct xenbus_be *list;
	uint64_t next_id;
} bus = {.kick_fd = -1};

static void drain(void *arg, uint32_t events);

static void kick(void)
{
	if (bus.kick_fd >= 0)
		eventfd_write(bus.kick_fd, 1);
}

/* Open the shared connection on first use. 0 or -errno. */
static int bus_open(void)
{
	if (bus.xs)
		return 0;
	bus.xs = xs_client_open();
	if (!bus.xs)
		return -errno;
	bus.kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (bus.kick_fd < 0 || ev_add(xs_client_fd(bus.xs), EPOLLIN, drain, NULL) < 0 ||
	    ev_add(bus.kick_fd, EPOLLIN, drain, NULL) < 0) {
		int e = errno;

		ev_del(xs_client_fd(bus.xs));
		if (bus.kick_fd >= 0)
			close(bus.kick_fd);
		bus.kick_fd = -1;
		xs_client_close(bus.xs);
		bus.xs = NULL;
		return -e;
	}
	bus.next_id = 1;
	return 0;
}

/* Close it when the last backend is gone (the domain may restart later). */
static void bus_close_if_idle(void)
{
	if (bus.list || !bus.xs)
		return;
	ev_del(xs_client_fd(bus.xs));
	ev_del(bus.kick_fd);
	close(bus.kick_fd);
	bus.kick_fd = -1;
	xs_client_close(bus.xs);
	bus.xs = NULL;
}

static int write_str(uint32_t tx, const char *dir, const char *key, const char *value)
{
	char path[PATH_LEN * 2];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_client_write(bus.xs, tx, path, value, strlen(value));
}

static int write_kvs(uint32_t tx, const char *dir, const struct xenbus_be_kv *kv)
{
	int rc = 0;

	for (; kv && kv->key && !rc; kv++)
		rc = write_str(tx, dir, kv->key, kv->value);
	return rc;
}

static int mkdir_perms(uint32_t tx, const char *path, const struct xs_client_perm *p, unsigned n)
{
	int rc = xs_client_rm(bus.xs, tx, path);

	if (rc && rc != -ENOENT)
		return rc;
	rc = xs_client_mkdir(bus.xs, tx, path);
	return rc ? rc : xs_client_set_perms(bus.xs, tx, path, p, n);
}

/* Both directories in one transaction, as libxl's device add writes them. */
static int write_nodes(struct xenbus_be *be, const struct xenbus_be_kv *be_keys,
		       const struct xenbus_be_kv *fe_keys)
{
	const struct xs_client_perm be_perm[] = {{0, XS_CLIENT_PERM_NONE},
						 {be->d->domid, XS_CLIENT_PERM_READ}};
	const struct xs_client_perm fe_perm[] = {{be->d->domid, XS_CLIENT_PERM_NONE},
						 {0, XS_CLIENT_PERM_READ}};
	char v[32];
	int rc = -EAGAIN;

	for (int tries = 0; tries < MAX_TX_RETRIES && rc == -EAGAIN; tries++) {
		uint32_t tx;

		rc = xs_client_transaction_start(bus.xs, &tx);
		if (rc)
			return rc;
		snprintf(v, sizeof(v), "%u", be->d->domid);
		if (!(rc = mkdir_perms(tx, be->path, be_perm, 2)) &&
		    !(rc = write_str(tx, be->path, "frontend", be->fe_path)) &&
		    !(rc = write_str(tx, be->path, "frontend-id", v)) &&
		    !(rc = write_str(tx, be->path, "online", "1")) &&
		    !(rc = write_str(tx, be->path, "state", "1")) &&
		    !(rc = write_kvs(tx, be->path, be_keys)) &&
		    !(rc = mkdir_perms(tx, be->fe_path, fe_perm, 2)) &&
		    !(rc = write_str(tx, be->fe_path, "backend", be->path)) &&
		    !(rc = write_str(tx, be->fe_path, "backend-id", "0")) &&
		    !(rc = write_str(tx, be->fe_path, "state", "1")))
			rc = write_kvs(tx, be->fe_path, fe_keys);
		if (rc) {
			xs_client_transaction_end(bus.xs, tx, false);
			return rc;
		}
		rc = xs_client_transaction_end(bus.xs, tx, true);
	}
	return rc;
}

static void token_of(const struct xenbus_be *be, char *buf, size_t len)
{
	snprintf(buf, len, TOKEN_PREFIX "%" PRIu64, be->id);
}

static char *state_path(const struct xenbus_be *be, char *buf, size_t len)
{
	snprintf(buf, len, "%s/state", be->fe_path);
	return buf;
}

struct xenbus_be *xenbus_be_create(struct domain *d, const char *type, unsigned int devid,
				   const struct xenbus_be_kv *be_keys,
				   const struct xenbus_be_kv *fe_keys,
				   const struct xenbus_be_ops *ops, void *arg, char *err,
				   size_t errlen)
{
	struct xenbus_be *be;
	char token[48], sp[PATH_LEN + 32];
	int rc;

	if (strlen(type) > 16) {
		snprintf(err, errlen, "device type '%s' too long", type);
		return NULL;
	}
	rc = bus_open();
	if (rc) {
		snprintf(err, errlen, "no xenstore connection: %s", strerror(-rc));
		return NULL;
	}
	be = calloc(1, sizeof(*be));
	if (!be) {
		snprintf(err, errlen, "out of memory");
		bus_close_if_idle();
		return NULL;
	}
	*be = (struct xenbus_be){.d = d, .ops = ops, .arg = arg, .devid = devid,
				 .id = bus.next_id++, .state = XenbusStateInitialising,
				 .fe_state = XenbusStateInitialising, .online = true};
	snprintf(be->parent, sizeof(be->parent), "/local/domain/0/backend/%s/%u", type, d->domid);
	snprintf(be->path, sizeof(be->path), "%s/%u", be->parent, devid);
	snprintf(be->fe_path, sizeof(be->fe_path), "/local/domain/%u/device/%s/%u", d->domid, type,
		 devid);
	rc = write_nodes(be, be_keys, fe_keys);
	if (!rc) {
		token_of(be, token, sizeof(token));
		rc = xs_client_watch(bus.xs, state_path(be, sp, sizeof(sp)), token);
	}
	if (rc) {
		snprintf(err, errlen, "writing %s: %s", be->path, strerror(-rc));
		xs_client_rm(bus.xs, 0, be->path);
		xs_client_rm(bus.xs, 0, be->fe_path);
		free(be);
		bus_close_if_idle();
		return NULL;
	}
	be->next = bus.list;
	bus.list = be;
	kick();
	return be;
}

void xenbus_be_destroy(struct xenbus_be *be)
{
	char token[48], sp[PATH_LEN + 32];
	char **names;
	unsigned int n;

	if (!be)
		return;
	for (struct xenbus_be **p = &bus.list; *p; p = &(*p)->next) {
		if (*p == be) {
			*p = be->next;
			break;
		}
	}
	if (bus.xs) {
		token_of(be, token, sizeof(token));
		xs_client_unwatch(bus.xs, state_path(be, sp, sizeof(sp)), token);
		xs_client_rm(bus.xs, 0, be->path);
		xs_client_rm(bus.xs, 0, be->fe_path);
		if (xs_client_directory(bus.xs, 0, be->parent, &names, &n) == 0) {
			if (n == 0)
				xs_client_rm(bus.xs, 0, be->parent);
			free(names);
		}
	}
	free(be);
	kick();
	bus_close_if_idle();
}

int xenbus_be_switch_state(struct xenbus_be *be, enum xenbus_state state)
{
	int rc = xenbus_be_printf(be, "state", "%d", (int)state);

	if (!rc)
		be->state = state;
	return rc;
}

enum xenbus_state xenbus_be_state(const struct xenbus_be *be)
{
	return be->state;
}

enum xenbus_state xenbus_be_fe_state(const struct xenbus_be *be)
{
	return be->fe_state;
}

bool xenbus_be_online(const struct xenbus_be *be)
{
	return be->online;
}

int xenbus_be_close(struct xenbus_be *be)
{
	int rc = xenbus_be_printf(be, "online", "0");

	be->online = false;
	if (!rc)
		rc = xenbus_be_switch_state(be, XenbusStateClosing);
	return rc;
}

int xenbus_be_printf(struct xenbus_be *be, const char *key, const char *fmt, ...)
{
	char value[256];
	va_list ap;
	int rc;

	if (!bus.xs)
		return -ENOTCONN;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	rc = write_str(0, be->path, key, value);
	kick();
	return rc;
}

int xenbus_be_read_fe(struct xenbus_be *be, const char *key, char **value)
{
	char path[PATH_LEN * 2];
	int rc;

	if (!bus.xs)
		return -ENOTCONN;
	snprintf(path, sizeof(path), "%s/%s", be->fe_path, key);
	rc = xs_client_read(bus.xs, 0, path, value, NULL);
	kick();
	return rc;
}

int xenbus_be_read_fe_uint(struct xenbus_be *be, const char *key, unsigned long long max,
			   unsigned long long *value)
{
	char *s, *end;
	int rc = xenbus_be_read_fe(be, key, &s);

	if (rc)
		return rc;
	errno = 0;
	*value = strtoull(s, &end, 10);
	rc = (s[0] < '0' || s[0] > '9' || *end || errno || *value > max) ? -EINVAL : 0;
	free(s);
	return rc;
}

const char *xenbus_be_path(const struct xenbus_be *be)
{
	return be->path;
}

const char *xenbus_be_fe_path(const struct xenbus_be *be)
{
	return be->fe_path;
}

unsigned int xenbus_be_devid(const struct xenbus_be *be)
{
	return be->devid;
}

/* ---- the state machine ---------------------------------------------------- */

static void disconnect(struct xenbus_be *be)
{
	if (be->connected && be->ops->disconnect)
		be->ops->disconnect(be, be->arg);
	be->connected = false;
}

static void do_connect(struct xenbus_be *be)
{
	int rc = be->ops->connect ? be->ops->connect(be, be->fe_state, be->arg) : 0;

	if (rc > 0)
		return;
	if (rc < 0) {
		mlog(be->d, "%s: cannot connect the frontend: %s", be->path, strerror(-rc));
		xenbus_be_printf(be, "error", "%d connecting to the frontend", -rc);
		xenbus_be_switch_state(be, XenbusStateClosing);
		return;
	}
	be->connected = true;
	xenbus_be_switch_state(be, XenbusStateConnected);
}

/* The frontend's state changed (or the watch fired once on registration).
 * May free be (ops->removed). */
static void frontend_changed(struct xenbus_be *be)
{
	unsigned long long st;
	char sp[PATH_LEN + 32];
	char *s;

	be->fe_state = XenbusStateUnknown;
	if (xs_client_read(bus.xs, 0, state_path(be, sp, sizeof(sp)), &s, NULL) == 0) {
		char *end;

		st = strtoull(s, &end, 10);
		if (s[0] >= '0' && s[0] <= '9' && !*end && st <= XenbusStateReconfigured)
			be->fe_state = (enum xenbus_state)st;
		free(s);
	}
	switch (be->fe_state) {
	case XenbusStateInitialising:
		if (be->state == XenbusStateClosed && be->online)
			xenbus_be_switch_state(be, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (be->state != XenbusStateConnected && be->online &&
		    be->state != XenbusStateInitialising)
			do_connect(be);
		break;
	case XenbusStateClosing:
		disconnect(be);
		xenbus_be_switch_state(be, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		disconnect(be);
		xenbus_be_switch_state(be, XenbusStateClosed);
		if (!be->online && be->ops->removed)
			be->ops->removed(be, be->arg);
		break;
	default:
		break;
	}
}

static struct xenbus_be *find(const char *token)
{
	uint64_t id;

	if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)))
		return NULL;
	id = strtoull(token + strlen(TOKEN_PREFIX), NULL, 10);
	for (struct xenbus_be *be = bus.list; be; be = be->next)
		if (be->id == id)
			return be;
	return NULL;
}

static void drain(void *arg, uint32_t events)
{
	char *path, *token;
	eventfd_t v;

	(void)arg;
	(void)events;
	if (bus.kick_fd >= 0)
		eventfd_read(bus.kick_fd, &v);
	while (bus.xs) {
		int rc = xs_client_read_watch(bus.xs, &path, &token, 0);
		struct xenbus_be *be;

		if (rc == -ETIMEDOUT)
			return;
		if (rc) {
			/* xenstored went away: the devices stay as they are */
			mlog_once(NULL, "xenbus backends: xenstore connection lost: %s",
				  strerror(-rc));
			ev_del(xs_client_fd(bus.xs));
			return;
		}
		be = find(token);
		free(path);
		if (be)
			frontend_changed(be);
	}
}
