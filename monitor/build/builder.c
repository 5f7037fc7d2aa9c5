/*
 * The domain builder for x86_64 PV guests. The bootstrap virtual region
 * follows the order Xen's builder uses (see start_info in Xen's xen.h):
 * kernel, ramdisk, P2M list, start_info, xenstore page, console page,
 * bootstrap page tables (mapped read-only), boot stack; the region ends on
 * a 4 MiB boundary with at least 512 KiB to spare.
 */
#include "builder.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bzimage.h"
#include "elf.h"
#include "../hvarea.h"
#include "../hypercall_page.h"
#include "../kvm/kvm.h"
#include "../pv/evtchn.h"
#include "../pv/mmu.h"
#include "../pv/time.h"

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_US 0x4ULL
#define PTE_A 0x20ULL
#define PTE_D 0x40ULL
#define BOOT_PTE (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define BOOT_TABLE (PTE_P | PTE_RW | PTE_US | PTE_A)

#define MIB (1024ULL * 1024)

static int read_file(const char *path, void **buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p = NULL;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		snprintf(err, errlen, "%s: not a regular, non-empty file", path);
		goto fail;
	}
	p = malloc(st.st_size);
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = read(fd, (char *)p + done, st.st_size - done);
		if (n <= 0) {
			snprintf(err, errlen, "%s: read failed", path);
			goto fail;
		}
		done += n;
	}
	close(fd);
	*buf = p;
	*len = st.st_size;
	return 0;
fail:
	free(p);
	close(fd);
	return -1;
}

/* Page tables needed to map [start, end) with 4 KiB pages. */
static uint64_t count_tables(uint64_t start, uint64_t end)
{
	uint64_t last = end - 1;
	uint64_t n = 1;		/* L4 */

	n += (last >> 39) - (start >> 39) + 1;	/* L3 */
	n += (last >> 30) - (start >> 30) + 1;	/* L2 */
	n += (last >> 21) - (start >> 21) + 1;	/* L1 */
	return n;
}

struct layout {
	uint64_t virt_base, v_end;
	uint64_t kernel_pfn, kernel_pages;
	uint64_t ramdisk_pfn, ramdisk_pages;
	uint64_t p2m_pfn, p2m_pages;
	uint64_t start_info_pfn, store_pfn, console_pfn;
	uint64_t pt_pfn, pt_pages;
	uint64_t stack_pfn;
};

static uint64_t va_of(const struct layout *l, uint64_t pfn)
{
	return l->virt_base + (pfn << PAGE_SHIFT);
}

static int plan(struct layout *l, const struct xen_elf_info *info, size_t ramdisk_len,
		uint64_t nr_pages, char *err, size_t errlen)
{
	uint64_t next;

	memset(l, 0, sizeof(*l));
	l->virt_base = info->virt_base;
	if (info->virt_kstart < info->virt_base || info->virt_kend <= info->virt_kstart) {
		snprintf(err, errlen, "kernel segments lie below its VIRT_BASE");
		return -1;
	}
	l->kernel_pfn = (info->virt_kstart - info->virt_base) >> PAGE_SHIFT;
	next = (info->virt_kend - info->virt_base + PAGE_SIZE - 1) >> PAGE_SHIFT;
	l->kernel_pages = next - l->kernel_pfn;
	if (ramdisk_len) {
		l->ramdisk_pfn = next;
		l->ramdisk_pages = (ramdisk_len + PAGE_SIZE - 1) >> PAGE_SHIFT;
		next += l->ramdisk_pages;
	}
	l->p2m_pfn = next;
	l->p2m_pages = (nr_pages * 8 + PAGE_SIZE - 1) >> PAGE_SHIFT;
	next += l->p2m_pages;
	l->start_info_pfn = next++;
	l->store_pfn = next++;
	l->console_pfn = next++;
	l->pt_pfn = next;
	/* The tables map the region they end; grow until it is stable. */
	for (uint64_t tables = 1;;) {
		uint64_t end = next + tables + 1;	/* + boot stack */
		uint64_t v_end = (va_of(l, end) + 512 * 1024 + 4 * MIB - 1) & ~(4 * MIB - 1);
		uint64_t need = count_tables(l->virt_base, v_end);
		if (need <= tables) {
			l->pt_pages = tables;
			l->v_end = v_end;
			break;
		}
		tables = need;
	}
	l->stack_pfn = l->pt_pfn + l->pt_pages;
	if (((l->v_end - l->virt_base) >> PAGE_SHIFT) > nr_pages) {
		snprintf(err, errlen,
			 "not enough memory: the boot image needs %" PRIu64 " MiB, the domain has %" PRIu64
			 " MiB",
			 ((l->v_end - l->virt_base) >> 20), nr_pages >> 8);
		return -1;
	}
	return 0;
}

