/* HYPERVISOR_console_io(cmd, count, buffer) for a domU. */
#include "console_io.h"

#include <xen/errno.h>

#include "../console.h"

/* Xen copies a domU's text in chunks of this size. */
#define CHUNK 127

long do_console_io(struct vcpu *v, const uint64_t arg[5])
{
	unsigned int cmd = (unsigned int)arg[0];
	unsigned int count = (unsigned int)arg[1];
	uint64_t buf = arg[2];
	char chunk[CHUNK];

	/* Xen's XSM default: only the console domain reads, and a domU may
	 * write only on a debug build, which is what we behave as. */
	if (cmd != CONSOLEIO_write)
		return -XEN_EPERM;
	while (count) {
		unsigned int n = count < CHUNK ? count : CHUNK;

		if (copy_from_guest(v, chunk, buf, n))
			return -XEN_EFAULT;
		console_io_output(v->d, chunk, n);
		buf += n;
		count -= n;
	}
	return 0;
}
