/*
 * The x86_64 part of Xen's PV ABI: segment selectors, the reserved virtual
 * range, the virtual IDT entry, register frames and the vCPU context.
 */
#ifndef XEN_ARCH_X86_64_H
#define XEN_ARCH_X86_64_H

#include <xen/abi.h>

/*
 * Flat selectors that Xen provides in the reserved part of every guest GDT.
 * A 64-bit PV kernel and its user space both run at ring 3, so kernel and
 * user selectors are the same ones.
 */
#define FLAT_RING3_CS32 0xe023 /* GDT entry 260 */
#define FLAT_RING3_DS32 0xe02b /* GDT entry 261 */
#define FLAT_RING3_CS64 0xe033 /* GDT entry 262 */
#define FLAT_RING3_DS64 0x0000 /* the null selector */
#define FLAT_RING3_SS32 0xe02b
#define FLAT_RING3_SS64 0xe02b

#define FLAT_KERNEL_CS64 FLAT_RING3_CS64
#define FLAT_KERNEL_CS32 FLAT_RING3_CS32
#define FLAT_KERNEL_CS FLAT_KERNEL_CS64
#define FLAT_KERNEL_DS64 FLAT_RING3_DS64
#define FLAT_KERNEL_DS32 FLAT_RING3_DS32
#define FLAT_KERNEL_DS FLAT_KERNEL_DS64
#define FLAT_KERNEL_SS64 FLAT_RING3_SS64
#define FLAT_KERNEL_SS32 FLAT_RING3_SS32
#define FLAT_KERNEL_SS FLAT_KERNEL_SS64
#define FLAT_USER_CS64 FLAT_RING3_CS64
#define FLAT_USER_CS32 FLAT_RING3_CS32
#define FLAT_USER_CS FLAT_USER_CS64
#define FLAT_USER_DS64 FLAT_RING3_DS64
#define FLAT_USER_DS32 FLAT_RING3_DS32
#define FLAT_USER_DS FLAT_USER_DS64
#define FLAT_USER_SS64 FLAT_RING3_SS64
#define FLAT_USER_SS32 FLAT_RING3_SS32
#define FLAT_USER_SS FLAT_USER_SS64

/* The guest owns GDT pages 0..13; page 14 onwards belongs to Xen. */
#define FIRST_RESERVED_GDT_PAGE 14
#define FIRST_RESERVED_GDT_BYTE (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_BYTE / 8)

/* Virtual range reserved for the hypervisor (L4 slots 256..271). */
#define HYPERVISOR_VIRT_START XEN_UL(0xFFFF800000000000)
#define HYPERVISOR_VIRT_END XEN_UL(0xFFFF880000000000)
/* The read-only machine-to-phys table at the start of that range. */
#define MACH2PHYS_VIRT_START XEN_UL(0xFFFF800000000000)
#define MACH2PHYS_VIRT_END XEN_UL(0xFFFF804000000000)
#define MACH2PHYS_NR_ENTRIES ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3)

/* HYPERVISOR_set_segment_base selectors. */
#define SEGBASE_FS 0
#define SEGBASE_GS_USER 1
#define SEGBASE_GS_KERNEL 2
#define SEGBASE_GS_USER_SEL 3 /* load user %gs selector given in base[15:0] */

/* VCPU context flags (vcpu_guest_context.flags). */
#define VGCF_i387_valid (1 << 0)
#define VGCF_in_kernel (1 << 2)
#define VGCF_failsafe_disables_events (1 << 3)
#define VGCF_syscall_disables_events (1 << 4)
#define VGCF_online (1 << 5)
/* iret_context.flags: return to where a syscall came from (use sysret). */
#define VGCF_in_syscall (1 << 8)

/*
 * Forced emulation prefix: "ud2; .ascii \"xen\"" in front of cpuid makes
 * Xen emulate the cpuid with its PV view (hypervisor leaves included).
 */
#define XEN_EMULATE_PREFIX_BYTES 0x0f, 0x0b, 0x78, 0x65, 0x6e
#ifdef __ASSEMBLER__
#define XEN_CPUID .byte XEN_EMULATE_PREFIX_BYTES; cpuid
#else
#define XEN_CPUID ".byte 0x0f,0x0b,0x78,0x65,0x6e; cpuid"
#endif

#define xen_pfn_to_cr3(pfn) ((uint64_t)(pfn) << 12)
#define xen_cr3_to_pfn(cr3) ((uint64_t)(cr3) >> 12)

#ifndef __ASSEMBLER__

/*
 * One entry of the virtual IDT (HYPERVISOR_set_trap_table; a zero address
 * ends the list). flags bits 0-1: the lowest ring allowed to raise the
 * vector with a software interrupt; bit 2: mask events on delivery.
 */
struct trap_info {
	uint8_t vector;
	uint8_t flags;
	uint16_t cs;
	uint64_t address;
};
#define TI_GET_DPL(ti) ((ti)->flags & 3)
#define TI_GET_IF(ti) ((ti)->flags & 4)
#define TI_SET_DPL(ti, dpl) ((ti)->flags |= (dpl))
#define TI_SET_IF(ti, i) ((ti)->flags |= ((!!(i)) << 2))
XEN_CHECK_SIZE(struct trap_info, 16);
XEN_CHECK_OFFSET(struct trap_info, cs, 2);
XEN_CHECK_OFFSET(struct trap_info, address, 8);

