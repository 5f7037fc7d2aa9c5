/*
 * A minimal PV network frontend for the test guests (netfront.c,
 * net_hostile.c): xenstore over the guest's ring (read, write), a grant
 * table of one frame, and the xenbus handshake of vif 0 as Linux's
 * netfront does it (one queue, one event channel, request-rx-copy).
 * Everything here is static inline so each guest takes what it uses.
 */
#ifndef NETFRONT_COMMON_H
#define NETFRONT_COMMON_H

#include <xen/grant_table.h>
#include <xen/io/netif.h>
#include <xen/io/xs_wire.h>

#include "events.h"
#include "guest.h"
#include "hypercall.h"

#define NF_WAIT_NS 10000000000UL
#define NF_RX_BUFS 16
#define NF_TX_BUFS 8
#define NF_REF_TX_RING 8
#define NF_REF_RX_RING 9
#define NF_REF_RX(i) (10 + (i))
#define NF_REF_TX(i) (40 + (i))

static uint8_t nf_gnttab[4096] __page_aligned_bss;
static uint8_t nf_store_page[4096] __page_aligned_bss;
static uint8_t nf_tx_ring[4096] __page_aligned_bss;
static uint8_t nf_rx_ring[4096] __page_aligned_bss;
static uint8_t nf_rx_buf[NF_RX_BUFS][4096] __page_aligned_bss;
static uint8_t nf_tx_buf[NF_TX_BUFS][4096] __page_aligned_bss;

struct netfront {
	struct xenstore_domain_interface *xs;
	evtchn_port_t xs_port, port;
	uint32_t xs_req;
	struct grant_entry_v1 *gt;
	struct netif_tx_sring *tx;
	struct netif_rx_sring *rx;
	RING_IDX tx_prod, tx_cons, rx_prod, rx_cons;
	uint32_t tx_size, rx_size;
	char be[128];
	uint8_t mac[6];
};

