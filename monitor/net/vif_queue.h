/*
 * One netif queue at work: its rings, event channels and tap fd, served by
 * a thread of its own so that a slow or hostile guest never holds up the
 * monitor's event loop or another queue. The guest's notifications reach
 * the thread through an eventfd (written on the notifying vCPU's thread).
 */
#ifndef MONITOR_NET_VIF_QUEUE_H
#define MONITOR_NET_VIF_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <xen/event_channel.h>
#include <xen/grant_table.h>

#include "credit.h"
#include "netif_ring.h"

struct vif_queue {
	struct domain *d;
	unsigned int id;
	int tap_fd;		/* owned by the vif */
	int kick_fd, timer_fd, epoll_fd;
	pthread_t thread;
	bool running;
	volatile bool stop;

	grant_ref_t tx_ref, rx_ref;
	void *tx_page, *rx_page;	/* pinned while connected */
	evtchn_port_t tx_port, rx_port;	/* equal without split channels */
	struct netif_rings r;

	uint8_t *txbuf, *rxbuf;
	struct virtio_net_hdr rx_vh;
	size_t rx_len;
	bool rx_pending, tap_armed;

	struct net_credit credit;	/* rate= */
};

struct vif_queue_config {
	grant_ref_t tx_ref, rx_ref;
	evtchn_port_t tx_port, rx_port;
	struct netif_features fe;
	uint64_t rate_bytes;
	uint32_t rate_usecs;
};

/* Pin the rings, bind the channels, start the thread. 0, or -1 with err
 * (nothing held). */
int vif_queue_start(struct vif_queue *q, struct domain *d, unsigned int id, int tap_fd,
		    const struct vif_queue_config *c, char *err, size_t errlen);
/* Stop the thread, unbind, unpin. Safe on a queue that never started. */
void vif_queue_stop(struct vif_queue *q);

#endif /* MONITOR_NET_VIF_QUEUE_H */
