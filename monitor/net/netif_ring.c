/*
 * netif tx/rx ring processing (netif_ring.h).
 */
#include "netif_ring.h"

#include <errno.h>
#include <string.h>

#include <xen/io/ring.h>

#include "../backend/grant_access.h"

#define NET_PAGE 4096u

void netif_rings_init(struct netif_rings *r, struct domain *d, void *tx_page, void *rx_page,
		      const struct netif_features *fe)
{
	memset(r, 0, sizeof(*r));
	r->d = d;
	r->tx = tx_page;
	r->rx = rx_page;
	r->tx_size = XEN_RING_SIZE(netif_tx, NET_PAGE);
	r->rx_size = XEN_RING_SIZE(netif_rx, NET_PAGE);
	r->fe = *fe;
}

static void set_broken(struct netif_rings *r, const char *why)
{
	if (!r->broken)
		mlog(r->d, "netback: frontend of domain %u broke the protocol (%s); queue disabled",
		     r->d->domid, why);
	r->broken = true;
	r->broken_why = why;
}

/* ---- packet headers ----------------------------------------------------------- */

struct l4 {
	unsigned int off;	/* of the TCP/UDP header */
	uint8_t proto;		/* 6 or 17 */
	bool v6;
	unsigned int ip_off;
};

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define PROTO_TCP 6
#define PROTO_UDP 17

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Find the TCP or UDP header of an unfragmented IPv4/IPv6 frame. */
static bool find_l4(const uint8_t *p, size_t len, struct l4 *out)
{
	unsigned int off = 12;
	uint16_t type;

	if (len < ETH_HEADER_LEN)
		return false;
	type = be16(p + off);
	off += 2;
	if (type == ETHERTYPE_VLAN) {
		if (len < off + 4)
			return false;
		type = be16(p + off + 2);
		off += 4;
	}
	out->ip_off = off;
	if (type == ETHERTYPE_IPV4) {
		unsigned int ihl;

		if (len < off + 20 || (p[off] >> 4) != 4)
			return false;
		ihl = (p[off] & 15u) * 4;
		if (ihl < 20 || len < off + ihl || (be16(p + off + 6) & 0x3fff))
			return false;	/* fragments carry no L4 header we can use */
		out->proto = p[off + 9];
		out->off = off + ihl;
		out->v6 = false;
	} else if (type == ETHERTYPE_IPV6) {
		uint8_t next;

		if (len < off + 40 || (p[off] >> 4) != 6)
			return false;
		next = p[off + 6];
		off += 40;
		/* hop-by-hop, routing and destination options may come first */
		for (int i = 0; i < 4 && (next == 0 || next == 43 || next == 60); i++) {
			if (len < off + 8)
				return false;
			next = p[off];
			off += 8u * (p[off + 1] + 1u);
		}
		out->proto = next;
		out->off = off;
		out->v6 = true;
	} else {
		return false;
	}
	if (out->proto == PROTO_TCP)
		return len >= out->off + 20;
	if (out->proto == PROTO_UDP)
		return len >= out->off + 8;
	return false;
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += be16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The pseudo-header sum (not inverted) that a partial checksum starts from. */
static uint16_t pseudo_sum(const uint8_t *p, size_t len, const struct l4 *l)
{
	uint32_t sum = l->proto + (uint32_t)(len - l->off);

	if (l->v6)
		sum = sum16(sum, p + l->ip_off + 8, 32);
	else
		sum = sum16(sum, p + l->ip_off + 12, 8);
	return fold(sum);
}

/* ---- TX: guest -> host ---------------------------------------------------------- */

static bool tx_requests(struct netif_rings *r, uint32_t *n)
{
	RING_IDX prod = xen_ring_load(&r->tx->h.req_prod);

	if (!xen_ring_unconsumed_requests(prod, r->tx_req_cons, r->tx_rsp_prod_pvt, r->tx_size,
					  n)) {
		set_broken(r, "tx ring indices out of range");
		return false;
	}
	return true;
}

static struct netif_tx_request tx_req(struct netif_rings *r, RING_IDX idx)
{
	struct netif_tx_request q;

	memcpy(&q, (const void *)&r->tx->ring[xen_ring_slot(idx, r->tx_size)].req, sizeof(q));
	return q;
}

static void tx_respond(struct netif_rings *r, uint16_t id, int16_t status)
{
	struct netif_tx_response rsp = {.id = id, .status = status};

	memcpy(&r->tx->ring[xen_ring_slot(r->tx_rsp_prod_pvt++, r->tx_size)].rsp, &rsp,
	       sizeof(rsp));
}

unsigned int netif_tx_peek_size(struct netif_rings *r)
{
	uint32_t n;

	if (r->broken || !tx_requests(r, &n) || !n)
		return 0;
	return tx_req(r, r->tx_req_cons).size;
}

/* One packet's slots, read once from the ring. */
struct tx_pkt {
	struct netif_tx_request data[NETIF_MAX_DATA_SLOTS];
	unsigned int nr_data;
	struct netif_extra_info gso;
	bool has_gso;
	bool bad;	/* answer every slot with an error */
	unsigned int slots;	/* data + extras */
	/* order of slots for the responses: true = data (its id), false = extra */
	bool is_data[NETIF_MAX_DATA_SLOTS + NETIF_MAX_EXTRAS];
};

/* Read the slots of the packet at tx_req_cons. 1 whole, 0 not all queued
 * yet, -1 broken. */
static int tx_gather(struct netif_rings *r, uint32_t avail, struct tx_pkt *p)
{
	RING_IDX idx = r->tx_req_cons;
	struct netif_tx_request q;
	bool more;

	memset(p, 0, sizeof(*p));
	q = tx_req(r, idx++);
	p->data[p->nr_data++] = q;
	p->is_data[p->slots++] = true;
	more = q.flags & NETTXF_extra_info;
	while (more) {
		struct netif_extra_info x;

		if (p->slots >= avail)
			return 0;
		if (p->slots >= 1 + NETIF_MAX_EXTRAS) {
			set_broken(r, "too many extra-info slots");
			return -1;
		}
		memcpy(&x, (const void *)&r->tx->ring[xen_ring_slot(idx++, r->tx_size)].req,
		       sizeof(x));
		p->is_data[p->slots++] = false;
		if (x.type == XEN_NETIF_EXTRA_TYPE_GSO) {
			p->gso = x;
			p->has_gso = true;
		} else if (x.type == XEN_NETIF_EXTRA_TYPE_NONE || x.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
			p->bad = true;
		}	/* multicast and hash extras: taken and ignored */
		more = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
	}
	more = q.flags & NETTXF_more_data;
	while (more) {
		if (p->slots >= avail)
			return 0;
		if (p->nr_data >= NETIF_MAX_DATA_SLOTS) {
			set_broken(r, "tx packet with more slots than allowed");
			return -1;
		}
		q = tx_req(r, idx++);
		p->data[p->nr_data++] = q;
		p->is_data[p->slots++] = true;
		more = q.flags & NETTXF_more_data;
	}
	return 1;
}

/* Copy the packet's data out of its grants; false if any slot is bad. */
static bool tx_copy(struct netif_rings *r, const struct tx_pkt *p, uint8_t *buf, size_t *len)
{
	unsigned int total = p->data[0].size, rest = 0, pos = 0;

	for (unsigned int i = 1; i < p->nr_data; i++)
		rest += p->data[i].size;
	if (total < ETH_HEADER_LEN || rest > total)
		return false;
	for (unsigned int i = 0; i < p->nr_data; i++) {
		const struct netif_tx_request *q = &p->data[i];
		unsigned int n = i == 0 ? total - rest : q->size;

		if ((uint32_t)q->offset + n > NET_PAGE)
			return false;
		if (n && grant_copy_from(r->d, q->gref, q->offset, buf + pos, n) != GNTST_okay)
			return false;
		pos += n;
	}
	*len = pos;
	return true;
}

/* The virtio-net header for the guest's offload flags; false if the frame
 * does not allow what they ask. */
static bool tx_offloads(const struct tx_pkt *p, uint8_t *buf, size_t len,
			struct virtio_net_hdr *vh)
{
	uint16_t flags = p->data[0].flags;
	struct l4 l;

	memset(vh, 0, sizeof(*vh));
	if (!(flags & NETTXF_csum_blank) && !p->has_gso) {
		if (flags & NETTXF_data_validated)
			vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return true;
	}
	if (!find_l4(buf, len, &l))
		return false;
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)l.off;
	vh->csum_offset = l.proto == PROTO_TCP ? 16 : 6;
	if (!(flags & NETTXF_csum_blank)) {
		/* a GSO packet with its checksum filled in: make it partial, as
		 * Xen's netback does, from the pseudo-header */
		uint16_t ps = pseudo_sum(buf, len, &l);

		buf[l.off + vh->csum_offset] = (uint8_t)(ps >> 8);
		buf[l.off + vh->csum_offset + 1] = (uint8_t)ps;
	}
	if (p->has_gso) {
		unsigned int thlen;

		if (l.proto != PROTO_TCP || p->gso.u.gso.size == 0)
			return false;
		if (p->gso.u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 && !l.v6)
			vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		else if (p->gso.u.gso.type == XEN_NETIF_GSO_TYPE_TCPV6 && l.v6)
			vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
		else
			return false;
		thlen = (buf[l.off + 12] >> 4) * 4u;
		if (thlen < 20 || l.off + thlen > len)
			return false;
		vh->gso_size = p->gso.u.gso.size;
		vh->hdr_len = (uint16_t)(l.off + thlen);
	}
	return true;
}

