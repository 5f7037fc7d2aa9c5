/* The daemon's log: stderr in the foreground, a file (-T) otherwise. */
#ifndef XSD_LOG_H
#define XSD_LOG_H

#include <stdbool.h>

/* Opens path for appending (NULL: stderr). Returns 0 or -errno. */
int log_open(const char *path);
/* Reopens the same file (after SIGHUP or log rotation). */
void log_reopen(void);
void log_close(void);
void log_set_trace(bool on);
bool log_trace_enabled(void);

void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Per-request tracing, only written when enabled (-V or CONTROL log on). */
void log_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* XSD_LOG_H */
