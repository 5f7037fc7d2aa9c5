/* The store's state in and out of the journal. */
#ifndef XSD_PERSIST_H
#define XSD_PERSIST_H

struct xsd;

/*
 * Opens the journal in dir, restores the tree and the introduced domains
 * from it, and rewrites it compactly. Returns 0 or -errno.
 */
int persist_open(struct xsd *x, const char *dir);

/* Rewrites the journal as the current state. Returns 0 or -errno. */
int persist_compact(struct xsd *x);

#endif /* XSD_PERSIST_H */
