/*
 * A hostile network frontend (run by tests/integration/net.sh next to a
 * well-behaved netfront guest): after a proper handshake it sends an
 * oversized single slot, a grant it never made, a slot running off its
 * page, a flood of frames, rx buffers with bad grants, and finally a
 * fragment chain that never ends. Each bad packet must come back as
 * NETIF_RSP_ERROR; the monitor must stay up, and the other guest's traffic
 * keeps flowing (checked by the script).
 */
#include "netfront_common.h"

const char test_title[] = "net_hostile: a frontend that breaks the netif rules";

#define NOT_GRANTED 300

static void put(struct netfront *nf, grant_ref_t ref, uint16_t off, uint16_t flags, uint16_t id,
		uint16_t size)
{
	struct netif_tx_request q = {.gref = ref, .offset = off, .flags = flags, .id = id,
				     .size = size};

	nf->tx->ring[nf->tx_prod % nf->tx_size].req = q;
	nf->tx_prod++;
}

static void kick(struct netfront *nf)
{
	__atomic_store_n(&nf->tx->h.req_prod, nf->tx_prod, __ATOMIC_RELEASE);
	evtchn_send(nf->port);
}

/* Wait until all tx requests are answered; the error responses seen. */
static unsigned int answered(struct netfront *nf)
{
	uint64_t deadline = system_time_ns() + NF_WAIT_NS;
	unsigned int errors = 0;

	while (nf->tx_cons != nf->tx_prod && system_time_ns() < deadline) {
		errors += nf_reap_tx(nf);
		poll_ports(&nf->port, 1, 10000000UL);
		port_clear_pending(nf->port);
	}
	return errors + nf_reap_tx(nf);
}

void guest_main(void)
{
	struct netfront nf;

	if (!nf_connect(&nf))
		return;

	memset(nf_tx_buf[0], 0xff, 4096);
	put(&nf, NF_REF_TX(0), 0, 0, 1, 0xffff);	/* larger than its one page */
	put(&nf, NOT_GRANTED, 0, 0, 2, 60);		/* a grant that was never made */
	put(&nf, NF_REF_TX(0), 4000, 0, 3, 200);	/* runs off the page */
	put(&nf, NF_REF_TX(0), 0, 0, 4, 8);		/* shorter than an Ethernet header */
	kick(&nf);
	check_eq(answered(&nf), 4, "four bad packets, four error responses");

	/* a flood of broadcast frames */
	for (unsigned int round = 0; round < 10; round++) {
		for (unsigned int i = 0; i < 100; i++)
			put(&nf, NF_REF_TX(0), 0, 0, (uint16_t)i, 60);
		kick(&nf);
		check_eq(answered(&nf), 0, "flood round %u sent", round);
	}

	/* rx buffers the backend may not write */
	for (unsigned int i = 0; i < 8; i++) {
		struct netif_rx_request q = {.id = (uint16_t)(100 + i), .gref = NOT_GRANTED};

		nf.rx->ring[nf.rx_prod % nf.rx_size].req = q;
		nf.rx_prod++;
	}
	nf_push_rx(&nf);

	/* a chain of more_data slots that never ends */
	for (unsigned int i = 0; i < 64; i++)
		put(&nf, NF_REF_TX(0), 0, NETTXF_more_data, (uint16_t)i, 100);
	kick(&nf);
	note("sent a 64-slot chain without an end: the backend should disable this queue");
	/* give the backend time to see it; the script checks the monitor */
	for (uint64_t end = system_time_ns() + 2000000000UL; system_time_ns() < end;)
		poll_ports(&nf.port, 1, 100000000UL);
	check(nf_load(&nf.tx->h.rsp_prod) == nf.tx_cons, "no response to the endless chain");
}
