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
#  - a vif on VLAN 10 of a vlan_filtering bridge (bridge=xbrv.10) answers
#    over VLAN 10 and not untagged (SKIP where the kernel has no bridge VLAN
#    filtering or 802.1Q); a vif on a bridge named xbrd.5 answers ping;
#  - a vif with rate=2Mb/s sends 2 MB no faster than its credit allows;
#  - after destroy no tap, bridge port or xenstore node is left.
# Exit 0 all passed, 77 cannot run here, else 1.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
# shellcheck source=lib/host.bash
. "$root/tests/integration/lib/host.bash"
need_host vmlinuz initrd.cpio.gz
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces and taps"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: /dev/net/tun is missing"; exit 77; }
need_tools ip bridge busybox xenstore-read xenstore-ls md5sum

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
store_env "$tmp"
# shellcheck source=lib/checks.bash
. "$root/tests/integration/lib/checks.bash"

ip netns add "$ns" || { echo "FAIL cannot create namespace $ns"; exit 1; }
inns ip link set lo up
for br in xbr0 xbr1 xbr4 xbrd.5; do	# xbrd.5: a bridge whose name has a dot
	inns ip link add $br type bridge
	inns ip link set $br up
	inns ip addr add 10.98.$(echo $br | tr -dc 0-9).1/24 dev $br
done
# A VLAN-aware bridge, if this kernel has bridge VLAN filtering and 802.1Q:
# the namespace is on VLAN 10 through xbrv-v10 (10.98.2.1) and untagged,
# VLAN 1, on xbrv itself (10.98.3.1).
if vlan_why=$(inns ip link add xbrv type bridge vlan_filtering 1 2>&1 &&
	inns ip link add link xbrv name xbrv-v10 type vlan id 10 2>&1); then
	inns ip link set xbrv up
	inns bridge vlan add dev xbrv vid 10 self
	inns ip link set xbrv-v10 up
	inns ip addr add 10.98.2.1/24 dev xbrv-v10
	inns ip addr add 10.98.3.1/24 dev xbrv
	vlan_ok=1
else
	vlan_ok=
fi
store_start ip netns exec "$ns"

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

# VLAN: bridge=xbrv.10 puts the port on VLAN 10 of xbrv, untagged
# (scripts/vif-bridge). The guest takes an address of each side; only the
# VLAN 10 one may answer.
if [ -n "$vlan_ok" ]; then
	"$XL" network-attach "$name" bridge=xbrv.10 mac=00:16:3e:98:02:02 >"$tmp/attach" 2>&1
	check $? "xl network-attach bridge=xbrv.10 ($(cat "$tmp/attach"))"
	port=$(inns bridge link show 2>/dev/null | sed -n 's/^[0-9]*: \([^:@ ]*\).* master xbrv .*/\1/p')
	inns bridge vlan show dev "${port:-none}" 2>/dev/null | tr -s ' \t' ' ' >"$tmp/vlan"
	vids=$(grep -oE '(^| )[0-9]+( |$)' "$tmp/vlan" | tr -d ' ' | tr '\n' ' ')
	grep -q ' 10 PVID Egress Untagged' "$tmp/vlan" && [ "$vids" = "10 " ]
	check $? "${port:-no port} is on xbrv in VLAN 10 only, untagged: $(tr '\n' ' ' <"$tmp/vlan")"
	guest_if 00:16:3e:98:02:02
	vl=${new_if:-none}
	lx_run ip addr add 10.98.2.2/24 dev "$vl" "&&" ip addr add 10.98.3.2/24 dev "$vl" "&&" \
		ip link set "$vl" up
	check $? "the guest configures $vl"
	ping_guest 10.98.2.2
	check $? "the namespace pings the guest across VLAN 10"
	lx_run ping -c 3 -W 2 10.98.2.1
	check $? "the guest pings the namespace's VLAN 10 address"
	inns busybox ping -c 2 -W 1 10.98.3.2 >/dev/null 2>&1
	[ $? -ne 0 ]
	check $? "untagged traffic (VLAN 1) does not reach the VLAN 10 port"
else
	echo "SKIP VLAN 10 of a vlan_filtering bridge (bridge=xbrv.10): this kernel cannot make one: $(echo $vlan_why)"
fi

# A bridge whose name has a dot is joined as it is (vif-bridge's other
# br.VID case).
"$XL" network-attach "$name" bridge=xbrd.5 mac=00:16:3e:98:05:02 >"$tmp/attach" 2>&1
check $? "xl network-attach bridge=xbrd.5 ($(cat "$tmp/attach"))"
inns bridge link show 2>/dev/null | grep -q " master xbrd.5 "
check $? "the vif is a port of bridge xbrd.5"
guest_if 00:16:3e:98:05:02
lx_run ip addr add 10.98.5.2/24 dev "${new_if:-none}" "&&" ip link set "${new_if:-none}" up
check $? "the guest configures ${new_if:-it}"
ping_guest 10.98.5.2
check $? "the namespace pings the guest through bridge xbrd.5"

# rate=: Xen's credit scheme on the guest's transmit side, per queue.
# 2 Mb/s is 12500 bytes per 50 ms; with 2 queues at most 25000 bytes per
# interval leave the guest (plus one burst of at most 128 KiB per queue), so
# 2,000,000 bytes take at least 3.5 s. This is a lower bound that a slow or
# busy machine cannot break; without the limit the transfer takes a few ms.
"$XL" network-attach "$name" bridge=xbr4 mac=00:16:3e:98:04:02 rate=2Mb/s >"$tmp/attach" 2>&1
check $? "xl network-attach rate=2Mb/s ($(cat "$tmp/attach"))"
for d in $(xenstore-list "/local/domain/0/backend/vif/$id" 2>/dev/null); do
	[ "$(xenstore-read "/local/domain/0/backend/vif/$id/$d/mac" 2>/dev/null)" = 00:16:3e:98:04:02 ] &&
		rate=$(xenstore-read "/local/domain/0/backend/vif/$id/$d/rate" 2>/dev/null)
done
[ "${rate:-}" = 12500,50000 ]
check $? "the backend's rate node is 12500,50000 (${rate:-none})"
guest_if 00:16:3e:98:04:02
rl=${new_if:-none}
lx_run ip addr add 10.98.4.2/24 dev "$rl" "&&" ip link set "$rl" up
check $? "the guest configures $rl"
lx_run head -c 2000000 /dev/urandom ">/tmp/www/r" "&&" md5sum /tmp/www/r
want=$(lx_output | cut -d' ' -f1)
t0=$(date +%s%N)
got=$(inns busybox wget -q -O - http://10.98.4.2:8080/r 2>/dev/null | md5sum | cut -d' ' -f1)
ms=$((($(date +%s%N) - t0) / 1000000))
[ -n "$want" ] && [ "$got" = "$want" ]
check $? "2 MB from the guest over the rate-limited vif arrive intact"
[ $ms -ge 3500 ]
check $? "rate=2Mb/s holds them back: $ms ms (at least 3500 ms)"

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
