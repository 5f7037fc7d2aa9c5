/*
 * The PV MMU: frame types and their validation (Xen's get_page_type,
 * promote/demote of L1-L4, get_page_from_l1e, adjust_guest_l*e), and the
 * hypercalls that change page tables. See mmu.h for the model.
 *
 * This is Xen built without linear page tables (CONFIG_PV_LINEAR_PT=n): a
 * table may not map another table of its own level. Work is never
 * preempted: a hypercall does all of its entries.
 */
#include "mmu.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../hvarea.h"
#include "memory.h"
#include "physdev.h"
#include "segments.h"

/* Page-table entry bits. */
#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_US (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A (1ULL << 5)
#define PTE_D (1ULL << 6)
#define PTE_PSE (1ULL << 7)	/* PAT in an L1 entry */
#define PTE_G (1ULL << 8)
#define PTE_AVAIL (7ULL << 9)
#define PTE_GUEST_KERNEL (1ULL << 52)	/* Xen: a guest kernel page (not global) */
#define PTE_AVAIL_HIGH (0x7ffULL << 52)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL
#define PTE_CACHE (PTE_PWT | PTE_PCD | PTE_PSE)

/* Xen's base_disallow_mask, as PTE bits: everything but the address and
 * P, RW, US, A, D, the available bits and NX. A domU may not set cache
 * attributes in an L1 (no cache-flush permission), may set G only there. */
#define PTE_ALLOWED (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_AVAIL | PTE_AVAIL_HIGH | PTE_NX)
#define L1_DISALLOW (~(PTE_ALLOWED | PTE_ADDR | PTE_G))
#define PDE_DISALLOW (~(PTE_ALLOWED | PTE_ADDR))
/* Bits a guest may change in an entry without a new validation. */
#define FASTPATH_L1 (PTE_NX | PTE_AVAIL_HIGH | PTE_AVAIL | PTE_G | PTE_D | PTE_A | PTE_US)
#define FASTPATH_PDE (FASTPATH_L1 | PTE_RW)

/* The L4 slot of the read-only M2P (hvarea.h: not Xen's slot 256 here). */
#define L4_SLOT_M2P ((unsigned int)(HV_M2P_VA >> 39) & 511)
/* Xen's INVALID_MFN in a PTE: the all-ones frame of the 40-bit address. */
#define PTE_INVALID_MFN ((PTE_ADDR) >> PAGE_SHIFT)
#define M2P_INVALID (~0ULL)
#define MMU_UPDATE_PREEMPTED (~(~0U >> 1))
#define MAX_LDT_ENTS 8192

/* Frame flags. */
#define FRAME_VALIDATED 0x01
#define FRAME_PINNED 0x02
#define FRAME_RELEASED 0x04	/* given back (decrease_reservation) */
#define FRAME_SCRUB 0x08	/* given back while referenced: zero at count 0 */

struct frame {
	uint32_t count;		/* references of type `type` */
	uint8_t type;		/* enum frame_type */
	uint8_t flags;
	uint64_t stamp;		/* flush clock when count last fell to 0 */
};

struct mmu_state {
	pthread_mutex_t lock;
	uint64_t nr_frames;	/* d->nr_pages */
	struct frame *frames;
	uint64_t nr_released;
	uint64_t reclaim_cursor;
	uint64_t clock;				/* advances at every count -> 0 */
	uint64_t vcpu_flushed[XENO_MAX_VCPUS];	/* clock at each vCPU's last flush */
	struct physdev_state physdev;
	struct memory_state memory;
};

struct physdev_state *mmu_physdev(struct domain *d)
{
	return &d->mmu->physdev;
}

struct memory_state *mmu_memory(struct domain *d)
{
	return &d->mmu->memory;
}

static bool is_table(enum frame_type t)
{
	return t >= FT_L1 && t <= FT_L4;
}

static uint64_t pte_mfn(uint64_t e)
{
	return (e & PTE_ADDR) >> PAGE_SHIFT;
}

/* ---- frame ownership ------------------------------------------------------ */

bool mmu_ram_owned(const struct domain *d, uint64_t mfn)
{
	return mfn < d->mmu->nr_frames && !(d->mmu->frames[mfn].flags & FRAME_RELEASED);
}

bool mmu_frame_owned(const struct domain *d, uint64_t mfn)
{
	const struct hvarea *a = d->hva;

	if (mfn < d->mmu->nr_frames)
		return mmu_ram_owned(d, mfn);
	return mfn == a->shared_info_pfn ||
	       (mfn >= a->grant_pfn && mfn < a->grant_pfn + HV_NR_GRANT_FRAMES);
}

enum frame_type mmu_frame_type(const struct domain *d, uint64_t mfn, uint32_t *count)
{
	if (mfn >= d->mmu->nr_frames) {
		*count = 0;
		return FT_NONE;
	}
	*count = d->mmu->frames[mfn].count;
	return d->mmu->frames[mfn].type;
}

/* ---- page-table entries: queued stores, or plain ones before any vCPU ran -- */

/* cur == NULL only for the builder's tables, written before the VM runs. */
static uint64_t ent_read(struct domain *d, struct vcpu *cur, uint64_t mfn, unsigned int idx)
{
	uint64_t gpa = (mfn << PAGE_SHIFT) + 8ULL * idx, val;

	if (cur)
		return pt_read(cur, gpa);
	memcpy(&val, d->ram + gpa, 8);
	return val;
}

static int ent_write(struct domain *d, struct vcpu *cur, uint64_t mfn, unsigned int idx,
		     uint64_t val)
{
	uint64_t gpa = (mfn << PAGE_SHIFT) + 8ULL * idx;

	if (ent_read(d, cur, mfn, idx) == val)
		return 0;
	if (cur)
		return pt_store(cur, gpa, val);
	memcpy(d->ram + gpa, &val, 8);
	return 0;
}

