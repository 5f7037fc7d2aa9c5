/* HYPERVISOR_xen_version (the version itself: include/xeno/version.h). */
#ifndef MONITOR_PV_XEN_VERSION_H
#define MONITOR_PV_XEN_VERSION_H

#include "../domain.h"

long do_xen_version(struct vcpu *v, const uint64_t arg[5]);

#endif
