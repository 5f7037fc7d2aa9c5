/*
 * Guest memory: checked guest-physical ranges, and guest-virtual copies that
 * walk the vCPU's current page tables in software, so that a guest pointer
 * is honoured exactly as the guest's own mappings allow.
 */
#include "domain.h"
#include "hvarea.h"

#include <string.h>

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_US 0x4ULL
#define PTE_PS 0x80ULL
#define PTE_ADDR 0x000ffffffffff000ULL

void *gpa_range(struct domain *d, uint64_t gpa, uint64_t len)
{
	uint64_t ram = d->nr_pages << PAGE_SHIFT;
	uint64_t hv0 = d->hv_base_pfn << PAGE_SHIFT, hv_len = d->hv_nr_pages << PAGE_SHIFT;

	if (len == 0 || gpa + len < gpa)
		return NULL;
	if (gpa + len <= ram)
		return d->ram + gpa;
	if (gpa >= hv0 && gpa - hv0 + len <= hv_len)
		return d->hv + (gpa - hv0);
	return NULL;
}

uint64_t vcpu_current_l4(struct vcpu *v)
{
	return (!v->kernel_mode && v->guest_table_user) ? v->guest_table_user : v->guest_table;
}

static bool read_entry(struct vcpu *v, uint64_t table_mfn, unsigned int idx, uint64_t *e)
{
	uint64_t gpa = (table_mfn << PAGE_SHIFT) + idx * 8;

	if (!gpa_range(v->d, gpa, 8))
		return false;
	*e = pt_read(v, gpa);
	return true;
}

int guest_va_to_gpa(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa)
{
	uint64_t mfn = vcpu_current_l4(v);
	uint64_t e = 0;

	/* Non-canonical addresses fault, and, as on Xen, a guest pointer into
	 * the hypervisor's reserved range is refused even where readable. */
	if (!is_canonical(gva) ||
	    (gva >= HYPERVISOR_VIRT_START && gva < HYPERVISOR_VIRT_END))
		return -XEN_EFAULT;
	for (int level = 4; level >= 1; level--) {
		unsigned int idx = (gva >> (12 + 9 * (level - 1))) & 511;
		if (!read_entry(v, mfn, idx, &e) || !(e & PTE_P) || !(e & PTE_US))
			return -XEN_EFAULT;
		if (write && !(e & PTE_RW))
			return -XEN_EFAULT;
		if ((level == 2 || level == 3) && (e & PTE_PS)) {
			uint64_t size = 1ULL << (12 + 9 * (level - 1));
			*gpa = ((e & PTE_ADDR) & ~(size - 1)) | (gva & (size - 1));
			return 0;
		}
		mfn = (e & PTE_ADDR) >> PAGE_SHIFT;
	}
	*gpa = (mfn << PAGE_SHIFT) | (gva & 0xfff);
	return 0;
}

static int copy_guest(struct vcpu *v, uint64_t gva, void *host, uint64_t len, bool to_guest)
{
	uint8_t *h = host;

	while (len) {
		uint64_t gpa, chunk = 4096 - (gva & 0xfff);
		void *p;

		if (chunk > len)
			chunk = len;
		if (guest_va_to_gpa(v, gva, to_guest, &gpa) < 0)
			return -XEN_EFAULT;
		/* Only frames the guest may map are reachable through its tables. */
		if (!hvarea_guest_may_map(v->d, gpa >> PAGE_SHIFT, to_guest))
			return -XEN_EFAULT;
		p = gpa_range(v->d, gpa, chunk);
		if (!p)
			return -XEN_EFAULT;
		if (to_guest)
			memcpy(p, h, chunk);
		else
			memcpy(h, p, chunk);
		h += chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, uint64_t len)
{
	return copy_guest(v, gva, dst, len, false);
}

int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, uint64_t len)
{
	return copy_guest(v, gva, (void *)src, len, true);
}