/* ---- TLB flushes ----------------------------------------------------------- */

static void request_flush(struct vcpu *cur, struct vcpu *t)
{
	__atomic_store_n(&t->tlb_flush, true, __ATOMIC_RELEASE);
	if (t != cur && t->online)
		vcpu_kick(t);
}

/* Flush the vCPUs in mask (bit i: vCPU i). */
static void flush_mask(struct vcpu *cur, uint64_t mask)
{
	struct domain *d = cur->d;

	for (unsigned int i = 0; i < d->nr_vcpus && i < 64; i++)
		if (mask & (1ULL << i))
			request_flush(cur, &d->vcpu[i]);
}

static uint64_t all_vcpus(const struct domain *d)
{
	return d->nr_vcpus >= 64 ? ~0ULL : (1ULL << d->nr_vcpus) - 1;
}

/* A frame changes type: no vCPU may keep a TLB entry from its old use
 * (Xen flushes the dirty CPUs that have not flushed since the frame's
 * count fell to 0). */
static void flush_stale(struct domain *d, struct vcpu *cur, uint64_t stamp)
{
	if (!cur)
		return;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (__atomic_load_n(&d->mmu->vcpu_flushed[i], __ATOMIC_ACQUIRE) <= stamp)
			request_flush(cur, &d->vcpu[i]);
}

void mmu_note_tlb_flushed(struct vcpu *v)
{
	struct mmu_state *m = v->d->mmu;

	__atomic_store_n(&m->vcpu_flushed[v->id], __atomic_add_fetch(&m->clock, 1, __ATOMIC_ACQ_REL),
			 __ATOMIC_RELEASE);
}

/* ---- frame types ----------------------------------------------------------- */

static int get_type(struct domain *d, struct vcpu *cur, uint64_t mfn, enum frame_type t);
static void put_type(struct domain *d, struct vcpu *cur, uint64_t mfn);

static void scrub_frame(struct domain *d, uint64_t mfn)
{
	/* Give the memory back to the host; the frame reads as zeros after. */
	if (d->ram_fd < 0 || fallocate(d->ram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				       mfn << PAGE_SHIFT, PAGE_SIZE) < 0)
		memset(d->ram + (mfn << PAGE_SHIFT), 0, PAGE_SIZE);
}

static uint64_t adjust_l1(uint64_t e)
{
	if (!(e & PTE_P))
		return e;
	/* A page the guest kernel mapped without _PAGE_USER stays out of user
	 * mode's reach by not being global; user pages are global. */
	if (!(e & PTE_US))
		e |= PTE_US | PTE_GUEST_KERNEL;
	if (!(e & PTE_GUEST_KERNEL))
		e |= PTE_G | PTE_US;
	return e;
}

static uint64_t adjust_pde(uint64_t e, enum frame_type level)
{
	if (!(e & PTE_P))
		return e;
	return e | PTE_US | (level == FT_L4 ? PTE_A : 0);
}

/* Xen's get_page_from_l1e for a present entry: the reference a mapping
 * holds. dom_io: the mapping is made on behalf of DOMID_IO. */
static int get_l1_ref(struct domain *d, struct vcpu *cur, uint64_t e, bool dom_io)
{
	uint64_t mfn = pte_mfn(e);
	bool rw = e & PTE_RW;

	if (mfn >= d->mmu->nr_frames) {
		if (mfn >= d->hv_base_pfn && mfn < d->hv_base_pfn + d->hv_nr_pages)
			return !dom_io && hvarea_guest_may_map(d, mfn, rw) ? 0 : -XEN_EBUSY;
		/* No such frame: MMIO the domain has no access to. */
		return mfn == PTE_INVALID_MFN ? -XEN_EINVAL : -XEN_EPERM;
	}
	if ((d->mmu->frames[mfn].flags & FRAME_RELEASED) || dom_io)
		return -XEN_EBUSY;
	if (rw && get_type(d, cur, mfn, FT_WRITABLE) < 0)
		return -XEN_EBUSY;
	return 0;
}

static void put_l1_ref(struct domain *d, struct vcpu *cur, uint64_t e)
{
	if ((e & (PTE_P | PTE_RW)) == (PTE_P | PTE_RW) && pte_mfn(e) < d->mmu->nr_frames)
		put_type(d, cur, pte_mfn(e));
}

static bool is_guest_slot(enum frame_type level, unsigned int i)
{
	return level != FT_L4 || i < HV_SLOT_FIRST || i > HV_SLOT_LAST;
}

/* Xen's get_page_from_l{2,3,4}e for a present entry. */
static int get_pde_ref(struct domain *d, struct vcpu *cur, uint64_t e, enum frame_type level)
{
	if (e & PDE_DISALLOW)
		return -XEN_EINVAL;
	if (!mmu_ram_owned(d, pte_mfn(e)))
		return -XEN_EINVAL;
	return get_type(d, cur, pte_mfn(e), level - 1);
}

static void put_entry_ref(struct domain *d, struct vcpu *cur, uint64_t e, enum frame_type level)
{
	if (level == FT_L1)
		put_l1_ref(d, cur, e);
	else if (e & PTE_P)
		put_type(d, cur, pte_mfn(e));
}

/* Install Xen's slots into a validated L4; slot 256 (the M2P) only with
 * m2p_strict, as Xen's promote_l4_table does (fill_ro_mpt adds it later). */
static int install_hv_slots(struct domain *d, struct vcpu *cur, uint64_t mfn)
{
	bool strict = d->vm_assist & (1ULL << VMASST_TYPE_m2p_strict);
	int rc = 0;

	for (unsigned int s = HV_SLOT_FIRST; s <= HV_SLOT_LAST && !rc; s++) {
		uint64_t e = d->hva->l4_slot[s - HV_SLOT_FIRST];
		if (s == L4_SLOT_M2P && !strict)
			e = 0;
		rc = ent_write(d, cur, mfn, s, e);
	}
	return rc;
}

