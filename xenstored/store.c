#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "tree.h"
#include "txn.h"
#include "watch.h"
#include "xsd.h"

/* ---- the two backends: the tree itself, or a transaction's view of it ---- */

static void view_of(const struct node *n, struct view *v)
{
	v->data = n->data;
	v->dlen = n->dlen;
	v->perms = n->perms;
	v->nperms = n->nperms;
	v->kids_bytes = n->kids_bytes;
}

static int be_lookup(const struct store_ctx *s, const char *path, size_t len, struct view *v)
{
	struct node *n;

	if (s->txn)
		return txn_lookup(s->txn, s->x, path, len, v);
	n = tree_lookup(&s->x->tree, path, len);
	if (!n)
		return -ENOENT;
	view_of(n, v);
	return 0;
}

static int be_create(const struct store_ctx *s, const char *path, size_t len,
		     const struct xs_perm *p, unsigned np, const void *data, uint32_t dlen, bool fire)
{
	struct node *n;

	if (s->txn)
		return txn_create(s->txn, s->x, path, len, p, np, data, dlen, fire);
	n = tree_create(&s->x->tree, path, len, p, np, data, dlen);
	if (!n)
		return -errno;
	if (fire)
		watch_fire(s->x, n->path, n->pathlen, false, n->perms, n->nperms, NULL, 0);
	return 0;
}

/* Changes data (set_data) or permissions (p != NULL) of an existing node. */
static int be_set(const struct store_ctx *s, const char *path, size_t len, bool set_data,
		  const void *data, uint32_t dlen, const struct xs_perm *p, unsigned np)
{
	struct xs_perm *old = NULL;
	unsigned nold = 0;
	struct node *n;
	int ret;

	if (s->txn)
		return txn_set(s->txn, s->x, path, len, set_data ? (data ? data : "") : NULL, dlen,
			       p, np);
	n = tree_lookup(&s->x->tree, path, len);
	if (!n)
		return -ENOENT;
	if (set_data) {
		ret = tree_set_data(&s->x->tree, n, data, dlen);
		if (ret < 0)
			return ret;
	}
	if (p) {
		/* Watchers who could read the node before the change hear of it too. */
		old = malloc(n->nperms * sizeof(*old) + 1);
		if (!old)
			return -ENOMEM;
		memcpy(old, n->perms, n->nperms * sizeof(*old));
		nold = n->nperms;
		ret = tree_set_perms(&s->x->tree, n, p, np);
		if (ret < 0) {
			free(old);
			return ret;
		}
	}
	watch_fire(s->x, n->path, n->pathlen, false, n->perms, n->nperms, old, nold);
	free(old);
	return 0;
}

static int be_remove(const struct store_ctx *s, const char *path, size_t len)
{
	struct node *n;

	if (s->txn)
		return txn_remove(s->txn, s->x, path, len);
	n = tree_lookup(&s->x->tree, path, len);
	if (!n)
		return -ENOENT;
	store_remove_node(s->x, n);
	return 0;
}

static int be_kids(const struct store_ctx *s, const char *path, size_t len, struct buf *out,
		   uint64_t *gen)
{
	struct node *n;

	if (s->txn)
		return txn_kids(s->txn, s->x, path, len, out, gen);
	n = tree_lookup(&s->x->tree, path, len);
	if (!n)
		return -ENOENT;
	if (buf_reserve(out, n->kids_bytes) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < n->nkids; i++)
		buf_append_str(out, node_name(n->kids[i]));
	*gen = n->kids_gen;
	return 0;
}

struct remove_ctx {
	struct xsd *x;
	struct node *top;
};

static void fire_removed(void *ctx, struct node *n)
{
	struct remove_ctx *rc = ctx;

	/* The top node's watchers and its ancestors' hear of it; below, only exact watches. */
	watch_fire(rc->x, n->path, n->pathlen, n != rc->top, n->perms, n->nperms, NULL, 0);
}

void store_remove_node(struct xsd *x, struct node *n)
{
	struct remove_ctx rc = {.x = x, .top = n};

	tree_remove(&x->tree, n, fire_removed, &rc);
}

/* ---- Xen's semantics on top ---- */

static bool unpriv(const struct store_ctx *s)
{
	return !s->who->priv;
}

static unsigned quota(const struct store_ctx *s, enum quota_item i)
{
	return s->x->quota.val[i];
}

