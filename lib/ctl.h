/*
 * The monitor control socket (docs/architecture.md, "xl ⇄ monitor"):
 * $XENO_RUN_DIR/dom<ID>.ctl, one request line per connection, answered with
 * lines. The client half is what xl uses; the server half is for the
 * monitor, whose event loop must never block, so every server helper works
 * on non-blocking sockets.
 *
 * All functions return 0 (or a documented non-negative value) on success
 * and a negative errno value on failure; none of them exits or prints.
 */
#ifndef LIB_CTL_H
#define LIB_CTL_H

#include <stddef.h>
#include <stdint.h>

/* Longest request or answer line, newline included. */
#define CTL_LINE_MAX 256
/* Longest domain name, NUL included. */
#define CTL_NAME_MAX 128
/* Guest domids are 1 .. CTL_DOMID_MAX (Xen's DOMID_FIRST_RESERVED - 1). */
#define CTL_DOMID_MAX 0x7fefu
/* How long a client waits for a monitor's answer. */
#define CTL_CLIENT_TIMEOUT_MS 5000

/* $XENO_RUN_DIR, else /run/xeno. */
const char *ctl_run_dir(void);
/* $XENO_LOG_DIR, else /var/log/xeno. */
const char *ctl_log_dir(void);
/* <run dir>/dom<domid>.ctl into buf; -ENAMETOOLONG if it does not fit a
 * Unix socket address (or buf). */
int ctl_socket_path(unsigned int domid, char *buf, size_t len);

/* ---- requests ---------------------------------------------------------- */

/*
 * Requests with an argument, for devices ("vif-attach <spec>", "vif-detach
 * <devid|mac>", "vif-list"): the answer is "ok", "error <message>", or
 * lines ending with "end". 0 with the lines (without "end") in out, or
 * -EREMOTEIO with the message in err, or -errno.
 */
int ctl_call_text(unsigned int domid, const char *line, char *out, size_t outlen, char *err,
		  size_t errlen);


enum ctl_request {
	CTL_REQ_INFO,
	CTL_REQ_PAUSE,
	CTL_REQ_UNPAUSE,
	CTL_REQ_SHUTDOWN_POWEROFF,
	CTL_REQ_SHUTDOWN_REBOOT,
	CTL_REQ_DESTROY,
	CTL_REQ_CONSOLE,
};

/* The wire text of a request, without newline ("shutdown reboot"). */
const char *ctl_request_text(enum ctl_request req);
/* Parse one request line (newline already stripped); -EINVAL if unknown. */
int ctl_parse_request(const char *line, enum ctl_request *req);

/* The answer to `info`. state is Xen's six letters r b p s <reason> d,
 * '-' where a flag is clear. */
struct ctl_info {
	unsigned int domid;
	char name[CTL_NAME_MAX];
	char state[7];
	uint64_t memory_kib;
	uint64_t max_memory_kib;
	unsigned int vcpus;
	unsigned int online_vcpus;
	uint64_t cpu_time_ns;
	int pid;
};

/* Apply one `key value` line of an info answer to info. Unknown keys are
 * ignored (1 is returned) so that monitors may add keys; a known key with
 * a malformed value is -EPROTO. */
int ctl_info_parse_line(struct ctl_info *info, const char *line);

/* ---- client (xl) ------------------------------------------------------- */

/* Connect to domain domid's socket, with CTL_CLIENT_TIMEOUT_MS send and
 * receive timeouts. -ENOENT or -ECONNREFUSED: no monitor answers there. */
int ctl_connect(unsigned int domid);
/* Whether a monitor answers on dom<domid>.ctl: 1 yes, 0 no (no socket, or
 * a stale one), negative errno when that cannot be told (kept "in use" by
 * careful callers). */
int ctl_domid_answers(unsigned int domid);

/* Send req and read its one-line answer. "ok" is 0; "error <msg>" is
 * -EREMOTEIO with <msg> copied into err (if err is not NULL). */
int ctl_call(unsigned int domid, enum ctl_request req, char *err, size_t errlen);
/* `info`, parsed into info. */
int ctl_get_info(unsigned int domid, struct ctl_info *info);
/* `console`: on success the returned fd is the raw two-way console stream,
 * blocking and without timeouts. Errors as for ctl_call. */
int ctl_console_open(unsigned int domid, char *err, size_t errlen);

/* Read one line from a blocking fd, byte by byte so that nothing after the
 * newline is consumed. The newline is stripped. -EPIPE on EOF before any
 * byte, -EPROTO on EOF inside a line, -EMSGSIZE if longer than len - 1. */
int ctl_read_line(int fd, char *buf, size_t len);

/* Wait for the monitor's ready line on fd (the read end of --ready-fd).
 * "ok" is 0; "error <msg>" is -EREMOTEIO with <msg> in err; EOF without a
 * line (the monitor died) is -EPIPE. */
int ctl_ready_wait(int fd, char *err, size_t errlen);

/* ---- server (monitor) -------------------------------------------------- */

/* Create the run directory if needed, remove a stale dom<domid>.ctl, and
 * listen there (non-blocking, close-on-exec). -EADDRINUSE if a live
 * monitor already answers on that socket. */
int ctl_listen(unsigned int domid);
/* Remove dom<domid>.ctl (at exit). */
void ctl_unlink(unsigned int domid);
/* Accept a client: non-blocking, close-on-exec. -EAGAIN when none waits. */
int ctl_accept(int listen_fd);

/* Collects one request line from a non-blocking client. It never reads past
 * the newline, so bytes a client sends after `console` stay in the socket
 * for the console stream. */
struct ctl_reader {
	char buf[CTL_LINE_MAX];
	size_t len;
};
/* Read what is available. 1: a full line is in r->buf (NUL-terminated,
 * newline stripped); 0: more is needed (EAGAIN); -EMSGSIZE: the line is too
 * long; -ECONNRESET: the client closed first; other negative errno. */
int ctl_reader_feed(struct ctl_reader *r, int fd);

/* Answers. They write the whole answer or fail (-EAGAIN only if the client
 * has not drained a full socket buffer within a second). msg is sent on one
 * line: any control character in it is replaced by a space. */
int ctl_send_ok(int fd);
int ctl_send_error(int fd, const char *msg);
int ctl_send_info(int fd, const struct ctl_info *info);
/* Any one line (control characters become spaces; cut at CTL_LINE_MAX). */
int ctl_send_line(int fd, const char *line);
/* Client: connect to domid and send one request line of free form (the
 * requests with arguments, such as block-attach). *fd is the connection
 * to read the answer from (ctl_read_line) and close. -ENAMETOOLONG if the
 * line does not fit CTL_LINE_MAX. */
int ctl_call_line(unsigned int domid, const char *line, int *fd);

/* Write the ready line to the --ready-fd descriptor and close it:
 * "ok" when errmsg is NULL, else "error <errmsg>". The descriptor is a
 * pipe, so a monitor whose xl died gets SIGPIPE unless it ignores it. */
int ctl_ready_send(int fd, const char *errmsg);

/* mkdir -p path (mode 0755), for the run and log directories. 0 or -errno. */
int ctl_mkdirs(const char *path);

#endif /* LIB_CTL_H */
