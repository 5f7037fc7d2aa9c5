/*
 * lib/ctl: the monitor control socket protocol, client and server halves,
 * against each other. The "monitor" here is a stand-in thread that answers
 * with scripted bytes: it tests the protocol code only, never xl against a
 * real monitor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

static char tmpdir[64];

static int setup_rundir(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/xeno-test-ctl-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	char run[128];
	snprintf(run, sizeof(run), "%s/run/nested", tmpdir);
	setenv("XENO_RUN_DIR", run, 1);
	return 0;
}

static int teardown_rundir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- pure parts ------------------------------------------------------- */

static void test_requests_round_trip(void **state)
{
	enum ctl_request r;

	(void)state;
	for (int i = CTL_REQ_INFO; i <= CTL_REQ_CONSOLE; i++) {
		assert_int_equal(ctl_parse_request(ctl_request_text(i), &r), 0);
		assert_int_equal(r, i);
	}
	assert_string_equal(ctl_request_text(CTL_REQ_SHUTDOWN_REBOOT), "shutdown reboot");
	assert_int_equal(ctl_parse_request("shutdown", &r), -EINVAL);
	assert_int_equal(ctl_parse_request("info ", &r), -EINVAL);
	assert_int_equal(ctl_parse_request(" info", &r), -EINVAL);
	assert_int_equal(ctl_parse_request("INFO", &r), -EINVAL);
	assert_int_equal(ctl_parse_request("", &r), -EINVAL);
	assert_null(ctl_request_text((enum ctl_request)99));
}

static void test_info_lines(void **state)
{
	struct ctl_info i;

	(void)state;
	memset(&i, 0, sizeof(i));
	assert_int_equal(ctl_info_parse_line(&i, "domid 7"), 0);
	assert_int_equal(i.domid, 7);
	assert_int_equal(ctl_info_parse_line(&i, "name my guest"), 0);
	assert_string_equal(i.name, "my guest");
	assert_int_equal(ctl_info_parse_line(&i, "state -b----"), 0);
	assert_int_equal(ctl_info_parse_line(&i, "state r-p-cd"), 0);
	assert_string_equal(i.state, "r-p-cd");
	assert_int_equal(ctl_info_parse_line(&i, "memory_kib 131072"), 0);
	assert_int_equal(i.memory_kib, 131072);
	assert_int_equal(ctl_info_parse_line(&i, "max_memory_kib 262144"), 0);
	assert_int_equal(ctl_info_parse_line(&i, "vcpus 2"), 0);
	assert_int_equal(ctl_info_parse_line(&i, "online_vcpus 1"), 0);
	assert_int_equal(i.online_vcpus, 1);
	assert_int_equal(ctl_info_parse_line(&i, "cpu_time_ns 18446744073709551615"), 0);
	assert_int_equal(ctl_info_parse_line(&i, "pid 1234"), 0);
	assert_int_equal(i.pid, 1234);
	/* Unknown keys are for newer monitors. */
	assert_int_equal(ctl_info_parse_line(&i, "future_key anything"), 1);

	/* Malformed values of known keys. */
	assert_int_equal(ctl_info_parse_line(&i, "domid"), -EPROTO);
	assert_int_equal(ctl_info_parse_line(&i, "domid -1"), -EPROTO);
	assert_int_equal(ctl_info_parse_line(&i, "domid 32752"), -EPROTO); /* 0x7ff0 */
	assert_int_equal(ctl_info_parse_line(&i, "domid 12x"), -EPROTO);
	assert_int_equal(ctl_info_parse_line(&i, "domid  3"), -EPROTO);
	assert_int_equal(ctl_info_parse_line(&i, "memory_kib 18446744073709551616"), -EPROTO);
	assert_int_equal(ctl_info_parse_line(&i, "pid 2147483648"), -EPROTO);
	assert_int_equal(ctl_info_parse_line(&i, "state rbpscdx"), -EPROTO);
	assert_int_equal(ctl_info_parse_line(&i, "state xb----"), -EPROTO);
	assert_int_equal(ctl_info_parse_line(&i, "state ----x-"), -EPROTO);
	assert_int_equal(ctl_info_parse_line(&i, "state ---"), -EPROTO);
	assert_int_equal(ctl_info_parse_line(&i, "name "), -EPROTO);
	char longname[200];
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "name ", 5);
	longname[5 + CTL_NAME_MAX] = '\0';
	assert_int_equal(ctl_info_parse_line(&i, longname), -EPROTO);
	longname[5 + CTL_NAME_MAX - 1] = '\0';
	assert_int_equal(ctl_info_parse_line(&i, longname), 0);
	/* Earlier good values survive bad lines. */
	assert_int_equal(i.domid, 7);
	assert_string_equal(i.state, "r-p-cd");
}

