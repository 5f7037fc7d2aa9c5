/*
 * The console ring logic and the byte fifo, without KVM: the ring page is a
 * plain struct that the test writes as a (possibly hostile) guest would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../monitor/console.h"

#define OUT_SZ sizeof(((struct xencons_interface *)0)->out)
#define IN_SZ sizeof(((struct xencons_interface *)0)->in)

/* What a guest does: put bytes at out_prod and advance it. */
static void guest_put(struct xencons_interface *r, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		r->out[MASK_XENCONS_IDX(r->out_prod + i, r->out)] = s[i];
	r->out_prod += (XENCONS_RING_IDX)n;
}

static void test_output_simple(void **state)
{
	struct xencons_interface r = {0};
	char buf[64];
	bool bad = false;

	(void)state;
	guest_put(&r, "hello\n", 6);
	assert_int_equal(xencons_read_output(&r, buf, sizeof(buf), &bad), 6);
	assert_memory_equal(buf, "hello\n", 6);
	assert_int_equal(r.out_cons, 6);
	assert_false(bad);
	/* nothing more */
	assert_int_equal(xencons_read_output(&r, buf, sizeof(buf), &bad), 0);
	assert_int_equal(r.out_cons, 6);
}

/* Indices run free across 2^32 and the data wraps the end of out[]. */
static void test_output_wraps(void **state)
{
	struct xencons_interface r = {0};
	char msg[100], buf[100];
	bool bad = false;

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('a' + i % 26);
	r.out_cons = r.out_prod = 0xffffffffu - 40;	/* 40 bytes before the index wraps */
	guest_put(&r, msg, sizeof(msg));
	assert_int_equal(MASK_XENCONS_IDX(r.out_cons, r.out), OUT_SZ - 41);
	assert_int_equal(xencons_read_output(&r, buf, sizeof(buf), &bad), sizeof(msg));
	assert_memory_equal(buf, msg, sizeof(msg));
	assert_int_equal(r.out_cons, r.out_prod);
	assert_false(bad);
}

/* A full ring read in two steps when the caller's buffer is small. */
static void test_output_partial(void **state)
{
	struct xencons_interface r = {0};
	char msg[OUT_SZ], buf[OUT_SZ];
	bool bad = false;

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)i;
	r.out_cons = r.out_prod = 1000;
	guest_put(&r, msg, sizeof(msg));
	assert_int_equal(xencons_read_output(&r, buf, 1500, &bad), 1500);
	assert_int_equal(r.out_cons, 2500);
	assert_int_equal(xencons_read_output(&r, buf + 1500, sizeof(buf), &bad), OUT_SZ - 1500);
	assert_memory_equal(buf, msg, sizeof(msg));
	assert_false(bad);
}

/* A guest that claims more than the ring holds, or moves prod backwards:
 * nothing is read, and the ring is resynchronised so output flows again. */
static void test_output_hostile(void **state)
{
	static const XENCONS_RING_IDX cases[][2] = {
		{0, OUT_SZ + 1}, {100, 99}, {0, 0x80000000u}, {0xfffffff0u, 0x7ffu + 0x20u},
	};
	char buf[OUT_SZ];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xencons_interface r = {0};
		bool bad = false;

		r.out_cons = cases[i][0];
		r.out_prod = cases[i][1];
		assert_int_equal(xencons_read_output(&r, buf, sizeof(buf), &bad), 0);
		assert_true(bad);
		assert_int_equal(r.out_cons, r.out_prod);
		/* the ring works again */
		bad = false;
		guest_put(&r, "ok", 2);
		assert_int_equal(xencons_read_output(&r, buf, sizeof(buf), &bad), 2);
		assert_memory_equal(buf, "ok", 2);
		assert_false(bad);
	}
	/* exactly full is fine */
	struct xencons_interface r = {0};
	bool bad = false;
	r.out_cons = 5;
	r.out_prod = 5 + OUT_SZ;
	assert_int_equal(xencons_read_output(&r, buf, sizeof(buf), &bad), OUT_SZ);
	assert_false(bad);
}

