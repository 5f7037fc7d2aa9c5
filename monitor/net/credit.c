/*
 * The credit scheme of a rate-limited vif queue (credit.h).
 */
#include "credit.h"

void net_credit_init(struct net_credit *c, uint64_t bytes, uint32_t usecs)
{
	*c = (struct net_credit){.bytes = usecs ? bytes : 0, .interval_ns = (int64_t)usecs * 1000};
}

bool net_credit_take(struct net_credit *c, int64_t now_ns, unsigned int size, int64_t *retry_ns)
{
	if (!c->bytes)
		return true;
	/* One interval's credit per due check, as Xen adds it: the window
	 * restarts now, so idle time does not pile up more than the burst. */
	if (now_ns >= c->next_ns) {
		uint64_t burst = c->bytes > NET_CREDIT_MIN_BURST ? c->bytes : NET_CREDIT_MIN_BURST;
		uint64_t sum = c->left + c->bytes;

		c->left = sum < c->left || sum > burst ? burst : sum;
		c->next_ns = now_ns + c->interval_ns;
	}
	if (size <= c->left) {
		c->left -= size;
		return true;
	}
	*retry_ns = c->next_ns;
	return false;
}
