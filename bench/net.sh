#!/bin/bash
# Network: a Linux PV guest's vif against the same measurements between two
# network namespaces over a veth pair, in one run. For one queue and for
# two (the guest's xen_netfront.max_queues, the veth's queue count, and as
# many iperf3 streams), it measures:
#   - iperf3 TCP host->guest and guest->host (Gbit/s);
#   - ping-pong latency: the mean ICMP echo round trip of 200 pings
#     sent 5 ms apart.
# It prints guest/baseline ratios and, next to each, the guest's exits per
# packet during that run: the rise of "exits: N in all" from `xl
# exit-stats` divided by the packets the vif moved (its host-side rx and tx
# counters). All of the guest's exits count, timer ticks included.
# When iperf3 gives no result, its error goes to stderr.
#
# Everything runs in namespaces the script creates: the baseline pair
# (10.98.0.1 host side, .2 guest side) and, for the guest, a namespace with
# bridge xbr0 at 10.97.0.1/24 and the guest at 10.97.0.2.
#
# The guest part needs images/vmlinuz to boot to a shell (scripts/setup.sh).
# The script first boots it with the stock initramfs and waits for the
# XENO-INIT-READY marker. Without the marker it prints the baseline only,
# says why the guest part was skipped, and exits 77.
#
#   bench/net.sh          DUR=seconds per iperf3 run (5), BOOT_TIMEOUT (120)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
B=${XENO_BUILD:-$root/build}
DUR=${DUR:-5}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
for t in ip iperf3 busybox python3; do
	command -v $t >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

tmp=$(mktemp -d /tmp/xeno-netbench.XXXXXX)
nsh=xeno-nb-h-$$ nsg=xeno-nb-g-$$ nsx=xeno-nb-x-$$
xsd_pid=
cleanup() {
	if [ -n "$xsd_pid" ]; then
		for d in nbprobe nbguest; do ip netns exec "$nsx" "$B/bin/xl" destroy $d >/dev/null 2>&1; done
		kill "$xsd_pid" 2>/dev/null && wait "$xsd_pid" 2>/dev/null
	fi
	for ns in $nsh $nsg $nsx; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# iperf3 JSON on stdin -> received Gbit/s
gbits() {
	python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9, 2))'
}
# iperf <client netns> <server address> <streams> [-R]: Gbit/s, or "-" with
# iperf3's error on stderr
iperf() {
	local out=$tmp/iperf3.json r
	ip netns exec "$1" iperf3 -c "$2" -t "$DUR" -P "$3" ${4:-} -J >"$out" 2>&1
	if r=$(gbits <"$out" 2>/dev/null) && [ -n "$r" ]; then
		echo "$r"
		return
	fi
	echo "-"
	echo "iperf3 -c $2 -P $3 ${4:-}: no result: $(python3 -c 'import json,sys; print(json.load(sys.stdin).get("error", "no error given"))' <"$out" 2>/dev/null || tail -2 "$out")" >&2
}
# counters <domain> <vif>: "<guest exits so far> <packets through the vif so far>"
counters() {
	local e rx tx
	e=$(inx "$B/bin/xl" exit-stats "$1" 2>/dev/null | sed -n 's/^exits: \([0-9]*\) in all$/\1/p')
	rx=$(inx cat "/sys/class/net/$2/statistics/rx_packets" 2>/dev/null)
	tx=$(inx cat "/sys/class/net/$2/statistics/tx_packets" 2>/dev/null)
	echo "${e:--} $((${rx:-0} + ${tx:-0}))"
}
# per_packet "<exits packets before>" "<exits packets after>": exits per packet
per_packet() {
	python3 -c 'import sys
e0, p0 = sys.argv[1].split(); e1, p1 = sys.argv[2].split()
print(round((int(e1) - int(e0)) / (int(p1) - int(p0)), 2) if "-" not in (e0, e1) and p1 != p0 else "-")' "$1" "$2"
}
# measure <client netns> <server address> <queues> [<domain> <vif>]:
# "h2g g2h rtt_ms" ("-" for a missing figure), and with a domain also the
# guest's exits per packet through the vif during each of the three runs.
measure() {
	local ns=$1 addr=$2 q=$3 dom=${4:-} vif=${5:-} run v c0 out="" epp=""
	for run in h2g g2h rtt; do
		[ -n "$dom" ] && c0=$(counters "$dom" "$vif")
		case $run in
		h2g) v=$(iperf "$ns" "$addr" "$q") ;;
		g2h) v=$(iperf "$ns" "$addr" "$q" -R) ;;
		rtt) v=$(ip netns exec "$ns" busybox ping -q -c 200 -i 0.005 -W 2 "$addr" 2>/dev/null |
			sed -n 's|.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*|\1|p') ;;
		esac
		out="$out ${v:--}"
		[ -n "$dom" ] && epp="$epp $(per_packet "$c0" "$(counters "$dom" "$vif")")"
	done
	echo $out $epp
}
ratio() { python3 -c "import sys; a, b = sys.argv[1:]; print(round(float(a) / float(b), 2) if b not in ('-', '0') and a != '-' else '-')" "$1" "$2"; }

