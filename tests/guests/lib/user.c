/* Guest user mode for the tests that need it. */
#include "guest.h"
#include "hypercall.h"
#include "traps.h"
#include "user.h"

static uint8_t user_l4[4096] __page_aligned_bss;
static uint8_t user_stack[2 * 4096] __page_aligned_bss;
uint8_t kernel_entry_stack[2 * 4096] __page_aligned_bss;

long user_mode_init(void)
{
	const uint64_t *kernel_l4 = (const uint64_t *)start_info->pt_base;
	uint64_t *l4 = (uint64_t *)user_l4;
	struct mmuext_op op = { .cmd = MMUEXT_NEW_USER_BASEPTR };
	struct callback_register cb = {
		.type = CALLBACKTYPE_syscall,
		.address = (uint64_t)entry_syscall,
	};
	long rc;

	/* Everything but Xen's slots (256-271), which Xen fills in itself. */
	for (int i = 0; i < 512; i++)
		l4[i] = i >= 256 && i <= 271 ? 0 : kernel_l4[i];
	rc = set_page_ro(user_l4);
	if (rc)
		return rc;
	op.arg1.mfn = virt_to_mfn(user_l4);
	rc = HYPERVISOR_mmuext_op(PTR(&op), 1, 0, DOMID_SELF);
	if (rc)
		return rc;
	rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS, KERNEL_ENTRY_STACK_TOP);
	if (rc)
		return rc;
	return HYPERVISOR_callback_op(CALLBACKOP_register, PTR(&cb));
}

long run_user(void (*fn)(void), bool events)
{
	/* As if fn had been called: rsp + 8 is 16-byte aligned at its entry. */
	return enter_user((uint64_t)fn, (uint64_t)user_stack + sizeof(user_stack) - 8,
			  events ? 0x202 : 0x002);
}
