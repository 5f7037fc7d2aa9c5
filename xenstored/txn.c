#include "txn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "log.h"
#include "path.h"
#include "store.h"
#include "tree.h"
#include "watch.h"
#include "xsd.h"

enum { TN_NONE, TN_PRESENT, TN_DELETED };

/* One path the transaction touched. */
struct tnode {
	struct hnode h;
	struct tnode *next; /* in the order first touched */
	uint32_t pathlen;
	uint32_t seq;
	uint8_t state; /* TN_NONE: the tree's node is what the transaction sees */
	bool fresh;    /* created here: nothing of the tree below it is visible */
	bool fire;     /* a request named it: watches fire at commit */
	bool dirty_data, dirty_perms;
	/* What was seen in the tree (0 generations: absent). */
	bool seen, seen_kids;
	uint64_t seen_gen, seen_kids_gen;
	/* The transaction's own version (TN_PRESENT). */
	char *data;
	uint32_t dlen;
	struct xs_perm *perms;
	uint16_t nperms;
	/* Children names added and removed here, for listing them. */
	struct buf added, removed;
	char path[];
};

struct txn *txn_new(uint32_t id, unsigned max_nodes, struct acct_dom *acct, unsigned mem_quota)
{
	struct txn *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (htable_init(&t->index, 16) < 0) {
		free(t);
		return NULL;
	}
	t->id = id;
	t->max_nodes = max_nodes;
	t->acct = acct;
	t->mem_quota = mem_quota;
	list_init(&t->conn_link);
	return t;
}

static void tn_clear(struct tnode *tn)
{
	free(tn->data);
	free(tn->perms);
	tn->data = NULL;
	tn->perms = NULL;
	tn->dlen = 0;
	tn->nperms = 0;
	tn->dirty_data = tn->dirty_perms = false;
	buf_free(&tn->added);
	buf_free(&tn->removed);
}

void txn_free(struct txn *t)
{
	struct tnode *tn, *next;

	for (tn = t->first; tn; tn = next) {
		next = tn->next;
		tn_clear(tn);
		free(tn);
	}
	if (t->acct)
		acct_add64(&t->acct->memory, -(long)t->memory);
	htable_fini(&t->index);
	free(t);
}

/* Charges bytes to the owner's memory; -ENOMEM over its quota. */
static int charge(struct txn *t, size_t bytes)
{
	if (!t->acct)
		return 0;
	if (quota_exceeded(t->mem_quota, t->acct->memory, bytes))
		return -ENOMEM;
	t->acct->memory += bytes;
	t->memory += bytes;
	return 0;
}

static bool is_mask(const struct tnode *tn)
{
	return tn->state == TN_DELETED || (tn->state == TN_PRESENT && tn->fresh);
}

static void set_state(struct txn *t, struct tnode *tn, uint8_t state, bool fresh)
{
	bool was = is_mask(tn);

	if (tn->state == TN_PRESENT && tn->fresh)
		t->created--;
	tn->state = state;
	tn->fresh = fresh;
	if (state == TN_PRESENT && fresh)
		t->created++;
	t->nmasks = t->nmasks + is_mask(tn) - was;
	if (is_mask(tn))
		t->mask_lens[tn->pathlen / 8] |= (uint8_t)(1u << (tn->pathlen % 8));
}

static struct tnode *tn_find(struct txn *t, const char *path, size_t len)
{
	uint64_t h = hash_bytes(path, len);

	for (struct hnode *e = htable_chain(&t->index, h); e; e = e->next) {
		struct tnode *tn = container_of(e, struct tnode, h);

		if (e->hash == h && tn->pathlen == len && memcmp(tn->path, path, len) == 0)
			return tn;
	}
	return NULL;
}

static int tn_get(struct txn *t, const char *path, size_t len, struct tnode **out)
{
	struct tnode *tn = tn_find(t, path, len);

	if (tn) {
		*out = tn;
		return 0;
	}
	if (quota_exceeded(t->max_nodes, t->ntnodes, 1))
		return -ENOSPC;
	if (charge(t, sizeof(*tn) + len + 1) < 0)
		return -ENOMEM;
	tn = calloc(1, sizeof(*tn) + len + 1);
	if (!tn)
		return -ENOMEM;
	memcpy(tn->path, path, len);
	tn->pathlen = (uint32_t)len;
	tn->seq = t->ntnodes++;
	htable_add(&t->index, &tn->h, hash_bytes(path, len));
	if (t->last)
		t->last->next = tn;
	else
		t->first = tn;
	t->last = tn;
	*out = tn;
	return 0;
}