static void test_paths(void **state)
{
	char buf[256];

	(void)state;
	setenv("XENO_RUN_DIR", "/some/run", 1);
	assert_string_equal(ctl_run_dir(), "/some/run");
	assert_int_equal(ctl_socket_path(12, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/some/run/dom12.ctl");
	assert_int_equal(ctl_socket_path(12, buf, 10), -ENAMETOOLONG);

	char longdir[200];
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	setenv("XENO_RUN_DIR", longdir, 1);
	assert_int_equal(ctl_socket_path(1, buf, sizeof(buf)), -ENAMETOOLONG);

	setenv("XENO_RUN_DIR", "", 1);
	assert_string_equal(ctl_run_dir(), "/run/xeno");
	unsetenv("XENO_LOG_DIR");
	assert_string_equal(ctl_log_dir(), "/var/log/xeno");
	setenv("XENO_LOG_DIR", "/l", 1);
	assert_string_equal(ctl_log_dir(), "/l");
}

/* ---- the request reader on a non-blocking socket pair ------------------ */

static void nonblocking_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
}

static void test_reader_partial_and_leftover(void **state)
{
	struct ctl_reader r = {0};
	char rest[16];
	int sv[2];

	(void)state;
	nonblocking_pair(sv);
	assert_int_equal(ctl_reader_feed(&r, sv[1]), 0);
	assert_int_equal(write(sv[0], "cons", 4), 4);
	assert_int_equal(ctl_reader_feed(&r, sv[1]), 0);
	/* The console input that follows the request must stay unread. */
	assert_int_equal(write(sv[0], "ole\r\nhello", 10), 10);
	assert_int_equal(ctl_reader_feed(&r, sv[1]), 1);
	assert_string_equal(r.buf, "console");
	assert_int_equal(read(sv[1], rest, sizeof(rest)), 5);
	assert_memory_equal(rest, "hello", 5);
	close(sv[0]);
	close(sv[1]);
}

static void test_reader_limits(void **state)
{
	struct ctl_reader r = {0};
	char big[CTL_LINE_MAX + 10];
	int sv[2];

	(void)state;
	nonblocking_pair(sv);
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(sv[0], big, sizeof(big)), (ssize_t)sizeof(big));
	assert_int_equal(ctl_reader_feed(&r, sv[1]), -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);

	memset(&r, 0, sizeof(r));
	nonblocking_pair(sv);
	assert_int_equal(write(sv[0], "inf", 3), 3);
	close(sv[0]);
	assert_int_equal(ctl_reader_feed(&r, sv[1]), -ECONNRESET);
	close(sv[1]);

	memset(&r, 0, sizeof(r));
	nonblocking_pair(sv);
	assert_int_equal(write(sv[0], "in\0fo\n", 6), 6);
	assert_int_equal(ctl_reader_feed(&r, sv[1]), -EPROTO);
	close(sv[0]);
	close(sv[1]);
}

/* ---- the ready line ------------------------------------------------------ */

