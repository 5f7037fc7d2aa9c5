/*
 * Node paths: validation and canonical form. A path is absolute ("/a/b"),
 * relative to the caller's home "/local/domain/<domid>", or, where a
 * request allows it, a special name ("@introduceDomain").
 */
#ifndef XSD_PATH_H
#define XSD_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include <xen/io/xs_wire.h>

#include "perms.h"

/* Room for any canonical path and its nul. */
#define PATH_BUF (XENSTORE_ABS_PATH_MAX + 1)

/*
 * Canonicalises in (nul-terminated) for who into out (PATH_BUF bytes).
 * rel_max limits the part below a domain's home (0: no limit); it applies
 * to unprivileged callers only. Returns the length or -EINVAL.
 * *relative tells whether in was relative (watch events keep that form).
 */
int path_canon(const struct ident *who, const char *in, bool allow_special, unsigned rel_max,
	       char *out, bool *relative);

/* "/local/domain/<domid>" into buf (at least 24 bytes); returns its length. */
size_t path_domain_home(unsigned domid, char *buf, size_t cap);

/* Length of the parent of an absolute path ("/a/b" -> 2, "/a" -> 1). */
size_t path_parent_len(const char *path, size_t len);

/* Last component of an absolute path ("/a/b" -> "b"); "" for "/". */
const char *path_basename(const char *path, size_t len);

/* Whether child is path itself or lies below it. */
bool path_is_within(const char *child, size_t clen, const char *path, size_t plen);

/* Number of components: "/" -> 0, "/a/b" -> 2. */
unsigned path_depth(const char *path, size_t len);

#endif /* XSD_PATH_H */