/* Bootstrap page tables mapping [virt_base, v_end) onto pfn 0..., all
 * writable except the tables themselves (Xen's rule). */
static void build_tables(struct domain *d, const struct layout *l)
{
	uint64_t next_table = l->pt_pfn;
	uint64_t l4 = next_table++;
	uint64_t *ram = (uint64_t *)d->ram;

#define ENTRY(pfn, idx) ram[((pfn) << (PAGE_SHIFT - 3)) + (idx)]
	for (uint64_t va = l->virt_base; va < l->v_end; va += PAGE_SIZE) {
		uint64_t pfn = (va - l->virt_base) >> PAGE_SHIFT;
		uint64_t table = l4;
		for (int level = 4; level > 1; level--) {
			unsigned int idx = (va >> (12 + 9 * (level - 1))) & 511;
			if (!(ENTRY(table, idx) & PTE_P))
				ENTRY(table, idx) = (next_table++ << PAGE_SHIFT) | BOOT_TABLE;
			table = ENTRY(table, idx) >> PAGE_SHIFT & 0xffffffffffULL;
		}
		uint64_t flags = BOOT_PTE;
		if (pfn >= l->pt_pfn && pfn < l->pt_pfn + l->pt_pages)
			flags &= ~PTE_RW;
		ENTRY(table, (va >> 12) & 511) = (pfn << PAGE_SHIFT) | flags;
	}
	for (unsigned int s = 0; s <= HV_SLOT_LAST - HV_SLOT_FIRST; s++)
		ENTRY(l4, HV_SLOT_FIRST + s) = d->hva->l4_slot[s];
#undef ENTRY
}

