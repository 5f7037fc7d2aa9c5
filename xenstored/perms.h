/*
 * Node permissions with Xen's semantics. The first entry names the owner
 * (who may do anything) and the access of every domain without an entry of
 * its own; further entries grant one domain none/read/write/both.
 */
#ifndef XSD_PERMS_H
#define XSD_PERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XS_PERM_NONE 0
#define XS_PERM_READ 1
#define XS_PERM_WRITE 2
#define XS_PERM_BOTH (XS_PERM_READ | XS_PERM_WRITE)
#define XS_PERM_OWNER 4 /* only in results of perms_for() */

/* Longest perm string: a letter and a five-digit domid. */
#define PERM_STR_MAX 6

struct xs_perm {
	uint16_t domid;
	uint8_t mode; /* XS_PERM_NONE/READ/WRITE/BOTH */
};

/* Who is asking: a connection's domain and its privileges. */
struct ident {
	uint16_t domid;
	bool priv;	/* dom0 and the host's socket clients */
	int32_t target; /* SET_TARGET: acts for this domain too; -1 if none */
};

/* What who may do with a node: XS_PERM_READ|WRITE|OWNER bits. */
unsigned perms_for(const struct ident *who, const struct xs_perm *p, unsigned n);

/*
 * Parses n nul-terminated perm strings ("b0", "r5", ...) from s into out.
 * Returns 0 or -EINVAL.
 */
int perms_parse(const char *s, size_t len, unsigned n, struct xs_perm *out);

/* Writes the perm strings, each nul-terminated; returns bytes, 0 if cap is short. */
size_t perms_format(const struct xs_perm *p, unsigned n, char *buf, size_t cap);

bool perms_equal(const struct xs_perm *a, unsigned na, const struct xs_perm *b, unsigned nb);

#endif /* XSD_PERMS_H */
