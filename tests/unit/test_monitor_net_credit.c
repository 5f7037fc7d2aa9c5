/*
 * The rate= credit of a vif queue (monitor/net/credit.c) on a made-up
 * clock: small packets within an interval's credit, the wait for the next
 * interval, a 64 KiB GSO frame under a rate far below it (it must wait for
 * enough intervals, and the average rate must hold), the burst cap after
 * idle time, and no limit at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../monitor/net/credit.h"

#define MS 1000000LL

static void test_no_limit(void **state)
{
	struct net_credit c;
	int64_t retry = -1;

	(void)state;
	net_credit_init(&c, 0, 0);
	for (int i = 0; i < 1000; i++)
		assert_true(net_credit_take(&c, 0, 65535, &retry));
	net_credit_init(&c, 1000, 0);	/* no interval: no limit either */
	assert_true(net_credit_take(&c, 0, 65535, &retry));
	assert_int_equal(retry, -1);
}

static void test_within_interval(void **state)
{
	struct net_credit c;
	int64_t retry = 0;

	(void)state;
	net_credit_init(&c, 3000, 50000);	/* 3000 bytes per 50 ms */
	assert_true(net_credit_take(&c, 10 * MS, 1000, &retry));
	assert_true(net_credit_take(&c, 20 * MS, 2000, &retry));
	assert_false(net_credit_take(&c, 30 * MS, 1, &retry));
	assert_int_equal(retry, 60 * MS);
	assert_false(net_credit_take(&c, 59 * MS, 1, &retry));
	assert_true(net_credit_take(&c, 60 * MS, 3000, &retry));
	assert_false(net_credit_take(&c, 60 * MS, 1, &retry));
	assert_int_equal(retry, 110 * MS);
}

/* 12500 bytes per 50 ms (2 Mb/s) and 64 KiB frames: each waits until six
 * intervals' credit covers it, so the average stays at the rate. */
static void test_large_frames_wait(void **state)
{
	struct net_credit c;
	int64_t now = 0, retry = 0;
	uint64_t sent = 0;
	int frames = 0;

	(void)state;
	net_credit_init(&c, 12500, 50000);
	while (now < 10000 * MS) {
		if (net_credit_take(&c, now, 65536, &retry)) {
			sent += 65536;
			frames++;
			continue;
		}
		assert_true(retry > now);
		now = retry;
	}
	/* 10 s at 250000 bytes/s: 2.5 MB, never more than that plus one burst */
	assert_true(frames > 0);
	assert_true(sent <= 2500000 + NET_CREDIT_MIN_BURST);
	assert_true(sent >= 2500000 - 2 * 65536);
}

/* Idle time earns no more than the burst. */
static void test_burst_cap(void **state)
{
	struct net_credit c;
	int64_t now = 0, retry = 0;
	uint64_t sent = 0;

	(void)state;
	net_credit_init(&c, 1000, 1000);	/* 1000 bytes per ms */
	for (int i = 0; i < 500; i++) {	/* 500 ms of small, rare packets */
		assert_true(net_credit_take(&c, now, 10, &retry));
		now += 1 * MS;
	}
	now += 10000 * MS;
	while (net_credit_take(&c, now, 1000, &retry))
		sent += 1000;
	assert_true(sent <= NET_CREDIT_MIN_BURST + 1000);
	assert_true(sent >= NET_CREDIT_MIN_BURST - 1000);
}

/* A rate above the minimum burst keeps a whole interval's credit. */
static void test_big_interval_credit(void **state)
{
	struct net_credit c;
	int64_t retry = 0;
	uint64_t sent = 0;

	(void)state;
	net_credit_init(&c, 1000000, 50000);
	while (net_credit_take(&c, 5 * MS, 1000, &retry))
		sent += 1000;
	assert_int_equal(sent, 1000000);
	assert_int_equal(retry, 55 * MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_limit),
		cmocka_unit_test(test_within_interval),
		cmocka_unit_test(test_large_frames_wait),
		cmocka_unit_test(test_burst_cap),
		cmocka_unit_test(test_big_interval_credit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
