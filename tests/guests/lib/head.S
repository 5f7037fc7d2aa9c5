/*
 * Xen ELF notes, the hypercall page and the entry point of every test guest.
 *
 * A Xen domain builder enters _start in guest kernel mode (ring 3,
 * FLAT_KERNEL_CS64) with %rsi = virtual address of start_info and %rsp
 * inside the bootstrap region. Events are masked.
 */
#include <xen/elfnote.h>
#include <xen/xen.h>

/* One ELF note of owner "Xen": namesz, descsz, type, name, desc (4-aligned). */
.macro xen_note type:req, desc:vararg
	.p2align 2
	.long 4
	.long 2f - 1f
	.long \type
	.asciz "Xen"
	.p2align 2
1:	\desc
2:	.p2align 2
.endm

	.section .note.Xen, "a", @note
	xen_note XEN_ELFNOTE_GUEST_OS, .asciz "xeno-test"
	xen_note XEN_ELFNOTE_GUEST_VERSION, .asciz "1"
	xen_note XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0"
	xen_note XEN_ELFNOTE_LOADER, .asciz "generic"
	xen_note XEN_ELFNOTE_VIRT_BASE, .quad VIRT_BASE
	xen_note XEN_ELFNOTE_PADDR_OFFSET, .quad 0
	xen_note XEN_ELFNOTE_ENTRY, .quad _start
	xen_note XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page
	xen_note XEN_ELFNOTE_FEATURES, .asciz "!writable_page_tables"

	.section .text.head, "ax", @progbits
	.code64
	.globl _start
_start:
	cld
	lea	boot_stack_top(%rip), %rsp
	mov	%rsi, %rbx			/* start_info, kept across the bss clear */

	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb

	mov	%rbx, %rdi
	call	runtime_start			/* does not return */
1:	ud2
	jmp	1b

/*
 * Filled by the domain builder. Until then (or if it never is) every byte
 * is int3, so a call into an empty slot traps instead of running on.
 */
	.section .text.hypercall_page, "ax", @progbits
	.globl hypercall_page
	.p2align 12
hypercall_page:
	.fill 4096, 1, 0xcc
	.size hypercall_page, 4096
	.type hypercall_page, @object

	.section .bss.page_aligned, "aw", @nobits
	.p2align 12
boot_stack:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:
