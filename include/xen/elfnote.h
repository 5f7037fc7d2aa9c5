/*
 * Xen ELF notes: type numbers of the notes (owner "Xen") that a PV kernel
 * carries to tell the domain builder how to load and start it.
 */
#ifndef XEN_ELFNOTE_H
#define XEN_ELFNOTE_H

#define XEN_ELFNOTE_INFO 0
#define XEN_ELFNOTE_ENTRY 1 /* virtual address of the entry point */
#define XEN_ELFNOTE_HYPERCALL_PAGE 2 /* virtual address of the hypercall page */
#define XEN_ELFNOTE_VIRT_BASE 3 /* virtual address the image is relative to */
#define XEN_ELFNOTE_PADDR_OFFSET 4 /* virt - pseudo-phys of the ELF segments */
#define XEN_ELFNOTE_XEN_VERSION 5 /* string, "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS 6 /* string, e.g. "linux" */
#define XEN_ELFNOTE_GUEST_VERSION 7 /* string */
#define XEN_ELFNOTE_LOADER 8 /* string, "generic" */
#define XEN_ELFNOTE_PAE_MODE 9 /* string */
#define XEN_ELFNOTE_FEATURES 10 /* string: "feat|feat|!feat" */
#define XEN_ELFNOTE_BSD_SYMTAB 11 /* string "yes" */
#define XEN_ELFNOTE_HV_START_LOW 12 /* 32-bit guests only */
#define XEN_ELFNOTE_L1_MFN_VALID 13 /* mask, value pair */
#define XEN_ELFNOTE_SUSPEND_CANCEL 14 /* numeric */
#define XEN_ELFNOTE_INIT_P2M 15 /* virtual address for the initial P2M list */
#define XEN_ELFNOTE_MOD_START_PFN 16 /* numeric: mod_start as a PFN */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17 /* 32-bit XENFEAT_* bitmap */
#define XEN_ELFNOTE_PHYS32_ENTRY 18 /* PVH entry point */
#define XEN_ELFNOTE_PHYS32_RELOC 19
#define XEN_ELFNOTE_MAX XEN_ELFNOTE_PHYS32_RELOC

#define XEN_ELFNOTE_CRASH_INFO 0x1000001
#define XEN_ELFNOTE_CRASH_REGS 0x1000002

#endif /* XEN_ELFNOTE_H */
