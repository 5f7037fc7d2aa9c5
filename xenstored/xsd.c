#include "xsd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "domain.h"
#include "journal.h"
#include "persist.h"

/* Requests one connection may have handled per round before others get a turn. */
#define ROUND_BUDGET 64

uint64_t xsd_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int xsd_init(struct xsd *x)
{
	memset(x, 0, sizeof(*x));
	quota_defaults(&x->quota);
	x->limits = (struct xsd_limits){
		.priv_out_max = 16u << 20,
		.out_soft = 64u << 10,
		.priv_transactions = 8192,
		.priv_watches = 1u << 20,
	};
	x->reattach_timeout_s = 30;
	list_init(&x->conns);
	list_init(&x->ready);
	list_init(&x->dirty);
	list_init(&x->dead);
	list_init(&x->domain_list);
	x->domains = calloc(DOMID_FIRST_RESERVED, sizeof(*x->domains));
	if (!x->domains || acct_init(&x->acct) < 0 || htable_init(&x->watches, 256) < 0)
		goto fail;
	if (tree_init(&x->tree, &x->acct) < 0)
		goto fail;
	return 0;
fail:
	htable_fini(&x->watches);
	acct_fini(&x->acct);
	free(x->domains);
	return -ENOMEM;
}

static struct conn *first(struct list *l, size_t off)
{
	return (struct conn *)((char *)l->next - off);
}

void xsd_fini(struct xsd *x)
{
	/* Shutting down is not releasing: the journal keeps domains for a restart. */
	if (x->journal)
		journal_close(x->journal);
	x->journal = x->tree.journal = NULL;
	while (!list_empty(&x->domain_list))
		domain_forget(x, list_entry(x->domain_list.next, struct domain, link)->domid);
	while (!list_empty(&x->conns))
		conn_free(first(&x->conns, offsetof(struct conn, link)));
	while (!list_empty(&x->dead))
		conn_free(first(&x->dead, offsetof(struct conn, link)));
	tree_fini(&x->tree);
	htable_fini(&x->watches);
	acct_fini(&x->acct);
	free(x->domains);
	x->domains = NULL;
}

void xsd_run_pending(struct xsd *x)
{
	struct list again;

	x->now_ms = xsd_clock_ms();
	if (x->reattach_deadline && x->now_ms >= x->reattach_deadline) {
		x->reattach_deadline = 0;
		domain_expire_restored(x);
	}
	if (x->ring_recheck_ms && x->now_ms >= x->ring_recheck_ms) {
		x->ring_recheck_ms = 0;
		for (struct list *pos = x->conns.next; pos != &x->conns; pos = pos->next) {
			struct conn *c = list_entry(pos, struct conn, link);

			if (c->dom)
				conn_mark_ready(c);
		}
	}
	list_init(&again);
	while (!list_empty(&x->ready)) {
		struct conn *c = first(&x->ready, offsetof(struct conn, ready_link));

		list_del(&c->ready_link);
		if (conn_process(c, ROUND_BUDGET) && list_empty(&c->ready_link))
			list_add_tail(&again, &c->ready_link);
	}
	if (!list_empty(&again)) {
		/* Move the leftovers back for the next round. */
		x->ready.next = again.next;
		x->ready.prev = again.prev;
		again.next->prev = &x->ready;
		again.prev->next = &x->ready;
	}

	/* Freeing connections may release domains, which changes the tree and fires watches. */
	do {
		if (x->journal) {
			journal_flush(x->journal);
			if (journal_wants_compaction(x->journal))
				persist_compact(x);
		}
		while (!list_empty(&x->dirty)) {
			struct conn *c = first(&x->dirty, offsetof(struct conn, dirty_link));

			list_del(&c->dirty_link);
			conn_flush(c);
		}
		while (!list_empty(&x->dead))
			conn_free(first(&x->dead, offsetof(struct conn, link)));
	} while (!list_empty(&x->dirty));

}
