/* The KVM layer: VM, memory slots, vCPUs and their register files. */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../domain.h"

#define MAX_CPUID_ENTRIES 128

struct kvm_vm {
	int kvm_fd;
	int vm_fd;
	int run_size;
	uint64_t doorbell_gpa;
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[MAX_CPUID_ENTRIES];
	} cpuid;
};

struct kvm_vcpu {
	struct kvm_vm *vm;
	int fd;
	struct kvm_run *run;
};

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define CR0_TS (1ULL << 3)
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

#define B(n) (1u << (n))
/*
 * What a PV guest sees of the CPU: KVM's supported set restricted to the
 * features Xen gives PV guests (those marked 'A' in Xen's public
 * cpufeatureset.h), with the hypervisor bit set. Beyond Xen's list we also
 * hide XSAVE and what needs it (AVX, FMA, F16C, XOP, FMA4, AVX2, AVX-512,
 * VAES...) and FSGSBASE: both need a CR4 bit the PV kernel cannot set here;
 * and MCE/MCA, whose MSRs (Xen's virtual MCE) we do not emulate.
 * KVM needs this table anyway: without one, NX counts as a reserved bit.
 */
static const struct {
	uint32_t leaf, subleaf;
	uint32_t allow[4];	/* eax, ebx, ecx, edx */
} pv_masks[] = {
	{ 1, 0, { ~0u, ~0u,
		  B(0) | B(1) | B(9) | B(13) | B(19) | B(20) | B(22) | B(23) | B(25) | B(30) | B(31),
		  B(0) | B(2) | B(4) | B(5) | B(6) | B(8) | B(9) | B(11) | B(15) |
			  B(16) | B(19) | B(22) | B(23) | B(24) | B(25) | B(26) | B(27) | B(28) } },
	{ 7, 0, { ~0u,
		  B(3) | B(8) | B(9) | B(11) | B(18) | B(19) | B(23) | B(24) | B(29),
		  B(0) | B(8) | B(22) | B(25),
		  0 } },
	{ 0x80000001, 0, { ~0u, ~0u,
		  B(0) | B(1) | B(5) | B(6) | B(7) | B(8) | B(21) | B(26) | B(30),
		  B(0) | B(2) | B(4) | B(5) | B(6) | B(8) | B(9) | B(11) | B(15) |
			  B(16) | B(20) | B(22) | B(23) | B(24) | B(25) | B(27) | B(29) | B(30) |
			  B(31) } },
	{ 0x80000008, 0, { ~0u, B(0) | B(2) | B(12) | B(26) | B(29) | B(30), ~0u, ~0u } },
};

static void filter_cpuid(struct kvm_vm *vm)
{
	for (unsigned int i = 0; i < vm->cpuid.h.nent; i++) {
		struct kvm_cpuid_entry2 *e = &vm->cpuid.e[i];
		uint32_t *r[4] = { &e->eax, &e->ebx, &e->ecx, &e->edx };

		if (e->function == 0xd) {
			e->eax = e->ebx = e->ecx = e->edx = 0;	/* no XSAVE state */
			continue;
		}
		for (unsigned int m = 0; m < sizeof(pv_masks) / sizeof(pv_masks[0]); m++) {
			if (pv_masks[m].leaf != e->function || pv_masks[m].subleaf != e->index)
				continue;
			for (unsigned int j = 0; j < 4; j++)
				*r[j] &= pv_masks[m].allow[j];
		}
		if (e->function == 1)
			e->ecx |= B(31);	/* running on a hypervisor */
	}
}
#undef B

bool kvm_vm_cpuid(struct kvm_vm *vm, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	if (!vm)
		return false;	/* no VM (the unit tests' domains): no table */
	for (unsigned int i = 0; i < vm->cpuid.h.nent; i++) {
		const struct kvm_cpuid_entry2 *e = &vm->cpuid.e[i];
		if (e->function != leaf)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != subleaf)
			continue;
		out[0] = e->eax;
		out[1] = e->ebx;
		out[2] = e->ecx;
		out[3] = e->edx;
		return true;
	}
	return false;
}

