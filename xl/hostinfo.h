/*
 * The host, which plays Domain-0: what `xl info` and the Domain-0 line of
 * `xl list` report about it.
 */
#ifndef XL_HOSTINFO_H
#define XL_HOSTINFO_H

#include <stdint.h>
#include <sys/utsname.h>

#include "ctl.h"

struct host_facts {
	struct utsname uts;
	int nr_cpus; /* online */
	int max_cpu_id;
	int nr_nodes;
	int cores_per_socket;
	int threads_per_core;
	unsigned long cpu_khz; /* 0 if unknown */
	uint32_t hw_caps[8];   /* Xen's featureset words, from CPUID */
	uint64_t total_mib;    /* MemTotal */
	uint64_t free_mib;     /* MemAvailable */
};

void host_facts(struct host_facts *h);

/* Domain-0 as an `info` answer: all host memory and online CPUs, running,
 * with the host's non-idle CPU time. */
void host_dom0_info(struct ctl_info *info);

/* The GNU build id of the running xl as hex, or "" if it has none. */
void host_build_id(char *buf, size_t len);

#endif /* XL_HOSTINFO_H */
