#ifndef MONITOR_PV_XEN_VERSION_H
#define MONITOR_PV_XEN_VERSION_H

#include "../domain.h"

#define XENO_XEN_MAJOR 4
#define XENO_XEN_MINOR 17
#define XENO_XEN_EXTRA ".0-xeno"

long do_xen_version(struct vcpu *v, const uint64_t arg[5]);

#endif