/* Validate table mfn as `level` (Xen's promote_l*_table): take the
 * reference of every present entry and apply Xen's adjustments. */
static int promote(struct domain *d, struct vcpu *cur, uint64_t mfn, enum frame_type level)
{
	unsigned int i;
	int rc = 0;

	for (i = 0; i < 512; i++) {
		uint64_t e;

		if (!is_guest_slot(level, i))
			continue;
		e = ent_read(d, cur, mfn, i);
		if (!(e & PTE_P))
			continue;
		if (level == FT_L1)
			rc = (e & L1_DISALLOW) ? -XEN_EINVAL : get_l1_ref(d, cur, e, false);
		else
			rc = get_pde_ref(d, cur, e, level);
		if (rc)
			break;
		rc = ent_write(d, cur, mfn, i, level == FT_L1 ? adjust_l1(e) : adjust_pde(e, level));
		if (rc) {
			put_entry_ref(d, cur, e, level);
			break;
		}
	}
	if (!rc && level == FT_L4)
		rc = install_hv_slots(d, cur, mfn);
	if (rc) {
		/* undo entries [0, i): all of them if the Xen slots failed */
		while (i-- > 0)
			if (is_guest_slot(level, i))
				put_entry_ref(d, cur, ent_read(d, cur, mfn, i), level);
	}
	return rc;
}

/* Drop the references of a table whose count fell to 0 (Xen's demote). */
static void demote(struct domain *d, struct vcpu *cur, uint64_t mfn, enum frame_type level)
{
	for (unsigned int i = 0; i < 512; i++)
		if (is_guest_slot(level, i))
			put_entry_ref(d, cur, ent_read(d, cur, mfn, i), level);
}

static int validate(struct domain *d, struct vcpu *cur, uint64_t mfn, enum frame_type t)
{
	if (t == FT_SEG_DESC)
		return segdesc_validate_frame(d, mfn);
	return promote(d, cur, mfn, t);
}

/* Xen's _get_page_type for a RAM frame. */
static int get_type(struct domain *d, struct vcpu *cur, uint64_t mfn, enum frame_type t)
{
	struct frame *f;
	int rc;

	if (!mmu_ram_owned(d, mfn))
		return -XEN_EINVAL;
	f = &d->mmu->frames[mfn];
	if (f->count) {
		/* A frame being validated has count 1 and is not validated yet:
		 * reaching it again is a table that maps itself (linear). */
		if (f->type != t || !(f->flags & FRAME_VALIDATED) || f->count == UINT32_MAX)
			return -XEN_EINVAL;
		f->count++;
		return 0;
	}
	if (f->type != t) {
		if (f->type != FT_NONE)
			flush_stale(d, cur, f->stamp);
		f->type = t;
		f->flags &= ~FRAME_VALIDATED;
	}
	f->count = 1;
	if (f->flags & FRAME_VALIDATED)
		return 0;
	if (is_table(t) || t == FT_SEG_DESC) {
		rc = validate(d, cur, mfn, t);
		if (rc) {
			f->count = 0;
			f->type = FT_NONE;
			return rc;
		}
	}
	f->flags |= FRAME_VALIDATED;
	return 0;
}

static void put_type(struct domain *d, struct vcpu *cur, uint64_t mfn)
{
	struct mmu_state *m = d->mmu;
	struct frame *f = &m->frames[mfn];

	if (!f->count) {
		mlog_once(d, "mmu: type count underflow on mfn %#llx", (unsigned long long)mfn);
		return;
	}
	if (--f->count)
		return;
	f->stamp = __atomic_add_fetch(&m->clock, 1, __ATOMIC_ACQ_REL);
	if (is_table(f->type) && (f->flags & FRAME_VALIDATED)) {
		f->flags &= ~FRAME_VALIDATED;
		demote(d, cur, mfn, f->type);
	}
	if ((f->flags & FRAME_SCRUB) && !f->count && !(f->flags & FRAME_PINNED)) {
		f->flags &= ~(FRAME_SCRUB | FRAME_VALIDATED);
		f->type = FT_NONE;
		scrub_frame(d, mfn);
	}
}

int mmu_get_type(struct vcpu *cur, uint64_t mfn, enum frame_type t)
{
	return get_type(cur->d, cur, mfn, t);
}

void mmu_put_type(struct vcpu *cur, uint64_t mfn)
{
	if (mfn < cur->d->mmu->nr_frames)
		put_type(cur->d, cur, mfn);
}

void mmu_lock(struct domain *d)
{
	pthread_mutex_lock(&d->mmu->lock);
}

void mmu_unlock(struct domain *d)
{
	pthread_mutex_unlock(&d->mmu->lock);
}

/* ---- the M2P ---------------------------------------------------------------- */

void mmu_set_m2p(struct domain *d, uint64_t mfn, uint64_t pfn)
{
	const struct hvarea *a = d->hva;

	if (mfn < a->m2p_nr * (PAGE_SIZE / 8)) {
		uint64_t *m2p = (uint64_t *)(d->hv + ((a->m2p_pfn - d->hv_base_pfn) << PAGE_SHIFT));
		__atomic_store_n(&m2p[mfn], pfn, __ATOMIC_RELAXED);
	}
}

/* ---- frames given back ------------------------------------------------------ */

