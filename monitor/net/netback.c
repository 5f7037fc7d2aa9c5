/*
 * vifs: the tap, the xenstore nodes and handshake, the hotplug script, and
 * the queues (netback.h).
 */
#include "netback.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <vif_spec.h>

#include "../backend/grant_access.h"
#include "../backend/xenbus_be.h"
#include "../eventloop.h"
#include "../pv/evtchn.h"
#include "hotplug.h"
#include "tap.h"
#include "vif_queue.h"

struct vif {
	struct domain *d;
	struct vif_spec spec;
	char ifname[VIF_IFNAME_MAX];
	unsigned int max_queues, nr_queues;
	int tap_fds[VIF_MAX_QUEUES];
	struct vif_queue q[VIF_MAX_QUEUES];
	struct xenbus_be *be;
	int detach_timer;	/* -1 unless a detach is under way */
	bool hotplugged;	/* the script ran online: run it offline at the end */
	struct vif *next;
};

static struct {
	struct vif_spec *cfg;	/* what a (re)start creates */
	unsigned int nr_cfg;
	struct vif *list;
} nb;

int netback_configure(const char *spec, char *err, size_t errlen)
{
	struct vif_spec v, *n;

	if (vif_spec_parse_canonical(&v, spec, err, errlen) < 0)
		return -1;
	for (unsigned int i = 0; i < nb.nr_cfg; i++)
		if (nb.cfg[i].devid == v.devid) {
			snprintf(err, errlen, "vif devid %d given twice", v.devid);
			return -1;
		}
	n = realloc(nb.cfg, (nb.nr_cfg + 1) * sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	nb.cfg = n;
	nb.cfg[nb.nr_cfg++] = v;
	return 0;
}

bool netback_configured(void)
{
	return nb.nr_cfg > 0;
}

static void unconfigure(int devid)
{
	for (unsigned int i = 0; i < nb.nr_cfg; i++)
		if (nb.cfg[i].devid == devid) {
			nb.cfg[i] = nb.cfg[--nb.nr_cfg];
			return;
		}
}

/* ---- the handshake ------------------------------------------------------------ */

/* A frontend flag key: "1" on, anything else (or absent) off. */
static bool fe_flag(struct vif *vif, const char *key)
{
	unsigned long long v;

	return xenbus_be_read_fe_uint(vif->be, key, 1, &v) == 0 && v == 1;
}

static int fe_u32(struct vif *vif, const char *key, unsigned long long max, uint32_t *out,
		  char *err, size_t errlen)
{
	unsigned long long v;
	int rc = xenbus_be_read_fe_uint(vif->be, key, max, &v);

	if (rc) {
		snprintf(err, errlen, "frontend key %s: %s", key,
			 rc == -ENOENT ? "missing" : "not a valid number");
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* One queue's keys: in queue-N/ with several queues, else at the top. */
static int read_queue(struct vif *vif, unsigned int i, struct vif_queue_config *c, char *err,
		      size_t errlen)
{
	char pre[32] = "", key[96];
	uint32_t v;

	if (vif->nr_queues > 1)
		snprintf(pre, sizeof(pre), "queue-%u/", i);
#define KEY(name) (snprintf(key, sizeof(key), "%s%s", pre, name), key)
	if (fe_u32(vif, KEY("tx-ring-ref"), UINT32_MAX, &c->tx_ref, err, errlen) ||
	    fe_u32(vif, KEY("rx-ring-ref"), UINT32_MAX, &c->rx_ref, err, errlen))
		return -1;
	if (fe_u32(vif, KEY("event-channel-tx"), EVTCHN_MAX_PORT, &v, err, errlen) == 0) {
		c->tx_port = v;
		if (fe_u32(vif, KEY("event-channel-rx"), EVTCHN_MAX_PORT, &v, err, errlen))
			return -1;
		c->rx_port = v;
	} else {
		if (fe_u32(vif, KEY("event-channel"), EVTCHN_MAX_PORT, &v, err, errlen))
			return -1;
		c->tx_port = c->rx_port = v;
	}
#undef KEY
	return 0;
}

static void stop_queues(struct vif *vif)
{
	for (unsigned int i = 0; i < vif->nr_queues; i++)
		vif_queue_stop(&vif->q[i]);
	vif->nr_queues = 0;
}

static void vif_disconnect(struct xenbus_be *be, void *arg)
{
	struct vif *vif = arg;

	(void)be;
	stop_queues(vif);
}

static int vif_connect(struct xenbus_be *be, enum xenbus_state fe_state, void *arg)
{
	struct vif *vif = arg;
	struct netif_features fe;
	char err[256] = "";
	uint32_t nq = 1;
	unsigned long long v;
	int rc;

	(void)fe_state;
	if (!fe_flag(vif, "request-rx-copy")) {
		snprintf(err, sizeof(err), "frontend does not support rx-copy (request-rx-copy)");
		goto fail;
	}
	rc = xenbus_be_read_fe_uint(be, "multi-queue-num-queues", UINT32_MAX, &v);
	if (rc == 0)
		nq = (uint32_t)v;
	if (rc == -EINVAL || nq < 1 || nq > vif->max_queues) {
		snprintf(err, sizeof(err), "guest requested %u queues, exceeding the maximum of %u.",
			 nq, vif->max_queues);
		goto fail;
	}
	fe = (struct netif_features){
		.sg = fe_flag(vif, "feature-sg"),
		.csum = !fe_flag(vif, "feature-no-csum-offload"),
		.ipv6_csum = fe_flag(vif, "feature-ipv6-csum-offload"),
		.gso_tcpv4 = fe_flag(vif, "feature-gso-tcpv4"),
		.gso_tcpv6 = fe_flag(vif, "feature-gso-tcpv6"),
	};
	fe.gso_tcpv4 &= fe.sg;	/* a GSO frame needs several slots */
	fe.gso_tcpv6 &= fe.sg;
	vif->nr_queues = 0;
	for (unsigned int i = 0; i < nq; i++) {
		struct vif_queue_config c = {.fe = fe, .rate_bytes = vif->spec.rate_bytes_per_interval,
					     .rate_usecs = vif->spec.rate_interval_usecs};

		vif->nr_queues = nq;	/* read_queue looks at it */
		if (read_queue(vif, i, &c, err, sizeof(err)) < 0)
			goto fail_queues;
		vif->nr_queues = i;
		if (tap_set_offloads(vif->tap_fds[i], fe.csum, fe.gso_tcpv4, fe.gso_tcpv6) < 0)
			mlog(vif->d, "netback: %s: cannot set tap offloads", vif->ifname);
		if (vif->max_queues > 1)
			tap_queue_enable(vif->tap_fds[i], true);
		if (vif_queue_start(&vif->q[i], vif->d, i, vif->tap_fds[i], &c, err, sizeof(err)) < 0)
			goto fail_queues;
		vif->nr_queues = i + 1;
	}
	/* frames the host would steer to queues the guest did not take */
	for (unsigned int i = nq; i < vif->max_queues && vif->max_queues > 1; i++)
		tap_queue_enable(vif->tap_fds[i], false);
	mlog(vif->d, "netback: %s connected (%u queue%s%s%s%s)", vif->ifname, nq, nq > 1 ? "s" : "",
	     fe.sg ? ", sg" : "", fe.csum ? ", csum" : "", fe.gso_tcpv4 ? ", tso" : "");
	return 0;
fail_queues:
	stop_queues(vif);
fail:
	mlog(vif->d, "netback: %s: %s", vif->ifname, err);
	xenbus_be_printf(be, "error", "%s", err);
	return -1;
}

/* ---- life and death of a vif --------------------------------------------------- */

static void vif_free(struct vif *vif)
{
	char err[256] = "";

	stop_queues(vif);
	if (vif->detach_timer >= 0) {
		ev_del(vif->detach_timer);
		close(vif->detach_timer);
	}
	if (vif->hotplugged &&
	    hotplug_run(vif->spec.script, false, vif->d->domid, (unsigned)vif->spec.devid,
			vif->ifname, vif->spec.gatewaydev, err, sizeof(err)) < 0)
		mlog(vif->d, "netback: %s: hotplug offline: %s", vif->ifname, err);
	for (unsigned int i = 0; i < vif->max_queues; i++)
		if (vif->tap_fds[i] >= 0)
			close(vif->tap_fds[i]);
	if (vif->be)
		xenbus_be_destroy(vif->be);
	for (struct vif **p = &nb.list; *p; p = &(*p)->next)
		if (*p == vif) {
			*p = vif->next;
			break;
		}
	free(vif);
}

static void vif_removed(struct xenbus_be *be, void *arg)
{
	struct vif *vif = arg;

	(void)be;
	mlog(vif->d, "netback: %s removed", vif->ifname);
	vif_free(vif);
}

static const struct xenbus_be_ops vif_ops = {
	.connect = vif_connect,
	.disconnect = vif_disconnect,
	.removed = vif_removed,
};

static unsigned int default_queues(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus < 1 ? 1 : cpus > VIF_MAX_QUEUES ? VIF_MAX_QUEUES : (unsigned int)cpus;
}

static struct vif *find(int devid)
{
	for (struct vif *v = nb.list; v; v = v->next)
		if (v->spec.devid == devid)
			return v;
	return NULL;
}

/* The backend's keys as libxl and Xen's netback write them. */
static int create_nodes(struct vif *vif, char *err, size_t errlen)
{
	const struct vif_spec *s = &vif->spec;
	char handle[16], mac[18], rate[48], mtu[16], queues[16];
	struct xenbus_be_kv be[32], fe[3];
	unsigned int n = 0;

	snprintf(handle, sizeof(handle), "%d", s->devid);
	vif_mac_format(s->mac, mac);
	snprintf(mtu, sizeof(mtu), "%u", s->mtu);
	snprintf(queues, sizeof(queues), "%u", vif->max_queues);
	be[n++] = (struct xenbus_be_kv){"script", s->script};
	if (s->vifname[0])
		be[n++] = (struct xenbus_be_kv){"vifname", s->vifname};
	be[n++] = (struct xenbus_be_kv){"mac", mac};
	if (s->ip[0])
		be[n++] = (struct xenbus_be_kv){"ip", s->ip};
	if (s->gatewaydev[0])
		be[n++] = (struct xenbus_be_kv){"gatewaydev", s->gatewaydev};
	if (s->rate_interval_usecs) {
		snprintf(rate, sizeof(rate), "%" PRIu64 ",%" PRIu32, s->rate_bytes_per_interval,
			 s->rate_interval_usecs);
		be[n++] = (struct xenbus_be_kv){"rate", rate};
	}
	be[n++] = (struct xenbus_be_kv){"bridge", s->bridge};
	be[n++] = (struct xenbus_be_kv){"handle", handle};
	be[n++] = (struct xenbus_be_kv){"type", "vif"};
	be[n++] = (struct xenbus_be_kv){"mtu", mtu};
	/* what Xen's netback offers */
	be[n++] = (struct xenbus_be_kv){"feature-sg", "1"};
	be[n++] = (struct xenbus_be_kv){"feature-gso-tcpv4", "1"};
	be[n++] = (struct xenbus_be_kv){"feature-gso-tcpv6", "1"};
	be[n++] = (struct xenbus_be_kv){"feature-ipv6-csum-offload", "1"};
	be[n++] = (struct xenbus_be_kv){"feature-rx-copy", "1"};
	be[n++] = (struct xenbus_be_kv){"feature-rx-flip", "0"};
	be[n++] = (struct xenbus_be_kv){"feature-split-event-channels", "1"};
	be[n++] = (struct xenbus_be_kv){"multi-queue-max-queues", queues};
	be[n] = (struct xenbus_be_kv){NULL, NULL};
	fe[0] = (struct xenbus_be_kv){"handle", handle};
	fe[1] = (struct xenbus_be_kv){"mac", mac};
	fe[2] = (struct xenbus_be_kv){NULL, NULL};
	vif->be = xenbus_be_create(vif->d, "vif", (unsigned)s->devid, be, fe, &vif_ops, vif, err,
				   errlen);
	return vif->be ? 0 : -1;
}

static int vif_create(struct domain *d, const struct vif_spec *spec, char *err, size_t errlen)
{
	struct vif *vif;
	char why[256] = "";

	if (find(spec->devid)) {
		snprintf(err, errlen, "vif devid %d exists already", spec->devid);
		return -1;
	}
	vif = calloc(1, sizeof(*vif));
	if (!vif) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vif->d = d;
	vif->spec = *spec;
	vif->detach_timer = -1;
	vif->max_queues = spec->queues ? spec->queues : default_queues();
	for (unsigned int i = 0; i < VIF_MAX_QUEUES; i++)
		vif->tap_fds[i] = -1;
	vif_spec_ifname(spec, d->domid, vif->ifname);
	vif->next = nb.list;
	nb.list = vif;

	if (tap_open(vif->ifname, vif->max_queues, vif->tap_fds, why, sizeof(why)) < 0) {
		for (unsigned int i = 0; i < VIF_MAX_QUEUES; i++)
			vif->tap_fds[i] = -1;
		snprintf(err, errlen, "vif %d: %s", spec->devid, why);
		goto fail;
	}
	if (tap_configure(vif->ifname, spec->mtu) < 0)
		mlog(d, "netback: %s: cannot set its MAC or MTU %u", vif->ifname, spec->mtu);
	if (create_nodes(vif, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "vif %d: %s", spec->devid, why);
		goto fail;
	}
	vif->hotplugged = true;	/* a failed online may have done part of its work */
	if (hotplug_run(spec->script, true, d->domid, (unsigned)spec->devid, vif->ifname,
			spec->gatewaydev, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "vif %d: hotplug script %s failed: %s", spec->devid,
			 spec->script, why);
		goto fail;
	}
	if (xenbus_be_switch_state(vif->be, XenbusStateInitWait) < 0) {
		snprintf(err, errlen, "vif %d: cannot switch to InitWait", spec->devid);
		goto fail;
	}
	mlog(d, "netback: %s (devid %d) ready, bridge %s", vif->ifname, spec->devid, spec->bridge);
	return 0;
fail:
	vif_free(vif);
	return -1;
}

int netback_start(struct domain *d, char *err, size_t errlen)
{
	if (!nb.nr_cfg)
		return 0;
	if (!d->grant_pins && grant_access_init(d) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned int i = 0; i < nb.nr_cfg; i++)
		if (vif_create(d, &nb.cfg[i], err, errlen) < 0) {
			netback_stop(d);
			return -1;
		}
	return 0;
}

void netback_stop(struct domain *d)
{
	(void)d;
	while (nb.list)
		vif_free(nb.list);
}

int netback_attach(struct domain *d, const char *spec, char *err, size_t errlen)
{
	struct vif_spec v;

	if (vif_spec_parse_canonical(&v, spec, err, errlen) < 0)
		return -1;
	if (!d->grant_pins && grant_access_init(d) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (vif_create(d, &v, err, errlen) < 0)
		return -1;
	unconfigure(v.devid);
	if (netback_configure(spec, err, errlen) < 0)
		mlog(d, "netback: vif %d will not come back after a reboot: %s", v.devid, err);
	return 0;
}

/* The frontend did not close in time: remove the vif anyway, as libxl does
 * after its device timeout. */
static void detach_timeout(void *arg, uint32_t events)
{
	struct vif *vif = arg;

	(void)events;
	mlog(vif->d, "netback: %s: the frontend did not close within %d s; removed",
	     vif->ifname, NETBACK_DETACH_TIMEOUT_S);
	vif_free(vif);
}

int netback_detach(struct domain *d, const char *which, char *err, size_t errlen)
{
	struct vif *vif = NULL;
	struct itimerspec it = {.it_value.tv_sec = NETBACK_DETACH_TIMEOUT_S};
	uint8_t mac[6];

	if (strchr(which, ':')) {
		if (vif_mac_parse(which, mac) == 0)
			for (struct vif *v = nb.list; v; v = v->next)
				if (!memcmp(v->spec.mac, mac, 6))
					vif = v;
	} else {
		vif = find(atoi(which));
	}
	if (!vif) {
		snprintf(err, errlen, "Unknown device %s.", which);
		return -1;
	}
	(void)d;
	unconfigure(vif->spec.devid);
	if (vif->detach_timer >= 0)
		return 0;	/* under way */
	vif->detach_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (vif->detach_timer < 0 || timerfd_settime(vif->detach_timer, 0, &it, NULL) < 0 ||
	    ev_add(vif->detach_timer, EPOLLIN, detach_timeout, vif) < 0) {
		if (vif->detach_timer >= 0)
			close(vif->detach_timer);
		vif->detach_timer = -1;
		vif_free(vif);
		return 0;
	}
	if (xenbus_be_close(vif->be) < 0)
		vif_free(vif);
	return 0;
}

size_t netback_list(struct domain *d, char *buf, size_t len)
{
	size_t used = 0;

	(void)d;
	if (len)
		buf[0] = '\0';
	for (struct vif *v = nb.list; v; v = v->next) {
		char mac[18], *evt = NULL, *tx = NULL, *rx = NULL;
		int n;

		vif_mac_format(v->spec.mac, mac);
		if (xenbus_be_read_fe(v->be, "event-channel", &evt) < 0)
			xenbus_be_read_fe(v->be, "event-channel-tx", &evt);
		xenbus_be_read_fe(v->be, "tx-ring-ref", &tx);
		xenbus_be_read_fe(v->be, "rx-ring-ref", &rx);
		n = snprintf(buf + used, len - used, "%d %s %d %s %s %s %s\n", v->spec.devid, mac,
			     (int)xenbus_be_fe_state(v->be), evt ? evt : "-1", tx ? tx : "-1",
			     rx ? rx : "-1", xenbus_be_path(v->be));
		free(evt);
		free(tx);
		free(rx);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return used;
}
