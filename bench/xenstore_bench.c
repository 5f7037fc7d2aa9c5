/*
 * xenstored's speed, as ratios to the physical limit measured in the same
 * run: operations per second and latency of READ, WRITE, DIRECTORY and a
 * transaction (start, read, write, commit), over the Unix socket and over a
 * guest's ring, each next to a bare echo server on the same kind of
 * channel (a Unix socket; a ring page in a memfd with two eventfds).
 *
 *   xenstore_bench [--xenstored PATH] [--seconds S] [--no-persist]
 *
 * PATH defaults to ../bin/xenstored next to this program. The daemon runs
 * on a private socket with its journal in a temporary directory (the
 * default configuration), or in memory with --no-persist.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "xs_client.h"

#define GUEST_DOMID 42
#define RING_MFN 3
#define MAX_SAMPLES 2000000

static double seconds = 1.0;
static uint64_t *samples;
static char tmpdir[] = "/tmp/xenstore-bench-XXXXXX";

/* Children die with the bench (PR_SET_PDEATHSIG); the directory goes at exit. */
static void remove_tmpdir(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "xenstore_bench: cannot remove %s\n", tmpdir);
}

static pid_t fork_child(void)
{
	pid_t pid = fork();

	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "xenstore_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- a channel: how one request/reply round trip is made ---- */

struct chan {
	/* Sends one message and waits for its reply (events skipped); returns the reply type. */
	uint32_t (*call)(struct chan *ch, uint32_t type, uint32_t tx, const void *p, uint32_t len,
			 char *reply);
	int fd;						/* socket */
	struct xenstore_domain_interface *intf;		/* ring */
	int to_store, to_guest;
};

static void write_all(int fd, const void *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p = (const char *)p + n;
		len -= (size_t)n;
	}
}

static void read_all(int fd, void *p, size_t len)
{
	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			die("read");
		}
		p = (char *)p + n;
		len -= (size_t)n;
	}
}

static uint32_t sock_call(struct chan *ch, uint32_t type, uint32_t tx, const void *p, uint32_t len,
			  char *reply)
{
	struct xsd_sockmsg hdr = {.type = type, .req_id = 1, .tx_id = tx, .len = len};
	char msg[sizeof(hdr) + XENSTORE_PAYLOAD_MAX];

	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), p, len);
	write_all(ch->fd, msg, sizeof(hdr) + len);
	do {
		read_all(ch->fd, &hdr, sizeof(hdr));
		read_all(ch->fd, reply, hdr.len);
		reply[hdr.len] = 0;
	} while (hdr.type == XS_WATCH_EVENT);
	return hdr.type;
}

static uint32_t ld(volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Writes a request into the ring, notifying the store; waits for room if needed. */
static void ring_put(struct chan *ch, const char *p, size_t len)
{
	struct xenstore_domain_interface *in = ch->intf;
	uint64_t one = 1, count;

	while (len) {
		uint32_t prod = in->req_prod;
		size_t n = 0;

		while (n < len && prod - ld(&in->req_cons) < XENSTORE_RING_SIZE)
			in->req[MASK_XENSTORE_IDX(prod++)] = p[n++];
		__atomic_store_n(&in->req_prod, prod, __ATOMIC_RELEASE);
		write_all(ch->to_store, &one, sizeof(one));
		p += n;
		len -= n;
		if (len)
			read_all(ch->to_guest, &count, sizeof(count));
	}
}

/* Takes one whole message from the ring, waiting for the store's events. */
static uint32_t ring_take(struct chan *ch, char *reply)
{
	struct xenstore_domain_interface *in = ch->intf;
	uint64_t one = 1, count;
	struct xsd_sockmsg hdr;

	for (;;) {
		uint32_t cons = in->rsp_cons, avail = ld(&in->rsp_prod) - cons;

		if (avail >= sizeof(hdr)) {
			for (size_t i = 0; i < sizeof(hdr); i++)
				((char *)&hdr)[i] = in->rsp[MASK_XENSTORE_IDX(cons + i)];
			if (hdr.len > XENSTORE_RING_SIZE - sizeof(hdr)) {
				fprintf(stderr, "xenstore_bench: reply larger than the ring\n");
				exit(1);
			}
			if (avail >= sizeof(hdr) + hdr.len) {
				for (size_t i = 0; i < hdr.len; i++)
					reply[i] = in->rsp[MASK_XENSTORE_IDX(cons + sizeof(hdr) + i)];
				reply[hdr.len] = 0;
				__atomic_store_n(&in->rsp_cons, cons + (uint32_t)sizeof(hdr) + hdr.len,
						 __ATOMIC_RELEASE);
				/* As a Linux guest does: tell the store there is room again. */
				write_all(ch->to_store, &one, sizeof(one));
				return hdr.type;
			}
		}
		read_all(ch->to_guest, &count, sizeof(count));
	}
}

static uint32_t ring_call(struct chan *ch, uint32_t type, uint32_t tx, const void *p, uint32_t len,
			  char *reply)
{
	struct xsd_sockmsg hdr = {.type = type, .req_id = 1, .tx_id = tx, .len = len};
	char msg[sizeof(hdr) + XENSTORE_PAYLOAD_MAX];
	uint32_t got;

	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), p, len);
	ring_put(ch, msg, sizeof(hdr) + len);
	while ((got = ring_take(ch, reply)) == XS_WATCH_EVENT)
		;
	return got;
}

