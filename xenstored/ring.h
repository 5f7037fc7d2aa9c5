/*
 * The guest-ring transport: a connection over a domain's xenstore ring page
 * (Xen's ring semantics), signalled through two eventfds that the domain's
 * monitor ties to the store event channel.
 */
#ifndef XSD_RING_H
#define XSD_RING_H

#include <stdbool.h>
#include <stddef.h>

#include <xen/io/xs_wire.h>

struct xsd;
struct conn;
struct domain;

/*
 * Makes d's ring connection over intf. evt_in is signalled by the guest
 * side, evt_out by us (either may be -1 when a test drives the ring by
 * hand). map_len > 0: intf is a mapping of that size to unmap at the end.
 * fresh: a new domain, so the ring is reset and features are offered;
 * otherwise (a restart) it is taken up where it stands. Takes ownership
 * of the descriptors and the mapping, also on failure (NULL).
 */
struct conn *ring_conn_new(struct xsd *x, struct domain *d, struct xenstore_domain_interface *intf,
			   size_t map_len, int evt_in, int evt_out, bool fresh);

/*
 * The guest signalled: handles a reconnect request and queues the
 * connection for service. The event loop calls it; tests may too.
 */
void ring_conn_event(struct conn *c);

#endif /* XSD_RING_H */
