/*
 * Console output, to both places a Xen PV guest can write: the hypervisor
 * console (HYPERVISOR_console_io, what `xl dmesg` shows) and the PV console
 * ring (what `xl console` shows).
 */
#include <xen/io/console.h>

#include "guest.h"
#include "hypercall.h"

static uint8_t console_page[4096] __page_aligned_bss;
static struct xencons_interface *ring;
static evtchn_port_t ring_port;

/* Waits for a backend that stays away this long are given up. */
#define RING_MAX_STALLS 100000

void console_init(void)
{
	uint64_t mfn = start_info->console.domU.mfn;

	if (mfn && map_frame_at(console_page, mfn, PTE_DATA) == 0) {
		ring = (struct xencons_interface *)console_page;
		ring_port = start_info->console.domU.evtchn;
	}
}

static void ring_write(const char *s, size_t len)
{
	unsigned int stalls = 0;

	while (len) {
		XENCONS_RING_IDX cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
		XENCONS_RING_IDX prod = ring->out_prod;

		if ((XENCONS_RING_IDX)(prod - cons) >= sizeof(ring->out)) {
			evtchn_send(ring_port);
			HYPERVISOR_sched_op(SCHEDOP_yield, 0);
			if (++stalls > RING_MAX_STALLS) {
				ring = NULL; /* nobody reads it: stop using it */
				return;
			}
			continue;
		}
		ring->out[MASK_XENCONS_IDX(prod, ring->out)] = *s++;
		len--;
		__atomic_store_n(&ring->out_prod, prod + 1, __ATOMIC_RELEASE);
	}
	evtchn_send(ring_port);
}

void console_write(const char *buf, size_t len)
{
	HYPERVISOR_console_io(CONSOLEIO_write, len, PTR(buf));
	if (ring)
		ring_write(buf, len);
}
