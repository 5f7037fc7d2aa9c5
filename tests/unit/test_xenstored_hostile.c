/*
 * Hostile clients against the real daemon (forked, on a private socket):
 * oversized lengths, unterminated strings, huge paths, watch storms,
 * thousands of open transactions, floods of requests that are never read,
 * garbage and stray descriptors. Throughout, a well-behaved client keeps
 * being served correctly, and the store stays consistent.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <dirent.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <xen/io/xs_wire.h>

#include "../../lib/xs_client.h"
#include "../../xenstored/daemon.h"

struct env {
	char dir[64];
	char sock[96];
	pid_t pid;
	struct xs_client *good;
	unsigned round;
};

static int raw_connect(struct env *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, e->sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void raw_send(int fd, uint32_t type, uint32_t tx, const void *p, uint32_t len)
{
	struct xsd_sockmsg hdr = {.type = type, .req_id = 7, .tx_id = tx, .len = len};

	assert_int_equal(send(fd, &hdr, sizeof(hdr), MSG_NOSIGNAL), sizeof(hdr));
	if (len)
		assert_int_equal(send(fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Reads one reply (skipping watch events); returns its type, payload in p. */
static uint32_t raw_reply(int fd, char *p)
{
	for (;;) {
		struct xsd_sockmsg hdr;
		size_t got = 0;

		while (got < sizeof(hdr)) {
			ssize_t n = read(fd, (char *)&hdr + got, sizeof(hdr) - got);

			assert_true(n > 0);
			got += (size_t)n;
		}
		assert_true(hdr.len <= XENSTORE_PAYLOAD_MAX);
		for (got = 0; got < hdr.len;) {
			ssize_t n = read(fd, p + got, hdr.len - got);

			assert_true(n > 0);
			got += (size_t)n;
		}
		p[hdr.len] = 0;
		if (hdr.type != XS_WATCH_EVENT)
			return hdr.type;
	}
}

/* Whether the daemon closed fd (reads EOF within two seconds). */
static bool closed_by_daemon(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char buf[256];

	while (poll(&pfd, 1, 2000) == 1) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			return true;
	}
	return false;
}

/* The well-behaved client: a write, a read back, a watch event. */
static void good_client_served(struct env *e)
{
	char path[64], val[32], *got = NULL, *wp, *wt;
	size_t len;

	e->round++;
	snprintf(path, sizeof(path), "/good/k%u", e->round);
	snprintf(val, sizeof(val), "value-%u", e->round);
	assert_int_equal(xs_client_write(e->good, 0, path, val, strlen(val)), 0);
	assert_int_equal(xs_client_read(e->good, 0, path, &got, &len), 0);
	assert_string_equal(got, val);
	free(got);
	assert_int_equal(xs_client_watch(e->good, path, "g"), 0);
	assert_int_equal(xs_client_read_watch(e->good, &wp, &wt, 5000), 0);
	assert_string_equal(wp, path);
	assert_string_equal(wt, "g");
	free(wp);
	assert_int_equal(xs_client_unwatch(e->good, path, "g"), 0);
}

static void store_consistent(struct env *e)
{
	char *reply;
	size_t len;

	assert_int_equal(xs_client_request(e->good, XS_CONTROL, 0, "check", 6, &reply, &len), 0);
	assert_string_equal(reply, "OK");
	free(reply);
}

static unsigned daemon_fds(struct env *e)
{
	char path[64];
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)e->pid);
	d = opendir(path);
	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	strcpy(e->dir, "/tmp/xsd-hostile-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->sock, sizeof(e->sock), "%s/socket", e->dir);
	e->pid = fork();
	assert_true(e->pid >= 0);
	if (e->pid == 0) {
		struct xsd_options o;
		char log[128];

		snprintf(log, sizeof(log), "%s/xenstored.log", e->dir);
		xsd_options_default(&o);
		o.socket_path = e->sock;
		o.no_persist = true;
		o.foreground = true;
		o.log_file = log;
		_exit(xsd_daemon_main(&o));
	}
	for (int i = 0; i < 500 && !e->good; i++) {
		e->good = xs_client_open_path(e->sock);
		if (!e->good)
			usleep(10000);
	}
	assert_non_null(e->good);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];
	int status;

	xs_client_close(e->good);
	kill(e->pid, SIGTERM);
	assert_int_equal(waitpid(e->pid, &status, 0), e->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static void test_malformed_lengths(void **state)
{
	struct env *e = *state;
	uint32_t lens[] = {XENSTORE_PAYLOAD_MAX + 1, 0x7fffffff, 0xffffffff};

	good_client_served(e);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct xsd_sockmsg hdr = {.type = XS_WRITE, .len = lens[i]};
		int fd = raw_connect(e);

		assert_int_equal(send(fd, &hdr, sizeof(hdr), MSG_NOSIGNAL), sizeof(hdr));
		assert_true(closed_by_daemon(fd));
		close(fd);
		good_client_served(e);
	}
	/* A length that promises more than is ever sent just waits, harmlessly. */
	{
		struct xsd_sockmsg hdr = {.type = XS_WRITE, .len = 4000};
		int fd = raw_connect(e);

		assert_int_equal(send(fd, &hdr, sizeof(hdr), MSG_NOSIGNAL), sizeof(hdr));
		assert_int_equal(send(fd, "/x\0", 3, MSG_NOSIGNAL), 3);
		good_client_served(e);
		close(fd);
	}
	store_consistent(e);
}

