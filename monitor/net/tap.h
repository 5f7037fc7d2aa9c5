/*
 * The host side of a vif: a tap device (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR,
 * one fd per queue with IFF_MULTI_QUEUE), named as Xen names the backend
 * interface. The device goes away with its last fd.
 */
#ifndef MONITOR_NET_TAP_H
#define MONITOR_NET_TAP_H

#include <stdbool.h>
#include <stddef.h>

/* Open `queues` non-blocking fds of tap `name` into fds[]. 0, or -errno
 * with the reason in err (nothing left open). */
int tap_open(const char *name, unsigned int queues, int *fds, char *err, size_t errlen);
/* Host-side MAC (Xen gives every vif fe:ff:ff:ff:ff:ff) and MTU. 0 or -errno. */
int tap_configure(const char *name, unsigned int mtu);
/* What the frontend can take, as the tap's offloads (TUNSETOFFLOAD on fd). */
int tap_set_offloads(int fd, bool csum, bool tso4, bool tso6);
/* Take a queue's fd off the device (no packets steered to it) or put it back. */
int tap_queue_enable(int fd, bool on);

#endif /* MONITOR_NET_TAP_H */
