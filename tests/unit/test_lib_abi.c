/*
 * Our rendering of Xen's public ABI: layouts checked at run time against
 * the offsets Xen's own headers produce on x86_64, and the ring helpers'
 * arithmetic, including indices a hostile peer could publish.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdint.h>
#include <cmocka.h>

#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/io/blkif.h>
#include <xen/io/console.h>
#include <xen/io/netif.h>
#include <xen/io/ring.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/xen.h>

static void test_start_info_layout(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct start_info, nr_pages), 32);
	assert_int_equal(offsetof(struct start_info, shared_info), 40);
	assert_int_equal(offsetof(struct start_info, flags), 48);
	assert_int_equal(offsetof(struct start_info, store_mfn), 56);
	assert_int_equal(offsetof(struct start_info, store_evtchn), 64);
	assert_int_equal(offsetof(struct start_info, console.domU.mfn), 72);
	assert_int_equal(offsetof(struct start_info, console.domU.evtchn), 80);
	assert_int_equal(offsetof(struct start_info, pt_base), 88);
	assert_int_equal(offsetof(struct start_info, mfn_list), 104);
	assert_int_equal(offsetof(struct start_info, mod_start), 112);
	assert_int_equal(offsetof(struct start_info, cmd_line), 128);
	assert_int_equal(offsetof(struct start_info, first_p2m_pfn), 1152);
	assert_int_equal(sizeof(struct start_info), 1168);
}

static void test_shared_info_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct vcpu_info), 64);
	assert_int_equal(sizeof(struct vcpu_time_info), 32);
	assert_int_equal(offsetof(struct vcpu_info, evtchn_pending_sel), 8);
	assert_int_equal(offsetof(struct vcpu_info, arch.cr2), 16);
	assert_int_equal(offsetof(struct vcpu_info, time), 32);
	assert_int_equal(offsetof(struct shared_info, vcpu_info[31]), 31 * 64);
	assert_int_equal(offsetof(struct shared_info, evtchn_pending), 2048);
	assert_int_equal(offsetof(struct shared_info, evtchn_mask), 2560);
	assert_int_equal(offsetof(struct shared_info, wc_version), 3072);
	assert_int_equal(offsetof(struct shared_info, wc_sec_hi), 3084);
	assert_int_equal(offsetof(struct shared_info, arch.max_pfn), 3088);
	assert_true(sizeof(struct shared_info) <= XEN_PAGE_SIZE);
	/* 2-level events: one bit per port in each array. */
	assert_int_equal(sizeof(((struct shared_info *)0)->evtchn_pending) * 8,
			 EVTCHN_2L_NR_CHANNELS);
}

static void test_x86_layouts(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct trap_info), 16);
	assert_int_equal(sizeof(struct mmu_update), 16);
	assert_int_equal(sizeof(struct mmuext_op), 24);
	assert_int_equal(sizeof(struct multicall_entry), 64);
	assert_int_equal(sizeof(struct iret_context), 9 * 8);
	assert_int_equal(offsetof(struct cpu_user_regs, rip), 128);
	assert_int_equal(sizeof(struct cpu_user_regs), 200);
	assert_int_equal(sizeof(struct vcpu_guest_context), 5168);
	assert_int_equal(offsetof(struct vcpu_guest_context, syscall_callback_eip), 5128);
	assert_int_equal(FIRST_RESERVED_GDT_ENTRY, 14 * 512);
	/* The flat selectors index Xen's reserved GDT entries, at RPL 3. */
	assert_int_equal(FLAT_RING3_CS64 >> 3, FIRST_RESERVED_GDT_ENTRY + 6);
	assert_int_equal(FLAT_RING3_CS64 & 3, 3);
	assert_int_equal(FLAT_RING3_SS64 >> 3, FIRST_RESERVED_GDT_ENTRY + 5);
}

static void test_hypercall_argument_layouts(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct evtchn_status), 24);
	assert_int_equal(offsetof(struct evtchn_status, u.virq), 16);
	assert_int_equal(sizeof(struct evtchn_op), 28);
	assert_int_equal(sizeof(struct gnttab_map_grant_ref), 32);
	assert_int_equal(offsetof(struct gnttab_setup_table, frame_list), 16);
	assert_int_equal(sizeof(struct gnttab_copy), 40);
	assert_int_equal(sizeof(struct grant_entry_v1), 8);
	assert_int_equal(GNTTAB_V1_ENTRIES_PER_PAGE, 512);
	assert_int_equal(offsetof(struct xen_memory_reservation, domid), 24);
	assert_int_equal(sizeof(struct xen_e820_entry), 20);
	assert_int_equal(sizeof(struct vcpu_runstate_info), 48);
	assert_int_equal(sizeof(struct vcpu_set_singleshot_timer), 16);
	assert_int_equal(offsetof(struct callback_register, address), 8);
	assert_int_equal(offsetof(struct sched_poll, timeout), 16);
	assert_int_equal(sizeof(struct xen_compile_info), 144);
}

