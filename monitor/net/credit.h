/*
 * rate= for a vif queue: Xen's credit scheme on the guest's transmit side.
 * Each interval adds `bytes` of credit, kept up to a burst of
 * max(128 KiB, bytes) so that a packet larger than one interval's credit
 * (a 64 KiB GSO frame under a low rate) waits for enough intervals instead
 * of going on a single one. A packet goes only when the credit covers it;
 * the burst exceeds the largest netif packet (64 KiB), so every one can.
 * Pure bookkeeping on a caller's clock, so it can be tested without time.
 */
#ifndef MONITOR_NET_CREDIT_H
#define MONITOR_NET_CREDIT_H

#include <stdbool.h>
#include <stdint.h>

#define NET_CREDIT_MIN_BURST (128u * 1024)

struct net_credit {
	uint64_t bytes;		/* per interval; 0: no limit */
	uint64_t left;
	int64_t interval_ns;
	int64_t next_ns;	/* when the next interval's credit is due */
};

void net_credit_init(struct net_credit *c, uint64_t bytes, uint32_t usecs);
/* May a packet of size bytes go at now_ns? If so its credit is taken; if
 * not, *retry_ns says when to ask again. */
bool net_credit_take(struct net_credit *c, int64_t now_ns, unsigned int size, int64_t *retry_ns);

#endif /* MONITOR_NET_CREDIT_H */
