/*
 * The test guests' runtime: what every test kernel may use.
 *
 * Address space: the image is linked at GUEST_VIRT_BASE and pseudo-physical
 * frame N is mapped at GUEST_VIRT_BASE + N * 4096 by the domain builder
 * (the image, then start_info, the P2M list, the bootstrap page tables and
 * stack). Frames are translated to machine frames through the P2M list.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>

#define GUEST_VIRT_BASE 0xffffffff80000000UL
#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12

/* Page-table entry bits. */
#define _PAGE_PRESENT 0x001UL
#define _PAGE_RW 0x002UL
#define _PAGE_USER 0x004UL
#define _PAGE_ACCESSED 0x020UL
#define _PAGE_DIRTY 0x040UL
#define _PAGE_PSE 0x080UL
#define PTE_ADDR_MASK 0x000ffffffffff000UL
/* What a Xen PV guest uses for a data page, and for a table entry. */
#define PTE_DATA (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PTE_DATA_RO (_PAGE_PRESENT | _PAGE_ACCESSED)
#define PTE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define barrier() __asm__ __volatile__("" ::: "memory")
#define __page_aligned_bss __attribute__((section(".bss.page_aligned"), aligned(4096)))

/* Set up by the runtime before guest_main() runs. */
extern struct start_info *start_info;
extern struct shared_info *shared_info; /* mapped by the runtime */
extern struct vcpu_info *vcpu0_info; /* &shared_info->vcpu_info[0] */

/* The test itself; the runtime reports and shuts down when it returns. */
void guest_main(void);
/* Name printed in the banner (defined by each test). */
extern const char test_title[];

/* string.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
size_t strnlen(const char *s, size_t max);
char *strstr(const char *haystack, const char *needle);

/* console.c: output to the hypervisor console and the PV console ring. */
void console_init(void);
void console_write(const char *buf, size_t len);

/* printf.c: %s %c %d %i %u %x %p, l/ll modifiers, 0-padding and width. */
int vsnprintf(char *buf, size_t size, const char *fmt, __builtin_va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* report.c: XTF-style results. */
bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define check_eq(got, want, ...) check_eq_impl((long)(got), (long)(want), __VA_ARGS__)
bool check_eq_impl(long got, long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __attribute__((noreturn)) report_finish(void);
void __attribute__((noreturn)) report_crash(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* mm.c: frames and page tables. */
static inline uint64_t pfn_to_virt(uint64_t pfn)
{
	return GUEST_VIRT_BASE + (pfn << PAGE_SHIFT);
}
static inline uint64_t virt_to_pfn(const void *va)
{
	return ((uint64_t)va - GUEST_VIRT_BASE) >> PAGE_SHIFT;
}
uint64_t pfn_to_mfn(uint64_t pfn);
uint64_t virt_to_mfn(const void *va);
/* Reverse P2M lookup (no M2P needed); ~0 if mfn is not ours. */
uint64_t mfn_to_pfn(uint64_t mfn);
/* The M2P where XENMEM_machphys_mapping says it is (v_start): the ABI lets
 * a hypervisor put it anywhere in its reserved range; Xen uses
 * MACH2PHYS_VIRT_START. Crashes the test if the query fails. */
const volatile uint64_t *m2p_table(void);
/* Machine address of the entry that maps va at level (1..4); 0 if absent. */
uint64_t pte_maddr(uint64_t va, int level);
/* The entry itself (read through our own mapping of the table); 0 if absent. */
uint64_t pte_read(uint64_t va, int level);
/* Map machine frame mfn at va (an L1-mapped page of ours) with flags. */
long map_frame_at(void *va, uint64_t mfn, uint64_t flags);
/* Make our page at va read-only / writable again (for page-table use). */
long set_page_ro(void *va);
long set_page_rw(void *va);

/* time.c: Xen system time (ns since boot) from vcpu0's time info. */
uint64_t system_time_ns(void);

#endif /* GUEST_H */