int netif_tx_take(struct netif_rings *r, struct virtio_net_hdr *vh, uint8_t *buf)
{
	struct tx_pkt p;
	uint32_t avail;
	size_t len = 0;
	int16_t status;
	unsigned int di = 0;
	int rc;

	if (r->broken || !tx_requests(r, &avail))
		return -1;
	if (!avail)
		return 0;
	rc = tx_gather(r, avail, &p);
	if (rc <= 0)
		return rc;
	r->tx_req_cons += p.slots;
	if (!p.bad && (!tx_copy(r, &p, buf, &len) || !tx_offloads(&p, buf, len, vh)))
		p.bad = true;
	status = p.bad ? NETIF_RSP_ERROR : NETIF_RSP_OKAY;
	for (unsigned int i = 0; i < p.slots; i++) {
		if (p.is_data[i])
			tx_respond(r, p.data[di++].id, status);
		else
			tx_respond(r, 0, NETIF_RSP_NULL);
	}
	if (p.bad) {
		r->stats.tx_dropped++;
		mlog_once(r->d, "netback: dropped a malformed tx packet from domain %u (bad size, "
				"offset, grant or offload); more are not logged",
			  r->d->domid);
		return NETIF_TX_DROPPED;
	}
	r->stats.tx_packets++;
	r->stats.tx_bytes += len;
	return (int)len;
}

