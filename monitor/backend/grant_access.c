/*
 * Grant checks and pins for the backends (grant_access.h). The entries are
 * the guest's v1 table in the hypervisor area; the pin counts live here.
 */
#include "grant_access.h"

#include <stdlib.h>
#include <string.h>

#include "../hvarea.h"
#include "../pv/mmu.h"

#define NR_REFS (HV_NR_GRANT_FRAMES * GNTTAB_V1_ENTRIES_PER_PAGE)
/* Xen gives up after this many lost compare-and-exchange races. */
#define MAX_RETRIES 5

struct grant_pins {
	pthread_mutex_t lock;
	struct { uint16_t all, writers; } pin[NR_REFS];
};

int grant_access_init(struct domain *d)
{
	struct grant_pins *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	pthread_mutex_init(&p->lock, NULL);
	d->grant_pins = p;
	return 0;
}

void grant_access_destroy(struct domain *d)
{
	if (!d->grant_pins)
		return;
	pthread_mutex_destroy(&d->grant_pins->lock);
	free(d->grant_pins);
	d->grant_pins = NULL;
}

/* The entry of ref, if ref is within the frames the guest set up. */
static uint32_t *entry_word(struct domain *d, grant_ref_t ref)
{
	unsigned int frames = __atomic_load_n(&d->gnttab_frames, __ATOMIC_RELAXED);
	struct grant_entry_v1 *table;

	if (frames < 1)
		frames = 1;	/* the table starts with one frame, as Xen's */
	if (frames > HV_NR_GRANT_FRAMES || ref >= frames * GNTTAB_V1_ENTRIES_PER_PAGE)
		return NULL;
	table = gpa_range(d, d->hva->grant_pfn << PAGE_SHIFT,
			  (uint64_t)HV_NR_GRANT_FRAMES << PAGE_SHIFT);
	return table ? (uint32_t *)&table[ref] : NULL;
}

/* flags are the low half of the flags+domid word (x86 is little-endian). */
static uint16_t word_flags(uint32_t w) { return (uint16_t)w; }
static uint16_t word_domid(uint32_t w) { return (uint16_t)(w >> 16); }

/* Set GTF_reading (and GTF_writing) as Xen's _set_status_v1: the type and
 * domid are checked unless the grant is already pinned. */
static int set_status(uint32_t *word, bool pinned, bool write)
{
	uint32_t old = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	for (int tries = 0;; tries++) {
		uint16_t f = word_flags(old);
		uint32_t new;

		if (!pinned && ((f & GTF_type_mask) != GTF_permit_access ||
				word_domid(old) != GRANT_BACKEND_DOMID))
			return GNTST_general_error;
		if (write && (f & GTF_readonly))
			return GNTST_general_error;
		new = old | GTF_reading | (write ? GTF_writing : 0);
		if (new == old ||
		    __atomic_compare_exchange_n(word, &old, new, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return GNTST_okay;
		if (tries >= MAX_RETRIES)
			return GNTST_general_error;
	}
}

static void clear_flags(uint32_t *word, uint16_t bits)
{
	__atomic_fetch_and(word, ~(uint32_t)bits, __ATOMIC_ACQ_REL);
}

/* The frame must be the domain's RAM; one we write must not be a page
 * table or descriptor page. Xen holds a type reference for as long as the
 * mapping exists; we check at each map (see docs/block.md). */
static int frame_ok(struct domain *d, uint64_t mfn, bool write)
{
	int st = GNTST_okay;

	mmu_lock(d);
	if (!mmu_ram_owned(d, mfn)) {
		st = GNTST_bad_page;
	} else if (write) {
		uint32_t count;
		enum frame_type t = mmu_frame_type(d, mfn, &count);

		if (count && t != FT_WRITABLE && t != FT_NONE)
			st = GNTST_bad_page;
	}
	mmu_unlock(d);
	return st;
}

int grant_map(struct domain *d, grant_ref_t ref, bool write, void **page)
{
	struct grant_pins *p = d->grant_pins;
	uint32_t *word = entry_word(d, ref);
	struct grant_entry_v1 *e = (struct grant_entry_v1 *)word;
	int st;

	*page = NULL;
	if (!word || !p)
		return GNTST_bad_gntref;
	pthread_mutex_lock(&p->lock);
	/* a frontend naming one grant in ever more requests must not wrap the
	 * pin count (Xen refuses a pin-count overflow too) */
	if (p->pin[ref].all == UINT16_MAX) {
		pthread_mutex_unlock(&p->lock);
		return GNTST_general_error;
	}
	st = set_status(word, p->pin[ref].all != 0, write);
	if (st == GNTST_okay) {
		/* the frame is read once, after our flags are visible to the guest */
		uint64_t mfn = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);

		st = frame_ok(d, mfn, write);
		if (st == GNTST_okay)
			*page = gpa_range(d, mfn << PAGE_SHIFT, PAGE_SIZE);
		if (st == GNTST_okay && *page) {
			p->pin[ref].all++;
			p->pin[ref].writers += write;
		} else {
			st = st == GNTST_okay ? GNTST_bad_page : st;
			*page = NULL;
			/* undo what this attempt added */
			if (!p->pin[ref].writers && write)
				clear_flags(word, GTF_writing);
			if (!p->pin[ref].all)
				clear_flags(word, GTF_reading | GTF_writing);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return st;
}

void grant_unmap(struct domain *d, grant_ref_t ref, bool write)
{
	struct grant_pins *p = d->grant_pins;
	uint32_t *word = entry_word(d, ref);

	if (!p || ref >= NR_REFS)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->pin[ref].all && (!write || p->pin[ref].writers)) {
		p->pin[ref].all--;
		p->pin[ref].writers -= write;
		if (word && !p->pin[ref].writers)
			clear_flags(word, GTF_writing);
		if (word && !p->pin[ref].all)
			clear_flags(word, GTF_reading);
	}
	pthread_mutex_unlock(&p->lock);
}

static int copy(struct domain *d, grant_ref_t ref, uint32_t off, void *buf, size_t len, bool to)
{
	void *page;
	int st;

	if (off > PAGE_SIZE || len > PAGE_SIZE - off)
		return GNTST_bad_copy_arg;
	st = grant_map(d, ref, to, &page);
	if (st != GNTST_okay)
		return st;
	if (to)
		memcpy((uint8_t *)page + off, buf, len);
	else
		memcpy(buf, (uint8_t *)page + off, len);
	grant_unmap(d, ref, to);
	return GNTST_okay;
}

int grant_copy_from(struct domain *d, grant_ref_t ref, uint32_t off, void *dst, size_t len)
{
	return copy(d, ref, off, dst, len, false);
}

int grant_copy_to(struct domain *d, grant_ref_t ref, uint32_t off, const void *src, size_t len)
{
	return copy(d, ref, off, (void *)src, len, true);
}
