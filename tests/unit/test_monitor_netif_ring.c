/*
 * The netif ring processing (monitor/net/netif_ring.c) against a frontend
 * simulated here: requests written into ring pages of a test domain, data
 * in pages it grants to dom0 through its real grant table. Covers whole
 * packets both ways, fragment chains, offloads, and what a hostile
 * frontend can do: impossible indices, endless chains, bad grants, sizes
 * and offsets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <errno.h>

#include <cmocka.h>

#include "../../monitor/backend/grant_access.h"
#include "../../monitor/net/netif_ring.h"
#include "test_monitor_mmu_env.h"

#define TX_PFN 200
#define RX_PFN 201
#define DATA_PFN 300	/* data pages 300.. granted with ref = 100 + i */
#define REF(i) (100 + (i))

struct fixture {
	struct domain *d;
	struct netif_rings r;
	struct netif_tx_sring *tx;
	struct netif_rx_sring *rx;
	uint8_t buf[NETIF_MAX_PACKET];
};

static struct grant_entry_v1 *gent(struct domain *d, grant_ref_t ref)
{
	return (struct grant_entry_v1 *)gpa_range(d, d->hva->grant_pfn << PAGE_SHIFT, PAGE_SIZE) +
	       ref;
}

static uint8_t *page(struct domain *d, unsigned int i)
{
	return d->ram + (DATA_PFN + i) * PAGE_SIZE;
}

static int setup_fe(void **state, struct netif_features fe)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->d = env_create(1);
	assert_int_equal(grant_access_init(f->d), 0);
	for (unsigned int i = 0; i < 40; i++) {
		struct grant_entry_v1 *e = gent(f->d, REF(i));
		e->flags = GTF_permit_access;
		e->domid = 0;
		e->frame = DATA_PFN + i;
	}
	f->tx = (void *)(f->d->ram + TX_PFN * PAGE_SIZE);
	f->rx = (void *)(f->d->ram + RX_PFN * PAGE_SIZE);
	xen_sring_init(&f->tx->h);
	xen_sring_init(&f->rx->h);
	netif_rings_init(&f->r, f->d, f->tx, f->rx, &fe);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_fe(state, (struct netif_features){.sg = true, .csum = true, .ipv6_csum = true,
						       .gso_tcpv4 = true, .gso_tcpv6 = true});
}

static int setup_plain(void **state)
{
	return setup_fe(state, (struct netif_features){0});
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	grant_access_destroy(f->d);
	env_destroy(f->d);
	free(f);
	return 0;
}

/* ---- the simulated frontend ---- */

static void tx_put(struct fixture *f, grant_ref_t ref, uint16_t off, uint16_t flags, uint16_t id,
		   uint16_t size)
{
	struct netif_tx_request q = {.gref = ref, .offset = off, .flags = flags, .id = id,
				     .size = size};
	RING_IDX p = f->tx->h.req_prod;

	f->tx->ring[p % f->r.tx_size].req = q;
	f->tx->h.req_prod = p + 1;
}

static void tx_put_extra(struct fixture *f, struct netif_extra_info x)
{
	RING_IDX p = f->tx->h.req_prod;

	memcpy(&f->tx->ring[p % f->r.tx_size], &x, sizeof(x));
	f->tx->h.req_prod = p + 1;
}

static struct netif_tx_response tx_rsp(struct fixture *f, RING_IDX i)
{
	return f->tx->ring[i % f->r.tx_size].rsp;
}

static void rx_post(struct fixture *f, unsigned int n, unsigned int first_page)
{
	for (unsigned int i = 0; i < n; i++) {
		RING_IDX p = f->rx->h.req_prod;
		struct netif_rx_request q = {.id = (uint16_t)(1000 + p), .gref = REF(first_page + i)};
		f->rx->ring[p % f->r.rx_size].req = q;
		f->rx->h.req_prod = p + 1;
	}
}

static struct netif_rx_response rx_rsp(struct fixture *f, RING_IDX i)
{
	return f->rx->ring[i % f->r.rx_size].rsp;
}