/* Publish rsp_prod; true if the other side's event index was passed. */
static bool push(struct xen_sring_header *h, RING_IDX pvt)
{
	RING_IDX old = h->rsp_prod;

	if (old == pvt)
		return false;
	xen_ring_store(&h->rsp_prod, pvt);
	xen_ring_mb();
	return xen_ring_need_notify(old, pvt, xen_ring_load(&h->rsp_event));
}

bool netif_tx_push(struct netif_rings *r)
{
	return push(&r->tx->h, r->tx_rsp_prod_pvt);
}

bool netif_tx_final_check(struct netif_rings *r)
{
	uint32_t n;

	if (r->broken || !tx_requests(r, &n))
		return false;
	if (n)
		return true;
	xen_ring_store(&r->tx->h.req_event, r->tx_req_cons + 1);
	xen_ring_mb();
	return tx_requests(r, &n) && n;
}

/* ---- RX: host -> guest ---------------------------------------------------------- */

static bool rx_requests(struct netif_rings *r, uint32_t *n)
{
	RING_IDX prod = xen_ring_load(&r->rx->h.req_prod);

	if (!xen_ring_unconsumed_requests(prod, r->rx_req_cons, r->rx_rsp_prod_pvt, r->rx_size,
					  n)) {
		set_broken(r, "rx ring indices out of range");
		return false;
	}
	return true;
}

unsigned int netif_rx_slots(const struct virtio_net_hdr *vh, size_t len)
{
	unsigned int data = len ? (unsigned int)((len + NET_PAGE - 1) / NET_PAGE) : 1;

	return data + (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE ? 1 : 0);
}

bool netif_rx_final_check(struct netif_rings *r, unsigned int slots)
{
	uint32_t n;

	if (r->broken || !rx_requests(r, &n))
		return false;
	if (n >= slots)
		return true;
	xen_ring_store(&r->rx->h.req_event, r->rx_req_cons + 1);
	xen_ring_mb();
	return rx_requests(r, &n) && n >= slots;
}

