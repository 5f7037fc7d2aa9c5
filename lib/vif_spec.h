/*
 * A network interface (vif) as Xen's xl.cfg describes it:
 *
 *   vif = [ 'mac=00:16:3e:01:02:03,bridge=xenbr0,vifname=web0,ip=10.0.0.2' ]
 *
 * xl parses each item token by token (Xen's parse_nic_config: tokens split
 * at ',', leading spaces dropped, `key=value`, later tokens win), resolves
 * the defaults libxl would (devid, a random 00:16:3e MAC, bridge xenbr0,
 * script vif-bridge) and hands the monitor the result in a canonical form
 * (`--vif devid=0,mac=...,bridge=...,script=/abs/path`), which the monitor
 * reads back with the strict parser here. Both ends share this code.
 */
#ifndef LIB_VIF_SPEC_H
#define LIB_VIF_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VIF_IFNAME_MAX 16	/* IFNAMSIZ, NUL included */
#define VIF_STR_MAX 256
#define VIF_DEFAULT_BRIDGE "xenbr0"
#define VIF_DEFAULT_SCRIPT "vif-bridge"
#define VIF_DEFAULT_MTU 1500
#define VIF_MAX_DEVID 0xffff
/* Queues a vif offers a frontend (multi-queue-max-queues). */
#define VIF_MAX_QUEUES 8

struct vif_spec {
	int devid;			/* -1: the next free one */
	bool mac_set;
	uint8_t mac[6];
	char bridge[VIF_STR_MAX];
	char vifname[VIF_IFNAME_MAX];	/* "" : vif<domid>.<devid> */
	char script[VIF_STR_MAX];
	char ip[VIF_STR_MAX];
	char gatewaydev[VIF_IFNAME_MAX];
	char model[64];			/* emulated NICs only; kept for Xen's JSON */
	bool type_ioemu;		/* type=ioemu (refused for PV by the toolstack) */
	uint64_t rate_bytes_per_interval;	/* 0: no limit */
	uint32_t rate_interval_usecs;
	unsigned int mtu;		/* 0: the default */
	unsigned int queues;		/* 0: the default */
};

/* An empty spec: devid -1, nothing else set. */
void vif_spec_init(struct vif_spec *v);

enum vif_parse_result {
	VIF_PARSE_OK,
	VIF_PARSE_IGNORED,	/* Xen warns and goes on (xl create) */
	VIF_PARSE_FATAL,	/* Xen's xl exits (a bad rate=) */
};

/*
 * One token of an xl.cfg vif item ("mac=..."). Messages go to err in Xen's
 * words; source names the config in rate errors.
 */
enum vif_parse_result vif_spec_parse_token(struct vif_spec *v, const char *token,
					   const char *source, FILE *err);
/* A whole vif item, split and parsed as Xen's xl does. VIF_PARSE_IGNORED if
 * any token was, VIF_PARSE_FATAL at the first fatal one. */
enum vif_parse_result vif_spec_parse_item(struct vif_spec *v, const char *item,
					  const char *source, FILE *err);

/* Xen's rate syntax: <n>[GMK](B|b)/s[@<n>[m|u][s]], default interval 50ms.
 * 0, or -EINVAL / -EOVERFLOW with Xen's message on err. */
int vif_spec_parse_rate(const char *rate, const char *source, uint64_t *bytes_per_interval,
			uint32_t *interval_usecs, FILE *err);

/* libxl's defaults: mac 00:16:3e + 23 random bits, bridge, script, mtu. */
void vif_spec_set_defaults(struct vif_spec *v);

/* "00:16:3e:0a:0b:0c" into buf (18 bytes). */
void vif_mac_format(const uint8_t mac[6], char buf[18]);
/* Xen's MAC syntax: six hex numbers 0..255, each followed by one separator. */
int vif_mac_parse(const char *s, uint8_t mac[6]);

/* The canonical form for the monitor's --vif. -ENOSPC if len is short. */
int vif_spec_format(const struct vif_spec *v, char *buf, size_t len);
/* Read the canonical form back, strictly: every key known, every value
 * valid, devid and mac present. 0, or -EINVAL with a reason in err. */
int vif_spec_parse_canonical(struct vif_spec *v, const char *s, char *err, size_t errlen);

/* The host interface's name: vifname, else vif<domid>.<devid>. */
void vif_spec_ifname(const struct vif_spec *v, unsigned int domid, char buf[VIF_IFNAME_MAX]);

#endif /* LIB_VIF_SPEC_H */
