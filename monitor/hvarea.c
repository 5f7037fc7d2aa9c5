/*
 * The hypervisor area: lay out and fill the frames above guest RAM that hold
 * the M2P, the descriptor tables, the CPL0 stubs and the direct map,
 * and build the page tables that map them in Xen's reserved range.
 *
 * Everything here happens before any vCPU runs: the page tables written now
 * are read by the shadow MMU when first used, so plain stores are fine.
 * Later changes (a guest GDT frame mapped by set_gdt) go through pt_store.
 */
#include "hvarea.h"

#include <string.h>

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_US 0x4ULL
#define PTE_A 0x20ULL
#define PTE_D 0x40ULL
#define PTE_PS 0x80ULL
#define PTE_NX (1ULL << 63)
#define TABLE_FLAGS (PTE_P | PTE_RW | PTE_US | PTE_A)

#define M2P_ENTRIES_PER_FRAME 512

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* Guest-physical frames the M2P describes: RAM and this area. */
static uint64_t m2p_frames(uint64_t nr_ram_pages)
{
	/* the area itself is small next to RAM; cover RAM plus 16 MiB */
	return div_up(nr_ram_pages + 4096, M2P_ENTRIES_PER_FRAME);
}

static uint64_t directmap_l2s(uint64_t top_pfn)
{
	return div_up(top_pfn, 512ULL * 512);
}

uint64_t hvarea_size(uint64_t nr_ram_pages, unsigned int nr_vcpus)
{
	uint64_t m2p = m2p_frames(nr_ram_pages);
	uint64_t n = 0;

	n += 1 + 1 + 1;			/* shared_info, IDT, stubs */
	n += 1;				/* syscall stub */
	n += HV_NR_GRANT_FRAMES;
	n += 1 + 1 + 1;			/* slot-257 L3, L2, shared L1 */
	n += nr_vcpus * (1 + 2 + 3 + 2);	/* L1, GDT, TSS, stack */
	n += 1 + div_up(m2p, 512 * 512) + div_up(m2p, 512) + m2p;	/* M2P L3, L2s, L1s, table */
	n += 1;				/* directmap L3 */
	/* directmap L2s cover everything up to the end of this area */
	n += directmap_l2s(nr_ram_pages + n + 64) + 1;
	return n;
}

static uint64_t *frame(struct domain *d, uint64_t pfn)
{
	return (uint64_t *)(d->hv + ((pfn - d->hv_base_pfn) << PAGE_SHIFT));
}

void *hvarea_ptr(struct domain *d, uint64_t hv_va, uint64_t len)
{
	struct hvarea *a = d->hva;
	uint64_t off;

	if (hv_va < HV_AREA_VA || len > 0x200000ULL * (XENO_MAX_VCPUS + 1))
		return NULL;
	off = hv_va - HV_AREA_VA;
	if (off + len > 0x200000ULL * (d->nr_vcpus + 1) || (off & 0x1fffff) + len > 0x200000)
		return NULL;
	/* Only the CPL0 stacks are read this way. */
	unsigned int win = off >> 21;
	uint64_t in = off & 0x1fffff;
	if (win == 0 || in < HV_STACK_OFF || in + len > HV_STACK_TOP)
		return NULL;
	return (uint8_t *)frame(d, a->vcpu[win - 1].stack_pfn) + (in - HV_STACK_OFF);
}

static void gdt_set(uint8_t *gdt_reserved, unsigned int sel, uint64_t desc)
{
	memcpy(gdt_reserved + (sel - FIRST_RESERVED_GDT_BYTE), &desc, 8);
}

/* The store stub, entered at CPL0 with interrupts off and rsp at
 * [count][va][value]...[rdx][rcx][rax][iret frame] that pt_store.c built:
 * it makes the stores, takes back the registers it used and returns. */
static const uint8_t store_stub[HV_STORE_STUB_LEN] = {
	0x59,			/* pop %rcx */
	0x58,			/* 1: pop %rax */
	0x5a,			/* pop %rdx */
	0x48, 0x89, 0x10,	/* mov %rdx,(%rax) */
	0xe2, 0xf9,		/* loop 1b */
	0x5a,			/* pop %rdx */
	0x59,			/* pop %rcx */
	0x58,			/* pop %rax */
	0x48, 0xcf,		/* iretq */
};

uint8_t *hv_doorbell_insn(uint8_t *p, uint8_t off)
{
	uint64_t va = HV_AREA_VA + HV_DOORBELL_OFF + off;

	*p++ = 0xa2;	/* movabs %al,va */
	memcpy(p, &va, 8);
	return p + 8;
}

/* Ring the doorbell, then ud2: the monitor never resumes past it. */
static void doorbell_stub(uint8_t *p, uint8_t off)
{
	p = hv_doorbell_insn(p, off);
	p[0] = 0x0f;
	p[1] = 0x0b;
}

