/* Node requests: READ, WRITE, MKDIR, RM, DIRECTORY(_PART), GET/SET_PERMS. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "ops.h"
#include "path.h"
#include "wire.h"
#include "xsd.h"

/* Canonicalises the request's only argument. */
static int onearg_path(struct req *r, bool allow_special, char *path)
{
	const char *arg = wire_onearg(r->p, r->len);
	bool rel;

	if (!arg)
		return -EINVAL;
	return req_path(r, arg, allow_special, path, &rel);
}

int op_read(struct req *r)
{
	char path[PATH_BUF];
	struct view v;
	int len = onearg_path(r, false, path), ret;

	if (len < 0)
		return len;
	ret = store_read(&r->s, path, (size_t)len, &v);
	if (ret < 0)
		return ret;
	return req_reply(r, v.data, v.dlen);
}

int op_write(struct req *r)
{
	char path[PATH_BUF];
	const char *vec[1];
	size_t off;
	bool rel;
	int len;

	if (wire_strings(r->p, r->len, vec, 1) != 1)
		return -EINVAL;
	off = strlen(vec[0]) + 1;
	len = req_path(r, vec[0], false, path, &rel);
	if (len < 0)
		return len;
	len = store_write(&r->s, path, (size_t)len, r->p + off, r->len - (uint32_t)off);
	return len < 0 ? len : req_ok(r);
}

int op_mkdir(struct req *r)
{
	char path[PATH_BUF];
	int len = onearg_path(r, false, path);

	if (len < 0)
		return len;
	len = store_mkdir(&r->s, path, (size_t)len);
	return len < 0 ? len : req_ok(r);
}

int op_rm(struct req *r)
{
	char path[PATH_BUF];
	int len = onearg_path(r, false, path);

	if (len < 0)
		return len;
	len = store_rm(&r->s, path, (size_t)len);
	return len < 0 ? len : req_ok(r);
}

int op_directory(struct req *r)
{
	char path[PATH_BUF];
	struct buf kids = {0};
	uint64_t gen;
	int len = onearg_path(r, false, path), ret;

	if (len < 0)
		return len;
	ret = store_directory(&r->s, path, (size_t)len, &kids, &gen);
	if (ret == 0)
		ret = req_reply(r, kids.p, kids.len);
	buf_free(&kids);
	return ret;
}

/*
 * The children list from a byte offset, for lists longer than a payload:
 * "<gen>\0" then as many whole names as fit, and one more nul once the
 * list is complete. gen changes whenever the list does.
 */
int op_directory_part(struct req *r)
{
	char path[PATH_BUF], gen_str[24];
	const char *vec[2];
	struct buf kids = {0};
	unsigned long off;
	uint64_t gen;
	size_t genlen, chunk = 0, maxlen;
	bool rel;
	int len, ret;

	if (wire_count_strings(r->p, r->len) != 2)
		return -EINVAL;
	wire_strings(r->p, r->len, vec, 2);
	if (wire_parse_ulong(vec[1], UINT32_MAX, &off) < 0)
		return -EINVAL;
	len = req_path(r, vec[0], false, path, &rel);
	if (len < 0)
		return len;
	ret = store_directory(&r->s, path, (size_t)len, &kids, &gen);
	if (ret < 0)
		goto out;
	genlen = (size_t)snprintf(gen_str, sizeof(gen_str), "%" PRIu64, gen) + 1;
	memcpy(r->reply, gen_str, genlen);
	if (off >= kids.len) {
		r->reply[genlen] = 0;
		ret = req_reply(r, r->reply, genlen + 1);
		goto out;
	}
	maxlen = XENSTORE_PAYLOAD_MAX - genlen - 1;
	while (off + chunk < kids.len) {
		size_t name = strlen(kids.p + off + chunk);

		if (chunk + name + 1 > maxlen)
			break;
		chunk += name + 1;
	}
	memcpy(r->reply + genlen, kids.p + off, chunk);
	if (off + chunk == kids.len)
		r->reply[genlen + chunk++] = 0;
	ret = req_reply(r, r->reply, genlen + chunk);
out:
	buf_free(&kids);
	return ret;
}

int op_get_perms(struct req *r)
{
	char path[PATH_BUF];
	struct view v;
	size_t n;
	int len = onearg_path(r, true, path), ret;

	if (len < 0)
		return len;
	ret = store_get_perms(&r->s, path, (size_t)len, &v);
	if (ret < 0)
		return ret;
	n = perms_format(v.perms, v.nperms, r->reply, XENSTORE_PAYLOAD_MAX);
	if (!n && v.nperms)
		return -E2BIG;
	return req_reply(r, r->reply, n);
}

int op_set_perms(struct req *r)
{
	char path[PATH_BUF];
	struct xs_perm *perms;
	int count = wire_count_strings(r->p, r->len), len, ret;
	size_t off;
	unsigned np;
	bool rel;

	if (count < 2)
		return -EINVAL;
	np = (unsigned)count - 1;
	if (!r->c->id.priv && quota_exceeded(r->x->quota.val[Q_PERMS], np, 0))
		return -ENOSPC;
	perms = malloc(np * sizeof(*perms));
	if (!perms)
		return -ENOMEM;
	off = strlen(r->p) + 1;
	ret = perms_parse(r->p + off, r->len - off, np, perms);
	if (ret < 0)
		goto out;
	len = req_path(r, r->p, true, path, &rel);
	if (len < 0) {
		ret = len;
		goto out;
	}
	ret = store_set_perms(&r->s, path, (size_t)len, perms, np);
	if (ret == 0)
		ret = req_ok(r);
out:
	free(perms);
	return ret;
}
