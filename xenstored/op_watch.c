/* Watch and transaction requests: WATCH, UNWATCH, RESET_WATCHES, TRANSACTION_START/END. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "ops.h"
#include "path.h"
#include "txn.h"
#include "watch.h"
#include "wire.h"
#include "xsd.h"

/* "<path>\0<token>\0", exactly. */
static int watch_args(struct req *r, char *path, bool *rel, const char **token)
{
	const char *vec[2];

	if (wire_count_strings(r->p, r->len) != 2)
		return -EINVAL;
	wire_strings(r->p, r->len, vec, 2);
	*token = vec[1];
	return req_path(r, vec[0], true, path, rel);
}

int op_watch(struct req *r)
{
	char path[PATH_BUF];
	const char *token;
	bool rel;
	int len = watch_args(r, path, &rel, &token);

	if (len < 0)
		return len;
	r->initial = watch_add(r->c, path, (size_t)len, rel, token);
	if (!r->initial)
		return -errno;
	return req_ok(r);
}

int op_unwatch(struct req *r)
{
	char path[PATH_BUF];
	const char *token;
	bool rel;
	int len = watch_args(r, path, &rel, &token);

	if (len < 0)
		return len;
	len = watch_del(r->c, path, (size_t)len, token);
	return len < 0 ? len : req_ok(r);
}

static void drop_txn(struct conn *c, struct txn *t)
{
	list_del(&t->conn_link);
	c->ntxns--;
	if (!c->id.priv)
		acct_add32(&acct_of(&c->x->acct, c->id.domid)->transactions, -1);
	txn_free(t);
}

int op_reset_watches(struct req *r)
{
	struct list *pos, *tmp;

	watch_del_all(r->c);
	list_for_each_safe(pos, tmp, &r->c->txns)
		drop_txn(r->c, list_entry(pos, struct txn, conn_link));
	return req_ok(r);
}

static bool txid_in_use(struct conn *c, uint32_t id)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &c->txns)
		if (list_entry(pos, struct txn, conn_link)->id == id)
			return true;
	return false;
}

int op_transaction_start(struct req *r)
{
	struct conn *c = r->c;
	struct xsd *x = r->x;
	struct acct_dom *a = c->id.priv ? NULL : acct_of(&x->acct, c->id.domid);
	char id_str[16];
	struct txn *t;
	uint32_t id;

	/* No nested transactions. */
	if (r->txn)
		return -EBUSY;
	if (a ? quota_exceeded(x->quota.val[Q_TRANSACTIONS], a->transactions, 1)
	      : quota_exceeded(x->limits.priv_transactions, c->ntxns, 1))
		return -ENOSPC;
	do {
		id = c->next_txid++;
	} while (id == 0 || txid_in_use(c, id));
	t = txn_new(id, a ? x->quota.val[Q_TRANS_NODES] : 0, a, x->quota.val[Q_MEMORY]);
	if (!t)
		return -ENOMEM;
	t->conn = c;
	list_add_tail(&c->txns, &t->conn_link);
	c->ntxns++;
	if (a)
		a->transactions++;
	snprintf(id_str, sizeof(id_str), "%u", id);
	return req_reply_str(r, id_str);
}

int op_transaction_end(struct req *r)
{
	const char *arg = wire_onearg(r->p, r->len);
	struct txn *t = r->txn;
	int ret = 0;

	if (!arg || (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0))
		return -EINVAL;
	if (!t)
		return -ENOENT;
	if (arg[0] == 'T')
		ret = txn_commit(t, r->x, &r->c->id);
	drop_txn(r->c, t);
	return ret < 0 ? ret : req_ok(r);
}
