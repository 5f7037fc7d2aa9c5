#include "watch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "domain.h"
#include "journal.h"
#include "path.h"
#include "tree.h"
#include "xsd.h"

static void journal_watch_change(struct conn *c, const struct watch *w, bool add)
{
	/* Only a domain's watches outlive a restart; host clients reconnect and watch again. */
	if (c->dom && c->x->journal)
		journal_watch(c->x->journal, c->id.domid, add, w->prefix_len != 0, w->path, w->token);
}

static struct watch *find(struct conn *c, const char *path, size_t len, const char *token)
{
	uint64_t h = hash_bytes(path, len);

	for (struct hnode *e = htable_chain(&c->x->watches, h); e; e = e->next) {
		struct watch *w = container_of(e, struct watch, h);

		if (e->hash == h && w->conn == c && w->pathlen == len &&
		    memcmp(w->path, path, len) == 0 && strcmp(w->token, token) == 0)
			return w;
	}
	return NULL;
}

static void account(struct conn *c, const struct watch *w, int sign)
{
	struct acct_dom *a;

	if (c->id.priv)
		return;
	a = acct_of(&c->x->acct, c->id.domid);
	acct_add32(&a->watches, sign);
	acct_add64(&a->memory, sign * (long)(sizeof(*w) + w->pathlen + strlen(w->token) + 2));
}

struct watch *watch_add(struct conn *c, const char *path, size_t len, bool relative,
			const char *token)
{
	struct xsd *x = c->x;
	size_t tlen = strlen(token);
	struct watch *w;

	if (find(c, path, len, token)) {
		errno = EEXIST;
		return NULL;
	}
	if (c->id.priv ? quota_exceeded(x->limits.priv_watches, c->nwatches, 1)
		       : quota_exceeded(x->quota.val[Q_WATCHES],
					acct_of(&x->acct, c->id.domid)->watches, 1)) {
		errno = ENOSPC;
		return NULL;
	}
	if (!c->id.priv && quota_exceeded(x->quota.val[Q_MEMORY],
					  acct_of(&x->acct, c->id.domid)->memory,
					  sizeof(*w) + len + tlen + 2)) {
		errno = ENOMEM;
		return NULL;
	}
	w = malloc(sizeof(*w) + len + 1);
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->token = malloc(tlen + 1);
	if (!w->token) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(w->token, token, tlen + 1);
	memcpy(w->path, path, len);
	w->path[len] = 0;
	w->pathlen = (uint32_t)len;
	w->conn = c;
	/* A relative watch reports paths below "/local/domain/<id>/". */
	w->prefix_len = 0;
	if (relative) {
		char home[24];

		w->prefix_len = (uint32_t)path_domain_home(c->id.domid, home, sizeof(home)) + 1;
	}
	htable_add(&x->watches, &w->h, hash_bytes(path, len));
	x->watch_lens[len]++;
	list_add_tail(&c->watches, &w->conn_link);
	c->nwatches++;
	account(c, w, +1);
	journal_watch_change(c, w, true);
	return w;
}

static void watch_free(struct conn *c, struct watch *w)
{
	journal_watch_change(c, w, false);
	account(c, w, -1);
	htable_del(&c->x->watches, &w->h);
	c->x->watch_lens[w->pathlen]--;
	list_del(&w->conn_link);
	c->nwatches--;
	free(w->token);
	free(w);
}

int watch_del(struct conn *c, const char *path, size_t len, const char *token)
{
	struct watch *w = find(c, path, len, token);

	if (!w)
		return -ENOENT;
	watch_free(c, w);
	return 0;
}

void watch_del_all(struct conn *c)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &c->watches)
		watch_free(c, list_entry(pos, struct watch, conn_link));
}

void watch_initial_event(struct watch *w)
{
	conn_queue_event(w->conn, w->path + w->prefix_len, w->token);
}

/*
 * Watchers hear of a node they may read, or could read before a
 * permission change, or whose parent they may read (so that a removal is
 * seen even when the node itself was private).
 */
static bool permitted(struct xsd *x, const struct ident *who, const char *path, size_t len,
		      const struct xs_perm *p, unsigned np, const struct xs_perm *oldp,
		      unsigned onp)
{
	struct node *parent;

	if (who->priv)
		return true;
	if (perms_for(who, p, np) & XS_PERM_READ)
		return true;
	if (oldp && (perms_for(who, oldp, onp) & XS_PERM_READ))
		return true;
	if (path[0] != '/' || len <= 1)
		return false;
	parent = tree_lookup(&x->tree, path, path_parent_len(path, len));
	return parent && (perms_for(who, parent->perms, parent->nperms) & XS_PERM_READ);
}

/* Queues events for the watches registered exactly on path[0..wlen). */
static void fire_at(struct xsd *x, const char *path, size_t len, size_t wlen,
		    const struct xs_perm *p, unsigned np, const struct xs_perm *oldp, unsigned onp)
{
	uint64_t h = hash_bytes(path, wlen);

	for (struct hnode *e = htable_chain(&x->watches, h); e; e = e->next) {
		struct watch *w = container_of(e, struct watch, h);

		if (e->hash != h || w->pathlen != wlen || memcmp(w->path, path, wlen) != 0)
			continue;
		if (w->conn->dead || w->conn->stalled)
			continue;
		if (!permitted(x, &w->conn->id, path, len, p, np, oldp, onp))
			continue;
		/* A relative watch lies below its home, and so does the changed path. */
		conn_queue_event(w->conn, path + (w->prefix_len <= len ? w->prefix_len : 0),
				 w->token);
	}
}

void watch_fire(struct xsd *x, const char *path, size_t len, bool exact, const struct xs_perm *p,
		unsigned np, const struct xs_perm *oldp, unsigned onp)
{
	if (x->watch_lens[len])
		fire_at(x, path, len, len, p, np, oldp, onp);
	if (exact || path[0] != '/' || len == 1)
		return;
	/* The ancestors "/a/b", "/a", "/": each '/' ends one. */
	for (size_t i = len - 1; i > 0; i--)
		if (path[i] == '/' && x->watch_lens[i])
			fire_at(x, path, len, i, p, np, oldp, onp);
	if (x->watch_lens[1])
		fire_at(x, path, len, 1, p, np, oldp, onp);
}

void watch_fire_special(struct xsd *x, const char *name)
{
	struct node *n = tree_lookup(&x->tree, name, strlen(name));

	if (n)
		watch_fire(x, n->path, n->pathlen, true, n->perms, n->nperms, NULL, 0);
}
