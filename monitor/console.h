/*
 * The guest's PV console: Xen's console ring page and its event channel,
 * with the monitor as the backend (what xenconsoled is on Xen). Output is
 * appended to $XENO_LOG_DIR/console-<name>.log and sent to every client
 * attached through the control socket (`xl console`); what nobody has read
 * yet is kept (the last CONSOLE_BUFFER bytes) for the next client. Input
 * from clients goes into the ring.
 *
 * Also here: the line assembly of CONSOLEIO_write output (pv/console_io.c),
 * which goes to the hypervisor log, where Xen prints a domU's console_io.
 */
#ifndef MONITOR_CONSOLE_H
#define MONITOR_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/console.h>

#include "domain.h"

/* Output kept for clients that attach later, and the most that one slow
 * client may fall behind before its oldest bytes are dropped. */
#define CONSOLE_BUFFER (64 * 1024)

/* ---- the ring, without I/O ------------------------------------------------
 * The page is shared with the guest, which may write anything into it at
 * any time: every index is read once and checked before use. */

/* Copy what the guest produced in out[] into dst (at most cap bytes) and
 * advance out_cons. If the indices claim more than the ring holds, nothing
 * is copied, out_cons is set to out_prod so that later output flows again,
 * and *bad is set. Returns the bytes copied. */
size_t xencons_read_output(struct xencons_interface *r, char *dst, size_t cap, bool *bad);
/* Free space in in[]; 0 if the indices are inconsistent (*bad set then). */
size_t xencons_input_space(const struct xencons_interface *r, bool *bad);
/* Put up to len bytes into in[] and advance in_prod; returns bytes taken. */
size_t xencons_write_input(struct xencons_interface *r, const char *src, size_t len);

/* ---- a bounded byte queue that drops its oldest bytes when full ---------- */
struct byte_fifo {
	char *buf;
	size_t cap, head, len;
	uint64_t dropped;	/* bytes lost to overflow, ever */
};

int byte_fifo_init(struct byte_fifo *f, size_t cap);	/* 0 or -1 (ENOMEM) */
void byte_fifo_free(struct byte_fifo *f);
void byte_fifo_put(struct byte_fifo *f, const char *p, size_t n);
/* The contiguous run at the front: its length, *p set to it. */
size_t byte_fifo_peek(const struct byte_fifo *f, const char **p);
void byte_fifo_consume(struct byte_fifo *f, size_t n);
/* Move everything from src to the end of dst; src is left empty. */
void byte_fifo_move(struct byte_fifo *dst, struct byte_fifo *src);

/* ---- the backend ------------------------------------------------------------ */
struct console;

/* Open console-<d->name>.log in log_dir; not yet bound to a ring. */
struct console *console_create(struct domain *d, const char *log_dir, char *err, size_t errlen);
/* Serve d's ring (d->console_pfn) and event channel (d->console_evtchn);
 * sets d->console. Called after every domain_build. 0 or -1 (err set). */
int console_bind(struct console *c, struct domain *d, char *err, size_t errlen);
/* Take the guest's last output, then stop using its ring (before
 * domain_teardown). Attached clients stay for a restarted domain. */
void console_unbind(struct console *c);
/* Unbind, give clients what they can take without waiting, close all. */
void console_destroy(struct console *c);
/* A control-socket client asked for `console`: fd becomes a raw two-way
 * stream (made non-blocking here). Buffered output is sent first. The
 * console owns fd from now on, also on failure. 0 or -1. */
int console_attach(struct console *c, int fd);
/* Read the ring now (the guest's notification; also used by tests). */
void console_poll(struct console *c);

/* CONSOLEIO_write output, from any vCPU thread: assembled into lines (at
 * most 255 characters; non-printable characters dropped, as Xen does for a
 * domU), each written to the hypervisor log as "(d<N>) <line>" (`xl dmesg`).
 * As on Xen it does not reach the console stream: guests such as XTF's
 * write every line to both, and `xl console` shows the ring's copy. */
void console_io_output(struct domain *d, const char *p, size_t n);

/* ---- logging (log.c): mlog() and the hypervisor log ---------------------- */
/* Open <log_dir>/hypervisor.log (created if needed; the directory too).
 * Until then, and if it fails, mlog writes to stderr only. 0 or -1. */
int mlog_init(unsigned int domid, const char *log_dir);
/* One line the guest printed through console_io, to the hypervisor log. */
void mlog_guest_line(struct domain *d, const char *line);

#endif /* MONITOR_CONSOLE_H */