static void fill_stubs(uint8_t *stubs, uint8_t *syscall_stub)
{
	for (unsigned int v = 0; v < 32; v++)
		doorbell_stub(stubs + v * HV_EXC_STUB_SIZE, (uint8_t)(DOORBELL_EXCEPTION + v));
	doorbell_stub(syscall_stub, DOORBELL_SYSCALL);
	memcpy(stubs + (HV_STORE_STUB_OFF - HV_STUBS_OFF), store_stub, sizeof(store_stub));
	/* where the store stub returns when the monitor waits for it */
	doorbell_stub(syscall_stub + (HV_STORES_DONE_OFF - HV_SYSCALL_OFF), DOORBELL_STORES_DONE);
}

int hvarea_init(struct domain *d, struct hvarea *a)
{
	uint64_t next = d->hv_base_pfn;
	uint64_t m2p = m2p_frames(d->nr_pages);
	uint64_t top = d->hv_base_pfn + d->hv_nr_pages;
	unsigned int nv = d->nr_vcpus;

	memset(a, 0, sizeof(*a));
	a->base_pfn = d->hv_base_pfn;
	a->nr_pages = d->hv_nr_pages;
	d->hva = a;
#define ALLOC(n) (next += (n), next - (n))
	a->shared_info_pfn = ALLOC(1);
	a->idt_pfn = ALLOC(1);
	a->stubs_pfn = ALLOC(1);
	a->syscall_pfn = ALLOC(1);
	a->grant_pfn = ALLOC(HV_NR_GRANT_FRAMES);
	uint64_t l3_hv = ALLOC(1), l2_hv = ALLOC(1);
	a->shared_l1_pfn = ALLOC(1);
	for (unsigned int i = 0; i < nv; i++) {
		a->vcpu[i].l1_pfn = ALLOC(1);
		a->vcpu[i].gdt_pfn = ALLOC(2);
		a->vcpu[i].tss_pfn = ALLOC(3);
		a->vcpu[i].stack_pfn = ALLOC(2);
	}
	uint64_t l3_m2p = ALLOC(1);
	uint64_t n_m2p_l2 = div_up(m2p, 512 * 512), n_m2p_l1 = div_up(m2p, 512);
	uint64_t l2_m2p = ALLOC(n_m2p_l2), l1_m2p = ALLOC(n_m2p_l1);
	a->m2p_pfn = ALLOC(m2p);
	a->m2p_nr = m2p;
	uint64_t l3_dm = ALLOC(1);
	uint64_t n_dm_l2 = directmap_l2s(top);
	uint64_t l2_dm = ALLOC(n_dm_l2);
#undef ALLOC
	if (next > top || n_dm_l2 > 512)
		return -1;
	a->doorbell_pfn = top;
	d->shared_info_pfn = a->shared_info_pfn;
	d->shared_info = (struct shared_info *)frame(d, a->shared_info_pfn);

	/* M2P: identity for RAM, invalid for everything else. */
	uint64_t *m2p_tab = frame(d, a->m2p_pfn);
	for (uint64_t i = 0; i < m2p * M2P_ENTRIES_PER_FRAME; i++)
		m2p_tab[i] = i < d->nr_pages ? i : ~0ULL;
	for (uint64_t i = 0; i < n_m2p_l2; i++)
		frame(d, l3_m2p)[i] = ((l2_m2p + i) << PAGE_SHIFT) | TABLE_FLAGS;
	for (uint64_t i = 0; i < n_m2p_l1; i++)
		frame(d, l2_m2p + i / 512)[i % 512] = ((l1_m2p + i) << PAGE_SHIFT) | TABLE_FLAGS;
	for (uint64_t i = 0; i < m2p; i++)
		frame(d, l1_m2p + i / 512)[i % 512] =
			((a->m2p_pfn + i) << PAGE_SHIFT) | PTE_P | PTE_US | PTE_A | PTE_NX;

	/* Slot 257: shared window, then one 2 MiB window per vCPU. */
	frame(d, l3_hv)[0] = (l2_hv << PAGE_SHIFT) | TABLE_FLAGS;
	frame(d, l2_hv)[0] = (a->shared_l1_pfn << PAGE_SHIFT) | TABLE_FLAGS;
	uint64_t *sl1 = frame(d, a->shared_l1_pfn);
	sl1[HV_IDT_OFF >> 12] = (a->idt_pfn << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_NX;
	sl1[HV_STUBS_OFF >> 12] = (a->stubs_pfn << PAGE_SHIFT) | PTE_P | PTE_A;
	sl1[HV_SYSCALL_OFF >> 12] = (a->syscall_pfn << PAGE_SHIFT) | PTE_P | PTE_US | PTE_A;
	sl1[HV_DOORBELL_OFF >> 12] = (a->doorbell_pfn << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US |
				     PTE_A | PTE_D | PTE_NX;
	fill_stubs((uint8_t *)frame(d, a->stubs_pfn), (uint8_t *)frame(d, a->syscall_pfn));

	/* IDT: exceptions to the CPL0 stubs; #BP and #OF reachable from CPL3. */
	uint64_t *idt = frame(d, a->idt_pfn);
	for (unsigned int v = 0; v < 32; v++) {
		uint64_t stub = HV_AREA_VA + HV_STUBS_OFF + v * HV_EXC_STUB_SIZE;
		uint64_t dpl = (v == 3 || v == 4) ? 3 : 0;
		idt[2 * v] = (stub & 0xffff) | ((uint64_t)HV_CS0 << 16) |
			     ((0x8eULL | (dpl << 5)) << 40) | (((stub >> 16) & 0xffff) << 48);
		idt[2 * v + 1] = stub >> 32;
	}

	for (unsigned int i = 0; i < nv; i++) {
		uint64_t win = HV_VCPU_WINDOW(i);
		uint64_t *l1 = frame(d, a->vcpu[i].l1_pfn);
		frame(d, l2_hv)[(win - HV_AREA_VA) >> 21] = (a->vcpu[i].l1_pfn << PAGE_SHIFT) | TABLE_FLAGS;
		/* GDT pages 14 and 15 are ours; 0..13 map the guest's frames later. */
		for (unsigned int g = 0; g < 2; g++)
			l1[(HV_GDT_OFF >> 12) + FIRST_RESERVED_GDT_PAGE + g] =
				((a->vcpu[i].gdt_pfn + g) << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_NX;
		for (unsigned int t = 0; t < 3; t++)
			l1[(HV_TSS_OFF >> 12) + t] =
				((a->vcpu[i].tss_pfn + t) << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_NX;
		for (unsigned int s = 0; s < 2; s++)
			l1[(HV_STACK_OFF >> 12) + s] =
				((a->vcpu[i].stack_pfn + s) << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_NX;

		uint8_t *gdt = (uint8_t *)frame(d, a->vcpu[i].gdt_pfn);
		gdt_set(gdt, HV_CS0, 0x00af9b000000ffffULL);
		gdt_set(gdt, HV_DS0, 0x00cf93000000ffffULL);
		gdt_set(gdt, FLAT_RING3_CS32 & ~3, 0x00cffb000000ffffULL);
		gdt_set(gdt, FLAT_RING3_DS32 & ~3, 0x00cff3000000ffffULL);
		gdt_set(gdt, FLAT_RING3_CS64 & ~3, 0x00affb000000ffffULL);
		uint64_t tss = win + HV_TSS_OFF, lim = HV_TSS_LIMIT;
		gdt_set(gdt, HV_TSS_SEL,
			(lim & 0xffff) | ((tss & 0xffffff) << 16) | (0x89ULL << 40) |
				(((lim >> 16) & 0xf) << 48) | (((tss >> 24) & 0xff) << 56));
		gdt_set(gdt, HV_TSS_SEL + 8, tss >> 32);

		/* TSS: RSP0 on our stack; an I/O bitmap that opens no port, so
		 * every guest `in`/`out` traps to the monitor's emulation. */
		uint8_t *t = (uint8_t *)frame(d, a->vcpu[i].tss_pfn);
		uint64_t rsp0 = win + HV_STACK_TOP;
		memcpy(t + 4, &rsp0, 8);
		uint16_t iomap = 0x68;
		memcpy(t + 0x66, &iomap, 2);
		memset(t + 0x68, 0xff, 8192 + 1);
	}

	/* The direct map of all guest-physical memory, writable in 2 MiB
	 * pages; its L4 entry leaves out the user bit, so only the CPL0
	 * store stub can use it. */
	for (uint64_t i = 0; i < n_dm_l2; i++) {
		frame(d, l3_dm)[i] = ((l2_dm + i) << PAGE_SHIFT) | TABLE_FLAGS;
		for (uint64_t j = 0; j < 512; j++)
			frame(d, l2_dm + i)[j] = (((i * 512 + j) << 21)) | PTE_P | PTE_RW | PTE_A |
						 PTE_D | PTE_PS | PTE_NX;
	}

	a->l4_slot[((HV_AREA_VA >> 39) & 511) - HV_SLOT_FIRST] = (l3_hv << PAGE_SHIFT) | TABLE_FLAGS;
	a->l4_slot[((HV_M2P_VA >> 39) & 511) - HV_SLOT_FIRST] = (l3_m2p << PAGE_SHIFT) | TABLE_FLAGS;
	a->l4_slot[((HV_DIRECTMAP_VA >> 39) & 511) - HV_SLOT_FIRST] =
		(l3_dm << PAGE_SHIFT) | (TABLE_FLAGS & ~PTE_US);
	return 0;
}

bool hvarea_guest_may_map(const struct domain *d, uint64_t mfn, bool writable)
{
	const struct hvarea *a = d->hva;

	if (mfn < d->nr_pages)
		return true;
	if (mfn == a->shared_info_pfn)
		return true;
	if (mfn >= a->grant_pfn && mfn < a->grant_pfn + HV_NR_GRANT_FRAMES)
		return true;
	if (mfn >= a->m2p_pfn && mfn < a->m2p_pfn + a->m2p_nr)
		return !writable;
	return false;
}

uint64_t hvarea_gdt_pte_gpa(const struct domain *d, unsigned int vcpu, unsigned int idx)
{
	return (d->hva->vcpu[vcpu].l1_pfn << PAGE_SHIFT) + 8 * ((HV_GDT_OFF >> 12) + idx);
}