struct kvm_vm *kvm_vm_create(char *err, size_t errlen)
{
	struct kvm_vm *vm = calloc(1, sizeof(*vm));

	if (!vm) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	vm->vm_fd = -1;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		snprintf(err, errlen, "cannot open /dev/kvm: %s", strerror(errno));
		goto fail;
	}
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(err, errlen, "unsupported KVM API version");
		goto fail;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	vm->cpuid.h.nent = MAX_CPUID_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, &vm->cpuid) < 0) {
		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		goto fail;
	}
	filter_cpuid(vm);
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0) {
		snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		goto fail;
	}
	return vm;
fail:
	kvm_vm_destroy(vm);
	return NULL;
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
	if (!vm)
		return;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	free(vm);
}

int kvm_vm_add_memory(struct kvm_vm *vm, unsigned int slot, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

void kvm_vm_set_doorbell(struct kvm_vm *vm, uint64_t gpa)
{
	vm->doorbell_gpa = gpa;
}

static int set_msrs(struct kvm_vcpu *c, const uint32_t *idx, const uint64_t *val, unsigned int n)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[8];
	} m;

	memset(&m, 0, sizeof(m));
	m.h.nmsrs = n;
	for (unsigned int i = 0; i < n; i++) {
		m.e[i].index = idx[i];
		m.e[i].data = val[i];
	}
	return ioctl(c->fd, KVM_SET_MSRS, &m) == (int)n ? 0 : -1;
}

static struct kvm_segment flat_seg(uint16_t sel, bool code, int dpl)
{
	struct kvm_segment s = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = code ? 11 : 3,
		.present = 1,
		.dpl = dpl,
		.db = !code,
		.s = 1,
		.l = code,
		.g = 1,
	};
	return s;
}

static struct kvm_segment null_seg(void)
{
	struct kvm_segment s = { .unusable = 1 };
	return s;
}

struct kvm_vcpu *kvm_vcpu_create(struct kvm_vm *vm, unsigned int id, const struct kvm_cpu_tables *t,
				 char *err, size_t errlen)
{
	struct kvm_vcpu *c = calloc(1, sizeof(*c));
	struct kvm_sregs s;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->vm = vm;
	c->run = MAP_FAILED;
	c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (c->fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VCPU %u: %s", id, strerror(errno));
		goto fail;
	}
	c->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED) {
		snprintf(err, errlen, "mmap kvm_run: %s", strerror(errno));
		goto fail;
	}
	if (ioctl(c->fd, KVM_SET_CPUID2, &vm->cpuid) < 0)
		goto fail_errno;
	if (ioctl(c->fd, KVM_GET_SREGS, &s) < 0)
		goto fail_errno;
	/* Long mode with paging; no SMEP/SMAP/PGE: CPL0 stubs touch user pages
	 * and global mappings must not outlive a CR3 switch between the guest's
	 * kernel and user tables. */
	s.cr0 = 0x80050033;	/* PG WP NE ET MP PE */
	s.cr4 = 0x20 | 0x200 | 0x400;	/* PAE OSFXSR OSXMMEXCPT */
	s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	s.gdt.base = t->gdt_base;
	s.gdt.limit = t->gdt_limit;
	s.idt.base = t->idt_base;
	s.idt.limit = t->idt_limit;
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.base = t->tss_base;
	s.tr.limit = t->tss_limit;
	s.tr.selector = t->tss_sel;
	s.tr.type = 11;
	s.tr.present = 1;
	memset(&s.ldt, 0, sizeof(s.ldt));
	s.ldt.unusable = 1;
	s.cs = flat_seg(FLAT_KERNEL_CS64, true, 3);
	s.ss = flat_seg(FLAT_KERNEL_SS64, false, 3);
	s.ds = s.es = s.fs = s.gs = null_seg();
	if (ioctl(c->fd, KVM_SET_SREGS, &s) < 0)
		goto fail_errno;
	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) <= 0) {
		snprintf(err, errlen, "KVM lacks KVM_CAP_SYNC_REGS");
		goto fail;
	}
	c->run->s.regs.sregs = s;
	if (ioctl(c->fd, KVM_GET_REGS, &c->run->s.regs.regs) < 0)
		goto fail_errno;
	{
		uint32_t idx[] = { MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK };
		uint64_t val[] = { ((uint64_t)t->star_cs3 << 48) | ((uint64_t)t->star_cs0 << 32),
				   t->lstar, t->lstar, 0x47700 /* TF IF DF IOPL NT AC */ };
		if (set_msrs(c, idx, val, 4) < 0) {
			snprintf(err, errlen, "KVM_SET_MSRS (syscall MSRs) failed");
			goto fail;
		}
	}
	return c;