/* The tree's node for tn, remembering its generation the first time. */
static struct node *observe(struct xsd *x, struct tnode *tn)
{
	struct node *n = tree_lookup(&x->tree, tn->path, tn->pathlen);

	if (!tn->seen) {
		tn->seen = true;
		tn->seen_gen = n ? n->gen : 0;
	}
	return n;
}

static bool may_mask_at(const struct txn *t, size_t len)
{
	return t->mask_lens[len / 8] & (1u << (len % 8));
}

/* Whether something this transaction did hides the tree at path. */
static bool masked(struct txn *t, const char *path, size_t len)
{
	if (!t->nmasks || path[0] != '/')
		return false;
	/* The nearest ancestor the transaction changed decides; each '/' ends one. */
	for (size_t i = len - 1; i > 0; i--) {
		struct tnode *tn;

		if (path[i] != '/' || !may_mask_at(t, i))
			continue;
		tn = tn_find(t, path, i);
		if (tn && tn->state != TN_NONE)
			return is_mask(tn);
	}
	return false;
}

static bool name_in(const struct buf *b, const char *name)
{
	for (size_t off = 0; off < b->len; off += strlen(b->p + off) + 1)
		if (strcmp(b->p + off, name) == 0)
			return true;
	return false;
}

static void name_del(struct buf *b, const char *name)
{
	for (size_t off = 0; off < b->len; off += strlen(b->p + off) + 1) {
		size_t l = strlen(b->p + off) + 1;

		if (strcmp(b->p + off, name) == 0) {
			memmove(b->p + off, b->p + off + l, b->len - off - l);
			b->len -= l;
			return;
		}
	}
}

static uint32_t kids_bytes(const struct tnode *tn, const struct node *n)
{
	size_t b = (!tn->fresh && n) ? n->kids_bytes : 0;

	b += tn->added.len;
	b -= tn->removed.len < b ? tn->removed.len : b;
	return (uint32_t)b;
}

int txn_lookup(struct txn *t, struct xsd *x, const char *path, size_t len, struct view *v)
{
	struct tnode *tn = tn_find(t, path, len);
	struct node *n;
	int ret;

	if (tn && tn->state == TN_PRESENT) {
		n = tn->fresh ? NULL : tree_lookup(&x->tree, path, len);
		v->data = tn->data;
		v->dlen = tn->dlen;
		v->perms = tn->perms;
		v->nperms = tn->nperms;
		v->kids_bytes = kids_bytes(tn, n);
		return 0;
	}
	if ((tn && tn->state == TN_DELETED) || masked(t, path, len))
		return -ENOENT;
	if (!tn) {
		ret = tn_get(t, path, len, &tn);
		if (ret < 0)
			return ret;
	}
	n = observe(x, tn);
	if (!n)
		return -ENOENT;
	v->data = n->data;
	v->dlen = n->dlen;
	v->perms = n->perms;
	v->nperms = n->nperms;
	v->kids_bytes = kids_bytes(tn, n);
	return 0;
}

/* A generation for a child list this transaction changed. */
static uint64_t own_gen(const struct txn *t)
{
	return (1ULL << 63) | ((uint64_t)t->id << 31) | (t->kid_mods & 0x7fffffff);
}

int txn_kids(struct txn *t, struct xsd *x, const char *path, size_t len, struct buf *out,
	     uint64_t *gen)
{
	struct tnode *tn;
	struct node *n;
	int ret = tn_get(t, path, len, &tn);

	if (ret < 0)
		return ret;
	if (tn->state == TN_PRESENT && tn->fresh) {
		*gen = own_gen(t);
		return buf_append(out, tn->added.p, tn->added.len);
	}
	n = observe(x, tn);
	if (!tn->seen_kids) {
		tn->seen_kids = true;
		tn->seen_kids_gen = n ? n->kids_gen : 0;
	}
	for (uint32_t i = 0; n && i < n->nkids; i++) {
		const char *name = node_name(n->kids[i]);

		if (!name_in(&tn->removed, name) && buf_append_str(out, name) < 0)
			return -ENOMEM;
	}
	if (buf_append(out, tn->added.p, tn->added.len) < 0)
		return -ENOMEM;
	*gen = (tn->added.len || tn->removed.len) ? own_gen(t) : (n ? n->kids_gen : 0);
	return 0;
}

