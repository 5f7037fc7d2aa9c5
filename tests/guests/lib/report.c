/* Test results in the format of the Xen Test Framework ("Test result: ..."). */
#include <stdarg.h>

#include "guest.h"
#include "hypercall.h"

static unsigned int nr_checks, nr_failed;

static void __attribute__((noreturn)) shutdown(unsigned int reason)
{
	struct sched_shutdown sd = { .reason = reason };
	long rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, PTR(&sd));

	printk("SCHEDOP_shutdown returned %ld\n", rc);
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_yield, 0);
}

bool check(bool ok, const char *fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	nr_checks++;
	if (!ok)
		nr_failed++;
	printk("%s: %s\n", ok ? "PASS" : "FAIL", name);
	return ok;
}

bool check_eq_impl(long got, long want, const char *fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	nr_checks++;
	if (got == want) {
		printk("PASS: %s\n", name);
		return true;
	}
	nr_failed++;
	printk("FAIL: %s: got %ld (%#lx), expected %ld (%#lx)\n", name, got, got, want, want);
	return false;
}

void note(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("info: %s\n", buf);
}

void report_finish(void)
{
	printk("%u checks, %u failed\n", nr_checks, nr_failed);
	printk("Test result: %s\n", nr_checks && !nr_failed ? "SUCCESS" : "FAILURE");
	shutdown(SHUTDOWN_poweroff);
}

void report_crash(const char *fmt, ...)
{
	static bool crashing;
	char buf[256];
	va_list ap;

	if (crashing) /* a fault while reporting one: nothing more can be said */
		for (;;)
			;
	crashing = true;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("FAIL: %s\n", buf);
	printk("Test result: CRASH\n");
	shutdown(SHUTDOWN_crash);
}