/* An Ethernet + IPv4 + TCP frame of len bytes (len >= 54), payload a pattern. */
static void make_tcp4(uint8_t *p, size_t len)
{
	memset(p, 0, len);
	memcpy(p, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00", 14);
	p[14] = 0x45;
	p[16] = (uint8_t)((len - 14) >> 8);
	p[17] = (uint8_t)(len - 14);
	p[22] = 64;
	p[23] = 6;
	memcpy(p + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	p[34 + 12] = 5 << 4;	/* data offset: 20 bytes */
	for (size_t i = 54; i < len; i++)
		p[i] = (uint8_t)(i * 7);
}

/* ---- TX ---- */

static void tx_one_slot(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr vh;

	make_tcp4(page(f->d, 0) + 100, 60);
	tx_put(f, REF(0), 100, NETTXF_data_validated, 7, 60);
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), 60);
	assert_memory_equal(f->buf, page(f->d, 0) + 100, 60);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_true(netif_tx_push(&f->r));	/* rsp_event starts at 1 */
	assert_int_equal(f->tx->h.rsp_prod, 1);
	assert_int_equal(tx_rsp(f, 0).id, 7);
	assert_int_equal(tx_rsp(f, 0).status, NETIF_RSP_OKAY);
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), 0);
	assert_false(netif_tx_final_check(&f->r));
	assert_int_equal(f->tx->h.req_event, 2);
	/* the grant is no longer pinned */
	assert_int_equal(gent(f->d, REF(0))->flags, GTF_permit_access);
}

static void tx_chain_and_incomplete(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr vh;
	uint8_t want[5000];

	for (unsigned int i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(i * 13 + 1);
	/* 5000 bytes: 1000 in the first slot, 3000, then 1000 */
	memcpy(page(f->d, 1) + 3096, want, 1000);
	memcpy(page(f->d, 2), want + 1000, 3000);
	memcpy(page(f->d, 3) + 10, want + 4000, 1000);
	tx_put(f, REF(1), 3096, NETTXF_more_data, 1, 5000);
	tx_put(f, REF(2), 0, NETTXF_more_data, 2, 3000);
	/* the last slot is not there yet: nothing is taken */
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), 0);
	assert_int_equal(f->r.tx_req_cons, 0);
	tx_put(f, REF(3), 10, 0, 3, 1000);
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), 5000);
	assert_memory_equal(f->buf, want, sizeof(want));
	netif_tx_push(&f->r);
	for (RING_IDX i = 0; i < 3; i++) {
		assert_int_equal(tx_rsp(f, i).id, i + 1);
		assert_int_equal(tx_rsp(f, i).status, NETIF_RSP_OKAY);
	}
}

static void tx_offloads_csum_and_gso(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr vh;
	struct netif_extra_info x = {.type = XEN_NETIF_EXTRA_TYPE_GSO};

	make_tcp4(page(f->d, 4), 3000);
	x.u.gso.size = 1448;
	x.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	tx_put(f, REF(4), 0, NETTXF_csum_blank | NETTXF_extra_info, 9, 3000);
	tx_put_extra(f, x);
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), 3000);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.csum_start, 34);
	assert_int_equal(vh.csum_offset, 16);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(vh.gso_size, 1448);
	assert_int_equal(vh.hdr_len, 54);
	netif_tx_push(&f->r);
	assert_int_equal(tx_rsp(f, 0).id, 9);
	assert_int_equal(tx_rsp(f, 0).status, NETIF_RSP_OKAY);
	assert_int_equal(tx_rsp(f, 1).status, NETIF_RSP_NULL);

	/* GSO that claims IPv6 on an IPv4 frame: dropped, both slots answered */
	x.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV6;
	tx_put(f, REF(4), 0, NETTXF_csum_blank | NETTXF_extra_info, 10, 3000);
	tx_put_extra(f, x);
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), NETIF_TX_DROPPED);
	netif_tx_push(&f->r);
	assert_int_equal(tx_rsp(f, 2).status, NETIF_RSP_ERROR);
	assert_int_equal(tx_rsp(f, 3).status, NETIF_RSP_NULL);

	/* csum_blank on a frame that is not TCP/UDP over IP: dropped */
	memset(page(f->d, 5), 0, 64);
	tx_put(f, REF(5), 0, NETTXF_csum_blank, 11, 64);
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), NETIF_TX_DROPPED);
}

