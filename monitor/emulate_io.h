/* Port I/O by a PV guest, as Xen emulates it (virtual IOPL, I/O bitmap). */
#ifndef MONITOR_EMULATE_IO_H
#define MONITOR_EMULATE_IO_H

#include "domain.h"

/* A #GP at an in/out, cli or sti instruction: if the guest's virtual IOPL or its I/O
 * bitmap allows the access, complete it (a domU owns no ports: reads give
 * all ones, writes are dropped) and return true. */
bool emulate_port_io(struct vcpu *v);
/* Whether the guest may touch ports [port, port + bytes) (Xen's
 * guest_io_okay): virtual IOPL first, then the registered I/O bitmap. */
bool guest_io_okay(struct vcpu *v, unsigned int port, unsigned int bytes);

#endif
