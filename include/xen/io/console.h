/* The PV console ring page (start_info.console.domU.mfn). */
#ifndef XEN_IO_CONSOLE_H
#define XEN_IO_CONSOLE_H

#include <xen/abi.h>

#define XENCONSOLE_CONNECTED 0
#define XENCONSOLE_DISCONNECTED 1

#ifndef __ASSEMBLER__

typedef uint32_t XENCONS_RING_IDX;

/*
 * Two byte rings. Indices run free and wrap at 2^32; the position in a
 * ring is the index masked by the ring's size (a power of two).
 * in: backend produces, guest consumes. out: guest produces, backend consumes.
 */
struct xencons_interface {
	char in[1024];
	char out[2048];
	XENCONS_RING_IDX in_cons, in_prod;
	XENCONS_RING_IDX out_cons, out_prod;
	uint8_t connection; /* XENCONSOLE_* */
};
XEN_CHECK_OFFSET(struct xencons_interface, out, 1024);
XEN_CHECK_OFFSET(struct xencons_interface, in_cons, 3072);
XEN_CHECK_OFFSET(struct xencons_interface, in_prod, 3076);
XEN_CHECK_OFFSET(struct xencons_interface, out_cons, 3080);
XEN_CHECK_OFFSET(struct xencons_interface, out_prod, 3084);
XEN_CHECK_OFFSET(struct xencons_interface, connection, 3088);
_Static_assert(sizeof(struct xencons_interface) <= XEN_PAGE_SIZE, "console ring fits a page");

#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

#endif /* !__ASSEMBLER__ */

#endif /* XEN_IO_CONSOLE_H */