/* ---- echo servers: the physical limit of each channel ---- */

static pid_t socket_echo(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	strcpy(sa.sun_path, path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0)
		die("echo socket");
	pid = fork_child();
	if (pid == 0) {
		int fd = accept(lfd, NULL, NULL);
		char buf[65536];

		/* Whatever comes goes back at once: no parsing, one read, one write. */
		for (;;) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n <= 0)
				_exit(0);
			write_all(fd, buf, (size_t)n);
		}
	}
	close(lfd);
	return pid;
}

static pid_t ring_echo(struct chan *ch)
{
	pid_t pid = fork_child();

	if (pid == 0) {
		struct xenstore_domain_interface *in = ch->intf;
		uint64_t count, one = 1;

		/* What a store does with the ring at the least: move the bytes back. */
		for (;;) {
			uint32_t cons = in->req_cons, prod, rp;

			read_all(ch->to_store, &count, sizeof(count));
			prod = ld(&in->req_prod);
			rp = in->rsp_prod;
			if (cons == prod)
				continue;
			while (cons != prod && rp - ld(&in->rsp_cons) < XENSTORE_RING_SIZE)
				in->rsp[MASK_XENSTORE_IDX(rp++)] = in->req[MASK_XENSTORE_IDX(cons++)];
			__atomic_store_n(&in->rsp_prod, rp, __ATOMIC_RELEASE);
			__atomic_store_n(&in->req_cons, cons, __ATOMIC_RELEASE);
			write_all(ch->to_guest, &one, sizeof(one));
		}
	}
	return pid;
}

/* ---- measurements ---- */

struct result {
	double ops, p50_us, p99_us;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Runs op for the configured time; each call is one operation. */
static struct result measure(void (*op)(struct chan *, void *), struct chan *ch, void *arg)
{
	uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), t = start;
	size_t n = 0;
	struct result r;

	for (int i = 0; i < 200; i++)
		op(ch, arg); /* warm up */
	start = now_ns();
	end = start + (uint64_t)(seconds * 1e9);
	while (t < end && n < MAX_SAMPLES) {
		uint64_t t0 = now_ns();

		op(ch, arg);
		t = now_ns();
		samples[n++] = t - t0;
	}
	qsort(samples, n, sizeof(*samples), cmp_u64);
	r.ops = (double)n / ((double)(t - start) / 1e9);
	r.p50_us = (double)samples[n / 2] / 1000.0;
	r.p99_us = (double)samples[n * 99 / 100] / 1000.0;
	return r;
}

struct op_arg {
	const char *path; /* read, write, directory */
	const char *dir;
};

static void expect(uint32_t got, uint32_t want, const char *what, const char *reply)
{
	if (got != want) {
		fprintf(stderr, "xenstore_bench: %s failed: %s\n", what, reply);
		exit(1);
	}
}

static void op_echo(struct chan *ch, void *arg)
{
	struct op_arg *a = arg;
	char reply[XENSTORE_PAYLOAD_MAX + 1];

	ch->call(ch, XS_READ, 0, a->path, (uint32_t)strlen(a->path) + 1, reply);
}

static void op_read(struct chan *ch, void *arg)
{
	struct op_arg *a = arg;
	char reply[XENSTORE_PAYLOAD_MAX + 1];

	expect(ch->call(ch, XS_READ, 0, a->path, (uint32_t)strlen(a->path) + 1, reply), XS_READ,
	       "READ", reply);
}

