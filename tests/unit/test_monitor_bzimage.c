/*
 * bzImage payloads: bzImages built here around data compressed with each
 * format Linux can use (by the compressors of the same Debian libraries),
 * and broken ones: old boot protocol, payload outside the file, unknown
 * compression, wrong stated size, truncated and corrupted streams.
 */
#include <bzlib.h>
#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <cmocka.h>

#include "../../monitor/build/bzimage.h"

#define SETUP_SECTS 1
#define PM_START ((SETUP_SECTS + 1) * 512)	/* where the payload offset counts from */
#define PAYLOAD_OFFSET 0x100
#define DATA_SIZE (300 * 1024)

enum fmt { GZIP, XZ, LZMA, ZSTD, BZIP2, LZ4, LZO, NR_FMT };
static const char *const fmt_name[NR_FMT] = {"gzip", "xz", "lzma", "zstd", "bzip2", "lz4", "lzo"};

/* Compressible text, then bytes that do not compress (an lzo stored block). */
static uint8_t *test_data(void)
{
	uint8_t *d = malloc(DATA_SIZE);
	uint32_t x = 12345;

	for (size_t i = 0; i < DATA_SIZE; i++) {
		x = x * 1103515245 + 12345;
		d[i] = i < DATA_SIZE - 70000 ? (uint8_t)("kernel text "[i % 12] + (i / 4096) % 3)
					     : (uint8_t)(x >> 16);
	}
	return d;
}

static void put_le32(uint8_t *b, uint32_t v)
{
	b[0] = v, b[1] = v >> 8, b[2] = v >> 16, b[3] = v >> 24;
}

static void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24, b[1] = v >> 16, b[2] = v >> 8, b[3] = v;
}

/* lz4 legacy frames: the magic, then (le32 size, block) per 8 MiB of input. */
static size_t lz4_legacy(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t pos = 4;

	put_le32(out, 0x184c2102);
	for (size_t off = 0; off < n; off += 8 << 20) {
		size_t chunk = n - off < (8u << 20) ? n - off : 8u << 20;
		int c = LZ4_compress_default((const char *)in + off, (char *)out + pos + 4,
					     (int)chunk, LZ4_compressBound((int)chunk));

		assert_true(c > 0);
		put_le32(out + pos, (uint32_t)c);
		pos += 4 + (size_t)c;
	}
	return pos;
}

/* An lzop file as `lzop` writes it: header, 64 KiB blocks with an adler32
 * of each block, blocks that do not compress stored as they are. */
static size_t lzop(const uint8_t *in, size_t n, uint8_t *out)
{
	static const uint8_t head[] = {
		0x89, 'L', 'Z', 'O', 0, '\r', '\n', 0x1a, '\n', /* magic */
		0x10, 0x40, 0x20, 0xa0, 0x09, 0x40,		/* version, lib, needed */
		1, 5,						/* method, level */
		0, 0, 0, 1,					/* flags: adler32 of data */
		0, 0, 0x81, 0xa4, 0, 0, 0, 0, 0, 0, 0, 0,	/* mode, mtime */
		0,						/* no name */
		0xde, 0xad, 0xbe, 0xef,				/* header checksum */
	};
	uint8_t *wrk = malloc(LZO1X_1_MEM_COMPRESS);
	size_t pos = sizeof(head);

	assert_int_equal(lzo_init(), LZO_E_OK);
	memcpy(out, head, sizeof(head));
	for (size_t off = 0; off < n; off += 65536) {
		size_t chunk = n - off < 65536 ? n - off : 65536;
		lzo_uint c = 0;

		put_be32(out + pos, (uint32_t)chunk);
		put_be32(out + pos + 8, (uint32_t)lzo_adler32(1, in + off, chunk));
		assert_int_equal(lzo1x_1_compress(in + off, chunk, out + pos + 12, &c, wrk),
				 LZO_E_OK);
		if (c >= chunk) {
			c = chunk;
			memcpy(out + pos + 12, in + off, chunk);
		}
		put_be32(out + pos + 4, (uint32_t)c);
		pos += 12 + c;
	}
	put_be32(out + pos, 0);
	free(wrk);
	return pos + 4;
}

/* The compressed stream of in, with the le32 size after it (as Linux builds
 * it: gzip's own trailer already ends with that size). */
