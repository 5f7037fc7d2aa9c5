/*
 * The instruction decoder behind the PV emulation (monitor/insn.c): lengths,
 * prefixes, REX, ModRM/SIB/displacement forms, immediates, and refusal of
 * what it does not know or cannot read whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../monitor/insn.h"

#define DECODE(in, ...)                                                                            \
	({                                                                                         \
		static const uint8_t bytes_[] = { __VA_ARGS__ };                                   \
		insn_decode((in), bytes_, sizeof(bytes_));                                         \
	})

static void test_port_io(void **state)
{
	struct insn in;

	(void)state;
	assert_int_equal(DECODE(&in, 0xe4, 0x80), 0);	/* in $0x80,%al */
	assert_int_equal(in.len, 2);
	assert_false(in.twobyte);
	assert_int_equal(in.op, 0xe4);
	assert_int_equal(in.imm_bytes, 1);
	assert_int_equal(in.imm, 0x80);

	assert_int_equal(DECODE(&in, 0x66, 0xe5, 0x71), 0);	/* in $0x71,%ax */
	assert_int_equal(in.len, 3);
	assert_true(in.opsize16);
	assert_int_equal(insn_opsize(&in), 2);

	assert_int_equal(DECODE(&in, 0xee), 0);	/* out %al,(%dx) */
	assert_int_equal(in.len, 1);
	assert_int_equal(in.imm_bytes, 0);

	assert_int_equal(DECODE(&in, 0xfa), 0);	/* cli */
	assert_int_equal(in.len, 1);
	assert_int_equal(DECODE(&in, 0xcd, 0x81), 0);	/* int $0x81 */
	assert_int_equal(in.len, 2);
	assert_int_equal(in.imm, 0x81);
}

static void test_control_and_debug_registers(void **state)
{
	struct insn in;

	(void)state;
	assert_int_equal(DECODE(&in, 0x0f, 0x20, 0xd8), 0);	/* mov %cr3,%rax */
	assert_true(in.twobyte);
	assert_int_equal(in.op, 0x20);
	assert_int_equal(in.len, 3);
	assert_int_equal(in.reg, 3);
	assert_int_equal(in.rm, 0);
	assert_true(insn_rm_is_reg(&in));

	/* the ModRM of a CR move names registers whatever its mod field says */
	assert_int_equal(DECODE(&in, 0x0f, 0x22, 0x10), 0);	/* mov %rax,%cr2 encoded mod 0 */
	assert_int_equal(in.len, 3);
	assert_int_equal(in.reg, 2);
	assert_true(insn_rm_is_reg(&in));

	assert_int_equal(DECODE(&in, 0x44, 0x0f, 0x22, 0xc0), 0);	/* mov %rax,%cr8 */
	assert_int_equal(in.reg, 8);
	assert_int_equal(in.len, 4);

	assert_int_equal(DECODE(&in, 0x41, 0x0f, 0x20, 0xc7), 0);	/* mov %cr0,%r15 */
	assert_int_equal(in.reg, 0);
	assert_int_equal(in.rm, 15);

	assert_int_equal(DECODE(&in, 0x0f, 0x21, 0xf8), 0);	/* mov %dr7,%rax */
	assert_int_equal(in.op, 0x21);
	assert_int_equal(in.reg, 7);
}

static void test_two_byte_without_operands(void **state)
{
	static const uint8_t ops[] = { 0x06, 0x09, 0x0b, 0x30, 0x31, 0x32, 0xa2 };
	struct insn in;

	(void)state;
	for (unsigned int i = 0; i < sizeof(ops); i++) {
		const uint8_t b[] = { 0x0f, ops[i] };
		assert_int_equal(insn_decode(&in, b, sizeof(b)), 0);
		assert_int_equal(in.len, 2);
		assert_int_equal(in.op, ops[i]);
	}
}

