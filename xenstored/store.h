/*
 * The store's operations with Xen's semantics (permissions, implicit
 * parents, quotas, watches), done either on the tree or inside a
 * transaction. Paths are canonical (see path.h).
 */
#ifndef XSD_STORE_H
#define XSD_STORE_H

#include <stdint.h>

#include "buf.h"
#include "perms.h"

struct xsd;
struct txn;
struct node;

struct store_ctx {
	struct xsd *x;
	const struct ident *who;
	struct txn *txn; /* NULL: straight on the tree */
};

/* A node as the caller's view shows it. */
struct view {
	const char *data;
	uint32_t dlen;
	const struct xs_perm *perms;
	unsigned nperms;
	uint32_t kids_bytes;
};

/* All return 0 or a negative errno value (Xen's error for the request). */
int store_read(const struct store_ctx *s, const char *path, size_t len, struct view *v);
int store_write(const struct store_ctx *s, const char *path, size_t len, const void *data,
		uint32_t dlen);
int store_mkdir(const struct store_ctx *s, const char *path, size_t len);
int store_rm(const struct store_ctx *s, const char *path, size_t len);
/* Appends the child names, each nul-terminated, to out; *gen changes when they do. */
int store_directory(const struct store_ctx *s, const char *path, size_t len, struct buf *out,
		    uint64_t *gen);
int store_get_perms(const struct store_ctx *s, const char *path, size_t len, struct view *v);
int store_set_perms(const struct store_ctx *s, const char *path, size_t len,
		    const struct xs_perm *p, unsigned np);

/* Removes a node and its subtree from the tree, firing watches. */
void store_remove_node(struct xsd *x, struct node *n);

#endif /* XSD_STORE_H */
