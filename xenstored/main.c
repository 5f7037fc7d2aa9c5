/*
 * xenstored: the Xen store of the host, speaking Xen's wire protocol on a
 * Unix socket and on guests' rings. Options follow Xen's xenstored.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "quota.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xenstored [options]\n"
		"  -N, --no-fork, --foreground  stay in the foreground (log to stderr)\n"
		"  -F, --pid-file FILE          write the daemon's pid to FILE\n"
		"  -T, --trace-file FILE        log to FILE\n"
		"  -V, --verbose                log every request\n"
		"  -s, --socket PATH            socket path (default $XENSTORED_PATH,\n"
		"                               else /run/xenstored/socket)\n"
		"      --state-dir DIR          journal directory (default\n"
		"                               $XENO_STATE_DIR/xenstore, else /var/lib/xeno/xenstore)\n"
		"      --no-persist             keep the store in memory only\n"
		"      --reattach-timeout SECS  after a restart, release domains not introduced\n"
		"                               again within SECS (default 30)\n"
		"  -E, --entry-nb N             nodes per domain (quota \"nodes\")\n"
		"  -S, --entry-size N           bytes per node (quota \"node-size\")\n"
		"  -W, --watch-nb N             watches per domain (quota \"watches\")\n"
		"  -t, --transaction N          transactions per domain (quota \"transactions\")\n"
		"  -A, --perm-nb N              permissions per node (quota \"node-permissions\")\n"
		"  -M, --path-max N             path length (quota \"path-max\")\n"
		"  -Q, --quota NAME=N           any quota: nodes, watches, outstanding, memory,\n"
		"                               transactions, transaction-nodes, node-permissions,\n"
		"                               path-max, node-size (0 disables one)\n"
		"  -H, --help                   this text\n");
}

static int set_quota(struct xsd_options *o, enum quota_item q, const char *arg)
{
	char assignment[64];

	snprintf(assignment, sizeof(assignment), "%s=%s", quota_name(q), arg);
	return quota_parse_assignment(&o->quota, assignment);
}

int main(int argc, char **argv)
{
	enum { OPT_STATE_DIR = 256, OPT_NO_PERSIST, OPT_REATTACH };
	static const struct option longopts[] = {
		{"no-fork", no_argument, NULL, 'N'},
		{"foreground", no_argument, NULL, 'N'},
		{"pid-file", required_argument, NULL, 'F'},
		{"trace-file", required_argument, NULL, 'T'},
		{"verbose", no_argument, NULL, 'V'},
		{"socket", required_argument, NULL, 's'},
		{"state-dir", required_argument, NULL, OPT_STATE_DIR},
		{"no-persist", no_argument, NULL, OPT_NO_PERSIST},
		{"reattach-timeout", required_argument, NULL, OPT_REATTACH},
		{"entry-nb", required_argument, NULL, 'E'},
		{"entry-size", required_argument, NULL, 'S'},
		{"watch-nb", required_argument, NULL, 'W'},
		{"transaction", required_argument, NULL, 't'},
		{"perm-nb", required_argument, NULL, 'A'},
		{"path-max", required_argument, NULL, 'M'},
		{"quota", required_argument, NULL, 'Q'},
		{"help", no_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	struct xsd_options o;
	char *end;
	int c, bad = 0;

	xsd_options_default(&o);
	while ((c = getopt_long(argc, argv, "NF:T:Vs:E:S:W:t:A:M:Q:H", longopts, NULL)) != -1) {
		switch (c) {
		case 'N':
			o.foreground = true;
			break;
		case 'F':
			o.pid_file = optarg;
			break;
		case 'T':
			o.log_file = optarg;
			break;
		case 'V':
			o.trace = true;
			break;
		case 's':
			o.socket_path = optarg;
			break;
		case OPT_STATE_DIR:
			o.state_dir = optarg;
			break;
		case OPT_NO_PERSIST:
			o.no_persist = true;
			break;
		case OPT_REATTACH:
			errno = 0;
			o.reattach_timeout_s = (unsigned)strtoul(optarg, &end, 10);
			bad |= errno || *end;
			break;
		case 'E':
			bad |= set_quota(&o, Q_NODES, optarg) < 0;
			break;
		case 'S':
			bad |= set_quota(&o, Q_NODE_SIZE, optarg) < 0;
			break;
		case 'W':
			bad |= set_quota(&o, Q_WATCHES, optarg) < 0;
			break;
		case 't':
			bad |= set_quota(&o, Q_TRANSACTIONS, optarg) < 0;
			break;
		case 'A':
			bad |= set_quota(&o, Q_PERMS, optarg) < 0;
			break;
		case 'M':
			bad |= set_quota(&o, Q_PATH_MAX, optarg) < 0;
			break;
		case 'Q':
			bad |= quota_parse_assignment(&o.quota, optarg) < 0;
			break;
		case 'H':
			usage(stdout);
			return 0;
		default:
			bad = 1;
		}
	}
	if (bad || optind != argc) {
		usage(stderr);
		return 1;
	}
	return xsd_daemon_main(&o);
}
