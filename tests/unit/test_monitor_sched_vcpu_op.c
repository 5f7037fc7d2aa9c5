/*
 * VCPUOP_* without KVM: bringing vCPUs up and down, VCPUOP_initialise and
 * its checks, moving vcpu_info, runstate and time areas, NMIs, and the
 * error paths, with Xen's codes.
 */
#include "test_monitor_evtchn_harness.h"

#include <xen/sched.h>
#include <xen/vcpu.h>

static struct domain *d;
static struct vcpu *v0, *v1;
static struct vcpu_guest_context ctx;

static int group_setup(void **state)
{
	(void)state;
	return ev_init();
}

static int setup(void **state)
{
	(void)state;
	d = test_domain(3, true);
	v0 = &d->vcpu[0];
	v1 = &d->vcpu[1];
	memset(&ctx, 0, sizeof(ctx));
	ctx.flags = VGCF_in_kernel;
	ctx.user_regs.rip = 0xffffffff80001000ULL;
	ctx.user_regs.rsp = 0xffffffff80200000ULL;
	ctx.kernel_sp = 0xffffffff80200000ULL;
	ctx.ctrlreg[3] = xen_pfn_to_cr3(5);
	ctx.event_callback_eip = 0xffffffff80002000ULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_domain_free(d);
	return 0;
}

static long vcpu_call(struct vcpu *v, int cmd, unsigned int id, void *arg)
{
	uint64_t a[5] = { (uint64_t)cmd, id, gva_of(arg) };

	return do_vcpu_op(v, a);
}

static void test_up_down_and_initialise(void **state)
{
	struct vcpu_guest_context got;

	(void)state;
	assert_int_equal(vcpu_call(v0, VCPUOP_is_up, 0, NULL), 1);
	assert_int_equal(vcpu_call(v0, VCPUOP_is_up, 1, NULL), 0);
	assert_int_equal(vcpu_call(v0, VCPUOP_is_up, 3, NULL), -XEN_ENOENT);
	assert_int_equal(vcpu_call(v0, VCPUOP_up, 0, NULL), 0);
	/* Not initialised yet. */
	assert_int_equal(vcpu_call(v0, VCPUOP_up, 1, NULL), -XEN_EINVAL);
	assert_int_equal(vcpu_call(v0, VCPUOP_initialise, 0, &ctx), -XEN_EEXIST);
	assert_int_equal(vcpu_call(v0, VCPUOP_initialise, 1, (void *)BAD_GVA), -XEN_EFAULT);
	assert_false(vcpu_take_initial_context(v1, &got));

	assert_int_equal(vcpu_call(v0, VCPUOP_initialise, 1, &ctx), 0);
	assert_int_equal(vcpu_call(v0, VCPUOP_initialise, 1, &ctx), -XEN_EEXIST);
	assert_false(v1->online);	/* no VGCF_online: it waits for VCPUOP_up */
	assert_int_equal(vcpu_call(v0, VCPUOP_up, 1, NULL), 0);
	assert_true(v1->online);
	assert_int_equal(vcpu_call(v0, VCPUOP_is_up, 1, NULL), 1);
	assert_true(vcpu_take_initial_context(v1, &got));
	assert_memory_equal(&got, &ctx, sizeof(ctx));
	assert_false(vcpu_take_initial_context(v1, &got));	/* once */

	struct vcpu_runstate_info r;
	sched_runstate_get(v1, &r, false);
	assert_int_equal(r.state, RUNSTATE_running);
	assert_true(v1->timer_deadline[TIMER_PERIODIC] != 0);	/* its default tick runs */

	/* Down: offline, kicked out of the guest; the last one powers off. */
	assert_int_equal(vcpu_call(v0, VCPUOP_down, 1, NULL), 0);
	assert_false(v1->online);
	assert_int_equal(kicks[1], 1);
	sched_runstate_get(v1, &r, false);
	assert_int_equal(r.state, RUNSTATE_offline);
	assert_int_equal(v1->timer_deadline[TIMER_PERIODIC], 0);
	assert_int_equal(vcpu_call(v0, VCPUOP_down, 1, NULL), 0);	/* already down */
	assert_int_equal(shutdowns, 0);
	assert_int_equal(vcpu_call(v0, VCPUOP_down, 0, NULL), 0);
	assert_int_equal(shutdowns, 1);
	assert_int_equal(shutdown_reason, SHUTDOWN_poweroff);
	assert_true(v0->online);	/* the domain goes, not the vCPU */
}

