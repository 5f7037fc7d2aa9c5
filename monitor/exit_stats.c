/* See exit_stats.h. */
#include "exit_stats.h"

#include <stdio.h>
#include <stdlib.h>

#include "domain.h"

#define MAX_CAUSES (EXIT_STATS_HYPERCALLS + 64 + 4)

struct cause {
	uint64_t n;
	char what[48];
};

static int by_count(const void *a, const void *b)
{
	const struct cause *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

/* The next free slot for a cause seen n times, or NULL if it never was. */
static char *add(struct cause *c, unsigned int *nr, uint64_t n)
{
	if (!n)
		return NULL;
	c[*nr].n = n;
	return c[(*nr)++].what;
}

#define ADD(n, ...)                                                                                \
	do {                                                                                       \
		char *w_ = add(c, &nr, (n));                                                       \
		if (w_)                                                                            \
			snprintf(w_, sizeof(c[0].what), __VA_ARGS__);                              \
	} while (0)

void exit_stats_report(struct domain *d, void (*out)(void *arg, const char *line), void *arg)
{
	char line[96];
	struct exit_stats s = { 0 };
	struct cause c[MAX_CAUSES];
	unsigned int nr = 0;
	uint64_t all = 0;

	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		const struct exit_stats *e = &d->vcpu[i].stats;
		for (unsigned int h = 0; h < EXIT_STATS_HYPERCALLS; h++)
			s.hypercall[h] += e->hypercall[h];
		for (unsigned int x = 0; x < 32; x++) {
			s.exception_emulated[x] += e->exception_emulated[x];
			s.exception_delivered[x] += e->exception_delivered[x];
		}
		s.kick += e->kick;
		s.user_syscall += e->user_syscall;
		s.pt_stub += e->pt_stub;
		s.pt_flush += e->pt_flush;
		s.other += e->other;
	}
	for (unsigned int h = 0; h < EXIT_STATS_HYPERCALLS; h++)
		ADD(s.hypercall[h], "hypercall %u %s", h, hypercall_name(h));
	for (unsigned int x = 0; x < 32; x++) {
		ADD(s.exception_emulated[x], "exception %u emulated", x);
		ADD(s.exception_delivered[x], "exception %u to the guest", x);
	}
	ADD(s.kick, "kick (an event, a pause)");
	ADD(s.user_syscall, "guest user syscall");
	ADD(s.pt_flush, "page-table stores flushed mid-hypercall");
	ADD(s.other, "other");
	for (unsigned int i = 0; i < nr; i++)
		all += c[i].n;
	qsort(c, nr, sizeof(c[0]), by_count);
	snprintf(line, sizeof(line), "exits: %llu in all", (unsigned long long)all);
	out(arg, line);
	for (unsigned int i = 0; i < nr; i++) {
		snprintf(line, sizeof(line), "exits: %10llu %s", (unsigned long long)c[i].n,
			 c[i].what);
		out(arg, line);
	}
	snprintf(line, sizeof(line),
		 "page-table store stub runs (on the way in, no exit of their own): %llu",
		 (unsigned long long)s.pt_stub);
	out(arg, line);
}

static void to_log(void *arg, const char *line)
{
	mlog(arg, "%s", line);
}

void exit_stats_log(struct domain *d)
{
	exit_stats_report(d, to_log, d);
}