fail_errno:
	snprintf(err, errlen, "vCPU %u set-up: %s", id, strerror(errno));
fail:
	kvm_vcpu_destroy(c);
	return NULL;
}

void kvm_vcpu_destroy(struct kvm_vcpu *c)
{
	if (!c)
		return;
	if (c->run != MAP_FAILED)
		munmap(c->run, c->vm->run_size);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static __thread struct kvm_run *current_run;

static void kick_handler(int sig)
{
	(void)sig;
	if (current_run)
		current_run->immediate_exit = 1;
}

void kvm_install_kick_signal(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void kvm_vcpu_request_exit(struct kvm_vcpu *c)
{
	__atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

int kvm_vcpu_run(struct kvm_vcpu *c, struct kvm_exit *e)
{
	struct kvm_run *run = c->run;
	int r;

	current_run = run;
	memset(e, 0, sizeof(*e));
	run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	r = ioctl(c->fd, KVM_RUN, 0);
	run->immediate_exit = 0;
	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN) {
			e->kind = KEXIT_INTR;
			return 0;
		}
		return -1;
	}
	e->raw_reason = run->exit_reason;
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO: {
		uint64_t off = run->mmio.phys_addr - c->vm->doorbell_gpa;

		/* A store: KVM has completed the instruction already. */
		if (run->mmio.is_write && run->mmio.len == 1 && off < 4096) {
			e->kind = KEXIT_DOORBELL;
			e->doorbell = (uint16_t)off;
			break;
		}
		/* Anything else (the guest's own code can reach the page) reads
		 * zeros and stores nothing. KVM finishes such an access at the
		 * next KVM_RUN, and would then overwrite registers set
		 * meanwhile: finish it now, without entering the guest. */
		e->kind = KEXIT_IGNORED;
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		run->immediate_exit = 1;
		if (ioctl(c->fd, KVM_RUN, 0) == 0 || (errno != EINTR && errno != EAGAIN)) {
			run->immediate_exit = 0;
			return -1;
		}
		run->immediate_exit = 0;
		break;
	}
	case KVM_EXIT_INTR:
		e->kind = KEXIT_INTR;
		break;
	case KVM_EXIT_SHUTDOWN:
		e->kind = KEXIT_SHUTDOWN;
		break;
	case KVM_EXIT_HLT:
		e->kind = KEXIT_HLT;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		e->kind = KEXIT_OTHER;
		e->hw_reason = run->fail_entry.hardware_entry_failure_reason;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		e->kind = KEXIT_OTHER;
		e->hw_reason = run->internal.suberror;
		break;
	default:
		e->kind = KEXIT_OTHER;
		break;
	}
	return 0;
}

/*
 * Registers travel through kvm_run's synced-register area (KVM_CAP_SYNC_REGS):
 * KVM stores them there at every exit and loads what we mark dirty at the
 * next entry, which saves an ioctl each way on every exit.
 */