/*
 * What HYPERVISOR_iret finds on the guest stack: the hypercall page's iret
 * slot pushes rcx, r11 and rax above a hardware-like return frame.
 */
struct iret_context {
	uint64_t rax, r11, rcx, flags, rip, cs, rflags, rsp, ss;
};
XEN_CHECK_SIZE(struct iret_context, 72);

/* General registers as Xen saves them (vcpu_guest_context.user_regs). */
struct cpu_user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi;
	uint32_t error_code; /* private to Xen */
	uint32_t entry_vector; /* private to Xen */
	uint64_t rip;
	uint16_t cs, _pad0[1];
	uint8_t saved_upcall_mask;
	uint8_t _pad1[3];
	uint64_t rflags; /* IF mirrors !saved_upcall_mask */
	uint64_t rsp;
	uint16_t ss, _pad2[3];
	uint16_t es, _pad3[3];
	uint16_t ds, _pad4[3];
	uint16_t fs, _pad5[3];
	uint16_t gs, _pad6[3];
};
XEN_CHECK_SIZE(struct cpu_user_regs, 200);
XEN_CHECK_OFFSET(struct cpu_user_regs, rax, 80);
XEN_CHECK_OFFSET(struct cpu_user_regs, rdi, 112);
XEN_CHECK_OFFSET(struct cpu_user_regs, error_code, 120);
XEN_CHECK_OFFSET(struct cpu_user_regs, rip, 128);
XEN_CHECK_OFFSET(struct cpu_user_regs, cs, 136);
XEN_CHECK_OFFSET(struct cpu_user_regs, saved_upcall_mask, 140);
XEN_CHECK_OFFSET(struct cpu_user_regs, rflags, 144);
XEN_CHECK_OFFSET(struct cpu_user_regs, rsp, 152);
XEN_CHECK_OFFSET(struct cpu_user_regs, ss, 160);
XEN_CHECK_OFFSET(struct cpu_user_regs, gs, 192);

/* A whole vCPU state (VCPUOP_initialise, domain save/restore). */
struct vcpu_guest_context {
	uint8_t fpu_ctxt[512]; /* FXSAVE image */
	uint64_t flags; /* VGCF_* */
	struct cpu_user_regs user_regs;
	struct trap_info trap_ctxt[256];
	uint64_t ldt_base, ldt_ents; /* linear address, number of entries */
	uint64_t gdt_frames[16], gdt_ents;
	uint64_t kernel_ss, kernel_sp; /* the virtual TSS */
	uint64_t ctrlreg[8];
	uint64_t debugreg[8];
	uint64_t event_callback_eip;
	uint64_t failsafe_callback_eip;
	uint64_t syscall_callback_eip;
	uint64_t vm_assist; /* bitmap of VMASST_TYPE_* */
	uint64_t fs_base;
	uint64_t gs_base_kernel;
	uint64_t gs_base_user;
};
XEN_CHECK_OFFSET(struct vcpu_guest_context, flags, 512);
XEN_CHECK_OFFSET(struct vcpu_guest_context, user_regs, 520);
XEN_CHECK_OFFSET(struct vcpu_guest_context, trap_ctxt, 720);
XEN_CHECK_OFFSET(struct vcpu_guest_context, ldt_base, 4816);
XEN_CHECK_OFFSET(struct vcpu_guest_context, gdt_frames, 4832);
XEN_CHECK_OFFSET(struct vcpu_guest_context, gdt_ents, 4960);
XEN_CHECK_OFFSET(struct vcpu_guest_context, kernel_ss, 4968);
XEN_CHECK_OFFSET(struct vcpu_guest_context, ctrlreg, 4984);
XEN_CHECK_OFFSET(struct vcpu_guest_context, debugreg, 5048);
XEN_CHECK_OFFSET(struct vcpu_guest_context, event_callback_eip, 5112);
XEN_CHECK_OFFSET(struct vcpu_guest_context, syscall_callback_eip, 5128);
XEN_CHECK_OFFSET(struct vcpu_guest_context, vm_assist, 5136);
XEN_CHECK_OFFSET(struct vcpu_guest_context, gs_base_user, 5160);
XEN_CHECK_SIZE(struct vcpu_guest_context, 5168);

/* Per-vCPU architectural state in vcpu_info. */
struct arch_vcpu_info {
	uint64_t cr2; /* faulting address of the last #PF delivered */
	uint64_t pad;
};
XEN_CHECK_SIZE(struct arch_vcpu_info, 16);

/* Domain-wide architectural state in shared_info. */
struct arch_shared_info {
	uint64_t max_pfn;
	xen_pfn_t pfn_to_mfn_frame_list_list;
	uint64_t nmi_reason;
	uint64_t p2m_cr3;
	uint64_t p2m_vaddr;
	uint64_t p2m_generation;
};
XEN_CHECK_SIZE(struct arch_shared_info, 48);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_ARCH_X86_64_H */
