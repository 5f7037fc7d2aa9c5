/*
 * A domain without KVM for the unit tests of monitor/pv/{evtchn,sched,time,
 * vcpu_op}.c: malloc'd RAM and shared_info, and stand-ins for the few
 * functions of the monitor core they call (guest copies, vcpu_kick,
 * domain_shutdown, mlog). Guest "virtual addresses" here are host pointers;
 * anything below BAD_GVA_END faults, as an unmapped page would.
 *
 * Include it from exactly one test file per program.
 */
#ifndef TEST_MONITOR_EVTCHN_HARNESS_H
#define TEST_MONITOR_EVTCHN_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../monitor/domain.h"
#include "../../monitor/eventloop.h"
#include "../../monitor/pv/evtchn.h"
#include "../../monitor/pv/mmu.h"
#include "../../monitor/pv/segments.h"

#define BAD_GVA 0x1000ULL	/* an "unmapped" guest address */
#define BAD_GVA_END 0x10000ULL
#define TEST_DOMID 7
#define TEST_RAM_PAGES 16

static unsigned int kicks[XENO_MAX_VCPUS];
static int shutdown_reason = -1;
static unsigned int shutdowns;

int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, uint64_t len)
{
	(void)v;
	if (gva < BAD_GVA_END)
		return -XEN_EFAULT;
	memcpy(dst, (const void *)(uintptr_t)gva, len);
	return 0;
}

int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, uint64_t len)
{
	(void)v;
	if (gva < BAD_GVA_END)
		return -XEN_EFAULT;
	memcpy((void *)(uintptr_t)gva, src, len);
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	__atomic_fetch_add(&kicks[v->id], 1, __ATOMIC_SEQ_CST);
}

void domain_shutdown(struct domain *d, int reason)
{
	(void)d;
	shutdown_reason = reason;
	shutdowns++;
}

void mlog(struct domain *d, const char *fmt, ...)
{
	(void)d;
	(void)fmt;
}

/* The frame checks of VCPUOP_initialise belong to mmu.c and segments.c:
 * here they record what they were given and fail on request. */
static struct {
	int gdt_rc, tables_rc;
	unsigned int gdt_calls, gdt_destroyed, tables_calls;
	uint64_t gdt_frame0, kernel_mfn, user_mfn;
	unsigned int gdt_entries;
} frames;

int segments_set_gdt(struct vcpu *cur, struct vcpu *target, const uint64_t *f, unsigned int entries)
{
	(void)cur;
	(void)target;
	frames.gdt_calls++;
	frames.gdt_frame0 = f[0];
	frames.gdt_entries = entries;
	return frames.gdt_rc;
}

void segments_destroy_gdt(struct vcpu *cur, struct vcpu *target)
{
	(void)cur;
	(void)target;
	frames.gdt_destroyed++;
}

int mmu_vcpu_set_tables(struct vcpu *cur, struct vcpu *target, uint64_t kernel_mfn,
			uint64_t user_mfn)
{
	(void)cur;
	(void)target;
	frames.tables_calls++;
	frames.kernel_mfn = kernel_mfn;
	frames.user_mfn = user_mfn;
	return frames.tables_rc;
}

/* A built domain: vCPUs as the builder leaves them (events masked, vCPU 0
 * online), event-channel state allocated; no timers unless with_time. */
static inline struct domain *test_domain(unsigned int nr_vcpus, bool with_time)
{
	struct domain *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->domid = TEST_DOMID;
	d->nr_vcpus = nr_vcpus;
	d->nr_pages = TEST_RAM_PAGES;
	d->ram = aligned_alloc(PAGE_SIZE, TEST_RAM_PAGES * PAGE_SIZE);
	d->shared_info = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	assert_non_null(d->ram);
	assert_non_null(d->shared_info);
	memset(d->ram, 0, TEST_RAM_PAGES * PAGE_SIZE);
	memset(d->shared_info, 0, PAGE_SIZE);
	pthread_mutex_init(&d->lock, NULL);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		v->d = d;
		v->id = i;
		pthread_mutex_init(&v->lock, NULL);
		pthread_cond_init(&v->wake, NULL);
		d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
	}
	d->vcpu[0].online = true;
	assert_int_equal(evtchn_init(d), 0);
	if (with_time)
		assert_int_equal(time_init(d), 0);
	memset(kicks, 0, sizeof(kicks));
	memset(&frames, 0, sizeof(frames));
	shutdown_reason = -1;
	shutdowns = 0;
	return d;
}

static inline void test_domain_free(struct domain *d)
{
	evtchn_destroy(d);
	free(d->ram);
	free(d->shared_info);
	free(d);
}

static inline uint64_t gva_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* HYPERVISOR_event_channel_op(cmd, arg) from vCPU v. */
static inline long evtchn_call(struct vcpu *v, int cmd, void *arg)
{
	uint64_t a[5] = { (uint64_t)cmd, gva_of(arg) };

	return do_event_channel_op(v, a);
}

static inline bool pending_bit(struct domain *d, evtchn_port_t port)
{
	return (d->shared_info->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

static inline bool sel_bit(struct vcpu *v, evtchn_port_t port)
{
	return (vcpu_info_of(v)->evtchn_pending_sel >> (port / 64)) & 1;
}

static inline void mask_port(struct domain *d, evtchn_port_t port)
{
	d->shared_info->evtchn_mask[port / 64] |= 1ULL << (port % 64);
}

/* What a guest's upcall handler does: take every pending unmasked event. */
static inline void guest_ack_all(struct vcpu *v)
{
	struct shared_info *s = v->d->shared_info;
	struct vcpu_info *vi = vcpu_info_of(v);

	vi->evtchn_upcall_pending = 0;
	vi->evtchn_pending_sel = 0;
	for (unsigned int w = 0; w < 64; w++)
		s->evtchn_pending[w] &= s->evtchn_mask[w];
}

#endif /* TEST_MONITOR_EVTCHN_HARNESS_H */
