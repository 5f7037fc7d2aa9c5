#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "log.h"
#include "tree.h"

/*
 * File: a header (magic, the host's boot id), then records. A record is
 * u32 length, u32 CRC-32 of the payload, payload; the payload starts with
 * its type. A batch record holds whole records; it replays entirely or,
 * if the file was cut short in it, not at all.
 */
#define MAGIC "XSJRNL01"
#define BOOT_ID_LEN 40
#define HDR_LEN (8 + BOOT_ID_LEN)
#define REC_HDR 8
#define NAME "journal"
#define TMP_NAME "journal.tmp"
#define WRITE_CHUNK (1u << 20)

enum { R_NODE = 'N', R_DEL = 'D', R_DOMAIN = 'M', R_WATCH = 'W', R_BATCH = 'B' };

struct journal {
	int dirfd;
	int fd;
	struct buf buf;
	unsigned batch_depth;
	size_t batch_start;
	bool compacting;
	bool write_failed; /* logged once */
	uint64_t file_size;
	uint64_t compact_size; /* file size right after the last compaction */
	char boot_id[BOOT_ID_LEN];
};

static void read_boot_id(char *id)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, id, BOOT_ID_LEN - 1) : -1;

	memset(id + (n > 0 ? n : 0), 0, BOOT_ID_LEN - (size_t)(n > 0 ? n : 0));
	for (int i = 0; i < BOOT_ID_LEN; i++)
		if (id[i] == '\n')
			id[i] = 0;
	if (fd >= 0)
		close(fd);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- encoding ---- */

static void put(struct journal *j, const void *p, size_t len)
{
	buf_append(&j->buf, p, len);
}

static void put_u8(struct journal *j, uint8_t v)
{
	put(j, &v, 1);
}

static void put_u16(struct journal *j, uint16_t v)
{
	put(j, &v, 2);
}

static void put_u32(struct journal *j, uint32_t v)
{
	put(j, &v, 4);
}

static size_t rec_begin(struct journal *j, uint8_t type)
{
	size_t start = j->buf.len;
	uint32_t zero[2] = {0, 0};

	put(j, zero, sizeof(zero));
	put_u8(j, type);
	return start;
}

static void rec_end(struct journal *j, size_t start)
{
	uint32_t len, crc;

	if (j->buf.len < start + REC_HDR) /* an allocation failed on the way */
		return;
	len = (uint32_t)(j->buf.len - start - REC_HDR);
	crc = (uint32_t)crc32(0, (const Bytef *)j->buf.p + start + REC_HDR, len);
	memcpy(j->buf.p + start, &len, 4);
	memcpy(j->buf.p + start + 4, &crc, 4);
	if (j->compacting && j->buf.len >= WRITE_CHUNK && !j->batch_depth)
		journal_flush(j);
}

void journal_node_set(struct journal *j, const struct node *n)
{
	size_t start = rec_begin(j, R_NODE);

	put_u16(j, (uint16_t)n->pathlen);
	put(j, n->path, n->pathlen);
	put_u16(j, n->nperms);
	for (unsigned i = 0; i < n->nperms; i++) {
		put_u16(j, n->perms[i].domid);
		put_u8(j, n->perms[i].mode);
	}
	put_u32(j, n->dlen);
	put(j, n->data, n->dlen);
	rec_end(j, start);
}

void journal_node_del(struct journal *j, const char *path, size_t len)
{
	size_t start = rec_begin(j, R_DEL);

	put_u16(j, (uint16_t)len);
	put(j, path, len);
	rec_end(j, start);
}

void journal_domain(struct journal *j, unsigned domid, bool up, uint64_t mfn, uint32_t port,
		    int32_t target)
{
	size_t start = rec_begin(j, R_DOMAIN);

	put_u16(j, (uint16_t)domid);
	put_u8(j, up);
	put(j, &mfn, 8);
	put_u32(j, port);
	put(j, &target, 4);
	rec_end(j, start);
}

void journal_watch(struct journal *j, unsigned domid, bool add, bool relative, const char *path,
		   const char *token)
{
	size_t start = rec_begin(j, R_WATCH), pl = strlen(path), tl = strlen(token);

	put_u16(j, (uint16_t)domid);
	put_u8(j, add);
	put_u8(j, relative);
	put_u16(j, (uint16_t)pl);
	put(j, path, pl);
	put_u16(j, (uint16_t)tl);
	put(j, token, tl);
	rec_end(j, start);
}

void journal_batch_begin(struct journal *j)
{
	if (j->batch_depth++ == 0)
		j->batch_start = rec_begin(j, R_BATCH);
}

