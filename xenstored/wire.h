/* Payload parsing for requests: nul-terminated strings, numbers, domids, error names. */
#ifndef XSD_WIRE_H
#define XSD_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

/*
 * Number of nul-terminated strings that make up the payload exactly, or
 * -1 if the payload is empty or its last byte is not a nul.
 */
int wire_count_strings(const char *p, uint32_t len);

/* The payload if it is exactly one nul-terminated string, else NULL. */
const char *wire_onearg(const char *p, uint32_t len);

/*
 * Points vec[0..n) at the first n nul-terminated strings of the payload.
 * Returns how many were found (an unterminated tail does not count).
 */
unsigned wire_strings(const char *p, uint32_t len, const char **vec, unsigned n);

/* Decimal digits only, no sign, no blanks, value <= max. Returns 0 or -EINVAL. */
int wire_parse_ulong(const char *s, unsigned long max, unsigned long *out);

/* A domid as a request names one (0..65535). Returns 0 or -EINVAL. */
int wire_parse_domid(const char *s, unsigned *domid);

/* Xen's name for an errno value ("ENOENT"); EINVAL's for unknown ones. */
const char *wire_error_name(int err);

#endif /* XSD_WIRE_H */
