#include "quota.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xs_wire.h>

static const struct {
	const char *name;
	const char *descr;
	unsigned dflt;
} quota_defs[Q_COUNT] = {
	[Q_NODES] = {"nodes", "nodes owned per domain", 1000},
	[Q_WATCHES] = {"watches", "watches per domain", 128},
	[Q_OUTSTANDING] = {"outstanding", "outstanding requests per domain", 20},
	[Q_MEMORY] = {"memory", "total xenstore memory per domain", 2 * 1024 * 1024 + 512 * 1024},
	[Q_TRANSACTIONS] = {"transactions", "open transactions per domain", 10},
	[Q_TRANS_NODES] = {"transaction-nodes", "nodes accessed per transaction", 1024},
	[Q_PERMS] = {"node-permissions", "permissions per node", 5},
	[Q_PATH_MAX] = {"path-max", "path length below a domain's home", XENSTORE_REL_PATH_MAX},
	[Q_NODE_SIZE] = {"node-size", "size of one node (data, children, permissions)", 2048},
};

void quota_defaults(struct quota *q)
{
	for (int i = 0; i < Q_COUNT; i++)
		q->val[i] = quota_defs[i].dflt;
}

int quota_lookup(const char *name)
{
	for (int i = 0; i < Q_COUNT; i++)
		if (strcmp(name, quota_defs[i].name) == 0)
			return i;
	/* Xen's older spelling of the path quota. */
	if (strcmp(name, "path-length") == 0)
		return Q_PATH_MAX;
	return -1;
}

const char *quota_name(enum quota_item i)
{
	return quota_defs[i].name;
}

const char *quota_descr(enum quota_item i)
{
	return quota_defs[i].descr;
}

int quota_parse_assignment(struct quota *q, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[32], *end;
	unsigned long v;
	int i;

	if (!eq || (size_t)(eq - arg) >= sizeof(name))
		return -EINVAL;
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = 0;
	i = quota_lookup(name);
	if (i < 0 || !eq[1])
		return -EINVAL;
	errno = 0;
	v = strtoul(eq + 1, &end, 10);
	if (errno || *end || v > 0x7fffffffUL)
		return -EINVAL;
	q->val[i] = (unsigned)v;
	return 0;
}

int acct_init(struct acct *a)
{
	memset(a, 0, sizeof(*a));
	return 0;
}

struct acct_dom *acct_alloc_chunk(struct acct *a, uint16_t domid)
{
	struct acct_dom **c = &a->chunk[domid / ACCT_CHUNK];

	*c = calloc(ACCT_CHUNK, sizeof(**c));
	return *c ? &(*c)[domid % ACCT_CHUNK] : &a->spare;
}

void acct_fini(struct acct *a)
{
	for (size_t i = 0; i < 65536 / ACCT_CHUNK; i++)
		free(a->chunk[i]);
	memset(a, 0, sizeof(*a));
}
