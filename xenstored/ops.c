#include "ops.h"

#include <errno.h>
#include <string.h>

#include "conn.h"
#include "log.h"
#include "path.h"
#include "txn.h"
#include "watch.h"
#include "wire.h"
#include "xsd.h"

#define OP_PRIV (1u << 0) /* privileged callers only */
#define OP_NOTX (1u << 1) /* the header's tx_id is ignored */

static const struct {
	const char *name;
	int (*fn)(struct req *r);
	unsigned flags;
} ops[XS_TYPE_COUNT] = {
	[XS_CONTROL] = {"CONTROL", op_control, OP_PRIV},
	[XS_DIRECTORY] = {"DIRECTORY", op_directory, 0},
	[XS_READ] = {"READ", op_read, 0},
	[XS_GET_PERMS] = {"GET_PERMS", op_get_perms, 0},
	[XS_WATCH] = {"WATCH", op_watch, OP_NOTX},
	[XS_UNWATCH] = {"UNWATCH", op_unwatch, OP_NOTX},
	[XS_TRANSACTION_START] = {"TRANSACTION_START", op_transaction_start, 0},
	[XS_TRANSACTION_END] = {"TRANSACTION_END", op_transaction_end, 0},
	[XS_INTRODUCE] = {"INTRODUCE", op_introduce, OP_PRIV},
	[XS_RELEASE] = {"RELEASE", op_release, OP_PRIV},
	[XS_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", op_get_domain_path, 0},
	[XS_WRITE] = {"WRITE", op_write, 0},
	[XS_MKDIR] = {"MKDIR", op_mkdir, 0},
	[XS_RM] = {"RM", op_rm, 0},
	[XS_SET_PERMS] = {"SET_PERMS", op_set_perms, 0},
	[XS_WATCH_EVENT] = {"WATCH_EVENT", NULL, 0},
	[XS_ERROR] = {"ERROR", NULL, 0},
	[XS_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", op_is_domain_introduced, OP_PRIV},
	[XS_RESUME] = {"RESUME", op_resume, OP_PRIV},
	[XS_SET_TARGET] = {"SET_TARGET", op_set_target, OP_PRIV},
	[XS_RESET_WATCHES] = {"RESET_WATCHES", op_reset_watches, OP_NOTX},
	[XS_DIRECTORY_PART] = {"DIRECTORY_PART", op_directory_part, 0},
	[XS_GET_FEATURE] = {"GET_FEATURE", op_get_feature, 0},
};

int req_reply(struct req *r, const void *data, size_t len)
{
	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	if (len && data != r->reply)
		memmove(r->reply, data, len);
	r->reply_len = (uint32_t)len;
	return 0;
}

int req_reply_str(struct req *r, const char *s)
{
	return req_reply(r, s, strlen(s) + 1);
}

int req_ok(struct req *r)
{
	return req_reply(r, "OK", 3);
}

int req_path(struct req *r, const char *in, bool allow_special, char *out, bool *relative)
{
	return path_canon(&r->c->id, in, allow_special, r->x->quota.val[Q_PATH_MAX], out, relative);
}

static struct txn *find_txn(struct conn *c, uint32_t id)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &c->txns)
	{
		struct txn *t = list_entry(pos, struct txn, conn_link);

		if (t->id == id)
			return t;
	}
	return NULL;
}

static void send_error(struct conn *c, const struct xsd_sockmsg *hdr, int err)
{
	const char *name = wire_error_name(err);

	conn_queue_reply(c, XS_ERROR, hdr->req_id, hdr->tx_id, name, (uint32_t)strlen(name) + 1);
}

void ops_dispatch(struct conn *c, const struct xsd_sockmsg *hdr, const char *payload, int *fds,
		  unsigned *nfds)
{
	struct xsd *x = c->x;
	struct req r = {
		.x = x,
		.c = c,
		.hdr = *hdr,
		.p = x->req_buf,
		.len = hdr->len,
		.reply = x->reply_buf,
		.fds = fds,
		.nfds = nfds,
	};
	int ret;

	memcpy(x->req_buf, payload, hdr->len);
	x->req_buf[hdr->len] = 0;
	log_trace("IN  %s dom%u %s req %u tx %u len %u", c->kind, c->id.domid,
		  hdr->type < XS_TYPE_COUNT && ops[hdr->type].name ? ops[hdr->type].name : "UNKNOWN",
		  hdr->req_id, hdr->tx_id, hdr->len);

	if (hdr->type >= XS_TYPE_COUNT || !ops[hdr->type].fn) {
		ret = -ENOSYS;
		goto out;
	}
	if ((ops[hdr->type].flags & OP_PRIV) && !c->id.priv) {
		ret = -EACCES;
		goto out;
	}
	if (!(ops[hdr->type].flags & OP_NOTX) && hdr->tx_id) {
		r.txn = find_txn(c, hdr->tx_id);
		if (!r.txn) {
			ret = -ENOENT;
			goto out;
		}
	}
	r.s.x = x;
	r.s.who = &c->id;
	r.s.txn = r.txn;
	ret = ops[hdr->type].fn(&r);
out:
	if (ret < 0) {
		log_trace("OUT %s dom%u error %s", c->kind, c->id.domid, wire_error_name(-ret));
		send_error(c, hdr, -ret);
		return;
	}
	if (conn_queue_reply(c, hdr->type, hdr->req_id, hdr->tx_id, r.reply, r.reply_len) < 0)
		log_msg("out of memory replying to domain %u", c->id.domid);
	if (r.initial)
		watch_initial_event(r.initial);
}