static size_t pack(enum fmt f, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t len = 0;

	switch (f) {
	case GZIP: {
		z_stream s = {0};

		assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
					      Z_DEFAULT_STRATEGY),
				 Z_OK);
		s.next_in = (Bytef *)in, s.avail_in = n;
		s.next_out = out, s.avail_out = cap;
		assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
		len = s.total_out;
		deflateEnd(&s);
		return len;
	}
	case XZ:
		assert_int_equal(
		    lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, n, out, &len, cap),
		    LZMA_OK);
		break;
	case LZMA: {
		lzma_stream s = LZMA_STREAM_INIT;
		lzma_options_lzma opt;

		assert_false(lzma_lzma_preset(&opt, 6));
		assert_int_equal(lzma_alone_encoder(&s, &opt), LZMA_OK);
		s.next_in = in, s.avail_in = n;
		s.next_out = out, s.avail_out = cap;
		assert_int_equal(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
		len = s.total_out;
		lzma_end(&s);
		break;
	}
	case ZSTD:
		len = ZSTD_compress(out, cap, in, n, 19);
		assert_false(ZSTD_isError(len));
		break;
	case BZIP2: {
		unsigned int l = cap;

		assert_int_equal(BZ2_bzBuffToBuffCompress((char *)out, &l, (char *)in, n, 9, 0, 0),
				 BZ_OK);
		len = l;
		break;
	}
	case LZ4:
		len = lz4_legacy(in, n, out);
		break;
	case LZO:
		len = lzop(in, n, out);
		break;
	default:
		fail();
	}
	put_le32(out + len, (uint32_t)n);
	return len + 4;
}

struct bz {
	uint8_t *b;
	size_t len;
	size_t payload;	/* offset of the payload in b */
	size_t plen;
};

/* A bzImage (boot protocol 2.15) around a payload. */
static void bz_make(struct bz *z, const uint8_t *payload, size_t plen)
{
	z->payload = PM_START + PAYLOAD_OFFSET;
	z->plen = plen;
	z->len = z->payload + plen + 0x200;
	z->b = calloc(1, z->len);
	z->b[0x1f1] = SETUP_SECTS;
	memcpy(z->b + 0x202, "HdrS", 4);
	z->b[0x206] = 0x0f, z->b[0x207] = 0x02;
	put_le32(z->b + 0x248, PAYLOAD_OFFSET);
	put_le32(z->b + 0x24c, (uint32_t)plen);
	memcpy(z->b + z->payload, payload, plen);
}

static void bz_format(struct bz *z, enum fmt f, const uint8_t *data, size_t n)
{
	size_t cap = n * 2 + 65536;
	uint8_t *c = malloc(cap);

	bz_make(z, c, pack(f, data, n, c, cap));
	free(c);
}

/* bzimage_payload must fail, and say why. */
static void refused(struct bz *z, const char *reason)
{
	void *out = (void *)1;
	size_t n = 1;
	char err[200] = "";

	assert_int_equal(bzimage_payload(z->b, z->len, &out, &n, err, sizeof(err)), -1);
	assert_null(out);
	assert_int_equal(n, 0);
	if (!strstr(err, reason))
		fail_msg("error \"%s\" lacks \"%s\"", err, reason);
}

static void test_not_bzimage(void **state)
{
	uint8_t elf[0x400] = {0x7f, 'E', 'L', 'F'};
	void *out = (void *)1;
	size_t n = 1;
	char err[100];

	(void)state;
	assert_int_equal(bzimage_payload(elf, sizeof(elf), &out, &n, err, sizeof(err)), 1);
	assert_null(out);
	assert_int_equal(n, 0);
	assert_int_equal(bzimage_payload(elf, 0, &out, &n, err, sizeof(err)), 1);
	/* "HdrS" cut by the end of the file. */
	memcpy(elf + 0x202, "HdrS", 4);
	assert_int_equal(bzimage_payload(elf, 0x205, &out, &n, err, sizeof(err)), 1);
}

static void test_formats(void **state)
{
	uint8_t *data = test_data();

	(void)state;
	for (enum fmt f = 0; f < NR_FMT; f++) {
		struct bz z;
		void *out = NULL;
		size_t n = 0;
		char err[200] = "";

		bz_format(&z, f, data, DATA_SIZE);
		if (bzimage_payload(z.b, z.len, &out, &n, err, sizeof(err)) != 0)
			fail_msg("%s: %s", fmt_name[f], err);
		assert_int_equal(n, DATA_SIZE);
		assert_memory_equal(out, data, DATA_SIZE);
		free(out);
		free(z.b);
	}
	free(data);
}

