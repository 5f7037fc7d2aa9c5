/* See rmw.h. */
#include "rmw.h"

#define FL_CF 0x001ULL
#define FL_PF 0x004ULL
#define FL_AF 0x010ULL
#define FL_ZF 0x040ULL
#define FL_SF 0x080ULL
#define FL_OF 0x800ULL
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

static uint64_t mask_of(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static bool byte_op(const struct insn *in)
{
	if (in->twobyte)
		return in->op == 0xb0;
	switch (in->op) {
	case 0x08: case 0x20: case 0x30: case 0x80: case 0x86: case 0x88: case 0xc6:
		return true;
	default:
		return false;
	}
}

unsigned int rmw_size(const struct insn *in)
{
	if (!in->has_modrm || insn_rm_is_reg(in))
		return 0;
	if (in->twobyte) {
		switch (in->op) {
		case 0xb0: case 0xb1:	/* cmpxchg */
			break;
		case 0xba:		/* bts/btr/btc with imm8 (bt only reads) */
			if ((in->reg & 7) < 5)
				return 0;
			break;
		default:
			return 0;
		}
	} else {
		switch (in->op) {
		case 0x08: case 0x09: case 0x20: case 0x21: case 0x30: case 0x31:
		case 0x86: case 0x87: case 0x88: case 0x89:
			break;
		case 0x80: case 0x81: case 0x83:	/* group 1: or, and, xor only */
			if ((in->reg & 7) != 1 && (in->reg & 7) != 4 && (in->reg & 7) != 6)
				return 0;
			break;
		case 0xc6: case 0xc7:
			if ((in->reg & 7) != 0)
				return 0;
			break;
		default:
			return 0;
		}
	}
	return byte_op(in) ? 1 : insn_opsize(in);
}

/* Register operand n at this size; without REX, byte registers 4-7 are
 * AH, CH, DH, BH. */
static uint64_t reg_get(const struct insn *in, struct vcpu_regs *r, unsigned int n,
			unsigned int size)
{
	if (size == 1 && !in->rex && n >= 4 && n < 8)
		return (*vcpu_gpr(r, n - 4) >> 8) & 0xff;
	return *vcpu_gpr(r, n) & mask_of(size);
}

/* As the CPU writes a register: 32-bit results zero-extend, narrower merge. */
static void reg_set(const struct insn *in, struct vcpu_regs *r, unsigned int n, unsigned int size,
		    uint64_t val)
{
	if (size == 1 && !in->rex && n >= 4 && n < 8) {
		uint64_t *g = vcpu_gpr(r, n - 4);
		*g = (*g & ~0xff00ULL) | ((val & 0xff) << 8);
		return;
	}
	uint64_t *g = vcpu_gpr(r, n);
	if (size == 4)
		*g = val & 0xffffffffULL;
	else if (size == 8)
		*g = val;
	else
		*g = (*g & ~mask_of(size)) | (val & mask_of(size));
}

static uint64_t szp_flags(uint64_t res, unsigned int size)
{
	uint64_t f = 0;

	res &= mask_of(size);
	if (!res)
		f |= FL_ZF;
	if (res >> (size * 8 - 1))
		f |= FL_SF;
	if (!__builtin_parity((unsigned int)(res & 0xff)))
		f |= FL_PF;
	return f;
}

/* The flags of `cmp a, b` (a - b), as cmpxchg sets them. */
static uint64_t sub_flags(uint64_t a, uint64_t b, unsigned int size)
{
	uint64_t m = mask_of(size), res = (a - b) & m, sign = 1ULL << (size * 8 - 1);
	uint64_t f = szp_flags(res, size);

	a &= m;
	b &= m;
	if (a < b)
		f |= FL_CF;
	if ((a ^ b) & (a ^ res) & sign)
		f |= FL_OF;
	if ((a ^ b ^ res) & 0x10)
		f |= FL_AF;
	return f;
}

static void set_flags(struct vcpu_regs *r, uint64_t changed, uint64_t f)
{
	r->rflags = (r->rflags & ~changed) | (f & changed);
}

/* The immediate, sign-extended to the operand as the CPU does. */
static uint64_t imm_value(const struct insn *in)
{
	if (byte_op(in))
		return in->imm;
	if (in->imm_bytes == 1)
		return (uint64_t)(int64_t)(int8_t)in->imm;
	if (in->imm_bytes == 2)
		return (uint64_t)(int64_t)(int16_t)in->imm;
	return (uint64_t)(int64_t)(int32_t)in->imm;
}

static uint64_t logic(unsigned int kind, uint64_t a, uint64_t b)
{
	return kind == 1 ? a | b : kind == 4 ? a & b : a ^ b;
}

bool rmw_apply(const struct insn *in, struct vcpu_regs *r, uint64_t old, uint64_t *new_val,
	       bool *store)
{
	unsigned int size = rmw_size(in);
	uint64_t m = mask_of(size), res;

	if (!size)
		return false;
	old &= m;
	*store = true;
	if (in->twobyte && in->op == 0xba) {
		uint64_t bit = 1ULL << (in->imm & (size * 8 - 1));
		unsigned int kind = in->reg & 7;

		set_flags(r, FL_CF, old & bit ? FL_CF : 0);
		*new_val = kind == 5 ? old | bit : kind == 6 ? old & ~bit : old ^ bit;
		return true;
	}
	if (in->twobyte) {	/* cmpxchg */
		uint64_t acc = *vcpu_gpr(r, 0) & m;

		set_flags(r, FL_ARITH, sub_flags(acc, old, size));
		if (acc == old) {
			*new_val = reg_get(in, r, in->reg, size);
		} else {
			*store = false;	/* the value stays; the accumulator takes it */
			reg_set(in, r, 0, size, old);
		}
		return true;
	}
	switch (in->op) {
	case 0x88: case 0x89:
		*new_val = reg_get(in, r, in->reg, size);
		return true;
	case 0xc6: case 0xc7:
		*new_val = imm_value(in) & m;
		return true;
	case 0x86: case 0x87:
		*new_val = reg_get(in, r, in->reg, size);
		reg_set(in, r, in->reg, size, old);
		return true;
	case 0x80: case 0x81: case 0x83:
		res = logic(in->reg & 7, old, imm_value(in));
		break;
	default:	/* 0x08/0x09 or, 0x20/0x21 and, 0x30/0x31 xor, with a register */
		res = logic(in->op < 0x10 ? 1 : in->op < 0x30 ? 4 : 6, old,
			    reg_get(in, r, in->reg, size));
		break;
	}
	set_flags(r, FL_ARITH, szp_flags(res, size));	/* CF, OF, AF cleared */
	*new_val = res & m;
	return true;
}
