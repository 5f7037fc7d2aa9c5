/*
 * Xenstore requests over the guest's ring (xs.h): one request at a time,
 * the reply read back; watch events are not asked for, so none arrive.
 */
#include "xs.h"

#include <xen/io/xs_wire.h>

#include "events.h"
#include "guest.h"
#include "hypercall.h"

#define WAIT_NS 5000000000UL
#define POLL_NS 10000000UL

static uint8_t ring_page[4096] __page_aligned_bss;
static struct xenstore_domain_interface *intf;
static evtchn_port_t port;
static uint32_t req_id = 0x10000;
static char reply[XENSTORE_PAYLOAD_MAX + 1];

static uint32_t load(volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void wait_store(void)
{
	poll_ports(&port, 1, POLL_NS);
	port_clear_pending(port);
}

struct xenstore_domain_interface *xs_ring(void)
{
	return intf;
}

bool xs_init(void)
{
	if (intf)
		return true;
	if (map_frame_at(ring_page, start_info->store_mfn, PTE_DATA) != 0)
		return false;
	intf = (void *)ring_page;
	port = start_info->store_evtchn;
	return true;
}

bool xs_ring_put(const void *buf, size_t len)
{
	const char *data = buf;
	uint64_t deadline = system_time_ns() + WAIT_NS;

	while (len) {
		uint32_t prod = intf->req_prod, cons = load(&intf->req_cons);
		size_t n = 0;

		while (n < len && prod - cons < XENSTORE_RING_SIZE)
			intf->req[MASK_XENSTORE_IDX(prod++)] = data[n++];
		__atomic_store_n(&intf->req_prod, prod, __ATOMIC_RELEASE);
		evtchn_send(port);
		data += n;
		len -= n;
		if (len) {
			if (system_time_ns() > deadline)
				return false;
			wait_store();
		}
	}
	return true;
}

bool xs_ring_get(void *buf, size_t len)
{
	char *out = buf;
	uint64_t deadline = system_time_ns() + WAIT_NS;

	while (len) {
		uint32_t cons = intf->rsp_cons, prod = load(&intf->rsp_prod);
		size_t n = 0;

		while (n < len && cons != prod)
			out[n++] = intf->rsp[MASK_XENSTORE_IDX(cons++)];
		__atomic_store_n(&intf->rsp_cons, cons, __ATOMIC_RELEASE);
		if (n)
			evtchn_send(port);
		out += n;
		len -= n;
		if (len) {
			if (system_time_ns() > deadline)
				return false;
			wait_store();
		}
	}
	return true;
}

/* Request with up to two parts; the reply's type (XS_ERROR on failure). */
static uint32_t request(uint32_t type, const void *a, size_t alen, const void *b, size_t blen,
			uint32_t *rlen)
{
	struct xsd_sockmsg hdr = {.type = type, .req_id = ++req_id, .len = (uint32_t)(alen + blen)};
	struct xsd_sockmsg in;

	if (!xs_init() || !xs_ring_put(&hdr, sizeof(hdr)) || !xs_ring_put(a, alen) || !xs_ring_put(b, blen))
		return XS_ERROR;
	for (;;) {
		if (!xs_ring_get(&in, sizeof(in)) || in.len > XENSTORE_PAYLOAD_MAX ||
		    !xs_ring_get(reply, in.len))
			return XS_ERROR;
		reply[in.len] = 0;
		if (in.type != XS_WATCH_EVENT && in.req_id == hdr.req_id) {
			*rlen = in.len;
			return in.type;
		}
	}
}

bool xs_read(const char *path, char *buf, size_t len)
{
	uint32_t rlen;

	if (request(XS_READ, path, strlen(path) + 1, "", 0, &rlen) != XS_READ || rlen >= len)
		return false;
	memcpy(buf, reply, rlen);
	buf[rlen] = 0;
	return true;
}

bool xs_read_uint(const char *path, uint64_t *v)
{
	char buf[32];

	if (!xs_read(path, buf, sizeof(buf)) || !buf[0])
		return false;
	*v = 0;
	for (const char *p = buf; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		*v = *v * 10 + (uint64_t)(*p - '0');
	}
	return true;
}

bool xs_write(const char *path, const char *value)
{
	uint32_t rlen;

	return request(XS_WRITE, path, strlen(path) + 1, value, strlen(value), &rlen) == XS_WRITE;
}

bool xs_printf(const char *path, const char *fmt, ...)
{
	char buf[128];
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	__builtin_va_end(ap);
	return xs_write(path, buf);
}

bool xs_rm(const char *path)
{
	uint32_t rlen;

	return request(XS_RM, path, strlen(path) + 1, "", 0, &rlen) == XS_RM;
}

bool xs_wait_for(const char *path, const char *want, uint64_t timeout_ns)
{
	uint64_t deadline = system_time_ns() + timeout_ns;
	char buf[64];

	for (;;) {
		if (xs_read(path, buf, sizeof(buf)) && !strcmp(buf, want))
			return true;
		if (system_time_ns() > deadline)
			return false;
		poll_ports(&port, 1, POLL_NS);	/* a sleep: nothing notifies us */
		port_clear_pending(port);
	}
}