static void test_memory_operands(void **state)
{
	struct insn in;

	(void)state;
	/* mov 0x80000000(,%riz),%rax: SIB with no base, disp32 */
	assert_int_equal(DECODE(&in, 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x80), 0);
	assert_int_equal(in.len, 8);
	assert_true(in.has_sib);
	assert_int_equal(in.disp, (int32_t)0x80000000);
	assert_int_equal(insn_opsize(&in), 8);

	/* mov 0x10(%rip),%rcx */
	assert_int_equal(DECODE(&in, 0x48, 0x8b, 0x0d, 0x10, 0, 0, 0), 0);
	assert_int_equal(in.len, 7);
	assert_int_equal(in.reg, 1);
	assert_int_equal(in.disp, 0x10);

	/* mov -8(%rsp),%eax: SIB, disp8 sign-extended */
	assert_int_equal(DECODE(&in, 0x8b, 0x44, 0x24, 0xf8), 0);
	assert_int_equal(in.len, 4);
	assert_int_equal(in.disp, -8);
	assert_int_equal(insn_opsize(&in), 4);

	/* mov 0x100(%r9),%r10: REX.R and REX.B, disp32 */
	assert_int_equal(DECODE(&in, 0x4d, 0x8b, 0x91, 0x00, 0x01, 0, 0), 0);
	assert_int_equal(in.len, 7);
	assert_int_equal(in.reg, 10);
	assert_int_equal(in.rm, 9);
	assert_false(insn_rm_is_reg(&in));

	/* mov moffs64 into %rax, and the 32-bit address form */
	assert_int_equal(DECODE(&in, 0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8), 0);
	assert_int_equal(in.len, 10);
	assert_int_equal(in.imm, 0x0807060504030201ULL);
	assert_int_equal(DECODE(&in, 0x67, 0xa1, 1, 2, 3, 4), 0);
	assert_int_equal(in.len, 6);
}

static void test_immediates(void **state)
{
	struct insn in;

	(void)state;
	assert_int_equal(DECODE(&in, 0xc7, 0x00, 1, 0, 0, 0), 0);	/* movl $1,(%rax) */
	assert_int_equal(in.len, 6);
	assert_int_equal(in.imm, 1);
	assert_int_equal(DECODE(&in, 0x66, 0xc7, 0x00, 1, 0), 0);	/* movw $1,(%rax) */
	assert_int_equal(in.len, 5);
	assert_int_equal(DECODE(&in, 0x48, 0xc7, 0x00, 1, 0, 0, 0), 0);	/* movq $1,(%rax) */
	assert_int_equal(in.len, 7);
	assert_int_equal(DECODE(&in, 0xc6, 0x40, 0x08, 0x7f), 0);	/* movb $0x7f,8(%rax) */
	assert_int_equal(in.len, 4);
	assert_int_equal(in.imm, 0x7f);
}

static void test_refusals(void **state)
{
	uint8_t many[16];
	struct insn in;

	(void)state;
	assert_int_equal(DECODE(&in, 0x90), -1);		/* nop: not ours to emulate */
	assert_int_equal(DECODE(&in, 0x0f, 0x05), -1);		/* syscall */
	assert_int_equal(DECODE(&in, 0x0f), -1);		/* cut after the escape */
	assert_int_equal(DECODE(&in, 0xe4), -1);		/* immediate missing */
	assert_int_equal(DECODE(&in, 0x48, 0x8b, 0x04), -1);	/* SIB missing */
	assert_int_equal(DECODE(&in, 0x8b, 0x80, 0, 0), -1);	/* disp32 cut short */
	assert_int_equal(DECODE(&in, 0x48, 0xa1, 1, 2, 3), -1);	/* moffs cut short */

	/* longer than the architectural 15 bytes */
	memset(many, 0x66, sizeof(many));
	many[15] = 0xec;
	assert_int_equal(insn_decode(&in, many, sizeof(many)), -1);
	many[14] = 0xec;
	assert_int_equal(insn_decode(&in, many + 1, 14), 0);	/* 13 prefixes + opcode */
	assert_int_equal(in.len, 14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_io),
		cmocka_unit_test(test_control_and_debug_registers),
		cmocka_unit_test(test_two_byte_without_operands),
		cmocka_unit_test(test_memory_operands),
		cmocka_unit_test(test_immediates),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
