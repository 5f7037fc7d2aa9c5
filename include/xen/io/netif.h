/* The PV network protocol (xen-netfront <-> netback): tx and rx rings. */
#ifndef XEN_IO_NETIF_H
#define XEN_IO_NETIF_H

#include <xen/abi.h>
#include <xen/io/ring.h>

/* A backend must accept packets of at least this many tx slots. */
#define XEN_NETIF_NR_SLOTS_MIN 18
#define XEN_NETIF_MAX_TX_SIZE 0xFFFF

/* netif_tx_request.flags */
#define _NETTXF_csum_blank 0
#define NETTXF_csum_blank (1U << _NETTXF_csum_blank)
#define _NETTXF_data_validated 1
#define NETTXF_data_validated (1U << _NETTXF_data_validated)
#define _NETTXF_more_data 2
#define NETTXF_more_data (1U << _NETTXF_more_data)
#define _NETTXF_extra_info 3
#define NETTXF_extra_info (1U << _NETTXF_extra_info)

/* netif_rx_response.flags */
#define _NETRXF_data_validated 0
#define NETRXF_data_validated (1U << _NETRXF_data_validated)
#define _NETRXF_csum_blank 1
#define NETRXF_csum_blank (1U << _NETRXF_csum_blank)
#define _NETRXF_more_data 2
#define NETRXF_more_data (1U << _NETRXF_more_data)
#define _NETRXF_extra_info 3
#define NETRXF_extra_info (1U << _NETRXF_extra_info)
#define _NETRXF_gso_prefix 4
#define NETRXF_gso_prefix (1U << _NETRXF_gso_prefix)

#define XEN_NETIF_EXTRA_TYPE_NONE 0
#define XEN_NETIF_EXTRA_TYPE_GSO 1
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD 2
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL 3
#define XEN_NETIF_EXTRA_TYPE_HASH 4
#define XEN_NETIF_EXTRA_TYPE_MAX 5

#define _XEN_NETIF_EXTRA_FLAG_MORE 0
#define XEN_NETIF_EXTRA_FLAG_MORE (1U << _XEN_NETIF_EXTRA_FLAG_MORE)

#define XEN_NETIF_GSO_TYPE_NONE 0
#define XEN_NETIF_GSO_TYPE_TCPV4 1
#define XEN_NETIF_GSO_TYPE_TCPV6 2

#define NETIF_RSP_DROPPED (-2)
#define NETIF_RSP_ERROR (-1)
#define NETIF_RSP_OKAY 0
#define NETIF_RSP_NULL 1 /* no response: used for extra-info slots */

#ifndef __ASSEMBLER__

struct netif_tx_request {
	grant_ref_t gref;
	uint16_t offset;
	uint16_t flags; /* NETTXF_* */
	uint16_t id;
	uint16_t size; /* first slot: the whole packet; later slots: this slot */
};
XEN_CHECK_OFFSET(struct netif_tx_request, offset, 4);
XEN_CHECK_OFFSET(struct netif_tx_request, id, 8);
XEN_CHECK_SIZE(struct netif_tx_request, 12);

/* Takes a request or response slot after one flagged *_extra_info. */
struct netif_extra_info {
	uint8_t type; /* XEN_NETIF_EXTRA_TYPE_* */
	uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
	union {
		struct {
			uint16_t size; /* MSS */
			uint8_t type; /* XEN_NETIF_GSO_TYPE_* */
			uint8_t pad;
			uint16_t features;
		} gso;
		struct {
			uint8_t addr[6];
		} mcast;
		struct {
			uint8_t type;
			uint8_t algorithm;
			uint8_t value[4];
		} hash;
		uint16_t pad[3];
	} u;
};
XEN_CHECK_OFFSET(struct netif_extra_info, u, 2);
XEN_CHECK_SIZE(struct netif_extra_info, 8);

struct netif_tx_response {
	uint16_t id;
	int16_t status; /* NETIF_RSP_* */
};
XEN_CHECK_SIZE(struct netif_tx_response, 4);

struct netif_rx_request {
	uint16_t id;
	uint16_t pad;
	grant_ref_t gref;
};
XEN_CHECK_SIZE(struct netif_rx_request, 8);

struct netif_rx_response {
	uint16_t id;
	uint16_t offset;
	uint16_t flags; /* NETRXF_* */
	int16_t status; /* > 0: bytes received; < 0: NETIF_RSP_* */
};
XEN_CHECK_SIZE(struct netif_rx_response, 8);

XEN_RING_DEFINE(netif_tx, struct netif_tx_request, struct netif_tx_response);
XEN_RING_DEFINE(netif_rx, struct netif_rx_request, struct netif_rx_response);

/* Optional control ring ("ctrl-ring-ref"). */
struct xen_netif_ctrl_request {
	uint16_t id;
	uint16_t type;
	uint32_t data[3];
};
XEN_CHECK_SIZE(struct xen_netif_ctrl_request, 16);

struct xen_netif_ctrl_response {
	uint16_t id;
	uint16_t type;
	uint32_t status;
	uint32_t data;
};
XEN_CHECK_SIZE(struct xen_netif_ctrl_response, 12);

XEN_RING_DEFINE(xen_netif_ctrl, struct xen_netif_ctrl_request, struct xen_netif_ctrl_response);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_IO_NETIF_H */