static unsigned may(const struct store_ctx *s, const struct view *v)
{
	return perms_for(s->who, v->perms, v->nperms);
}

/* Most levels a path can have: "/a/b/..." of XENSTORE_ABS_PATH_MAX bytes. */
#define MAX_LEVELS (XENSTORE_ABS_PATH_MAX / 2 + 1)

/* The lengths of path's proper ancestors, root first: "/", "/a", "/a/b", ... */
static unsigned ancestors(const char *path, size_t len, uint32_t *lens)
{
	unsigned n = 0;

	lens[n++] = 1;
	for (size_t i = 1; i < len; i++)
		if (path[i] == '/')
			lens[n++] = (uint32_t)i;
	return n;
}

/*
 * The deepest ancestor of a missing path that exists, found by bisection
 * (if a node exists so do its ancestors, in a transaction's view too): a
 * deep missing path costs a few lookups, not one per level. Returns its
 * index in lens, or a negative errno; *v is its view.
 */
static int deepest_ancestor(const struct store_ctx *s, const char *path, const uint32_t *lens,
			    unsigned n, struct view *v)
{
	unsigned lo = 0, hi = n; /* lens[lo] exists ("/" always does), lens[hi] does not */
	int ret;

	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;

		ret = be_lookup(s, path, lens[mid], v);
		if (ret == 0)
			lo = mid;
		else if (ret == -ENOENT)
			hi = mid;
		else
			return ret;
	}
	ret = be_lookup(s, path, lens[lo], v);
	return ret < 0 ? ret : (int)lo;
}

/*
 * A missing node is reported as EACCES unless the caller has the access it
 * asked for on the nearest ancestor that exists: whether a node exists is
 * information too.
 */
static int hide_enoent(const struct store_ctx *s, const char *path, size_t len, unsigned perm)
{
	uint32_t lens[MAX_LEVELS];
	struct view v;
	int at;

	if (s->who->priv || path[0] != '/' || len <= 1)
		return -ENOENT;
	at = deepest_ancestor(s, path, lens, ancestors(path, len, lens), &v);
	if (at < 0)
		return at;
	return (may(s, &v) & perm) ? -ENOENT : -EACCES;
}

static int lookup_for(const struct store_ctx *s, const char *path, size_t len, unsigned perm,
		      struct view *v)
{
	int ret = be_lookup(s, path, len, v);

	if (ret == -ENOENT)
		return hide_enoent(s, path, len, perm);
	if (ret < 0)
		return ret;
	return (may(s, v) & perm) == perm ? 0 : -EACCES;
}

int store_read(const struct store_ctx *s, const char *path, size_t len, struct view *v)
{
	return lookup_for(s, path, len, XS_PERM_READ, v);
}

int store_get_perms(const struct store_ctx *s, const char *path, size_t len, struct view *v)
{
	return lookup_for(s, path, len, XS_PERM_READ, v);
}

static size_t perms_bytes(unsigned np)
{
	return np * sizeof(struct xs_perm);
}

/*
 * Creates path and any missing ancestors (with empty data). New nodes take
 * the permissions of the nearest existing ancestor, on which the caller
 * needs write access; an unprivileged caller owns what it creates.
 */
