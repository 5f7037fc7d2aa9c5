/*
 * The domain in xenstore, written as libxl writes it for a PV domU
 * (libxl__domain_make, libxl__build_post, the primary console's device
 * entries), then its store ring introduced to xenstored with the memfd of
 * guest RAM and two eventfds bridged to the store event channel.
 *
 * The monitor only connects: xl starts xenstored before it starts a
 * monitor. Without one, the domain runs without a store.
 *
 * Requests are synchronous on the event-loop thread; xenstored is local and
 * never waits for us.
 */
#include "xs_domain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <xs_client.h>

#include "eventloop.h"
#include "pv/evtchn.h"

#define NODE_LEN 64	/* the longest is /local/domain/0/backend/console/<id>/0 */
#define PATH_LEN 256
/* libxl's LIBXL_XENCONSOLE_LIMIT and LIBXL_XENCONSOLE_PROTOCOL */
#define CONSOLE_LIMIT "1048576"
#define CONSOLE_PROTOCOL "vt100"
#define MAX_TX_RETRIES 16

static struct {
	struct xs_client *xs;
	struct domain *d;
	int to_store_fd;	/* signalled when the guest notifies the store port */
	int to_guest_fd;	/* xenstored signals it to notify the guest */
	char dom_path[NODE_LEN], vm_path[NODE_LEN];
	char console_be_dom[NODE_LEN], console_be[NODE_LEN];	/* .../console/<id>, .../<id>/0 */
	char uuid[37];	/* kept across restarts, as libxl keeps a domain's */
} xsd = {.to_store_fd = -1, .to_guest_fd = -1};

/* ---- writing the nodes ---------------------------------------------------- */

/* A transaction's writes stop at the first error, kept here. */
struct txw {
	uint32_t tx;
	int rc;
	const char *failed;	/* the path it failed on */
};

static void tx_check(struct txw *w, int rc, const char *path)
{
	static char where[PATH_LEN];

	if (rc && !w->rc) {
		w->rc = rc;
		snprintf(where, sizeof(where), "%s", path);
		w->failed = where;
	}
}