static void test_header_errors(void **state)
{
	uint8_t *data = test_data();
	struct bz z;

	(void)state;
	bz_format(&z, XZ, data, DATA_SIZE);
	z.b[0x206] = 0x07;
	refused(&z, "boot protocol 2.07 too old");
	z.b[0x206] = 0x0f;

	put_le32(z.b + 0x24c, (uint32_t)(z.len - z.payload + 1));
	refused(&z, "extends past the end of the file");
	put_le32(z.b + 0x24c, 0xffffffff);
	refused(&z, "extends past the end of the file");
	put_le32(z.b + 0x24c, (uint32_t)z.plen);
	put_le32(z.b + 0x248, 0xffffffff);
	refused(&z, "extends past the end of the file");
	put_le32(z.b + 0x248, PAYLOAD_OFFSET);
	z.b[0x1f1] = 0xff; /* setup alone is past the end */
	refused(&z, "extends past the end of the file");
	z.b[0x1f1] = SETUP_SECTS;

	z.b[z.payload] = 'Q';
	refused(&z, "unknown compression (magic 51 37 7a 58)");
	z.b[z.payload] = 0xfd;

	free(z.b);
	z.len = 0x240;
	z.b = calloc(1, z.len);
	memcpy(z.b + 0x202, "HdrS", 4);
	refused(&z, "setup header truncated");
	free(z.b);
	free(data);
}

/* The stated size must be exactly what decompresses. */
static void test_stated_size(void **state)
{
	uint8_t *data = test_data();

	(void)state;
	for (enum fmt f = 0; f < NR_FMT; f++) {
		struct bz z;
		uint8_t *size_at;
		char expect[100];

		bz_format(&z, f, data, DATA_SIZE);
		size_at = z.b + z.payload + z.plen - 4;

		put_le32(size_at, DATA_SIZE - 1);
		refused(&z, "more than the 307199 bytes the bzImage states");
		put_le32(size_at, DATA_SIZE + 1);
		/* gzip checks the size in its trailer itself. */
		snprintf(expect, sizeof(expect), "%s",
			 f == GZIP ? "gzip: corrupt data"
				   : "decompressed 307200 bytes, the bzImage states 307201");
		refused(&z, expect);
		put_le32(size_at, 0);
		refused(&z, "states a kernel of 0 bytes");
		put_le32(size_at, BZIMAGE_MAX_KERNEL + 1);
		refused(&z, "states a kernel of 1073741825 bytes");
		free(z.b);
	}
	free(data);
}

static void test_truncated(void **state)
{
	uint8_t *data = test_data();

	(void)state;
	for (enum fmt f = 0; f < NR_FMT; f++) {
		size_t cap = DATA_SIZE * 2 + 65536, len;
		uint8_t *c = malloc(cap);
		struct bz z;

		/* The first half of the stream, then the size. */
		len = pack(f, data, DATA_SIZE, c, cap);
		memmove(c + len / 2, c + len - 4, 4);
		bz_make(&z, c, len / 2 + 4);
		refused(&z, fmt_name[f]);
		free(z.b);
		free(c);
	}
	free(data);
}

/*
 * Corrupt the compressed streams at random (seeded): the result is a clean
 * refusal, or (formats without checksums) exactly the stated size.
 */
static void test_random_corruption(void **state)
{
	uint8_t *data = test_data();
	uint64_t seed = 0x243f6a8885a308d3ULL;

	(void)state;
	for (enum fmt f = 0; f < NR_FMT; f++) {
		struct bz good;

		bz_format(&good, f, data, DATA_SIZE / 4);
		for (int iter = 0; iter < 150; iter++) {
			uint8_t *b = malloc(good.len);
			void *out = NULL;
			size_t n = 0;
			char err[200] = "";
			int rc;

			memcpy(b, good.b, good.len);
			for (int k = 0; k < 3; k++) {
				seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
				b[good.payload + (seed >> 8) % (good.plen - 4)] =
				    (uint8_t)(seed >> 40);
			}
			rc = bzimage_payload(b, good.len, &out, &n, err, sizeof(err));
			if (rc == 0)
				assert_int_equal(n, DATA_SIZE / 4);
			else
				assert_true(rc == -1 && strlen(err) > 0 && out == NULL);
			free(out);
			free(b);
		}
		free(good.b);
	}
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_bzimage),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_stated_size),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_random_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
