/*
 * Watches: registered per connection, indexed by path so that a change
 * finds its watchers by looking up the changed path and its ancestors.
 */
#ifndef XSD_WATCH_H
#define XSD_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "list.h"
#include "perms.h"

struct xsd;
struct conn;

struct watch {
	struct hnode h; /* in xsd.watches, by path */
	struct list conn_link;
	struct conn *conn;
	uint32_t prefix_len; /* stripped from event paths of a relative watch */
	uint32_t pathlen;
	char *token;
	char path[]; /* canonical absolute path or "@special" */
};

/*
 * Adds a watch for c. Returns it, or NULL with errno EEXIST (same path and
 * token), ENOSPC (over the watch quota) or ENOMEM.
 */
struct watch *watch_add(struct conn *c, const char *path, size_t len, bool relative,
			const char *token);
/* Returns 0 or -ENOENT. */
int watch_del(struct conn *c, const char *path, size_t len, const char *token);
void watch_del_all(struct conn *c);

/* Queues the event a new watch gets at once. */
void watch_initial_event(struct watch *w);

/*
 * Fires the watches a change of path matches: those on path itself and, unless
 * exact, on its ancestors. Watchers that may read the node (now or, with old
 * permissions, before) or its parent are told.
 */
void watch_fire(struct xsd *x, const char *path, size_t len, bool exact, const struct xs_perm *p,
		unsigned np, const struct xs_perm *oldp, unsigned onp);

/* "@introduceDomain" / "@releaseDomain", for watchers the special node lets read. */
void watch_fire_special(struct xsd *x, const char *name);

#endif /* XSD_WATCH_H */
