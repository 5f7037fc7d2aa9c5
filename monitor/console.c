/*
 * The PV console backend: the guest's console ring, its log, and the
 * clients attached by `xl console`. Everything but console_io_output runs
 * on the event-loop thread and never blocks: a client that cannot take
 * more output within CONSOLE_BUFFER bytes loses its oldest bytes, and input
 * is read from clients only as far as the guest's input ring has room.
 */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eventloop.h"
#include "pv/evtchn.h"

/* ---- the ring ------------------------------------------------------------- */

#define OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE sizeof(((struct xencons_interface *)0)->in)

/*
 * The guest reads and writes the page concurrently. Each index is loaded
 * once; the producer index with acquire, so that the bytes it covers are
 * read after it, and the consumer index is published with release, so that
 * the guest sees it only after we are done with those bytes (Xen's mb()).
 */
size_t xencons_read_output(struct xencons_interface *r, char *dst, size_t cap, bool *bad)
{
	XENCONS_RING_IDX prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_RELAXED);
	XENCONS_RING_IDX avail = prod - cons;
	size_t n = 0;

	if (avail > OUT_SIZE) {
		*bad = true;
		__atomic_store_n(&r->out_cons, prod, __ATOMIC_RELEASE);
		return 0;
	}
	while (n < avail && n < cap) {
		size_t off = MASK_XENCONS_IDX(cons + (XENCONS_RING_IDX)n, r->out);
		size_t run = OUT_SIZE - off;

		if (run > avail - n)
			run = avail - n;
		if (run > cap - n)
			run = cap - n;
		memcpy(dst + n, r->out + off, run);
		n += run;
	}
	__atomic_store_n(&r->out_cons, cons + (XENCONS_RING_IDX)n, __ATOMIC_RELEASE);
	return n;
}

size_t xencons_input_space(const struct xencons_interface *r, bool *bad)
{
	XENCONS_RING_IDX cons = __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX prod = __atomic_load_n(&r->in_prod, __ATOMIC_RELAXED);
	XENCONS_RING_IDX used = prod - cons;

	if (used > IN_SIZE) {
		*bad = true;
		return 0;
	}
	return IN_SIZE - used;
}

size_t xencons_write_input(struct xencons_interface *r, const char *src, size_t len)
{
	XENCONS_RING_IDX cons = __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX prod = __atomic_load_n(&r->in_prod, __ATOMIC_RELAXED);
	XENCONS_RING_IDX used = prod - cons;
	size_t n = 0;

	if (used > IN_SIZE)
		return 0;
	if (len > IN_SIZE - used)
		len = IN_SIZE - used;
	while (n < len) {
		size_t off = MASK_XENCONS_IDX(prod + (XENCONS_RING_IDX)n, r->in);
		size_t run = IN_SIZE - off;

		if (run > len - n)
			run = len - n;
		memcpy(r->in + off, src + n, run);
		n += run;
	}
	__atomic_store_n(&r->in_prod, prod + (XENCONS_RING_IDX)n, __ATOMIC_RELEASE);
	return n;
}

/* ---- byte fifo -------------------------------------------------------------- */

int byte_fifo_init(struct byte_fifo *f, size_t cap)
{
	memset(f, 0, sizeof(*f));
	f->buf = malloc(cap);
	if (!f->buf)
		return -1;
	f->cap = cap;
	return 0;
}

