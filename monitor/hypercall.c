/*
 * The hypercall table: one entry per __HYPERVISOR_* number, and multicall,
 * which runs entries of the same table.
 */
#include "domain.h"

#include <stddef.h>

#include "traps.h"
#include "pv/console_io.h"
#include "pv/debugreg.h"
#include "pv/evtchn.h"
#include "pv/grant_table.h"
#include "pv/memory.h"
#include "pv/mmu.h"
#include "pv/physdev.h"
#include "pv/sched.h"
#include "pv/segments.h"
#include "pv/time.h"
#include "pv/vcpu_op.h"
#include "pv/xen_version.h"

static long do_multicall(struct vcpu *v, const uint64_t arg[5]);

/* A feature Xen leaves off unless its boot options turn it on (the virtual
 * PMU): every operation gets Xen's answer for that case, not a log line. */
static long do_feature_off(struct vcpu *v, const uint64_t arg[5])
{
	(void)v;
	(void)arg;
	return -XEN_EOPNOTSUPP;
}

static const struct {
	const char *name;
	hypercall_fn *fn;
} table[] = {
	[__HYPERVISOR_set_trap_table] = { "set_trap_table", do_set_trap_table },
	[__HYPERVISOR_mmu_update] = { "mmu_update", do_mmu_update },
	[__HYPERVISOR_set_gdt] = { "set_gdt", do_set_gdt },
	[__HYPERVISOR_update_descriptor] = { "update_descriptor", do_update_descriptor },
	[__HYPERVISOR_memory_op] = { "memory_op", do_memory_op },
	[__HYPERVISOR_update_va_mapping] = { "update_va_mapping", do_update_va_mapping },
	[__HYPERVISOR_physdev_op_compat] = { "physdev_op_compat", do_physdev_op_compat },
	[__HYPERVISOR_vm_assist] = { "vm_assist", do_vm_assist },
	[__HYPERVISOR_update_va_mapping_otherdomain] = { "update_va_mapping_otherdomain", do_update_va_mapping_otherdomain },
	[__HYPERVISOR_set_segment_base] = { "set_segment_base", do_set_segment_base },
	[__HYPERVISOR_mmuext_op] = { "mmuext_op", do_mmuext_op },
	[__HYPERVISOR_physdev_op] = { "physdev_op", do_physdev_op },
	[__HYPERVISOR_stack_switch] = { "stack_switch", do_stack_switch },
	[__HYPERVISOR_set_callbacks] = { "set_callbacks", do_set_callbacks },
	[__HYPERVISOR_set_debugreg] = { "set_debugreg", do_set_debugreg },
	[__HYPERVISOR_get_debugreg] = { "get_debugreg", do_get_debugreg },
	[__HYPERVISOR_fpu_taskswitch] = { "fpu_taskswitch", do_fpu_taskswitch },
	[__HYPERVISOR_multicall] = { "multicall", do_multicall },
	[__HYPERVISOR_xen_version] = { "xen_version", do_xen_version },
	[__HYPERVISOR_console_io] = { "console_io", do_console_io },
	[__HYPERVISOR_grant_table_op] = { "grant_table_op", do_grant_table_op },
	[__HYPERVISOR_iret] = { "iret", do_iret },
	[__HYPERVISOR_callback_op] = { "callback_op", do_callback_op },
	[__HYPERVISOR_sched_op_compat] = { "sched_op_compat", do_sched_op_compat },
	[__HYPERVISOR_set_timer_op] = { "set_timer_op", do_set_timer_op },
	[__HYPERVISOR_event_channel_op_compat] = { "event_channel_op_compat", do_event_channel_op_compat },
	[__HYPERVISOR_vcpu_op] = { "vcpu_op", do_vcpu_op },
	[__HYPERVISOR_sched_op] = { "sched_op", do_sched_op },
	[__HYPERVISOR_event_channel_op] = { "event_channel_op", do_event_channel_op },
	[__HYPERVISOR_xenpmu_op] = { "xenpmu_op", do_feature_off },
};

#define TABLE_SIZE (sizeof(table) / sizeof(table[0]))

const char *hypercall_name(unsigned int nr)
{
	return nr < TABLE_SIZE && table[nr].name ? table[nr].name : "(not implemented)";
}

long hypercall_dispatch(struct vcpu *v, unsigned int nr, const uint64_t arg[5])
{
	if (nr >= TABLE_SIZE || !table[nr].fn) {
		mlog_once(v->d, "unimplemented hypercall %u (%#llx, %#llx, %#llx, %#llx, %#llx)", nr,
			  (unsigned long long)arg[0], (unsigned long long)arg[1],
			  (unsigned long long)arg[2], (unsigned long long)arg[3],
			  (unsigned long long)arg[4]);
		return -XEN_ENOSYS;
	}
	return table[nr].fn(v, arg);
}

/*
 * Xen's do_multicall: each entry runs in turn and gets its result; a nested
 * multicall is refused (-EINVAL), an iret ends the batch there (its result
 * becomes the multicall's, and the guest resumes where the iret says).
 */
static long do_multicall(struct vcpu *v, const uint64_t arg[5])
{
	uint64_t list = arg[0], nr = arg[1];

	if (!pv_array_ok(list, nr, sizeof(struct multicall_entry)))
		return -XEN_EFAULT;
	for (uint64_t i = 0; i < nr; i++) {
		struct multicall_entry e;
		uint64_t gva = list + i * sizeof(e);
		long rc;

		if (copy_from_guest(v, &e, gva, sizeof(e)) < 0)
			return -XEN_EFAULT;
		if (e.op == __HYPERVISOR_multicall)
			rc = -XEN_EINVAL;
		else
			rc = hypercall_dispatch(v, (unsigned int)e.op, e.args);
		if (rc == HYPERCALL_NO_RETURN) {
			/* iret: the registers are the guest's again */
			e.result = v->regs.rax;
			copy_to_guest(v, gva + offsetof(struct multicall_entry, result), &e.result,
				      sizeof(e.result));
			return HYPERCALL_NO_RETURN;
		}
		e.result = (uint64_t)rc;
		if (copy_to_guest(v, gva + offsetof(struct multicall_entry, result), &e.result,
				  sizeof(e.result)) < 0)
			return -XEN_EFAULT;
		if (v->d->dying || v->d->state == DOM_SHUTDOWN)
			break;
	}
	return 0;
}
