/*
 * Page-table stores in guest context (PLATFORM.md): the shadow MMU only sees
 * page-table writes the guest makes itself, so the monitor queues them and
 * runs a tiny helper, at CPL3 in an address space of its own (the helper L4:
 * a writable map of all guest-physical memory), that performs the stores.
 * Switching CR3 back to the guest's tables afterwards flushes its TLB.
 */
#include "domain.h"
#include "hvarea.h"
#include "kvm/kvm.h"

#include <string.h>

int pt_store(struct vcpu *v, uint64_t gpa, uint64_t val)
{
	if ((gpa & 7) || !gpa_range(v->d, gpa, 8))
		return -XEN_EFAULT;
	if (v->d->trace)
		mlog(v->d, "v%u pt_store %#llx <- %#llx", v->id, (unsigned long long)gpa,
		     (unsigned long long)val);
	/* A later store to the same entry replaces the queued one. */
	for (unsigned int i = 0; i < v->pt_queued; i++) {
		if (v->pt_queue[i].gpa == gpa) {
			v->pt_queue[i].val = val;
			return 0;
		}
	}
	if (v->pt_queued == sizeof(v->pt_queue) / sizeof(v->pt_queue[0]) && pt_flush(v) < 0)
		return -XEN_EFAULT;
	v->pt_queue[v->pt_queued].gpa = gpa;
	v->pt_queue[v->pt_queued].val = val;
	v->pt_queued++;
	return 0;
}

uint64_t pt_read(struct vcpu *v, uint64_t gpa)
{
	uint64_t val;

	for (unsigned int i = v->pt_queued; i-- > 0;)
		if (v->pt_queue[i].gpa == gpa)
			return v->pt_queue[i].val;
	memcpy(&val, gpa_range(v->d, gpa, 8), 8);
	return val;
}

int pt_flush(struct vcpu *v)
{
	struct domain *d = v->d;
	struct hvarea *a = d->hva;
	struct vcpu_regs r = { 0 };
	struct kvm_exit e;

	if (!v->pt_queued)
		return 0;
	v->stats.pt_helper++;
	void *q = gpa_range(d, a->vcpu[v->id].queue_pfn << PAGE_SHIFT, PAGE_SIZE);
	memcpy(q, v->pt_queue, v->pt_queued * sizeof(v->pt_queue[0]));
	r.rip = HV_DIRECTMAP_VA + (a->helper_code_pfn << PAGE_SHIFT);
	r.rdi = HV_DIRECTMAP_VA;
	r.rsi = HV_DIRECTMAP_VA + (a->vcpu[v->id].queue_pfn << PAGE_SHIFT);
	r.rcx = v->pt_queued;
	r.rflags = 0x2;		/* no interrupts while the helper runs */
	struct vcpu_sregs s = { .cs = FLAT_KERNEL_CS64, .ss = FLAT_KERNEL_SS64,
				.cr3 = a->helper_l4_pfn << PAGE_SHIFT };
	if (kvm_vcpu_set_cpl3(v->kvm, &s, false) < 0 ||
	    kvm_vcpu_set_regs(v->kvm, &r) < 0 || kvm_vcpu_run(v->kvm, &e) < 0) {
		domain_crash(d, "page-table helper could not run");
		return -1;
	}
	while (e.kind == KEXIT_INTR) {
		/* a kick arrived while we ran the helper: it resumes where it was */
		if (kvm_vcpu_run(v->kvm, &e) < 0)
			break;
	}
	if (e.kind != KEXIT_IO || e.port != PORT_HELPER_DONE) {
		struct vcpu_sregs s = { 0 };
		kvm_vcpu_get_regs(v->kvm, &r);
		kvm_vcpu_get_sregs(v->kvm, &s);
		uint64_t *f = hvarea_ptr(d, r.rsp, 6 * 8);
		domain_crash(d, "page-table helper failed (exit %u port %#x, cr2 %#llx, error %#llx at %#llx)",
			     e.raw_reason, e.port, (unsigned long long)s.cr2,
			     (unsigned long long)(f ? f[0] : 0), (unsigned long long)(f ? f[1] : 0));
		return -1;
	}
	v->pt_queued = 0;
	v->regs_dirty = true;
	v->sregs_dirty = true;	/* back to the guest's CR3: also flushes its TLB */
	v->exit_cpl = 3;
	return 0;
}
