#ifndef MONITOR_PV_DEBUGREG_H
#define MONITOR_PV_DEBUGREG_H

#include "../domain.h"

long do_set_debugreg(struct vcpu *v, const uint64_t arg[5]);
long do_get_debugreg(struct vcpu *v, const uint64_t arg[5]);

#endif
