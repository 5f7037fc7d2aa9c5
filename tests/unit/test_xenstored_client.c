/*
 * lib/xs_client against the real daemon: every call our programs use,
 * XS_INTRODUCE with its descriptors as a monitor sends it, and
 * xs_client_open_or_start() when several callers race to start the daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <xen/io/xs_wire.h>

#include "../../lib/xs_client.h"
#include "../../xenstored/daemon.h"

struct env {
	char dir[64];
	char sock[96];
	pid_t pid;
	struct xs_client *c;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	strcpy(e->dir, "/tmp/xsd-client-XXXXXX");
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
	setenv("XENSTORED_PATH", e->sock, 1);
	for (int i = 0; i < 500 && !e->c; i++) {
		e->c = xs_client_open();
		if (!e->c)
			usleep(10000);
	}
	assert_non_null(e->c);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];
	int status;

	xs_client_close(e->c);
	kill(e->pid, SIGTERM);
	waitpid(e->pid, &status, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static void test_nodes(void **state)
{
	struct env *e = *state;
	char *v, **names;
	unsigned n;
	size_t len;

	assert_int_equal(xs_client_write(e->c, 0, "/vm/a", "hello", 5), 0);
	assert_int_equal(xs_client_mkdir(e->c, 0, "/vm/b"), 0);
	assert_int_equal(xs_client_read(e->c, 0, "/vm/a", &v, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(v, "hello");
	free(v);
	assert_int_equal(xs_client_directory(e->c, 0, "/vm", &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_null(names[2]);
	free(names);
	assert_int_equal(xs_client_rm(e->c, 0, "/vm"), 0);
	assert_int_equal(xs_client_read(e->c, 0, "/vm/a", &v, &len), -ENOENT);
	assert_int_equal(xs_client_read(e->c, 0, "bad path", &v, &len), -EINVAL);
}

static void test_perms(void **state)
{
	struct env *e = *state;
	struct xs_client_perm in[2] = {{.domid = 3, .mode = XS_CLIENT_PERM_NONE},
				       {.domid = 0, .mode = XS_CLIENT_PERM_READ}};
	struct xs_client_perm *out;
	unsigned n;

	assert_int_equal(xs_client_write(e->c, 0, "/p", "", 0), 0);
	assert_int_equal(xs_client_set_perms(e->c, 0, "/p", in, 2), 0);
	assert_int_equal(xs_client_get_perms(e->c, 0, "/p", &out, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].domid, 3);
	assert_int_equal(out[0].mode, XS_CLIENT_PERM_NONE);
	assert_int_equal(out[1].domid, 0);
	assert_int_equal(out[1].mode, XS_CLIENT_PERM_READ);
	free(out);
}

static void test_watch_and_transaction(void **state)
{
	struct env *e = *state;
	struct xs_client *other = xs_client_open();
	char *path, *token, *v;
	uint32_t tx;
	size_t len;

	assert_non_null(other);
	assert_int_equal(xs_client_watch(e->c, "/w", "tok"), 0);
	assert_int_equal(xs_client_read_watch(e->c, &path, &token, 1000), 0);
	assert_string_equal(path, "/w");
	free(path);
	assert_int_equal(xs_client_read_watch(e->c, &path, &token, 0), -ETIMEDOUT);

	assert_int_equal(xs_client_transaction_start(e->c, &tx), 0);
	assert_int_equal(xs_client_write(e->c, tx, "/w/x", "1", 1), 0);
	assert_int_equal(xs_client_read(other, 0, "/w/x", &v, &len), -ENOENT);
	assert_int_equal(xs_client_transaction_end(e->c, tx, true), 0);
	assert_int_equal(xs_client_read_watch(e->c, &path, &token, 1000), 0);
	assert_string_equal(path, "/w/x");
	assert_string_equal(token, "tok");
	free(path);

	/* A conflict, then the retry a caller does. */
	assert_int_equal(xs_client_transaction_start(e->c, &tx), 0);
	assert_int_equal(xs_client_read(e->c, tx, "/w/x", &v, &len), 0);
	free(v);
	assert_int_equal(xs_client_write(other, 0, "/w/x", "2", 1), 0);
	assert_int_equal(xs_client_write(e->c, tx, "/w/x", "3", 1), 0);
	assert_int_equal(xs_client_transaction_end(e->c, tx, true), -EAGAIN);
	assert_int_equal(xs_client_unwatch(e->c, "/w", "tok"), 0);
	xs_client_close(other);
}

