/*
 * Basic types and helpers shared by our rendering of Xen's public x86_64 ABI.
 *
 * Every header under include/xen/ builds in two worlds: host programs
 * (gnu11 with glibc) and freestanding PV guests (only <stdint.h>,
 * <stddef.h>, <stdbool.h>). Constants are also usable from assembly
 * (__ASSEMBLER__), where the C-only parts are hidden.
 *
 * Guest handles are plain uint64_t fields holding a guest virtual address.
 */
#ifndef XEN_ABI_H
#define XEN_ABI_H

#ifdef __ASSEMBLER__
#define XEN_UL(x) x
#else
#define XEN_UL(x) x##UL

#include <stddef.h>
#include <stdint.h>

typedef uint64_t xen_ulong_t;
typedef uint64_t xen_pfn_t;
typedef uint16_t domid_t;
typedef uint32_t evtchn_port_t;
typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;
typedef uint8_t xen_domain_handle_t[16];

/* Compile-time checks that a structure matches the ABI byte for byte. */
#define XEN_CHECK_SIZE(type, size)                                                                 \
	_Static_assert(sizeof(type) == (size), "ABI size of " #type)
#define XEN_CHECK_OFFSET(type, member, off)                                                        \
	_Static_assert(offsetof(type, member) == (off), "ABI offset of " #type "." #member)

#endif /* !__ASSEMBLER__ */

#define XEN_PAGE_SHIFT 12
#define XEN_PAGE_SIZE 4096

#endif /* XEN_ABI_H */
