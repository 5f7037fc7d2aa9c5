/*
 * The console backend without KVM: a domain whose RAM is malloc'd, the
 * event loop on its own thread, and clients on socketpairs. Every console
 * call runs on the loop thread (run_on_loop), as in the monitor; the test
 * thread plays the guest (writing the ring page) and the `xl console` user.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../monitor/console.h"
#include "../../monitor/eventloop.h"
#include "../../monitor/pv/evtchn.h"

#define CONSOLE_PFN 2
#define NR_PAGES 4
#define WAIT_MS 5000	/* an upper bound for the loop thread to act, not a timing */

static struct domain *d;
static struct console *con;
static char dir[] = "/tmp/xeno-console-test.XXXXXX";
static pthread_t loop_thread;
static int cmd_pipe[2];
static sem_t done;

static struct xencons_interface *ring(void)
{
	return (struct xencons_interface *)(d->ram + CONSOLE_PFN * PAGE_SIZE);
}

/* ---- running console calls on the loop thread ---- */

struct loop_call {
	void (*fn)(void *);
	void *arg;
};

static void cmd_event(void *arg, uint32_t events)
{
	struct loop_call call;

	(void)arg;
	(void)events;
	if (read(cmd_pipe[0], &call, sizeof(call)) == sizeof(call)) {
		call.fn(call.arg);
		sem_post(&done);
	}
}

static void run_on_loop(void (*fn)(void *), void *arg)
{
	struct loop_call call = {fn, arg};

	assert_int_equal(write(cmd_pipe[1], &call, sizeof(call)), sizeof(call));
	sem_wait(&done);
}

static void *loop_main(void *arg)
{
	(void)arg;
	ev_run();
	return NULL;
}

static void do_poll(void *arg)
{
	(void)arg;
	console_poll(con);
}

static void do_attach(void *arg)
{
	assert_int_equal(console_attach(con, *(int *)arg), 0);
}

static void nothing(void *arg)
{
	(void)arg;
}

/* ---- the guest side ---- */

static void guest_write(const char *s, size_t n)
{
	struct xencons_interface *r = ring();

	for (size_t i = 0; i < n; i++)
		r->out[MASK_XENCONS_IDX(r->out_prod + i, r->out)] = s[i];
	__atomic_store_n(&r->out_prod, r->out_prod + (XENCONS_RING_IDX)n, __ATOMIC_RELEASE);
}

/* Everything the guest wrote, through the backend: the ring is 2 KiB, so
 * larger output goes in pieces with a poll after each. */
static void guest_print(const char *s, size_t n)
{
	while (n) {
		size_t k = n < 1024 ? n : 1024;

		guest_write(s, k);
		run_on_loop(do_poll, NULL);
		s += k;
		n -= k;
	}
}

/* ---- client side ---- */

/* A client; sndbuf > 0 limits what the backend's end of it can queue. */
static int new_client_buf(int sndbuf)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	if (sndbuf > 0)
		assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
	run_on_loop(do_attach, &sv[1]);
	return sv[0];
}

static int new_client(void)
{
	return new_client_buf(0);
}

/* Read exactly n bytes (or fail after WAIT_MS without progress). */
static void client_expect(int fd, const char *want, size_t n)
{
	char buf[4096];
	size_t got = 0;

	while (got < n) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t k;

		assert_int_equal(poll(&p, 1, WAIT_MS), 1);
		k = read(fd, buf, n - got < sizeof(buf) ? n - got : sizeof(buf));
		assert_true(k > 0);
		assert_memory_equal(buf, want + got, (size_t)k);
		got += (size_t)k;
	}
}

static void assert_no_data(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	run_on_loop(nothing, NULL);	/* whatever the loop had to do is done */
	assert_int_equal(poll(&p, 1, 0), 0);
}

