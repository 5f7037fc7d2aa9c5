#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static FILE *log_fp;
static char *log_path;
static bool trace_on;

int log_open(const char *path)
{
	FILE *fp;
	char *copy = NULL;

	if (!path) {
		log_close();
		return 0;
	}
	copy = strdup(path);
	fp = fopen(path, "ae");
	if (!fp || !copy) {
		int err = errno ? errno : ENOMEM;

		if (fp)
			fclose(fp);
		free(copy);
		return -err;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	log_close();
	log_fp = fp;
	log_path = copy;
	return 0;
}

void log_reopen(void)
{
	char *path = log_path;

	if (!path)
		return;
	log_path = NULL;
	if (log_open(path) < 0)
		log_path = path;
	else
		free(path);
}

void log_close(void)
{
	if (log_fp)
		fclose(log_fp);
	log_fp = NULL;
	free(log_path);
	log_path = NULL;
}

void log_set_trace(bool on)
{
	trace_on = on;
}

bool log_trace_enabled(void)
{
	return trace_on;
}

static void vlog(const char *fmt, va_list ap)
{
	FILE *fp = log_fp ? log_fp : stderr;
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(fp, "%s.%03ld xenstored: ", stamp, ts.tv_nsec / 1000000);
	vfprintf(fp, fmt, ap);
	fputc('\n', fp);
}

void log_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_trace(const char *fmt, ...)
{
	va_list ap;

	if (!trace_on)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
