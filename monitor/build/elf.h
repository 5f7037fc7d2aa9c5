/*
 * The Xen PV kernel loader: reads an x86_64 ELF kernel's Xen notes the way
 * Xen's libelf does for a PV domain, and copies its loadable segments into
 * the domain's memory. A pure library: no KVM, no globals; every offset and
 * size taken from the image is checked, so the image may be hostile.
 */
#ifndef MONITOR_BUILD_ELF_H
#define MONITOR_BUILD_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xen_elf_info {
	uint64_t virt_base;	/* XEN_ELFNOTE_VIRT_BASE (0 if absent) */
	/*
	 * XEN_ELFNOTE_PADDR_OFFSET. When absent, libelf's default: 0 for an
	 * image with Xen notes, virt_base for a legacy __xen_guest image.
	 */
	uint64_t paddr_offset;
	uint64_t entry;		/* XEN_ELFNOTE_ENTRY, else e_entry */
	uint64_t hypercall_page;	/* virtual address, 0 if none */
	uint64_t init_p2m;	/* XEN_ELFNOTE_INIT_P2M, 0 if none */
	bool mod_start_pfn;	/* XEN_ELFNOTE_MOD_START_PFN: initrd may be unmapped */
	/*
	 * The virtual range that the loadable segments cover: their lowest
	 * p_paddr and highest p_paddr + p_memsz, moved by
	 * virt_base - paddr_offset.
	 */
	uint64_t virt_kstart, virt_kend;
	uint64_t hv_start_low;	/* XEN_ELFNOTE_HV_START_LOW, 0 if none */
	/*
	 * XENFEAT_* bitmaps: the FEATURES string ("a|!b", '!' = required)
	 * and XEN_ELFNOTE_SUPPORTED_FEATURES. Required features are also
	 * marked supported.
	 */
	uint32_t features_supported[1], features_required[1];
	char guest_os[32], guest_version[32], xen_version[32], loader[32];
	bool suspend_cancel;	/* XEN_ELFNOTE_SUSPEND_CANCEL */
	bool legacy_guest_info;	/* read from the __xen_guest section, not notes */
	/* Always true when xen_elf_parse() succeeded: it fails for any image
	 * that is not a PV kernel. */
	bool pv_kernel;
	uint64_t phys32_entry;	/* XEN_ELFNOTE_PHYS32_ENTRY (PVH), 0 if none */
};

/*
 * Parse a 64-bit little-endian x86_64 ELF image and its Xen notes (PT_NOTE
 * segments, else SHT_NOTE sections, else the legacy __xen_guest section) and
 * apply Xen's checks for a PV domain U kernel: loader "generic" or guest OS
 * "linux", Xen version "xen-3.0", the entry point inside the image, the
 * initial P2M outside it, no required feature unknown to Xen, not dom0-only.
 * Also checks that the hypercall page, if any, lies inside the image.
 *
 * Returns 0 and fills *info, or -1 with a readable reason in err (e.g.
 * "not an ELF file", "not x86_64", "segment 2 extends past the end of the
 * file", "no Xen ELF notes: not a PV kernel").
 */
int xen_elf_parse(const void *img, size_t len, struct xen_elf_info *info, char *err,
		  size_t errlen);

/*
 * Copy every loadable segment of the image that xen_elf_parse() accepted
 * into dst, which holds guest virtual addresses [dst_vaddr, dst_vaddr +
 * dst_len), and zero the part of each segment past its file contents (bss).
 * Bytes of dst that no segment covers are left as they are. Fails without
 * writing past dst if a segment lies outside it, and, as Xen does, if the
 * segments add up to more than twice dst_len.
 *
 * Returns 0, or -1 with a readable reason in err.
 */
int xen_elf_load(const void *img, size_t len, const struct xen_elf_info *info, void *dst,
		 uint64_t dst_vaddr, size_t dst_len, char *err, size_t errlen);

#endif /* MONITOR_BUILD_ELF_H */
