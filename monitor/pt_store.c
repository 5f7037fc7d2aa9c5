/*
 * Page-table stores in guest context (PLATFORM.md): the shadow MMU only sees
 * page-table writes the guest makes itself, so the monitor queues them and
 * has the vCPU make them, at CPL0, on its way back into the guest: it enters
 * the store stub (hvarea.c) with the queue and the guest's return frame on
 * its CPL0 stack, and the stub's stores go through a supervisor-only direct
 * map of guest-physical memory. CPL0 code is emulated here, and KVM's
 * emulator tells the shadow MMU about every store it makes; the stub costs
 * a few microseconds where another exit would cost tens.
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

/* The iret frame sits at the top of the CPL0 stack: rip, cs, rflags, rsp, ss. */
static uint64_t *iret_frame(struct vcpu *v)
{
	return hvarea_ptr(v->d, HV_VCPU_WINDOW(v->id) + HV_STACK_TOP - 5 * 8, 5 * 8);
}

/* Lay out [count][va][value]...[rdx][rcx][rax][iret frame] under the top of
 * the CPL0 stack and point the vCPU's registers (r, loaded into KVM) and
 * segments at the store stub. r holds the state the stub returns to. */
static int enter_stub(struct vcpu *v, struct vcpu_regs *r)
{
	unsigned int n = v->pt_queued;
	uint64_t words = 1 + 2 * n + 3 + 5;
	uint64_t sp = HV_VCPU_WINDOW(v->id) + HV_STACK_TOP - words * 8;
	uint64_t *f = hvarea_ptr(v->d, sp, words * 8);

	if (!f)
		return -1;
	*f++ = n;
	for (unsigned int i = 0; i < n; i++) {
		*f++ = HV_DIRECTMAP_VA + v->pt_queue[i].gpa;
		*f++ = v->pt_queue[i].val;
	}
	*f++ = r->rdx;
	*f++ = r->rcx;
	*f++ = r->rax;
	*f++ = r->rip;
	*f++ = FLAT_KERNEL_CS64;
	*f++ = r->rflags;
	*f++ = r->rsp;
	*f++ = FLAT_KERNEL_SS64;
	r->rip = HV_AREA_VA + HV_STORE_STUB_OFF;
	r->rsp = sp;
	r->rflags = 0x2;	/* no interrupts inside the stub */
	v->stats.pt_stub++;
	v->pt_queued = 0;
	return kvm_vcpu_set_regs(v->kvm, r) < 0 ||
	       kvm_vcpu_set_cpl0(v->kvm, HV_CS0, HV_DS0) < 0 ? -1 : 0;
}

int pt_enter_stores(struct vcpu *v)
{
	struct vcpu_regs r = v->regs;

	if (!v->pt_queued)
		return 0;
	return enter_stub(v, &r);
}

bool pt_stub_interrupted(struct vcpu *v, uint64_t rip)
{
	uint64_t stub = HV_AREA_VA + HV_STORE_STUB_OFF;
	uint64_t *f;

	if (rip < stub || rip >= stub + HV_STORE_STUB_LEN || !(f = iret_frame(v)))
		return false;
	/* Have the stub return to the monitor first (an exit at the
	 * stores-done port), so an event can be delivered then. */
	if (f[0] != HV_AREA_VA + HV_STORES_DONE_OFF) {
		v->stub_return_rip = f[0];
		v->stub_return_pending = true;
		f[0] = HV_AREA_VA + HV_STORES_DONE_OFF;
	}
	return true;
}

bool pt_stub_returned(struct vcpu *v)
{
	if (!v->stub_return_pending)
		return false;
	v->stub_return_pending = false;
	v->regs.rip = v->stub_return_rip;
	v->regs_dirty = true;
	return true;
}

int pt_flush(struct vcpu *v)
{
	struct vcpu_regs r = v->regs;
	struct kvm_exit e;

	if (!v->pt_queued)
		return 0;
	v->stats.pt_flush++;
	r.rip = HV_AREA_VA + HV_STORES_DONE_OFF;
	r.rflags = 0x2;
	if (enter_stub(v, &r) < 0 || kvm_vcpu_run(v->kvm, &e) < 0) {
		domain_crash(v->d, "page-table stores could not run");
		return -1;
	}
	while (e.kind == KEXIT_INTR) {
		/* a kick arrived while the stub ran: it resumes where it was */
		if (kvm_vcpu_run(v->kvm, &e) < 0)
			break;
	}
	if (e.kind != KEXIT_DOORBELL || e.doorbell != DOORBELL_STORES_DONE) {
		struct vcpu_sregs s = { 0 };
		kvm_vcpu_get_regs(v->kvm, &r);
		kvm_vcpu_get_sregs(v->kvm, &s);
		domain_crash(v->d, "page-table store stub failed (exit %u doorbell %#x at %#llx, cr2 %#llx)",
			     e.raw_reason, e.doorbell, (unsigned long long)r.rip,
			     (unsigned long long)s.cr2);
		return -1;
	}
	v->regs_dirty = true;	/* KVM holds the stub's registers now */
	v->exit_cpl = 3;
	return 0;
}