static char *read_file(const char *name, size_t *len)
{
	static char buf[1 << 20];
	char path[256];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		*len = 0;
		buf[0] = '\0';
		return buf;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	*len = n > 0 ? (size_t)n : 0;
	buf[*len] = '\0';
	return buf;
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	char err[256];

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	if (ev_init() < 0 || pipe2(cmd_pipe, O_CLOEXEC) < 0 || sem_init(&done, 0, 0) < 0)
		return -1;
	if (ev_add(cmd_pipe[0], EPOLLIN, cmd_event, NULL) < 0)
		return -1;
	d = calloc(1, sizeof(*d));
	d->domid = 9;
	snprintf(d->name, sizeof(d->name), "ctest");
	d->nr_pages = d->max_pages = NR_PAGES;
	d->ram = aligned_alloc(PAGE_SIZE, NR_PAGES * PAGE_SIZE);
	memset(d->ram, 0, NR_PAGES * PAGE_SIZE);
	d->shared_info = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(d->shared_info, 0, PAGE_SIZE);
	d->nr_vcpus = 1;
	d->vcpu[0].d = d;
	d->vcpu[0].online = true;
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->vcpu[0].lock, NULL);
	pthread_cond_init(&d->vcpu[0].wake, NULL);
	d->console_pfn = CONSOLE_PFN;
	if (mlog_init(d->domid, dir) < 0 || evtchn_init(d) < 0 ||
	    evtchn_alloc_host(d, &d->console_evtchn, NULL, NULL) < 0)
		return -1;
	con = console_create(d, dir, err, sizeof(err));
	if (!con || console_bind(con, d, err, sizeof(err)) < 0) {
		fprintf(stderr, "console: %s\n", err);
		return -1;
	}
	return pthread_create(&loop_thread, NULL, loop_main, NULL);
}

static int teardown(void **state)
{
	(void)state;
	ev_stop();
	pthread_join(loop_thread, NULL);
	console_destroy(con);
	for (const char *const *f = (const char *const[]){"console-ctest.log", "hypervisor.log", NULL};
	     *f; f++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

/* ---- tests, in order: each leaves no client attached ---- */

static void test_output_logged_and_kept(void **state)
{
	size_t len;
	int cl;

	(void)state;
	guest_print("early boot\n", 11);
	assert_string_equal(read_file("console-ctest.log", &len), "early boot\n");
	assert_int_equal(ring()->out_cons, ring()->out_prod);

	/* a client attached later gets what nobody read, then live output */
	cl = new_client();
	client_expect(cl, "early boot\n", 11);
	guest_print("login: ", 7);
	client_expect(cl, "login: ", 7);
	close(cl);
	run_on_loop(nothing, NULL);
}

static void test_fan_out_and_detach(void **state)
{
	int a, b, c;

	(void)state;
	a = new_client();
	b = new_client();
	guest_print("both\n", 5);
	client_expect(a, "both\n", 5);
	client_expect(b, "both\n", 5);
	close(a);
	run_on_loop(nothing, NULL);	/* the backend notices the hang-up */
	guest_print("only b\n", 7);
	client_expect(b, "only b\n", 7);
	close(b);
	run_on_loop(nothing, NULL);
	/* nobody attached: kept for the next client, and only that */
	guest_print("kept\n", 5);
	c = new_client();
	client_expect(c, "kept\n", 5);
	assert_no_data(c);
	close(c);
	run_on_loop(nothing, NULL);
}

/* Wait until the guest's input ring holds n bytes. */
static void wait_input(XENCONS_RING_IDX n)
{
	struct xencons_interface *r = ring();

	for (int i = 0; i < WAIT_MS; i++) {
		run_on_loop(nothing, NULL);
		if (__atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE) - r->in_cons >= n)
			return;
		usleep(1000);
	}
	fail_msg("input ring holds %u bytes, expected %u", r->in_prod - r->in_cons, n);
}

static void test_input_with_flow_control(void **state)
{
	struct xencons_interface *r = ring();
	char big[3000];
	int cl;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i % 23);
	cl = new_client();
	assert_int_equal(write(cl, "ls\n", 3), 3);
	wait_input(3);
	assert_memory_equal(r->in + MASK_XENCONS_IDX(r->in_cons, r->in), "ls\n", 3);
	r->in_cons += 3;	/* the guest took it */

	/* more than the 1 KiB ring: the rest waits in the socket */
	assert_int_equal(write(cl, big, sizeof(big)), sizeof(big));
	wait_input(sizeof(r->in));
	for (size_t done_bytes = 0; done_bytes < sizeof(big);) {
		XENCONS_RING_IDX avail;

		wait_input(1);
		avail = r->in_prod - r->in_cons;
		assert_true(avail <= sizeof(r->in));
		for (XENCONS_RING_IDX i = 0; i < avail; i++)
			assert_int_equal(r->in[MASK_XENCONS_IDX(r->in_cons + i, r->in)],
					 big[done_bytes + i]);
		done_bytes += avail;
		__atomic_store_n(&r->in_cons, r->in_cons + avail, __ATOMIC_RELEASE);
		run_on_loop(do_poll, NULL);	/* the guest's notification */
	}
	close(cl);
	run_on_loop(nothing, NULL);
}

