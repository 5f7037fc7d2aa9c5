/*
 * libFuzzer: the Xen PV kernel loader on arbitrary bytes. Whatever
 * xen_elf_parse() accepts must hold together (entry inside the image,
 * VIRT_BASE at or below it) and load into the range it reports; one byte
 * less must be refused without writing.
 *
 *   make guests fuzz && mkdir -p /tmp/elf-corpus
 *   build/fuzz/fuzz_monitor_elf /tmp/elf-corpus build/guests
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../monitor/build/elf.h"

/* Larger images are parsed but not loaded, to keep each run fast. */
#define MAX_LOAD (16u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xen_elf_info info;
	char err[128];
	uint8_t *dst;
	size_t n;

	if (xen_elf_parse(data, size, &info, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			__builtin_trap();	/* every refusal says why */
		return 0;
	}
	if (!info.pv_kernel || info.entry < info.virt_kstart || info.entry > info.virt_kend ||
	    info.virt_base > info.virt_kstart)
		__builtin_trap();

	n = info.virt_kend - info.virt_kstart;
	if (n > MAX_LOAD)
		return 0;
	dst = malloc(n + 1);
	if (!dst)
		return 0;
	/* Every segment lies in [virt_kstart, virt_kend): only libelf's limit
	 * on overlapping segments (twice the destination) may refuse. */
	if (xen_elf_load(data, size, &info, dst, info.virt_kstart, n, err, sizeof(err)) != 0 &&
	    !strstr(err, "twice the destination"))
		__builtin_trap();
	/* The highest segment ends at virt_kend: one byte less cannot hold it. */
	if (n > 0) {
		memset(dst, 0x5a, n);
		if (xen_elf_load(data, size, &info, dst, info.virt_kstart, n - 1, err,
				 sizeof(err)) == 0)
			__builtin_trap();
		for (size_t i = 0; i < n; i++)
			if (dst[i] != 0x5a)
				__builtin_trap();
	}
	free(dst);
	return 0;
}
