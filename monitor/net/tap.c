/*
 * tap devices for vifs (tap.h).
 */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int tap_open(const char *name, unsigned int queues, int *fds, char *err, size_t errlen)
{
	unsigned int i;
	int rc = 0;

	for (i = 0; i < queues; i++) {
		struct ifreq ifr = {0};

		fds[i] = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fds[i] < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot open /dev/net/tun: %s", strerror(errno));
			break;
		}
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (queues > 1 ? IFF_MULTI_QUEUE : 0);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		if (ioctl(fds[i], TUNSETIFF, &ifr) < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot create tap %s: %s", name, strerror(errno));
			close(fds[i]);
			break;
		}
		/* the vnet header is 10 bytes (struct virtio_net_hdr), the default */
	}
	if (rc)
		while (i--)
			close(fds[i]);
	return rc;
}

int tap_configure(const char *name, unsigned int mtu)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memset(ifr.ifr_hwaddr.sa_data, 0xff, 6);
	ifr.ifr_hwaddr.sa_data[0] = (char)0xfe;
	if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0)
		rc = -errno;
	ifr.ifr_mtu = (int)mtu;
	if (!rc && ioctl(s, SIOCSIFMTU, &ifr) < 0)
		rc = -errno;
	close(s);
	return rc;
}

int tap_set_offloads(int fd, bool csum, bool tso4, bool tso6)
{
	unsigned int f = 0;

	if (csum) {
		f |= TUN_F_CSUM;
		if (tso4)
			f |= TUN_F_TSO4;
		if (tso6)
			f |= TUN_F_TSO6;
	}
	return ioctl(fd, TUNSETOFFLOAD, f) < 0 ? -errno : 0;
}

int tap_queue_enable(int fd, bool on)
{
	struct ifreq ifr = {.ifr_flags = on ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE};

	return ioctl(fd, TUNSETQUEUE, &ifr) < 0 ? -errno : 0;
}
