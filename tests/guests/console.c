/*
 * HYPERVISOR_console_io and the PV console ring.
 *
 * Xen lets a domU write to the hypervisor console when it is the console
 * domain or Xen is a debug build; xeno behaves like that, so writes must
 * succeed. Reading is for privileged domains (-EPERM) or returns what is
 * buffered (0 here: nobody types into it).
 */
#include <xen/io/console.h>

#include "guest.h"
#include "hypercall.h"

const char test_title[] = "console_io and the console ring";

#define UNMAPPED_VA 0x1000UL /* the low half is not mapped at all */

static void test_console_io(void)
{
	static const char msg[] = "console_io: hello from the hypervisor console\n";
	static char big[1000];
	char in[16];
	long rc;

	rc = HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, PTR(msg));
	check_eq(rc, 0, "CONSOLEIO_write of one line");

	rc = HYPERVISOR_console_io(CONSOLEIO_write, 0, PTR(msg));
	check_eq(rc, 0, "CONSOLEIO_write of 0 bytes");

	rc = HYPERVISOR_console_io(CONSOLEIO_write, 0, UNMAPPED_VA);
	check_eq(rc, 0, "CONSOLEIO_write of 0 bytes at a bad address reads nothing");

	/* Longer than Xen's 127-byte chunks, without a newline until the end. */
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	rc = HYPERVISOR_console_io(CONSOLEIO_write, sizeof(big), PTR(big));
	check_eq(rc, 0, "CONSOLEIO_write of %zu bytes", sizeof(big));

	rc = HYPERVISOR_console_io(CONSOLEIO_write, 16, UNMAPPED_VA);
	check_eq(rc, -XEN_EFAULT, "CONSOLEIO_write from an unmapped buffer");

	rc = HYPERVISOR_console_io(CONSOLEIO_write, 16, HYPERVISOR_VIRT_START);
	check_eq(rc, -XEN_EFAULT, "CONSOLEIO_write from the hypervisor's range");

	rc = HYPERVISOR_console_io(CONSOLEIO_write, 16, 0x8000000000000000UL);
	check_eq(rc, -XEN_EFAULT, "CONSOLEIO_write from a non-canonical address");

	/* Xen's XSM check comes first and lets a domU only write (debug
	 * builds): any other command is refused before it is looked at. */
	rc = HYPERVISOR_console_io(99, sizeof(msg) - 1, PTR(msg));
	check_eq(rc, -XEN_EPERM, "console_io with an unknown command is refused");

	rc = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(in), PTR(in));
	check(rc == 0 || rc == -XEN_EPERM, "CONSOLEIO_read: nothing, or not permitted (rc %ld)",
	      rc);
}

/* The console backend must drain what the runtime's printk put in the ring. */
static void test_console_ring(void)
{
	static uint8_t page[4096] __page_aligned_bss;
	struct xencons_interface *ring = (struct xencons_interface *)page;
	uint64_t mfn = start_info->console.domU.mfn;
	unsigned int tries;

	if (!check(mfn != 0, "start_info names a console ring (mfn %#lx, port %u)", mfn,
		   start_info->console.domU.evtchn))
		return;
	if (!check_eq(map_frame_at(page, mfn, PTE_DATA), 0, "console ring can be mapped"))
		return;

	printk("console ring: this line must be consumed by the backend\n");
	for (tries = 0; tries < 100000; tries++) {
		if (__atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE) == ring->out_prod)
			break;
		HYPERVISOR_sched_op(SCHEDOP_yield, 0);
	}
	check(ring->out_cons == ring->out_prod, "backend consumed the ring (cons %u, prod %u)",
	      ring->out_cons, ring->out_prod);
	check(ring->in_prod - ring->in_cons <= sizeof(ring->in),
	      "input indices are sane (cons %u, prod %u)", ring->in_cons, ring->in_prod);
}

void guest_main(void)
{
	test_console_io();
	test_console_ring();
}