void journal_batch_end(struct journal *j)
{
	if (!j->batch_depth || --j->batch_depth)
		return;
	if (j->buf.len == j->batch_start + REC_HDR + 1)
		j->buf.len = j->batch_start; /* nothing happened */
	else
		rec_end(j, j->batch_start);
}

int journal_flush(struct journal *j)
{
	int ret;

	if (!j->buf.len || j->batch_depth)
		return 0;
	ret = write_all(j->fd, j->buf.p, j->buf.len);
	if (ret < 0) {
		if (!j->write_failed)
			log_msg("journal write failed: %s (changes stay in memory)",
				strerror(-ret));
		j->write_failed = true;
		return ret;
	}
	j->write_failed = false;
	j->file_size += j->buf.len;
	j->buf.len = 0;
	return 0;
}

bool journal_wants_compaction(const struct journal *j)
{
	return j->file_size > (1u << 20) && j->file_size > 4 * j->compact_size;
}

/* ---- decoding ---- */

struct cursor {
	const char *p;
	size_t len, off;
	bool bad;
};

static const void *take(struct cursor *c, size_t n)
{
	const void *p = c->p + c->off;

	if (c->bad || c->len - c->off < n) {
		c->bad = true;
		return NULL;
	}
	c->off += n;
	return p;
}

static uint32_t get_uint(struct cursor *c, size_t n)
{
	const void *p = take(c, n);
	uint32_t v = 0;

	if (p)
		memcpy(&v, p, n);
	return v;
}

/* A string of n bytes, copied with a nul into out (cap bytes). */
static const char *get_str(struct cursor *c, size_t n, char *out, size_t cap)
{
	const char *p = take(c, n);

	if (!p || n >= cap || memchr(p, 0, n)) {
		c->bad = true;
		return NULL;
	}
	memcpy(out, p, n);
	out[n] = 0;
	return out;
}

static int replay_one(const struct journal_replay *r, const char *p, size_t len, int depth);

static int replay_records(const struct journal_replay *r, const char *p, size_t len,
			  size_t *consumed, int depth)
{
	size_t off = 0;

	while (len - off >= REC_HDR) {
		uint32_t rlen, crc;

		memcpy(&rlen, p + off, 4);
		memcpy(&crc, p + off + 4, 4);
		if (len - off - REC_HDR < rlen)
			break;
		if ((uint32_t)crc32(0, (const Bytef *)p + off + REC_HDR, rlen) != crc)
			break;
		/* A record that cannot apply (a bug, not damage) is skipped. */
		if (replay_one(r, p + off + REC_HDR, rlen, depth) < 0)
			log_msg("journal: record at offset %zu skipped", off);
		off += REC_HDR + rlen;
	}
	*consumed = off;
	return off == len ? 0 : -1;
}

static int replay_one(const struct journal_replay *r, const char *p, size_t len, int depth)
{
	struct cursor c = {.p = p, .len = len};
	static char path[4096], token[4096];
	uint8_t type = (uint8_t)get_uint(&c, 1);

	switch (type) {
	case R_NODE: {
		size_t pl = get_uint(&c, 2);
		unsigned np;
		struct xs_perm *perms;
		uint32_t dlen;
		const void *data;
		int ret;

		if (!get_str(&c, pl, path, sizeof(path)))
			return -1;
		np = get_uint(&c, 2);
		perms = malloc(np * sizeof(*perms) + 1);
		if (!perms)
			return -1;
		for (unsigned i = 0; i < np; i++) {
			perms[i].domid = (uint16_t)get_uint(&c, 2);
			perms[i].mode = (uint8_t)get_uint(&c, 1);
		}
		dlen = get_uint(&c, 4);
		data = take(&c, dlen);
		ret = c.bad ? -1 : r->node(r->ctx, path, pl, perms, np, data, dlen);
		free(perms);
		return ret;
	}
	case R_DEL: {
		size_t pl = get_uint(&c, 2);

		if (!get_str(&c, pl, path, sizeof(path)))
			return -1;
		return r->del(r->ctx, path, pl);
	}
	case R_DOMAIN: {
		unsigned domid = get_uint(&c, 2);
		bool up = get_uint(&c, 1);
		uint64_t mfn = 0;
		const void *m = take(&c, 8);
		uint32_t port;
		int32_t target;

		if (m)
			memcpy(&mfn, m, 8);
		port = get_uint(&c, 4);
		target = (int32_t)get_uint(&c, 4);
		return c.bad ? -1 : r->domain(r->ctx, domid, up, mfn, port, target);
	}
	case R_WATCH: {
		unsigned domid = get_uint(&c, 2);
		bool add = get_uint(&c, 1), rel = get_uint(&c, 1);

		if (!get_str(&c, get_uint(&c, 2), path, sizeof(path)) ||
		    !get_str(&c, get_uint(&c, 2), token, sizeof(token)))
			return -1;
		return r->watch(r->ctx, domid, add, rel, path, token);
	}
	case R_BATCH: {
		size_t used;

		if (depth)
			return -1;
		return replay_records(r, p + 1, len - 1, &used, 1);
	}
	default:
		return -1;
	}
}