static void test_initialise_online(void **state)
{
	(void)state;
	ctx.flags = VGCF_online | VGCF_in_kernel;
	assert_int_equal(vcpu_call(v0, VCPUOP_initialise, 2, &ctx), 0);
	assert_true(d->vcpu[2].online);
}

#define CTX struct vcpu_guest_context

static void test_initialise_checks(void **state)
{
	static const struct {
		size_t offset;
		uint64_t value;
	} bad[] = {
		{ offsetof(CTX, user_regs.rip), 0x0000800000000000ULL },
		{ offsetof(CTX, user_regs.rsp), 0x8000000000000000ULL },
		{ offsetof(CTX, kernel_sp), 0x0001000000000000ULL },
		{ offsetof(CTX, fs_base), 0x0000800000000000ULL },
		{ offsetof(CTX, gs_base_kernel), 0x0000800000000000ULL },
		{ offsetof(CTX, gs_base_user), 0x0000800000000000ULL },
		{ offsetof(CTX, event_callback_eip), 0x0000900000000000ULL },
		{ offsetof(CTX, failsafe_callback_eip), 0x0000900000000000ULL },
		{ offsetof(CTX, syscall_callback_eip), 0x0000900000000000ULL },
		{ offsetof(CTX, trap_ctxt[14].address), 0x0000900000000000ULL },
		{ offsetof(CTX, ldt_base), 0xffff800000000000ULL },
		{ offsetof(CTX, ldt_base), 0x1008 },
		{ offsetof(CTX, ldt_ents), 8193 },
		{ offsetof(CTX, gdt_ents), FIRST_RESERVED_GDT_ENTRY + 1 },
		{ offsetof(CTX, debugreg[0]), 0xffff800000001000ULL },
		{ offsetof(CTX, debugreg[7]), 0x100000000ULL },
		{ offsetof(CTX, flags), 0 },	/* user mode, no user L4 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vcpu_guest_context c = ctx;
		memcpy((uint8_t *)&c + bad[i].offset, &bad[i].value, sizeof(uint64_t));
		assert_int_equal(vcpu_call(v0, VCPUOP_initialise, 1, &c), -XEN_EINVAL);
	}
	assert_int_equal(frames.gdt_calls + frames.tables_calls, 0);
	/* None of them stuck: a good context is still taken. */
	assert_int_equal(vcpu_call(v0, VCPUOP_initialise, 1, &ctx), 0);
}

static void test_initialise_takes_the_frames(void **state)
{
	struct vcpu_guest_context got;

	(void)state;
	ctx.gdt_frames[0] = 9;
	ctx.gdt_ents = 512;
	ctx.ctrlreg[1] = xen_pfn_to_cr3(6);

	/* A bad GDT: refused before the page tables are looked at. */
	frames.gdt_rc = -XEN_EINVAL;
	assert_int_equal(vcpu_call(v0, VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	assert_int_equal(frames.tables_calls, 0);
	/* Bad page tables: the GDT taken is given back. */
	frames.gdt_rc = 0;
	frames.tables_rc = -XEN_EINVAL;
	assert_int_equal(vcpu_call(v0, VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	assert_int_equal(frames.gdt_destroyed, 1);
	assert_false(vcpu_take_initial_context(v1, &got));
	assert_int_equal(vcpu_call(v0, VCPUOP_up, 1, NULL), -XEN_EINVAL);

	frames.tables_rc = 0;
	assert_int_equal(vcpu_call(v0, VCPUOP_initialise, 1, &ctx), 0);
	assert_int_equal(frames.gdt_frame0, 9);
	assert_int_equal(frames.gdt_entries, 512);
	assert_int_equal(frames.kernel_mfn, 5);
	assert_int_equal(frames.user_mfn, 6);
	assert_true(vcpu_take_initial_context(v1, &got));
}

static void test_register_vcpu_info(void **state)
{
	struct vcpu_register_vcpu_info r = { .mfn = 4, .offset = 64 };
	struct vcpu_info *old = &d->shared_info->vcpu_info[0];
	struct vcpu_info *moved = (struct vcpu_info *)(d->ram + 4 * PAGE_SIZE + 64);
	struct evtchn_bind_ipi ipi = { .vcpu = 0 };
	struct evtchn_send s;

	(void)state;
	memset(d->ram + 4 * PAGE_SIZE, 0xcc, PAGE_SIZE);
	r.offset = 4096 - 32;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_info, 0, &r), -XEN_ENXIO);
	r.offset = 66;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_info, 0, &r), -XEN_ENXIO);
	r.offset = 4096;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL);
	r = (struct vcpu_register_vcpu_info){ .mfn = TEST_RAM_PAGES, .offset = 0 };
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL);
	r = (struct vcpu_register_vcpu_info){ .mfn = 1ULL << 60, .offset = 0 };
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL);
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_info, 0, (void *)BAD_GVA),
			 -XEN_EFAULT);
	assert_ptr_equal(vcpu_info_of(v0), old);

	old->arch.cr2 = 0x1234;
	r = (struct vcpu_register_vcpu_info){ .mfn = 4, .offset = 64 };
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_info, 0, &r), 0);
	assert_ptr_equal(vcpu_info_of(v0), moved);
	assert_int_equal(v0->vcpu_info_gpa, 4 * PAGE_SIZE + 64);
	assert_int_equal(moved->evtchn_upcall_mask, 1);	/* carried over */
	assert_int_equal(moved->arch.cr2, 0x1234);
	assert_int_equal(moved->evtchn_pending_sel, ~0ULL);	/* everything maybe pending */
	assert_int_equal(moved->evtchn_upcall_pending, 1);
	assert_int_equal(kicks[0], 1);
	assert_int_equal(moved->time.version & 1, 0);
	assert_true(moved->time.system_time > 0);
	assert_int_equal(d->ram[4 * PAGE_SIZE + 63], 0xcc);
	assert_int_equal(d->ram[4 * PAGE_SIZE + 64 + sizeof(struct vcpu_info)], 0xcc);

	r.offset = 128;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_info, 0, &r), -XEN_EBUSY);

	/* Events now land in the new place. */
	guest_ack_all(v0);
	assert_int_equal(evtchn_call(v0, EVTCHNOP_bind_ipi, &ipi), 0);
	s.port = ipi.port;
	assert_int_equal(evtchn_call(v0, EVTCHNOP_send, &s), 0);
	assert_int_equal(moved->evtchn_upcall_pending, 1);
	assert_true(moved->evtchn_pending_sel & 1);
	assert_int_equal(old->evtchn_pending_sel, 0);

	/* Another vCPU's vcpu_info can be moved too. */
	r = (struct vcpu_register_vcpu_info){ .mfn = 4, .offset = 256 };
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_info, 1, &r), 0);
	assert_ptr_equal(vcpu_info_of(v1), d->ram + 4 * PAGE_SIZE + 256);
}

