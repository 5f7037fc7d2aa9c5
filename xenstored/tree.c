#include "tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "path.h"

size_t node_memory(const struct node *n)
{
	return sizeof(*n) + n->pathlen + 1 + n->dlen + n->nperms * sizeof(struct xs_perm) +
	       n->kcap * sizeof(struct node *);
}

static void account(struct tree *t, const struct node *n, int sign)
{
	struct acct_dom *a;

	if (!t->acct)
		return;
	a = acct_of(t->acct, node_owner(n));
	acct_add32(&a->nodes, sign);
	acct_add64(&a->memory, sign * (long)node_memory(n));
}

struct node *tree_lookup(const struct tree *t, const char *path, size_t len)
{
	uint64_t h = hash_bytes(path, len);
	struct hnode *e;

	for (e = htable_chain(&t->index, h); e; e = e->next) {
		struct node *n = container_of(e, struct node, h);

		if (e->hash == h && n->pathlen == len && memcmp(n->path, path, len) == 0)
			return n;
	}
	return NULL;
}

static void node_free(struct node *n)
{
	free(n->kids);
	free(n->perms);
	free(n->data);
	free(n);
}

static struct node *node_alloc(const char *path, size_t len, const struct xs_perm *p, unsigned np,
			       const void *data, uint32_t dlen)
{
	struct node *n = calloc(1, sizeof(*n) + len + 1);

	if (!n)
		return NULL;
	memcpy(n->path, path, len);
	n->pathlen = (uint32_t)len;
	n->perms = malloc(np * sizeof(*p) + 1);
	n->data = dlen ? malloc(dlen) : NULL;
	if (!n->perms || (dlen && !n->data)) {
		node_free(n);
		return NULL;
	}
	memcpy(n->perms, p, np * sizeof(*p));
	n->nperms = (uint16_t)np;
	if (dlen)
		memcpy(n->data, data, dlen);
	n->dlen = dlen;
	return n;
}

