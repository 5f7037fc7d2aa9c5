/*
 * The Xen PV kernel loader on ELF images built here in memory: a kernel
 * laid out like Linux's (notes, text, data with bss), its variants (notes
 * in sections, the legacy __xen_guest string), and malformed images, each
 * of which must be refused with its reason and without reading or writing
 * out of bounds.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/elfnote.h>
#include <xen/features.h>

#include "../../monitor/build/elf.h"

#define VIRT_BASE 0xffffffff80000000ULL
#define TEXT_PADDR 0x1000000ULL	/* segment 0: text, file offset TEXT_OFF */
#define TEXT_OFF 0x1000
#define TEXT_SIZE 0x1000
#define DATA_PADDR 0x1003000ULL	/* segment 1: data + bss, a page after a gap */
#define DATA_OFF 0x2000
#define DATA_FILESZ 0x800
#define DATA_MEMSZ 0x1800
#define NOTE_OFF 0x200		/* segment 2: PT_NOTE */
#define NOTE_MAX 0xe00
#define SHDR_OFF 0x3000		/* section headers, then their names */
#define IMG_SIZE 0x4000

#define KSTART (VIRT_BASE + TEXT_PADDR)
#define KEND (VIRT_BASE + DATA_PADDR + DATA_MEMSZ)
#define ENTRY (KSTART + 0x10)

struct img {
	uint8_t b[IMG_SIZE];
	size_t len;
	size_t notes_len;	/* bytes used at NOTE_OFF */
};

static Elf64_Ehdr *ehdr(struct img *im)
{
	return (Elf64_Ehdr *)im->b;
}

static Elf64_Phdr *phdr(struct img *im, unsigned int i)
{
	return (Elf64_Phdr *)(im->b + sizeof(Elf64_Ehdr)) + i;
}

static Elf64_Shdr *shdr(struct img *im, unsigned int i)
{
	return (Elf64_Shdr *)(im->b + SHDR_OFF) + i;
}

/* A kernel with two loadable segments and an empty note segment. */
static void img_bare(struct img *im)
{
	Elf64_Ehdr *e = ehdr(im);

	memset(im, 0, sizeof(*im));
	im->len = IMG_SIZE;
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = TEXT_PADDR; /* Linux's e_entry is physical: the notes give the real one */
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 3;

	*phdr(im, 0) = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
				    .p_offset = TEXT_OFF, .p_vaddr = VIRT_BASE + TEXT_PADDR,
				    .p_paddr = TEXT_PADDR, .p_filesz = TEXT_SIZE,
				    .p_memsz = TEXT_SIZE, .p_align = 0x1000};
	*phdr(im, 1) = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W,
				    .p_offset = DATA_OFF, .p_vaddr = VIRT_BASE + DATA_PADDR,
				    .p_paddr = DATA_PADDR, .p_filesz = DATA_FILESZ,
				    .p_memsz = DATA_MEMSZ, .p_align = 0x1000};
	*phdr(im, 2) = (Elf64_Phdr){.p_type = PT_NOTE, .p_flags = PF_R, .p_offset = NOTE_OFF,
				    .p_align = 4};
	for (unsigned int i = 0; i < TEXT_SIZE; i++)
		im->b[TEXT_OFF + i] = (uint8_t)(i * 7 + 1);
	for (unsigned int i = 0; i < DATA_FILESZ; i++)
		im->b[DATA_OFF + i] = (uint8_t)(i * 13 + 5);
}

static void note_add(struct img *im, const char *owner, uint32_t type, const void *desc,
		     uint32_t descsz)
{
	Elf64_Nhdr nh = {.n_namesz = strlen(owner) + 1, .n_descsz = descsz, .n_type = type};
	size_t at = NOTE_OFF + im->notes_len;
	size_t name_len = (nh.n_namesz + 3) & ~3u, desc_len = (descsz + 3) & ~3u;

	assert_true(im->notes_len + sizeof(nh) + name_len + desc_len <= NOTE_MAX);
	memcpy(im->b + at, &nh, sizeof(nh));
	memcpy(im->b + at + sizeof(nh), owner, nh.n_namesz);
	memcpy(im->b + at + sizeof(nh) + name_len, desc, descsz);
	im->notes_len += sizeof(nh) + name_len + desc_len;
	phdr(im, 2)->p_filesz = im->notes_len;
	phdr(im, 2)->p_memsz = im->notes_len;
}