static void tx_bad_slots_are_dropped(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr vh;
	RING_IDX r0;

	/* a grant to another domain */
	gent(f->d, REF(6))->domid = 3;
	tx_put(f, REF(6), 0, 0, 1, 100);
	/* a ref beyond the table */
	tx_put(f, 60000, 0, 0, 2, 100);
	/* offset + size past the page */
	tx_put(f, REF(7), 4000, 0, 3, 200);
	/* shorter than an Ethernet header */
	tx_put(f, REF(7), 0, 0, 4, 10);
	/* later slots larger than the whole packet */
	tx_put(f, REF(7), 0, NETTXF_more_data, 5, 100);
	tx_put(f, REF(8), 0, 0, 6, 200);
	/* an extra-info slot of an unknown type */
	tx_put(f, REF(7), 0, NETTXF_extra_info, 7, 100);
	tx_put_extra(f, (struct netif_extra_info){.type = 200});
	for (int i = 0; i < 6; i++)
		assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), NETIF_TX_DROPPED);
	netif_tx_push(&f->r);
	for (RING_IDX i = 0; i < 6; i++)
		assert_int_equal(tx_rsp(f, i).status, NETIF_RSP_ERROR);
	assert_int_equal(tx_rsp(f, 6).status, NETIF_RSP_ERROR);	/* id 7 */
	assert_int_equal(tx_rsp(f, 7).status, NETIF_RSP_NULL);
	assert_int_equal(f->r.stats.tx_dropped, 6);
	/* and the ring still works */
	make_tcp4(page(f->d, 9), 80);
	r0 = f->r.tx_rsp_prod_pvt;
	tx_put(f, REF(9), 0, 0, 8, 80);
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), 80);
	netif_tx_push(&f->r);
	assert_int_equal(tx_rsp(f, r0).status, NETIF_RSP_OKAY);
	assert_false(f->r.broken);
}

static void tx_endless_chain_breaks_the_queue(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr vh;

	for (int i = 0; i < NETIF_MAX_DATA_SLOTS + 1; i++)
		tx_put(f, REF(0), 0, NETTXF_more_data, (uint16_t)i, 100);
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), -1);
	assert_true(f->r.broken);
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), -1);
	assert_int_equal(netif_tx_peek_size(&f->r), 0);
}

static void tx_impossible_index_breaks_the_queue(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr vh;

	f->tx->h.req_prod = f->r.tx_size + 1;
	assert_int_equal(netif_tx_take(&f->r, &vh, f->buf), -1);
	assert_true(f->r.broken);
}

static void tx_peek(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(netif_tx_peek_size(&f->r), 0);
	tx_put(f, REF(0), 0, 0, 1, 1234);
	assert_int_equal(netif_tx_peek_size(&f->r), 1234);
}

/* ---- RX ---- */

static void rx_small_frame(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_DATA_VALID};
	uint8_t frame[100];

	make_tcp4(frame, sizeof(frame));
	assert_int_equal(netif_rx_put(&f->r, &vh, frame, sizeof(frame)), -EAGAIN);
	assert_false(netif_rx_final_check(&f->r, 1));
	assert_int_equal(f->rx->h.req_event, 1);
	rx_post(f, 4, 10);
	assert_true(netif_rx_final_check(&f->r, 1));
	assert_int_equal(netif_rx_put(&f->r, &vh, frame, sizeof(frame)), 0);
	assert_true(netif_rx_push(&f->r));
	assert_int_equal(rx_rsp(f, 0).id, 1000);
	assert_int_equal(rx_rsp(f, 0).status, 100);
	assert_int_equal(rx_rsp(f, 0).offset, 0);
	assert_int_equal(rx_rsp(f, 0).flags, NETRXF_data_validated);
	assert_memory_equal(page(f->d, 10), frame, sizeof(frame));
	assert_int_equal(gent(f->d, REF(10))->flags, GTF_permit_access);
}

static void rx_large_frame_sg(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[9000];
	struct virtio_net_hdr vh = {0};

	make_tcp4(frame, sizeof(frame));
	rx_post(f, 2, 10);
	assert_int_equal(netif_rx_slots(&vh, sizeof(frame)), 3);
	assert_int_equal(netif_rx_put(&f->r, &vh, frame, sizeof(frame)), -EAGAIN);
	assert_int_equal(f->r.rx_req_cons, 0);
	rx_post(f, 1, 12);
	assert_int_equal(netif_rx_put(&f->r, &vh, frame, sizeof(frame)), 0);
	netif_rx_push(&f->r);
	assert_int_equal(rx_rsp(f, 0).status, 4096);
	assert_int_equal(rx_rsp(f, 0).flags, NETRXF_more_data);
	assert_int_equal(rx_rsp(f, 1).status, 4096);
	assert_int_equal(rx_rsp(f, 1).flags, NETRXF_more_data);
	assert_int_equal(rx_rsp(f, 2).status, 9000 - 8192);
	assert_int_equal(rx_rsp(f, 2).flags, 0);
	assert_memory_equal(page(f->d, 10), frame, 4096);
	assert_memory_equal(page(f->d, 11), frame + 4096, 4096);
	assert_memory_equal(page(f->d, 12), frame + 8192, 9000 - 8192);
}