static int add_kid(struct tree *t, struct node *parent, struct node *kid)
{
	if (parent->nkids == parent->kcap) {
		uint32_t cap = parent->kcap ? parent->kcap * 2 : 4;
		struct node **k = realloc(parent->kids, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		account(t, parent, -1);
		parent->kids = k;
		parent->kcap = cap;
		account(t, parent, +1);
	}
	parent->kids[parent->nkids++] = kid;
	parent->kids_bytes += (uint32_t)strlen(node_name(kid)) + 1;
	parent->kids_gen = ++t->gen_counter;
	return 0;
}

static void del_kid(struct tree *t, struct node *parent, struct node *kid)
{
	uint32_t i;

	for (i = 0; i < parent->nkids; i++)
		if (parent->kids[i] == kid)
			break;
	if (i == parent->nkids)
		return;
	memmove(&parent->kids[i], &parent->kids[i + 1],
		(parent->nkids - i - 1) * sizeof(parent->kids[0]));
	parent->nkids--;
	parent->kids_bytes -= (uint32_t)strlen(node_name(kid)) + 1;
	parent->kids_gen = ++t->gen_counter;
}

struct node *tree_create(struct tree *t, const char *path, size_t len, const struct xs_perm *p,
			 unsigned np, const void *data, uint32_t dlen)
{
	struct node *parent = NULL, *n;

	if (tree_lookup(t, path, len)) {
		errno = EEXIST;
		return NULL;
	}
	if (path[0] == '/') {
		if (len == 1) {
			errno = EEXIST;
			return NULL;
		}
		parent = tree_lookup(t, path, path_parent_len(path, len));
		if (!parent) {
			errno = ENOENT;
			return NULL;
		}
	}
	n = node_alloc(path, len, p, np, data, dlen);
	if (!n) {
		errno = ENOMEM;
		return NULL;
	}
	if (parent && add_kid(t, parent, n) < 0) {
		node_free(n);
		errno = ENOMEM;
		return NULL;
	}
	n->parent = parent;
	n->gen = n->kids_gen = ++t->gen_counter;
	htable_add(&t->index, &n->h, hash_bytes(path, len));
	account(t, n, +1);
	if (t->journal)
		journal_node_set(t->journal, n);
	return n;
}

int tree_set_data(struct tree *t, struct node *n, const void *data, uint32_t dlen)
{
	char *d = NULL;

	if (dlen) {
		d = malloc(dlen);
		if (!d)
			return -ENOMEM;
		memcpy(d, data, dlen);
	}
	account(t, n, -1);
	free(n->data);
	n->data = d;
	n->dlen = dlen;
	n->gen = ++t->gen_counter;
	account(t, n, +1);
	if (t->journal)
		journal_node_set(t->journal, n);
	return 0;
}

int tree_set_perms(struct tree *t, struct node *n, const struct xs_perm *p, unsigned np)
{
	struct xs_perm *np_arr = malloc(np * sizeof(*p) + 1);

	if (!np_arr)
		return -ENOMEM;
	memcpy(np_arr, p, np * sizeof(*p));
	account(t, n, -1);
	free(n->perms);
	n->perms = np_arr;
	n->nperms = (uint16_t)np;
	n->gen = ++t->gen_counter;
	account(t, n, +1);
	if (t->journal)
		journal_node_set(t->journal, n);
	return 0;
}

static void remove_rec(struct tree *t, struct node *n, void (*visit)(void *, struct node *),
		       void *ctx)
{
	uint32_t i;

	for (i = 0; i < n->nkids; i++)
		remove_rec(t, n->kids[i], visit, ctx);
	if (visit)
		visit(ctx, n);
	htable_del(&t->index, &n->h);
	account(t, n, -1);
	node_free(n);
}

void tree_remove(struct tree *t, struct node *n, void (*visit)(void *ctx, struct node *n),
		 void *ctx)
{
	if (n == t->root)
		return;
	if (t->journal)
		journal_node_del(t->journal, n->path, n->pathlen);
	if (n->parent) {
		/* The parent's memory changes with its child list. */
		account(t, n->parent, -1);
		del_kid(t, n->parent, n);
		account(t, n->parent, +1);
	}
	remove_rec(t, n, visit, ctx);
}

static int walk_rec(struct node *n, int (*fn)(void *, struct node *), void *ctx)
{
	uint32_t i = 0;

	while (i < n->nkids) {
		struct node *k = n->kids[i];
		int r = fn(ctx, k);

		if (r == WALK_REMOVED)
			continue;
		if (r == WALK_CONTINUE)
			walk_rec(k, fn, ctx);
		i++;
	}
	return 0;
}

void tree_walk(struct tree *t, struct node *from, int (*fn)(void *ctx, struct node *n), void *ctx)
{
	int r;

	if (!from)
		from = t->root;
	r = fn(ctx, from);
	if (r == WALK_CONTINUE)
		walk_rec(from, fn, ctx);
}

static const struct xs_perm dom0_only = {.domid = 0, .mode = XS_PERM_NONE};

int tree_init(struct tree *t, struct acct *acct)
{
	static const char *const special[] = {"@introduceDomain", "@releaseDomain"};
	struct node *root;

	memset(t, 0, sizeof(*t));
	t->acct = acct;
	if (htable_init(&t->index, 1024) < 0)
		return -ENOMEM;
	root = node_alloc("/", 1, &dom0_only, 1, NULL, 0);
	if (!root)
		goto fail;
	root->gen = root->kids_gen = ++t->gen_counter;
	htable_add(&t->index, &root->h, hash_bytes("/", 1));
	account(t, root, +1);
	t->root = root;
	for (size_t i = 0; i < 2; i++)
		if (!tree_create(t, special[i], strlen(special[i]), &dom0_only, 1, NULL, 0))
			goto fail;
	return 0;
fail:
	tree_fini(t);
	return -ENOMEM;
}

static void free_rec(struct node *n)
{
	for (uint32_t i = 0; i < n->nkids; i++)
		free_rec(n->kids[i]);
	node_free(n);
}

void tree_fini(struct tree *t)
{
	/* Special nodes have no parent: free them through the index. */
	if (t->index.buckets) {
		for (size_t b = 0; b <= t->index.mask; b++) {
			struct hnode *e = t->index.buckets[b], *next;

			for (; e; e = next) {
				struct node *n = container_of(e, struct node, h);

				next = e->next;
				if (!n->parent && n != t->root)
					node_free(n);
			}
		}
	}
	if (t->root)
		free_rec(t->root);
	t->root = NULL;
	htable_fini(&t->index);
}