static int create_path(const struct store_ctx *s, const char *path, size_t len, const void *data,
		       uint32_t dlen)
{
	uint32_t lens[MAX_LEVELS + 1];
	unsigned n = ancestors(path, len, lens), first, nnew;
	size_t bytes = 0;
	struct xs_perm *p;
	struct view pv;
	unsigned np;
	int ret;

	ret = deepest_ancestor(s, path, lens, n, &pv);
	if (ret < 0)
		return ret;
	/* Create lens[first..n): the missing ancestors, then path itself. */
	first = (unsigned)ret + 1;
	lens[n++] = (uint32_t)len;
	nnew = n - first;
	if (!(may(s, &pv) & XS_PERM_WRITE))
		return -EACCES;

	np = pv.nperms;
	if (unpriv(s)) {
		struct acct_dom *a = acct_of(&s->x->acct, s->who->domid);
		size_t name = lens[first] - lens[first - 1] - (first > 1);

		if (quota_exceeded(quota(s, Q_NODES), a->nodes + (s->txn ? s->txn->created : 0),
				   nnew))
			return -ENOSPC;
		if (quota_exceeded(quota(s, Q_NODE_SIZE), dlen + perms_bytes(np), 0) ||
		    quota_exceeded(quota(s, Q_NODE_SIZE),
				   pv.dlen + pv.kids_bytes + name + 1 + perms_bytes(np), 0))
			return -ENOSPC;
		for (unsigned i = first; i < n; i++)
			bytes += sizeof(struct node) + lens[i] + 1 + perms_bytes(np);
		if (quota_exceeded(quota(s, Q_MEMORY), a->memory, bytes + dlen))
			return -ENOMEM;
	}
	p = malloc(perms_bytes(np) + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, pv.perms, perms_bytes(np));
	if (unpriv(s) && np)
		p[0].domid = s->who->domid;

	for (unsigned i = first; i < n; i++) {
		bool leaf = i == n - 1;

		ret = be_create(s, path, lens[i], p, np, leaf ? data : NULL, leaf ? dlen : 0, leaf);
		if (ret < 0) {
			/* Undo the ancestors made so far. */
			if (i != first)
				be_remove(s, path, lens[first]);
			break;
		}
	}
	free(p);
	return ret;
}

int store_write(const struct store_ctx *s, const char *path, size_t len, const void *data,
		uint32_t dlen)
{
	struct view v;
	int ret = be_lookup(s, path, len, &v);

	if (ret == -ENOENT) {
		ret = hide_enoent(s, path, len, XS_PERM_WRITE);
		return ret == -ENOENT ? create_path(s, path, len, data, dlen) : ret;
	}
	if (ret < 0)
		return ret;
	if (!(may(s, &v) & XS_PERM_WRITE))
		return -EACCES;
	if (unpriv(s)) {
		struct acct_dom *a = acct_of(&s->x->acct, s->who->domid);

		if (quota_exceeded(quota(s, Q_NODE_SIZE),
				   dlen + v.kids_bytes + perms_bytes(v.nperms), 0))
			return -ENOSPC;
		if (dlen > v.dlen && quota_exceeded(quota(s, Q_MEMORY), a->memory, dlen - v.dlen))
			return -ENOMEM;
	}
	return be_set(s, path, len, true, data, dlen, NULL, 0);
}

int store_mkdir(const struct store_ctx *s, const char *path, size_t len)
{
	struct view v;
	int ret = be_lookup(s, path, len, &v);

	if (ret == 0)
		return (may(s, &v) & XS_PERM_WRITE) ? 0 : -EACCES;
	if (ret != -ENOENT)
		return ret;
	ret = hide_enoent(s, path, len, XS_PERM_WRITE);
	return ret == -ENOENT ? create_path(s, path, len, NULL, 0) : ret;
}

int store_rm(const struct store_ctx *s, const char *path, size_t len)
{
	struct view v;
	int ret = be_lookup(s, path, len, &v);

	if (ret == -ENOENT) {
		/* Removing what is not there is fine if its parent is. */
		ret = hide_enoent(s, path, len, XS_PERM_WRITE);
		if (ret != -ENOENT)
			return ret;
		if (len > 1 && be_lookup(s, path, path_parent_len(path, len), &v) == 0)
			return 0;
		return -ENOENT;
	}
	if (ret < 0)
		return ret;
	if (!(may(s, &v) & XS_PERM_WRITE))
		return -EACCES;
	if (len == 1)
		return -EINVAL;
	return be_remove(s, path, len);
}

int store_directory(const struct store_ctx *s, const char *path, size_t len, struct buf *out,
		    uint64_t *gen)
{
	struct view v;
	int ret = lookup_for(s, path, len, XS_PERM_READ, &v);

	if (ret < 0)
		return ret;
	return be_kids(s, path, len, out, gen);
}

int store_set_perms(const struct store_ctx *s, const char *path, size_t len,
		    const struct xs_perm *p, unsigned np)
{
	struct view v;
	int ret = lookup_for(s, path, len, XS_PERM_WRITE | XS_PERM_OWNER, &v);

	if (ret < 0)
		return ret;
	/* Only the privileged may give a node away. */
	if (unpriv(s) && v.nperms && p[0].domid != v.perms[0].domid)
		return -EPERM;
	return be_set(s, path, len, false, NULL, 0, p, np);
}