static void op_write(struct chan *ch, void *arg)
{
	struct op_arg *a = arg;
	char msg[256], reply[XENSTORE_PAYLOAD_MAX + 1];
	size_t pl = strlen(a->path) + 1;

	memcpy(msg, a->path, pl);
	memcpy(msg + pl, "0123456789", 10);
	expect(ch->call(ch, XS_WRITE, 0, msg, (uint32_t)pl + 10, reply), XS_WRITE, "WRITE", reply);
}

static void op_directory(struct chan *ch, void *arg)
{
	struct op_arg *a = arg;
	char reply[XENSTORE_PAYLOAD_MAX + 1];

	expect(ch->call(ch, XS_DIRECTORY, 0, a->dir, (uint32_t)strlen(a->dir) + 1, reply),
	       XS_DIRECTORY, "DIRECTORY", reply);
}

/* A transaction as a toolstack makes them: start, read, write, commit. */
static void op_transaction(struct chan *ch, void *arg)
{
	struct op_arg *a = arg;
	char msg[256], reply[XENSTORE_PAYLOAD_MAX + 1];
	size_t pl = strlen(a->path) + 1;
	uint32_t tx;

	expect(ch->call(ch, XS_TRANSACTION_START, 0, "", 1, reply), XS_TRANSACTION_START,
	       "TRANSACTION_START", reply);
	tx = (uint32_t)strtoul(reply, NULL, 10);
	expect(ch->call(ch, XS_READ, tx, a->path, (uint32_t)pl, reply), XS_READ, "READ in tx",
	       reply);
	memcpy(msg, a->path, pl);
	memcpy(msg + pl, "abcdefghij", 10);
	expect(ch->call(ch, XS_WRITE, tx, msg, (uint32_t)pl + 10, reply), XS_WRITE, "WRITE in tx",
	       reply);
	expect(ch->call(ch, XS_TRANSACTION_END, tx, "T", 2, reply), XS_TRANSACTION_END, "commit",
	       reply);
}

/* Four round trips of the echo channel: what a transaction could cost at best. */
static void op_echo4(struct chan *ch, void *arg)
{
	for (int i = 0; i < 4; i++)
		op_echo(ch, arg);
}

static void print_row(const char *op, const char *chan, struct result r, struct result echo)
{
	printf("%-22s %-7s %10.0f %9.1f %9.1f %12.0f %7.2f\n", op, chan, r.ops, r.p50_us, r.p99_us,
	       echo.ops, r.ops / echo.ops);
}

static void bench_channel(const char *name, struct chan *xs, struct chan *echo,
			  struct op_arg *arg)
{
	struct result e1 = measure(op_echo, echo, arg), e4 = measure(op_echo4, echo, arg);

	print_row("read", name, measure(op_read, xs, arg), e1);
	print_row("write", name, measure(op_write, xs, arg), e1);
	print_row("directory (10 entries)", name, measure(op_directory, xs, arg), e1);
	print_row("transaction (4 msgs)", name, measure(op_transaction, xs, arg), e4);
}

/* ---- set-up ---- */

