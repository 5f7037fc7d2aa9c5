#include "domain.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conn.h"
#include "journal.h"
#include "log.h"
#include "ring.h"
#include "store.h"
#include "tree.h"
#include "watch.h"
#include "xsd.h"

struct domain *domain_find(struct xsd *x, unsigned domid)
{
	return domid < DOMID_FIRST_RESERVED ? x->domains[domid] : NULL;
}

static bool is_eventfd(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = 0;
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

/* Maps the ring page: one page of the memfd at mfn. */
static void *map_ring(unsigned domid, int memfd, uint64_t mfn)
{
	struct stat st;
	int seals;
	void *p;

	if (fstat(memfd, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	if (mfn >= ((uint64_t)st.st_size >> XEN_PAGE_SHIFT))
		return NULL;
	/* Shrinking the memory under the mapping would make our accesses fault. */
	seals = fcntl(memfd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK))
		log_msg("domain %u: guest memory not sealed against shrinking (F_SEAL_SHRINK): "
			"its monitor must never shrink it",
			domid);
	p = mmap(NULL, XEN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		 (off_t)(mfn << XEN_PAGE_SHIFT));
	return p == MAP_FAILED ? NULL : p;
}

static struct domain *domain_alloc(struct xsd *x, unsigned domid)
{
	struct domain *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->domid = (uint16_t)domid;
	d->target = -1;
	list_init(&d->intro_link);
	x->domains[domid] = d;
	list_add_tail(&x->domain_list, &d->link);
	return d;
}

static void restore_watches(struct domain *d)
{
	const struct buf *b = &d->saved_watches;

	for (size_t off = 0; off < b->len;) {
		bool rel = b->p[off] == 'R';
		const char *path = b->p + off + 1;
		const char *token = path + strlen(path) + 1;

		if (!watch_add(d->conn, path, strlen(path), rel, token))
			log_msg("domain %u: watch %s not restored", d->domid, path);
		off = (size_t)(token - b->p) + strlen(token) + 1;
	}
	buf_free(&d->saved_watches);
}

int domain_introduce(struct xsd *x, struct conn *by, unsigned domid, uint64_t mfn, uint32_t port,
		     int *fds, unsigned nfds)
{
	struct domain *d = domain_find(x, domid);
	bool reattach;
	void *page = NULL;
	int ret = -EINVAL;

	if (domid == 0 || domid >= DOMID_FIRST_RESERVED || nfds != 3 || !port)
		goto fail;
	if (d && !d->restored) {
		ret = -EEXIST;
		goto fail;
	}
	if (!is_eventfd(fds[1]) || !is_eventfd(fds[2]))
		goto fail;
	page = map_ring(domid, fds[0], mfn);
	if (!page)
		goto fail;
	/*
	 * The eventfds keep the monitor's file status flags (they are the same
	 * open files): we read ours only when epoll says it is readable.
	 */
	close(fds[0]);

	reattach = d && d->mfn == mfn && d->port == port;
	if (d && !reattach) {
		/* Known from before a restart, but this is a new domain with that id. */
		domain_release(x, domid);
		d = NULL;
	}
	if (!d && !(d = domain_alloc(x, domid))) {
		munmap(page, XEN_PAGE_SIZE);
		close(fds[1]);
		close(fds[2]);
		return -ENOMEM;
	}
	d->mfn = mfn;
	d->port = port;
	d->conn = ring_conn_new(x, d, page, XEN_PAGE_SIZE, fds[1], fds[2], !reattach);
	if (!d->conn) {
		x->domains[domid] = NULL;
		list_del(&d->link);
		buf_free(&d->saved_watches);
		free(d);
		return -ENOMEM;
	}
	d->restored = false;
	d->introducer = by;
	list_add_tail(&by->introduced, &d->intro_link);
	if (x->journal)
		journal_domain(x->journal, domid, true, mfn, port, d->target);
	if (reattach) {
		log_msg("domain %u is back", domid);
		restore_watches(d);
	} else {
		log_msg("domain %u introduced", domid);
		watch_fire_special(x, "@introduceDomain");
	}
	return 0;
fail:
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	return ret;
}

struct strip_ctx {
	struct xsd *x;
	uint16_t domid;
};

/* Drops the domain's nodes and its entries in others' permissions. */
static int strip_node(void *ctx, struct node *n)
{
	struct strip_ctx *sc = ctx;
	struct xs_perm *p;
	unsigned np = 0;

	if (node_owner(n) == sc->domid && n->path[0] == '/') {
		store_remove_node(sc->x, n);
		return WALK_REMOVED;
	}
	for (unsigned i = 0; i < n->nperms; i++)
		if (n->perms[i].domid == sc->domid)
			np++;
	if (!np)
		return WALK_CONTINUE;
	p = malloc(n->nperms * sizeof(*p));
	if (!p)
		return WALK_CONTINUE;
	np = 0;
	for (unsigned i = 0; i < n->nperms; i++) {
		if (i == 0 && n->perms[0].domid == sc->domid)
			p[np++] = (struct xs_perm){.domid = 0, .mode = XS_PERM_NONE};
		else if (n->perms[i].domid != sc->domid)
			p[np++] = n->perms[i];
	}
	tree_set_perms(&sc->x->tree, n, p, np);
	free(p);
	return WALK_CONTINUE;
}

void domain_remove_nodes(struct xsd *x, unsigned domid)
{
	static const char *const special[] = {"@introduceDomain", "@releaseDomain"};
	struct strip_ctx sc = {.x = x, .domid = (uint16_t)domid};

	if (x->journal)
		journal_batch_begin(x->journal);
	tree_walk(&x->tree, NULL, strip_node, &sc);
	for (size_t i = 0; i < 2; i++) {
		struct node *n = tree_lookup(&x->tree, special[i], strlen(special[i]));

		if (n)
			strip_node(&sc, n);
	}
	if (x->journal)
		journal_batch_end(x->journal);
}

int domain_release(struct xsd *x, unsigned domid)
{
	struct list *pos, *tmp;
	struct domain *d;

	if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	d = x->domains[domid];
	if (!d)
		return -ENOENT;
	list_del(&d->intro_link);
	if (d->conn) {
		struct conn *c = d->conn;

		/* Its watches go first: it hears nothing of its own removal. */
		d->conn = NULL;
		c->dom = NULL;
		conn_free(c);
	}
	x->domains[domid] = NULL;
	list_del(&d->link);
	list_for_each_safe(pos, tmp, &x->domain_list)
	{
		struct domain *o = list_entry(pos, struct domain, link);

		if (o->target == (int32_t)domid) {
			o->target = -1;
			if (o->conn)
				o->conn->id.target = -1;
		}
	}
	domain_remove_nodes(x, domid);
	if (x->journal)
		journal_domain(x->journal, domid, false, 0, 0, -1);
	log_msg("domain %u released", domid);
	watch_fire_special(x, "@releaseDomain");
	buf_free(&d->saved_watches);
	free(d);
	return 0;
}

int domain_set_target(struct xsd *x, unsigned domid, unsigned target)
{
	struct domain *d = domain_find(x, domid), *t = domain_find(x, target);

	if (!d || !t || d->restored || t->restored)
		return -ENOENT;
	d->target = (int32_t)target;
	if (d->conn)
		d->conn->id.target = (int32_t)target;
	if (x->journal)
		journal_domain(x->journal, domid, true, d->mfn, d->port, d->target);
	return 0;
}

int domain_restore(struct xsd *x, unsigned domid, uint64_t mfn, uint32_t port, int32_t target)
{
	struct domain *d;

	if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	d = x->domains[domid];
	if (d && (d->mfn != mfn || d->port != port))
		buf_free(&d->saved_watches);
	if (!d && !(d = domain_alloc(x, domid)))
		return -ENOMEM;
	d->restored = true;
	d->mfn = mfn;
	d->port = port;
	d->target = target;
	return 0;
}

/* The saved watch (path, token) at or after off, or b->len. */
static size_t find_saved(const struct buf *b, const char *path, const char *token)
{
	size_t off = 0;

	while (off < b->len) {
		const char *p = b->p + off + 1, *t = p + strlen(p) + 1;

		if (strcmp(p, path) == 0 && strcmp(t, token) == 0)
			return off;
		off = (size_t)(t - b->p) + strlen(t) + 1;
	}
	return b->len;
}

int domain_restore_watch(struct xsd *x, unsigned domid, bool add, bool relative, const char *path,
			 const char *token)
{
	struct domain *d = domain_find(x, domid);
	struct buf *b;
	size_t off;

	if (!d || !d->restored)
		return -ENOENT;
	if (strlen(path) > XENSTORE_ABS_PATH_MAX || strlen(token) >= XENSTORE_PAYLOAD_MAX)
		return -EINVAL;
	b = &d->saved_watches;
	off = find_saved(b, path, token);
	if (add) {
		char kind = relative ? 'R' : 'A';

		if (off != b->len)
			return 0;
		if (buf_append(b, &kind, 1) < 0 || buf_append_str(b, path) < 0 ||
		    buf_append_str(b, token) < 0)
			return -ENOMEM;
		return 0;
	}
	if (off != b->len) {
		size_t end = off + 1 + strlen(path) + 1 + strlen(token) + 1;

		memmove(b->p + off, b->p + end, b->len - end);
		b->len -= end - off;
	}
	return 0;
}

void domain_expire_restored(struct xsd *x)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &x->domain_list)
	{
		struct domain *d = list_entry(pos, struct domain, link);

		if (d->restored) {
			log_msg("domain %u was not introduced again after the restart", d->domid);
			domain_release(x, d->domid);
		}
	}
}

void domain_forget(struct xsd *x, unsigned domid)
{
	struct domain *d = domain_find(x, domid);

	if (!d)
		return;
	x->domains[domid] = NULL;
	list_del(&d->link);
	list_del(&d->intro_link);
	if (d->conn) {
		d->conn->dom = NULL;
		conn_free(d->conn);
	}
	buf_free(&d->saved_watches);
	free(d);
}