static void test_introduce_with_descriptors(void **state)
{
	struct env *e = *state;
	int mem = memfd_create("ram", MFD_CLOEXEC);
	int to_store = eventfd(0, EFD_CLOEXEC), to_guest = eventfd(0, EFD_CLOEXEC);
	struct xs_client *monitor = xs_client_open();
	char *path, *token;

	assert_non_null(monitor);
	assert_int_equal(ftruncate(mem, 64 * 4096), 0);
	assert_int_equal(xs_client_watch(e->c, "@introduceDomain", "in"), 0);
	assert_int_equal(xs_client_watch(e->c, "@releaseDomain", "out"), 0);
	assert_int_equal(xs_client_read_watch(e->c, &path, &token, 1000), 0);
	free(path);
	assert_int_equal(xs_client_read_watch(e->c, &path, &token, 1000), 0);
	free(path);

	assert_int_equal(xs_client_introduce(monitor, 7, 12, 2, mem, to_store, to_guest), 0);
	assert_int_equal(xs_client_read_watch(e->c, &path, &token, 1000), 0);
	assert_string_equal(path, "@introduceDomain");
	free(path);
	assert_int_equal(xs_client_is_domain_introduced(e->c, 7), 1);
	assert_int_equal(xs_client_introduce(monitor, 7, 12, 2, mem, to_store, to_guest), -EEXIST);
	assert_int_equal(xs_client_get_domain_path(e->c, 7, &path), 0);
	assert_string_equal(path, "/local/domain/7");
	free(path);
	/* The ring page was set up in the memfd. */
	{
		struct xenstore_domain_interface *intf =
			mmap(NULL, 4096, PROT_READ, MAP_SHARED, mem, 12 * 4096);

		assert_true(intf != MAP_FAILED);
		assert_int_equal(intf->server_features,
				 XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR);
		munmap(intf, 4096);
	}
	/* The monitor dies: the domain is released. */
	xs_client_close(monitor);
	assert_int_equal(xs_client_read_watch(e->c, &path, &token, 2000), 0);
	assert_string_equal(path, "@releaseDomain");
	free(path);
	assert_int_equal(xs_client_is_domain_introduced(e->c, 7), 0);
	assert_int_equal(xs_client_release(e->c, 7), -ENOENT);
	close(mem);
	close(to_store);
	close(to_guest);
}

/* build/tests/<this> -> build/bin/xenstored */
static bool daemon_binary(char *out, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return false;
	self[n] = 0;
	snprintf(out, cap, "%s/../bin/xenstored", dirname(self));
	return access(out, X_OK) == 0;
}

static void test_open_or_start_race(void **state)
{
	char bin[PATH_MAX + 32], dir[] = "/tmp/xsd-start-XXXXXX", sock[96], cmd[128];
	struct xs_client *c;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	pid_t kids[4];

	(void)state;
	if (!daemon_binary(bin, sizeof(bin)))
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/socket", dir);
	setenv("XENSTORED_PATH", sock, 1);
	setenv("XENO_STATE_DIR", dir, 1);
	setenv("XENO_LOG_DIR", dir, 1);
	for (int i = 0; i < 4; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			char path[32];
			struct xs_client *k = xs_client_open_or_start(bin);

			snprintf(path, sizeof(path), "/race/%d", i);
			_exit(k && xs_client_write(k, 0, path, "x", 1) == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < 4; i++) {
		int status;

		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* One daemon serves them all. */
	c = xs_client_open();
	assert_non_null(c);
	for (int i = 0; i < 4; i++) {
		char path[32], *v;
		size_t len;

		snprintf(path, sizeof(path), "/race/%d", i);
		assert_int_equal(xs_client_read(c, 0, path, &v, &len), 0);
		free(v);
	}
	assert_int_equal(getsockopt(xs_client_fd(c), SOL_SOCKET, SO_PEERCRED, &cred, &clen), 0);
	xs_client_close(c);
	assert_int_equal(kill(cred.pid, SIGTERM), 0);
	for (int i = 0; i < 300 && kill(cred.pid, 0) == 0; i++)
		usleep(10000);
	assert_int_not_equal(kill(cred.pid, 0), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_and_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_introduce_with_descriptors, setup, teardown),
		cmocka_unit_test(test_open_or_start_race),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