static int setup_memory(struct domain *d, uint64_t nr_pages, char *err, size_t errlen)
{
	d->nr_pages = d->max_pages = nr_pages;
	d->hv_base_pfn = (nr_pages + 511) & ~511ULL;
	d->hv_nr_pages = hvarea_size(nr_pages, d->nr_vcpus);
	d->ram_fd = memfd_create("xeno-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	/* xenstored maps one page of it: the size may never shrink under it */
	if (d->ram_fd < 0 || ftruncate(d->ram_fd, nr_pages << PAGE_SHIFT) < 0 ||
	    fcntl(d->ram_fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		snprintf(err, errlen, "guest RAM: %s", strerror(errno));
		return -1;
	}
	d->ram = mmap(NULL, nr_pages << PAGE_SHIFT, PROT_READ | PROT_WRITE, MAP_SHARED, d->ram_fd, 0);
	d->hv = mmap(NULL, d->hv_nr_pages << PAGE_SHIFT, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (d->ram == MAP_FAILED || d->hv == MAP_FAILED) {
		d->ram = d->ram == MAP_FAILED ? NULL : d->ram;
		d->hv = d->hv == MAP_FAILED ? NULL : d->hv;
		snprintf(err, errlen, "mapping guest memory: %s", strerror(errno));
		return -1;
	}
	if (kvm_vm_add_memory(d->kvm, 0, 0, nr_pages << PAGE_SHIFT, d->ram) < 0 ||
	    kvm_vm_add_memory(d->kvm, 1, d->hv_base_pfn << PAGE_SHIFT, d->hv_nr_pages << PAGE_SHIFT,
			      d->hv) < 0) {
		snprintf(err, errlen, "KVM memory slots: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int create_vcpus(struct domain *d, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		uint64_t win = HV_VCPU_WINDOW(i);
		struct kvm_cpu_tables t = {
			.gdt_base = win + HV_GDT_OFF,
			.gdt_limit = 0xffff,
			.idt_base = HV_AREA_VA + HV_IDT_OFF,
			.idt_limit = 32 * 16 - 1,
			.tss_base = win + HV_TSS_OFF,
			.tss_limit = HV_TSS_LIMIT,
			.tss_sel = HV_TSS_SEL,
			.lstar = HV_AREA_VA + HV_SYSCALL_OFF,
			.star_cs0 = HV_CS0,
			.star_cs3 = FLAT_RING3_CS32 & ~3,
		};
		v->d = d;
		v->id = i;
		v->vcpu_info_gpa = (d->shared_info_pfn << PAGE_SHIFT) + i * sizeof(struct vcpu_info);
		v->kernel_mode = true;
		pthread_mutex_init(&v->lock, NULL);
		pthread_cond_init(&v->wake, NULL);
		v->kvm = kvm_vcpu_create(d->kvm, i, &t, err, errlen);
		if (!v->kvm)
			return -1;
		domain_shared_info(d)->vcpu_info[i].evtchn_upcall_mask = 1;
	}
	d->tsc_khz = kvm_vcpu_tsc_khz(d->vcpu[0].kvm);
	return 0;
}

int domain_build(struct domain *d, const struct build_config *cfg, char *err, size_t errlen)
{
	void *kimg = NULL, *elf = NULL, *rd = NULL;
	size_t klen = 0, elf_len = 0, rd_len = 0;
	struct xen_elf_info info;
	struct layout l;
	int ret = -1;

	d->ram_fd = -1;
	d->shutdown_reason = -1;
	d->nr_vcpus = cfg->vcpus;
	d->trace = getenv("XENO_TRACE") && *getenv("XENO_TRACE") == '1';
	pthread_mutex_init(&d->lock, NULL);
	if (cfg->vcpus < 1 || cfg->vcpus > XENO_MAX_VCPUS) {
		snprintf(err, errlen, "vcpus must be between 1 and %d", XENO_MAX_VCPUS);
		return -1;
	}
	if (cfg->memory_mib < 4 || cfg->memory_mib > 64 * 1024) {
		snprintf(err, errlen, "memory must be between 4 and 65536 MiB");
		return -1;
	}
	if (read_file(cfg->kernel, &kimg, &klen, err, errlen) < 0)
		goto out;
	int bz = bzimage_payload(kimg, klen, &elf, &elf_len, err, errlen);
	if (bz < 0)
		goto out;
	if (bz > 0) {
		elf = kimg;
		elf_len = klen;
		kimg = NULL;
	}
	if (xen_elf_parse(elf, elf_len, &info, err, errlen) < 0)
		goto out;
	if (cfg->ramdisk && read_file(cfg->ramdisk, &rd, &rd_len, err, errlen) < 0)
		goto out;
	if (plan(&l, &info, rd_len, cfg->memory_mib << 8, err, errlen) < 0)
		goto out;

	d->kvm = kvm_vm_create(err, errlen);
	if (!d->kvm || setup_memory(d, cfg->memory_mib << 8, err, errlen) < 0)
		goto out;
	d->hva = calloc(1, sizeof(*d->hva));
	if (!d->hva || hvarea_init(d, d->hva) < 0) {
		snprintf(err, errlen, "cannot lay out the hypervisor area");
		goto out;
	}
	kvm_vm_set_doorbell(d->kvm, d->hva->doorbell_pfn << PAGE_SHIFT);
	if (xen_elf_load(elf, elf_len, &info, d->ram + (l.kernel_pfn << PAGE_SHIFT),
			 va_of(&l, l.kernel_pfn), l.kernel_pages << PAGE_SHIFT, err, errlen) < 0)
		goto out;
	if (rd_len)
		memcpy(d->ram + (l.ramdisk_pfn << PAGE_SHIFT), rd, rd_len);
	uint64_t *p2m = (uint64_t *)(d->ram + (l.p2m_pfn << PAGE_SHIFT));
	for (uint64_t i = 0; i < d->nr_pages; i++)
		p2m[i] = i;
	build_tables(d, &l);
	if (info.hypercall_page)
		hypercall_page_fill(d->ram + ((info.hypercall_page - l.virt_base) & ~(PAGE_SIZE - 1)));
	d->start_info_pfn = l.start_info_pfn;
	d->store_pfn = l.store_pfn;
	d->console_pfn = l.console_pfn;
	if (create_vcpus(d, err, errlen) < 0)
		goto out;
	if (evtchn_init(d) < 0 || mmu_init(d) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	mmu_note_initial_tables(d, l.pt_pfn);
	time_init(d);

	struct start_info *si = (struct start_info *)(d->ram + (l.start_info_pfn << PAGE_SHIFT));
	snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
	si->nr_pages = d->nr_pages;
	si->shared_info = d->shared_info_pfn << PAGE_SHIFT;
	si->store_mfn = l.store_pfn;
	si->console.domU.mfn = l.console_pfn;
	si->pt_base = va_of(&l, l.pt_pfn);
	si->nr_pt_frames = l.pt_pages;
	si->mfn_list = va_of(&l, l.p2m_pfn);
	si->first_p2m_pfn = l.p2m_pfn;
	si->nr_p2m_frames = l.p2m_pages;
	if (rd_len) {
		si->mod_start = va_of(&l, l.ramdisk_pfn);
		si->mod_len = rd_len;
	}
	if (cfg->cmdline) {
		snprintf(d->cmdline, sizeof(d->cmdline), "%s", cfg->cmdline);
		memcpy(si->cmd_line, d->cmdline, sizeof(si->cmd_line) - 1);
	}
	/* Store and console channels are bound to the host side (dom0). */
	if (evtchn_alloc_host(d, &d->store_evtchn, NULL, NULL) < 0 ||
	    evtchn_alloc_host(d, &d->console_evtchn, NULL, NULL) < 0) {
		snprintf(err, errlen, "cannot allocate the store and console event channels");
		goto out;
	}
	si->store_evtchn = d->store_evtchn;
	si->console.domU.evtchn = d->console_evtchn;

	struct vcpu *v = &d->vcpu[0];
	v->online = true;
	v->guest_table = l.pt_pfn;
	v->regs = (struct vcpu_regs){
		.rip = info.entry,
		.rsp = va_of(&l, l.stack_pfn + 1),
		.rsi = va_of(&l, l.start_info_pfn),
		.rflags = 0x202,
	};
	v->regs_dirty = true;
	v->sregs_dirty = true;
	v->exit_cpl = 3;
	mlog(d, "built: kernel %s at %#" PRIx64 "-%#" PRIx64 " entry %#" PRIx64 ", %" PRIu64
		" MiB, %u vCPU(s), bootstrap region ends %#" PRIx64,
	     cfg->kernel, info.virt_kstart, info.virt_kend, info.entry, cfg->memory_mib, d->nr_vcpus,
	     l.v_end);
	ret = 0;
out:
	if (elf != kimg)
		free(elf);
	free(kimg);
	free(rd);
	return ret;
}

void domain_teardown(struct domain *d)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		kvm_vcpu_destroy(d->vcpu[i].kvm);
		d->vcpu[i].kvm = NULL;
	}
	kvm_vm_destroy(d->kvm);
	d->kvm = NULL;
	if (d->ram)
		munmap(d->ram, d->nr_pages << PAGE_SHIFT);
	if (d->hv)
		munmap(d->hv, d->hv_nr_pages << PAGE_SHIFT);
	if (d->ram_fd >= 0)
		close(d->ram_fd);
	d->ram = d->hv = NULL;
	d->ram_fd = -1;
	free(d->hva);
	d->hva = NULL;
}