static void rx_gso_frame(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[6000];
	struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				    .gso_size = 1448,
				    .csum_start = 34,
				    .csum_offset = 16};
	struct netif_extra_info x;

	make_tcp4(frame, sizeof(frame));
	rx_post(f, 3, 10);
	assert_int_equal(netif_rx_put(&f->r, &vh, frame, sizeof(frame)), 0);
	netif_rx_push(&f->r);
	assert_int_equal(f->rx->h.rsp_prod, 3);
	assert_int_equal(rx_rsp(f, 0).flags, NETRXF_csum_blank | NETRXF_data_validated |
						     NETRXF_more_data | NETRXF_extra_info);
	assert_int_equal(rx_rsp(f, 0).status, 4096);
	memcpy(&x, &f->rx->ring[1], sizeof(x));
	assert_int_equal(x.type, XEN_NETIF_EXTRA_TYPE_GSO);
	assert_int_equal(x.u.gso.size, 1448);
	assert_int_equal(x.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	/* the data continues in the third request's buffer */
	assert_int_equal(rx_rsp(f, 2).id, 1002);
	assert_int_equal(rx_rsp(f, 2).status, 6000 - 4096);
	assert_memory_equal(page(f->d, 12), frame + 4096, 6000 - 4096);
}

static void rx_guest_without_offloads(void **state)
{
	struct fixture *f = *state;
	static uint8_t big[5000];
	uint8_t frame[80];
	struct virtio_net_hdr gso = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448};
	struct virtio_net_hdr partial = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
					 .csum_start = 34,
					 .csum_offset = 16};
	struct virtio_net_hdr none = {0};
	uint32_t sum = 0;

	rx_post(f, 8, 10);
	/* no sg: a frame over a page is dropped, as is GSO */
	assert_int_equal(netif_rx_put(&f->r, &none, big, sizeof(big)), 0);
	assert_int_equal(netif_rx_put(&f->r, &gso, big, 3000), 0);
	assert_int_equal(f->r.rx_req_cons, 0);
	assert_int_equal(f->r.stats.rx_dropped, 2);
	/* no csum offload: the checksum is completed here; the TCP sum over the
	 * pseudo-header and the segment then folds to 0xffff */
	make_tcp4(frame, sizeof(frame));
	frame[34 + 16] = 0;
	frame[34 + 17] = 0x10;	/* stand-in pseudo-header sum */
	assert_int_equal(netif_rx_put(&f->r, &partial, frame, sizeof(frame)), 0);
	netif_rx_push(&f->r);
	assert_int_equal(rx_rsp(f, 0).flags, 0);
	for (size_t i = 34; i + 1 < sizeof(frame); i += 2)
		sum += (uint32_t)(page(f->d, 10)[i] << 8 | page(f->d, 10)[i + 1]);
	sum += 0x10;	/* the pseudo-header the stand-in stood for */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	assert_int_equal(sum, 0xffff);
}

static void rx_bad_grant_and_broken_ring(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr vh = {0};
	uint8_t frame[64];

	make_tcp4(frame, sizeof(frame));
	gent(f->d, REF(10))->flags = GTF_permit_access | GTF_readonly;
	rx_post(f, 2, 10);
	assert_int_equal(netif_rx_put(&f->r, &vh, frame, sizeof(frame)), 0);
	assert_int_equal(netif_rx_put(&f->r, &vh, frame, sizeof(frame)), 0);
	netif_rx_push(&f->r);
	assert_int_equal(rx_rsp(f, 0).status, NETIF_RSP_ERROR);
	assert_int_equal(rx_rsp(f, 1).status, sizeof(frame));
	f->rx->h.req_prod += f->r.rx_size + 5;
	assert_int_equal(netif_rx_put(&f->r, &vh, frame, sizeof(frame)), -1);
	assert_true(f->r.broken);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tx_one_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(tx_chain_and_incomplete, setup, teardown),
		cmocka_unit_test_setup_teardown(tx_offloads_csum_and_gso, setup, teardown),
		cmocka_unit_test_setup_teardown(tx_bad_slots_are_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(tx_endless_chain_breaks_the_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(tx_impossible_index_breaks_the_queue, setup,
						teardown),
		cmocka_unit_test_setup_teardown(tx_peek, setup, teardown),
		cmocka_unit_test_setup_teardown(rx_small_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(rx_large_frame_sg, setup, teardown),
		cmocka_unit_test_setup_teardown(rx_gso_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(rx_guest_without_offloads, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(rx_bad_grant_and_broken_ring, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
