/* The hypercall page: what the domain builder and the hypercall-page MSR
 * (0x40000000) write into a guest frame. */
#ifndef MONITOR_HYPERCALL_PAGE_H
#define MONITOR_HYPERCALL_PAGE_H

#include <stdint.h>

/*
 * Fill one 4 KiB page: slot i (32 bytes each) is `mov $i,%eax`, the store
 * that rings DOORBELL_HYPERCALL, `ret`, where Xen's slot has `syscall`; the iret slot
 * first pushes rcx, r11 and rax as Xen's does and never returns. The rest
 * is int3.
 */
void hypercall_page_fill(uint8_t *page);

#endif
