/*
 * Linux bzImage: find the payload that the setup header (boot protocol
 * 2.08+) names and decompress it with Debian's libraries.
 *
 * Every format Linux builds appends the decompressed size as 4 little-endian
 * bytes after the compressed stream (for gzip, the same bytes are the gzip
 * trailer's ISIZE). That size sets the output buffer; decompression must
 * fill it exactly.
 */
#include <bzlib.h>
#include <limits.h>
#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "bzimage.h"

/* Offsets in the real-mode setup header (Linux boot protocol). */
#define SETUP_SECTS 0x1f1
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define PAYLOAD_OFFSET 0x248
#define PAYLOAD_LENGTH 0x24c
#define SETUP_HEADER_END 0x250

/* xz and lzma decoders may use this much memory (Linux uses 32 MiB dictionaries). */
#define XZ_MEMLIMIT (256ULL << 20)

struct payload {
	const uint8_t *in;
	size_t inlen;	/* the compressed stream and the 4-byte size after it */
	uint8_t *out;
	size_t outlen;	/* the size the kernel build recorded */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct payload *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int too_big(struct payload *p, const char *fmt)
{
	return fail(p, "%s: decompresses to more than the %zu bytes the bzImage states", fmt,
		    p->outlen);
}

static int check_produced(struct payload *p, const char *fmt, size_t produced)
{
	if (produced != p->outlen)
		return fail(p, "%s: decompressed %zu bytes, the bzImage states %zu", fmt, produced,
			    p->outlen);
	return 0;
}

static uint32_t le32(const uint8_t *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

/* ---- gzip (zlib) ------------------------------------------------------------ */

static int gunzip(struct payload *p)
{
	z_stream s = {0};
	int rc, ret = -1;

	/* 16 + MAX_WBITS: a gzip stream only. */
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return fail(p, "gzip: zlib failed to initialise");
	s.next_in = (Bytef *)p->in;
	s.avail_in = p->inlen;
	s.next_out = p->out;
	s.avail_out = p->outlen;
	rc = inflate(&s, Z_FINISH);
	if (rc == Z_STREAM_END)
		ret = check_produced(p, "gzip", s.total_out);
	else if (rc == Z_BUF_ERROR && s.avail_out == 0)
		ret = too_big(p, "gzip");
	else if (rc == Z_BUF_ERROR)
		ret = fail(p, "gzip: data truncated");
	else
		ret = fail(p, "gzip: corrupt data (%s)", s.msg ? s.msg : "zlib error");
	inflateEnd(&s);
	return ret;
}

/* ---- xz and lzma (liblzma) ----------------------------------------------------- */

static int unxz_or_unlzma(struct payload *p, bool xz)
{
	const char *fmt = xz ? "xz" : "lzma";
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret rc;
	int ret;

	rc = xz ? lzma_stream_decoder(&s, XZ_MEMLIMIT, 0) : lzma_alone_decoder(&s, XZ_MEMLIMIT);
	if (rc != LZMA_OK)
		return fail(p, "%s: liblzma failed to initialise (%d)", fmt, rc);
	s.next_in = p->in;
	s.avail_in = p->inlen;
	s.next_out = p->out;
	s.avail_out = p->outlen;
	/* LZMA_BUF_ERROR ends the loop once no progress is possible. */
	do
		rc = lzma_code(&s, LZMA_FINISH);
	while (rc == LZMA_OK);

	if (rc == LZMA_STREAM_END)
		ret = check_produced(p, fmt, s.total_out);
	else if (rc == LZMA_BUF_ERROR && s.avail_out == 0)
		ret = too_big(p, fmt);
	else if (rc == LZMA_BUF_ERROR)
		ret = fail(p, "%s: data truncated", fmt);
	else if (rc == LZMA_MEMLIMIT_ERROR)
		ret = fail(p, "%s: needs more than %llu MiB to decompress", fmt, XZ_MEMLIMIT >> 20);
	else
		ret = fail(p, "%s: corrupt data (liblzma error %d)", fmt, rc);
	lzma_end(&s);
	return ret;
}

static int unxz(struct payload *p)
{
	return unxz_or_unlzma(p, true);
}

static int unlzma(struct payload *p)
{
	return unxz_or_unlzma(p, false);
}

/* ---- zstd ---------------------------------------------------------------------- */

static int unzstd(struct payload *p)
{
	/* One shot into the whole output: the frame must end where the size begins. */
	size_t r = ZSTD_decompress(p->out, p->outlen, p->in, p->inlen - 4);

	if (ZSTD_isError(r)) {
		if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall)
			return too_big(p, "zstd");
		return fail(p, "zstd: corrupt data (%s)", ZSTD_getErrorName(r));
	}
	return check_produced(p, "zstd", r);
}

/* ---- bzip2 ----------------------------------------------------------------------- */

static int bunzip2(struct payload *p)
{
	bz_stream s = {0};
	unsigned int in_before, out_before;
	int rc, ret;

	if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK)
		return fail(p, "bzip2: libbz2 failed to initialise");
	s.next_in = (char *)p->in;
	s.avail_in = p->inlen;
	s.next_out = (char *)p->out;
	s.avail_out = p->outlen;
	/* bzip2 holds decoded blocks inside: call until it ends or stalls. */
	do {
		in_before = s.avail_in;
		out_before = s.avail_out;
		rc = BZ2_bzDecompress(&s);
	} while (rc == BZ_OK && (s.avail_in != in_before || s.avail_out != out_before));