/* Reads the whole file; returns its size or -errno. */
static ssize_t slurp(int fd, char **out)
{
	struct stat st;
	char *p;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	p = malloc((size_t)st.st_size + 1);
	if (!p)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(fd, p + got, (size_t)st.st_size - got, (off_t)got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	*out = p;
	return (ssize_t)got;
}

static int write_header(struct journal *j, int fd)
{
	char hdr[HDR_LEN];

	memcpy(hdr, MAGIC, 8);
	memcpy(hdr + 8, j->boot_id, BOOT_ID_LEN);
	return write_all(fd, hdr, sizeof(hdr));
}

int journal_open(const char *dir, const struct journal_replay *r, struct journal **out)
{
	struct journal *j = calloc(1, sizeof(*j));
	char *data = NULL;
	ssize_t size;
	size_t used = 0;
	int ret;

	if (!j)
		return -ENOMEM;
	j->fd = j->dirfd = -1;
	read_boot_id(j->boot_id);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		goto fail;
	}
	j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd < 0) {
		ret = -errno;
		goto fail;
	}
	j->fd = openat(j->dirfd, NAME, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		ret = -errno;
		goto fail;
	}
	size = slurp(j->fd, &data);
	if (size < 0) {
		ret = (int)size;
		goto fail;
	}
	if (size >= HDR_LEN && memcmp(data, MAGIC, 8) == 0 &&
	    memcmp(data + 8, j->boot_id, BOOT_ID_LEN) == 0) {
		if (replay_records(r, data + HDR_LEN, (size_t)size - HDR_LEN, &used, 0) < 0)
			log_msg("journal: %zu bytes at its end are incomplete or damaged, dropped",
				(size_t)size - HDR_LEN - used);
		log_msg("journal: store restored from %s/%s", dir, NAME);
		/* Appends go right after the last whole record. */
		j->file_size = HDR_LEN + used;
		if (ftruncate(j->fd, (off_t)j->file_size) < 0 ||
		    lseek(j->fd, 0, SEEK_END) < 0) {
			ret = -errno;
			goto fail;
		}
	} else {
		if (size > 0)
			log_msg("journal: %s/%s is from another boot or not a journal; starting empty",
				dir, NAME);
		if (ftruncate(j->fd, 0) < 0 || lseek(j->fd, 0, SEEK_SET) < 0 ||
		    write_header(j, j->fd) < 0) {
			ret = -errno;
			goto fail;
		}
		j->file_size = HDR_LEN;
	}
	free(data);
	data = NULL;
	*out = j;
	return 0;
fail:
	free(data);
	journal_close(j);
	return ret;
}

int journal_compact(struct journal *j, void (*dump)(void *ctx, struct journal *j), void *ctx)
{
	int tmp, old = j->fd, ret;
	uint64_t old_size = j->file_size;

	ret = journal_flush(j);
	if (ret < 0)
		return ret;
	tmp = openat(j->dirfd, TMP_NAME, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (tmp < 0)
		return -errno;
	ret = write_header(j, tmp);
	j->fd = tmp;
	j->file_size = HDR_LEN;
	j->compacting = true;
	if (ret == 0) {
		dump(ctx, j);
		ret = journal_flush(j);
	}
	j->compacting = false;
	/*
	 * No fsync: the journal only has to survive a restart of the daemon
	 * (the page cache), since a reboot makes it void anyway.
	 */
	if (ret == 0 && renameat(j->dirfd, TMP_NAME, j->dirfd, NAME) < 0)
		ret = -errno;
	if (ret < 0) {
		close(tmp);
		unlinkat(j->dirfd, TMP_NAME, 0);
		j->buf.len = 0;
		j->fd = old;
		j->file_size = old_size;
		return ret;
	}
	close(old);
	j->compact_size = j->file_size;
	return 0;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	journal_flush(j);
	if (j->fd >= 0)
		close(j->fd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	buf_free(&j->buf);
	free(j);
}
