/*
 * Entry points that Xen bounces into, and the way back through HYPERVISOR_iret.
 *
 * Xen builds this frame on the guest kernel stack (16-byte aligned first),
 * lowest address first:
 *     rcx, r11, [error code], rip, cs (saved upcall mask in bits 32-39),
 *     rflags (IF = !saved upcall mask), rsp, ss
 * The failsafe callback additionally has ds, es, fs, gs after r11.
 *
 * Every stub restores rcx and r11, pushes an error code (0 where the CPU
 * has none) and a vector number, and joins trap_common, which saves the
 * general registers into a struct trap_frame (traps.h) and calls
 * trap_dispatch(). On the way back the registers are restored, the frame
 * is reduced to rip, cs, rflags, rsp, ss, and the iret slot of the
 * hypercall page is entered with the iret flags word on top; that slot
 * pushes rcx, r11 and rax to complete Xen's struct iret_context.
 */
#include <xen/xen.h>
#include "traps.h"

/* Stubs are macros so that tests can add their own (see traps.h). */
.macro stub_noerr name, vector
	.globl \name
\name:
	pop	%rcx
	pop	%r11
	pushq	$0
	pushq	$\vector
	jmp	trap_common
.endm

.macro stub_err name, vector
	.globl \name
\name:
	pop	%rcx
	pop	%r11
	pushq	$\vector
	jmp	trap_common
.endm

	.text
	stub_noerr entry_DE, 0
	stub_noerr entry_DB, 1
	stub_noerr entry_NMI, 2
	stub_noerr entry_BP, 3
	stub_noerr entry_OF, 4
	stub_noerr entry_BR, 5
	stub_noerr entry_UD, 6
	stub_noerr entry_NM, 7
	stub_err   entry_DF, 8
	stub_err   entry_TS, 10
	stub_err   entry_NP, 11
	stub_err   entry_SS, 12
	stub_err   entry_GP, 13
	stub_err   entry_PF, 14
	stub_noerr entry_MF, 16
	stub_err   entry_AC, 17
	stub_noerr entry_MC, 18
	stub_noerr entry_XM, 19
	stub_noerr entry_event, TRAP_EVENT
	stub_noerr entry_syscall, TRAP_SYSCALL

	/* Failsafe: drop the four data selectors Xen could not load. */
	.globl entry_failsafe
entry_failsafe:
	pop	%rcx
	pop	%r11
	add	$32, %rsp
	pushq	$0
	pushq	$TRAP_FAILSAFE
	jmp	trap_common

	.globl trap_common
trap_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15

	mov	%rsp, %rdi
	mov	%rsp, %rbx
	and	$-16, %rsp
	call	trap_dispatch
	mov	%rbx, %rsp

	.globl trap_return
trap_return:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp			/* vector, error code */
	pushq	$0				/* iret flags: restore rcx and r11 */
	jmp	hypercall_page + __HYPERVISOR_iret * XEN_HYPERCALL_SLOT_SIZE

/*
 * long enter_user(uint64_t rip, uint64_t rsp, uint64_t rflags)
 *
 * Runs rip in guest user mode (on the user page tables installed with
 * MMUEXT_NEW_USER_BASEPTR) until the kernel's syscall handler ends the
 * visit with user_exit_to_kernel(); returns the value given there.
 */
	.globl enter_user
enter_user:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, user_return_rsp(%rip)
	pushq	$FLAT_USER_SS
	push	%rsi
	push	%rdx
	pushq	$FLAT_USER_CS
	push	%rdi
	pushq	$0
	jmp	hypercall_page + __HYPERVISOR_iret * XEN_HYPERCALL_SLOT_SIZE

	/* Where user_exit_to_kernel() makes the iret land, in kernel mode. */
	.globl user_return
user_return:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

	.bss
	.p2align 3
	.globl user_return_rsp
user_return_rsp:
	.quad 0
