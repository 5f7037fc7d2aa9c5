/*
 * The daemon's state: the tree, accounting and quotas, watches, domains,
 * connections and the journal. One instance per process (unit tests and
 * fuzzers may make several).
 */
#ifndef XSD_XSD_H
#define XSD_XSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>
#include <xen/xen.h>

#include "hash.h"
#include "list.h"
#include "quota.h"
#include "tree.h"

struct conn;
struct domain;
struct journal;
struct loop;

/* Features this store offers every guest ring. */
#define XSD_RING_FEATURES (XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR)

/* Limits for privileged (socket) connections, which quotas do not bind. */
struct xsd_limits {
	size_t priv_out_max;	  /* queued output before a host client is dropped */
	size_t out_soft;	  /* queued output above which input is not read */
	unsigned priv_transactions; /* open transactions per host connection */
	unsigned priv_watches;	  /* watches per host connection */
};

struct xsd {
	struct quota quota;
	struct xsd_limits limits;
	struct acct acct;
	struct tree tree;
	struct htable watches; /* struct watch by path */
	/* Watches per path length: a change only looks up ancestors some watch could be on. */
	uint32_t watch_lens[XENSTORE_ABS_PATH_MAX + 1];
	struct domain **domains; /* indexed by domid, DOMID_FIRST_RESERVED entries */
	struct list domain_list; /* the same domains, to walk them */
	struct journal *journal; /* NULL: no persistence */
	struct loop *loop;	 /* NULL: driven by hand (tests, fuzzers) */

	struct list conns;
	struct list ready; /* conns with input left to process */
	struct list dirty; /* conns with output to send or a peer to notify */
	struct list dead;  /* conns to free at the end of the round */
	unsigned nconns;

	uint64_t now_ms;	     /* refreshed once per loop turn */
	uint64_t reattach_deadline; /* restored domains not introduced by then are released */
	uint64_t ring_recheck_ms;   /* look at every ring again then (0: no need) */
	unsigned reattach_timeout_s;

	/* Scratch space for a request's payload (plus a nul) and its reply. */
	char req_buf[XENSTORE_PAYLOAD_MAX + 1];
	char reply_buf[XENSTORE_PAYLOAD_MAX + 1];
};

/* Sets up an empty store with Xen's default quotas. Returns 0 or -ENOMEM. */
int xsd_init(struct xsd *x);
/* Closes every connection and frees everything. */
void xsd_fini(struct xsd *x);

/*
 * One round of work that does not wait: processes input that is ready,
 * writes the journal, flushes output, frees dead connections, and handles
 * timeouts. The event loop calls it after each wake-up.
 */
void xsd_run_pending(struct xsd *x);

uint64_t xsd_clock_ms(void);

#endif /* XSD_XSD_H */
