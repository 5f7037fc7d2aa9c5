/* HYPERVISOR_console_io (hypercall 18): Xen's emergency console. */
#ifndef MONITOR_PV_CONSOLE_IO_H
#define MONITOR_PV_CONSOLE_IO_H

#include "../domain.h"

/*
 * CONSOLEIO_write is allowed to a domU, as a Xen debug build
 * (CONFIG_VERBOSE_DEBUG) allows it: the text goes to the hypervisor log
 * line by line with a "(d<N>) " prefix (see console_io_output). Every other
 * command, CONSOLEIO_read included, is -EPERM for a domU as on Xen.
 */
long do_console_io(struct vcpu *v, const uint64_t arg[5]);

#endif /* MONITOR_PV_CONSOLE_IO_H */