void byte_fifo_free(struct byte_fifo *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

void byte_fifo_consume(struct byte_fifo *f, size_t n)
{
	if (n > f->len)
		n = f->len;
	f->head = (f->head + n) % f->cap;
	f->len -= n;
	if (!f->len)
		f->head = 0;
}

void byte_fifo_put(struct byte_fifo *f, const char *p, size_t n)
{
	if (n > f->cap) {
		/* only the newest cap bytes can survive */
		f->dropped += n - f->cap;
		p += n - f->cap;
		n = f->cap;
	}
	if (f->len + n > f->cap) {
		size_t lose = f->len + n - f->cap;

		f->dropped += lose;
		byte_fifo_consume(f, lose);
	}
	while (n) {
		size_t tail = (f->head + f->len) % f->cap;
		size_t run = f->cap - tail;

		if (run > n)
			run = n;
		memcpy(f->buf + tail, p, run);
		f->len += run;
		p += run;
		n -= run;
	}
}

size_t byte_fifo_peek(const struct byte_fifo *f, const char **p)
{
	size_t run = f->cap - f->head;

	*p = f->buf + f->head;
	return f->len < run ? f->len : run;
}

void byte_fifo_move(struct byte_fifo *dst, struct byte_fifo *src)
{
	const char *p;
	size_t n;

	while ((n = byte_fifo_peek(src, &p)) != 0) {
		byte_fifo_put(dst, p, n);
		byte_fifo_consume(src, n);
	}
}

/* ---- the backend ---------------------------------------------------------------- */

struct console_client {
	struct console *c;
	int fd;
	struct byte_fifo out;	/* output the client has not taken yet */
	uint32_t events;	/* what the event loop watches for it */
	bool dead;
	struct console_client *next;
};

/* A console_io line being assembled: Xen keeps 256 bytes per domain. */
struct io_line {
	char s[256];
	size_t len;
};

struct console {
	struct domain *d;	/* NULL while unbound */
	struct xencons_interface *ring;
	uint32_t port;
	int log_fd;
	int notify_fd;		/* eventfd: the guest notified the console port */
	struct byte_fifo unread;
	struct console_client *clients;
	bool input_stalled;	/* the guest's input ring was full */
	bool warned_ring;

	pthread_mutex_t io_lock;	/* io_line, written from vCPU threads */
	struct io_line io_line;
};

static void log_output(struct console *c, const char *p, size_t n)
{
	while (c->log_fd >= 0 && n) {
		ssize_t w = write(c->log_fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			mlog_once(c->d, "console log write failed: %s", w ? strerror(errno) : "short");
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void client_update(struct console_client *cl)
{
	uint32_t ev = cl->out.len ? EPOLLOUT : 0;

	if (!cl->c->input_stalled)
		ev |= EPOLLIN;
	if (ev != cl->events && ev_mod(cl->fd, ev) == 0)
		cl->events = ev;
}

static void client_flush(struct console_client *cl)
{
	const char *p;
	size_t n;

	while ((n = byte_fifo_peek(&cl->out, &p)) != 0) {
		ssize_t w = send(cl->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				cl->dead = true;
			break;
		}
		byte_fifo_consume(&cl->out, (size_t)w);
	}
}

static void client_send(struct console_client *cl, const char *p, size_t n)
{
	byte_fifo_put(&cl->out, p, n);
	client_flush(cl);
}

static void client_close(struct console_client *cl)
{
	ev_del(cl->fd);
	close(cl->fd);
	byte_fifo_free(&cl->out);
	free(cl);
}

/* Close the clients that failed; update what the loop watches for the rest. */
static void reap_clients(struct console *c)
{
	for (struct console_client **p = &c->clients; *p;) {
		struct console_client *cl = *p;

		if (cl->dead) {
			*p = cl->next;
			client_close(cl);
			continue;
		}
		client_update(cl);
		p = &cl->next;
	}
}

/* Guest output: to the log, to every client, or kept for the next one. */
static void emit(struct console *c, const char *p, size_t n)
{
	log_output(c, p, n);
	if (!c->clients) {
		byte_fifo_put(&c->unread, p, n);
		return;
	}
	for (struct console_client *cl = c->clients; cl; cl = cl->next)
		client_send(cl, p, n);
}

static void warn_ring(struct console *c)
{
	if (!c->warned_ring)
		mlog(c->d, "console ring indices are inconsistent: the guest's ring was reset");
	c->warned_ring = true;
}

static void notify_guest(struct console *c)
{
	evtchn_host_notify(c->d, c->port);
}

/* Feed the input ring from one client, as far as it has room. */
static void client_input(struct console_client *cl)
{
	struct console *c = cl->c;
	bool bad = false;
	size_t space = c->ring ? xencons_input_space(c->ring, &bad) : 0;
	char buf[IN_SIZE];
	ssize_t n;

	if (bad)
		warn_ring(c);
	if (space == 0) {
		/* Stop reading clients until the guest has taken some input. */
		c->input_stalled = true;
		return;
	}
	n = read(cl->fd, buf, space < sizeof(buf) ? space : sizeof(buf));
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		cl->dead = true;
		return;
	}
	if (n > 0 && xencons_write_input(c->ring, buf, (size_t)n) > 0)
		notify_guest(c);
}

static void client_event(void *arg, uint32_t events)
{
	struct console_client *cl = arg;
	struct console *c = cl->c;

	if (events & EPOLLIN)
		client_input(cl);
	if (events & EPOLLOUT)
		client_flush(cl);
	if ((events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN))
		cl->dead = true;
	reap_clients(c);
}

void console_poll(struct console *c)
{
	char buf[OUT_SIZE];
	bool bad = false, took = false;
	size_t n;

	if (!c->ring)
		return;
	while ((n = xencons_read_output(c->ring, buf, sizeof(buf), &bad)) != 0) {
		emit(c, buf, n);
		took = true;
	}
	if (bad)
		warn_ring(c);
	if (took)
		notify_guest(c);	/* there is room for more output */
	if (c->input_stalled && xencons_input_space(c->ring, &bad) > 0)
		c->input_stalled = false;
	reap_clients(c);
}

static void notify_event(void *arg, uint32_t events)
{
	struct console *c = arg;
	uint64_t v;

	(void)events;
	if (read(c->notify_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		mlog_once(c->d, "console notification read failed: %s", strerror(errno));
	console_poll(c);
}

/* Runs on the vCPU thread that sent on the console port. */
static void guest_notified(void *arg)
{
	struct console *c = arg;

	if (eventfd_write(c->notify_fd, 1) < 0)
		mlog_once(c->d, "console notification failed: %s", strerror(errno));
}

struct console *console_create(struct domain *d, const char *log_dir, char *err, size_t errlen)
{
	struct console *c = calloc(1, sizeof(*c));
	char path[4096];

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->log_fd = c->notify_fd = -1;
	pthread_mutex_init(&c->io_lock, NULL);
	if (byte_fifo_init(&c->unread, CONSOLE_BUFFER) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/console-%s.log", log_dir, d->name);
	c->log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (c->log_fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	c->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->notify_fd < 0 || ev_add(c->notify_fd, EPOLLIN, notify_event, c) < 0) {
		snprintf(err, errlen, "console event: %s", strerror(errno));
		goto fail;
	}
	return c;
fail:
	if (c->notify_fd >= 0)
		close(c->notify_fd);
	if (c->log_fd >= 0)
		close(c->log_fd);
	byte_fifo_free(&c->unread);
	free(c);
	return NULL;
}

int console_bind(struct console *c, struct domain *d, char *err, size_t errlen)
{
	struct xencons_interface *ring = gpa_range(d, d->console_pfn << PAGE_SHIFT, PAGE_SIZE);

	if (!ring) {
		snprintf(err, errlen, "console page %#llx is not guest memory",
			 (unsigned long long)d->console_pfn);
		return -1;
	}
	if (evtchn_host_bind(d, d->console_evtchn, guest_notified, c) < 0) {
		snprintf(err, errlen, "cannot bind the console event channel %u", d->console_evtchn);
		return -1;
	}
	c->d = d;
	c->ring = ring;
	c->port = d->console_evtchn;
	c->input_stalled = false;
	c->warned_ring = false;
	c->io_line.len = 0;
	d->console = c;
	reap_clients(c);
	return 0;
}

void console_unbind(struct console *c)
{
	if (!c || !c->ring)
		return;
	console_poll(c);
	c->d->console = NULL;
	c->ring = NULL;
	c->d = NULL;
}

void console_destroy(struct console *c)
{
	if (!c)
		return;
	console_unbind(c);
	while (c->clients) {
		struct console_client *cl = c->clients;

		c->clients = cl->next;
		client_flush(cl);
		client_close(cl);
	}
	ev_del(c->notify_fd);
	close(c->notify_fd);
	close(c->log_fd);
	byte_fifo_free(&c->unread);
	pthread_mutex_destroy(&c->io_lock);
	free(c);
}

int console_attach(struct console *c, int fd)
{
	struct console_client *cl = calloc(1, sizeof(*cl));
	int fl = fcntl(fd, F_GETFL);

	if (!cl || fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    byte_fifo_init(&cl->out, CONSOLE_BUFFER) < 0)
		goto fail;
	cl->c = c;
	cl->fd = fd;
	cl->events = c->input_stalled ? 0 : EPOLLIN;
	if (ev_add(fd, cl->events, client_event, cl) < 0)
		goto fail;
	byte_fifo_move(&cl->out, &c->unread);
	cl->next = c->clients;
	c->clients = cl;
	client_flush(cl);
	reap_clients(c);
	return 0;
fail:
	if (cl)
		byte_fifo_free(&cl->out);
	free(cl);
	close(fd);
	return -1;
}

/* ---- console_io output ------------------------------------------------------------ */

static void io_line_flush(struct domain *d, struct io_line *l)
{
	l->s[l->len] = '\0';
	l->len = 0;
	mlog_guest_line(d, l->s);
}

/* Printable characters and tabs are kept, as Xen's is_console_printable. */
static bool io_printable(unsigned char ch)
{
	return (ch >= 0x20 && ch < 0x7f) || ch == '\t';
}

static void io_line_feed(struct domain *d, struct io_line *l, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			io_line_flush(d, l);
			continue;
		}
		if (!io_printable((unsigned char)p[i]))
			continue;
		l->s[l->len++] = p[i];
		if (l->len == sizeof(l->s) - 1)
			io_line_flush(d, l);
	}
}

void console_io_output(struct domain *d, const char *p, size_t n)
{
	struct console *c = d->console;
	struct io_line local = {.len = 0};

	if (!c) {
		/* no backend (yet): lines end with the call */
		io_line_feed(d, &local, p, n);
		if (local.len)
			io_line_flush(d, &local);
		return;
	}
	pthread_mutex_lock(&c->io_lock);
	io_line_feed(d, &c->io_line, p, n);
	pthread_mutex_unlock(&c->io_lock);
}
