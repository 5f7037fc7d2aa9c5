/*
 * Linux bzImage: the compressed ELF kernel inside it, as Xen's domain
 * builder extracts it (boot protocol 2.08 or later names the payload).
 */
#ifndef MONITOR_BUILD_BZIMAGE_H
#define MONITOR_BUILD_BZIMAGE_H

#include <stddef.h>

/* The largest payload bzimage_payload() decompresses (Xen's default). */
#define BZIMAGE_MAX_KERNEL (1024UL << 20)

/*
 * If img is a bzImage, decompress its payload into a malloc'd buffer that
 * the caller frees: *elf, *elf_len. Formats: gzip, xz, lzma, zstd, bzip2,
 * lzo (lzop) and lz4 (legacy frames), the ones Linux can build and Xen
 * reads. The size the kernel build appends to the payload must match what
 * decompresses, and be at most BZIMAGE_MAX_KERNEL.
 *
 * Returns 0 on success; 1 if img is not a bzImage (no "HdrS" setup
 * header): the caller uses img as it is; -1 with a readable reason in err
 * for a bzImage that cannot be used (boot protocol too old, payload outside
 * the file, unknown compression, corrupt data).
 */
int bzimage_payload(const void *img, size_t len, void **elf, size_t *elf_len, char *err,
		    size_t errlen);

#endif /* MONITOR_BUILD_BZIMAGE_H */
