/*
 * Transactions. A transaction keeps only what it touched: for each node it
 * looked at, the generation it saw in the tree, and its own version of the
 * nodes it changed. Reads see the transaction's changes over the live tree.
 * Commit fails with EAGAIN only if a node it saw has changed since (its
 * data, permissions or existence, or the child list it listed); then the
 * changes are applied in path order and watches fire.
 */
#ifndef XSD_TXN_H
#define XSD_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#include "buf.h"
#include "hash.h"
#include "list.h"
#include "perms.h"
#include "quota.h"

struct xsd;
struct conn;
struct view;
struct tnode;

struct txn {
	struct list conn_link;
	struct conn *conn;
	uint32_t id;
	unsigned max_nodes; /* tnodes allowed, 0 = no limit */
	struct htable index;
	struct tnode *first, *last;
	unsigned ntnodes;
	unsigned nmasks;  /* tnodes that hide the tree below them */
	/* Path lengths at which a hiding tnode may be (bits are never cleared). */
	uint8_t mask_lens[(XENSTORE_ABS_PATH_MAX + 8) / 8];
	unsigned created; /* nodes this transaction creates */
	uint64_t kid_mods;
	struct acct_dom *acct; /* charged for the memory used; NULL for the privileged */
	unsigned mem_quota;
	uint64_t memory;
};

/*
 * Returns a new transaction (not yet on any connection) or NULL. An
 * unprivileged owner's memory (acct) is charged and checked against mem_quota.
 */
struct txn *txn_new(uint32_t id, unsigned max_nodes, struct acct_dom *acct, unsigned mem_quota);
void txn_free(struct txn *t);

/* The view primitives store.c builds on. Return 0 or -errno. */
int txn_lookup(struct txn *t, struct xsd *x, const char *path, size_t len, struct view *v);
int txn_kids(struct txn *t, struct xsd *x, const char *path, size_t len, struct buf *out,
	     uint64_t *gen);
int txn_create(struct txn *t, struct xsd *x, const char *path, size_t len, const struct xs_perm *p,
	       unsigned np, const void *data, uint32_t dlen, bool fire);
/* data NULL: keep; p NULL: keep. */
int txn_set(struct txn *t, struct xsd *x, const char *path, size_t len, const void *data,
	    uint32_t dlen, const struct xs_perm *p, unsigned np);
int txn_remove(struct txn *t, struct xsd *x, const char *path, size_t len);

/* Validates and applies. Returns 0, -EAGAIN (conflict), -ENOSPC (quota) or -ENOMEM. */
int txn_commit(struct txn *t, struct xsd *x, const struct ident *who);

#endif /* XSD_TXN_H */
