/*
 * The real thing: Debian's kernel as scripts/setup.sh unpacked it
 * (images/vmlinuz, or $XENO_KERNEL) goes through bzimage_payload,
 * xen_elf_parse and xen_elf_load, and every loadable segment is compared
 * with the ELF file read here independently. Skipped without the kernel.
 */
#include <elf.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../monitor/build/bzimage.h"
#include "../../monitor/build/elf.h"

/* Linux x86_64's __START_KERNEL_map: the VIRT_BASE every x86_64 PV Linux has. */
#define LINUX_VIRT_BASE 0xffffffff80000000ULL

struct kernel {
	void *img;
	size_t len;
};

/* $XENO_KERNEL, else images/vmlinuz of the tree this test was built in
 * (the binary is <tree>/build/tests/<name>, or build-san/). */
static int kernel_open(void **state)
{
	static struct kernel k;
	char path[PATH_MAX], exe[PATH_MAX];
	const char *env = getenv("XENO_KERNEL");
	struct stat st;
	ssize_t n;
	int fd;

	if (env) {
		snprintf(path, sizeof(path), "%s", env);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return -1;
		exe[n] = '\0';
		snprintf(path, sizeof(path), "%s/../../images/vmlinuz", dirname(exe));
	}
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		print_message("no kernel at %s (run scripts/setup.sh): skipping\n", path);
		*state = NULL;
		return 0;
	}
	if (fstat(fd, &st) != 0 || st.st_size == 0)
		return -1;
	k.len = st.st_size;
	k.img = mmap(NULL, k.len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (k.img == MAP_FAILED)
		return -1;
	*state = &k;
	return 0;
}

static int kernel_close(void **state)
{
	struct kernel *k = *state;

	if (k)
		munmap(k->img, k->len);
	return 0;
}

static void test_debian_kernel(void **state)
{
	struct kernel *k = *state;
	struct xen_elf_info info;
	char err[256] = "";
	uint8_t *elf = NULL, *dst;
	size_t elf_len = 0, n;
	Elf64_Ehdr eh;

	if (!k)
		skip();
	if (bzimage_payload(k->img, k->len, (void **)&elf, &elf_len, err, sizeof(err)) != 0)
		fail_msg("bzimage_payload: %s", err);
	assert_true(elf_len > sizeof(eh));
	assert_memory_equal(elf, ELFMAG, SELFMAG);

	if (xen_elf_parse(elf, elf_len, &info, err, sizeof(err)) != 0)
		fail_msg("xen_elf_parse: %s", err);
	assert_true(info.pv_kernel);
	assert_string_equal(info.guest_os, "linux");
	assert_string_equal(info.xen_version, "xen-3.0");
	assert_string_equal(info.loader, "generic");
	assert_int_equal(info.virt_base, LINUX_VIRT_BASE);
	assert_true(info.virt_kstart <= info.entry && info.entry < info.virt_kend);
	assert_true(info.init_p2m != 0);
	assert_true(info.init_p2m < info.virt_kstart || info.init_p2m >= info.virt_kend);
	assert_true(info.mod_start_pfn);

	n = info.virt_kend - info.virt_kstart;
	dst = malloc(n);
	assert_non_null(dst);
	memset(dst, 0xaa, n);
	if (xen_elf_load(elf, elf_len, &info, dst, info.virt_kstart, n, err, sizeof(err)) != 0)
		fail_msg("xen_elf_load: %s", err);

	/* Each PT_LOAD at p_paddr + VIRT_BASE - PADDR_OFFSET: file bytes, then zeros. */
	memcpy(&eh, elf, sizeof(eh));
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t at;

		memcpy(&ph, elf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		at = ph.p_paddr + info.virt_base - info.paddr_offset - info.virt_kstart;
		assert_true(at + ph.p_memsz <= n);
		assert_memory_equal(dst + at, elf + ph.p_offset, ph.p_filesz);
		for (uint64_t j = ph.p_filesz; j < ph.p_memsz; j++)
			assert_int_equal(dst[at + j], 0);
	}
	free(dst);
	free(elf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_debian_kernel, kernel_open, kernel_close),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
