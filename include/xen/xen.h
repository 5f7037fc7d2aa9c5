/*
 * Xen's core PV ABI: hypercall numbers, the boot-time start_info page,
 * shared_info and vcpu_info, page-table and multicall operations.
 */
#ifndef XEN_XEN_H
#define XEN_XEN_H

#include <xen/abi.h>
#include <xen/arch-x86_64.h>
#include <xen/errno.h>

/* Hypercall numbers: slot N of the hypercall page is at N * 32. */
#define __HYPERVISOR_set_trap_table 0
#define __HYPERVISOR_mmu_update 1
#define __HYPERVISOR_set_gdt 2
#define __HYPERVISOR_stack_switch 3
#define __HYPERVISOR_set_callbacks 4
#define __HYPERVISOR_fpu_taskswitch 5
#define __HYPERVISOR_sched_op_compat 6
#define __HYPERVISOR_platform_op 7
#define __HYPERVISOR_set_debugreg 8
#define __HYPERVISOR_get_debugreg 9
#define __HYPERVISOR_update_descriptor 10
#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_multicall 13
#define __HYPERVISOR_update_va_mapping 14
#define __HYPERVISOR_set_timer_op 15
#define __HYPERVISOR_event_channel_op_compat 16
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_physdev_op_compat 19
#define __HYPERVISOR_grant_table_op 20
#define __HYPERVISOR_vm_assist 21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret 23
#define __HYPERVISOR_vcpu_op 24
#define __HYPERVISOR_set_segment_base 25
#define __HYPERVISOR_mmuext_op 26
#define __HYPERVISOR_xsm_op 27
#define __HYPERVISOR_nmi_op 28
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_callback_op 30
#define __HYPERVISOR_xenoprof_op 31
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_physdev_op 33
#define __HYPERVISOR_hvm_op 34
#define __HYPERVISOR_sysctl 35
#define __HYPERVISOR_domctl 36
#define __HYPERVISOR_kexec_op 37
#define __HYPERVISOR_tmem_op 38
#define __HYPERVISOR_argo_op 39
#define __HYPERVISOR_xenpmu_op 40
#define __HYPERVISOR_dm_op 41
#define __HYPERVISOR_hypfs_op 42
#define __HYPERVISOR_arch_0 48
#define __HYPERVISOR_arch_1 49
#define __HYPERVISOR_arch_2 50
#define __HYPERVISOR_arch_3 51
#define __HYPERVISOR_arch_4 52
#define __HYPERVISOR_arch_5 53
#define __HYPERVISOR_arch_6 54
#define __HYPERVISOR_arch_7 55
/* The hypercall page has 4096 / 32 = 128 slots. */
#define XEN_HYPERCALL_SLOT_SIZE 32
#define XEN_HYPERCALL_NR_SLOTS 128

/* Virtual interrupts (EVTCHNOP_bind_virq). V: per vCPU, G: global. */
#define VIRQ_TIMER 0 /* V */
#define VIRQ_DEBUG 1 /* V */
#define VIRQ_CONSOLE 2 /* G */
#define VIRQ_DOM_EXC 3 /* G */
#define VIRQ_TBUF 4 /* G */
#define VIRQ_DEBUGGER 6 /* G */
#define VIRQ_XENOPROF 7 /* V */
#define VIRQ_CON_RING 8 /* G */
#define VIRQ_PCPU_STATE 9 /* G */
#define VIRQ_MEM_EVENT 10 /* G */
#define VIRQ_ARGO 11
#define VIRQ_ENOMEM 12 /* G */
#define VIRQ_XENPMU 13 /* V */
#define VIRQ_ARCH_0 16
#define VIRQ_ARCH_7 23
#define NR_VIRQS 24

/* HYPERVISOR_mmu_update: the command is in the low 2 bits of ptr. */
#define MMU_NORMAL_PT_UPDATE 0 /* checked *ptr = val; ptr is a machine address */
#define MMU_MACHPHYS_UPDATE 1 /* M2P[ptr >> 12] = val */
#define MMU_PT_UPDATE_PRESERVE_AD 2 /* as NORMAL, keep the A and D bits */
#define MMU_PT_UPDATE_NO_TRANSLATE 3

