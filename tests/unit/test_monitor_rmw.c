/*
 * The read-modify-write semantics behind Xen's writable page tables
 * (monitor/rmw.c), from the bytes Linux's PTE helpers compile to: the new
 * value, whether memory is written, and the registers and flags each
 * instruction leaves, as the CPU would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../monitor/rmw.h"

#define CF 0x001ULL
#define ZF 0x040ULL
#define SF 0x080ULL

struct run {
	struct vcpu_regs r;
	uint64_t val;
	bool store, ok;
	unsigned int size;
};

#define RUN(regs, old, ...)                                                                        \
	({                                                                                         \
		static const uint8_t bytes_[] = { __VA_ARGS__ };                                   \
		struct insn in_;                                                                   \
		struct run x_ = { .r = (regs) };                                                   \
		assert_int_equal(insn_decode(&in_, bytes_, sizeof(bytes_)), 0);                    \
		assert_int_equal(in_.len, sizeof(bytes_));                                         \
		x_.size = rmw_size(&in_);                                                          \
		x_.ok = rmw_apply(&in_, &x_.r, (old), &x_.val, &x_.store);                         \
		x_;                                                                                \
	})

/* ptep_get_and_clear: xchg %rsi,(%rbp) with rsi = 0 */
static void test_xchg(void **state)
{
	struct run x = RUN(((struct vcpu_regs){ .rsi = 0, .rflags = 0x202 }), 0x8000000012345067ULL,
			   0x48, 0x87, 0x75, 0x00);

	(void)state;
	assert_true(x.ok && x.store);
	assert_int_equal(x.size, 8);
	assert_int_equal(x.val, 0);
	assert_int_equal(x.r.rsi, 0x8000000012345067ULL);
	assert_int_equal(x.r.rflags, 0x202);	/* xchg leaves the flags */
}

/* lock cmpxchg %rdx,(%rdi): equal, then different */
static void test_cmpxchg(void **state)
{
	struct vcpu_regs r = { .rax = 0x1067, .rdx = 0x1027, .rflags = 0x202 };
	struct run x = RUN(r, 0x1067, 0xf0, 0x48, 0x0f, 0xb1, 0x17);

	(void)state;
	assert_true(x.ok && x.store);
	assert_int_equal(x.val, 0x1027);
	assert_true(x.r.rflags & ZF);
	assert_int_equal(x.r.rax, 0x1067);

	x = RUN(r, 0x1065, 0xf0, 0x48, 0x0f, 0xb1, 0x17);
	assert_true(x.ok);
	assert_false(x.store);
	assert_false(x.r.rflags & ZF);
	assert_int_equal(x.r.rax, 0x1065);	/* the accumulator takes the value */
	assert_false(x.r.rflags & CF);		/* 0x1067 - 0x1065: no borrow */

	/* 32-bit: the accumulator is zero-extended */
	r.rax = 0xffffffff00000001ULL;
	x = RUN(r, 0x2, 0xf0, 0x0f, 0xb1, 0x17);
	assert_int_equal(x.size, 4);
	assert_false(x.store);
	assert_int_equal(x.r.rax, 0x2);
	assert_true(x.r.rflags & CF);		/* 1 - 2 borrows */
	assert_true(x.r.rflags & SF);
}

/* test_and_clear_bit(_PAGE_BIT_ACCESSED): lock btrq $5,(%rdi); bts and btc */
static void test_bit_ops(void **state)
{
	struct vcpu_regs r = { .rflags = 0x202 };
	struct run x = RUN(r, 0x1067, 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05);

	(void)state;
	assert_true(x.ok && x.store);
	assert_int_equal(x.val, 0x1047);
	assert_true(x.r.rflags & CF);
	x = RUN(r, 0x1047, 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05);
	assert_int_equal(x.val, 0x1047);
	assert_false(x.r.rflags & CF);
	x = RUN(r, 0x1, 0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x3f);	/* bts $63 */
	assert_int_equal(x.val, 0x8000000000000001ULL);
	x = RUN(r, 0x3, 0xf0, 0x48, 0x0f, 0xba, 0x3f, 0x41);	/* btc $65: bit 1 */
	assert_int_equal(x.val, 0x1);
	/* bt alone writes nothing: not ours to emulate */
	x = RUN(r, 0x3, 0x48, 0x0f, 0xba, 0x27, 0x01);
	assert_int_equal(x.size, 0);
	assert_false(x.ok);
}

/* clear_bit(_PAGE_BIT_RW): lock andb $0xfd,(%rdi); or and xor forms */
static void test_logic(void **state)
{
	struct vcpu_regs r = { .rcx = 0x100, .rflags = 0x202 | CF };
	struct run x = RUN(r, 0x67, 0xf0, 0x80, 0x27, 0xfd);

	(void)state;
	assert_true(x.ok && x.store);
	assert_int_equal(x.size, 1);
	assert_int_equal(x.val, 0x65);
	assert_false(x.r.rflags & (CF | ZF));
	x = RUN(r, 0x67, 0xf0, 0x48, 0x09, 0x0f);		/* or %rcx,(%rdi) */
	assert_int_equal(x.val, 0x167);
	x = RUN(r, 0x8000000000000067ULL, 0xf0, 0x48, 0x83, 0x27, 0xfe);	/* and $-2 */
	assert_int_equal(x.size, 8);
	assert_int_equal(x.val, 0x8000000000000066ULL);
	assert_true(x.r.rflags & SF);
	x = RUN(r, 0x67, 0x48, 0x81, 0x37, 0x67, 0x00, 0x00, 0x00);	/* xor $0x67 */
	assert_int_equal(x.val, 0);
	assert_true(x.r.rflags & ZF);
}

/* Byte registers without REX: 4-7 are AH..BH; stores of imm sign-extend */
static void test_registers_and_stores(void **state)
{
	struct vcpu_regs r = { .rax = 0x1122334455667788ULL };
	struct run x = RUN(r, 0xaa, 0x86, 0x27);		/* xchg %ah,(%rdi) */

	(void)state;
	assert_int_equal(x.size, 1);
	assert_int_equal(x.val, 0x77);
	assert_int_equal(x.r.rax, 0x112233445566aa88ULL);
	x = RUN(r, 0, 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff);	/* movq $-1 */
	assert_int_equal(x.val, ~0ULL);
	x = RUN(r, 0, 0x89, 0x07);				/* mov %eax,(%rdi) */
	assert_int_equal(x.size, 4);
	assert_int_equal(x.val, 0x55667788);
}

/* Anything else is refused: loads, register destinations, add */
static void test_refusals(void **state)
{
	struct vcpu_regs r = { 0 };

	(void)state;
	assert_false(RUN(r, 0, 0x48, 0x8b, 0x07).ok);		/* mov (%rdi),%rax */
	assert_false(RUN(r, 0, 0x48, 0x87, 0xc8).ok);		/* xchg %rcx,%rax */
	assert_false(RUN(r, 0, 0x48, 0x83, 0x07, 0x01).ok);	/* add $1,(%rdi) */
	assert_true(RUN(r, 0, 0xc7, 0x47, 0x08, 0, 0, 0, 0).ok);	/* a displacement is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xchg),
		cmocka_unit_test(test_cmpxchg),
		cmocka_unit_test(test_bit_ops),
		cmocka_unit_test(test_logic),
		cmocka_unit_test(test_registers_and_stores),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