# ---- baseline: veth between two namespaces ---------------------------------------
declare -A result
for q in 1 2; do
	ip netns add "$nsh" && ip netns add "$nsg" || { echo "FAIL: cannot create namespaces"; exit 1; }
	ip link add vb-h$$ numtxqueues $q numrxqueues $q netns "$nsh" type veth \
		peer name vb-g$$ numtxqueues $q numrxqueues $q netns "$nsg"
	ip -n "$nsh" addr add 10.98.0.1/24 dev vb-h$$
	ip -n "$nsg" addr add 10.98.0.2/24 dev vb-g$$
	for ns in $nsh $nsg; do ip -n "$ns" link set lo up; done
	ip -n "$nsh" link set vb-h$$ up
	ip -n "$nsg" link set vb-g$$ up
	ip netns exec "$nsg" iperf3 -s -D >/dev/null 2>&1
	sleep 0.5
	result[veth$q]=$(measure "$nsh" 10.98.0.2 $q)
	ip netns pids "$nsg" | xargs -r kill
	ip netns del "$nsh"
	ip netns del "$nsg"
done
show() { # label h2g g2h rtt
	printf '%-28s host->guest %6s Gbit/s  guest->host %6s Gbit/s  ping-pong %6s ms\n' "$@"
}
echo "iperf3 TCP, $DUR s per direction; ping-pong: mean of 200 ICMP echo round trips"
for q in 1 2; do show "baseline veth, $q queue(s):" ${result[veth$q]}; done

# ---- the guest --------------------------------------------------------------------
kernel=$root/images/vmlinuz
initrd=$root/images/initrd.cpio.gz
skip() {
	echo "guest: SKIPPED: $*"
	echo "guest: no guest figures and no ratios; only the baseline above was measured"
	exit 77
}
[ -f "$kernel" ] && [ -f "$initrd" ] || skip "$kernel or $initrd is missing (scripts/setup.sh)"
[ -x "$B/bin/xl" ] && [ -x "$B/bin/xenstored" ] || skip "xeno is not built ($B)"
[ -r /dev/kvm ] && [ -c /dev/net/tun ] || skip "/dev/kvm or /dev/net/tun is not usable"
command -v cpio >/dev/null || skip "cpio is missing"

export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/xenstored.sock
export XENO_STATE_DIR=$tmp/state
mkdir -p "$XENO_LOG_DIR"
inx() { ip netns exec "$nsx" "$@"; }
ip netns add "$nsx" || { echo "FAIL: cannot create namespace $nsx"; exit 1; }
inx ip link set lo up
inx ip link add xbr0 type bridge
inx ip link set xbr0 up
inx ip addr add 10.97.0.1/24 dev xbr0
inx "$B/bin/xenstored" --no-fork --no-persist >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
xsd_pid=$!
for _ in $(seq 50); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.1; done
[ -S "$XENSTORED_PATH" ] || { echo "FAIL: xenstored did not start"; exit 1; }

# wait_console <name> <marker>: true once the marker is on the guest's
# console; else why not in $why
wait_console() {
	for _ in $(seq $((BOOT_TIMEOUT * 10))); do
		grep -q "$2" "$XENO_LOG_DIR/console-$1.log" 2>/dev/null && return 0
		if ! inx "$B/bin/xl" domid "$1" >/dev/null 2>&1; then
			why="the guest died before printing $2"
			return 1
		fi
		sleep 0.1
	done
	why="no $2 on its console within $BOOT_TIMEOUT s"
	return 1
}