static void test_input(void **state)
{
	struct xencons_interface r = {0};
	char data[IN_SZ + 10];
	bool bad = false;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	r.in_cons = r.in_prod = 0xfffffe00u;	/* wraps the index and the ring */
	assert_int_equal(xencons_input_space(&r, &bad), IN_SZ);
	assert_int_equal(xencons_write_input(&r, data, 300), 300);
	assert_int_equal(xencons_input_space(&r, &bad), IN_SZ - 300);
	/* more than fits: only the space is taken */
	assert_int_equal(xencons_write_input(&r, data + 300, sizeof(data) - 300), IN_SZ - 300);
	assert_int_equal(xencons_input_space(&r, &bad), 0);
	assert_int_equal(xencons_write_input(&r, data, 1), 0);
	assert_false(bad);
	for (size_t i = 0; i < IN_SZ; i++)
		assert_int_equal(r.in[MASK_XENCONS_IDX(r.in_cons + i, r.in)], data[i]);
	/* the guest consumes some; room again */
	r.in_cons += 10;
	assert_int_equal(xencons_input_space(&r, &bad), 10);
	assert_false(bad);
}

static void test_input_hostile(void **state)
{
	struct xencons_interface r = {0};
	bool bad = false;

	(void)state;
	r.in_cons = 50;		/* the guest consumed more than was produced */
	r.in_prod = 10;
	assert_int_equal(xencons_input_space(&r, &bad), 0);
	assert_true(bad);
	assert_int_equal(xencons_write_input(&r, "x", 1), 0);
	assert_int_equal(r.in_prod, 10);
	r.in_cons = 0;
	r.in_prod = IN_SZ + 1;
	bad = false;
	assert_int_equal(xencons_input_space(&r, &bad), 0);
	assert_true(bad);
	assert_int_equal(xencons_write_input(&r, "x", 1), 0);
}

static size_t fifo_read_all(struct byte_fifo *f, char *out)
{
	const char *p;
	size_t n, total = 0;

	while ((n = byte_fifo_peek(f, &p)) != 0) {
		memcpy(out + total, p, n);
		total += n;
		byte_fifo_consume(f, n);
	}
	return total;
}

static void test_fifo(void **state)
{
	struct byte_fifo f;
	char out[64];

	(void)state;
	assert_int_equal(byte_fifo_init(&f, 16), 0);
	byte_fifo_put(&f, "0123456789", 10);
	byte_fifo_consume(&f, 4);
	byte_fifo_put(&f, "abcdefgh", 8);	/* wraps the buffer */
	assert_int_equal(f.len, 14);
	assert_int_equal(f.dropped, 0);
	assert_int_equal(fifo_read_all(&f, out), 14);
	assert_memory_equal(out, "456789abcdefgh", 14);

	/* overflow drops the oldest bytes */
	byte_fifo_put(&f, "0123456789", 10);
	byte_fifo_put(&f, "ABCDEFGHIJ", 10);
	assert_int_equal(f.len, 16);
	assert_int_equal(f.dropped, 4);
	assert_int_equal(fifo_read_all(&f, out), 16);
	assert_memory_equal(out, "456789ABCDEFGHIJ", 16);

	/* one put larger than the fifo keeps its newest bytes */
	byte_fifo_put(&f, "xx", 2);
	byte_fifo_put(&f, "abcdefghijklmnopqrstuvwxyz", 26);
	assert_int_equal(f.dropped, 4 + 2 + 10);
	assert_int_equal(fifo_read_all(&f, out), 16);
	assert_memory_equal(out, "klmnopqrstuvwxyz", 16);

	/* consuming more than is there empties it */
	byte_fifo_put(&f, "abc", 3);
	byte_fifo_consume(&f, 100);
	assert_int_equal(f.len, 0);
	byte_fifo_free(&f);
}

static void test_fifo_move(void **state)
{
	struct byte_fifo a, b;
	char out[64];

	(void)state;
	assert_int_equal(byte_fifo_init(&a, 8), 0);
	assert_int_equal(byte_fifo_init(&b, 8), 0);
	byte_fifo_put(&a, "123456", 6);
	byte_fifo_consume(&a, 3);
	byte_fifo_put(&a, "7890", 4);	/* a: "4567890", wrapped */
	byte_fifo_put(&b, "ab", 2);
	byte_fifo_move(&b, &a);
	assert_int_equal(a.len, 0);
	assert_int_equal(fifo_read_all(&b, out), 8);
	assert_memory_equal(out, "b4567890", 8);
	byte_fifo_free(&a);
	byte_fifo_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_simple), cmocka_unit_test(test_output_wraps),
		cmocka_unit_test(test_output_partial), cmocka_unit_test(test_output_hostile),
		cmocka_unit_test(test_input),	      cmocka_unit_test(test_input_hostile),
		cmocka_unit_test(test_fifo),	      cmocka_unit_test(test_fifo_move),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
