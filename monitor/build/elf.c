/*
 * Xen PV kernel loader: ELF headers, Xen notes, segment loading.
 *
 * The rules are those of Xen's libelf and its domain builder for an x86_64
 * PV domain U (see elf.h); the code is ours. Every structure is copied out
 * of the image with memcpy after a range check, so the image may be
 * unaligned, truncated or hostile.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/elfnote.h>
#include <xen/features.h>

#include "elf.h"

struct image {
	const uint8_t *p;
	size_t len;
	char *err;
	size_t errlen;
	Elf64_Ehdr eh;
};

__attribute__((format(printf, 2, 3))) static int fail(struct image *im, const char *fmt, ...)
{
	va_list ap;

	if (im->err && im->errlen) {
		va_start(ap, fmt);
		vsnprintf(im->err, im->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Whether [off, off + size) lies inside the image. */
static bool in_image(const struct image *im, uint64_t off, uint64_t size)
{
	return off <= im->len && size <= im->len - off;
}

/* ---- headers ------------------------------------------------------------ */

static int read_ehdr(struct image *im)
{
	const Elf64_Ehdr *e = &im->eh;

	if (im->len < SELFMAG || memcmp(im->p, ELFMAG, SELFMAG) != 0)
		return fail(im, "not an ELF file");
	if (im->len < sizeof(*e))
		return fail(im, "ELF header truncated");
	memcpy(&im->eh, im->p, sizeof(im->eh));
	if (e->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(im, "not a 64-bit ELF file");
	if (e->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(im, "not a little-endian ELF file");
	if (e->e_machine != EM_X86_64)
		return fail(im, "not x86_64 (ELF machine %u)", e->e_machine);

	if (e->e_phnum && e->e_phentsize != sizeof(Elf64_Phdr))
		return fail(im, "program header size %u, expected %zu", e->e_phentsize,
			    sizeof(Elf64_Phdr));
	if (!in_image(im, e->e_phoff, (uint64_t)e->e_phnum * sizeof(Elf64_Phdr)))
		return fail(im, "program headers extend past the end of the file");
	if (e->e_shnum && e->e_shentsize != sizeof(Elf64_Shdr))
		return fail(im, "section header size %u, expected %zu", e->e_shentsize,
			    sizeof(Elf64_Shdr));
	if (!in_image(im, e->e_shoff, (uint64_t)e->e_shnum * sizeof(Elf64_Shdr)))
		return fail(im, "section headers extend past the end of the file");
	return 0;
}

static Elf64_Phdr phdr_at(const struct image *im, unsigned int i)
{
	Elf64_Phdr ph;

	memcpy(&ph, im->p + im->eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
	return ph;
}

static Elf64_Shdr shdr_at(const struct image *im, unsigned int i)
{
	Elf64_Shdr sh;

	memcpy(&sh, im->p + im->eh.e_shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
	return sh;
}

/* libelf loads PT_LOAD segments that are readable, writable or executable. */
static bool is_loadable(const Elf64_Phdr *ph)
{
	return ph->p_type == PT_LOAD && (ph->p_flags & (PF_R | PF_W | PF_X));
}

static int check_loadable(struct image *im, unsigned int i, const Elf64_Phdr *ph)
{
	if (!in_image(im, ph->p_offset, ph->p_filesz))
		return fail(im, "segment %u extends past the end of the file", i);
	if (ph->p_filesz > ph->p_memsz)
		return fail(im, "segment %u: file size %#llx larger than memory size %#llx", i,
			    (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
	if (ph->p_paddr + ph->p_memsz < ph->p_paddr)
		return fail(im, "segment %u: address range wraps around", i);
	return 0;
}

/* ---- Xen notes ------------------------------------------------------------ */

struct notes {
	struct xen_elf_info *info;
	unsigned int count;	/* notes owned by "Xen" */
	bool have_virt_base, have_paddr_offset, have_entry;
};

/* The names libelf knows in a FEATURES string, by XENFEAT_* bit. */
static const char *const feature_names[] = {
	[XENFEAT_writable_page_tables] = "writable_page_tables",
	[XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
	[XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
	[XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
	[XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
	[XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
	[XENFEAT_dom0] = "dom0",
};

/*
 * "name|!name|...": a known name sets its bit in supported, and with '!'
 * in required as well. An unknown name is ignored unless it is required.
 */
static int parse_features(struct image *im, struct xen_elf_info *info, const char *s, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *tok = s + pos;
		size_t tlen = 0, i;
		bool required = false;

		while (pos + tlen < len && tok[tlen] != '|')
			tlen++;
		pos += tlen + 1;
		if (tlen && tok[0] == '!') {
			required = true;
			tok++;
			tlen--;
		}
		for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
			if (feature_names[i] && strlen(feature_names[i]) == tlen &&
			    memcmp(feature_names[i], tok, tlen) == 0)
				break;
		}
		if (i == sizeof(feature_names) / sizeof(feature_names[0])) {
			if (required)
				return fail(im, "kernel requires unknown feature '%.*s'",
					    (int)(tlen > 64 ? 64 : tlen), tok);
			continue;
		}
		info->features_supported[i / 32] |= 1u << (i % 32);
		if (required)
			info->features_required[i / 32] |= 1u << (i % 32);
	}
	return 0;
}

/* A numeric note is 1, 2, 4 or 8 little-endian bytes; anything else is 0. */
static uint64_t note_number(const uint8_t *desc, uint32_t descsz)
{
	uint64_t v = 0;

	if (descsz != 1 && descsz != 2 && descsz != 4 && descsz != 8)
		return 0;
	memcpy(&v, desc, descsz);
	return v;
}

/* Text up to its NUL or max bytes, cut to fit dst. */
static void copy_string(char *dst, size_t dstlen, const void *src, size_t max)
{
	size_t n = strnlen(src, max);

	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int parse_note(struct image *im, struct notes *n, uint32_t type, const uint8_t *desc,
		      uint32_t descsz)
{
	struct xen_elf_info *info = n->info;
	uint64_t v = note_number(desc, descsz);
	uint32_t bits;

	switch (type) {
	case XEN_ELFNOTE_ENTRY:
		info->entry = v;
		n->have_entry = true;
		break;
	case XEN_ELFNOTE_HYPERCALL_PAGE:
		info->hypercall_page = v;
		break;
	case XEN_ELFNOTE_VIRT_BASE:
		info->virt_base = v;
		n->have_virt_base = true;
		break;
	case XEN_ELFNOTE_PADDR_OFFSET:
		info->paddr_offset = v;
		n->have_paddr_offset = true;
		break;
	case XEN_ELFNOTE_XEN_VERSION:
		copy_string(info->xen_version, sizeof(info->xen_version), desc, descsz);
		break;
	case XEN_ELFNOTE_GUEST_OS:
		copy_string(info->guest_os, sizeof(info->guest_os), desc, descsz);
		break;
	case XEN_ELFNOTE_GUEST_VERSION:
		copy_string(info->guest_version, sizeof(info->guest_version), desc, descsz);
		break;
	case XEN_ELFNOTE_LOADER:
		copy_string(info->loader, sizeof(info->loader), desc, descsz);
		break;
	case XEN_ELFNOTE_FEATURES:
		return parse_features(im, info, (const char *)desc,
				      strnlen((const char *)desc, descsz));
	case XEN_ELFNOTE_HV_START_LOW:
		info->hv_start_low = v;
		break;
	case XEN_ELFNOTE_SUSPEND_CANCEL:
		info->suspend_cancel = v != 0;
		break;
	case XEN_ELFNOTE_INIT_P2M:
		info->init_p2m = v;
		break;
	case XEN_ELFNOTE_MOD_START_PFN:
		info->mod_start_pfn = v != 0;
		break;
	case XEN_ELFNOTE_SUPPORTED_FEATURES:
		/* An array of 32-bit maps; libelf reads only the first. */
		if (descsz >= 4 && descsz % 4 == 0) {
			memcpy(&bits, desc, 4);
			info->features_supported[0] |= bits;
		}
		break;
	case XEN_ELFNOTE_PHYS32_ENTRY:
		info->phys32_entry = v;
		break;
	default:
		/* PAE_MODE (32-bit only), BSD_SYMTAB, L1_MFN_VALID, PHYS32_RELOC
		 * and unknown types do not concern an x86_64 PV kernel here. */
		break;
	}
	return 0;
}

static uint64_t align4(uint64_t x)
{
	return (x + 3) & ~(uint64_t)3;
}

/* The notes in [off, off + size) of the image; what names them in errors. */
static int parse_notes(struct image *im, struct notes *n, uint64_t off, uint64_t size,
		       const char *what, unsigned int idx)
{
	uint64_t pos = 0;

	while (pos < size) {
		Elf64_Nhdr nh;
		uint64_t name_len, desc_len;
		const uint8_t *name;

		if (size - pos < sizeof(nh))
			return fail(im, "%s %u: truncated note", what, idx);
		memcpy(&nh, im->p + off + pos, sizeof(nh));
		name_len = align4(nh.n_namesz);
		desc_len = align4(nh.n_descsz);
		/* No sum below can wrap: each term is under 2^33. */
		if (size - pos - sizeof(nh) < name_len + nh.n_descsz)
			return fail(im, "%s %u: truncated note", what, idx);
		name = im->p + off + pos + sizeof(nh);
		if (nh.n_namesz >= 4 && memcmp(name, "Xen", 4) == 0) {
			n->count++;
			if (parse_note(im, n, nh.n_type, name + name_len, nh.n_descsz))
				return -1;
		}
		pos += sizeof(nh) + name_len + desc_len;
	}
	return 0;
}

static int notes_from_segments(struct image *im, struct notes *n)
{
	for (unsigned int i = 0; i < im->eh.e_phnum; i++) {
		Elf64_Phdr ph = phdr_at(im, i);

		/* Some binutils leave p_offset 0 in note segments: libelf skips them. */
		if (ph.p_type != PT_NOTE || ph.p_offset == 0)
			continue;
		if (!in_image(im, ph.p_offset, ph.p_filesz))
			return fail(im, "segment %u extends past the end of the file", i);
		if (parse_notes(im, n, ph.p_offset, ph.p_filesz, "segment", i))
			return -1;
	}
	return 0;
}

static int notes_from_sections(struct image *im, struct notes *n)
{
	for (unsigned int i = 1; i < im->eh.e_shnum; i++) {
		Elf64_Shdr sh = shdr_at(im, i);

		if (sh.sh_type != SHT_NOTE)
			continue;
		if (!in_image(im, sh.sh_offset, sh.sh_size))
			return fail(im, "section %u extends past the end of the file", i);
		if (parse_notes(im, n, sh.sh_offset, sh.sh_size, "section", i))
			return -1;
	}
	return 0;
}

/* ---- the legacy __xen_guest section ---------------------------------------- */

/* Finds the section named name; 0 with *out set, or -1 (no such section). */
static int section_by_name(struct image *im, const char *name, Elf64_Shdr *out)
{
	size_t nlen = strlen(name) + 1;
	Elf64_Shdr strtab;

	if (im->eh.e_shstrndx == SHN_UNDEF || im->eh.e_shstrndx >= im->eh.e_shnum)
		return -1;
	strtab = shdr_at(im, im->eh.e_shstrndx);
	if (strtab.sh_type == SHT_NOBITS || !in_image(im, strtab.sh_offset, strtab.sh_size))
		return -1;
	for (unsigned int i = 1; i < im->eh.e_shnum; i++) {
		Elf64_Shdr sh = shdr_at(im, i);

		if (sh.sh_name >= strtab.sh_size || strtab.sh_size - sh.sh_name < nlen)
			continue;
		if (memcmp(im->p + strtab.sh_offset + sh.sh_name, name, nlen) == 0) {
			*out = sh;
			return 0;
		}
	}
	return -1;
}

/*
 * "NAME=VALUE,NAME=VALUE,...", the form Xen kernels used before ELF notes.
 * Names and values are cut at 31 and 127 characters, as libelf does.
 */
static int parse_guest_info(struct image *im, struct notes *n, const char *s, size_t len)
{
	struct xen_elf_info *info = n->info;
	bool have_hypercall = false;
	size_t pos = 0;

	while (pos < len) {
		char name[32] = "", value[128] = "";
		size_t ilen = 0, nlen;
		const char *item = s + pos, *eq;

		while (pos + ilen < len && item[ilen] != ',')
			ilen++;
		pos += ilen + 1;
		eq = memchr(item, '=', ilen);
		nlen = eq ? (size_t)(eq - item) : ilen;
		memcpy(name, item, nlen < sizeof(name) ? nlen : sizeof(name) - 1);
		if (eq) {
			size_t vlen = ilen - nlen - 1;

			memcpy(value, eq + 1, vlen < sizeof(value) ? vlen : sizeof(value) - 1);
		}

		if (!strcmp(name, "LOADER"))
			copy_string(info->loader, sizeof(info->loader), value, sizeof(value));
		else if (!strcmp(name, "GUEST_OS"))
			copy_string(info->guest_os, sizeof(info->guest_os), value, sizeof(value));
		else if (!strcmp(name, "GUEST_VER"))
			copy_string(info->guest_version, sizeof(info->guest_version), value,
				    sizeof(value));
		else if (!strcmp(name, "XEN_VER"))
			copy_string(info->xen_version, sizeof(info->xen_version), value,
				    sizeof(value));
		else if (!strcmp(name, "VIRT_BASE")) {
			info->virt_base = strtoull(value, NULL, 0);
			n->have_virt_base = true;
		} else if (!strcmp(name, "VIRT_ENTRY")) {
			info->entry = strtoull(value, NULL, 0);
			n->have_entry = true;
		} else if (!strcmp(name, "ELF_PADDR_OFFSET")) {
			info->paddr_offset = strtoull(value, NULL, 0);
			n->have_paddr_offset = true;
		} else if (!strcmp(name, "HYPERCALL_PAGE")) {
			/* A page number relative to VIRT_BASE here, not an address. */
			info->hypercall_page = strtoull(value, NULL, 0) << 12;
			have_hypercall = true;
		} else if (!strcmp(name, "FEATURES")) {
			if (parse_features(im, info, value, strlen(value)))
				return -1;
		}
	}
	if (have_hypercall && n->have_virt_base)
		info->hypercall_page += info->virt_base;
	return 0;
}

static int legacy_guest_info(struct image *im, struct notes *n)
{
	Elf64_Shdr sh;

	if (section_by_name(im, "__xen_guest", &sh))
		return 0;
	if (sh.sh_type == SHT_NOBITS || !in_image(im, sh.sh_offset, sh.sh_size))
		return fail(im, "section __xen_guest extends past the end of the file");
	n->info->legacy_guest_info = true;
	return parse_guest_info(im, n, (const char *)im->p + sh.sh_offset,
				strnlen((const char *)im->p + sh.sh_offset, sh.sh_size));
}

/* ---- checks ------------------------------------------------------------------ */

/* What the Xen notes must say for Xen to build a PV domain U from them. */
static int check_pv_notes(struct image *im, const struct xen_elf_info *info)
{
	if (strncmp(info->loader, "generic", 7) != 0 && strncmp(info->guest_os, "linux", 5) != 0)
		return fail(
		    im, "not built for the generic loader or Linux (loader '%s', guest os '%s')",
		    info->loader, info->guest_os);
	if (strncmp(info->xen_version, "xen-3.0", 7) != 0)
		return fail(im, "not built for Xen 3.0 (xen version '%s')", info->xen_version);
	if (info->features_required[0] & (1u << XENFEAT_dom0))
		return fail(im, "kernel requires dom0: no unprivileged (domU) support");
	return 0;
}

/* Lowest p_paddr and highest p_paddr + p_memsz of the loadable segments. */
static int paddr_range(struct image *im, uint64_t *start, uint64_t *end)
{
	bool any = false;

	*start = UINT64_MAX;
	*end = 0;
	for (unsigned int i = 0; i < im->eh.e_phnum; i++) {
		Elf64_Phdr ph = phdr_at(im, i);

		if (!is_loadable(&ph))
			continue;
		if (check_loadable(im, i, &ph))
			return -1;
		any = true;
		if (ph.p_paddr < *start)
			*start = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > *end)
			*end = ph.p_paddr + ph.p_memsz;
	}
	if (!any)
		return fail(im, "no loadable segments");
	return 0;
}

static int calc_addresses(struct image *im, struct notes *n, uint64_t pstart, uint64_t pend)
{
	struct xen_elf_info *info = n->info;
	uint64_t virt_offset;

	if (n->have_paddr_offset && !n->have_virt_base)
		return fail(im, "PADDR_OFFSET set but VIRT_BASE unset");
	if (!n->have_virt_base)
		info->virt_base = 0;
	if (!n->have_paddr_offset)
		info->paddr_offset = info->legacy_guest_info ? info->virt_base : 0;
	if (!n->have_entry)
		info->entry = im->eh.e_entry;

	virt_offset = info->virt_base - info->paddr_offset;
	info->virt_kstart = pstart + virt_offset;
	info->virt_kend = pend + virt_offset;
	if (info->virt_kend - info->virt_kstart != pend - pstart ||
	    info->virt_kstart > info->virt_kend)
		return fail(im, "kernel range %#llx-%#llx wraps around",
			    (unsigned long long)info->virt_kstart,
			    (unsigned long long)info->virt_kend);
	if (info->virt_base > info->virt_kstart)
		return fail(im, "kernel starts at %#llx, below VIRT_BASE %#llx",
			    (unsigned long long)info->virt_kstart,
			    (unsigned long long)info->virt_base);
	if (info->entry < info->virt_kstart || info->entry > info->virt_kend)
		return fail(im, "entry point %#llx outside the kernel %#llx-%#llx",
			    (unsigned long long)info->entry,
			    (unsigned long long)info->virt_kstart,
			    (unsigned long long)info->virt_kend);
	if (info->init_p2m && info->init_p2m >= info->virt_kstart &&
	    info->init_p2m < info->virt_kend)
		return fail(im, "initial P2M address %#llx inside the kernel %#llx-%#llx",
			    (unsigned long long)info->init_p2m,
			    (unsigned long long)info->virt_kstart,
			    (unsigned long long)info->virt_kend);
	if (info->hypercall_page && (info->hypercall_page < info->virt_kstart ||
				     info->hypercall_page >= info->virt_kend))
		return fail(im, "hypercall page %#llx outside the kernel %#llx-%#llx",
			    (unsigned long long)info->hypercall_page,
			    (unsigned long long)info->virt_kstart,
			    (unsigned long long)info->virt_kend);
	return 0;
}

/* ---- the interface --------------------------------------------------------------- */

int xen_elf_parse(const void *img, size_t len, struct xen_elf_info *info, char *err,
		  size_t errlen)
{
	struct image im = {.p = img, .len = len, .err = err, .errlen = errlen};
	struct notes n = {.info = info};
	uint64_t pstart, pend;

	memset(info, 0, sizeof(*info));
	if (read_ehdr(&im) || paddr_range(&im, &pstart, &pend))
		return -1;

	/* Notes in segments; else in sections; else the legacy string. */
	if (notes_from_segments(&im, &n))
		return -1;
	if (!n.count && notes_from_sections(&im, &n))
		return -1;
	if (!n.count && legacy_guest_info(&im, &n))
		return -1;
	if (!n.count && !info->legacy_guest_info)
		return fail(&im, "no Xen ELF notes: not a PV kernel");

	if (check_pv_notes(&im, info) || calc_addresses(&im, &n, pstart, pend))
		return -1;
	info->pv_kernel = true;
	return 0;
}

int xen_elf_load(const void *img, size_t len, const struct xen_elf_info *info, void *dst,
		 uint64_t dst_vaddr, size_t dst_len, char *err, size_t errlen)
{
	struct image im = {.p = img, .len = len, .err = err, .errlen = errlen};
	uint64_t virt_offset = info->virt_base - info->paddr_offset;
	/* As libelf: bizarre images may write each byte of dst at most twice. */
	uint64_t budget = (uint64_t)dst_len * 2;
	uint8_t *out = dst;

	if (read_ehdr(&im))
		return -1;

	/* Check every segment first, so that a bad one leaves dst untouched. */
	for (unsigned int i = 0; i < im.eh.e_phnum; i++) {
		Elf64_Phdr ph = phdr_at(&im, i);
		uint64_t va = ph.p_paddr + virt_offset;

		if (!is_loadable(&ph))
			continue;
		if (check_loadable(&im, i, &ph))
			return -1;
		if (va < dst_vaddr || va - dst_vaddr > dst_len ||
		    ph.p_memsz > dst_len - (va - dst_vaddr))
			return fail(&im,
				    "segment %u (%#llx+%#llx) outside the destination %#llx+%#zx",
				    i, (unsigned long long)va, (unsigned long long)ph.p_memsz,
				    (unsigned long long)dst_vaddr, dst_len);
		if (ph.p_memsz > budget)
			return fail(&im, "segments add up to more than twice the destination");
		budget -= ph.p_memsz;
	}

	for (unsigned int i = 0; i < im.eh.e_phnum; i++) {
		Elf64_Phdr ph = phdr_at(&im, i);
		uint8_t *to;

		if (!is_loadable(&ph))
			continue;
		to = out + (ph.p_paddr + virt_offset - dst_vaddr);
		memcpy(to, im.p + ph.p_offset, ph.p_filesz);
		memset(to + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
	return 0;
}
