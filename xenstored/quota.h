/*
 * Quotas (Xen's names and defaults) and the per-domain accounting they are
 * checked against. Quotas bind unprivileged domains only; 0 disables one.
 */
#ifndef XSD_QUOTA_H
#define XSD_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

enum quota_item {
	Q_NODES,	 /* nodes owned by a domain */
	Q_WATCHES,	 /* watches per domain */
	Q_OUTSTANDING,	 /* replies queued but not yet taken by the domain */
	Q_MEMORY,	 /* bytes of nodes, watches, transactions and queued output */
	Q_TRANSACTIONS,	 /* open transactions per domain */
	Q_TRANS_NODES,	 /* nodes touched by one transaction */
	Q_PERMS,	 /* permission entries per node */
	Q_PATH_MAX,	 /* path length below the domain's home */
	Q_NODE_SIZE,	 /* data + children names + permissions of one node */
	Q_COUNT
};

struct quota {
	unsigned val[Q_COUNT];
};

/* Xen's defaults. */
void quota_defaults(struct quota *q);
/* Index of a quota by Xen's name ("nodes", "node-size", ...), or -1. */
int quota_lookup(const char *name);
const char *quota_name(enum quota_item i);
const char *quota_descr(enum quota_item i);
/* Parses "<name>=<value>" into q; returns 0 or -EINVAL. */
int quota_parse_assignment(struct quota *q, const char *arg);

/* Usage by one domain. */
struct acct_dom {
	uint32_t nodes;
	uint32_t watches;
	uint32_t transactions;
	uint64_t memory;
};

/* Usage of every domid (0..65535), in chunks allocated when first used. */
#define ACCT_CHUNK 1024
struct acct {
	struct acct_dom *chunk[65536 / ACCT_CHUNK];
	struct acct_dom spare; /* stands in for a chunk that could not be allocated */
};

int acct_init(struct acct *a);
void acct_fini(struct acct *a);
struct acct_dom *acct_alloc_chunk(struct acct *a, uint16_t domid);

static inline struct acct_dom *acct_of(struct acct *a, uint16_t domid)
{
	struct acct_dom *c = a->chunk[domid / ACCT_CHUNK];

	return c ? &c[domid % ACCT_CHUNK] : acct_alloc_chunk(a, domid);
}

/* What a domain uses, without allocating (zero for domains never seen). */
static inline struct acct_dom acct_peek(const struct acct *a, uint16_t domid)
{
	const struct acct_dom *c = a->chunk[domid / ACCT_CHUNK];
	struct acct_dom none = {0};

	return c ? c[domid % ACCT_CHUNK] : none;
}

/* Adds delta to a counter, clamping at zero so a bookkeeping slip cannot wrap. */
static inline void acct_add32(uint32_t *c, long delta)
{
	long v = (long)*c + delta;

	*c = v < 0 ? 0 : (uint32_t)v;
}

static inline void acct_add64(uint64_t *c, long delta)
{
	if (delta < 0 && (uint64_t)(-delta) > *c)
		*c = 0;
	else
		*c += (uint64_t)delta;
}

/* Whether have + add would pass a quota (0 = unlimited). */
static inline bool quota_exceeded(unsigned limit, uint64_t have, uint64_t add)
{
	return limit && have + add > limit;
}

#endif /* XSD_QUOTA_H */