static void test_io_layouts(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct xencons_interface, out), 1024);
	assert_int_equal(offsetof(struct xencons_interface, out_prod), 3084);
	assert_int_equal(sizeof(struct blkif_request), 112);
	assert_int_equal(sizeof(struct blkif_request_indirect), 64);
	assert_int_equal(sizeof(struct blkif_response), 16);
	assert_int_equal(offsetof(struct blkif_sring, ring), 64);
	assert_int_equal(sizeof(struct netif_tx_request), 12);
	assert_int_equal(sizeof(struct netif_rx_response), 8);
}

static void test_ring_sizes(void **state)
{
	(void)state;
	/* The ring sizes Linux's frontends compute for one page. */
	assert_int_equal(XEN_RING_SIZE(blkif, XEN_PAGE_SIZE), 32);
	assert_int_equal(XEN_RING_SIZE(netif_tx, XEN_PAGE_SIZE), 256);
	assert_int_equal(XEN_RING_SIZE(netif_rx, XEN_PAGE_SIZE), 256);
	assert_int_equal(XEN_RING_SIZE(blkif, 4 * XEN_PAGE_SIZE), 128);
	assert_int_equal(xen_ring_size(XEN_PAGE_SIZE, 0), 0);
	assert_int_equal(xen_ring_size(64, 8), 0);
	assert_int_equal(xen_ring_size(64 + 8, 8), 1);
	assert_int_equal(xen_ring_size(64 + 3 * 8, 8), 2);
}

static void test_ring_init_and_slots(void **state)
{
	struct xen_sring_header h;

	(void)state;
	memset(&h, 0xff, sizeof(h));
	xen_sring_init(&h);
	assert_int_equal(h.req_prod, 0);
	assert_int_equal(h.rsp_prod, 0);
	assert_int_equal(h.req_event, 1);
	assert_int_equal(h.rsp_event, 1);
	assert_int_equal(h.__pad[43], 0);
	assert_int_equal(xen_ring_slot(33, 32), 1);
	assert_int_equal(xen_ring_slot(UINT32_MAX, 32), 31);
}

static void test_ring_notify(void **state)
{
	(void)state;
	/* The peer asked to be woken at index 5: moving 3 -> 6 crosses it. */
	assert_true(xen_ring_need_notify(3, 6, 5));
	assert_true(xen_ring_need_notify(4, 5, 5));
	/* Already past its event, or not yet reaching it: no notification. */
	assert_false(xen_ring_need_notify(5, 6, 5));
	assert_false(xen_ring_need_notify(1, 3, 5));
	/* Across the 2^32 wrap. */
	assert_true(xen_ring_need_notify(UINT32_MAX - 1, 2, 0));
	assert_false(xen_ring_need_notify(UINT32_MAX - 1, UINT32_MAX, 0));
}

static void test_ring_unconsumed_requests(void **state)
{
	uint32_t n = 99;

	(void)state;
	assert_true(xen_ring_unconsumed_requests(10, 4, 2, 32, &n));
	assert_int_equal(n, 6);
	/* A full ring is fine. */
	assert_true(xen_ring_unconsumed_requests(34, 2, 2, 32, &n));
	assert_int_equal(n, 32);
	/* Wrapped indices. */
	assert_true(xen_ring_unconsumed_requests(3, UINT32_MAX - 1, UINT32_MAX - 2, 32, &n));
	assert_int_equal(n, 5);
	/* Hostile: more requests than slots. */
	n = 99;
	assert_false(xen_ring_unconsumed_requests(35, 2, 2, 32, &n));
	assert_int_equal(n, 0);
	/* Hostile: producer moved back behind what we consumed. */
	assert_false(xen_ring_unconsumed_requests(3, 4, 2, 32, &n));
	assert_int_equal(n, 0);
	assert_false(xen_ring_unconsumed_requests(UINT32_MAX, 4, 2, 32, &n));
}

static void test_ring_unconsumed_responses(void **state)
{
	uint32_t n = 99;

	(void)state;
	assert_true(xen_ring_unconsumed_responses(7, 5, 9, &n));
	assert_int_equal(n, 2);
	/* Hostile: more responses than requests made. */
	assert_false(xen_ring_unconsumed_responses(10, 5, 9, &n));
	assert_int_equal(n, 0);
	assert_int_equal(xen_ring_free_requests(9, 5, 32), 28);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_info_layout),
		cmocka_unit_test(test_shared_info_layout),
		cmocka_unit_test(test_x86_layouts),
		cmocka_unit_test(test_hypercall_argument_layouts),
		cmocka_unit_test(test_io_layouts),
		cmocka_unit_test(test_ring_sizes),
		cmocka_unit_test(test_ring_init_and_slots),
		cmocka_unit_test(test_ring_notify),
		cmocka_unit_test(test_ring_unconsumed_requests),
		cmocka_unit_test(test_ring_unconsumed_responses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