int kvm_vcpu_get_regs(struct kvm_vcpu *c, struct vcpu_regs *r)
{
	const struct kvm_regs *k = &c->run->s.regs.regs;

	*r = (struct vcpu_regs){
		.rax = k->rax, .rbx = k->rbx, .rcx = k->rcx, .rdx = k->rdx,
		.rsi = k->rsi, .rdi = k->rdi, .rsp = k->rsp, .rbp = k->rbp,
		.r8 = k->r8, .r9 = k->r9, .r10 = k->r10, .r11 = k->r11,
		.r12 = k->r12, .r13 = k->r13, .r14 = k->r14, .r15 = k->r15,
		.rip = k->rip, .rflags = k->rflags,
	};
	return 0;
}

int kvm_vcpu_set_regs(struct kvm_vcpu *c, const struct vcpu_regs *r)
{
	c->run->s.regs.regs = (struct kvm_regs){
		.rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx,
		.rsi = r->rsi, .rdi = r->rdi, .rsp = r->rsp, .rbp = r->rbp,
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
		.r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
		.rip = r->rip, .rflags = r->rflags,
	};
	c->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	return 0;
}

bool kvm_vcpu_event_in_flight(struct kvm_vcpu *c)
{
	struct kvm_vcpu_events ev;

	/* If KVM cannot say, assume the worst: the caller then waits for an exit. */
	if (ioctl(c->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		return true;
	return ev.exception.injected || ev.exception.pending || ev.nmi.injected ||
	       ev.interrupt.injected;
}

int kvm_vcpu_get_sregs(struct kvm_vcpu *c, struct vcpu_sregs *s)
{
	const struct kvm_sregs *k = &c->run->s.regs.sregs;

	*s = (struct vcpu_sregs){
		.cr0 = k->cr0, .cr2 = k->cr2, .cr3 = k->cr3, .cr4 = k->cr4, .efer = k->efer,
		.fs_base = k->fs.base, .gs_base = k->gs.base,
		.cs = k->cs.selector, .ss = k->ss.selector, .ds = k->ds.selector,
		.es = k->es.selector, .fs = k->fs.selector, .gs = k->gs.selector,
		.cpl = k->cs.dpl,
	};
	return 0;
}

int kvm_vcpu_set_cpl3(struct kvm_vcpu *c, const struct vcpu_sregs *s, bool flush)
{
	struct kvm_sregs *k = &c->run->s.regs.sregs;
	struct kvm_segment cs = flat_seg(s->cs | 3, true, 3), ss = flat_seg(s->ss | 3, false, 3);
	uint64_t cr0 = (k->cr0 & ~CR0_TS) | (s->cr0 & CR0_TS);

	/* Loading segment state makes KVM rebuild its MMU context, which is
	 * what flushes the guest TLB, and costs as much as an exit: skip it
	 * when nothing changes and no flush is wanted. */
	if (!flush && k->cr3 == s->cr3 && k->cr0 == cr0 && k->fs.base == s->fs_base &&
	    k->gs.base == s->gs_base && k->cs.selector == cs.selector && k->cs.dpl == 3 &&
	    k->cs.l && k->ss.selector == ss.selector && k->ss.dpl == 3)
		return 0;
	k->cs = cs;
	k->ss = ss;
	k->cr3 = s->cr3;
	k->cr0 = cr0;
	k->fs.base = s->fs_base;
	k->gs.base = s->gs_base;
	c->run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
	return 0;
}

int kvm_vcpu_set_cpl0(struct kvm_vcpu *c, uint16_t cs, uint16_t ss)
{
	struct kvm_sregs *k = &c->run->s.regs.sregs;

	k->cs = flat_seg(cs, true, 0);
	k->ss = flat_seg(ss, false, 0);
	c->run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
	return 0;
}

uint64_t kvm_vcpu_tsc_khz(struct kvm_vcpu *c)
{
	int r = ioctl(c->fd, KVM_GET_TSC_KHZ, 0);

	return r > 0 ? (uint64_t)r : 0;
}