static void test_bad_strings_and_paths(void **state)
{
	struct env *e = *state;
	char p[XENSTORE_PAYLOAD_MAX + 1], big[XENSTORE_PAYLOAD_MAX];
	int fd = raw_connect(e);

	raw_send(fd, XS_READ, 0, "/unterminated", 13);
	assert_int_equal(raw_reply(fd, p), XS_ERROR);
	assert_string_equal(p, "EINVAL");
	raw_send(fd, XS_WATCH, 0, "/only-path\0", 11);
	assert_int_equal(raw_reply(fd, p), XS_ERROR);
	assert_string_equal(p, "EINVAL");
	raw_send(fd, XS_SET_PERMS, 0, "/x\0b0", 5);
	assert_int_equal(raw_reply(fd, p), XS_ERROR);
	raw_send(fd, XS_WRITE, 0, "/sp ace\0v", 9);
	assert_int_equal(raw_reply(fd, p), XS_ERROR);
	assert_string_equal(p, "EINVAL");
	/* A path longer than any allowed. */
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	big[sizeof(big) - 1] = 0;
	raw_send(fd, XS_WRITE, 0, big, sizeof(big));
	assert_int_equal(raw_reply(fd, p), XS_ERROR);
	assert_string_equal(p, "EINVAL");
	raw_send(fd, XS_MKDIR, 0, big, sizeof(big));
	assert_int_equal(raw_reply(fd, p), XS_ERROR);
	/* Deep paths are fine up to the limit. */
	for (size_t i = 0; i + 1 < 3000; i += 2) {
		big[i] = '/';
		big[i + 1] = 'd';
	}
	big[3000] = 0;
	raw_send(fd, XS_WRITE, 0, big, 3001);
	assert_int_equal(raw_reply(fd, p), XS_WRITE);
	raw_send(fd, XS_RM, 0, "/d", 3);
	assert_int_equal(raw_reply(fd, p), XS_RM);
	good_client_served(e);
	close(fd);
	store_consistent(e);
}

static void test_watch_storm(void **state)
{
	struct env *e = *state;
	struct xs_client *watcher = xs_client_open_path(e->sock);
	struct xs_client *writer = xs_client_open_path(e->sock);
	char path[64], tok[32];

	assert_non_null(watcher);
	assert_non_null(writer);
	/* Thousands of watches; the watcher never reads an event. */
	for (unsigned i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/storm/%u", i % 100);
		snprintf(tok, sizeof(tok), "t%u", i);
		assert_int_equal(xs_client_watch(watcher, path, tok), 0);
	}
	assert_int_equal(xs_client_watch(watcher, "/", "all"), 0);
	for (unsigned i = 0; i < 20000; i++) {
		snprintf(path, sizeof(path), "/storm/%u/n%u", i % 100, i);
		assert_int_equal(xs_client_write(writer, 0, path, "x", 1), 0);
		if (i % 5000 == 0)
			good_client_served(e);
	}
	good_client_served(e);
	xs_client_close(watcher);
	xs_client_close(writer);
	good_client_served(e);
	store_consistent(e);
}

