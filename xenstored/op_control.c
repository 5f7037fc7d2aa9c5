/* CONTROL (alias DEBUG): commands for the store's administrator. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "domain.h"
#include "log.h"
#include "ops.h"
#include "tree.h"
#include "wire.h"
#include "xsd.h"

/* Appends formatted text to the reply (the caller adds the final nul). */
static void say(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct req *r, const char *fmt, ...)
{
	size_t room = XENSTORE_PAYLOAD_MAX - r->reply_len;
	va_list ap;
	int n;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->reply + r->reply_len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->reply_len += (size_t)n < room ? (uint32_t)n : (uint32_t)room - 1;
}

static int done(struct req *r)
{
	r->reply[r->reply_len++] = 0;
	return 0;
}

struct check_ctx {
	uint32_t *nodes[65536 / ACCT_CHUNK]; /* nodes counted per owner, by chunk */
	unsigned bad;
	bool nomem;
	struct req *r;
};

static int check_node(void *ctx, struct node *n)
{
	struct check_ctx *cc = ctx;
	uint16_t owner = node_owner(n);
	uint32_t **chunk = &cc->nodes[owner / ACCT_CHUNK];
	bool found = !n->parent;

	for (uint32_t i = 0; n->parent && i < n->parent->nkids; i++)
		found = found || n->parent->kids[i] == n;
	if (!found || !n->nperms) {
		cc->bad++;
		say(cc->r, "node %s: %s\n", n->path, found ? "no permissions" : "not in its parent");
	}
	if (!*chunk && !(*chunk = calloc(ACCT_CHUNK, sizeof(**chunk))))
		cc->nomem = true;
	else
		(*chunk)[owner % ACCT_CHUNK]++;
	return WALK_CONTINUE;
}

/* Walks the tree and recounts what every domain owns. */
static int control_check(struct req *r)
{
	static const char *const special[] = {"@introduceDomain", "@releaseDomain"};
	struct xsd *x = r->x;
	struct check_ctx cc = {.r = r};
	int ret = 0;

	tree_walk(&x->tree, NULL, check_node, &cc);
	for (size_t i = 0; i < 2; i++) {
		struct node *n = tree_lookup(&x->tree, special[i], strlen(special[i]));

		if (n)
			check_node(&cc, n);
	}
	for (unsigned c = 0; c < 65536 / ACCT_CHUNK; c++) {
		if (!cc.nodes[c] && !x->acct.chunk[c])
			continue;
		for (unsigned d = c * ACCT_CHUNK; d < (c + 1) * ACCT_CHUNK; d++) {
			uint32_t counted = cc.nodes[c] ? cc.nodes[c][d % ACCT_CHUNK] : 0;
			uint32_t accounted = acct_peek(&x->acct, (uint16_t)d).nodes;

			if (counted != accounted) {
				cc.bad++;
				say(r, "domain %u: owns %u nodes, accounted %u\n", d, counted,
				    accounted);
			}
		}
	}
	for (unsigned c = 0; c < 65536 / ACCT_CHUNK; c++)
		free(cc.nodes[c]);
	if (cc.nomem)
		ret = -ENOMEM;
	else if (!cc.bad)
		say(r, "OK");
	return ret < 0 ? ret : done(r);
}

static int control_quota(struct req *r, const char **argv, unsigned argc)
{
	struct xsd *x = r->x;
	unsigned long v;
	unsigned domid;
	int i;

	if (argc == 0) {
		for (i = 0; i < Q_COUNT; i++)
			say(r, "%-18s %8u  %s\n", quota_name(i), x->quota.val[i], quota_descr(i));
		return done(r);
	}
	if (argc == 3 && strcmp(argv[0], "set") == 0) {
		i = quota_lookup(argv[1]);
		if (i < 0 || wire_parse_ulong(argv[2], 0x7fffffff, &v) < 0)
			return -EINVAL;
		x->quota.val[i] = (unsigned)v;
		return req_ok(r);
	}
	if (argc == 1 && wire_parse_domid(argv[0], &domid) == 0) {
		struct acct_dom a = acct_peek(&x->acct, (uint16_t)domid);

		say(r, "nodes %u\nwatches %u\ntransactions %u\nmemory %llu\n", a.nodes, a.watches,
		    a.transactions, (unsigned long long)a.memory);
		return done(r);
	}
	return -EINVAL;
}

static int control_memreport(struct req *r)
{
	struct xsd *x = r->x;
	unsigned ndom = 0;
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &x->domain_list)
		ndom++;
	say(r, "nodes %zu\nwatches %zu\nconnections %u\ndomains %u\n", x->tree.index.count,
	    x->watches.count, x->nconns, ndom);
	return done(r);
}

int op_control(struct req *r)
{
	const char *argv[8];
	int n = wire_count_strings(r->p, r->len);
	unsigned argc;

	if (n < 1)
		return -EINVAL;
	argc = wire_strings(r->p, r->len, argv, 8);
	if (strcmp(argv[0], "check") == 0)
		return control_check(r);
	if (strcmp(argv[0], "quota") == 0)
		return control_quota(r, argv + 1, argc - 1);
	if (strcmp(argv[0], "memreport") == 0)
		return control_memreport(r);
	if (strcmp(argv[0], "log") == 0) {
		if (argc == 2 && (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0)) {
			log_set_trace(argv[1][1] == 'n');
			return req_ok(r);
		}
		if (argc == 1) {
			say(r, "log on|off: trace every request\n");
			return done(r);
		}
		return -EINVAL;
	}
	if (strcmp(argv[0], "logfile") == 0) {
		if (argc != 2)
			return -EINVAL;
		return log_open(argv[1]) < 0 ? -EINVAL : req_ok(r);
	}
	if (strcmp(argv[0], "print") == 0) {
		if (argc != 2)
			return -EINVAL;
		log_msg("%s", argv[1]);
		return req_ok(r);
	}
	if (strcmp(argv[0], "help") == 0) {
		say(r, "check\nhelp\nlog [on|off]\nlogfile <file>\nmemreport\nprint <string>\n"
		       "quota [set <name> <value>|<domid>]\n");
		return done(r);
	}
	return -EINVAL;
}
