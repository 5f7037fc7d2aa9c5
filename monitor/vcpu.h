/* The vCPU threads: run guest code, dispatch its exits, block and wake. */
#ifndef MONITOR_VCPU_H
#define MONITOR_VCPU_H

#include "domain.h"

/* Start a thread for every online vCPU (paused ones wait). 0 or -1. */
int vcpus_start(struct domain *d);
/* Stop all vCPU threads and wait for them (domain destroy/shutdown). */
void vcpus_stop(struct domain *d);
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);

#endif /* MONITOR_VCPU_H */
