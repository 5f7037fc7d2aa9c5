/*
 * Choosing a new domain's id: the lowest free one (>= 1), under a lock on
 * $XENO_RUN_DIR/domid.lock that xl holds until the new monitor answers on
 * its control socket, so that two `xl create` never pick the same id.
 */
#ifndef XL_DOMID_ALLOC_H
#define XL_DOMID_ALLOC_H

/* Take the lock (waiting for it), creating the run directory if needed.
 * The lock fd (close-on-exec: a monitor never inherits it), or -errno. */
int domid_lock(void);
void domid_unlock(int fd);

/* The lowest domid no monitor answers on (a stale socket file counts as
 * free); -ENOSPC if all are taken. Call with the lock held. */
int domid_pick(void);

#endif /* XL_DOMID_ALLOC_H */