int mmu_release_frame(struct domain *d, uint64_t mfn)
{
	struct mmu_state *m = d->mmu;
	struct frame *f;

	if (!mmu_ram_owned(d, mfn))
		return -XEN_ENXIO;
	f = &m->frames[mfn];
	f->flags |= FRAME_RELEASED;
	m->nr_released++;
	mmu_set_m2p(d, mfn, M2P_INVALID);
	/* Still mapped writable, in use as a table or pinned: Xen frees the
	 * page when its last reference goes, and so do we. */
	if (f->count || (f->flags & FRAME_PINNED)) {
		f->flags |= FRAME_SCRUB;
		return 0;
	}
	f->type = FT_NONE;
	f->flags &= ~FRAME_VALIDATED;
	scrub_frame(d, mfn);
	return 0;
}

static bool reclaimable(const struct mmu_state *m, uint64_t base, uint64_t n, uint64_t limit)
{
	if (base % n || base >= m->nr_frames || n > m->nr_frames - base ||
	    (limit && base + n > limit))
		return false;
	for (uint64_t i = base; i < base + n; i++)
		if ((m->frames[i].flags & (FRAME_RELEASED | FRAME_SCRUB | FRAME_PINNED)) !=
			    FRAME_RELEASED ||
		    m->frames[i].count)
			return false;
	return true;
}

int mmu_reclaim_frames(struct domain *d, uint64_t want, unsigned int order, uint64_t limit,
		       uint64_t *mfn)
{
	struct mmu_state *m = d->mmu;
	uint64_t n = 1ULL << order, base = UINT64_MAX;

	if (m->nr_released < n)
		return -XEN_ENOMEM;
	if (reclaimable(m, want, n, limit)) {
		base = want;
	} else {
		/* From where the last search ended, wrapping once. */
		uint64_t start = m->reclaim_cursor / n * n;
		for (uint64_t b = start; b < m->nr_frames && base == UINT64_MAX; b += n)
			if (reclaimable(m, b, n, limit))
				base = b;
		for (uint64_t b = 0; b < start && base == UINT64_MAX; b += n)
			if (reclaimable(m, b, n, limit))
				base = b;
		if (base == UINT64_MAX)
			return -XEN_ENOMEM;
	}
	for (uint64_t i = base; i < base + n; i++)
		m->frames[i].flags &= ~FRAME_RELEASED;
	m->nr_released -= n;
	m->reclaim_cursor = base + n;
	*mfn = base;
	return 0;
}

uint64_t mmu_released_frames(const struct domain *d)
{
	return d->mmu->nr_released;
}

/* ---- set-up ----------------------------------------------------------------- */

int mmu_init(struct domain *d)
{
	struct mmu_state *m = calloc(1, sizeof(*m));

	if (!m)
		return -1;
	m->nr_frames = d->nr_pages;
	m->frames = calloc(d->nr_pages ? d->nr_pages : 1, sizeof(*m->frames));
	if (!m->frames) {
		free(m);
		return -1;
	}
	pthread_mutex_init(&m->lock, NULL);
	d->mmu = m;
	return 0;
}

void mmu_destroy(struct domain *d)
{
	if (!d->mmu)
		return;
	pthread_mutex_destroy(&d->mmu->lock);
	free(d->mmu->memory.e820);
	free(d->mmu->frames);
	free(d->mmu);
	d->mmu = NULL;
}

/* Xen's fill_ro_mpt / zap_ro_mpt: the M2P slot of an L4 in use as a base. */
static int fill_m2p_slot(struct domain *d, struct vcpu *cur, uint64_t l4)
{
	if (ent_read(d, cur, l4, L4_SLOT_M2P))
		return 0;
	return ent_write(d, cur, l4, L4_SLOT_M2P, d->hva->l4_slot[L4_SLOT_M2P - HV_SLOT_FIRST]);
}

static bool m2p_strict(const struct domain *d)
{
	return __atomic_load_n(&d->vm_assist, __ATOMIC_RELAXED) & (1ULL << VMASST_TYPE_m2p_strict);
}

int mmu_note_initial_tables(struct domain *d, uint64_t l4_mfn)
{
	int rc;

	mmu_lock(d);
	rc = get_type(d, NULL, l4_mfn, FT_L4);
	if (!rc) {
		d->mmu->frames[l4_mfn].flags |= FRAME_PINNED;
		rc = get_type(d, NULL, l4_mfn, FT_L4);	/* vCPU 0's base pointer */
	}
	if (!rc && !m2p_strict(d))
		rc = fill_m2p_slot(d, NULL, l4_mfn);
	if (!rc)
		d->vcpu[0].guest_table = l4_mfn;
	mmu_unlock(d);
	if (rc) {
		mlog(d, "mmu: the bootstrap page tables at mfn %#llx do not validate (%d)",
		     (unsigned long long)l4_mfn, rc);
		return -1;
	}
	return 0;
}

/* ---- updating one entry (Xen's mod_l{1,2,3,4}_entry) ------------------------ */

struct update {
	bool preserve_ad;	/* MMU_PT_UPDATE_PRESERVE_AD */
	bool dom_io;		/* the mapped frames are DOMID_IO's */
	bool flush_all;		/* OUT: an L2-L4 entry changed */
};

static bool changed(uint64_t old, uint64_t new, uint64_t may_change)
{
	return (old ^ new) & ~may_change;
}

static int store_entry(struct domain *d, struct vcpu *cur, uint64_t mfn, unsigned int idx,
		       uint64_t old, uint64_t val, const struct update *u)
{
	if (u->preserve_ad)
		val |= old & (PTE_A | PTE_D);
	return ent_write(d, cur, mfn, idx, val);
}

