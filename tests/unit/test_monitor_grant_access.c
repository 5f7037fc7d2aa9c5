/*
 * The backends' grant checks (monitor/backend/grant_access.c) against
 * Xen's rules for mapping a v1 grant: type and domid, read-only grants,
 * the frame, GTF_reading/GTF_writing while pinned, and copies' bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../monitor/backend/grant_access.h"
#include "test_monitor_mmu_env.h"

#define DATA_PFN 100	/* an ordinary writable frame of the env */

static int setup(void **state)
{
	struct domain *d = env_create(1);

	assert_int_equal(grant_access_init(d), 0);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct domain *d = *state;

	grant_access_destroy(d);
	env_destroy(d);
	return 0;
}

static struct grant_entry_v1 *gent(struct domain *d, grant_ref_t ref)
{
	return (struct grant_entry_v1 *)gpa_range(d, d->hva->grant_pfn << PAGE_SHIFT, PAGE_SIZE) +
	       ref;
}

static void grant(struct domain *d, grant_ref_t ref, uint16_t flags, domid_t dom, uint32_t frame)
{
	struct grant_entry_v1 *e = gent(d, ref);

	e->flags = flags;
	e->domid = dom;
	e->frame = frame;
}

static void map_read_sets_reading_until_unmap(void **state)
{
	struct domain *d = *state;
	void *page;

	grant(d, 10, GTF_permit_access | GTF_readonly, 0, DATA_PFN);
	assert_int_equal(grant_map(d, 10, false, &page), GNTST_okay);
	assert_ptr_equal(page, d->ram + DATA_PFN * PAGE_SIZE);
	assert_int_equal(gent(d, 10)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
	grant_unmap(d, 10, false);
	assert_int_equal(gent(d, 10)->flags, GTF_permit_access | GTF_readonly);
}

static void write_pins_are_counted(void **state)
{
	struct domain *d = *state;
	void *a, *b;

	grant(d, 11, GTF_permit_access, 0, DATA_PFN);
	assert_int_equal(grant_map(d, 11, true, &a), GNTST_okay);
	assert_int_equal(grant_map(d, 11, false, &b), GNTST_okay);
	assert_int_equal(gent(d, 11)->flags, GTF_permit_access | GTF_reading | GTF_writing);
	grant_unmap(d, 11, true);
	/* the read pin remains: reading stays, writing goes */
	assert_int_equal(gent(d, 11)->flags, GTF_permit_access | GTF_reading);
	grant_unmap(d, 11, false);
	assert_int_equal(gent(d, 11)->flags, GTF_permit_access);
}

static void pin_count_does_not_wrap(void **state)
{
	struct domain *d = *state;
	void *page;

	grant(d, 19, GTF_permit_access, 0, DATA_PFN);
	for (unsigned int i = 0; i < UINT16_MAX; i++)
		assert_int_equal(grant_map(d, 19, false, &page), GNTST_okay);
	assert_int_equal(grant_map(d, 19, false, &page), GNTST_general_error);
	assert_null(page);
	grant_unmap(d, 19, false);
	assert_int_equal(grant_map(d, 19, false, &page), GNTST_okay);
	for (unsigned int i = 0; i < UINT16_MAX; i++)
		grant_unmap(d, 19, false);
	assert_int_equal(gent(d, 19)->flags, GTF_permit_access);
}

static void bad_grants_are_refused(void **state)
{
	struct domain *d = *state;
	void *page = (void *)1;

	grant(d, 12, GTF_permit_access | GTF_readonly, 0, DATA_PFN);
	assert_int_equal(grant_map(d, 12, true, &page), GNTST_general_error);
	assert_null(page);
	assert_int_equal(gent(d, 12)->flags, GTF_permit_access | GTF_readonly);

	grant(d, 13, GTF_permit_access, 3, DATA_PFN);	/* granted to domain 3 */
	assert_int_equal(grant_map(d, 13, false, &page), GNTST_general_error);
	grant(d, 14, GTF_accept_transfer, 0, DATA_PFN);
	assert_int_equal(grant_map(d, 14, false, &page), GNTST_general_error);
	grant(d, 15, GTF_invalid, 0, DATA_PFN);
	assert_int_equal(grant_map(d, 15, false, &page), GNTST_general_error);

	/* beyond the one frame the table has, and far beyond */
	assert_int_equal(grant_map(d, GNTTAB_V1_ENTRIES_PER_PAGE, false, &page), GNTST_bad_gntref);
	assert_int_equal(grant_map(d, 0xffffffffu, false, &page), GNTST_bad_gntref);
}

static void frames_outside_ram_or_page_tables_are_refused(void **state)
{
	struct domain *d = *state;
	void *page;

	grant(d, 16, GTF_permit_access, 0, ENV_PAGES + 5);
	assert_int_equal(grant_map(d, 16, false, &page), GNTST_bad_page);
	assert_int_equal(gent(d, 16)->flags, GTF_permit_access);	/* nothing left set */
	grant(d, 17, GTF_permit_access, 0, (uint32_t)d->hva->grant_pfn);
	assert_int_equal(grant_map(d, 17, false, &page), GNTST_bad_page);

	/* a page table may be read, not written */
	grant(d, 18, GTF_permit_access, 0, ENV_L1);
	assert_int_equal(grant_map(d, 18, true, &page), GNTST_bad_page);
	assert_int_equal(gent(d, 18)->flags, GTF_permit_access);
	assert_int_equal(grant_map(d, 18, false, &page), GNTST_okay);
	grant_unmap(d, 18, false);
}

static void copies_stay_inside_the_page(void **state)
{
	struct domain *d = *state;
	char buf[16] = "hello";

	grant(d, 20, GTF_permit_access, 0, DATA_PFN);
	assert_int_equal(grant_copy_to(d, 20, 4090, buf, 6), GNTST_okay);
	assert_memory_equal(d->ram + DATA_PFN * PAGE_SIZE + 4090, "hello", 6);
	assert_int_equal(grant_copy_to(d, 20, 4091, buf, 6), GNTST_bad_copy_arg);
	assert_int_equal(grant_copy_from(d, 20, 0xffffffffu, buf, 2), GNTST_bad_copy_arg);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(grant_copy_from(d, 20, 4090, buf, 6), GNTST_okay);
	assert_string_equal(buf, "hello");
	assert_int_equal(gent(d, 20)->flags, GTF_permit_access);
}

static void more_frames_more_refs(void **state)
{
	struct domain *d = *state;
	grant_ref_t ref = GNTTAB_V1_ENTRIES_PER_PAGE + 3;
	void *page;

	d->gnttab_frames = 2;
	grant(d, ref, GTF_permit_access, 0, DATA_PFN);
	assert_int_equal(grant_map(d, ref, false, &page), GNTST_okay);
	grant_unmap(d, ref, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(map_read_sets_reading_until_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(write_pins_are_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(pin_count_does_not_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_grants_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(frames_outside_ram_or_page_tables_are_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(copies_stay_inside_the_page, setup, teardown),
		cmocka_unit_test_setup_teardown(more_frames_more_refs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