static void test_ready_line(void **state)
{
	char err[64];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(ctl_ready_send(p[1], NULL), 0);
	assert_int_equal(ctl_ready_wait(p[0], err, sizeof(err)), 0);
	close(p[0]);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(ctl_ready_send(p[1], "bad kernel\nELF"), 0);
	assert_int_equal(ctl_ready_wait(p[0], err, sizeof(err)), -EREMOTEIO);
	assert_string_equal(err, "bad kernel ELF");
	close(p[0]);

	/* The monitor died before it said anything. */
	assert_int_equal(pipe(p), 0);
	close(p[1]);
	assert_int_equal(ctl_ready_wait(p[0], err, sizeof(err)), -EPIPE);
	close(p[0]);

	/* ... or in the middle of a line, or said nonsense. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "o", 1), 1);
	close(p[1]);
	assert_int_equal(ctl_ready_wait(p[0], err, sizeof(err)), -EPIPE);
	close(p[0]);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "okay\n", 5), 5);
	close(p[1]);
	assert_int_equal(ctl_ready_wait(p[0], err, sizeof(err)), -EPROTO);
	close(p[0]);
}

/* ---- client against a stand-in server ---------------------------------- */

struct standin {
	int listen_fd;
	const char *reply; /* raw bytes to answer with */
	char request[CTL_LINE_MAX];
	char after[32]; /* what the client sent after the request */
	int after_len;
	pthread_t thread;
};

static void *standin_main(void *arg)
{
	struct standin *s = arg;
	struct ctl_reader r = {0};
	struct pollfd p = {.fd = s->listen_fd, .events = POLLIN};
	int fd, rc;

	if (poll(&p, 1, 5000) != 1)
		return NULL;
	fd = ctl_accept(s->listen_fd);
	if (fd < 0)
		return NULL;
	p.fd = fd;
	while ((rc = ctl_reader_feed(&r, fd)) == 0)
		poll(&p, 1, 5000);
	if (rc == 1) {
		strcpy(s->request, r.buf);
		if (!strcmp(r.buf, "console")) {
			ctl_send_ok(fd);
			/* Echo one chunk of console input back. */
			poll(&p, 1, 5000);
			s->after_len = (int)read(fd, s->after, sizeof(s->after));
			if (s->after_len > 0)
				send(fd, s->after, (size_t)s->after_len, MSG_NOSIGNAL);
		} else if (s->reply) {
			send(fd, s->reply, strlen(s->reply), MSG_NOSIGNAL);
		}
	}
	close(fd);
	return NULL;
}

static void standin_start(struct standin *s, unsigned int domid, const char *reply)
{
	memset(s, 0, sizeof(*s));
	s->listen_fd = ctl_listen(domid);
	assert_true(s->listen_fd >= 0);
	s->reply = reply;
	assert_int_equal(pthread_create(&s->thread, NULL, standin_main, s), 0);
}

static void standin_stop(struct standin *s, unsigned int domid)
{
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	ctl_unlink(domid);
}

static void test_call_ok_and_error(void **state)
{
	struct standin s;
	char err[64];

	(void)setup_rundir(state);
	standin_start(&s, 3, "ok\n");
	assert_int_equal(ctl_call(3, CTL_REQ_PAUSE, err, sizeof(err)), 0);
	standin_stop(&s, 3);
	assert_string_equal(s.request, "pause");

	standin_start(&s, 3, "error domain is dying\n");
	assert_int_equal(ctl_call(3, CTL_REQ_SHUTDOWN_POWEROFF, err, sizeof(err)), -EREMOTEIO);
	standin_stop(&s, 3);
	assert_string_equal(s.request, "shutdown poweroff");
	assert_string_equal(err, "domain is dying");

	standin_start(&s, 3, "maybe\n");
	assert_int_equal(ctl_call(3, CTL_REQ_UNPAUSE, NULL, 0), -EPROTO);
	standin_stop(&s, 3);

	/* Nobody there at all. */
	assert_int_equal(ctl_call(3, CTL_REQ_UNPAUSE, NULL, 0), -ENOENT);
	(void)teardown_rundir(state);
}

static void test_info_exchange(void **state)
{
	struct ctl_info sent = {
		.domid = 9,
		.state = "-b----",
		.memory_kib = 131072,
		.max_memory_kib = 131072,
		.vcpus = 2,
		.online_vcpus = 2,
		.cpu_time_ns = 1500000000,
		.pid = 42,
	};
	struct ctl_info got;
	struct standin s;
	char reply[1024];
	int sv[2];

	(void)setup_rundir(state);
	/* Render the answer with the server half, through a socket pair. */
	strcpy(sent.name, "guest\tone");
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(ctl_send_info(sv[0], &sent), 0);
	close(sv[0]);
	ssize_t n = read(sv[1], reply, sizeof(reply) - 1);
	assert_true(n > 0);
	reply[n] = '\0';
	close(sv[1]);

	standin_start(&s, 9, reply);
	assert_int_equal(ctl_get_info(9, &got), 0);
	standin_stop(&s, 9);
	assert_string_equal(s.request, "info");
	assert_int_equal(got.domid, 9);
	assert_string_equal(got.name, "guest one"); /* control chars never go on the wire */
	assert_string_equal(got.state, "-b----");
	assert_int_equal(got.memory_kib, 131072);
	assert_int_equal(got.vcpus, 2);
	assert_int_equal(got.online_vcpus, 2);
	assert_int_equal(got.cpu_time_ns, 1500000000);
	assert_int_equal(got.pid, 42);

	/* A monitor answering for another domain, without a name, without
	 * the end line, or with a broken value is refused. */
	standin_start(&s, 9, "domid 8\nname x\nend\n");
	assert_int_equal(ctl_get_info(9, &got), -EPROTO);
	standin_stop(&s, 9);
	standin_start(&s, 9, "domid 9\nend\n");
	assert_int_equal(ctl_get_info(9, &got), -EPROTO);
	standin_stop(&s, 9);
	standin_start(&s, 9, "domid 9\nname x\n");
	assert_int_equal(ctl_get_info(9, &got), -EPROTO);
	standin_stop(&s, 9);
	standin_start(&s, 9, "domid 9\nname x\nvcpus many\nend\n");
	assert_int_equal(ctl_get_info(9, &got), -EPROTO);
	standin_stop(&s, 9);

	/* Unknown keys are skipped, but not forever. */
	standin_start(&s, 9, "name x\nfuture 1\nend\n");
	assert_int_equal(ctl_get_info(9, &got), 0);
	standin_stop(&s, 9);
	char *flood = malloc(100 * 10 + 16);
	assert_non_null(flood);
	flood[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(flood, "future 1\n");
	strcat(flood, "name x\nend\n");
	standin_start(&s, 9, flood);
	assert_int_equal(ctl_get_info(9, &got), -EPROTO);
	standin_stop(&s, 9);
	free(flood);
	(void)teardown_rundir(state);
}

static void test_console_stream(void **state)
{
	struct standin s;
	char buf[16];
	int fd;

	(void)setup_rundir(state);
	standin_start(&s, 4, NULL);
	fd = ctl_console_open(4, NULL, 0);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "ls\r", 3), 3);
	assert_int_equal(read(fd, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "ls\r", 3);
	assert_int_equal(read(fd, buf, sizeof(buf)), 0); /* monitor closed */
	close(fd);
	standin_stop(&s, 4);
	assert_string_equal(s.request, "console");
	(void)teardown_rundir(state);
}

static void test_listen_and_answers(void **state)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, fd2;

	(void)setup_rundir(state);
	assert_int_equal(ctl_domid_answers(6), 0);

	/* A socket file left behind by a killed monitor. */
	assert_int_equal(ctl_socket_path(6, sun.sun_path, sizeof(sun.sun_path)), 0);
	fd = ctl_listen(6); /* also creates the nested run directory */
	assert_true(fd >= 0);
	assert_int_equal(ctl_domid_answers(6), 1);
	assert_int_equal(ctl_listen(6), -EADDRINUSE);
	close(fd);
	struct stat st;
	assert_int_equal(stat(sun.sun_path, &st), 0);
	assert_int_equal(ctl_domid_answers(6), 0);

	/* A new monitor replaces the stale file. */
	fd2 = ctl_listen(6);
	assert_true(fd2 >= 0);
	assert_int_equal(ctl_domid_answers(6), 1);
	/* The probe above is a real connection; after it, nobody waits. */
	int probe = ctl_accept(fd2);
	assert_true(probe >= 0);
	close(probe);
	assert_int_equal(ctl_accept(fd2), -EAGAIN);
	close(fd2);
	ctl_unlink(6);
	assert_int_equal(stat(sun.sun_path, &st), -1);
	(void)teardown_rundir(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests_round_trip),
		cmocka_unit_test(test_info_lines),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_reader_partial_and_leftover),
		cmocka_unit_test(test_reader_limits),
		cmocka_unit_test(test_ready_line),
		cmocka_unit_test(test_call_ok_and_error),
		cmocka_unit_test(test_info_exchange),
		cmocka_unit_test(test_console_stream),
		cmocka_unit_test(test_listen_and_answers),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
