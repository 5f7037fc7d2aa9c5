/* The hypercall page (hypercall_page.h). */
#include "hypercall_page.h"

#include <string.h>

#include "domain.h"
#include "hvarea.h"

void hypercall_page_fill(uint8_t *page)
{
	memset(page, 0xcc, PAGE_SIZE);
	for (unsigned int i = 0; i < XEN_HYPERCALL_NR_SLOTS; i++) {
		uint8_t *p = page + i * XEN_HYPERCALL_SLOT_SIZE;

		if (i == __HYPERVISOR_iret) {
			*p++ = 0x51;		/* push %rcx */
			*p++ = 0x41;
			*p++ = 0x53;		/* push %r11 */
			*p++ = 0x50;		/* push %rax */
		}
		*p++ = 0xb8;			/* mov $i,%eax */
		memcpy(p, &i, 4);
		p += 4;
		p = hv_doorbell_insn(p, DOORBELL_HYPERCALL);
		if (i == __HYPERVISOR_iret) {
			*p++ = 0x0f;		/* ud2 */
			*p++ = 0x0b;
		} else {
			*p++ = 0xc3;		/* ret */
		}
	}
}
