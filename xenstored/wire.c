#include "wire.h"

#include <errno.h>
#include <string.h>

/* Xen's error numbers are Linux's on x86; the replies carry names anyway. */
_Static_assert(EINVAL == XEN_EINVAL && EACCES == XEN_EACCES && ENOENT == XEN_ENOENT &&
		       EAGAIN == XEN_EAGAIN && ENOSPC == XEN_ENOSPC && E2BIG == XEN_E2BIG &&
		       EISCONN == XEN_EISCONN && ENOTEMPTY == XEN_ENOTEMPTY,
	       "host errno values match Xen's");

int wire_count_strings(const char *p, uint32_t len)
{
	int n = 0;

	if (!len || p[len - 1] != 0)
		return -1;
	for (uint32_t i = 0; i < len; i++)
		if (!p[i])
			n++;
	return n;
}

const char *wire_onearg(const char *p, uint32_t len)
{
	if (!len || memchr(p, 0, len) != p + len - 1)
		return NULL;
	return p;
}

unsigned wire_strings(const char *p, uint32_t len, const char **vec, unsigned n)
{
	uint32_t off = 0;
	unsigned found = 0;

	while (found < n && off < len) {
		const char *z = memchr(p + off, 0, len - off);

		if (!z)
			break;
		vec[found++] = p + off;
		off = (uint32_t)(z - p) + 1;
	}
	return found;
}

int wire_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned long d = (unsigned long)(*s - '0');

		if (d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int wire_parse_domid(const char *s, unsigned *domid)
{
	unsigned long v;

	if (wire_parse_ulong(s, 65535, &v) < 0)
		return -EINVAL;
	*domid = (unsigned)v;
	return 0;
}

const char *wire_error_name(int err)
{
	for (size_t i = 0; i < XS_WIRE_NR_ERRORS; i++)
		if (xs_wire_errors[i].errnum == err)
			return xs_wire_errors[i].name;
	return "EINVAL";
}
