/*
 * The backend's half of one netif queue: a tx ring (guest -> host) and an
 * rx ring (host -> guest), with packets in and out as a virtio-net header
 * plus the frame, the form a tap with IFF_VNET_HDR reads and writes.
 *
 * Everything the frontend wrote is hostile: ring indices are checked with
 * xen_ring_unconsumed_requests, each request is copied to a local before
 * use, every grant goes through grant_access (type, domid 0, access, frame)
 * and every offset and length is checked against the page and the packet.
 * A malformed packet is dropped with NETIF_RSP_ERROR on each of its slots;
 * a ring whose indices are impossible, or a fragment chain longer than
 * Xen allows, marks the queue broken (Xen's netback disables the vif in
 * both cases) and nothing more is read from it.
 *
 * No threads, no fds: the caller (netback.c) owns the rings' pages and
 * calls these from one thread per queue.
 */
#ifndef MONITOR_NET_NETIF_RING_H
#define MONITOR_NET_NETIF_RING_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/netif.h>

#include "../domain.h"

/* Data slots one packet may use: XEN_NETIF_NR_SLOTS_MIN, what Linux's
 * netfront sends at most and Xen's netback accepts. */
#define NETIF_MAX_DATA_SLOTS XEN_NETIF_NR_SLOTS_MIN
/* Extra-info slots one packet may carry (one per extra type). */
#define NETIF_MAX_EXTRAS (XEN_NETIF_EXTRA_TYPE_MAX - 1)
/* The largest frame either way (tx: netif_tx_request.size is 16 bits). */
#define NETIF_MAX_PACKET 65535
#define ETH_HEADER_LEN 14

/* What the frontend said it can take (its feature-* keys). */
struct netif_features {
	bool sg;		/* feature-sg: rx packets over several slots */
	bool csum;		/* !feature-no-csum-offload: rx csum_blank packets */
	bool ipv6_csum;		/* feature-ipv6-csum-offload */
	bool gso_tcpv4, gso_tcpv6;	/* feature-gso-tcpv{4,6} */
};

struct netif_stats {
	uint64_t tx_packets, tx_bytes, tx_dropped;
	uint64_t rx_packets, rx_bytes, rx_dropped;
};

struct netif_rings {
	struct domain *d;
	struct netif_tx_sring *tx;	/* the granted ring pages */
	struct netif_rx_sring *rx;
	uint32_t tx_size, rx_size;
	RING_IDX tx_req_cons, tx_rsp_prod_pvt;
	RING_IDX rx_req_cons, rx_rsp_prod_pvt;
	struct netif_features fe;
	bool broken;
	const char *broken_why;
	struct netif_stats stats;
};

/* Set up r over two mapped ring pages (fresh rings: all indices 0). */
void netif_rings_init(struct netif_rings *r, struct domain *d, void *tx_page, void *rx_page,
		      const struct netif_features *fe);

/*
 * TX: take the next whole packet the guest queued. Returns its length, with
 * the frame in buf (NETIF_MAX_PACKET bytes) and its offloads in *vh; 0 when
 * no whole packet is queued; NETIF_TX_DROPPED when one was consumed and
 * answered with errors (nothing to send); -1 when the ring is (now) broken.
 * Responses are written but not published: call netif_tx_push.
 */
#define NETIF_TX_DROPPED (-2)
int netif_tx_take(struct netif_rings *r, struct virtio_net_hdr *vh, uint8_t *buf);
/* The size the next queued packet claims (its first slot), 0 if none. For
 * rate limiting before the packet is taken. */
unsigned int netif_tx_peek_size(struct netif_rings *r);
/* Publish tx responses; true if the guest asked to be notified. */
bool netif_tx_push(struct netif_rings *r);
/* No request left: ask for a notification on the next one, then look
 * again (Xen's final check). True if requests are there after all. */
bool netif_tx_final_check(struct netif_rings *r);

/*
 * RX: hand one frame (with the offloads in vh, as a tap gives them) to
 * the guest through its posted rx requests, by copy. 0: delivered, or
 * dropped (counted) when the guest cannot take it (too big without sg, an
 * offload it did not ask for, a bad grant); -EAGAIN: not enough requests
 * posted yet (nothing consumed; netif_rx_final_check asks for a
 * notification); -1: the ring is broken.
 */
int netif_rx_put(struct netif_rings *r, const struct virtio_net_hdr *vh, uint8_t *data,
		 size_t len);
bool netif_rx_push(struct netif_rings *r);
/* True if at least `slots` requests are posted; otherwise ask for a
 * notification when the next one is, and look again. */
bool netif_rx_final_check(struct netif_rings *r, unsigned int slots);
/* Slots a frame of len bytes (with vh) needs in the rx ring. */
unsigned int netif_rx_slots(const struct virtio_net_hdr *vh, size_t len);

#endif /* MONITOR_NET_NETIF_RING_H */