static void test_runstate_and_time_areas(void **state)
{
	static struct vcpu_runstate_info va;
	static struct vcpu_time_info tva;
	struct vcpu_register_runstate_memory_area ra = { .addr = gva_of(&va) };
	struct vcpu_register_time_memory_area ta = { .addr = gva_of(&tva) };
	uint64_t gpa = 6 * PAGE_SIZE + 8;
	struct vcpu_runstate_info *rp = (struct vcpu_runstate_info *)(d->ram + gpa);
	struct vcpu_runstate_info r;

	(void)state;
	memset(&va, 0xff, sizeof(va));
	assert_int_equal(vcpu_call(v0, VCPUOP_register_runstate_memory_area, 0, &ra), 0);
	assert_int_equal(va.state, RUNSTATE_running);
	assert_int_equal(v0->runstate_gva, gva_of(&va));
	assert_int_equal(vcpu_call(v0, VCPUOP_register_runstate_memory_area, 1, &ra), 0);
	assert_int_equal(va.state, RUNSTATE_offline);	/* vCPU 1's, written by vCPU 0 */
	ra.addr = HYPERVISOR_VIRT_START;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_runstate_memory_area, 0, &ra),
			 -XEN_EFAULT);
	assert_int_equal(vcpu_call(v0, VCPUOP_register_runstate_memory_area, 0, (void *)BAD_GVA),
			 -XEN_EFAULT);
	ra.addr = 0;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_runstate_memory_area, 0, &ra), 0);

	assert_int_equal(vcpu_call(v0, VCPUOP_get_runstate_info, 0, &r), 0);
	assert_int_equal(r.state, RUNSTATE_running);
	assert_true(r.time[RUNSTATE_running] > 0);
	assert_int_equal(vcpu_call(v0, VCPUOP_get_runstate_info, 0, (void *)BAD_GVA),
			 -XEN_EFAULT);

	assert_int_equal(vcpu_call(v0, VCPUOP_register_runstate_phys_area, 0, &gpa), 0);
	assert_int_equal(rp->state, RUNSTATE_running);
	gpa = 6 * PAGE_SIZE + 4090;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_runstate_phys_area, 0, &gpa),
			 -XEN_ENXIO);
	gpa = TEST_RAM_PAGES * PAGE_SIZE;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_runstate_phys_area, 0, &gpa),
			 -XEN_EINVAL);
	gpa = ~0ULL;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_runstate_phys_area, 0, &gpa), 0);

	memset(&tva, 0, sizeof(tva));
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_time_memory_area, 0, &ta), 0);
	assert_int_equal(tva.version & 1, 0);
	assert_true(tva.version != 0);
	assert_true(tva.system_time > 0);
	assert_true((int64_t)tva.system_time <= domain_system_time(d));
	assert_int_equal(tva.tsc_to_system_mul, vcpu_info_of(v0)->time.tsc_to_system_mul);
	assert_int_equal(tva.flags, XEN_PVCLOCK_TSC_STABLE_BIT);
	ta.addr = HYPERVISOR_VIRT_START;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_time_memory_area, 0, &ta),
			 -XEN_EFAULT);

	gpa = 7 * PAGE_SIZE;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_time_phys_area, 0, &gpa), 0);
	struct vcpu_time_info *tp = (struct vcpu_time_info *)(d->ram + gpa);
	assert_int_equal(tp->tsc_to_system_mul, vcpu_info_of(v0)->time.tsc_to_system_mul);
	gpa = 7 * PAGE_SIZE + 4;
	assert_int_equal(vcpu_call(v0, VCPUOP_register_vcpu_time_phys_area, 0, &gpa),
			 -XEN_ENXIO);
}

static void test_nmi_and_misc(void **state)
{
	struct vcpu_get_physid id;

	(void)state;
	assert_int_equal(vcpu_call(v0, VCPUOP_send_nmi, 1, &id), -XEN_EINVAL);
	assert_false(vcpu_take_nmi(v1));
	assert_int_equal(vcpu_call(v0, VCPUOP_send_nmi, 1, NULL), 0);
	assert_int_equal(kicks[1], 1);
	assert_int_equal(vcpu_call(v0, VCPUOP_send_nmi, 1, NULL), 0);
	assert_int_equal(kicks[1], 1);	/* already pending */
	assert_true(vcpu_take_nmi(v1));
	assert_false(vcpu_take_nmi(v1));

	assert_int_equal(vcpu_call(v0, VCPUOP_get_physid, 0, &id), -XEN_EINVAL);
	assert_int_equal(vcpu_call(v0, 99, 0, NULL), -XEN_ENOSYS);
	assert_int_equal(vcpu_call(v0, VCPUOP_is_up, 0xffffffffu, NULL), -XEN_ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_up_down_and_initialise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initialise_online, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initialise_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initialise_takes_the_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_vcpu_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runstate_and_time_areas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nmi_and_misc, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
