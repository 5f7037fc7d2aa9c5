/*
 * The monitor's logging. mlog() writes "[monitor d<N>] ..." to stderr,
 * which xl points at monitor-<name>.log, and "(XEN) (d<N>) ..." to the
 * shared hypervisor.log that `xl dmesg` prints, as Xen's own console
 * would show it. Guest console_io lines go to hypervisor.log as
 * "(d<N>) ...", Xen's prefix for a domU's output.
 *
 * Every line is one write() to an O_APPEND file, so lines from vCPU threads
 * and from other monitors never interleave inside a line.
 */
#include "console.h"
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_LEN 1024

static int hv_fd = -1;
static unsigned int log_domid;

int mlog_init(unsigned int domid, const char *log_dir)
{
	char path[4096];

	log_domid = domid;
	ctl_mkdirs(log_dir);	/* errors show up when the file is opened */
	if ((size_t)snprintf(path, sizeof(path), "%s/hypervisor.log", log_dir) >= sizeof(path))
		return -1;
	hv_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	return hv_fd < 0 ? -1 : 0;
}

static void write_line(int fd, const char *buf, size_t len)
{
	while (fd >= 0 && len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* nowhere left to report it */
		buf += n;
		len -= (size_t)n;
	}
}

/* One line: prefix, text with control characters (but tabs) made spaces,
 * newline. */
static size_t format_line(char *out, size_t size, const char *prefix, const char *text)
{
	size_t n = (size_t)snprintf(out, size, "%s", prefix);

	for (const char *p = text; *p && n < size - 2; p++)
		out[n++] = (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) ? ' ' : *p;
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n++] = '\n';
	return n;
}

static unsigned int domid_of(struct domain *d)
{
	return d ? d->domid : log_domid;
}

void mlog(struct domain *d, const char *fmt, ...)
{
	char msg[LINE_MAX_LEN], line[LINE_MAX_LEN + 32], prefix[32];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	snprintf(prefix, sizeof(prefix), "[monitor d%u] ", domid_of(d));
	n = format_line(line, sizeof(line), prefix, msg);
	write_line(STDERR_FILENO, line, n);
	snprintf(prefix, sizeof(prefix), "(XEN) (d%u) ", domid_of(d));
	n = format_line(line, sizeof(line), prefix, msg);
	write_line(hv_fd, line, n);
}

void mlog_guest_line(struct domain *d, const char *text)
{
	char line[LINE_MAX_LEN + 32], prefix[32];
	size_t n;

	snprintf(prefix, sizeof(prefix), "(d%u) ", domid_of(d));
	n = format_line(line, sizeof(line), prefix, text);
	write_line(hv_fd, line, n);
}
