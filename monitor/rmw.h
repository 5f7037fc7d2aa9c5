/*
 * The instructions a guest kernel uses to change a page-table entry in
 * place — plain stores, xchg, cmpxchg, and the locked and/or/xor and
 * bit-test-and-modify that Linux's clear_bit/test_and_clear_bit compile to
 * — computed in software on one memory operand, for Xen's writable page
 * tables. Pure code: the caller reads the operand and stores the result.
 */
#ifndef MONITOR_RMW_H
#define MONITOR_RMW_H

#include <stdbool.h>
#include <stdint.h>

#include "domain.h"
#include "insn.h"

/* Bytes of memory the instruction reads and writes: 1, 2, 4 or 8, or 0 if
 * it is not one of the subset (or names no memory operand). */
unsigned int rmw_size(const struct insn *in);

/* Applies the instruction to old, the memory operand's value (rmw_size
 * bytes). Sets *store and *new_val when memory is written; updates the
 * registers and arithmetic flags the instruction writes in r. Returns false
 * for an instruction rmw_size refuses. */
bool rmw_apply(const struct insn *in, struct vcpu_regs *r, uint64_t old, uint64_t *new_val,
	       bool *store);

#endif /* MONITOR_RMW_H */
