#!/bin/bash
# The network backend end to end, all inside a network namespace this test
# creates (never touching another address): two netfront test guests on
# one bridge answer ping from the namespace; the tap goes down and up and
# traffic resumes; a hostile frontend on the same bridge is refused
# packet by packet while the other guest keeps answering; xl
# network-list/-detach/-attach; and destroy leaves no tap, bridge port or
# xenstore node behind.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
XL=$B/bin/xl
XSD=$B/bin/xenstored
G=$root/build/guests
for bin in "$XL" "$XSD" "$B/bin/xeno-monitor"; do [ -x "$bin" ] || { echo "FAIL no $bin"; exit 1; }; done
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: /dev/kvm is not usable"; exit 77; }
[ -f "$G/netfront" ] && [ -f "$G/net_hostile" ] || { echo "SKIP: test guests not built (make guests)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces and taps"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: /dev/net/tun is missing"; exit 77; }
for t in ip xenstore-read xenstore-ls busybox; do
	command -v $t >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

ns=xeno-net-$$
tmp=$(mktemp -d /tmp/xeno-net.XXXXXX)
xsd_pid=
inns() { ip netns exec "$ns" "$@"; }
cleanup() {
	for d in nf1 nf2 bad; do inns "$XL" destroy "$d" >/dev/null 2>&1; done
	[ -n "$xsd_pid" ] && kill "$xsd_pid" 2>/dev/null && wait "$xsd_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/xenstored.sock
export XENO_STATE_DIR=$tmp/state
mkdir -p "$XENO_LOG_DIR"
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ping_ok() { inns busybox ping -c "${2:-3}" -W 2 "$1" >"$tmp/ping.out" 2>&1; }

ip netns add "$ns" || { echo "FAIL cannot create namespace $ns"; exit 1; }
inns ip link set lo up
inns ip link add xbr0 type bridge
inns ip link set xbr0 up
inns ip addr add 10.99.0.1/24 dev xbr0

ip netns exec "$ns" "$XSD" --no-fork --no-persist >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
xsd_pid=$!
for _ in $(seq 50); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.1; done
[ -S "$XENSTORED_PATH" ] || { echo "FAIL xenstored did not start"; exit 1; }

guest() { # name kernel ip mac [extra cfg line]
	cat >"$tmp/$1.cfg" <<EOF
name = "$1"
kernel = "$G/$2"
memory = 32
extra = "ip=$3 serve=300"
vif = [ 'bridge=xbr0,mac=$4' ]
${5:-}
EOF
	inns "$XL" create -q "$tmp/$1.cfg" >"$tmp/$1.create" 2>&1
}

if guest nf1 netfront 10.99.0.2 00:16:3e:00:00:02; then pass "guest 1 created with a vif"
else fail "create guest 1: $(cat "$tmp/nf1.create")"; exit 1; fi
id1=$(inns "$XL" domid nf1)
dev1=vif$id1.0
if inns ip -d link show dev "$dev1" 2>/dev/null | grep -q "master xbr0"; then
	pass "$dev1 exists and is a port of xbr0"
else
	fail "$dev1 is not on the bridge: $(inns ip -d link show dev "$dev1" 2>&1 | head -2)"
fi
[ "$(xenstore-read "/local/domain/0/backend/vif/$id1/0/hotplug-status" 2>/dev/null)" = connected ] &&
	pass "hotplug script wrote hotplug-status" || fail "no hotplug-status connected"

connected() { # domid
	for _ in $(seq 100); do
		[ "$(xenstore-read "/local/domain/0/backend/vif/$1/0/state" 2>/dev/null)" = 4 ] && return 0
		sleep 0.1
	done
	return 1
}
connected "$id1" && pass "backend of guest 1 Connected" || fail "backend of guest 1 never Connected"
ping_ok 10.99.0.2 && pass "namespace pings guest 1" || fail "ping guest 1: $(tail -3 "$tmp/ping.out")"

if guest nf2 netfront 10.99.0.3 00:16:3e:00:00:03; then pass "guest 2 created"
else fail "create guest 2: $(cat "$tmp/nf2.create")"; fi
id2=$(inns "$XL" domid nf2)
connected "$id2" && pass "backend of guest 2 Connected" || fail "backend of guest 2 never Connected"
ping_ok 10.99.0.3 && pass "namespace pings guest 2 on the same bridge" ||
	fail "ping guest 2: $(tail -3 "$tmp/ping.out")"

inns ip link set dev "$dev1" down
ping_ok 10.99.0.2 1 && fail "guest 1 answered with its tap down" || pass "no answer while $dev1 is down"
inns ip link set dev "$dev1" up
ping_ok 10.99.0.2 && pass "guest 1 answers again after $dev1 came back up" ||
	fail "ping after tap up: $(tail -3 "$tmp/ping.out")"

# network-list, in Xen's layout
inns "$XL" network-list nf1 >"$tmp/list" 2>&1
if head -1 "$tmp/list" | grep -q "^Idx BE Mac Addr. *handle state evt-ch *tx-/rx-ring-ref BE-path" &&
	grep -Eq "^0 +0 +00:16:3e:00:00:02 +0 +4 " "$tmp/list"; then
	pass "network-list shows vif 0 Connected"
else
	fail "network-list: $(cat "$tmp/list")"
fi

# the hostile frontend, while guest 2 is pinged
# preserved after its poweroff, so that its monitor's survival can be seen
if guest bad net_hostile 10.99.0.9 00:16:3e:00:00:09 'on_poweroff = "preserve"'; then pass "hostile guest created"
else fail "create hostile guest: $(cat "$tmp/bad.create")"; fi
inns busybox ping -c 20 -i 0.2 -W 2 10.99.0.3 >"$tmp/ping2.out" 2>&1 &
ping_pid=$!
for _ in $(seq 600); do	# a loaded 2-core host can take a while
	grep -q "Test result" "$XENO_LOG_DIR/console-bad.log" 2>/dev/null && break
	sleep 0.1
done
wait $ping_pid
grep -q "Test result: SUCCESS" "$XENO_LOG_DIR/console-bad.log" 2>/dev/null &&
	pass "hostile guest saw every bad packet refused" ||
	fail "hostile guest: $(grep -E 'FAIL|Test result' "$XENO_LOG_DIR/console-bad.log" 2>/dev/null | head -5)"
received=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$tmp/ping2.out")
[ "${received:-0}" -ge 18 ] && pass "guest 2 answered $received of 20 pings during the attack" ||
	fail "guest 2 answered ${received:-0} of 20 pings during the attack"
grep -q "broke the protocol" "$XENO_LOG_DIR/monitor-bad.log" && pass "monitor disabled the hostile queue" ||
	fail "no protocol-break log line for the hostile guest"
inns "$XL" list bad >/dev/null 2>&1 && pass "hostile guest's monitor still up after the attack" ||
	fail "hostile guest's monitor died"
ping_ok 10.99.0.2 && pass "guest 1 still answers" || fail "guest 1 after the attack"

# detach and attach on a running guest
inns "$XL" network-detach nf2 0 >"$tmp/detach" 2>&1 || fail "network-detach: $(cat "$tmp/detach")"
for _ in $(seq 150); do inns ip link show dev "vif$id2.0" >/dev/null 2>&1 || break; sleep 0.1; done
inns ip link show dev "vif$id2.0" >/dev/null 2>&1 && fail "vif$id2.0 still there after detach" ||
	pass "network-detach removed vif$id2.0"
for _ in $(seq 50); do
	xenstore-read "/local/domain/0/backend/vif/$id2/0/state" >/dev/null 2>&1 || break
	sleep 0.1
done
xenstore-read "/local/domain/0/backend/vif/$id2/0/state" >/dev/null 2>&1 &&
	fail "backend node of the detached vif remains" || pass "backend node of the detached vif removed"
if inns "$XL" network-attach nf2 bridge=xbr0 mac=00:16:3e:00:00:13 devid=1 >"$tmp/attach" 2>&1; then
	inns ip -d link show dev "vif$id2.1" 2>/dev/null | grep -q "master xbr0" &&
		pass "network-attach added vif$id2.1 to the bridge" || fail "vif$id2.1 not on the bridge"
else
	fail "network-attach: $(cat "$tmp/attach")"
fi

# teardown leaves nothing behind
for d in nf1 nf2 bad; do inns "$XL" destroy "$d" >/dev/null 2>&1; done
sleep 0.5
left=$(inns ip -br link | grep -c '^vif')
[ "$left" = 0 ] && pass "no tap left after destroy" || fail "$left taps left: $(inns ip -br link)"
[ -z "$(inns bridge link show 2>/dev/null)" ] && pass "no bridge port left" || fail "bridge ports left"
for id in $id1 $id2; do
	if xenstore-ls "/local/domain/0/backend/vif/$id" >/dev/null 2>&1 ||
		xenstore-ls "/local/domain/$id" >/dev/null 2>&1; then
		fail "xenstore nodes of domain $id left"
	else
		pass "no xenstore nodes of domain $id left"
	fi
done

[ $fails -eq 0 ] && { echo "net: all passed"; exit 0; }
echo "net: $fails failed (logs: $XENO_LOG_DIR)"
trap - EXIT
cp -r "$XENO_LOG_DIR" "/tmp/xeno-net-failed-logs.$$" 2>/dev/null
cleanup
exit 1
