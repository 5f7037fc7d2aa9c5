/*
 * Backends' access to the pages a domain grants to dom0 (grant table v1).
 *
 * API in one line: grant_map() checks a grant (type, domid 0, read-only vs
 * write, frame in the domain's RAM and, for writing, not a page table),
 * pins it with Xen's GTF_reading/GTF_writing bookkeeping and gives a host
 * pointer to the page; grant_unmap() drops the pin; grant_copy_from/to()
 * do both around one copy within the page.
 *
 * On Xen a backend maps the grant into its own address space; here the
 * monitor already maps all guest RAM, so "mapping" is the check and the
 * pin. Pins are counted per reference, as Xen's active entries count them:
 * the flags are set on the first pin and cleared when the last goes. The
 * guest may race us on the entry; the flags are changed with compare-and-
 * exchange on the flags+domid word and a few retries, as Xen does.
 *
 * Any thread. grant_access_init/destroy on the event-loop thread while no
 * backend runs.
 */
#ifndef MONITOR_BACKEND_GRANT_ACCESS_H
#define MONITOR_BACKEND_GRANT_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/grant_table.h>

#include "../domain.h"

/* The domain the backends act as: the host plays dom0. */
#define GRANT_BACKEND_DOMID 0

/* Allocate / free the pin counts of d. 0 or -1 (out of memory). */
int grant_access_init(struct domain *d);
void grant_access_destroy(struct domain *d);

/* GNTST_okay (0) and *page, or a GNTST_* error: GNTST_bad_gntref (ref
 * beyond the table), GNTST_general_error (not a grant to dom0, write to a
 * read-only grant, the guest kept changing the entry), GNTST_bad_page
 * (frame outside RAM, or a page-table frame for writing). */
int grant_map(struct domain *d, grant_ref_t ref, bool write, void **page);
/* Drop one pin taken by grant_map with the same write flag. */
void grant_unmap(struct domain *d, grant_ref_t ref, bool write);

/* Copy len bytes at off in the granted page; GNTST_bad_copy_arg if
 * off + len passes the page end, else as grant_map. */
int grant_copy_from(struct domain *d, grant_ref_t ref, uint32_t off, void *dst, size_t len);
int grant_copy_to(struct domain *d, grant_ref_t ref, uint32_t off, const void *src, size_t len);

#endif /* MONITOR_BACKEND_GRANT_ACCESS_H */