static int dup_into(struct txn *t, const void *src, size_t len, void **dst)
{
	if (charge(t, len) < 0)
		return -ENOMEM;
	*dst = malloc(len + 1);
	if (!*dst)
		return -ENOMEM;
	if (len)
		memcpy(*dst, src, len);
	return 0;
}

int txn_create(struct txn *t, struct xsd *x, const char *path, size_t len, const struct xs_perm *p,
	       unsigned np, const void *data, uint32_t dlen, bool fire)
{
	struct tnode *tn, *ptn = NULL;
	void *d = NULL, *pp = NULL;
	const char *name = path_basename(path, len);
	int ret;

	(void)x;
	ret = tn_get(t, path, len, &tn);
	if (ret == 0 && path[0] == '/')
		ret = tn_get(t, path, path_parent_len(path, len), &ptn);
	if (ret == 0)
		ret = dup_into(t, data, dlen, &d);
	if (ret == 0)
		ret = dup_into(t, p, np * sizeof(*p), &pp);
	if (ret == 0 && ptn && !name_in(&ptn->added, name)) {
		/* The name sits in the path buffer; copy it with its own nul. */
		char nm[XENSTORE_ABS_PATH_MAX + 1];
		size_t nl = len - (size_t)(name - path);

		memcpy(nm, name, nl);
		nm[nl] = 0;
		ret = buf_append_str(&ptn->added, nm);
	}
	if (ret < 0) {
		free(d);
		free(pp);
		return ret;
	}
	tn_clear(tn);
	tn->data = d;
	tn->dlen = dlen;
	tn->perms = pp;
	tn->nperms = (uint16_t)np;
	tn->dirty_data = tn->dirty_perms = true;
	tn->fire = tn->fire || fire;
	set_state(t, tn, TN_PRESENT, true);
	t->kid_mods++;
	return 0;
}

int txn_set(struct txn *t, struct xsd *x, const char *path, size_t len, const void *data,
	    uint32_t dlen, const struct xs_perm *p, unsigned np)
{
	struct tnode *tn;
	void *d = NULL, *pp = NULL;
	int ret = tn_get(t, path, len, &tn);

	if (ret < 0)
		return ret;
	if (tn->state != TN_PRESENT) {
		/* Take the tree's node as the transaction's own version. */
		struct node *n = observe(x, tn);

		if (!n)
			return -ENOENT;
		ret = dup_into(t, n->data, n->dlen, &d);
		if (ret == 0)
			ret = dup_into(t, n->perms, n->nperms * sizeof(*n->perms), &pp);
		if (ret < 0) {
			free(d);
			return ret;
		}
		free(tn->data);
		free(tn->perms);
		tn->data = d;
		tn->dlen = n->dlen;
		tn->perms = pp;
		tn->nperms = n->nperms;
		set_state(t, tn, TN_PRESENT, false);
		d = pp = NULL;
	}
	if (data && dup_into(t, data, dlen, &d) < 0)
		return -ENOMEM;
	if (p && dup_into(t, p, np * sizeof(*p), &pp) < 0) {
		free(d);
		return -ENOMEM;
	}
	if (data) {
		free(tn->data);
		tn->data = d;
		tn->dlen = dlen;
		tn->dirty_data = true;
	}
	if (p) {
		free(tn->perms);
		tn->perms = pp;
		tn->nperms = (uint16_t)np;
		tn->dirty_perms = true;
	}
	tn->fire = true;
	return 0;
}

