/*
 * set_debugreg / get_debugreg with Xen's checks. The values are kept and
 * read back; breakpoints a guest enables in DR7 are not armed in the vCPU
 * (logged once): no guest we run depends on them.
 */
#include "debugreg.h"

#define DR6_DEFAULT 0xffff0ff0ULL
#define DR7_DEFAULT 0x400ULL
#define DR7_ENABLES 0xffULL

long do_set_debugreg(struct vcpu *v, const uint64_t arg[5])
{
	unsigned int reg = (unsigned int)arg[0];
	uint64_t val = arg[1];

	switch (reg) {
	case 0: case 1: case 2: case 3:
		/* a breakpoint address in Xen's range or non-canonical is refused */
		if (!is_canonical(val) || (val >= HYPERVISOR_VIRT_START && val < HYPERVISOR_VIRT_END))
			return -XEN_EPERM;
		break;
	case 6:
		if (val >> 32)
			return -XEN_EINVAL;
		val = (val & 0xe00fULL) | DR6_DEFAULT;
		break;
	case 7:
		if (val >> 32)
			return -XEN_EINVAL;
		/* bits 11-12 and 14-15 are reserved (must be zero), bit 10 reads as one */
		if (val & 0xd800ULL)
			return -XEN_EINVAL;
		if (val & DR7_ENABLES)
			mlog_once(v->d, "set_debugreg: DR7 %#llx enables breakpoints, which are not armed",
				  (unsigned long long)val);
		val |= DR7_DEFAULT;
		break;
	default:
		return -XEN_EINVAL;
	}
	v->dr[reg] = val;
	return 0;
}

long do_get_debugreg(struct vcpu *v, const uint64_t arg[5])
{
	unsigned int reg = (unsigned int)arg[0];

	switch (reg) {
	case 0: case 1: case 2: case 3:
		return (long)v->dr[reg];
	case 4: case 6:
		return (long)(v->dr[6] ? v->dr[6] : DR6_DEFAULT);
	case 5: case 7:
		return (long)(v->dr[7] ? v->dr[7] : DR7_DEFAULT);
	default:
		return -XEN_EINVAL;
	}
}
