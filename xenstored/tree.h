/*
 * The store's tree: nodes indexed by full path in a hash table, each with
 * its parent, its children in creation order, data and permissions.
 * Special nodes ("@introduceDomain", "@releaseDomain") live in the index
 * without a parent; they only carry permissions.
 *
 * Every change bumps a generation (gen for data/perms/existence, kids_gen
 * for the child list) from one counter, which is what transactions check
 * for conflicts. Changes are accounted to the owner's domain and, if a
 * journal is attached, recorded in it.
 */
#ifndef XSD_TREE_H
#define XSD_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "perms.h"
#include "quota.h"

struct journal;

struct node {
	struct hnode h;
	struct node *parent;
	struct node **kids;
	uint32_t nkids, kcap;
	uint32_t kids_bytes; /* sum of (child name length + 1): a DIRECTORY reply */
	uint32_t pathlen;
	uint32_t dlen;
	uint16_t nperms;
	uint64_t gen;
	uint64_t kids_gen;
	struct xs_perm *perms;
	char *data;
	char path[];
};

struct tree {
	struct htable index;
	struct node *root;
	struct acct *acct;
	struct journal *journal;
	uint64_t gen_counter;
};

/* Creates "/" and the special nodes, all owned by dom0 ("n0"). Returns 0 or -ENOMEM. */
int tree_init(struct tree *t, struct acct *acct);
void tree_fini(struct tree *t);

struct node *tree_lookup(const struct tree *t, const char *path, size_t len);

/*
 * Creates one node whose parent exists (special "@" names have none).
 * Returns the node, or NULL with errno ENOMEM, ENOENT (no parent) or EEXIST.
 */
struct node *tree_create(struct tree *t, const char *path, size_t len, const struct xs_perm *p,
			 unsigned np, const void *data, uint32_t dlen);

/* Return 0 or -ENOMEM; the node is unchanged on failure. */
int tree_set_data(struct tree *t, struct node *n, const void *data, uint32_t dlen);
int tree_set_perms(struct tree *t, struct node *n, const struct xs_perm *p, unsigned np);

/*
 * Removes n and everything below it. visit (may be NULL) sees every node
 * still intact just before it goes, children before their parent.
 */
void tree_remove(struct tree *t, struct node *n, void (*visit)(void *ctx, struct node *n),
		 void *ctx);

/* Pre-order walk. fn returns WALK_CONTINUE, WALK_SKIP (not below this node)
 * or WALK_REMOVED (fn removed the node itself). */
enum { WALK_CONTINUE, WALK_SKIP, WALK_REMOVED };
void tree_walk(struct tree *t, struct node *from, int (*fn)(void *ctx, struct node *n), void *ctx);

/* Bytes the node-size quota counts: data, children names, permissions. */
static inline size_t node_size(const struct node *n)
{
	return n->dlen + n->kids_bytes + n->nperms * sizeof(struct xs_perm);
}

/* Memory accounted to the node's owner. */
size_t node_memory(const struct node *n);

static inline uint16_t node_owner(const struct node *n)
{
	return n->nperms ? n->perms[0].domid : 0;
}

static inline const char *node_name(const struct node *n)
{
	const char *s = n->path + n->pathlen;

	while (s > n->path && s[-1] != '/')
		s--;
	return s;
}

#endif /* XSD_TREE_H */
