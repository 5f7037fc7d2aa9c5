#include "path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool valid_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '/' || c == '_' || c == '@';
}

size_t path_domain_home(unsigned domid, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "/local/domain/%u", domid);

	return n < 0 ? 0 : (size_t)n;
}

/* Offset of the part below "/local/domain/<N>/", 0 if path is not there. */
static size_t below_home(const char *p, size_t len)
{
	static const char prefix[] = "/local/domain/";
	size_t i = sizeof(prefix) - 1, digits = 0;

	if (len < i || memcmp(p, prefix, i) != 0)
		return 0;
	while (i < len && p[i] >= '0' && p[i] <= '9' && digits < 5) {
		i++;
		digits++;
	}
	if (!digits || i >= len || p[i] != '/')
		return 0;
	return i + 1;
}

int path_canon(const struct ident *who, const char *in, bool allow_special, unsigned rel_max,
	       char *out, bool *relative)
{
	size_t inlen = strnlen(in, PATH_BUF), len = 0, i;

	*relative = false;
	if (inlen == 0 || inlen >= PATH_BUF)
		return -EINVAL;
	for (i = 0; i < inlen; i++)
		if (!valid_char((unsigned char)in[i]))
			return -EINVAL;
	if (in[0] == '@') {
		if (!allow_special)
			return -EINVAL;
		memcpy(out, in, inlen + 1);
		return (int)inlen;
	}
	if (in[0] != '/') {
		len = path_domain_home(who->domid, out, PATH_BUF);
		if (len + 1 + inlen >= PATH_BUF)
			return -EINVAL;
		out[len++] = '/';
		*relative = true;
	}
	memcpy(out + len, in, inlen + 1);
	len += inlen;

	if (len > XENSTORE_ABS_PATH_MAX || len == 0)
		return -EINVAL;
	if (len > 1 && out[len - 1] == '/')
		return -EINVAL;
	if (strstr(out, "//"))
		return -EINVAL;
	if (!who->priv && rel_max && len - below_home(out, len) > rel_max)
		return -EINVAL;
	return (int)len;
}

size_t path_parent_len(const char *path, size_t len)
{
	size_t i = len;

	while (i > 1 && path[i - 1] != '/')
		i--;
	/* i now points just past the last '/'; drop it unless it is the root. */
	return i > 1 ? i - 1 : 1;
}

const char *path_basename(const char *path, size_t len)
{
	size_t i = len;

	while (i > 0 && path[i - 1] != '/')
		i--;
	return path + i;
}

bool path_is_within(const char *child, size_t clen, const char *path, size_t plen)
{
	if (plen == 1 && path[0] == '/')
		return clen >= 1 && child[0] == '/';
	if (clen < plen || memcmp(child, path, plen) != 0)
		return false;
	return clen == plen || child[plen] == '/';
}

unsigned path_depth(const char *path, size_t len)
{
	unsigned d = 0;
	size_t i;

	if (len <= 1)
		return 0;
	for (i = 0; i < len; i++)
		if (path[i] == '/')
			d++;
	return d;
}
