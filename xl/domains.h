/*
 * The running domains: every monitor that answers on a dom<N>.ctl socket
 * of the run directory, plus Domain-0 (the host).
 */
#ifndef XL_DOMAINS_H
#define XL_DOMAINS_H

#include <stddef.h>

#include "ctl.h"

/* Guest domains, sorted by domid (*out malloc'd). 0 or -errno. A socket
 * whose monitor does not answer (sensibly) is skipped. */
int domains_list(struct ctl_info **out, size_t *n);

/*
 * A domain by name or by id, as Xen's xl accepts either ("0" and
 * "Domain-0" are the host). 0 and *info, or -ENOENT.
 */
int domain_lookup(const char *qualifier, struct ctl_info *info);

/* domain_lookup(), or Xen's message and exit(1). */
unsigned int find_domain(const char *qualifier, struct ctl_info *info);

/* Send req to guest domain d. On failure prints why ("xl: <what> domain N
 * failed: ...") and returns -errno. */
int domain_request(const struct ctl_info *d, enum ctl_request req, const char *what);

/* Refuse (with a message) to act on Domain-0, the host: 1 if d is it. */
int domain_is_host(const struct ctl_info *d, const char *verb);

#endif /* XL_DOMAINS_H */