static inline uint32_t nf_load(volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline bool nf_xs_io(struct netfront *nf, const void *out, size_t olen, void *in,
			    size_t ilen)
{
	uint64_t deadline = system_time_ns() + NF_WAIT_NS;
	const char *o = out;
	char *i = in;

	while (olen || ilen) {
		struct xenstore_domain_interface *x = nf->xs;
		uint32_t prod = x->req_prod, cons = nf_load(&x->req_cons);
		bool moved = false;

		while (olen && prod - cons < XENSTORE_RING_SIZE) {
			x->req[MASK_XENSTORE_IDX(prod++)] = *o++;
			olen--;
			moved = true;
		}
		__atomic_store_n(&x->req_prod, prod, __ATOMIC_RELEASE);
		cons = x->rsp_cons;
		prod = nf_load(&x->rsp_prod);
		while (!olen && ilen && cons != prod) {
			*i++ = x->rsp[MASK_XENSTORE_IDX(cons++)];
			ilen--;
			moved = true;
		}
		__atomic_store_n(&x->rsp_cons, cons, __ATOMIC_RELEASE);
		if (moved)
			evtchn_send(nf->xs_port);
		if ((olen || ilen) && !moved) {
			if (system_time_ns() > deadline)
				return false;
			poll_ports(&nf->xs_port, 1, 10000000UL);
			port_clear_pending(nf->xs_port);
		}
	}
	return true;
}

/* One request; the reply's payload (NUL-terminated) into out. */
static inline bool nf_xs(struct netfront *nf, uint32_t type, const char *path, const char *val,
			 char *out, size_t outlen)
{
	struct xsd_sockmsg h = {.type = type, .req_id = nf->xs_req++, .len = (uint32_t)strlen(path) + 1};
	static char payload[XENSTORE_PAYLOAD_MAX + 1];

	if (val)
		h.len += (uint32_t)strlen(val);
	if (!nf_xs_io(nf, &h, sizeof(h), NULL, 0) || !nf_xs_io(nf, path, strlen(path) + 1, NULL, 0) ||
	    (val && !nf_xs_io(nf, val, strlen(val), NULL, 0)))
		return false;
	for (;;) {
		if (!nf_xs_io(nf, NULL, 0, &h, sizeof(h)) || h.len > XENSTORE_PAYLOAD_MAX ||
		    !nf_xs_io(nf, NULL, 0, payload, h.len))
			return false;
		payload[h.len] = 0;
		if (h.type != XS_WATCH_EVENT)
			break;
	}
	if (h.type == XS_ERROR)
		return false;
	if (out) {
		size_t n = h.len < outlen - 1 ? h.len : outlen - 1;
		memcpy(out, payload, n);
		out[n] = 0;
	}
	return true;
}

static inline bool nf_read(struct netfront *nf, const char *path, char *out, size_t len)
{
	return nf_xs(nf, XS_READ, path, NULL, out, len);
}

static inline bool nf_write(struct netfront *nf, const char *path, const char *val)
{
	return nf_xs(nf, XS_WRITE, path, val, NULL, 0);
}

static inline bool nf_write_key(struct netfront *nf, const char *key, const char *val)
{
	char path[64];

	snprintf(path, sizeof(path), "device/vif/0/%s", key);
	return nf_write(nf, path, val);
}

static inline long nf_atol(const char *s)
{
	long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Wait until the backend's state is `want` (or the wait times out). */
static inline bool nf_wait_backend(struct netfront *nf, long want)
{
	uint64_t deadline = system_time_ns() + NF_WAIT_NS;
	char path[160], v[16];

	snprintf(path, sizeof(path), "%s/state", nf->be);
	while (system_time_ns() < deadline) {
		if (nf_read(nf, path, v, sizeof(v)) && nf_atol(v) == want)
			return true;
		poll_ports(&nf->xs_port, 1, 20000000UL);
		port_clear_pending(nf->xs_port);
	}
	return false;
}

static inline void nf_grant(struct netfront *nf, grant_ref_t ref, const void *page, bool ro)
{
	nf->gt[ref].domid = 0;
	nf->gt[ref].frame = (uint32_t)virt_to_mfn(page);
	__atomic_store_n(&nf->gt[ref].flags, (uint16_t)(GTF_permit_access | (ro ? GTF_readonly : 0)),
			 __ATOMIC_RELEASE);
}

static inline void nf_post_rx(struct netfront *nf, unsigned int buf)
{
	struct netif_rx_request q = {.id = (uint16_t)buf, .gref = NF_REF_RX(buf)};

	nf->rx->ring[nf->rx_prod % nf->rx_size].req = q;
	nf->rx_prod++;
}

static inline void nf_push_rx(struct netfront *nf)
{
	__atomic_store_n(&nf->rx->h.req_prod, nf->rx_prod, __ATOMIC_RELEASE);
	evtchn_send(nf->port);
}

/* Grant table, rings, channel, and the handshake up to Connected. */
static inline bool nf_connect(struct netfront *nf)
{
	uint64_t frame = 0;
	struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 1, .frame_list = PTR(&frame)};
	char v[64];

	memset(nf, 0, sizeof(*nf));
	nf->xs_port = start_info->store_evtchn;
	if (!check_eq(map_frame_at(nf_store_page, start_info->store_mfn, PTE_DATA), 0,
		      "map the store ring"))
		return false;
	nf->xs = (void *)nf_store_page;
	if (!check_eq(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, PTR(&st), 1), 0,
		      "grant table set up") ||
	    !check_eq(map_frame_at(nf_gnttab, frame, PTE_DATA), 0, "grant table mapped"))
		return false;
	nf->gt = (void *)nf_gnttab;
	if (!check(nf_read(nf, "device/vif/0/backend", nf->be, sizeof(nf->be)),
		   "device/vif/0/backend is there"))
		return false;
	if (!check(nf_read(nf, "device/vif/0/mac", v, sizeof(v)), "the vif has a mac"))
		return false;
	for (int i = 0; i < 6; i++) {
		const char *p = v + 3 * i;
		int hi = p[0] <= '9' ? p[0] - '0' : (p[0] | 0x20) - 'a' + 10;
		int lo = p[1] <= '9' ? p[1] - '0' : (p[1] | 0x20) - 'a' + 10;
		nf->mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (!check(nf_wait_backend(nf, 2), "backend in InitWait"))
		return false;

	nf->tx = (void *)nf_tx_ring;
	nf->rx = (void *)nf_rx_ring;
	xen_sring_init(&nf->tx->h);
	xen_sring_init(&nf->rx->h);
	nf->tx_size = XEN_RING_SIZE(netif_tx, 4096);
	nf->rx_size = XEN_RING_SIZE(netif_rx, 4096);
	nf_grant(nf, NF_REF_TX_RING, nf_tx_ring, false);
	nf_grant(nf, NF_REF_RX_RING, nf_rx_ring, false);
	for (unsigned int i = 0; i < NF_RX_BUFS; i++) {
		nf_grant(nf, NF_REF_RX(i), nf_rx_buf[i], false);
		nf_post_rx(nf, i);
	}
	for (unsigned int i = 0; i < NF_TX_BUFS; i++)
		nf_grant(nf, NF_REF_TX(i), nf_tx_buf[i], true);
	__atomic_store_n(&nf->rx->h.req_prod, nf->rx_prod, __ATOMIC_RELEASE);
	if (!check_eq(evtchn_alloc_unbound(0, &nf->port), 0, "event channel for the backend"))
		return false;
	port_mask(nf->port);
	snprintf(v, sizeof(v), "%u", NF_REF_TX_RING);
	nf_write_key(nf, "tx-ring-ref", v);
	snprintf(v, sizeof(v), "%u", NF_REF_RX_RING);
	nf_write_key(nf, "rx-ring-ref", v);
	snprintf(v, sizeof(v), "%u", nf->port);
	nf_write_key(nf, "event-channel", v);
	nf_write_key(nf, "request-rx-copy", "1");
	nf_write_key(nf, "feature-rx-notify", "1");
	nf_write_key(nf, "feature-no-csum-offload", "1");
	check(nf_write_key(nf, "state", "4"), "frontend Connected");
	return check(nf_wait_backend(nf, 4), "backend Connected");
}

/* Queue one frame from tx buffer b (single slot); notify. */
static inline void nf_send(struct netfront *nf, unsigned int b, uint16_t len)
{
	struct netif_tx_request q = {.gref = NF_REF_TX(b), .offset = 0, .flags = 0,
				     .id = (uint16_t)b, .size = len};

	nf->tx->ring[nf->tx_prod % nf->tx_size].req = q;
	nf->tx_prod++;
	__atomic_store_n(&nf->tx->h.req_prod, nf->tx_prod, __ATOMIC_RELEASE);
	evtchn_send(nf->port);
}

/* Take back answered tx slots; the number of error responses seen. */
static inline unsigned int nf_reap_tx(struct netfront *nf)
{
	RING_IDX prod = nf_load(&nf->tx->h.rsp_prod);
	unsigned int errors = 0;

	while (nf->tx_cons != prod) {
		if (nf->tx->ring[nf->tx_cons % nf->tx_size].rsp.status == NETIF_RSP_ERROR)
			errors++;
		nf->tx_cons++;
	}
	return errors;
}

#endif /* NETFRONT_COMMON_H */