# Does the kernel boot to a shell? The stock initramfs says so on the console.
printf '%s\n' 'name = "nbprobe"' "kernel = \"$kernel\"" "ramdisk = \"$initrd\"" \
	'extra = "console=hvc0"' 'memory = 512' >"$tmp/probe.cfg"
inx "$B/bin/xl" create -q "$tmp/probe.cfg" >"$tmp/probe.out" 2>&1 ||
	skip "xl create of $kernel failed: $(tail -1 "$tmp/probe.out")"
if ! wait_console nbprobe XENO-INIT-READY; then
	echo "guest: the last console lines of the boot attempt:"
	tail -3 "$XENO_LOG_DIR/console-nbprobe.log" 2>/dev/null | sed 's/^/  | /'
	skip "images/vmlinuz cannot boot to a shell yet ($why)"
fi
inx "$B/bin/xl" destroy nbprobe >/dev/null 2>&1

# The bench guest: the stock initramfs plus an archive whose /init replaces
# the stock one (Linux unpacks both, in order): eth0 up, an iperf3 server.
mkdir -p "$tmp/rd/bin"
cp "$(command -v iperf3)" "$tmp/rd/bin/iperf3"
for l in $(ldd "$(command -v iperf3)" | grep -o '/[^ ]*'); do
	mkdir -p "$tmp/rd$(dirname "$l")"
	cp -L "$l" "$tmp/rd$l"
done
printf '%s\n' '#!/bin/sh' 'export PATH=/sbin:/bin:/usr/sbin:/usr/bin' \
	'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev' \
	'modprobe xen-netfront' \
	'for i in $(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done' \
	'ip link set lo up; ip addr add 10.97.0.2/24 dev eth0; ip link set eth0 up' \
	'/bin/iperf3 -s >/dev/null 2>&1 &' \
	'listening() { grep -qs ":1451 [0-9A-F]*:0000 0A" /proc/net/tcp /proc/net/tcp6; }' \
	'for i in $(seq 300); do listening && break; sleep 0.1; done' \
	'listening && echo BENCH-READY || echo BENCH-NO-IPERF3-SERVER' 'exec sleep 1000000' >"$tmp/rd/init"
chmod +x "$tmp/rd/init"
(cd "$tmp/rd" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$tmp/extra.cpio.gz"
cat "$initrd" "$tmp/extra.cpio.gz" >"$tmp/bench-initrd.gz"

for q in 1 2; do
	printf '%s\n' 'name = "nbguest"' "kernel = \"$kernel\"" "ramdisk = \"$tmp/bench-initrd.gz\"" \
		"extra = \"console=hvc0 xen_netfront.max_queues=$q\"" 'memory = 512' "vcpus = $q" \
		"vif = [ 'bridge=xbr0,mac=00:16:3e:00:00:42' ]" >"$tmp/guest.cfg"
	rm -f "$XENO_LOG_DIR/console-nbguest.log"
	inx "$B/bin/xl" create -q "$tmp/guest.cfg" >"$tmp/guest.out" 2>&1 ||
		skip "xl create of the bench guest failed: $(tail -1 "$tmp/guest.out")"
	wait_console nbguest BENCH-READY ||
		skip "the bench guest did not bring up its network and iperf3 server with $q queue(s) ($why)"
	domid=$(inx "$B/bin/xl" domid nbguest)
	result[guest$q]=$(measure "$nsx" 10.97.0.2 $q nbguest "vif$domid.0")
	inx "$B/bin/xl" destroy nbguest >/dev/null 2>&1
	read -r gh gg gr eh eg er <<<"${result[guest$q]}"
	read -r bh bg br <<<"${result[veth$q]}"
	show "guest vif, $q queue(s):" "$gh" "$gg" "$gr"
	echo "  guest/baseline: host->guest $(ratio "$gh" "$bh") ($eh exits/packet)," \
		"guest->host $(ratio "$gg" "$bg") ($eg exits/packet)," \
		"ping-pong latency $(ratio "$gr" "$br") ($er exits/packet; above 1: slower)"
done
