#ifndef MONITOR_PV_GRANT_TABLE_H
#define MONITOR_PV_GRANT_TABLE_H

#include "../domain.h"

long do_grant_table_op(struct vcpu *v, const uint64_t arg[5]);

#endif
