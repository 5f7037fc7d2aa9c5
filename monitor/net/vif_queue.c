/*
 * A netif queue's thread (vif_queue.h): guest tx -> tap, tap -> guest rx.
 *
 * The thread sleeps in epoll on the kick eventfd (the guest notified),
 * the tap (a frame for the guest; watched only while the guest has rx
 * buffers for it) and a timerfd (rate limit). Each round moves at most
 * BUDGET packets each way, then publishes responses and raises the
 * channels the guest asked for.
 */
#include "vif_queue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../backend/grant_access.h"
#include "../pv/evtchn.h"

#define BUDGET 64
#define VNET_HDR_LEN sizeof(struct virtio_net_hdr)

/* The guest notified the tx or rx channel (its vCPU thread). */
static void notified(void *arg)
{
	struct vif_queue *q = arg;

	eventfd_write(q->kick_fd, 1);
}

static void arm_tap(struct vif_queue *q, bool on)
{
	struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.fd = q->tap_fd};

	if (q->tap_armed != on && epoll_ctl(q->epoll_fd, EPOLL_CTL_MOD, q->tap_fd, &ev) == 0)
		q->tap_armed = on;
}

/* May a packet of size go now? If not, the timer is set for the next
 * replenishment. */
static bool credit_ok(struct vif_queue *q, unsigned int size)
{
	struct timespec now;
	int64_t retry;

	if (!q->credit.bytes)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (net_credit_take(&q->credit, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec, size, &retry))
		return true;
	struct itimerspec it = {.it_value = {.tv_sec = retry / 1000000000,
					     .tv_nsec = retry % 1000000000}};
	timerfd_settime(q->timer_fd, TFD_TIMER_ABSTIME, &it, NULL);
	return false;
}

/* Guest -> tap. True if the budget ran out with work left. */
static bool do_tx(struct vif_queue *q)
{
	struct virtio_net_hdr vh;
	int n, i;

	for (i = 0; i < BUDGET; i++) {
		unsigned int size = netif_tx_peek_size(&q->r);

		if (size && !credit_ok(q, size))
			break;
		n = netif_tx_take(&q->r, &vh, q->txbuf);
		if (n == 0) {
			if (netif_tx_final_check(&q->r))
				continue;
			break;
		}
		if (n < 0 && n != NETIF_TX_DROPPED)
			break;	/* broken: logged once by netif_ring */
		if (n > 0) {
			struct iovec iov[2] = {{&vh, VNET_HDR_LEN}, {q->txbuf, (size_t)n}};

			if (writev(q->tap_fd, iov, 2) < 0)
				mlog_once(q->d, "netback: writing to the tap failed: %s",
					  strerror(errno));
		}
	}
	if (netif_tx_push(&q->r))
		evtchn_host_notify(q->d, q->tx_port);
	return i == BUDGET;
}

/* Tap -> guest. True if the budget ran out with work left. */
static bool do_rx(struct vif_queue *q)
{
	int i, rc;

	for (i = 0; i < BUDGET; i++) {
		if (!q->rx_pending) {
			struct iovec iov[2] = {{&q->rx_vh, VNET_HDR_LEN},
					       {q->rxbuf, NETIF_MAX_PACKET}};
			ssize_t n = readv(q->tap_fd, iov, 2);

			if (n < 0)
				break;	/* EAGAIN: the tap is empty (or down) */
			if ((size_t)n <= VNET_HDR_LEN)
				continue;
			q->rx_len = (size_t)n - VNET_HDR_LEN;
			q->rx_pending = true;
		}
		rc = netif_rx_put(&q->r, &q->rx_vh, q->rxbuf, q->rx_len);
		if (rc == -EAGAIN) {
			if (netif_rx_final_check(&q->r, netif_rx_slots(&q->rx_vh, q->rx_len)))
				continue;
			break;	/* wait for the guest's buffers */
		}
		q->rx_pending = false;
		if (rc < 0)
			break;
	}
	if (netif_rx_push(&q->r))
		evtchn_host_notify(q->d, q->rx_port);
	/* read the tap only while a frame from it can go somewhere */
	arm_tap(q, !q->rx_pending && !q->r.broken);
	return i == BUDGET;
}