static int mod_entry(struct domain *d, struct vcpu *cur, uint64_t mfn, unsigned int idx,
		     uint64_t val, struct update *u)
{
	enum frame_type level = d->mmu->frames[mfn].type;
	uint64_t old = ent_read(d, cur, mfn, idx);
	int rc;

	if (!is_guest_slot(level, idx))
		return -XEN_EINVAL;	/* Xen's own L4 slots */
	if (level != FT_L1 && u->dom_io)
		return -XEN_EINVAL;
	if (val & PTE_P) {
		if (val & (level == FT_L1 ? L1_DISALLOW : PDE_DISALLOW))
			return -XEN_EINVAL;
		val = level == FT_L1 ? adjust_l1(val) : adjust_pde(val, level);
		/* Same frame, same rights: no reference changes hands. */
		if (!changed(old, val, level == FT_L1 ? FASTPATH_L1 : FASTPATH_PDE))
			return store_entry(d, cur, mfn, idx, old, val, u);
		rc = level == FT_L1 ? get_l1_ref(d, cur, val, u->dom_io)
				    : get_pde_ref(d, cur, val, level);
		if (rc)
			return rc;
	}
	rc = store_entry(d, cur, mfn, idx, old, val, u);
	if (rc) {
		if (val & PTE_P)
			put_entry_ref(d, cur, val, level);
		return rc;
	}
	put_entry_ref(d, cur, old, level);
	if (level != FT_L1)
		u->flush_all = true;
	return 0;
}

/* Write the entry at machine address ptr of a frame the domain owns, as
 * MMU_NORMAL_PT_UPDATE does for whatever type the frame has. */
static int write_pte(struct domain *d, struct vcpu *cur, uint64_t ptr, uint64_t val,
		     struct update *u)
{
	uint64_t mfn = ptr >> PAGE_SHIFT;
	unsigned int idx = (ptr & (PAGE_SIZE - 1)) >> 3;
	struct frame *f;
	int rc;

	if (mfn >= d->mmu->nr_frames) {
		/* shared_info or a grant frame: always a writable data page */
		__atomic_store_n((uint64_t *)gpa_range(d, ptr, 8), val, __ATOMIC_RELAXED);
		return 0;
	}
	f = &d->mmu->frames[mfn];
	if (f->count && (f->flags & FRAME_VALIDATED)) {
		if (is_table(f->type))
			return mod_entry(d, cur, mfn, idx, val, u);
		if (f->type == FT_WRITABLE)
			return ent_write(d, cur, mfn, idx, val);
		return -XEN_EINVAL;	/* a descriptor page */
	}
	/* Not in use: a plain write, with the frame writable meanwhile. The
	 * store still goes through the queue, in case the shadow MMU kept the
	 * frame from an earlier life as a page table. */
	if (get_type(d, cur, mfn, FT_WRITABLE) < 0)
		return -XEN_EINVAL;
	rc = ent_write(d, cur, mfn, idx, val);
	put_type(d, cur, mfn);
	return rc;
}

int mmu_update_pte(struct vcpu *v, uint64_t pte_maddr, uint64_t val, bool preserve_ad)
{
	struct domain *d = v->d;
	struct update u = { .preserve_ad = preserve_ad };
	int rc = -XEN_EINVAL;

	mmu_lock(d);
	if (!(pte_maddr & 7) && mmu_frame_owned(d, pte_maddr >> PAGE_SHIFT))
		rc = write_pte(d, v, pte_maddr, val, &u);
	if (u.flush_all)
		flush_mask(v, all_vcpus(d));
	mmu_unlock(d);
	return rc;
}

/* ---- the domains a hypercall names ------------------------------------------- */

enum owner { OWNER_SELF, OWNER_IO, OWNER_DENIED };

/* Xen's get_pg_owner followed by the XSM check a domU passes or fails:
 * 0 and *o, or -ESRCH. */
static int pg_owner(const struct domain *d, uint16_t domid, enum owner *o)
{
	if (domid == d->domid)
		return -XEN_ESRCH;	/* "cannot specify itself as foreign domain" */
	if (domid == DOMID_SELF)
		*o = OWNER_SELF;
	else if (domid == DOMID_IO)
		*o = OWNER_IO;
	else if (domid == DOMID_XEN || pv_foreign_domain_error(domid) == -XEN_EPERM)
		*o = OWNER_DENIED;
	else
		return -XEN_ESRCH;
	return 0;
}

/* ---- HYPERVISOR_mmu_update ---------------------------------------------------- */

long do_mmu_update(struct vcpu *v, const uint64_t arg[5])
{
	struct domain *d = v->d;
	uint64_t ureqs = arg[0], pdone = arg[2];
	unsigned int count = (unsigned int)arg[1], foreigndom = (unsigned int)arg[3];
	unsigned int i = 0, done = 0;
	bool pt_foreign = false;
	struct update u = { 0 };
	enum owner pg;
	long rc = 0;

	if (count == MMU_UPDATE_PREEMPTED && !ureqs)
		return (int)foreigndom;	/* a continuation's final value */
	if (count & MMU_UPDATE_PREEMPTED) {
		count &= ~MMU_UPDATE_PREEMPTED;
		if (pdone && copy_from_guest(v, &done, pdone, sizeof(done)) < 0)
			done = 0;
	}
	if (!pv_array_ok(ureqs, count, sizeof(struct mmu_update)))
		return -XEN_EFAULT;
	if (foreigndom >> 16) {
		/* page tables of domain (foreigndom >> 16) - 1 */
		uint16_t pt_dom = (uint16_t)((foreigndom >> 16) - 1);
		if (pt_dom != d->domid) {
			if (pv_foreign_domain_error(pt_dom) != -XEN_EPERM)
				return -XEN_ESRCH;
			pt_foreign = true;
		}
	}
	if (pg_owner(d, (uint16_t)foreigndom, &pg) < 0) {
		rc = -XEN_ESRCH;
		goto out;
	}
	u.dom_io = pg == OWNER_IO;

	mmu_lock(d);
	for (i = 0; i < count; i++) {
		struct mmu_update req;
		unsigned int cmd;

		if (copy_from_guest(v, &req, ureqs + i * sizeof(req), sizeof(req)) < 0) {
			rc = -XEN_EFAULT;
			break;
		}
		cmd = req.ptr & 7;
		switch (cmd) {
		case MMU_NORMAL_PT_UPDATE:
		case MMU_PT_UPDATE_PRESERVE_AD:
		case MMU_PT_UPDATE_NO_TRANSLATE:
			if (pg == OWNER_DENIED || pt_foreign) {
				rc = -XEN_EPERM;
				break;
			}
			req.ptr -= cmd;
			u.preserve_ad = cmd == MMU_PT_UPDATE_PRESERVE_AD;
			rc = mmu_frame_owned(d, req.ptr >> PAGE_SHIFT) ? write_pte(d, v, req.ptr, req.val, &u)
								     : -XEN_EINVAL;
			break;
		case MMU_MACHPHYS_UPDATE:
			if (pt_foreign || pg == OWNER_DENIED)
				rc = -XEN_EPERM;
			else if (pg == OWNER_IO || !mmu_frame_owned(d, req.ptr >> PAGE_SHIFT))
				rc = -XEN_EINVAL;
			else
				mmu_set_m2p(d, req.ptr >> PAGE_SHIFT, req.val);
			break;
		default:
			rc = -XEN_ENOSYS;
			break;
		}
		if (rc)
			break;
	}
	/* Xen flushes every vCPU after a change to an L2-L4 entry. */
	if (u.flush_all)
		flush_mask(v, all_vcpus(d));
	mmu_unlock(d);
out:
	if (pdone) {
		done += i;
		copy_to_guest(v, pdone, &done, sizeof(done));
	}
	return rc;
}

