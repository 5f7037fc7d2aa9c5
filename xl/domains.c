/*
 * Finding domains through their monitors' control sockets.
 */
#include "domains.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostinfo.h"

/* "dom<N>.ctl" -> N, or -1. */
static long socket_domid(const char *name)
{
	char *end;
	long id;

	if (strncmp(name, "dom", 3) || name[3] < '0' || name[3] > '9')
		return -1;
	id = strtol(name + 3, &end, 10);
	if (strcmp(end, ".ctl") || id < 1 || id > (long)CTL_DOMID_MAX)
		return -1;
	return id;
}

static int by_domid(const void *a, const void *b)
{
	const struct ctl_info *x = a, *y = b;

	return (x->domid > y->domid) - (x->domid < y->domid);
}

int domains_list(struct ctl_info **out, size_t *n)
{
	struct ctl_info *list = NULL, *grown;
	size_t count = 0, cap = 0;
	struct dirent *e;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(ctl_run_dir());
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		long id = socket_domid(e->d_name);

		if (id < 0)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				closedir(d);
				free(list);
				return -ENOMEM;
			}
			list = grown;
		}
		if (ctl_get_info((unsigned int)id, &list[count]) == 0)
			count++;
	}
	closedir(d);
	if (count)
		qsort(list, count, sizeof(*list), by_domid);
	*out = list;
	*n = count;
	return 0;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int domain_lookup(const char *qualifier, struct ctl_info *info)
{
	struct ctl_info *list;
	size_t n;
	int rc;

	if (all_digits(qualifier)) {
		unsigned long id = strtoul(qualifier, NULL, 10);

		if (id == 0) {
			host_dom0_info(info);
			return 0;
		}
		if (id > CTL_DOMID_MAX || ctl_get_info((unsigned int)id, info))
			return -ENOENT;
		return 0;
	}
	if (!strcmp(qualifier, "Domain-0")) {
		host_dom0_info(info);
		return 0;
	}
	rc = domains_list(&list, &n);
	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(list[i].name, qualifier)) {
			*info = list[i];
			rc = 0;
			break;
		}
	}
	free(list);
	return rc;
}

unsigned int find_domain(const char *qualifier, struct ctl_info *info)
{
	/* libxl's ERROR_INVAL, which Xen's xl prints here. */
	const int libxl_error_inval = -6;

	if (domain_lookup(qualifier, info)) {
		fprintf(stderr, "%s is an invalid domain identifier (rc=%d)\n", qualifier,
			libxl_error_inval);
		exit(EXIT_FAILURE);
	}
	return info->domid;
}

int domain_request(const struct ctl_info *d, enum ctl_request req, const char *what)
{
	char err[CTL_LINE_MAX];
	int rc = ctl_call(d->domid, req, err, sizeof(err));

	if (rc == -EREMOTEIO)
		fprintf(stderr, "xl: %s domain %u failed: %s\n", what, d->domid, err);
	else if (rc == -ENOENT || rc == -ECONNREFUSED)
		fprintf(stderr, "xl: %s domain %u failed: the domain is gone\n", what, d->domid);
	else if (rc)
		fprintf(stderr, "xl: %s domain %u failed: %s\n", what, d->domid, strerror(-rc));
	return rc;
}

int domain_is_host(const struct ctl_info *d, const char *verb)
{
	if (d->domid != 0)
		return 0;
	fprintf(stderr, "xl: Domain-0 is the host; xl cannot %s it.\n", verb);
	return 1;
}
