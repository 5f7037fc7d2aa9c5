/*
 * The xenstore side of a split-driver backend, device-agnostic (vbd, vif).
 *
 * API in one line: xenbus_be_create() writes the backend and frontend
 * directories with libxl's layout and permissions and watches the
 * frontend's state; the device's ops->connect/disconnect/removed run as
 * the frontend moves through Xen's xenbus states; xenbus_be_write/_read_fe
 * read and write keys; xenbus_be_close() starts a detach; xenbus_be_destroy()
 * removes the nodes.
 *
 * Layout (as libxl writes it, backend domain 0):
 *   /local/domain/0/backend/<type>/<domid>/<devid>/  owner 0, guest reads
 *       frontend, frontend-id, online, state, + the device's keys
 *   /local/domain/<domid>/device/<type>/<devid>/     owner the guest, dom0 reads
 *       backend, backend-id, state, + the device's keys
 *
 * The state machine is Xen's backend side (xenbus.h numbers); the module
 * drives it and asks the device at the points where a backend acts:
 *   frontend Initialised or Connected, backend not Connected:
 *       ops->connect(fe_state): 0 -> backend Connected; 1 -> not yet (wait
 *       for the next state); < 0 -> the error is written to the backend's
 *       "error" node and the backend goes Closing.
 *   frontend Closing: ops->disconnect, backend Closing.
 *   frontend Closed or gone: ops->disconnect, backend Closed; then, if the
 *       backend is offline (xenbus_be_close), ops->removed.
 *   frontend Initialising again after Closed: backend InitWait (reconnect).
 * A backend starts in Initialising; the device writes its feature keys and
 * calls xenbus_be_switch_state(InitWait) when it is ready.
 *
 * Threads: everything here, and every callback, runs on the event-loop
 * thread. One xenstore connection serves all backends of the monitor; its
 * watch events are read in the event loop.
 */
#ifndef MONITOR_BACKEND_XENBUS_BE_H
#define MONITOR_BACKEND_XENBUS_BE_H

#include <stdbool.h>
#include <stddef.h>

#include <xen/io/xenbus.h>

#include "../domain.h"

struct xenbus_be;

struct xenbus_be_ops {
	int (*connect)(struct xenbus_be *be, enum xenbus_state fe_state, void *arg);
	void (*disconnect)(struct xenbus_be *be, void *arg);
	/* The device is closed and offline: free it (xenbus_be_destroy). */
	void (*removed)(struct xenbus_be *be, void *arg);
};

/* A key and its value; a NULL key ends a list. */
struct xenbus_be_kv {
	const char *key;
	const char *value;
};

/*
 * Create the nodes (one transaction; an existing device of that type and
 * devid is replaced) and watch the frontend. be_keys and fe_keys (either
 * may be NULL) are written besides the standard keys. NULL with a reason
 * in err when xenstore is unreachable or refuses.
 */
struct xenbus_be *xenbus_be_create(struct domain *d, const char *type, unsigned int devid,
				   const struct xenbus_be_kv *be_keys,
				   const struct xenbus_be_kv *fe_keys,
				   const struct xenbus_be_ops *ops, void *arg, char *err,
				   size_t errlen);
/* Unwatch and remove both directories (and the per-domain parent of the
 * backend's when it is empty). be is freed. */
void xenbus_be_destroy(struct xenbus_be *be);

/* Detach, as libxl does: online = 0 and backend Closing; the frontend is
 * expected to close, and ops->removed runs once it has. */
int xenbus_be_close(struct xenbus_be *be);
bool xenbus_be_online(const struct xenbus_be *be);

/* Write the backend's state node. 0 or -errno. */
int xenbus_be_switch_state(struct xenbus_be *be, enum xenbus_state state);
enum xenbus_state xenbus_be_state(const struct xenbus_be *be);
/* The frontend's state as last read (Unknown if absent or not a number). */
enum xenbus_state xenbus_be_fe_state(const struct xenbus_be *be);

/* Backend key (relative to its directory), printf-formatted. 0 or -errno. */
int xenbus_be_printf(struct xenbus_be *be, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Frontend key (relative, e.g. "ring-ref" or "queue-1/event-channel"):
 * *value malloc'd. 0, -ENOENT, or -errno. */
int xenbus_be_read_fe(struct xenbus_be *be, const char *key, char **value);
/* A frontend key that must be a whole decimal number <= max. 0, -ENOENT
 * (absent), -EINVAL (not such a number) or -errno. */
int xenbus_be_read_fe_uint(struct xenbus_be *be, const char *key, unsigned long long max,
			   unsigned long long *value);

const char *xenbus_be_path(const struct xenbus_be *be);	/* backend directory */
const char *xenbus_be_fe_path(const struct xenbus_be *be);	/* frontend directory */
unsigned int xenbus_be_devid(const struct xenbus_be *be);

#endif /* MONITOR_BACKEND_XENBUS_BE_H */
