/* HYPERVISOR_physdev_op: the parts a PV domU uses (I/O privilege, IRQ EOI). */
#ifndef XEN_PHYSDEV_H
#define XEN_PHYSDEV_H

#include <xen/abi.h>

#define PHYSDEVOP_IRQ_UNMASK_NOTIFY 4
#define PHYSDEVOP_irq_status_query 5
#define PHYSDEVOP_set_iopl 6
#define PHYSDEVOP_set_iobitmap 7
#define PHYSDEVOP_apic_read 8
#define PHYSDEVOP_apic_write 9
#define PHYSDEVOP_alloc_irq_vector 10
#define PHYSDEVOP_free_irq_vector 11
#define PHYSDEVOP_eoi 12
#define PHYSDEVOP_map_pirq 13
#define PHYSDEVOP_unmap_pirq 14
#define PHYSDEVOP_pirq_eoi_gmfn_v1 17
#define PHYSDEVOP_get_free_pirq 23
#define PHYSDEVOP_pirq_eoi_gmfn_v2 28

/* physdev_irq_status_query.flags */
#define _XENIRQSTAT_needs_eoi 0
#define XENIRQSTAT_needs_eoi (1U << _XENIRQSTAT_needs_eoi)
#define _XENIRQSTAT_shared 1
#define XENIRQSTAT_shared (1U << _XENIRQSTAT_shared)

#ifndef __ASSEMBLER__

struct physdev_eoi {
	uint32_t irq;
};
XEN_CHECK_SIZE(struct physdev_eoi, 4);

struct physdev_pirq_eoi_gmfn {
	xen_pfn_t gmfn;
};
XEN_CHECK_SIZE(struct physdev_pirq_eoi_gmfn, 8);

struct physdev_irq_status_query {
	uint32_t irq;
	uint32_t flags; /* OUT: XENIRQSTAT_* */
};
XEN_CHECK_SIZE(struct physdev_irq_status_query, 8);

/* The virtual IOPL of the guest kernel (0-3). */
struct physdev_set_iopl {
	uint32_t iopl;
};
XEN_CHECK_SIZE(struct physdev_set_iopl, 4);

struct physdev_set_iobitmap {
	uint64_t bitmap; /* guest VA of the I/O permission bitmap */
	uint32_t nr_ports;
};
XEN_CHECK_SIZE(struct physdev_set_iobitmap, 16);

struct physdev_apic {
	uint64_t apic_physbase;
	uint32_t reg;
	uint32_t value;
};
XEN_CHECK_SIZE(struct physdev_apic, 16);

struct physdev_irq {
	uint32_t irq;
	uint32_t vector;
};
XEN_CHECK_SIZE(struct physdev_irq, 8);

/* Argument of the old __HYPERVISOR_physdev_op_compat. */
struct physdev_op {
	uint32_t cmd;
	union {
		struct physdev_irq_status_query irq_status_query;
		struct physdev_set_iopl set_iopl;
		struct physdev_set_iobitmap set_iobitmap;
		struct physdev_apic apic_op;
		struct physdev_irq irq_op;
	} u;
};
XEN_CHECK_OFFSET(struct physdev_op, u, 8);
XEN_CHECK_SIZE(struct physdev_op, 24);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_PHYSDEV_H */
