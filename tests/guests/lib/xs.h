/*
 * A small synchronous xenstore client over the guest's own ring, for test
 * guests that play a PV frontend (no watches: callers poll with
 * xs_wait_for). Paths are absolute or relative to the domain's home.
 */
#ifndef GUEST_XS_H
#define GUEST_XS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Map the ring (start_info's store_mfn); false if that fails. */
bool xs_init(void);
/* The mapped ring (after xs_init), for guests that test the ring itself. */
struct xenstore_domain_interface *xs_ring(void);
/* Raw bytes to and from the ring, waiting for room or data (false after
 * five seconds): for guests that speak the wire protocol themselves. */
bool xs_ring_put(const void *buf, size_t len);
bool xs_ring_get(void *buf, size_t len);
/* The value at path into buf (nul-terminated); false if absent or error. */
bool xs_read(const char *path, char *buf, size_t len);
bool xs_read_uint(const char *path, uint64_t *v);
bool xs_write(const char *path, const char *value);
bool xs_printf(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool xs_rm(const char *path);
/* Poll path until it reads as want or timeout_ns pass. */
bool xs_wait_for(const char *path, const char *want, uint64_t timeout_ns);

#endif /* GUEST_XS_H */
