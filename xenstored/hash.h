/*
 * A chained hash table of intrusive nodes, and a keyed string hash
 * (SipHash-2-4) so that hostile clients cannot aim many keys at one chain.
 */
#ifndef XSD_HASH_H
#define XSD_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "list.h"

struct hnode {
	struct hnode *next;
	uint64_t hash;
};

struct htable {
	struct hnode **buckets;
	size_t mask; /* buckets - 1, a power of two minus one */
	size_t count;
};

/* Sets the process-wide hash key from the kernel's random source. */
void hash_seed_random(void);
uint64_t hash_bytes(const void *data, size_t len);

/* Returns 0 or -ENOMEM. */
int htable_init(struct htable *t, size_t buckets);
void htable_fini(struct htable *t);
/* Never fails: if the table cannot grow, chains just get longer. */
void htable_add(struct htable *t, struct hnode *n, uint64_t hash);
void htable_del(struct htable *t, struct hnode *n);

static inline struct hnode *htable_chain(const struct htable *t, uint64_t hash)
{
	return t->buckets[hash & t->mask];
}

#endif /* XSD_HASH_H */
