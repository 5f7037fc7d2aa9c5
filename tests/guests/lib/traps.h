/*
 * Exceptions, events and syscalls as the test guests see them.
 *
 * Every entry from Xen becomes a struct trap_frame and a call of
 * trap_dispatch(): expected faults resume at a fix-up address (PROBE()),
 * tests may install a hook, events go to the event-channel layer, and
 * anything else ends the test with "Test result: CRASH".
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

/* Pseudo vectors for entries that are not exceptions. */
#define TRAP_EVENT 0x100
#define TRAP_SYSCALL 0x101
#define TRAP_FAILSAFE 0x102

#define X86_EXC_DE 0
#define X86_EXC_DB 1
#define X86_EXC_BP 3
#define X86_EXC_UD 6
#define X86_EXC_NM 7
#define X86_EXC_GP 13
#define X86_EXC_PF 14

/* #PF error code bits */
#define PFEC_PRESENT 0x1
#define PFEC_WRITE 0x2
#define PFEC_USER 0x4

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* Xen's part of the bounce frame. */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "matches entry.S");

/* What the last trap looked like; count says how many there were. */
struct trap_record {
	unsigned int count;
	uint64_t vector, error_code, rip, cs, rflags, rsp, ss, cr2;
	uint64_t frame_addr; /* where Xen put the frame (address of rip) */
};
extern volatile struct trap_record last_trap;

/*
 * Set by PROBE(): where to resume if the instruction traps (0 when no probe
 * is running), the instruction's address, the address after it, and %rsp
 * at the instruction.
 */
extern volatile uint64_t trap_fixup, probe_insn, probe_next, probe_rsp;

/* Optional per-test handler; return true when it dealt with the trap. */
extern bool (*trap_hook)(struct trap_frame *f);

/* Install the virtual IDT: every vector of entry.S, DPL 0, events untouched. */
void traps_init(void);
/* The trap table the runtime installed (for tests that vary one entry). */
extern struct trap_info trap_table[];
void trap_reset(void);

/*
 * Run one instruction (an asm template) that may fault; if it does, the
 * handler records the trap and execution continues after it.
 * PROBE_OPS() takes asm operands, starting with a colon.
 */
#define PROBE_TEMPLATE(insn)                                                                       \
	"movq $1f, trap_fixup(%%rip)\n\t"                                                         \
	"movq $1f, probe_next(%%rip)\n\t"                                                         \
	"movq $2f, probe_insn(%%rip)\n\t"                                                         \
	"movq %%rsp, probe_rsp(%%rip)\n"                                                           \
	"2:\t" insn "\n"                                                                           \
	"1:\tmovq $0, trap_fixup(%%rip)"
#define PROBE_OPS(insn, ...)                                                                       \
	do {                                                                                       \
		__asm__ __volatile__(PROBE_TEMPLATE(insn) __VA_ARGS__);                            \
		__asm__ __volatile__("" ::: "memory");                                             \
	} while (0)
#define PROBE(insn) PROBE_OPS(insn, ::: "memory")

/*
 * An extra entry stub for a test, in a top-level asm block:
 *   TRAP_STUB(entry_int81, 0x81, 0)   (last argument: CPU pushes an error code)
 */
#define TRAP_STUB(name, vector, has_error_code)                                                   \
	__asm__(".text\n\t.globl " #name "\n" #name ":\n\t"                                      \
		"pop %rcx\n\tpop %r11\n\t" __STUB_ERRCODE_##has_error_code                        \
		"pushq $" #vector "\n\tjmp trap_common\n\t.previous")
#define __STUB_ERRCODE_0 "pushq $0\n\t"
#define __STUB_ERRCODE_1 ""

/* entry.S */
void entry_DE(void), entry_DB(void), entry_NMI(void), entry_BP(void), entry_OF(void);
void entry_BR(void), entry_UD(void), entry_NM(void), entry_DF(void), entry_TS(void);
void entry_NP(void), entry_SS(void), entry_GP(void), entry_PF(void), entry_MF(void);
void entry_AC(void), entry_MC(void), entry_XM(void);
void entry_event(void), entry_syscall(void), entry_failsafe(void);
void user_return(void);
extern uint64_t user_return_rsp;
long enter_user(uint64_t rip, uint64_t rsp, uint64_t rflags);
/* From the syscall handler: end enter_user() with value ret. */
void user_exit_to_kernel(struct trap_frame *f, long ret);

static inline bool frame_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) == 3;
}

#endif /* !__ASSEMBLER__ */

#endif /* GUEST_TRAPS_H */
