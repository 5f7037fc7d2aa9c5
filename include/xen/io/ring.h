/*
 * Xen's shared I/O ring layout, as small helpers.
 *
 * A ring page starts with a 64-byte header (four free-running 32-bit
 * indices and padding) followed by an array of entries, each a union of
 * the request and the response type. The number of entries is the largest
 * power of two that fits. Requests and responses share the slots: the
 * frontend produces requests at req_prod, the backend answers in the
 * same slots at rsp_prod. A side asks for a notification by setting
 * *_event to the index after which it wants to be woken.
 *
 * Indices come from the other end, which may be hostile: a consumer must
 * check that prod - cons never exceeds the ring size before using them.
 */
#ifndef XEN_IO_RING_H
#define XEN_IO_RING_H

#include <stdbool.h>
#include <xen/abi.h>

typedef uint32_t RING_IDX;

struct xen_sring_header {
	RING_IDX req_prod, req_event;
	RING_IDX rsp_prod, rsp_event;
	uint8_t pvt[4]; /* protocol-specific (netif: smartpoll_active) */
	uint8_t __pad[44];
};
XEN_CHECK_OFFSET(struct xen_sring_header, rsp_prod, 8);
XEN_CHECK_OFFSET(struct xen_sring_header, rsp_event, 12);
XEN_CHECK_SIZE(struct xen_sring_header, 64);

/*
 * Declares union <name>_sring_entry and struct <name>_sring, whose ring
 * page is accessed as sring->h.req_prod ... and sring->ring[slot].req.
 */
#define XEN_RING_DEFINE(name, req_type, rsp_type)                                                  \
	union name##_sring_entry {                                                                 \
		req_type req;                                                                      \
		rsp_type rsp;                                                                      \
	};                                                                                         \
	struct name##_sring {                                                                      \
		struct xen_sring_header h;                                                         \
		union name##_sring_entry ring[];                                                   \
	}

/* Entries in a ring of ring_bytes (normally one page) with entries of entry_size. */
static inline uint32_t xen_ring_size(size_t ring_bytes, size_t entry_size)
{
	size_t n;
	uint32_t pow2 = 1;

	if (entry_size == 0 || ring_bytes < sizeof(struct xen_sring_header) + entry_size)
		return 0;
	n = (ring_bytes - sizeof(struct xen_sring_header)) / entry_size;
	while ((size_t)pow2 * 2 <= n && pow2 < (UINT32_C(1) << 31))
		pow2 *= 2;
	return pow2;
}

#define XEN_RING_SIZE(name, ring_bytes) xen_ring_size((ring_bytes), sizeof(union name##_sring_entry))

/* A fresh ring, as the frontend initialises it before publishing it. */
static inline void xen_sring_init(struct xen_sring_header *h)
{
	*h = (struct xen_sring_header){ .req_event = 1, .rsp_event = 1 };
}

/* The array slot of a free-running index; size is a power of two. */
static inline uint32_t xen_ring_slot(RING_IDX idx, uint32_t size)
{
	return idx & (size - 1);
}

/* Read the other side's index; what it wrote before it is visible after. */
static inline RING_IDX xen_ring_load(const RING_IDX *idx)
{
	return __atomic_load_n(idx, __ATOMIC_ACQUIRE);
}

/* Publish our index after the entries it covers. */
static inline void xen_ring_store(RING_IDX *idx, RING_IDX val)
{
	__atomic_store_n(idx, val, __ATOMIC_RELEASE);
}

/* Full barrier: a store of ours before a load of theirs (the event check). */
static inline void xen_ring_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/*
 * After moving a producer index from old_prod to new_prod: does the other
 * side want a notification? (It asked to be woken when the index passes
 * event.)
 */
static inline bool xen_ring_need_notify(RING_IDX old_prod, RING_IDX new_prod, RING_IDX event)
{
	return (RING_IDX)(new_prod - event) < (RING_IDX)(new_prod - old_prod);
}

/*
 * Backend side: how many requests are there to consume? rsp_prod_pvt is
 * the backend's private response producer. Returns false when the
 * frontend's req_prod claims more than the ring can hold or moved
 * backwards (a broken or hostile frontend); *n is then 0.
 */
static inline bool xen_ring_unconsumed_requests(RING_IDX req_prod, RING_IDX req_cons,
						 RING_IDX rsp_prod_pvt, uint32_t size, uint32_t *n)
{
	RING_IDX outstanding = req_prod - rsp_prod_pvt; /* as the frontend claims */
	RING_IDX taken = req_cons - rsp_prod_pvt; /* ours, trusted */

	*n = 0;
	if (outstanding > size || outstanding < taken)
		return false;
	*n = outstanding - taken;
	return true;
}

/*
 * Frontend side: responses to consume. Returns false when rsp_prod claims
 * more responses than requests were made (req_prod_pvt).
 */
static inline bool xen_ring_unconsumed_responses(RING_IDX rsp_prod, RING_IDX rsp_cons,
						  RING_IDX req_prod_pvt, uint32_t *n)
{
	*n = 0;
	if ((RING_IDX)(rsp_prod - rsp_cons) > (RING_IDX)(req_prod_pvt - rsp_cons))
		return false;
	*n = rsp_prod - rsp_cons;
	return true;
}

/* Frontend side: free request slots. */
static inline uint32_t xen_ring_free_requests(RING_IDX req_prod_pvt, RING_IDX rsp_cons,
					      uint32_t size)
{
	return size - (req_prod_pvt - rsp_cons);
}

#endif /* XEN_IO_RING_H */