/* ---- HYPERVISOR_mmuext_op ------------------------------------------------------ */

static int pin(struct vcpu *v, uint64_t mfn, enum frame_type t)
{
	struct domain *d = v->d;
	int rc;

	if (!mmu_ram_owned(d, mfn))
		return -XEN_EINVAL;
	rc = get_type(d, v, mfn, t);
	if (rc)
		return rc;
	if (d->mmu->frames[mfn].flags & FRAME_PINNED) {
		put_type(d, v, mfn);
		return -XEN_EINVAL;
	}
	d->mmu->frames[mfn].flags |= FRAME_PINNED;
	return 0;
}

static int unpin(struct vcpu *v, uint64_t mfn)
{
	struct domain *d = v->d;

	if (!mmu_ram_owned(d, mfn) || !(d->mmu->frames[mfn].flags & FRAME_PINNED))
		return -XEN_EINVAL;
	d->mmu->frames[mfn].flags &= ~FRAME_PINNED;
	put_type(d, v, mfn);
	return 0;
}

/* MMUEXT_NEW_BASEPTR (Xen's new_guest_cr3); cur carries the stores. */
static int new_baseptr(struct vcpu *cur, struct vcpu *t, uint64_t mfn)
{
	struct domain *d = cur->d;
	uint64_t old = t->guest_table;
	int rc;

	if (mfn != old) {
		if (!mmu_ram_owned(d, mfn))
			return -XEN_EINVAL;
		rc = get_type(d, cur, mfn, FT_L4);
		if (rc)
			return rc;
		if (!m2p_strict(d) && (rc = fill_m2p_slot(d, cur, mfn)) < 0) {
			put_type(d, cur, mfn);
			return rc;
		}
		t->guest_table = mfn;
		if (old)
			put_type(d, cur, old);
	}
	/* CR3 is reloaded, which flushes the TLB, even for the same table. */
	t->sregs_dirty = true;
	t->tlb_flush = true;
	return 0;
}

static int new_user_baseptr(struct vcpu *cur, struct vcpu *t, uint64_t mfn)
{
	struct domain *d = cur->d;
	uint64_t old = t->guest_table_user;
	int rc;

	if (mfn == old)
		return 0;
	if (mfn) {
		if (!mmu_ram_owned(d, mfn))
			return -XEN_EINVAL;
		rc = get_type(d, cur, mfn, FT_L4);
		if (rc)
			return rc;
		if (m2p_strict(d) && (rc = ent_write(d, cur, mfn, L4_SLOT_M2P, 0)) < 0) {
			put_type(d, cur, mfn);
			return rc;
		}
	}
	t->guest_table_user = mfn;
	if (old)
		put_type(d, cur, old);
	return 0;
}

/* Xen's vcpumask_to_pcpumask: one bit per vCPU, read in 64-bit words. */
static int read_vcpumask(struct vcpu *v, uint64_t gva, uint64_t *mask)
{
	unsigned int n = v->d->nr_vcpus;

	*mask = 0;
	for (unsigned int w = 0; w * 64 < n; w++) {
		uint64_t word;
		if (copy_from_guest(v, &word, gva + 8ULL * w, 8) < 0) {
			*mask = 0;
			return -XEN_EFAULT;
		}
		if (w == 0)
			*mask = n >= 64 ? word : word & ((1ULL << n) - 1);
	}
	return 0;
}

static int clear_page(struct vcpu *v, uint64_t mfn)
{
	struct domain *d = v->d;

	if (!mmu_frame_owned(d, mfn))
		return -XEN_EINVAL;
	if (mfn < d->mmu->nr_frames && get_type(d, v, mfn, FT_WRITABLE) < 0)
		return -XEN_EINVAL;
	memset(gpa_range(d, mfn << PAGE_SHIFT, PAGE_SIZE), 0, PAGE_SIZE);
	if (mfn < d->mmu->nr_frames)
		put_type(d, v, mfn);
	return 0;
}

