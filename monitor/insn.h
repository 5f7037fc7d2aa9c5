/*
 * Length and operand decoding of the x86-64 instructions the monitor
 * emulates for a PV guest (privileged and port I/O instructions, `int n`,
 * Xen's forced-emulation prefix, plain loads and stores). Pure code over a
 * byte buffer: anything outside that subset is reported as unknown, and
 * the exception that brought us here goes to the guest unchanged.
 */
#ifndef MONITOR_INSN_H
#define MONITOR_INSN_H

#include <stdbool.h>
#include <stdint.h>

#define INSN_MAX_LEN 15

struct insn {
	unsigned int len;	/* bytes, prefixes included */
	/* prefixes */
	bool opsize16;		/* 0x66 */
	bool addr32;		/* 0x67 */
	bool lock, rep, repne;	/* 0xf0, 0xf3, 0xf2 */
	uint8_t rex;		/* 0x40-0x4f, or 0 */
	/* opcode */
	bool twobyte;		/* after 0x0f */
	uint8_t op;
	/* ModRM, with REX.R and REX.B folded into reg and rm */
	bool has_modrm;
	uint8_t mod, reg, rm;
	bool has_sib;
	uint8_t sib;
	int32_t disp;
	uint8_t imm_bytes;
	uint64_t imm;		/* zero-extended as encoded */
};

/* Decode one instruction from buf (avail bytes of it were readable).
 * Returns 0, or -1 if it is not one we know or runs past avail. */
int insn_decode(struct insn *in, const uint8_t *buf, unsigned int avail);

/* Operand size of a non-byte operation: 2, 4 or 8 (REX.W wins over 0x66). */
static inline unsigned int insn_opsize(const struct insn *in)
{
	return in->rex & 8 ? 8 : in->opsize16 ? 2 : 4;
}

/* Whether the ModRM names a register rather than memory. */
static inline bool insn_rm_is_reg(const struct insn *in)
{
	return in->has_modrm && in->mod == 3;
}

#endif /* MONITOR_INSN_H */
