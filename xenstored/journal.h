/*
 * Persistence: an append-only journal of changes to the tree and to the set
 * of introduced domains (with their watches). At start the journal is
 * replayed and rewritten compactly; it is compacted again as it grows. A
 * journal written under another boot of the host is discarded: no domain
 * survives a reboot.
 *
 * Records are buffered and written once per loop round, before replies go
 * out, so a client never sees a reply whose change is not in the file.
 */
#ifndef XSD_JOURNAL_H
#define XSD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perms.h"

struct journal;
struct node;

struct journal_replay {
	void *ctx;
	/* Each returns 0, or <0 to skip a record that makes no sense. */
	int (*node)(void *ctx, const char *path, size_t len, const struct xs_perm *p, unsigned np,
		    const void *data, uint32_t dlen);
	int (*del)(void *ctx, const char *path, size_t len);
	int (*domain)(void *ctx, unsigned domid, bool up, uint64_t mfn, uint32_t port,
		      int32_t target);
	int (*watch)(void *ctx, unsigned domid, bool add, bool relative, const char *path,
		     const char *token);
};

/*
 * Opens (creating dir and file as needed) and replays the journal in dir.
 * Returns 0 or -errno; *out is set on success.
 */
int journal_open(const char *dir, const struct journal_replay *r, struct journal **out);
void journal_close(struct journal *j);

void journal_node_set(struct journal *j, const struct node *n);
void journal_node_del(struct journal *j, const char *path, size_t len);
void journal_domain(struct journal *j, unsigned domid, bool up, uint64_t mfn, uint32_t port,
		    int32_t target);
void journal_watch(struct journal *j, unsigned domid, bool add, bool relative, const char *path,
		   const char *token);

/* Records between begin and end replay all or not at all. Nestable. */
void journal_batch_begin(struct journal *j);
void journal_batch_end(struct journal *j);

/* Writes buffered records. Returns 0 or -errno (the records stay buffered). */
int journal_flush(struct journal *j);

/* Whether the file has grown enough to be worth rewriting. */
bool journal_wants_compaction(const struct journal *j);

/*
 * Rewrites the journal as the current state, which dump emits through
 * journal_node_set() and friends. Returns 0 or -errno (the old file stays).
 */
int journal_compact(struct journal *j, void (*dump)(void *ctx, struct journal *j), void *ctx);

#endif /* XSD_JOURNAL_H */
