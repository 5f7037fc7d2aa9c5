/*
 * The control socket $XENO_RUN_DIR/dom<ID>.ctl (docs/architecture.md,
 * "xl ⇄ monitor"), served on the event loop with lib/ctl.h's server half.
 */
#ifndef MONITOR_CONTROL_H
#define MONITOR_CONTROL_H

#include <stddef.h>

#include "domain.h"

struct console;

/* Listen on dom<d->domid>.ctl. 0, or -1 with a reason in err. */
int control_open(struct domain *d, struct console *con, char *err, size_t errlen);
/* Close every connection and remove the socket; safe to call twice. */
void control_close(void);

#endif /* MONITOR_CONTROL_H */
