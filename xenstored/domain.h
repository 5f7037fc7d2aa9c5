/*
 * Domains the store talks to. A domain is introduced by a host client (the
 * domain's monitor) that passes its ring: the memfd of guest RAM and two
 * eventfds. When that client's connection closes, the domain is released:
 * its ring, its watches and transactions go, the nodes it owns are
 * removed, and @releaseDomain fires.
 *
 * Introduced domains are journaled; after a restart they wait for their
 * monitors to introduce them again (then their watches come back), and are
 * released if that does not happen in time.
 */
#ifndef XSD_DOMAIN_H
#define XSD_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "list.h"

struct xsd;
struct conn;

struct domain {
	struct list link; /* in xsd.domain_list */
	uint16_t domid;
	int32_t target; /* SET_TARGET, -1 if none */
	bool shutdown;
	bool restored; /* known from the journal, not yet introduced again */
	uint64_t mfn;
	uint32_t port;
	struct conn *conn;	 /* the ring connection */
	struct conn *introducer; /* its closing releases the domain */
	struct list intro_link;
	struct buf saved_watches; /* restored: relative byte, path, token (nul-terminated) */
};

/*
 * XS_INTRODUCE. fds: memfd of guest RAM, eventfd guest->store, eventfd
 * store->guest; taken over (closed on failure too). Returns 0 or -errno.
 */
int domain_introduce(struct xsd *x, struct conn *by, unsigned domid, uint64_t mfn, uint32_t port,
		     int *fds, unsigned nfds);
/* XS_RELEASE and connection loss. Returns 0, -ENOENT or -EINVAL. */
int domain_release(struct xsd *x, unsigned domid);
struct domain *domain_find(struct xsd *x, unsigned domid);
/* Returns 0, -ENOENT. */
int domain_set_target(struct xsd *x, unsigned domid, unsigned target);

/* Journal replay: a domain that was introduced before the restart, and its watches. */
int domain_restore(struct xsd *x, unsigned domid, uint64_t mfn, uint32_t port, int32_t target);
int domain_restore_watch(struct xsd *x, unsigned domid, bool add, bool relative, const char *path,
			 const char *token);
/* Releases restored domains whose monitors did not come back. */
void domain_expire_restored(struct xsd *x);

/*
 * Drops what the store knows of a domain without releasing it (no node
 * removal, no watch event): for shutdown and for journal replay.
 */
void domain_forget(struct xsd *x, unsigned domid);

/* Removes the nodes a domain owns and its entries in other nodes' permissions. */
void domain_remove_nodes(struct xsd *x, unsigned domid);

#endif /* XSD_DOMAIN_H */