static struct netif_rx_request rx_req(struct netif_rings *r)
{
	struct netif_rx_request q;

	memcpy(&q, (const void *)&r->rx->ring[xen_ring_slot(r->rx_req_cons++, r->rx_size)].req,
	       sizeof(q));
	return q;
}

static void rx_respond(struct netif_rings *r, const void *rsp, size_t len)
{
	memcpy(&r->rx->ring[xen_ring_slot(r->rx_rsp_prod_pvt++, r->rx_size)], rsp, len);
}

/* Fill in a partial checksum ourselves (for a guest without csum offload). */
static bool complete_csum(const struct virtio_net_hdr *vh, uint8_t *data, size_t len)
{
	size_t at = (size_t)vh->csum_start + vh->csum_offset;
	uint16_t c;

	if (vh->csum_start >= len || at + 2 > len)
		return false;
	c = (uint16_t)~fold(sum16(0, data + vh->csum_start, len - vh->csum_start));
	if (c == 0 && vh->csum_offset == 6)
		c = 0xffff;	/* UDP: 0 means "no checksum" */
	data[at] = (uint8_t)(c >> 8);
	data[at + 1] = (uint8_t)c;
	return true;
}

/* Whether the guest can take this frame as it is. */
static bool rx_acceptable(const struct netif_rings *r, const struct virtio_net_hdr *vh,
			  size_t len)
{
	if (len < ETH_HEADER_LEN || len > NETIF_MAX_PACKET)
		return false;
	if (!r->fe.sg && len > NET_PAGE)
		return false;
	switch (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return r->fe.gso_tcpv4 && vh->gso_size;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return r->fe.gso_tcpv6 && vh->gso_size;
	default:
		return false;
	}
}

int netif_rx_put(struct netif_rings *r, const struct virtio_net_hdr *vh, uint8_t *data,
		 size_t len)
{
	unsigned int slots = netif_rx_slots(vh, len);
	bool gso = vh->gso_type != VIRTIO_NET_HDR_GSO_NONE;
	uint16_t flags = 0;
	size_t pos = 0;
	uint32_t avail;

	if (r->broken || !rx_requests(r, &avail))
		return -1;
	if (!rx_acceptable(r, vh, len)) {
		r->stats.rx_dropped++;
		return 0;
	}
	if (avail < slots)
		return -EAGAIN;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (r->fe.csum)
			flags = NETRXF_csum_blank | NETRXF_data_validated;
		else if (!complete_csum(vh, data, len)) {
			r->stats.rx_dropped++;
			return 0;
		}
	} else if (vh->flags & VIRTIO_NET_HDR_F_DATA_VALID) {
		flags = NETRXF_data_validated;
	}
	for (unsigned int i = 0; pos < len || i == 0; i++) {
		struct netif_rx_request q = rx_req(r);
		size_t n = len - pos < NET_PAGE ? len - pos : NET_PAGE;
		struct netif_rx_response rsp = {.id = q.id, .offset = 0};

		rsp.flags = (uint16_t)((i == 0 ? flags : 0) | (pos + n < len ? NETRXF_more_data : 0) |
				       (i == 0 && gso ? NETRXF_extra_info : 0));
		rsp.status = grant_copy_to(r->d, q.gref, 0, data + pos, n) == GNTST_okay
				     ? (int16_t)n
				     : NETIF_RSP_ERROR;
		if (rsp.status < 0)
			mlog_once(r->d, "netback: bad rx grant from domain %u; packet dropped",
				  r->d->domid);
		rx_respond(r, &rsp, sizeof(rsp));
		pos += n;
		if (i == 0 && gso) {
			struct netif_extra_info x = {.type = XEN_NETIF_EXTRA_TYPE_GSO};

			x.u.gso.size = vh->gso_size;
			x.u.gso.type = (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
						       VIRTIO_NET_HDR_GSO_TCPV6
					       ? XEN_NETIF_GSO_TYPE_TCPV6
					       : XEN_NETIF_GSO_TYPE_TCPV4;
			r->rx_req_cons++;	/* its buffer stays with the guest */
			rx_respond(r, &x, sizeof(x));
		}
	}
	r->stats.rx_packets++;
	r->stats.rx_bytes += len;
	return 0;
}

bool netif_rx_push(struct netif_rings *r)
{
	return push(&r->rx->h, r->rx_rsp_prod_pvt);
}