static void note_u64(struct img *im, uint32_t type, uint64_t v)
{
	note_add(im, "Xen", type, &v, 8);
}

static void note_str(struct img *im, uint32_t type, const char *s)
{
	note_add(im, "Xen", type, s, strlen(s) + 1);
}

/* The notes a Linux x86_64 PV kernel carries, with a hypercall page. */
static void img_linux(struct img *im)
{
	uint32_t supported = 1u << XENFEAT_dom0 | 1u << XENFEAT_hvm_callback_vector;

	img_bare(im);
	note_str(im, XEN_ELFNOTE_GUEST_OS, "linux");
	note_str(im, XEN_ELFNOTE_GUEST_VERSION, "2.6");
	note_str(im, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
	note_u64(im, XEN_ELFNOTE_VIRT_BASE, VIRT_BASE);
	note_u64(im, XEN_ELFNOTE_INIT_P2M, 0x8000000000ULL);
	note_u64(im, XEN_ELFNOTE_ENTRY, ENTRY);
	note_u64(im, XEN_ELFNOTE_HYPERCALL_PAGE, KSTART + 0x0);
	note_str(im, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");
	note_add(im, "Xen", XEN_ELFNOTE_SUPPORTED_FEATURES, &supported, 4);
	note_str(im, XEN_ELFNOTE_PAE_MODE, "yes");
	note_str(im, XEN_ELFNOTE_LOADER, "generic");
	note_u64(im, XEN_ELFNOTE_SUSPEND_CANCEL, 1);
	note_add(im, "Xen", XEN_ELFNOTE_MOD_START_PFN, &(uint32_t){1}, 4);
	note_u64(im, XEN_ELFNOTE_HV_START_LOW, 0xffff800000000000ULL);
	note_u64(im, XEN_ELFNOTE_PADDR_OFFSET, 0);
	note_add(im, "GNU", NT_GNU_BUILD_ID, "0123456789abcdefghij", 20);
	note_add(im, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &(uint32_t){0x1000050}, 4);
}

/* Section headers: [0] null, [1] name/type/contents given, [2] .shstrtab. */
static void img_sections(struct img *im, const char *name, uint32_t type, uint64_t off,
			 uint64_t size)
{
	Elf64_Ehdr *e = ehdr(im);
	size_t strtab = SHDR_OFF + 3 * sizeof(Elf64_Shdr);
	char names[64] = "";
	size_t nlen = strlen(name) + 1;

	memcpy(names + 1, name, nlen);
	memcpy(names + 1 + nlen, ".shstrtab", 10);
	memcpy(im->b + strtab, names, sizeof(names));
	e->e_shoff = SHDR_OFF;
	e->e_shentsize = sizeof(Elf64_Shdr);
	e->e_shnum = 3;
	e->e_shstrndx = 2;
	memset(shdr(im, 0), 0, sizeof(Elf64_Shdr));
	*shdr(im, 1) = (Elf64_Shdr){.sh_name = 1, .sh_type = type, .sh_offset = off,
				    .sh_size = size};
	*shdr(im, 2) = (Elf64_Shdr){.sh_name = 1 + nlen, .sh_type = SHT_STRTAB,
				    .sh_offset = strtab, .sh_size = sizeof(names)};
}

static int parse(struct img *im, struct xen_elf_info *info, char *err, size_t errlen)
{
	return xen_elf_parse(im->b, im->len, info, err, errlen);
}

/* Parse must fail, and say why. */
static void refused(struct img *im, const char *reason)
{
	struct xen_elf_info info;
	char err[200] = "";

	assert_int_equal(parse(im, &info, err, sizeof(err)), -1);
	if (!strstr(err, reason))
		fail_msg("error \"%s\" lacks \"%s\"", err, reason);
}

/* ---- good images ------------------------------------------------------------ */

static void test_linux_notes(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";

	(void)state;
	img_linux(&im);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	assert_true(info.pv_kernel);
	assert_false(info.legacy_guest_info);
	assert_int_equal(info.virt_base, VIRT_BASE);
	assert_int_equal(info.paddr_offset, 0);
	assert_int_equal(info.entry, ENTRY);
	assert_int_equal(info.hypercall_page, KSTART);
	assert_int_equal(info.init_p2m, 0x8000000000ULL);
	assert_true(info.mod_start_pfn);
	assert_true(info.suspend_cancel);
	assert_int_equal(info.hv_start_low, 0xffff800000000000ULL);
	assert_int_equal(info.virt_kstart, KSTART);
	assert_int_equal(info.virt_kend, KEND);
	assert_int_equal(info.phys32_entry, 0x1000050);
	assert_string_equal(info.guest_os, "linux");
	assert_string_equal(info.guest_version, "2.6");
	assert_string_equal(info.xen_version, "xen-3.0");
	assert_string_equal(info.loader, "generic");
	/* '!' marks required, and required is also supported; the numeric
	 * note adds to the supported set. */
	assert_int_equal(info.features_required[0], 1u << XENFEAT_writable_page_tables);
	assert_int_equal(info.features_supported[0],
			 1u << XENFEAT_writable_page_tables | 1u << XENFEAT_pae_pgdir_above_4gb |
				 1u << XENFEAT_dom0 | 1u << XENFEAT_hvm_callback_vector);
}

static void test_load(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";
	size_t n = KEND - KSTART + 0x1000;
	uint8_t *dst = malloc(n);

	(void)state;
	img_linux(&im);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	memset(dst, 0xaa, n);
	assert_int_equal(xen_elf_load(im.b, im.len, &info, dst, KSTART, n, err, sizeof(err)), 0);
	assert_memory_equal(dst, im.b + TEXT_OFF, TEXT_SIZE);
	/* The gap between the segments and the space after them are untouched. */
	for (uint64_t a = KSTART + TEXT_SIZE; a < VIRT_BASE + DATA_PADDR; a++)
		assert_int_equal(dst[a - KSTART], 0xaa);
	assert_memory_equal(dst + (VIRT_BASE + DATA_PADDR - KSTART), im.b + DATA_OFF, DATA_FILESZ);
	for (uint64_t a = VIRT_BASE + DATA_PADDR + DATA_FILESZ; a < KEND; a++)
		assert_int_equal(dst[a - KSTART], 0);
	for (uint64_t a = KEND; a < KSTART + n; a++)
		assert_int_equal(dst[a - KSTART], 0xaa);
	free(dst);
}

/* Segments land at p_paddr moved by virt_base - paddr_offset, whatever
 * p_vaddr says (Linux's per-CPU segment has p_vaddr 0). */
static void test_load_uses_paddr(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";
	size_t n = KEND - KSTART;
	uint8_t *dst = calloc(1, n);

	(void)state;
	img_linux(&im);
	phdr(&im, 1)->p_vaddr = 0;
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	assert_int_equal(info.virt_kend, KEND);
	assert_int_equal(xen_elf_load(im.b, im.len, &info, dst, KSTART, n, err, sizeof(err)), 0);
	assert_memory_equal(dst + (DATA_PADDR - TEXT_PADDR), im.b + DATA_OFF, DATA_FILESZ);
	free(dst);
}

static void test_entry_defaults_to_e_entry(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";

	(void)state;
	img_bare(&im);
	ehdr(&im)->e_entry = KSTART + 0x40;
	note_str(&im, XEN_ELFNOTE_LOADER, "generic");
	note_str(&im, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
	note_u64(&im, XEN_ELFNOTE_VIRT_BASE, VIRT_BASE);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	assert_int_equal(info.entry, KSTART + 0x40);
	assert_int_equal(info.hypercall_page, 0);
	assert_int_equal(info.init_p2m, 0);
	assert_false(info.mod_start_pfn);
}

/* Older kernels put virtual addresses in p_paddr and say so. */
static void test_paddr_offset(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";

	(void)state;
	img_linux(&im);
	phdr(&im, 0)->p_paddr += VIRT_BASE;
	phdr(&im, 1)->p_paddr += VIRT_BASE;
	assert_int_equal(parse(&im, &info, err, sizeof(err)), -1); /* PADDR_OFFSET note says 0 */

	img_bare(&im);
	phdr(&im, 0)->p_paddr += VIRT_BASE;
	phdr(&im, 1)->p_paddr += VIRT_BASE;
	note_str(&im, XEN_ELFNOTE_GUEST_OS, "linux");
	note_str(&im, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
	note_u64(&im, XEN_ELFNOTE_VIRT_BASE, VIRT_BASE);
	note_u64(&im, XEN_ELFNOTE_PADDR_OFFSET, VIRT_BASE);
	note_u64(&im, XEN_ELFNOTE_ENTRY, ENTRY);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	assert_int_equal(info.paddr_offset, VIRT_BASE);
	assert_int_equal(info.virt_kstart, KSTART);
	assert_int_equal(info.virt_kend, KEND);
}

/* Numeric notes may be 1, 2, 4 or 8 bytes; other sizes read as 0. */
static void test_numeric_note_sizes(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";

	(void)state;
	img_linux(&im);
	note_add(&im, "Xen", XEN_ELFNOTE_INIT_P2M, &(uint16_t){0x1234}, 2);
	note_add(&im, "Xen", XEN_ELFNOTE_HV_START_LOW, "\x01\x02\x03", 3);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	assert_int_equal(info.init_p2m, 0x1234);
	assert_int_equal(info.hv_start_low, 0);
}

static void test_notes_in_sections(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";

	(void)state;
	img_linux(&im);
	phdr(&im, 2)->p_type = PT_NULL;
	refused(&im, "no Xen ELF notes");
	img_sections(&im, ".note.Xen", SHT_NOTE, NOTE_OFF, im.notes_len);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	assert_int_equal(info.entry, ENTRY);
	assert_string_equal(info.guest_os, "linux");
}

/* Sections are read only when the note segments held no Xen note. */
static void test_segment_notes_first(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";
	size_t before;

	(void)state;
	img_linux(&im);
	before = im.notes_len;
	note_str(&im, XEN_ELFNOTE_GUEST_VERSION, "from-section");
	/* The segment covers the Linux notes only; the section only the last. */
	phdr(&im, 2)->p_filesz = before;
	img_sections(&im, ".note.Xen", SHT_NOTE, NOTE_OFF + before, im.notes_len - before);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	assert_string_equal(info.guest_version, "2.6");
}

/* Some binutils leave p_offset 0 in note segments: such a segment is skipped. */
static void test_note_segment_at_offset_zero(void **state)
{
	struct img im;

	(void)state;
	img_linux(&im);
	phdr(&im, 2)->p_offset = 0;
	refused(&im, "no Xen ELF notes");
}

static void test_legacy_guest_info(void **state)
{
	const char *s = "GUEST_OS=linux,GUEST_VER=2.6,XEN_VER=xen-3.0,VIRT_BASE=0xffffffff80000000,"
			"VIRT_ENTRY=0xffffffff81000020,HYPERCALL_PAGE=0x1001,LOADER=generic,"
			"FEATURES=writable_page_tables|!pae_pgdir_above_4gb,UNKNOWN=1,NOVALUE";
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";

	(void)state;
	img_bare(&im);
	/* Legacy kernels: p_paddr holds virtual addresses, PADDR_OFFSET defaults to VIRT_BASE. */
	phdr(&im, 0)->p_paddr += VIRT_BASE;
	phdr(&im, 1)->p_paddr += VIRT_BASE;
	phdr(&im, 2)->p_type = PT_NULL;
	memcpy(im.b + NOTE_OFF, s, strlen(s) + 1);
	img_sections(&im, "__xen_guest", SHT_PROGBITS, NOTE_OFF, strlen(s) + 1);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	assert_true(info.legacy_guest_info);
	assert_int_equal(info.virt_base, VIRT_BASE);
	assert_int_equal(info.paddr_offset, VIRT_BASE);
	assert_int_equal(info.virt_kstart, KSTART);
	assert_int_equal(info.entry, 0xffffffff81000020ULL);
	/* A page number relative to VIRT_BASE. */
	assert_int_equal(info.hypercall_page, VIRT_BASE + 0x1001000);
	assert_string_equal(info.guest_os, "linux");
	assert_string_equal(info.guest_version, "2.6");
	assert_string_equal(info.xen_version, "xen-3.0");
	assert_string_equal(info.loader, "generic");
	assert_int_equal(info.features_supported[0],
			 1u << XENFEAT_writable_page_tables | 1u << XENFEAT_pae_pgdir_above_4gb);
	assert_int_equal(info.features_required[0], 1u << XENFEAT_pae_pgdir_above_4gb);
}

static void test_features(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";

	(void)state;
	img_bare(&im);
	note_str(&im, XEN_ELFNOTE_LOADER, "generic");
	note_str(&im, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
	note_u64(&im, XEN_ELFNOTE_ENTRY, TEXT_PADDR);
	note_str(&im, XEN_ELFNOTE_FEATURES,
		 "writable_descriptor_tables|!auto_translated_physmap||no_such_feature|"
		 "hvm_callback_vector|supervisor_mode_kernel_x|!supervisor_mode_kernel");
	note_add(&im, "Xen", XEN_ELFNOTE_SUPPORTED_FEATURES, &(uint32_t[2]){1u << 20, 1}, 8);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	assert_int_equal(info.features_supported[0],
			 1u << XENFEAT_writable_descriptor_tables |
				 1u << XENFEAT_auto_translated_physmap |
				 1u << XENFEAT_hvm_callback_vector |
				 1u << XENFEAT_supervisor_mode_kernel | 1u << 20);
	assert_int_equal(info.features_required[0], 1u << XENFEAT_auto_translated_physmap |
							     1u << XENFEAT_supervisor_mode_kernel);
	/* No VIRT_BASE: 0, and p_paddr are the virtual addresses. */
	assert_int_equal(info.virt_base, 0);
	assert_int_equal(info.virt_kstart, TEXT_PADDR);
}

/* ---- refused images ----------------------------------------------------------- */

static void test_not_elf(void **state)
{
	struct img im;

	(void)state;
	img_linux(&im);
	im.b[1] = 'X';
	refused(&im, "not an ELF file");
	img_linux(&im);
	im.len = 3;
	refused(&im, "not an ELF file");
	img_linux(&im);
	im.len = 40;
	refused(&im, "ELF header truncated");
	img_linux(&im);
	im.b[EI_CLASS] = ELFCLASS32;
	refused(&im, "not a 64-bit ELF file");
	img_linux(&im);
	im.b[EI_DATA] = ELFDATA2MSB;
	refused(&im, "not a little-endian ELF file");
	img_linux(&im);
	ehdr(&im)->e_machine = EM_386;
	refused(&im, "not x86_64");
}

static void test_bad_headers(void **state)
{
	struct img im;

	(void)state;
	img_linux(&im);
	ehdr(&im)->e_phentsize = 32;
	refused(&im, "program header size");
	img_linux(&im);
	ehdr(&im)->e_phoff = UINT64_MAX - 8;
	refused(&im, "program headers extend past the end of the file");
	img_linux(&im);
	ehdr(&im)->e_phnum = 0xffff;
	refused(&im, "program headers extend past the end of the file");
	img_linux(&im);
	im.len = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);
	refused(&im, "program headers extend past the end of the file");
	img_linux(&im);
	img_sections(&im, ".note", SHT_NOTE, 0, 0);
	ehdr(&im)->e_shoff = IMG_SIZE - sizeof(Elf64_Shdr);
	refused(&im, "section headers extend past the end of the file");
	img_linux(&im);
	img_sections(&im, ".note", SHT_NOTE, 0, 0);
	ehdr(&im)->e_shentsize = 40;
	refused(&im, "section header size");
}

static void test_bad_segments(void **state)
{
	struct img im;

	(void)state;
	img_linux(&im);
	phdr(&im, 1)->p_offset = IMG_SIZE - 0x10;
	refused(&im, "segment 1 extends past the end of the file");
	img_linux(&im);
	phdr(&im, 0)->p_filesz = UINT64_MAX - 0x800;
	phdr(&im, 0)->p_memsz = UINT64_MAX;
	refused(&im, "segment 0 extends past the end of the file");
	img_linux(&im);
	phdr(&im, 1)->p_filesz = DATA_MEMSZ + 1;
	refused(&im, "segment 1: file size 0x1801 larger than memory size 0x1800");
	img_linux(&im);
	phdr(&im, 1)->p_paddr = UINT64_MAX - 0x100;
	refused(&im, "segment 1: address range wraps around");
	img_linux(&im);
	phdr(&im, 0)->p_type = PT_NULL;
	phdr(&im, 1)->p_flags = 0; /* libelf loads only R, W or X segments */
	refused(&im, "no loadable segments");
	img_linux(&im);
	phdr(&im, 2)->p_filesz = IMG_SIZE;
	refused(&im, "segment 2 extends past the end of the file");
}

static void test_bad_notes(void **state)
{
	struct img im;
	Elf64_Nhdr *first = NULL;

	(void)state;
	img_linux(&im);
	first = (Elf64_Nhdr *)(im.b + NOTE_OFF);
	first->n_namesz = 0xfffffffe;
	refused(&im, "segment 2: truncated note");
	img_linux(&im);
	first->n_descsz = 0xffffffff;
	refused(&im, "segment 2: truncated note");
	img_linux(&im);
	phdr(&im, 2)->p_filesz -= 4; /* cuts the last note's descriptor */
	refused(&im, "segment 2: truncated note");
	img_linux(&im);
	phdr(&im, 2)->p_filesz = im.notes_len + 8; /* 8 bytes of a note header */
	refused(&im, "segment 2: truncated note");

	img_bare(&im);
	note_add(&im, "GNU", NT_GNU_BUILD_ID, "01234567", 8);
	note_add(&im, "Xe", XEN_ELFNOTE_ENTRY, &(uint64_t){ENTRY}, 8);
	note_add(&im, "XenX", XEN_ELFNOTE_ENTRY, &(uint64_t){ENTRY}, 8);
	refused(&im, "no Xen ELF notes: not a PV kernel");
}

static void test_not_for_pv(void **state)
{
	struct img im;

	(void)state;
	img_bare(&im);
	note_str(&im, XEN_ELFNOTE_GUEST_OS, "netbsd");
	note_str(&im, XEN_ELFNOTE_LOADER, "bsdloader");
	note_str(&im, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
	refused(
	    &im,
	    "not built for the generic loader or Linux (loader 'bsdloader', guest os 'netbsd')");

	img_bare(&im);
	note_str(&im, XEN_ELFNOTE_GUEST_OS, "linux");
	note_str(&im, XEN_ELFNOTE_XEN_VERSION, "xen-4.0");
	refused(&im, "not built for Xen 3.0");

	img_bare(&im);
	note_str(&im, XEN_ELFNOTE_GUEST_OS, "linux");
	refused(&im, "not built for Xen 3.0 (xen version '')");

	img_linux(&im);
	note_str(&im, XEN_ELFNOTE_FEATURES, "writable_page_tables|!no_such_feature");
	refused(&im, "kernel requires unknown feature 'no_such_feature'");

	img_linux(&im);
	note_str(&im, XEN_ELFNOTE_FEATURES, "!");
	refused(&im, "kernel requires unknown feature ''");

	img_linux(&im);
	note_str(&im, XEN_ELFNOTE_FEATURES, "!dom0");
	refused(&im, "kernel requires dom0");
}

static void test_bad_addresses(void **state)
{
	struct img im;

	(void)state;
	img_bare(&im);
	note_str(&im, XEN_ELFNOTE_LOADER, "generic");
	note_str(&im, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
	note_u64(&im, XEN_ELFNOTE_PADDR_OFFSET, 0);
	refused(&im, "PADDR_OFFSET set but VIRT_BASE unset");

	img_linux(&im);
	note_u64(&im, XEN_ELFNOTE_ENTRY, KEND + 1);
	refused(&im, "entry point 0xffffffff81004801 outside the kernel");
	img_linux(&im);
	note_u64(&im, XEN_ELFNOTE_ENTRY, KSTART - 1);
	refused(&im, "entry point");
	img_linux(&im);
	note_u64(&im, XEN_ELFNOTE_PADDR_OFFSET, 0x2000000);
	refused(&im, "below VIRT_BASE");
	img_linux(&im);
	note_u64(&im, XEN_ELFNOTE_INIT_P2M, KSTART + 0x100);
	refused(&im, "initial P2M address");
	img_linux(&im);
	note_u64(&im, XEN_ELFNOTE_HYPERCALL_PAGE, KEND);
	refused(&im, "hypercall page 0xffffffff81004800 outside the kernel");
	img_linux(&im);
	note_u64(&im, XEN_ELFNOTE_VIRT_BASE, 0xfffffffffeffe000ULL); /* kend passes 2^64 */
	refused(&im, "wraps around");
}

/* ---- loading ---------------------------------------------------------------------- */

static void test_load_refusals(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[200] = "";
	size_t n = KEND - KSTART;
	uint8_t *dst = malloc(n);

	(void)state;
	img_linux(&im);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	memset(dst, 0xaa, n);

	/* One byte short at the end: segment 1 is refused, and nothing is
	 * written, not even segment 0. */
	assert_int_equal(xen_elf_load(im.b, im.len, &info, dst, KSTART, n - 1, err, sizeof(err)),
			 -1);
	assert_non_null(
	    strstr(err, "segment 1 (0xffffffff81003000+0x1800) outside the destination"));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(dst[i], 0xaa);
	/* Starting one byte late. */
	assert_int_equal(xen_elf_load(im.b, im.len, &info, dst, KSTART + 1, n, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "segment 0"));
	/* A destination above the image: va - dst_vaddr wraps. */
	assert_int_equal(xen_elf_load(im.b, im.len, &info, dst, UINT64_MAX - 10, n, err,
				      sizeof(err)),
			 -1);
	/* An image changed since it was parsed is checked again. */
	phdr(&im, 1)->p_offset = IMG_SIZE;
	assert_int_equal(xen_elf_load(im.b, im.len, &info, dst, KSTART, n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "segment 1 extends past the end of the file"));

	/* As libelf: segments writing more than twice the destination are refused. */
	img_linux(&im);
	assert_int_equal(parse(&im, &info, err, sizeof(err)), 0);
	phdr(&im, 0)->p_type = PT_NULL;
	*phdr(&im, 2) = *phdr(&im, 1);
	ehdr(&im)->e_phnum = 5;
	*phdr(&im, 3) = *phdr(&im, 1);
	*phdr(&im, 4) = *phdr(&im, 1);
	assert_int_equal(xen_elf_load(im.b, im.len, &info, dst, VIRT_BASE + DATA_PADDR, DATA_MEMSZ,
				      err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "twice the destination"));
	free(dst);
}

static void test_error_buffer(void **state)
{
	struct xen_elf_info info;
	struct img im;
	char err[8];

	(void)state;
	img_linux(&im);
	im.b[0] = 0;
	assert_int_equal(xen_elf_parse(im.b, im.len, &info, NULL, 0), -1);
	memset(err, 'x', sizeof(err));
	assert_int_equal(xen_elf_parse(im.b, im.len, &info, err, sizeof(err)), -1);
	assert_string_equal(err, "not an ");
}

/*
 * Corrupt the headers and notes at random (seeded, so reproducible): every
 * result must be a clean refusal or an image whose numbers hold together
 * and that loads into the range it claims. Run under `make SAN=1` this
 * also checks every access.
 */
static void test_random_corruption(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned int accepted = 0;
	struct img good, im;

	(void)state;
	img_linux(&good);
	img_sections(&good, ".note.Xen", SHT_NOTE, NOTE_OFF, good.notes_len);
	for (int iter = 0; iter < 20000; iter++) {
		struct xen_elf_info info;
		char err[200];
		int flips;

		im = good;
		err[0] = '\0';
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		flips = 1 + seed % 8;
		for (int f = 0; f < flips; f++) {
			size_t at;

			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			/* Mostly the headers and notes; sometimes the section table. */
			at = seed % 8 ? (seed >> 8) % (NOTE_OFF + good.notes_len)
				      : SHDR_OFF + (seed >> 8) % 0x100;
			im.b[at] = (uint8_t)(seed >> 32);
		}
		if (xen_elf_parse(im.b, im.len, &info, err, sizeof(err)) != 0) {
			assert_true(strlen(err) > 0);
			continue;
		}
		accepted++;
		assert_true(info.virt_kstart <= info.entry && info.entry <= info.virt_kend);
		assert_true(info.virt_base <= info.virt_kstart);
		if (info.virt_kend - info.virt_kstart <= (1u << 20)) {
			size_t n = info.virt_kend - info.virt_kstart;
			uint8_t *dst = malloc(n ? n : 1);

			assert_int_equal(xen_elf_load(im.b, im.len, &info, dst, info.virt_kstart, n,
						      err, sizeof(err)),
					 0);
			free(dst);
		}
	}
	/* Many corruptions hit bytes that do not matter. */
	assert_true(accepted > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_notes),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_uses_paddr),
		cmocka_unit_test(test_entry_defaults_to_e_entry),
		cmocka_unit_test(test_paddr_offset),
		cmocka_unit_test(test_numeric_note_sizes),
		cmocka_unit_test(test_notes_in_sections),
		cmocka_unit_test(test_segment_notes_first),
		cmocka_unit_test(test_note_segment_at_offset_zero),
		cmocka_unit_test(test_legacy_guest_info),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_segments),
		cmocka_unit_test(test_bad_notes),
		cmocka_unit_test(test_not_for_pv),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_load_refusals),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_random_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