static void test_open_transactions(void **state)
{
	struct env *e = *state;
	struct xs_client *c = xs_client_open_path(e->sock);
	struct xs_client *many[50];
	uint32_t tx = 0;
	unsigned opened = 0;
	char *v;
	size_t len;
	int ret = 0;

	assert_non_null(c);
	assert_int_equal(xs_client_write(e->good, 0, "/shared", "0", 1), 0);
	while (ret == 0 && opened < 20000) {
		ret = xs_client_transaction_start(c, &tx);
		if (ret == 0) {
			opened++;
			assert_int_equal(xs_client_read(c, tx, "/shared", &v, &len), 0);
			free(v);
		}
	}
	/* A host client is bounded too, far above what a toolstack needs. */
	assert_int_equal(ret, -ENOSPC);
	assert_true(opened >= 1000);
	good_client_served(e);
	assert_int_equal(xs_client_write(e->good, 0, "/shared", "1", 1), 0);
	/* They all read /shared: a change to it makes them conflict. */
	assert_int_equal(xs_client_transaction_end(c, tx, true), -EAGAIN);
	for (unsigned i = 0; i < 50; i++) {
		many[i] = xs_client_open_path(e->sock);
		assert_non_null(many[i]);
		for (unsigned j = 0; j < 40; j++)
			assert_int_equal(xs_client_transaction_start(many[i], &tx), 0);
	}
	good_client_served(e);
	for (unsigned i = 0; i < 50; i++)
		xs_client_close(many[i]);
	xs_client_close(c);
	good_client_served(e);
	store_consistent(e);
}

static void test_flood_never_read(void **state)
{
	struct env *e = *state;
	int fd = raw_connect(e);
	struct xsd_sockmsg hdr = {.type = XS_READ, .len = 7};
	char msg[sizeof(hdr) + 7];
	unsigned sent = 0;

	assert_int_equal(xs_client_write(e->good, 0, "/flood", "x", 1), 0);
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), "/flood", 7);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	/* Requests until the socket is full: the daemon stopped reading them. */
	while (sent < 2000000 && send(fd, msg, sizeof(msg), MSG_NOSIGNAL) == sizeof(msg))
		sent++;
	assert_true(sent < 2000000);
	good_client_served(e);
	close(fd);
	good_client_served(e);
}

static void test_garbage_and_descriptors(void **state)
{
	struct env *e = *state;
	unsigned fds_before;
	int fds[16];
	char junk[4096];

	/* Counted once the good client's connection is surely accepted. */
	good_client_served(e);
	fds_before = daemon_fds(e);

	srand(1234);
	for (unsigned c = 0; c < 40; c++) {
		int fd = raw_connect(e);

		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (char)rand();
		send(fd, junk, (size_t)(rand() % (int)sizeof(junk)), MSG_NOSIGNAL);
		close(fd);
	}
	good_client_served(e);

	/* Descriptors passed along with all sorts of messages. */
	for (int i = 0; i < 16; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (unsigned round = 0; round < 20; round++) {
		int fd = raw_connect(e);
		struct xsd_sockmsg hdr = {.type = round % 2 ? XS_INTRODUCE : XS_READ,
					  .len = round % 2 ? 8 : 3};
		char buf[sizeof(hdr) + 8], p[XENSTORE_PAYLOAD_MAX + 1];
		char cbuf[CMSG_SPACE(sizeof(fds))];
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(hdr) + hdr.len};
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = CMSG_SPACE((round % 8 + 1) * sizeof(int))};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

		memcpy(buf, &hdr, sizeof(hdr));
		memcpy(buf + sizeof(hdr), round % 2 ? "9\0" "1\0" "1\0" "\0" : "/x\0", hdr.len);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN((round % 8 + 1) * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, (round % 8 + 1) * sizeof(int));
		assert_true(sendmsg(fd, &msg, MSG_NOSIGNAL) > 0);
		assert_int_equal(raw_reply(fd, p), XS_ERROR);
		close(fd);
	}
	for (int i = 0; i < 16; i++)
		close(fds[i]);
	good_client_served(e);
	/* Nothing leaked: the daemon holds what it held before. */
	for (int i = 0; i < 100 && daemon_fds(e) != fds_before; i++)
		usleep(10000);
	assert_int_equal(daemon_fds(e), fds_before);
	store_consistent(e);
}

static void test_many_connections(void **state)
{
	struct env *e = *state;
	int fds[500];
	struct xsd_sockmsg hdr = {.type = XS_READ, .len = 100};

	for (int i = 0; i < 500; i++) {
		fds[i] = raw_connect(e);
		/* Half a header, or a header and half a payload, then silence. */
		send(fds[i], &hdr, i % 2 ? 7 : sizeof(hdr), MSG_NOSIGNAL);
	}
	good_client_served(e);
	for (int i = 0; i < 500; i++)
		close(fds[i]);
	good_client_served(e);
	store_consistent(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_malformed_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_strings_and_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_storm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_never_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_and_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_connections, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