static pid_t start_xenstored(const char *bin, const char *dir, bool persist)
{
	char sock[PATH_MAX], state[PATH_MAX], log[PATH_MAX];
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/xenstored.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(log, sizeof(log), "%s/xenstored.log", dir);
	setenv("XENSTORED_PATH", sock, 1);
	pid = fork_child();
	if (pid == 0) {
		if (persist)
			execl(bin, bin, "--no-fork", "--state-dir", state, "-T", log, (char *)NULL);
		else
			execl(bin, bin, "--no-fork", "--no-persist", "-T", log, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		struct xs_client *c = xs_client_open();

		if (c) {
			xs_client_close(c);
			return pid;
		}
		usleep(10000);
	}
	fprintf(stderr, "xenstore_bench: %s did not start\n", bin);
	exit(1);
}

/* A guest's ring: a memfd as its RAM and the two eventfds of its store channel. */
static int make_ring(struct chan *ch)
{
	int mem = memfd_create("bench-guest-ram", MFD_CLOEXEC);
	void *ram;

	if (mem < 0 || ftruncate(mem, 16 * 4096) < 0)
		die("memfd");
	ram = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mem, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	ch->intf = (void *)((char *)ram + RING_MFN * 4096);
	ch->to_store = eventfd(0, EFD_CLOEXEC);
	ch->to_guest = eventfd(0, EFD_CLOEXEC);
	ch->call = ring_call;
	if (ch->to_store < 0 || ch->to_guest < 0)
		die("eventfd");
	return mem;
}

static void fill_store(struct xs_client *c, const char *base)
{
	char path[128];

	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "%s/dir/entry-%d", base, i);
		if (xs_client_write(c, 0, path, "x", 1) < 0)
			die("fill the store");
	}
	snprintf(path, sizeof(path), "%s/key", base);
	if (xs_client_write(c, 0, path, "0123456789", 10) < 0)
		die("fill the store");
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect");
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"xenstored", required_argument, NULL, 'x'},
		{"seconds", required_argument, NULL, 's'},
		{"no-persist", no_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	char bin[PATH_MAX], path[PATH_MAX + 32];
	const char *dir = tmpdir;
	struct op_arg sock_arg = {.path = "/bench/key", .dir = "/bench/dir"};
	struct op_arg ring_arg = {.path = "/local/domain/42/key", .dir = "/local/domain/42/dir"};
	struct chan xs_sock = {.call = sock_call}, echo_sock = {.call = sock_call};
	struct chan xs_ring, echo_ring;
	struct xs_client_perm guest_owns = {.domid = GUEST_DOMID, .mode = XS_CLIENT_PERM_NONE};
	struct xs_client *monitor;
	bool persist = true;
	pid_t xsd, echo;
	int c, mem, status;
	cpu_set_t cpu;

	snprintf(bin, sizeof(bin), "%s/../bin/xenstored", dirname(strdup(argv[0])));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'x')
			snprintf(bin, sizeof(bin), "%s", optarg);
		else if (c == 's')
			seconds = atof(optarg);
		else if (c == 'n')
			persist = false;
		else
			return 1;
	}
	samples = malloc(MAX_SAMPLES * sizeof(*samples));
	if (!samples || !mkdtemp(tmpdir))
		die("set-up");
	atexit(remove_tmpdir);
	/*
	 * Everything (this client, xenstored, the echo servers) on one CPU:
	 * a round trip is then two context switches for every server alike,
	 * not a wake-up of an idle CPU, whose cost varies wildly in a VM.
	 */
	CPU_ZERO(&cpu);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &cpu);
	if (sched_setaffinity(0, sizeof(cpu), &cpu) < 0)
		die("sched_setaffinity");
	signal(SIGPIPE, SIG_IGN);

	xsd = start_xenstored(bin, dir, persist);
	monitor = xs_client_open();
	if (!monitor)
		die("connect to xenstored");
	fill_store(monitor, "/bench");
	/* The guest's home is its own, and so is what is created below it. */
	if (xs_client_mkdir(monitor, 0, "/local/domain/42") < 0 ||
	    xs_client_set_perms(monitor, 0, "/local/domain/42", &guest_owns, 1) < 0)
		die("set permissions");
	fill_store(monitor, "/local/domain/42");

	printf("xenstored %s (%s), %.1f s per measurement\n", bin,
	       persist ? "journal on" : "in memory", seconds);
	printf("%-22s %-7s %10s %9s %9s %12s %7s\n", "operation", "channel", "ops/s", "p50 us",
	       "p99 us", "echo ops/s", "ratio");

	/* Unix socket: our daemon, then a bare echo server on another socket. */
	snprintf(path, sizeof(path), "%s/xenstored.sock", dir);
	xs_sock.fd = connect_to(path);
	snprintf(path, sizeof(path), "%s/echo.sock", dir);
	echo = socket_echo(path);
	echo_sock.fd = connect_to(path);
	bench_channel("socket", &xs_sock, &echo_sock, &sock_arg);
	close(echo_sock.fd);
	waitpid(echo, &status, 0);

	/* A guest's ring, introduced as a monitor does, then an echo over an identical ring. */
	mem = make_ring(&xs_ring);
	if (xs_client_introduce(monitor, GUEST_DOMID, RING_MFN, 1, mem, xs_ring.to_store,
				xs_ring.to_guest) < 0)
		die("introduce the bench's guest");
	make_ring(&echo_ring);
	echo = ring_echo(&echo_ring);
	bench_channel("ring", &xs_ring, &echo_ring, &ring_arg);
	kill(echo, SIGKILL);
	waitpid(echo, &status, 0);

	xs_client_close(monitor);
	kill(xsd, SIGTERM);
	waitpid(xsd, &status, 0);
	return 0;
}
