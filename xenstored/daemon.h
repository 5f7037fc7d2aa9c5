/* Running the daemon: options, start-up, the event loop, shutdown. */
#ifndef XSD_DAEMON_H
#define XSD_DAEMON_H

#include <stdbool.h>

#include "quota.h"

struct xsd_options {
	const char *socket_path; /* NULL: $XENSTORED_PATH, else Xen's /run/xenstored/socket */
	const char *state_dir;	 /* NULL: $XENO_STATE_DIR/xenstore, else /var/lib/xeno/xenstore */
	bool no_persist;	 /* keep the store in memory only */
	const char *pid_file;
	const char *log_file; /* NULL: stderr in the foreground, $XENO_LOG_DIR/xenstored.log otherwise */
	bool foreground;
	bool trace;
	unsigned reattach_timeout_s;
	struct quota quota;
};

void xsd_options_default(struct xsd_options *o);

/*
 * Starts the store and serves until SIGTERM or SIGINT. Unless in the
 * foreground, returns in the parent (0) once the socket accepts clients and
 * the daemon runs detached. Returns the process exit status.
 */
int xsd_daemon_main(const struct xsd_options *o);

#endif /* XSD_DAEMON_H */