	if (rc == BZ_STREAM_END)
		ret = check_produced(p, "bzip2", p->outlen - s.avail_out);
	else if (rc == BZ_OK && s.avail_out == 0)
		ret = too_big(p, "bzip2");
	else if (rc == BZ_OK)
		ret = fail(p, "bzip2: data truncated");
	else
		ret = fail(p, "bzip2: corrupt data (libbz2 error %d)", rc);
	BZ2_bzDecompressEnd(&s);
	return ret;
}

/* ---- lz4, legacy frames ----------------------------------------------------------- */

#define LZ4_LEGACY_MAGIC 0x184c2102

/* The magic, then blocks: 32-bit little-endian compressed size, data. */
static int unlz4(struct payload *p)
{
	size_t pos = 4, end = p->inlen - 4, produced = 0;

	while (pos < end) {
		uint32_t chunk;
		size_t room = p->outlen - produced;
		int n;

		if (end - pos < 4)
			return fail(p, "lz4: data truncated");
		chunk = le32(p->in + pos);
		pos += 4;
		/* lz4 -l starts a new frame with the magic again: skip it. */
		if (chunk == LZ4_LEGACY_MAGIC)
			continue;
		if (chunk > end - pos || chunk > INT_MAX)
			return fail(p, "lz4: data truncated");
		n = LZ4_decompress_safe((const char *)p->in + pos, (char *)p->out + produced,
					(int)chunk, room > INT_MAX ? INT_MAX : (int)room);
		if (n < 0)
			return fail(
			    p, "lz4: corrupt data, or more than the %zu bytes the bzImage states",
			    p->outlen);
		produced += n;
		pos += chunk;
	}
	return check_produced(p, "lz4", produced);
}

/* ---- lzo, lzop container ----------------------------------------------------------- */

/* lzop header flags. */
#define LZOP_ADLER32_D 0x1
#define LZOP_ADLER32_C 0x2
#define LZOP_EXTRA_FIELD 0x40
#define LZOP_CRC32_D 0x100
#define LZOP_CRC32_C 0x200
#define LZOP_FILTER 0x800
#define LZOP_MAX_BLOCK (64u << 20)

/* A cursor over the compressed input that refuses to run past its end. */
struct cursor {
	const uint8_t *p;
	size_t left;
	bool short_read;
};

static const uint8_t *take(struct cursor *c, size_t n)
{
	const uint8_t *at = c->p;

	if (c->short_read || n > c->left) {
		c->short_read = true;
		return NULL;
	}
	c->p += n;
	c->left -= n;
	return at;
}

static uint32_t take_be(struct cursor *c, size_t n)
{
	const uint8_t *b = take(c, n);
	uint32_t v = 0;

	for (size_t i = 0; b && i < n; i++)
		v = v << 8 | b[i];
	return v;
}

/* Skips the lzop file header; returns its flags (0 on a short read). */
static uint32_t lzop_header(struct cursor *c)
{
	uint32_t version, flags;

	take(c, 9);		/* magic */
	version = take_be(c, 2);
	take(c, 2);		/* library version */
	if (version >= 0x0940)
		take(c, 2);	/* version needed to extract */
	take(c, 1);		/* method */
	if (version >= 0x0940)
		take(c, 1);	/* level */
	flags = take_be(c, 4);
	if (flags & LZOP_FILTER)
		take(c, 4);
	take(c, 8);		/* mode, mtime low */
	if (version >= 0x0940)
		take(c, 4);	/* mtime high */
	take(c, take_be(c, 1));	/* file name */
	take(c, 4);		/* header checksum */
	if (flags & LZOP_EXTRA_FIELD) {
		take(c, take_be(c, 4));
		take(c, 4);
	}
	return flags;
}

