/* From _start to guest_main(): shared_info, console, traps, events. */
#include "events.h"
#include "guest.h"
#include "hypercall.h"
#include "traps.h"

struct start_info *start_info;
struct shared_info *shared_info;
struct vcpu_info *vcpu0_info;

static uint8_t shared_info_page[4096] __page_aligned_bss;

void runtime_start(struct start_info *si) __attribute__((noreturn));
void runtime_start(struct start_info *si)
{
	long rc;

	start_info = si;
	shared_info = (struct shared_info *)shared_info_page;
	vcpu0_info = &shared_info->vcpu_info[0];
	rc = map_frame_at(shared_info_page, si->shared_info >> PAGE_SHIFT, PTE_DATA);

	console_init();
	printk("--- xeno test guest: %s ---\n", test_title);
	if (rc)
		report_crash("mapping shared_info failed: %ld", rc);
	traps_init();
	/* Tests see only their own events: the console and xenstore ports stay masked. */
	port_mask(si->console.domU.evtchn);
	port_mask(si->store_evtchn);
	rc = events_init();
	if (rc)
		note("registering the event callback failed: %ld", rc);

	guest_main();
	report_finish();
}
