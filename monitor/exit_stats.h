/*
 * Exits counted by cause, per vCPU (no atomics on the hot path), summed and
 * logged when the domain is taken down: which hypercall, which exception
 * (emulated here or delivered to the guest), kicks, guest user system
 * calls, page-table store stub runs (no exit of their own: counted to see
 * how many there are) and synchronous flushes. On this host every exit
 * costs tens of microseconds, so the hot causes are where a guest's time
 * goes.
 */
#ifndef MONITOR_EXIT_STATS_H
#define MONITOR_EXIT_STATS_H

#include <stdbool.h>
#include <stdint.h>

#define EXIT_STATS_HYPERCALLS 64

struct exit_stats {
	uint64_t hypercall[EXIT_STATS_HYPERCALLS];
	uint64_t exception_emulated[32], exception_delivered[32];
	uint64_t kick, user_syscall, pt_stub, pt_flush, other;
};

struct domain;

/* The sum over the domain's vCPUs as lines ("exits: N in all", then one
 * line per cause, most frequent first, then the store stub's runs), each
 * passed to out; read while the vCPUs run, so only roughly consistent. */
void exit_stats_report(struct domain *d, void (*out)(void *arg, const char *line), void *arg);
/* The same lines in the monitor log. */
void exit_stats_log(struct domain *d);

#endif /* MONITOR_EXIT_STATS_H */
