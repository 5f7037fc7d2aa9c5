#include "perms.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool entry_matches(const struct ident *who, const struct xs_perm *p)
{
	return p->domid == who->domid || (who->target >= 0 && p->domid == who->target);
}

unsigned perms_for(const struct ident *who, const struct xs_perm *p, unsigned n)
{
	unsigned i;

	if (who->priv || (n && entry_matches(who, &p[0])))
		return XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
	for (i = 1; i < n; i++)
		if (entry_matches(who, &p[i]))
			return p[i].mode & XS_PERM_BOTH;
	return n ? (p[0].mode & XS_PERM_BOTH) : XS_PERM_NONE;
}

static int letter_mode(char c)
{
	switch (c) {
	case 'n':
		return XS_PERM_NONE;
	case 'r':
		return XS_PERM_READ;
	case 'w':
		return XS_PERM_WRITE;
	case 'b':
		return XS_PERM_BOTH;
	default:
		return -1;
	}
}

int perms_parse(const char *s, size_t len, unsigned n, struct xs_perm *out)
{
	size_t off = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		const char *p = s + off;
		size_t slen = strnlen(p, len - off);
		unsigned long v = 0;
		int mode;

		if (slen == len - off || slen < 2 || slen > PERM_STR_MAX)
			return -EINVAL;
		mode = letter_mode(p[0]);
		if (mode < 0)
			return -EINVAL;
		for (size_t k = 1; k < slen; k++) {
			if (p[k] < '0' || p[k] > '9')
				return -EINVAL;
			v = v * 10 + (unsigned long)(p[k] - '0');
		}
		if (v > UINT16_MAX)
			return -EINVAL;
		out[i].domid = (uint16_t)v;
		out[i].mode = (uint8_t)mode;
		off += slen + 1;
	}
	return 0;
}

size_t perms_format(const struct xs_perm *p, unsigned n, char *buf, size_t cap)
{
	static const char letters[4] = {'n', 'r', 'w', 'b'};
	size_t off = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		int w;

		if (cap - off < PERM_STR_MAX + 1)
			return 0;
		w = snprintf(buf + off, cap - off, "%c%u", letters[p[i].mode & XS_PERM_BOTH],
			     p[i].domid);
		off += (size_t)w + 1;
	}
	return off;
}

bool perms_equal(const struct xs_perm *a, unsigned na, const struct xs_perm *b, unsigned nb)
{
	unsigned i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].domid != b[i].domid || a[i].mode != b[i].mode)
			return false;
	return true;
}