/* A client that never reads costs at most CONSOLE_BUFFER and never stalls
 * the loop; when it reads at last, it gets the newest output. */
static void test_slow_client(void **state)
{
	size_t total = 8 * CONSOLE_BUFFER + 12345, len;
	char *out = malloc(total), *got = malloc(total);
	size_t n = 0;
	int cl;

	(void)state;
	for (size_t i = 0; i < total; i++)
		out[i] = (char)('a' + (i * 7) % 26);
	cl = new_client_buf(4096);
	guest_print(out, total);	/* returns: the loop is never blocked */
	for (;;) {
		struct pollfd p = {.fd = cl, .events = POLLIN};
		ssize_t k;

		if (poll(&p, 1, 200) != 1)
			break;
		k = read(cl, got + n, total - n);
		if (k <= 0)
			break;
		n += (size_t)k;
		run_on_loop(nothing, NULL);	/* let the backend refill the socket */
	}
	assert_true(n < total);
	assert_true(n >= CONSOLE_BUFFER);
	assert_memory_equal(got + n - CONSOLE_BUFFER, out + total - CONSOLE_BUFFER, CONSOLE_BUFFER);
	/* the log has all of it */
	read_file("console-ctest.log", &len);
	assert_true(len >= total);
	close(cl);
	run_on_loop(nothing, NULL);
	free(out);
	free(got);
}

static void test_hostile_indices(void **state)
{
	struct xencons_interface *r = ring();
	size_t before, after;
	int cl;

	(void)state;
	read_file("console-ctest.log", &before);
	r->out_prod = r->out_cons + 5000;	/* claims more than the ring holds */
	run_on_loop(do_poll, NULL);
	read_file("console-ctest.log", &after);
	assert_int_equal(after, before);
	assert_int_equal(r->out_cons, r->out_prod);
	/* resynchronised: output flows again */
	cl = new_client();
	guest_print("again\n", 6);
	client_expect(cl, "again\n", 6);

	/* the guest claims to have consumed input that was never produced */
	r->in_cons = r->in_prod + 100;
	assert_int_equal(write(cl, "x", 1), 1);
	run_on_loop(nothing, NULL);
	run_on_loop(do_poll, NULL);
	assert_int_equal(r->in_cons - r->in_prod, 100);	/* nothing written */
	r->in_cons = r->in_prod;	/* sane again: the byte goes in */
	run_on_loop(do_poll, NULL);
	wait_input(1);
	assert_int_equal(r->in[MASK_XENCONS_IDX(r->in_cons, r->in)], 'x');
	r->in_cons++;
	close(cl);
	run_on_loop(nothing, NULL);
}

static void test_console_io_lines(void **state)
{
	char line300[300];
	size_t len;
	char *log;

	(void)state;
	static const char part2[] = "lo\x01 world\n\ttab\x7f\n";

	console_io_output(d, "hel", 3);
	console_io_output(d, part2, sizeof(part2) - 1);
	memset(line300, 'z', sizeof(line300));
	console_io_output(d, line300, sizeof(line300));
	console_io_output(d, "\n", 1);
	log = read_file("hypervisor.log", &len);
	assert_non_null(strstr(log, "(d9) hello world\n(d9) \ttab\n"));
	/* a 300-character line is cut at 255 */
	char want[300];
	int k = snprintf(want, sizeof(want), "(d9) %.*s\n(d9) %.*s\n", 255, line300, 45, line300);
	assert_true(k > 0);
	assert_non_null(strstr(log, want));
	/* console_io never reaches the console stream */
	assert_null(strstr(read_file("console-ctest.log", &len), "hello world"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_logged_and_kept),
		cmocka_unit_test(test_fan_out_and_detach),
		cmocka_unit_test(test_input_with_flow_control),
		cmocka_unit_test(test_slow_client),
		cmocka_unit_test(test_hostile_indices),
		cmocka_unit_test(test_console_io_lines),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
