/*
 * A PV network frontend that answers ARP and ICMP echo for one IPv4
 * address, so a host namespace can ping the guest through the monitor's
 * netback, tap and bridge (tests/integration/net.sh). The address comes
 * from the command line: `ip=10.1.2.3` (default 10.99.0.2); `serve=S`
 * seconds of serving (default 120) before it reports and powers off.
 * Frames it cannot answer are counted and dropped.
 */
#include "netfront_common.h"

const char test_title[] = "netfront: ARP and ICMP echo over vif 0";

static uint8_t my_ip[4] = {10, 99, 0, 2};
static uint64_t serve_ns = 120000000000UL;

static void parse_cmdline(void)
{
	const char *c = (const char *)start_info->cmd_line, *p;

	if ((p = strstr(c, "ip="))) {
		p += 3;
		for (int i = 0; i < 4; i++) {
			my_ip[i] = (uint8_t)nf_atol(p);
			while (*p >= '0' && *p <= '9')
				p++;
			if (*p == '.')
				p++;
		}
	}
	if ((p = strstr(c, "serve=")))
		serve_ns = (uint64_t)nf_atol(p + 6) * 1000000000UL;
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (; len > 1; p += 2, len -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static unsigned int arp_replies, echo_replies, ignored, tx_busy;

/* The reply to frame f (len bytes) into out; its length, or 0 if none. */
static uint16_t answer(struct netfront *nf, const uint8_t *f, uint16_t len, uint8_t *out)
{
	uint16_t type;

	if (len < 42)
		return 0;
	type = (uint16_t)(f[12] << 8 | f[13]);
	memcpy(out, f + 6, 6);
	memcpy(out + 6, nf->mac, 6);
	if (type == 0x0806 && f[20] == 0 && f[21] == 1 && !memcmp(f + 38, my_ip, 4)) {
		memcpy(out + 12, f + 12, 8);
		out[20] = 0;	/* the whole opcode: the buffer holds an older frame */
		out[21] = 2;	/* reply */
		memcpy(out + 22, nf->mac, 6);
		memcpy(out + 28, my_ip, 4);
		memcpy(out + 32, f + 22, 10);	/* their MAC and IP */
		arp_replies++;
		return 42;
	}
	if (type == 0x0800 && (f[14] >> 4) == 4 && f[23] == 1 && !memcmp(f + 30, my_ip, 4)) {
		unsigned int ihl = (f[14] & 15u) * 4, tot = (unsigned int)(f[16] << 8 | f[17]);
		uint16_t c;

		if (tot + 14 > len || ihl < 20 || tot < ihl + 8 || f[14 + ihl] != 8)
			return 0;
		memcpy(out + 12, f + 12, 14 + tot - 12);
		memcpy(out + 26, f + 30, 4);	/* swap the addresses */
		memcpy(out + 30, f + 26, 4);
		out[22] = 64;
		out[24] = out[25] = 0;
		c = csum(out + 14, ihl);
		out[24] = (uint8_t)(c >> 8);
		out[25] = (uint8_t)c;
		out[14 + ihl] = 0;	/* echo reply */
		out[14 + ihl + 2] = out[14 + ihl + 3] = 0;
		c = csum(out + 14 + ihl, tot - ihl);
		out[14 + ihl + 2] = (uint8_t)(c >> 8);
		out[14 + ihl + 3] = (uint8_t)c;
		echo_replies++;
		return (uint16_t)(14 + tot);
	}
	return 0;
}

void guest_main(void)
{
	struct netfront nf;
	uint64_t end;
	unsigned int bad_rx = 0;

	parse_cmdline();
	if (!nf_connect(&nf))
		return;
	printk("netfront: connected, mac %02x:%02x:%02x:%02x:%02x:%02x ip %u.%u.%u.%u\n",
	       nf.mac[0], nf.mac[1], nf.mac[2], nf.mac[3], nf.mac[4], nf.mac[5], my_ip[0], my_ip[1],
	       my_ip[2], my_ip[3]);
	end = system_time_ns() + serve_ns;
	while (system_time_ns() < end) {
		RING_IDX prod = nf_load(&nf.rx->h.rsp_prod);
		bool posted = false;

		while (nf.rx_cons != prod) {
			struct netif_rx_response r = nf.rx->ring[nf.rx_cons % nf.rx_size].rsp;
			uint16_t n;

			nf.rx_cons++;
			if (r.status > 0 && r.id < NF_RX_BUFS && !(r.flags & NETRXF_more_data)) {
				/* one slot per frame, answered in order: the buffer of
				 * request tx_prod is free once request tx_prod - NF_TX_BUFS
				 * has its response */
				unsigned int b = nf.tx_prod % NF_TX_BUFS;

				nf_reap_tx(&nf);
				if (nf.tx_prod - nf.tx_cons >= NF_TX_BUFS) {
					tx_busy++;
				} else {
					n = answer(&nf, nf_rx_buf[r.id] + r.offset, (uint16_t)r.status,
						   nf_tx_buf[b]);
					if (n)
						nf_send(&nf, b, n);
					else
						ignored++;
				}
			} else {
				bad_rx++;
			}
			nf_post_rx(&nf, r.id < NF_RX_BUFS ? r.id : 0);
			posted = true;
		}
		if (posted)
			nf_push_rx(&nf);
		nf_reap_tx(&nf);
		/* ask for a notification on the next response, then sleep */
		nf.rx->h.rsp_event = nf.rx_cons + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (nf_load(&nf.rx->h.rsp_prod) == nf.rx_cons) {
			poll_ports(&nf.port, 1, 100000000UL);
			port_clear_pending(nf.port);
		}
	}
	note("answered %u ARP requests and %u echo requests, ignored %u frames, %u unanswered "
	     "(all tx buffers in flight)", arp_replies, echo_replies, ignored, tx_busy);
	check_eq(bad_rx, 0, "no rx errors");
	check(arp_replies > 0 && echo_replies > 0, "someone was answered");
}
