#include "persist.h"

#include <errno.h>
#include <string.h>

#include "conn.h"
#include "domain.h"
#include "journal.h"
#include "log.h"
#include "tree.h"
#include "watch.h"
#include "xsd.h"

static int replay_node(void *ctx, const char *path, size_t len, const struct xs_perm *p,
		       unsigned np, const void *data, uint32_t dlen)
{
	struct xsd *x = ctx;
	struct node *n;

	/* Only what the store itself could have made. */
	if (!np || len > XENSTORE_ABS_PATH_MAX || (path[0] != '/' && path[0] != '@'))
		return -EINVAL;
	n = tree_lookup(&x->tree, path, len);
	if (!n)
		return tree_create(&x->tree, path, len, p, np, data, dlen) ? 0 : -errno;
	if (tree_set_perms(&x->tree, n, p, np) < 0)
		return -ENOMEM;
	return tree_set_data(&x->tree, n, data, dlen);
}

static int replay_del(void *ctx, const char *path, size_t len)
{
	struct xsd *x = ctx;
	struct node *n = tree_lookup(&x->tree, path, len);

	if (!n || n == x->tree.root)
		return -ENOENT;
	tree_remove(&x->tree, n, NULL, NULL);
	return 0;
}

static int replay_domain(void *ctx, unsigned domid, bool up, uint64_t mfn, uint32_t port,
			 int32_t target)
{
	struct xsd *x = ctx;

	if (!up) {
		domain_forget(x, domid);
		return 0;
	}
	return domain_restore(x, domid, mfn, port, target);
}

static int replay_watch(void *ctx, unsigned domid, bool add, bool relative, const char *path,
			const char *token)
{
	return domain_restore_watch(ctx, domid, add, relative, path, token);
}

static int dump_node(void *ctx, struct node *n)
{
	journal_node_set(ctx, n);
	return WALK_CONTINUE;
}

static void dump(void *ctx, struct journal *j)
{
	static const char *const special[] = {"@introduceDomain", "@releaseDomain"};
	struct xsd *x = ctx;
	struct list *dpos, *dtmp;

	tree_walk(&x->tree, NULL, dump_node, j);
	for (size_t i = 0; i < 2; i++) {
		struct node *n = tree_lookup(&x->tree, special[i], strlen(special[i]));

		if (n)
			journal_node_set(j, n);
	}
	list_for_each_safe(dpos, dtmp, &x->domain_list)
	{
		struct domain *d = list_entry(dpos, struct domain, link);
		unsigned id = d->domid;
		struct list *pos, *tmp;

		journal_domain(j, id, true, d->mfn, d->port, d->target);
		for (size_t off = 0; off < d->saved_watches.len;) {
			const char *p = d->saved_watches.p + off + 1, *t = p + strlen(p) + 1;

			journal_watch(j, id, true, p[-1] == 'R', p, t);
			off = (size_t)(t - d->saved_watches.p) + strlen(t) + 1;
		}
		if (!d->conn)
			continue;
		list_for_each_safe(pos, tmp, &d->conn->watches)
		{
			struct watch *w = list_entry(pos, struct watch, conn_link);

			journal_watch(j, id, true, w->prefix_len != 0, w->path, w->token);
		}
	}
}

int persist_compact(struct xsd *x)
{
	int ret = journal_compact(x->journal, dump, x);

	if (ret < 0)
		log_msg("journal compaction failed: %s", strerror(-ret));
	return ret;
}

int persist_open(struct xsd *x, const char *dir)
{
	struct journal_replay r = {
		.ctx = x,
		.node = replay_node,
		.del = replay_del,
		.domain = replay_domain,
		.watch = replay_watch,
	};
	int ret;

	/* Replay must not record what it replays. */
	x->journal = NULL;
	ret = journal_open(dir, &r, &x->journal);
	if (ret < 0)
		return ret;
	x->tree.journal = x->journal;
	if (!list_empty(&x->domain_list))
		x->reattach_deadline = xsd_clock_ms() + x->reattach_timeout_s * 1000ull;
	return persist_compact(x);
}
