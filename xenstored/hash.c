#include "hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static uint64_t key0 = 0x736f6d6570736575ULL, key1 = 0x646f72616e646f6dULL;

void hash_seed_random(void)
{
	uint64_t k[2];

	if (getrandom(k, sizeof(k), GRND_NONBLOCK) == sizeof(k)) {
		key0 = k[0];
		key1 = k[1];
	}
}

static inline uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND(v0, v1, v2, v3)                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = rotl(v1, 13) ^ v0;                                                            \
		v0 = rotl(v0, 32);                                                                 \
		v2 += v3;                                                                          \
		v3 = rotl(v3, 16) ^ v2;                                                            \
		v0 += v3;                                                                          \
		v3 = rotl(v3, 21) ^ v0;                                                            \
		v2 += v1;                                                                          \
		v1 = rotl(v1, 17) ^ v2;                                                            \
		v2 = rotl(v2, 32);                                                                 \
	} while (0)

uint64_t hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t v0 = key0 ^ 0x736f6d6570736575ULL, v1 = key1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = key0 ^ 0x6c7967656e657261ULL, v3 = key1 ^ 0x7465646279746573ULL;
	uint64_t m, last = (uint64_t)len << 56;
	size_t i, tail = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (size_t j = 0; j < tail; j++)
		last |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= last;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= last;
	v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

int htable_init(struct htable *t, size_t buckets)
{
	size_t n = 16;

	while (n < buckets)
		n <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->mask = n - 1;
	t->count = 0;
	return 0;
}

void htable_fini(struct htable *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->count = 0;
}

static void grow(struct htable *t)
{
	size_t n = (t->mask + 1) * 2, i;
	struct hnode **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return;
	for (i = 0; i <= t->mask; i++) {
		struct hnode *h = t->buckets[i], *next;

		for (; h; h = next) {
			next = h->next;
			h->next = nb[h->hash & (n - 1)];
			nb[h->hash & (n - 1)] = h;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->mask = n - 1;
}

void htable_add(struct htable *t, struct hnode *n, uint64_t hash)
{
	struct hnode **b;

	if (t->count >= t->mask + 1)
		grow(t);
	b = &t->buckets[hash & t->mask];
	n->hash = hash;
	n->next = *b;
	*b = n;
	t->count++;
}

void htable_del(struct htable *t, struct hnode *n)
{
	struct hnode **pp = &t->buckets[n->hash & t->mask];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->count--;
			return;
		}
	}
}