/* HYPERVISOR_mmuext_op commands. */
#define MMUEXT_PIN_L1_TABLE 0
#define MMUEXT_PIN_L2_TABLE 1
#define MMUEXT_PIN_L3_TABLE 2
#define MMUEXT_PIN_L4_TABLE 3
#define MMUEXT_UNPIN_TABLE 4
#define MMUEXT_NEW_BASEPTR 5
#define MMUEXT_TLB_FLUSH_LOCAL 6
#define MMUEXT_INVLPG_LOCAL 7
#define MMUEXT_TLB_FLUSH_MULTI 8
#define MMUEXT_INVLPG_MULTI 9
#define MMUEXT_TLB_FLUSH_ALL 10
#define MMUEXT_INVLPG_ALL 11
#define MMUEXT_FLUSH_CACHE 12
#define MMUEXT_SET_LDT 13
#define MMUEXT_NEW_USER_BASEPTR 15
#define MMUEXT_CLEAR_PAGE 16
#define MMUEXT_COPY_PAGE 17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER 19
#define MMUEXT_UNMARK_SUPER 20

/* HYPERVISOR_update_va_mapping flags. */
#define UVMF_NONE 0
#define UVMF_TLB_FLUSH 1
#define UVMF_INVLPG 2
#define UVMF_FLUSHTYPE_MASK 3
#define UVMF_MULTI 0 /* flags | vcpumask pointer */
#define UVMF_LOCAL 0
#define UVMF_ALL 4

/* HYPERVISOR_console_io commands. */
#define CONSOLEIO_write 0
#define CONSOLEIO_read 1

/* HYPERVISOR_vm_assist. */
#define VMASST_CMD_enable 0
#define VMASST_CMD_disable 1
#define VMASST_TYPE_4gb_segments 0
#define VMASST_TYPE_4gb_segments_notify 1
#define VMASST_TYPE_writable_pagetables 2
#define VMASST_TYPE_pae_extended_cr3 3
#define VMASST_TYPE_architectural_iopl 4
#define VMASST_TYPE_runstate_update_flag 5
#define VMASST_TYPE_m2p_strict 32

/* Reserved domain ids. */
#define DOMID_FIRST_RESERVED 0x7FF0
#define DOMID_SELF 0x7FF0
#define DOMID_IO 0x7FF1
#define DOMID_XEN 0x7FF2
#define DOMID_COW 0x7FF3
#define DOMID_INVALID 0x7FF4
#define DOMID_ANY 0x7FF5
#define DOMID_IDLE 0x7FFF
#define DOMID_MASK 0x7FFF

/* start_info.flags */
#define SIF_PRIVILEGED (1 << 0)
#define SIF_INITDOMAIN (1 << 1)
#define SIF_MULTIBOOT_MOD (1 << 2)
#define SIF_MOD_START_PFN (1 << 3)
#define SIF_VIRT_P2M_4TOOLS (1 << 4)
#define SIF_PM_MASK (0xFF << 8)

#define MAX_GUEST_CMDLINE 1024
#define XEN_LEGACY_MAX_VCPUS 32
#define MAX_VIRT_CPUS XEN_LEGACY_MAX_VCPUS

/* vcpu_time_info.flags */
#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0)
#define XEN_PVCLOCK_GUEST_STOPPED (1 << 1)

#ifndef __ASSEMBLER__

struct mmu_update {
	uint64_t ptr; /* machine address | MMU_* command */
	uint64_t val;
};
XEN_CHECK_SIZE(struct mmu_update, 16);

struct mmuext_op {
	uint32_t cmd; /* MMUEXT_* */
	union {
		xen_pfn_t mfn; /* PIN_*, UNPIN, NEW_*BASEPTR, CLEAR/COPY_PAGE */
		uint64_t linear_addr; /* INVLPG_*, SET_LDT */
	} arg1;
	union {
		uint32_t nr_ents; /* SET_LDT */
		uint64_t vcpumask; /* TLB_FLUSH_MULTI, INVLPG_MULTI: guest VA */
		xen_pfn_t src_mfn; /* COPY_PAGE */
	} arg2;
};
XEN_CHECK_SIZE(struct mmuext_op, 24);
XEN_CHECK_OFFSET(struct mmuext_op, arg1, 8);
XEN_CHECK_OFFSET(struct mmuext_op, arg2, 16);

/* One call of HYPERVISOR_multicall; result receives its return value. */
struct multicall_entry {
	xen_ulong_t op;
	xen_ulong_t result;
	xen_ulong_t args[6];
};
XEN_CHECK_SIZE(struct multicall_entry, 64);
XEN_CHECK_OFFSET(struct multicall_entry, args, 16);

/*
 * Per-vCPU time base. Guest time = system_time +
 * ((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul >> 32
 * (a negative shift shifts right). version is odd while being updated.
 */
struct vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time; /* ns since boot */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags; /* XEN_PVCLOCK_* */
	uint8_t pad1[2];
};
XEN_CHECK_SIZE(struct vcpu_time_info, 32);
XEN_CHECK_OFFSET(struct vcpu_time_info, tsc_timestamp, 8);
XEN_CHECK_OFFSET(struct vcpu_time_info, system_time, 16);
XEN_CHECK_OFFSET(struct vcpu_time_info, tsc_to_system_mul, 24);
XEN_CHECK_OFFSET(struct vcpu_time_info, tsc_shift, 28);

struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask; /* the guest's "interrupts disabled" */
	uint8_t pad0;
	xen_ulong_t evtchn_pending_sel; /* which evtchn_pending words to scan */
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};
XEN_CHECK_SIZE(struct vcpu_info, 64);
XEN_CHECK_OFFSET(struct vcpu_info, evtchn_upcall_mask, 1);
XEN_CHECK_OFFSET(struct vcpu_info, evtchn_pending_sel, 8);
XEN_CHECK_OFFSET(struct vcpu_info, arch, 16);
XEN_CHECK_OFFSET(struct vcpu_info, time, 32);

/* The page Xen shares with every domain (start_info.shared_info). */
struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	/* 2-level event channels: one bit per port. */
	xen_ulong_t evtchn_pending[64];
	xen_ulong_t evtchn_mask[64];
	/* Wallclock time at system_time 0; wc_version as vcpu_time_info.version. */
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	struct arch_shared_info arch;
};
XEN_CHECK_OFFSET(struct shared_info, vcpu_info, 0);
XEN_CHECK_OFFSET(struct shared_info, vcpu_info[1], 64);
XEN_CHECK_OFFSET(struct shared_info, evtchn_pending, 2048);
XEN_CHECK_OFFSET(struct shared_info, evtchn_mask, 2560);
XEN_CHECK_OFFSET(struct shared_info, wc_version, 3072);
XEN_CHECK_OFFSET(struct shared_info, wc_sec, 3076);
XEN_CHECK_OFFSET(struct shared_info, wc_nsec, 3080);
XEN_CHECK_OFFSET(struct shared_info, wc_sec_hi, 3084);
XEN_CHECK_OFFSET(struct shared_info, arch, 3088);
XEN_CHECK_SIZE(struct shared_info, 3136);
_Static_assert(sizeof(struct shared_info) <= XEN_PAGE_SIZE, "shared_info fits a page");

/*
 * The page the domain builder prepares for a PV guest; its virtual address
 * is in %rsi at the entry point. Frame numbers are machine frames.
 */
struct start_info {
	char magic[32]; /* "xen-<version>-x86_64" */
	uint64_t nr_pages; /* pages given to the domain */
	uint64_t shared_info; /* machine address of shared_info */
	uint32_t flags; /* SIF_* */
	xen_pfn_t store_mfn; /* xenstore ring */
	uint32_t store_evtchn;
	union {
		struct {
			xen_pfn_t mfn; /* console ring */
			uint32_t evtchn;
		} domU;
		struct {
			uint32_t info_off;
			uint32_t info_size;
		} dom0;
	} console;
	uint64_t pt_base; /* virtual address of the initial L4 */
	uint64_t nr_pt_frames; /* bootstrap page-table frames */
	uint64_t mfn_list; /* virtual address of the P2M list */
	uint64_t mod_start; /* virtual address (or PFN, SIF_MOD_START_PFN) of the ramdisk */
	uint64_t mod_len;
	int8_t cmd_line[MAX_GUEST_CMDLINE];
	uint64_t first_p2m_pfn;
	uint64_t nr_p2m_frames;
};
XEN_CHECK_OFFSET(struct start_info, nr_pages, 32);
XEN_CHECK_OFFSET(struct start_info, shared_info, 40);
XEN_CHECK_OFFSET(struct start_info, flags, 48);
XEN_CHECK_OFFSET(struct start_info, store_mfn, 56);
XEN_CHECK_OFFSET(struct start_info, store_evtchn, 64);
XEN_CHECK_OFFSET(struct start_info, console.domU.mfn, 72);
XEN_CHECK_OFFSET(struct start_info, console.domU.evtchn, 80);
XEN_CHECK_OFFSET(struct start_info, pt_base, 88);
XEN_CHECK_OFFSET(struct start_info, nr_pt_frames, 96);
XEN_CHECK_OFFSET(struct start_info, mfn_list, 104);
XEN_CHECK_OFFSET(struct start_info, mod_start, 112);
XEN_CHECK_OFFSET(struct start_info, mod_len, 120);
XEN_CHECK_OFFSET(struct start_info, cmd_line, 128);
XEN_CHECK_OFFSET(struct start_info, first_p2m_pfn, 1152);
XEN_CHECK_OFFSET(struct start_info, nr_p2m_frames, 1160);
XEN_CHECK_SIZE(struct start_info, 1168);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_XEN_H */