static void *queue_thread(void *arg)
{
	struct vif_queue *q = arg;
	bool busy = true;

	while (!q->stop) {
		struct epoll_event ev[4];
		uint64_t v;
		int n = epoll_wait(q->epoll_fd, ev, 4, busy ? 0 : -1);

		if (n < 0 && errno != EINTR)
			break;
		if (read(q->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			break;
		if (read(q->timer_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			break;
		if (q->stop)
			break;
		busy = do_tx(q);
		busy = do_rx(q) || busy;
	}
	return NULL;
}

static int watch(int ep, int fd, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int vif_queue_start(struct vif_queue *q, struct domain *d, unsigned int id, int tap_fd,
		    const struct vif_queue_config *c, char *err, size_t errlen)
{
	int st;

	*q = (struct vif_queue){.d = d, .id = id, .tap_fd = tap_fd, .kick_fd = -1,
				.timer_fd = -1, .epoll_fd = -1, .tx_ref = c->tx_ref,
				.rx_ref = c->rx_ref, .tx_port = c->tx_port, .rx_port = c->rx_port};
	net_credit_init(&q->credit, c->rate_bytes, c->rate_usecs);
	st = grant_map(d, c->tx_ref, true, &q->tx_page);
	if (st != GNTST_okay) {
		q->tx_page = NULL;
		snprintf(err, errlen, "queue %u: tx-ring-ref %u: grant status %d", id, c->tx_ref, st);
		goto fail;
	}
	st = grant_map(d, c->rx_ref, true, &q->rx_page);
	if (st != GNTST_okay) {
		q->rx_page = NULL;
		snprintf(err, errlen, "queue %u: rx-ring-ref %u: grant status %d", id, c->rx_ref, st);
		goto fail;
	}
	netif_rings_init(&q->r, d, q->tx_page, q->rx_page, &c->fe);
	q->txbuf = malloc(NETIF_MAX_PACKET);
	q->rxbuf = malloc(NETIF_MAX_PACKET);
	q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	q->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (!q->txbuf || !q->rxbuf || q->kick_fd < 0 || q->timer_fd < 0 || q->epoll_fd < 0 ||
	    watch(q->epoll_fd, q->kick_fd, EPOLLIN) < 0 ||
	    watch(q->epoll_fd, q->timer_fd, EPOLLIN) < 0 ||
	    watch(q->epoll_fd, q->tap_fd, EPOLLIN) < 0) {
		snprintf(err, errlen, "queue %u: %s", id, strerror(errno ? errno : ENOMEM));
		goto fail;
	}
	q->tap_armed = true;
	if (evtchn_host_bind(d, c->tx_port, notified, q) < 0 ||
	    (c->rx_port != c->tx_port && evtchn_host_bind(d, c->rx_port, notified, q) < 0)) {
		snprintf(err, errlen, "queue %u: event channel %u/%u is not bound to domain 0", id,
			 c->tx_port, c->rx_port);
		evtchn_host_unbind(d, c->tx_port);
		goto fail;
	}
	errno = pthread_create(&q->thread, NULL, queue_thread, q);
	if (errno) {
		snprintf(err, errlen, "queue %u: cannot start its thread: %s", id, strerror(errno));
		evtchn_host_unbind(d, c->tx_port);
		if (c->rx_port != c->tx_port)
			evtchn_host_unbind(d, c->rx_port);
		goto fail;
	}
	q->running = true;
	return 0;
fail:
	vif_queue_stop(q);
	return -1;
}

void vif_queue_stop(struct vif_queue *q)
{
	if (q->running) {
		q->stop = true;
		eventfd_write(q->kick_fd, 1);
		pthread_join(q->thread, NULL);
		q->running = false;
		evtchn_host_unbind(q->d, q->tx_port);
		if (q->rx_port != q->tx_port)
			evtchn_host_unbind(q->d, q->rx_port);
	}
	if (q->epoll_fd >= 0)
		close(q->epoll_fd);
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	if (q->timer_fd >= 0)
		close(q->timer_fd);
	q->epoll_fd = q->kick_fd = q->timer_fd = -1;
	if (q->tx_page)
		grant_unmap(q->d, q->tx_ref, true);
	if (q->rx_page)
		grant_unmap(q->d, q->rx_ref, true);
	q->tx_page = q->rx_page = NULL;
	free(q->txbuf);
	free(q->rxbuf);
	q->txbuf = q->rxbuf = NULL;
}