static int unlzo(struct payload *p)
{
	struct cursor c = {.p = p->in, .left = p->inlen - 4};
	size_t produced = 0;
	uint32_t flags;

	if (lzo_init() != LZO_E_OK)
		return fail(p, "lzo: liblzo2 failed to initialise");
	flags = lzop_header(&c);
	for (;;) {
		uint32_t dst_len, src_len;
		const uint8_t *src;
		lzo_uint out_len;

		dst_len = take_be(&c, 4);
		if (c.short_read)
			return fail(p, "lzo: data truncated");
		if (dst_len == 0)	/* end of stream */
			break;
		src_len = take_be(&c, 4);
		/* Checksums are not verified, as in Linux's own decompressor. */
		take(&c, (flags & LZOP_ADLER32_D ? 4 : 0) + (flags & LZOP_CRC32_D ? 4 : 0));
		if (src_len < dst_len)
			take(&c, (flags & LZOP_ADLER32_C ? 4 : 0) + (flags & LZOP_CRC32_C ? 4 : 0));
		src = take(&c, src_len);
		if (!src)
			return fail(p, "lzo: data truncated");
		if (dst_len > LZOP_MAX_BLOCK || src_len == 0 || src_len > dst_len)
			return fail(p, "lzo: corrupt block header");
		if (dst_len > p->outlen - produced)
			return too_big(p, "lzo");
		if (src_len == dst_len) {	/* stored, not compressed */
			memcpy(p->out + produced, src, dst_len);
		} else {
			out_len = dst_len;
			if (lzo1x_decompress_safe(src, src_len, p->out + produced, &out_len,
						  NULL) != LZO_E_OK ||
			    out_len != dst_len)
				return fail(p, "lzo: corrupt data");
		}
		produced += dst_len;
	}
	return check_produced(p, "lzo", produced);
}

/* ---- the interface ------------------------------------------------------------------ */

static const struct format {
	const char *name;
	const char *magic;
	size_t magic_len;
	int (*decompress)(struct payload *p);
} formats[] = {
	{"gzip", "\x1f\x8b", 2, gunzip},
	{"xz", "\xfd" "7zXZ\0", 6, unxz},
	{"zstd", "\x28\xb5\x2f\xfd", 4, unzstd},
	{"bzip2", "BZh", 3, bunzip2},
	{"lzma", "\x5d\x00", 2, unlzma},
	{"lzo", "\x89LZO\0\r\n\x1a\n", 9, unlzo},
	{"lz4", "\x02\x21\x4c\x18", 4, unlz4},
};

int bzimage_payload(const void *img, size_t len, void **elf, size_t *elf_len, char *err,
		    size_t errlen)
{
	const uint8_t *b = img;
	struct payload p = {.err = err, .errlen = errlen};
	uint64_t setup_size, off, plen;
	unsigned int version, sects;

	*elf = NULL;
	*elf_len = 0;
	if (len < HDR_MAGIC + 4 || memcmp(b + HDR_MAGIC, "HdrS", 4) != 0)
		return 1;
	if (len < SETUP_HEADER_END)
		return fail(&p, "bzImage setup header truncated");
	version = b[HDR_VERSION] | b[HDR_VERSION + 1] << 8;
	if (version < 0x0208)
		return fail(&p, "bzImage boot protocol %u.%02u too old: 2.08 names the payload",
			    version >> 8, version & 0xff);

	/* The boot protocol reads setup_sects 0 as 4. */
	sects = b[SETUP_SECTS] ? b[SETUP_SECTS] : 4;
	setup_size = (sects + 1) * 512ULL;
	off = setup_size + le32(b + PAYLOAD_OFFSET);
	plen = le32(b + PAYLOAD_LENGTH);
	if (off >= len || plen > len - off)
		return fail(&p, "bzImage payload (%#llx+%#llx) extends past the end of the file",
			    (unsigned long long)off, (unsigned long long)plen);

	p.in = b + off;
	p.inlen = plen;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const struct format *f = &formats[i];
		int rc;

		if (p.inlen < f->magic_len + 4 || memcmp(p.in, f->magic, f->magic_len) != 0)
			continue;
		p.outlen = le32(p.in + p.inlen - 4);
		if (p.outlen == 0 || p.outlen > BZIMAGE_MAX_KERNEL)
			return fail(&p, "%s payload states a kernel of %zu bytes (at most %lu)",
				    f->name, p.outlen, BZIMAGE_MAX_KERNEL);
		p.out = malloc(p.outlen);
		if (!p.out)
			return fail(&p, "%s: out of memory for %zu bytes", f->name, p.outlen);
		rc = f->decompress(&p);
		if (rc) {
			free(p.out);
			return rc;
		}
		*elf = p.out;
		*elf_len = p.outlen;
		return 0;
	}
	return fail(&p, "bzImage payload: unknown compression (magic %02x %02x %02x %02x)",
		    plen > 0 ? p.in[0] : 0, plen > 1 ? p.in[1] : 0, plen > 2 ? p.in[2] : 0,
		    plen > 3 ? p.in[3] : 0);
}
