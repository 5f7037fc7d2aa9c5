/* Xen system time from vcpu0's vcpu_time_info and the TSC. */
#include "guest.h"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t system_time_ns(void)
{
	const volatile struct vcpu_time_info *t = &vcpu0_info->time;
	uint32_t version, mul;
	uint64_t stamp, sys, delta;
	int8_t shift;
	unsigned int tries = 0;

	do {
		if (++tries > 1000000)
			report_crash("vcpu_time_info never settles (version %u)", t->version);
		version = t->version;
		barrier();
		stamp = t->tsc_timestamp;
		sys = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		delta = rdtsc() - stamp;
		barrier();
	} while ((version & 1) || version != t->version);

	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return sys + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}
