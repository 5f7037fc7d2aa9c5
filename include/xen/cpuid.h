/* Xen's hypervisor CPUID leaves (base 0x40000000, or +0x100 steps). */
#ifndef XEN_CPUID_H
#define XEN_CPUID_H

#define XEN_CPUID_FIRST_LEAF 0x40000000
#define XEN_CPUID_LEAF(i) (XEN_CPUID_FIRST_LEAF + (i))

/*
 * Leaf 0: eax = highest Xen leaf, ebx:ecx:edx = "XenVMMXenVMM".
 * Leaf 1: eax = (major << 16) | minor.
 * Leaf 2: eax = number of hypercall pages, ebx = MSR whose write of a
 *         guest address (| page index in bits 0-11) fills a hypercall page.
 * Leaf 3: TSC mode; leaf 4: HVM only; leaf 5: PV features.
 */
#define XEN_CPUID_SIGNATURE_EBX 0x566e6558 /* "XenV" */
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4d /* "MMXe" */
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566e /* "nVMM" */

/* Leaf 2, ecx */
#define _XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD 0
#define XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD (1u << 0)

#define XEN_CPUID_MAX_NUM_LEAVES 5

/* The hypercall-page MSR Xen reports in leaf 2 ebx. */
#define XEN_MSR_HYPERCALL_PAGE 0x40000000

#endif /* XEN_CPUID_H */
