/*
 * A small synchronous client of xenstored for our own programs (xl, the
 * monitor, tests). One request at a time; watch events that arrive while
 * waiting for a reply are queued for xs_client_read_watch().
 *
 * Functions returning int give 0 or a negative errno value: the store's
 * error for the request (-ENOENT, -EACCES, -EAGAIN when a transaction
 * conflicts, ...) or a local failure (-ECONNRESET, -ENOMEM, -EPROTO).
 * tx is 0 or a transaction id from xs_client_transaction_start().
 */
#ifndef XENO_XS_CLIENT_H
#define XENO_XS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xs_client;

/* Xen's default socket; XENSTORED_PATH overrides it. */
#define XS_CLIENT_DEFAULT_PATH "/run/xenstored/socket"

/* Connects to $XENSTORED_PATH or the default. NULL with errno on failure. */
struct xs_client *xs_client_open(void);
struct xs_client *xs_client_open_path(const char *path);

/*
 * Like xs_client_open(), but if no daemon listens, runs xenstored_binary
 * (which detaches once it serves) and connects to it. Safe when several
 * callers do this at once: one daemon wins, the others' connect to it.
 */
struct xs_client *xs_client_open_or_start(const char *xenstored_binary);

void xs_client_close(struct xs_client *c);

/* The connection's descriptor, to poll for watch events. */
int xs_client_fd(const struct xs_client *c);

/* *value: malloc'd and nul-terminated (len excludes the nul). */
int xs_client_read(struct xs_client *c, uint32_t tx, const char *path, char **value,
		   size_t *len);
int xs_client_write(struct xs_client *c, uint32_t tx, const char *path, const void *data,
		    size_t len);
int xs_client_mkdir(struct xs_client *c, uint32_t tx, const char *path);
int xs_client_rm(struct xs_client *c, uint32_t tx, const char *path);

/* *names: one malloc'd block (free it) holding *n pointers and the names. */
int xs_client_directory(struct xs_client *c, uint32_t tx, const char *path, char ***names,
			unsigned *n);

#define XS_CLIENT_PERM_NONE 0
#define XS_CLIENT_PERM_READ 1
#define XS_CLIENT_PERM_WRITE 2
#define XS_CLIENT_PERM_BOTH 3

/* The first entry is the owner and everyone's default access. */
struct xs_client_perm {
	uint16_t domid;
	uint8_t mode; /* XS_CLIENT_PERM_* */
};

/* *perms: malloc'd. */
int xs_client_get_perms(struct xs_client *c, uint32_t tx, const char *path,
			struct xs_client_perm **perms, unsigned *n);
int xs_client_set_perms(struct xs_client *c, uint32_t tx, const char *path,
			const struct xs_client_perm *perms, unsigned n);

/* A new watch fires once at once (path = the watched path). */
int xs_client_watch(struct xs_client *c, const char *path, const char *token);
int xs_client_unwatch(struct xs_client *c, const char *path, const char *token);

/*
 * Waits up to timeout_ms (-1: forever, 0: only what has arrived) for a watch
 * event. *path is malloc'd and *token points into the same block: free(*path).
 * Returns 0, -ETIMEDOUT or an error.
 */
int xs_client_read_watch(struct xs_client *c, char **path, char **token, int timeout_ms);

int xs_client_transaction_start(struct xs_client *c, uint32_t *tx);
/* commit false aborts. A commit that conflicts gives -EAGAIN: start over. */
int xs_client_transaction_end(struct xs_client *c, uint32_t tx, bool commit);

/*
 * XS_INTRODUCE of a guest's ring, as a domain's monitor does it: the payload
 * "<domid>\0<mfn>\0<port>\0" and, in the same sendmsg, three descriptors
 * (SCM_RIGHTS, in this order): the memfd of guest RAM (the ring is the page
 * at mfn * 4096), an eventfd the monitor signals when the guest notifies
 * the store's event channel, and an eventfd the store signals to raise that
 * event channel in the guest. The store keeps its own duplicates; the
 * caller keeps and may close its descriptors. The domain stays introduced
 * until xs_client_release() or until this connection closes.
 */
int xs_client_introduce(struct xs_client *c, unsigned domid, uint64_t mfn, uint32_t port,
			int mem_fd, int evt_to_store_fd, int evt_to_guest_fd);
int xs_client_release(struct xs_client *c, unsigned domid);
/* 1 if introduced, 0 if not, or an error. */
int xs_client_is_domain_introduced(struct xs_client *c, unsigned domid);
/* *path: malloc'd "/local/domain/<domid>". */
int xs_client_get_domain_path(struct xs_client *c, unsigned domid, char **path);

/*
 * Any request: payload of len bytes, reply (malloc'd, with a nul after its
 * *rlen bytes) unless reply is NULL. For what has no helper above.
 */
int xs_client_request(struct xs_client *c, uint32_t type, uint32_t tx, const void *payload,
		      size_t len, char **reply, size_t *rlen);

#endif /* XENO_XS_CLIENT_H */