int txn_remove(struct txn *t, struct xsd *x, const char *path, size_t len)
{
	struct tnode *tn, *ptn = NULL;
	const char *name = path_basename(path, len);
	char nm[XENSTORE_ABS_PATH_MAX + 1];
	size_t nl = len - (size_t)(name - path);
	int ret = tn_get(t, path, len, &tn);

	if (ret == 0 && path[0] == '/')
		ret = tn_get(t, path, path_parent_len(path, len), &ptn);
	if (ret < 0)
		return ret;
	memcpy(nm, name, nl);
	nm[nl] = 0;
	if (ptn && !name_in(&ptn->removed, nm) && buf_append_str(&ptn->removed, nm) < 0)
		return -ENOMEM;
	if (ptn)
		name_del(&ptn->added, nm);

	if (!(tn->state == TN_PRESENT && tn->fresh))
		observe(x, tn);
	tn_clear(tn);
	set_state(t, tn, TN_DELETED, false);
	tn->fire = true;
	/* What the transaction did below is gone with it; what it saw still counts. */
	for (struct tnode *d = t->first; d; d = d->next) {
		if (d == tn || !path_is_within(d->path, d->pathlen, path, len))
			continue;
		tn_clear(d);
		set_state(t, d, TN_NONE, false);
		d->fire = false;
	}
	t->kid_mods++;
	return 0;
}

static int by_depth(const void *a, const void *b)
{
	const struct tnode *x = *(struct tnode *const *)a, *y = *(struct tnode *const *)b;
	unsigned dx = path_depth(x->path, x->pathlen), dy = path_depth(y->path, y->pathlen);

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool still_valid(struct xsd *x, const struct tnode *tn)
{
	struct node *n = tree_lookup(&x->tree, tn->path, tn->pathlen);

	if (tn->seen && (n ? n->gen : 0) != tn->seen_gen)
		return false;
	if (tn->seen_kids && (n ? n->kids_gen : 0) != tn->seen_kids_gen)
		return false;
	return true;
}

static void apply(struct xsd *x, struct tnode *tn)
{
	struct node *n = tree_lookup(&x->tree, tn->path, tn->pathlen);
	struct xs_perm *old = NULL;
	unsigned nold = 0;

	if (tn->state == TN_DELETED) {
		if (n)
			store_remove_node(x, n);
		return;
	}
	if (tn->fresh) {
		if (n)
			store_remove_node(x, n);
		n = tree_create(&x->tree, tn->path, tn->pathlen, tn->perms, tn->nperms, tn->data,
				tn->dlen);
		if (!n) {
			log_msg("transaction commit: cannot create %s", tn->path);
			return;
		}
		if (tn->fire)
			watch_fire(x, n->path, n->pathlen, false, n->perms, n->nperms, NULL, 0);
		return;
	}
	if (!n) {
		log_msg("transaction commit: %s vanished", tn->path);
		return;
	}
	if (tn->dirty_perms) {
		old = malloc(n->nperms * sizeof(*old) + 1);
		if (old) {
			memcpy(old, n->perms, n->nperms * sizeof(*old));
			nold = n->nperms;
		}
		if (tree_set_perms(&x->tree, n, tn->perms, tn->nperms) < 0)
			log_msg("transaction commit: no memory for %s", tn->path);
	}
	if (tn->dirty_data && tree_set_data(&x->tree, n, tn->data, tn->dlen) < 0)
		log_msg("transaction commit: no memory for %s", tn->path);
	if (tn->fire)
		watch_fire(x, n->path, n->pathlen, false, n->perms, n->nperms, old, nold);
	free(old);
}

int txn_commit(struct txn *t, struct xsd *x, const struct ident *who)
{
	struct tnode **changed, *tn;
	unsigned n = 0;

	for (tn = t->first; tn; tn = tn->next)
		if (!still_valid(x, tn))
			return -EAGAIN;
	if (!who->priv && quota_exceeded(x->quota.val[Q_NODES],
					 acct_of(&x->acct, who->domid)->nodes, t->created))
		return -ENOSPC;

	changed = malloc(t->ntnodes * sizeof(*changed) + 1);
	if (!changed)
		return -ENOMEM;
	for (tn = t->first; tn; tn = tn->next)
		if (tn->state != TN_NONE)
			changed[n++] = tn;
	/* Parents before children: a node's ancestors exist when it is applied. */
	qsort(changed, n, sizeof(*changed), by_depth);
	if (x->journal)
		journal_batch_begin(x->journal);
	for (unsigned i = 0; i < n; i++)
		apply(x, changed[i]);
	if (x->journal)
		journal_batch_end(x->journal);
	free(changed);
	return 0;
}