static void tx_write(struct txw *w, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tx_write(struct txw *w, const char *value, const char *fmt, ...)
{
	char path[PATH_LEN];
	va_list ap;

	if (w->rc)
		return;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	tx_check(w, xs_client_write(xsd.xs, w->tx, path, value, strlen(value)), path);
}

/* mkdir with permissions: n entries, the first is the owner. */
static void tx_mknod(struct txw *w, const struct xs_client_perm *perms, unsigned n,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void tx_mknod(struct txw *w, const struct xs_client_perm *perms, unsigned n,
		     const char *fmt, ...)
{
	char path[PATH_LEN];
	va_list ap;

	if (w->rc)
		return;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	tx_check(w, xs_client_mkdir(xsd.xs, w->tx, path), path);
	if (!w->rc)
		tx_check(w, xs_client_set_perms(xsd.xs, w->tx, path, perms, n), path);
}

static void tx_rm(struct txw *w, const char *path)
{
	int rc = xs_client_rm(xsd.xs, w->tx, path);

	if (rc != -ENOENT)
		tx_check(w, rc, path);
}

static void make_uuid(char out[37])
{
	uint8_t u[16] = {0};

	if (getrandom(u, sizeof(u), 0) != sizeof(u)) {
		/* no entropy source: unique enough for a path */
		uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		memcpy(u, &t, sizeof(t));
	}
	u[6] = (u[6] & 0x0f) | 0x40;	/* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

/* Everything libxl writes for a PV domU with its primary console. */
static void write_nodes(struct txw *w, struct domain *d, const struct build_config *cfg,
			const char *uuid)
{
	const struct xs_client_perm ro[] = {{0, XS_CLIENT_PERM_NONE}, {d->domid, XS_CLIENT_PERM_READ}};
	const struct xs_client_perm rw[] = {{d->domid, XS_CLIENT_PERM_NONE}};
	const char *dp = xsd.dom_path, *vp = xsd.vm_path;
	static const char *const rw_control[] = {"shutdown", "feature-poweroff", "feature-reboot",
						 "feature-suspend", "sysrq"};
	static const char *const rw_dirs[] = {"data", "drivers", "feature", "attr", "error"};
	char v[PATH_LEN];
	struct timespec now;

	/* libxl__domain_make */
	tx_rm(w, dp);
	tx_mknod(w, ro, 2, "%s", dp);
	tx_rm(w, vp);
	tx_mknod(w, ro, 2, "%s", vp);
	tx_write(w, vp, "%s/vm", dp);
	tx_write(w, d->name, "%s/name", dp);
	tx_write(w, d->name, "%s/name", vp);
	tx_write(w, uuid, "%s/uuid", vp);
	tx_mknod(w, ro, 2, "%s/cpu", dp);
	tx_mknod(w, ro, 2, "%s/memory", dp);
	tx_mknod(w, ro, 2, "%s/device", dp);
	tx_mknod(w, rw, 1, "%s/device/suspend/event-channel", dp);
	tx_mknod(w, ro, 2, "%s/control", dp);
	for (size_t i = 0; i < sizeof(rw_control) / sizeof(rw_control[0]); i++)
		tx_mknod(w, rw, 1, "%s/control/%s", dp, rw_control[i]);
	for (size_t i = 0; i < sizeof(rw_dirs) / sizeof(rw_dirs[0]); i++)
		tx_mknod(w, rw, 1, "%s/%s", dp, rw_dirs[i]);
	tx_write(w, "1", "%s/control/platform-feature-multiprocessor-suspend", dp);
	tx_write(w, "1", "%s/control/platform-feature-xs_reset_watches", dp);

	/* libxl__build_post */
	snprintf(v, sizeof(v), "%" PRIu64, cfg->memory_mib * 1024);
	tx_write(w, v, "%s/memory/static-max", dp);
	tx_write(w, v, "%s/memory/target", dp);
	tx_write(w, "0", "%s/memory/videoram", dp);
	snprintf(v, sizeof(v), "%u", d->domid);
	tx_write(w, v, "%s/domid", dp);
	snprintf(v, sizeof(v), "%u", d->store_evtchn);
	tx_write(w, v, "%s/store/port", dp);
	snprintf(v, sizeof(v), "%" PRIu64, d->store_pfn);
	tx_write(w, v, "%s/store/ring-ref", dp);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		tx_write(w, "online", "%s/cpu/%u/availability", dp, i);
	tx_write(w, "linux", "%s/image/ostype", vp);
	tx_write(w, cfg->kernel, "%s/image/kernel", vp);
	if (cfg->ramdisk)
		tx_write(w, cfg->ramdisk, "%s/image/ramdisk", vp);
	if (cfg->cmdline)
		tx_write(w, cfg->cmdline, "%s/image/cmdline", vp);
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(v, sizeof(v), "%jd.%02ld", (intmax_t)now.tv_sec, now.tv_nsec / 10000000);
	tx_write(w, v, "%s/start_time", vp);

	/* the primary console (libxl__device_console_add, devid 0): its
	 * frontend directory is read-only to the guest */
	const struct xs_client_perm be[] = {{0, XS_CLIENT_PERM_NONE}, {d->domid, XS_CLIENT_PERM_READ}};
	tx_rm(w, xsd.console_be);
	tx_mknod(w, be, 2, "%s", xsd.console_be);
	snprintf(v, sizeof(v), "%s/console", dp);
	tx_write(w, v, "%s/frontend", xsd.console_be);
	snprintf(v, sizeof(v), "%u", d->domid);
	tx_write(w, v, "%s/frontend-id", xsd.console_be);
	tx_write(w, "1", "%s/online", xsd.console_be);
	tx_write(w, "1", "%s/state", xsd.console_be);	/* XenbusStateInitialising */
	tx_write(w, CONSOLE_PROTOCOL, "%s/protocol", xsd.console_be);
	tx_mknod(w, ro, 2, "%s/console", dp);
	tx_write(w, xsd.console_be, "%s/console/backend", dp);
	tx_write(w, "0", "%s/console/backend-id", dp);
	tx_write(w, CONSOLE_LIMIT, "%s/console/limit", dp);
	tx_write(w, "xenconsoled", "%s/console/type", dp);
	tx_write(w, "pty", "%s/console/output", dp);
	tx_write(w, "", "%s/console/tty", dp);
	snprintf(v, sizeof(v), "%u", d->console_evtchn);
	tx_write(w, v, "%s/console/port", dp);
	snprintf(v, sizeof(v), "%" PRIu64, d->console_pfn);
	tx_write(w, v, "%s/console/ring-ref", dp);
}

/* Run fill in a transaction, again while it conflicts. 0 or -errno. */
static int in_transaction(void (*fill)(struct txw *, void *), void *arg, const char **failed)
{
	for (int tries = 0; tries < MAX_TX_RETRIES; tries++) {
		struct txw w = {0};
		int rc = xs_client_transaction_start(xsd.xs, &w.tx);

		if (rc)
			return rc;
		fill(&w, arg);
		rc = xs_client_transaction_end(xsd.xs, w.tx, w.rc == 0);
		if (w.rc) {
			*failed = w.failed;
			return w.rc;
		}
		if (rc != -EAGAIN)
			return rc;
	}
	return -EAGAIN;
}

struct create_args {
	struct domain *d;
	const struct build_config *cfg;
	const char *uuid;
};

static void fill_create(struct txw *w, void *arg)
{
	struct create_args *a = arg;

	write_nodes(w, a->d, a->cfg, a->uuid);
}

static void fill_remove(struct txw *w, void *arg)
{
	(void)arg;
	tx_rm(w, xsd.dom_path);
	tx_rm(w, xsd.vm_path);
	tx_rm(w, xsd.console_be_dom);
}

/* ---- the store ring's event channel ---------------------------------------- */

/* The guest notified the store port (its vCPU thread, evtchn lock held). */
static void store_notified(void *arg)
{
	(void)arg;
	if (xsd.to_store_fd >= 0 && eventfd_write(xsd.to_store_fd, 1) < 0)
		mlog_once(xsd.d, "xenstore: cannot signal xenstored: %s", strerror(errno));
}

/* xenstored has something for the guest. */
static void store_kick(void *arg, uint32_t events)
{
	struct domain *d = arg;
	eventfd_t v;

	(void)events;
	if (eventfd_read(xsd.to_guest_fd, &v) == 0)
		evtchn_host_notify(d, d->store_evtchn);
}

static void close_fds(void)
{
	if (xsd.to_guest_fd >= 0) {
		ev_del(xsd.to_guest_fd);
		close(xsd.to_guest_fd);
	}
	if (xsd.to_store_fd >= 0)
		close(xsd.to_store_fd);
	xsd.to_guest_fd = xsd.to_store_fd = -1;
}

static int bridge_store_channel(struct domain *d)
{
	xsd.to_store_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	xsd.to_guest_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (xsd.to_store_fd < 0 || xsd.to_guest_fd < 0 ||
	    ev_add(xsd.to_guest_fd, EPOLLIN, store_kick, d) < 0)
		return -errno;
	return evtchn_host_bind(d, d->store_evtchn, store_notified, NULL) < 0 ? -EINVAL : 0;
}

/* ---- the interface ------------------------------------------------------------ */

int xs_domain_introduce(struct domain *d, const struct build_config *cfg)
{
	const char *failed = "";
	const char *step;
	int rc;

	xsd.xs = xs_client_open();
	if (!xsd.xs) {
		mlog(d, "xenstore: no xenstored (%s); domain %u runs without a store",
		     strerror(errno), d->domid);
		return -1;
	}
	xsd.d = d;
	if (!xsd.uuid[0])
		make_uuid(xsd.uuid);
	snprintf(xsd.dom_path, sizeof(xsd.dom_path), "/local/domain/%u", d->domid);
	snprintf(xsd.vm_path, sizeof(xsd.vm_path), "/vm/%s", xsd.uuid);
	snprintf(xsd.console_be_dom, sizeof(xsd.console_be_dom), "/local/domain/0/backend/console/%u",
		 d->domid);
	snprintf(xsd.console_be, sizeof(xsd.console_be), "/local/domain/0/backend/console/%u/0",
		 d->domid);

	step = "writing the domain's nodes";
	rc = in_transaction(fill_create, &(struct create_args){d, cfg, xsd.uuid}, &failed);
	if (rc)
		goto fail;
	step = "bridging the store event channel";
	rc = bridge_store_channel(d);
	if (rc)
		goto fail;
	step = "XS_INTRODUCE";
	rc = xs_client_introduce(xsd.xs, d->domid, d->store_pfn, d->store_evtchn, d->ram_fd,
				 xsd.to_store_fd, xsd.to_guest_fd);
	if (rc)
		goto fail;
	mlog(d, "xenstore: domain %u introduced (ring %#" PRIx64 ", port %u), %s", d->domid,
	     d->store_pfn, d->store_evtchn, xsd.vm_path);
	return 0;
fail:
	mlog(d, "xenstore: %s failed%s%s: %s; domain %u runs without a store", step,
	     *failed ? " at " : "", failed, strerror(-rc), d->domid);
	xs_domain_release(d);
	return -1;
}

void xs_domain_release(struct domain *d)
{
	const char *failed = "";
	int rc;

	if (!xsd.xs)
		return;
	rc = in_transaction(fill_remove, NULL, &failed);
	if (rc)
		mlog(d, "xenstore: removing the domain's nodes failed%s%s: %s", *failed ? " at " : "",
		     failed, strerror(-rc));
	/* Closing the connection releases the domain in xenstored. */
	xs_client_close(xsd.xs);
	xsd.xs = NULL;
	close_fds();	/* the vCPUs have stopped: store_notified runs no more */
}

int xs_domain_request_shutdown(struct domain *d, const char *reason, char *err, size_t errlen)
{
	char path[PATH_LEN];
	int rc;

	if (!xsd.xs) {
		snprintf(err, errlen, "PV control interface not available");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/control/shutdown", xsd.dom_path);
	rc = xs_client_write(xsd.xs, 0, path, reason, strlen(reason));
	if (rc) {
		snprintf(err, errlen, "writing %s: %s", path, strerror(-rc));
		mlog(d, "xenstore: %s", err);
		return -1;
	}
	return 0;
}