static int copy_page(struct vcpu *v, uint64_t dst, uint64_t src)
{
	struct domain *d = v->d;

	if (!mmu_frame_owned(d, src) || !mmu_frame_owned(d, dst))
		return -XEN_EINVAL;
	if (dst < d->mmu->nr_frames && get_type(d, v, dst, FT_WRITABLE) < 0)
		return -XEN_EINVAL;
	memmove(gpa_range(d, dst << PAGE_SHIFT, PAGE_SIZE), gpa_range(d, src << PAGE_SHIFT, PAGE_SIZE),
		PAGE_SIZE);
	if (dst < d->mmu->nr_frames)
		put_type(d, v, dst);
	return 0;
}

static int set_ldt(struct vcpu *v, uint64_t base, unsigned int ents)
{
	if (!ents)
		base = 0;
	if (ents > MAX_LDT_ENTS || (ents && ((base & (PAGE_SIZE - 1)) || !pv_addr_ok(base))))
		return -XEN_EINVAL;
	if (v->ldt_ents != ents || v->ldt_base != base) {
		v->ldt_base = base;
		v->ldt_ents = ents;
		v->sregs_dirty = true;
	}
	return 0;
}

static int mmuext_one(struct vcpu *v, const struct mmuext_op *op)
{
	uint64_t mask;

	switch (op->cmd) {
	case MMUEXT_PIN_L1_TABLE:
	case MMUEXT_PIN_L2_TABLE:
	case MMUEXT_PIN_L3_TABLE:
	case MMUEXT_PIN_L4_TABLE:
		return pin(v, op->arg1.mfn, FT_L1 + (op->cmd - MMUEXT_PIN_L1_TABLE));
	case MMUEXT_UNPIN_TABLE:
		return unpin(v, op->arg1.mfn);
	case MMUEXT_NEW_BASEPTR:
		return new_baseptr(v, v, op->arg1.mfn);
	case MMUEXT_NEW_USER_BASEPTR:
		return new_user_baseptr(v, v, op->arg1.mfn);
	case MMUEXT_TLB_FLUSH_LOCAL:
	case MMUEXT_INVLPG_LOCAL:
		v->tlb_flush = true;
		return 0;
	case MMUEXT_TLB_FLUSH_MULTI:
	case MMUEXT_INVLPG_MULTI:
		if (read_vcpumask(v, op->arg2.vcpumask, &mask) < 0)
			return -XEN_EINVAL;
		if (op->cmd == MMUEXT_TLB_FLUSH_MULTI || pv_addr_ok(op->arg1.linear_addr))
			flush_mask(v, mask);
		return 0;
	case MMUEXT_TLB_FLUSH_ALL:
		flush_mask(v, all_vcpus(v->d));
		return 0;
	case MMUEXT_INVLPG_ALL:
		if (pv_addr_ok(op->arg1.linear_addr))
			flush_mask(v, all_vcpus(v->d));
		return 0;
	case MMUEXT_FLUSH_CACHE:
	case MMUEXT_FLUSH_CACHE_GLOBAL:
		return -XEN_EACCES;	/* a domU may not flush caches */
	case MMUEXT_SET_LDT:
		return set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);
	case MMUEXT_CLEAR_PAGE:
		return clear_page(v, op->arg1.mfn);
	case MMUEXT_COPY_PAGE:
		return copy_page(v, op->arg1.mfn, op->arg2.src_mfn);
	case MMUEXT_MARK_SUPER:
	case MMUEXT_UNMARK_SUPER:
		return -XEN_EOPNOTSUPP;
	default:
		return -XEN_ENOSYS;
	}
}

long do_mmuext_op(struct vcpu *v, const uint64_t arg[5])
{
	struct domain *d = v->d;
	uint64_t uops = arg[0], pdone = arg[2];
	unsigned int count = (unsigned int)arg[1], foreigndom = (unsigned int)arg[3];
	unsigned int i, done = 0;
	enum owner pg;
	long rc = 0;

	if (count == MMU_UPDATE_PREEMPTED && !uops)
		return (int)foreigndom;
	if (count & MMU_UPDATE_PREEMPTED) {
		count &= ~MMU_UPDATE_PREEMPTED;
		if (pdone && copy_from_guest(v, &done, pdone, sizeof(done)) < 0)
			done = 0;
	}
	if (!pv_array_ok(uops, count, sizeof(struct mmuext_op)))
		return -XEN_EFAULT;
	if (pg_owner(d, (uint16_t)foreigndom, &pg) < 0)
		return -XEN_ESRCH;
	if (pg != OWNER_SELF)
		return -XEN_EPERM;	/* XSM: a domU acts on itself only */

	mmu_lock(d);
	for (i = 0; i < count; i++) {
		struct mmuext_op op;

		if (copy_from_guest(v, &op, uops + i * sizeof(op), sizeof(op)) < 0) {
			rc = -XEN_EFAULT;
			break;
		}
		rc = mmuext_one(v, &op);
		if (rc)
			break;
	}
	mmu_unlock(d);
	if (pdone) {
		done += i;
		copy_to_guest(v, pdone, &done, sizeof(done));
	}
	return rc;
}

/* ---- HYPERVISOR_update_va_mapping ------------------------------------------------ */

/* Xen's map_guest_l1e: the L1 that maps va in the current tables. */
static int find_l1(struct vcpu *v, uint64_t va, uint64_t *l1)
{
	struct domain *d = v->d;
	uint64_t table = vcpu_current_l4(v);

	if (!pv_addr_ok(va))
		return -XEN_EINVAL;
	for (int shift = 39; shift >= 21; shift -= 9) {
		uint64_t e;
		if (!mmu_ram_owned(d, table))
			return -XEN_EINVAL;
		e = ent_read(d, v, table, (va >> shift) & 511);
		if (!(e & PTE_P) || (shift == 21 && (e & PTE_PSE)))
			return -XEN_EINVAL;
		table = pte_mfn(e);
	}
	if (!mmu_ram_owned(d, table))
		return -XEN_EINVAL;
	*l1 = table;
	return 0;
}

