/*
 * xl network-attach, network-list, network-detach: vifs of a running
 * domain, through its monitor (vif-attach, vif-list, vif-detach on the
 * control socket; docs/net.md). Output and messages are Xen's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctl.h>
#include <vif_spec.h>

#include "domains.h"
#include "paths.h"
#include "xl.h"

#define LIST_MAX 65536

/* The monitor's vif-list lines: devid mac state evtchn tx rx be-path. */
static int vif_list(unsigned int domid, char *buf, size_t len)
{
	char err[CTL_LINE_MAX];
	int rc = ctl_call_text(domid, "vif-list", buf, len, err, sizeof(err));

	if (rc)
		fprintf(stderr, "xl: cannot list the vifs of domain %u: %s\n", domid,
			err[0] ? err : strerror(-rc));
	return rc;
}

int main_networkattach(int argc, char **argv)
{
	static char list[LIST_MAX];
	char spec[CTL_LINE_MAX - 16], line[CTL_LINE_MAX], err[CTL_LINE_MAX], script[VIF_STR_MAX];
	struct ctl_info d;
	struct vif_spec v;
	int opt, rc;

	while ((opt = xl_getopt(argc, argv, "", NULL, "network-attach", 1)) != -1)
		;
	find_domain(argv[optind], &d);
	vif_spec_init(&v);
	for (int i = optind + 1; i < argc; i++)
		if (vif_spec_parse_token(&v, argv[i], "command line", stderr) != VIF_PARSE_OK)
			return EXIT_FAILURE;
	vif_spec_set_defaults(&v);
	if (v.devid < 0) {	/* libxl: the next free devid */
		if (vif_list(d.domid, list, sizeof(list)))
			return EXIT_FAILURE;
		v.devid = 0;
		for (char *p = list; *p; p = strchr(p, '\n') + 1) {
			int id = atoi(p);

			if (id >= v.devid)
				v.devid = id + 1;
		}
	}
	rc = xl_script_path(v.script, script, sizeof(script));
	if (rc) {
		fprintf(stderr, "xl: cannot locate script %s: %s\n", v.script, strerror(-rc));
		return EXIT_FAILURE;
	}
	memcpy(v.script, script, sizeof(script));
	if (vif_spec_format(&v, spec, sizeof(spec)) < 0) {
		fprintf(stderr, "xl: the vif spec is too long\n");
		return EXIT_FAILURE;
	}
	if (xl_dryrun) {
		printf("vif: %s\n", spec);
		return EXIT_SUCCESS;
	}
	snprintf(line, sizeof(line), "vif-attach %s", spec);
	rc = ctl_call_text(d.domid, line, NULL, 0, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "xl: %s\nlibxl_device_nic_add failed.\n", err[0] ? err : strerror(-rc));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int main_networklist(int argc, char **argv)
{
	static char list[LIST_MAX];
	int opt;

	while ((opt = xl_getopt(argc, argv, "", NULL, "network-list", 1)) != -1)
		;
	printf("%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-5s %-30s\n", "Idx", "BE", "Mac Addr.", "handle",
	       "state", "evt-ch", "tx-", "rx-ring-ref", "BE-path");
	for (int i = optind; i < argc; i++) {
		struct ctl_info d;

		find_domain(argv[i], &d);
		if (vif_list(d.domid, list, sizeof(list)))
			continue;
		for (char *p = list; *p; p = strchr(p, '\n') + 1) {
			int devid, state, evt, tx, rx;
			char mac[18], path[256];

			if (sscanf(p, "%d %17s %d %d %d %d %255s", &devid, mac, &state, &evt, &tx, &rx,
				   path) != 7)
				break;
			printf("%-3d %-2d %s%6d %5d %6d %5d/%-11d %-30s\n", devid, 0, mac, devid, state,
			       evt, tx, rx, path);
		}
	}
	return EXIT_SUCCESS;
}

int main_networkdetach(int argc, char **argv)
{
	char line[CTL_LINE_MAX], err[CTL_LINE_MAX];
	struct ctl_info d;
	int opt, rc;

	while ((opt = xl_getopt(argc, argv, "", NULL, "network-detach", 2)) != -1)
		;
	find_domain(argv[optind], &d);
	snprintf(line, sizeof(line), "vif-detach %s", argv[optind + 1]);
	rc = ctl_call_text(d.domid, line, NULL, 0, err, sizeof(err));
	if (rc) {
		if (err[0])
			fprintf(stderr, "%s\n", err);
		else
			fprintf(stderr, "libxl_device_nic_del failed.\n");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
