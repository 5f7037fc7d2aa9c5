/*
 * A deliberately small x86-64 decoder: prefixes, REX, one- and two-byte
 * opcodes of the instructions emulate.c handles, ModRM/SIB/displacement
 * and immediates. See insn.h.
 */
#include "insn.h"

#include <string.h>

enum {
	F_KNOWN = 1 << 0,
	F_MODRM = 1 << 1,
	F_IMM8 = 1 << 2,
	F_IMMZ = 1 << 3,	/* 16 or 32 bits by operand size */
	F_MOFFS = 1 << 4,	/* an address: 8 bytes, 4 with 0x67 */
	F_REGONLY = 1 << 5,	/* ModRM always names registers (mov cr/dr) */
};

static unsigned int onebyte_flags(uint8_t op)
{
	switch (op) {
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:	/* ins, outs */
	case 0xec: case 0xed: case 0xee: case 0xef:	/* in, out with %dx */
	case 0xf4:					/* hlt */
	case 0xfa: case 0xfb:				/* cli, sti */
		return F_KNOWN;
	case 0x08: case 0x09:				/* or r/m, r */
	case 0x20: case 0x21:				/* and r/m, r */
	case 0x30: case 0x31:				/* xor r/m, r */
	case 0x86: case 0x87:				/* xchg r/m, r */
	case 0x88: case 0x89: case 0x8a: case 0x8b:	/* mov */
		return F_KNOWN | F_MODRM;
	case 0x80: case 0x83:				/* group 1, imm8 */
		return F_KNOWN | F_MODRM | F_IMM8;
	case 0x81:					/* group 1, imm */
		return F_KNOWN | F_MODRM | F_IMMZ;
	case 0xc6:					/* mov r/m8, imm8 */
		return F_KNOWN | F_MODRM | F_IMM8;
	case 0xc7:					/* mov r/m, imm */
		return F_KNOWN | F_MODRM | F_IMMZ;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:	/* mov with moffs */
		return F_KNOWN | F_MOFFS;
	case 0xcd:					/* int imm8 */
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:	/* in, out with imm8 */
		return F_KNOWN | F_IMM8;
	default:
		return 0;
	}
}

static unsigned int twobyte_flags(uint8_t op)
{
	switch (op) {
	case 0x06:	/* clts */
	case 0x09:	/* wbinvd */
	case 0x0b:	/* ud2 */
	case 0x30:	/* wrmsr */
	case 0x31:	/* rdtsc */
	case 0x32:	/* rdmsr */
	case 0xa2:	/* cpuid */
		return F_KNOWN;
	case 0x01:	/* group 7 (lgdt, lidt, xsetbv, rdtscp ...) */
	case 0xb0: case 0xb1:	/* cmpxchg */
		return F_KNOWN | F_MODRM;
	case 0xba:		/* group 8: bt/bts/btr/btc r/m, imm8 */
		return F_KNOWN | F_MODRM | F_IMM8;
	case 0x20: case 0x21: case 0x22: case 0x23:	/* mov to/from cr, dr */
		return F_KNOWN | F_MODRM | F_REGONLY;
	default:
		return 0;
	}
}

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
		return true;
	default:
		return false;
	}
}

/* Little-endian value of n bytes at p. */
static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

int insn_decode(struct insn *in, const uint8_t *buf, unsigned int avail)
{
	unsigned int i = 0, flags;

	memset(in, 0, sizeof(*in));
	if (avail > INSN_MAX_LEN)
		avail = INSN_MAX_LEN;
	for (; i < avail && is_legacy_prefix(buf[i]); i++) {
		switch (buf[i]) {
		case 0x66: in->opsize16 = true; break;
		case 0x67: in->addr32 = true; break;
		case 0xf0: in->lock = true; break;
		case 0xf2: in->repne = true; in->rep = false; break;
		case 0xf3: in->rep = true; in->repne = false; break;
		default: break;	/* segment overrides mean nothing in 64-bit mode here */
		}
	}
	/* REX counts only right before the opcode */
	if (i < avail && (buf[i] & 0xf0) == 0x40)
		in->rex = buf[i++];
	if (i >= avail)
		return -1;
	if (buf[i] == 0x0f) {
		if (++i >= avail)
			return -1;
		in->twobyte = true;
		in->op = buf[i++];
		flags = twobyte_flags(in->op);
	} else {
		in->op = buf[i++];
		flags = onebyte_flags(in->op);
	}
	if (!(flags & F_KNOWN))
		return -1;

	if (flags & F_MODRM) {
		if (i >= avail)
			return -1;
		uint8_t m = buf[i++];
		in->has_modrm = true;
		in->mod = m >> 6;
		in->reg = ((m >> 3) & 7) | (in->rex & 4 ? 8 : 0);
		in->rm = (m & 7) | (in->rex & 1 ? 8 : 0);
		if (flags & F_REGONLY) {
			in->mod = 3;
		} else if (in->mod != 3) {
			unsigned int disp = in->mod == 1 ? 1 : in->mod == 2 ? 4 : 0;
			if ((m & 7) == 4) {
				if (i >= avail)
					return -1;
				in->has_sib = true;
				in->sib = buf[i++];
				if (in->mod == 0 && (in->sib & 7) == 5)
					disp = 4;
			} else if (in->mod == 0 && (m & 7) == 5) {
				disp = 4;	/* rip-relative */
			}
			if (i + disp > avail)
				return -1;
			in->disp = disp == 1 ? (int8_t)buf[i] : disp == 4 ? (int32_t)le(buf + i, 4) : 0;
			i += disp;
		}
	}
	if (flags & F_IMM8)
		in->imm_bytes = 1;
	else if (flags & F_IMMZ)
		in->imm_bytes = in->opsize16 && !(in->rex & 8) ? 2 : 4;
	else if (flags & F_MOFFS)
		in->imm_bytes = in->addr32 ? 4 : 8;
	if (i + in->imm_bytes > avail)
		return -1;
	in->imm = le(buf + i, in->imm_bytes);
	i += in->imm_bytes;
	in->len = i;
	return 0;
}
