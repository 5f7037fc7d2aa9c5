#!/bin/bash
# Linux's own xen-netfront (the Debian kernel in images/, 2 vCPUs) against
# our netback, in a network namespace this test creates (two bridges there,
# no other address touched), driven over the guest's console:
#  - two vifs, each on its own bridge; netfront takes 2 queues per vif;
#  - the guest configures eth0 and eth1 with busybox ip; the namespace pings
#    the guest and the guest pings the namespace on both, with large packets
#    too; a TCP transfer each way (busybox httpd/wget) arrives intact (md5);
#  - xl network-detach of vif 1: the guest sees eth1 go; network-attach: a
#    new interface appears and answers ping;
#  - after destroy no tap, bridge port or xenstore node is left.
# Exit 0 all passed, 77 cannot run here, else 1.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
for bin in "$B/bin/xl" "$B/bin/xeno-monitor" "$B/bin/xenstored"; do
	[ -x "$bin" ] || { echo "FAIL no $bin"; exit 1; }
done
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: /dev/kvm is not usable"; exit 77; }
for f in vmlinuz initrd.cpio.gz; do
	[ -s "$root/images/$f" ] || { echo "SKIP: no images/$f (scripts/setup.sh builds it)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces and taps"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: /dev/net/tun is missing"; exit 77; }
for t in ip bridge busybox xenstore-read xenstore-ls md5sum; do
	command -v $t >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

LX_TMP=$(mktemp -d /tmp/xeno-lxnet.XXXXXX)
tmp=$LX_TMP
ns=xeno-lxnet-$$
name=lxnet-$$
xsd_pid=
inns() { ip netns exec "$ns" "$@"; }
# xl, and so the monitor and its hotplug script, run inside the namespace.
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$ns" "$B/bin/xl" >"$tmp/xl"
chmod +x "$tmp/xl"
XL=$tmp/xl
# shellcheck source=lib/linux_console.bash
. "$root/tests/integration/lib/linux_console.bash"
cleanup() {
	lx_stop
	timeout 10 "$XL" destroy "$name" >/dev/null 2>&1
	ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null	# httpd
	[ -n "$xsd_pid" ] && kill "$xsd_pid" 2>/dev/null && wait "$xsd_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/xenstored.sock
export XENO_STATE_DIR=$tmp/state
mkdir -p "$XENO_LOG_DIR"
# shellcheck source=lib/checks.bash
. "$root/tests/integration/lib/checks.bash"

ip netns add "$ns" || { echo "FAIL cannot create namespace $ns"; exit 1; }
inns ip link set lo up
for i in 0 1; do
	inns ip link add xbr$i type bridge
	inns ip link set xbr$i up
	inns ip addr add 10.98.$i.1/24 dev xbr$i
done
ip netns exec "$ns" "$B/bin/xenstored" --no-fork --no-persist >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
xsd_pid=$!
for _ in $(seq 50); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.1; done
[ -S "$XENSTORED_PATH" ] || { echo "FAIL xenstored did not start"; exit 1; }

cat >"$tmp/g.cfg" <<CFG
name = "$name"
type = "pv"
kernel = "$root/images/vmlinuz"
ramdisk = "$root/images/initrd.cpio.gz"
extra = "console=hvc0"
memory = 256
vcpus = 2
vif = [ 'bridge=xbr0,mac=00:16:3e:98:00:02', 'bridge=xbr1,mac=00:16:3e:98:01:02' ]
CFG

# In the guest: until test ARGS holds, for up to 20 s.
guest_until() { lx_run "for i in \$(seq 200); do [ $* ] && break; sleep 0.1; done; [ $* ]"; }
# new_if=the guest's interface with MAC, waiting up to 20 s for it.
guest_if() {
	lx_run "for i in \$(seq 200); do f=\$(grep -l $1 /sys/class/net/*/address) && break;" \
		"sleep 0.1; done; echo \$f"
	new_if=$(lx_output | sed -n 's|^/sys/class/net/\([^/]*\)/address$|\1|p')
}
ping_guest() { inns busybox ping -c 3 -W 2 ${2:+-s $2} "$1" >"$tmp/ping.out" 2>&1; }

if ! lx_start "$tmp/g.cfg"; then
	fail "the guest did not reach a shell: $(lx_why)"
	finish
fi
pass "the Debian kernel reached a shell (2 vCPUs)"
id=$("$XL" domid "$name")

guest_until -e /sys/class/net/eth0 -a -e /sys/class/net/eth1
check $? "eth0 and eth1 appear"
for i in 0 1; do
	lx_run cat /sys/class/net/eth$i/address
	[ "$(lx_output)" = "00:16:3e:98:0$i:02" ]
	check $? "eth$i has vif $i's MAC ($(lx_output))"
	[ "$(xenstore-read "/local/domain/$id/device/vif/$i/multi-queue-num-queues" 2>/dev/null)" = 2 ]
	check $? "netfront took 2 queues on vif $i"
	lx_run ls /sys/class/net/eth$i/queues "|" grep -c tx-
	[ "$(lx_output)" = 2 ]
	check $? "eth$i has 2 tx queues in the guest ($(lx_output))"
	inns ip -d link show dev "vif$id.$i" 2>/dev/null | grep -q "master xbr$i"
	check $? "vif$id.$i is a port of xbr$i"
	lx_run ip addr add 10.98.$i.2/24 dev eth$i "&&" ip link set eth$i up
	check $? "the guest configures eth$i"
done
for i in 0 1; do
	ping_guest 10.98.$i.2
	check $? "the namespace pings the guest on eth$i"
	lx_run ping -c 3 -W 2 10.98.$i.1
	check $? "the guest pings the namespace on eth$i"
done
ping_guest 10.98.0.2 8000
check $? "the namespace pings the guest with 8000-byte packets (fragments)"
lx_run ping -c 3 -W 2 -s 8000 10.98.0.1
check $? "the guest pings the namespace with 8000-byte packets"

# TCP both ways, checked end to end: GSO and checksum offload in the path.
mkdir -p "$tmp/www"
seq 1 1000000 >"$tmp/www/f"
want=$(md5sum <"$tmp/www/f" | cut -d' ' -f1)
ip netns exec "$ns" busybox httpd -f -p 10.98.0.1:8080 -h "$tmp/www" >/dev/null 2>&1 &
sleep 0.5
lx_run mkdir -p /tmp/www "&&" wget -q -O /tmp/www/f http://10.98.0.1:8080/f "&&" md5sum /tmp/www/f
[ "$(lx_output | cut -d' ' -f1)" = "$want" ]
check $? "a 6.9 MB file over TCP from the namespace arrives intact"
lx_run httpd -p 8080 -h /tmp/www
check $? "the guest serves that file over http"
[ "$(inns busybox wget -q -O - http://10.98.0.2:8080/f 2>/dev/null | md5sum | cut -d' ' -f1)" = "$want" ]
check $? "the same file over TCP from the guest arrives intact"

# Detach vif 1 and attach a new one.
timeout 60 "$XL" network-detach "$name" 1
check $? "xl network-detach vif 1"
guest_until ! -e /sys/class/net/eth1
check $? "the guest sees eth1 go"
inns ip link show dev "vif$id.1" >/dev/null 2>&1
[ $? -ne 0 ]
check $? "vif$id.1 is gone from the namespace"
"$XL" network-attach "$name" bridge=xbr1 mac=00:16:3e:98:01:03 >"$tmp/attach" 2>&1
check $? "xl network-attach ($(cat "$tmp/attach"))"
guest_if 00:16:3e:98:01:03
new=$new_if
[ -n "$new" ]
check $? "the guest sees a new interface (${new:-none})"
lx_run ip addr add 10.98.1.3/24 dev "${new:-none}" "&&" ip link set "${new:-none}" up
check $? "the guest configures ${new:-it}"
ping_guest 10.98.1.3
check $? "the namespace pings the guest on the attached vif"

timeout 30 "$XL" destroy "$name"
check $? "xl destroy"
lx_stop
sleep 0.5
[ "$(inns ip -br link | grep -c '^vif')" = 0 ]
check $? "no tap left after destroy"
[ -z "$(inns bridge link show 2>/dev/null)" ]
check $? "no bridge port left"
xenstore-ls "/local/domain/0/backend/vif/$id" >/dev/null 2>&1 || xenstore-ls "/local/domain/$id" >/dev/null 2>&1
[ $? -ne 0 ]
check $? "no xenstore node of domain $id left"
pgrep -f "xeno-monitor .*--name $name( |$)" >/dev/null
[ $? -ne 0 ]
check $? "no monitor left"
finish