static long update_va_mapping(struct vcpu *v, uint64_t va, uint64_t val, uint64_t flags)
{
	struct domain *d = v->d;
	struct update u = { 0 };
	uint64_t l1, mask = 0, bmap = flags & ~(uint64_t)UVMF_FLUSHTYPE_MASK;
	struct frame *f;
	long rc;

	mmu_lock(d);
	rc = find_l1(v, va, &l1);
	if (!rc) {
		f = &d->mmu->frames[l1];
		if (f->type != FT_L1 || !f->count || !(f->flags & FRAME_VALIDATED))
			rc = -XEN_EINVAL;
		else
			rc = mod_entry(d, v, l1, (va >> PAGE_SHIFT) & 511, val, &u);
	}
	if (!rc && (flags & UVMF_FLUSHTYPE_MASK) &&
	    (flags & UVMF_FLUSHTYPE_MASK) != UVMF_FLUSHTYPE_MASK) {
		/* A flush of the whole TLB or of one page: ours are both a flush. */
		if (bmap == UVMF_LOCAL)
			v->tlb_flush = true;
		else if (bmap == UVMF_ALL)
			flush_mask(v, all_vcpus(d));
		else if ((rc = read_vcpumask(v, bmap, &mask)) == 0)
			flush_mask(v, mask);
	}
	mmu_unlock(d);
	return rc;
}

long do_update_va_mapping(struct vcpu *v, const uint64_t arg[5])
{
	return update_va_mapping(v, arg[0], arg[1], arg[2]);
}

long do_update_va_mapping_otherdomain(struct vcpu *v, const uint64_t arg[5])
{
	enum owner pg;

	if (pg_owner(v->d, (uint16_t)arg[3], &pg) < 0)
		return -XEN_ESRCH;
	if (pg != OWNER_SELF)
		return -XEN_EPERM;
	return update_va_mapping(v, arg[0], arg[1], arg[2]);
}

/* ---- writable page tables ----------------------------------------------------------- */

#define PFEC_PRESENT 0x01
#define PFEC_WRITE 0x02
#define PFEC_RSVD 0x08
#define PFEC_IFETCH 0x10

uint64_t mmu_ptwr_target(struct vcpu *v, uint64_t cr2, uint32_t err)
{
	struct domain *d = v->d;
	uint64_t l1, e, mfn, gpa = 0;
	const struct frame *f;

	if (!v->kernel_mode || (err & (PFEC_PRESENT | PFEC_WRITE | PFEC_RSVD | PFEC_IFETCH)) !=
				       (PFEC_PRESENT | PFEC_WRITE) ||
	    !(__atomic_load_n(&d->vm_assist, __ATOMIC_RELAXED) &
	      (1ULL << VMASST_TYPE_writable_pagetables)))
		return 0;
	mmu_lock(d);
	if (find_l1(v, cr2, &l1) == 0) {
		e = ent_read(d, v, l1, (cr2 >> PAGE_SHIFT) & 511);
		mfn = pte_mfn(e);
		/* A read-only mapping of a validated L1 table. */
		if ((e & (PTE_P | PTE_RW)) == PTE_P && mmu_ram_owned(d, mfn)) {
			f = &d->mmu->frames[mfn];
			if (f->type == FT_L1 && f->count && (f->flags & FRAME_VALIDATED))
				gpa = (mfn << PAGE_SHIFT) | (cr2 & (PAGE_SIZE - 1));
		}
	}
	mmu_unlock(d);
	return gpa;
}

/* ---- HYPERVISOR_vm_assist --------------------------------------------------------- */

/* The assists Xen accepts from a 64-bit PV guest (most mean nothing for
 * 64-bit, but requests for them never failed). */
#define VM_ASSIST_VALID                                                                            \
	((1ULL << VMASST_TYPE_4gb_segments) | (1ULL << VMASST_TYPE_4gb_segments_notify) |          \
	 (1ULL << VMASST_TYPE_writable_pagetables) | (1ULL << VMASST_TYPE_pae_extended_cr3) |      \
	 (1ULL << VMASST_TYPE_architectural_iopl) | (1ULL << VMASST_TYPE_runstate_update_flag) |   \
	 (1ULL << VMASST_TYPE_m2p_strict))

long do_vm_assist(struct vcpu *v, const uint64_t arg[5])
{
	unsigned int cmd = (unsigned int)arg[0], type = (unsigned int)arg[1];

	if (type >= 64 || !(VM_ASSIST_VALID & (1ULL << type)))
		return -XEN_EINVAL;
	switch (cmd) {
	case VMASST_CMD_enable:
		__atomic_fetch_or(&v->d->vm_assist, 1ULL << type, __ATOMIC_RELAXED);
		return 0;
	case VMASST_CMD_disable:
		__atomic_fetch_and(&v->d->vm_assist, ~(1ULL << type), __ATOMIC_RELAXED);
		return 0;
	default:
		return -XEN_ENOSYS;
	}
}

/* ---- vCPU page tables, for VCPUOP_initialise and teardown ------------------------- */

int mmu_vcpu_set_tables(struct vcpu *cur, struct vcpu *target, uint64_t kernel_mfn,
			uint64_t user_mfn)
{
	struct domain *d = cur->d;
	int rc;

	mmu_lock(d);
	rc = new_baseptr(cur, target, kernel_mfn);
	if (!rc && user_mfn)
		rc = new_user_baseptr(cur, target, user_mfn);
	mmu_unlock(d);
	return rc;
}

void mmu_vcpu_drop_tables(struct vcpu *cur, struct vcpu *target)
{
	struct domain *d = cur->d;

	mmu_lock(d);
	if (target->guest_table)
		put_type(d, cur, target->guest_table);
	if (target->guest_table_user)
		put_type(d, cur, target->guest_table_user);
	target->guest_table = target->guest_table_user = 0;
	mmu_unlock(d);
}
