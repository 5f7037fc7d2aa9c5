#!/bin/bash
# The monitor in xenstore: the nodes and permissions libxl writes for a PV
# domU, `shutdown reboot` through control/shutdown, and every node removed
# on destroy. Uses a private xenstored and Debian's xenstore-* clients.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
MON=$B/bin/xeno-monitor
XSD=$B/bin/xenstored
GUEST=$root/build/guests/console
for bin in "$MON" "$XSD"; do [ -x "$bin" ] || { echo "FAIL no $bin"; exit 1; }; done
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: /dev/kvm is not usable"; exit 77; }
[ -f "$GUEST" ] || { echo "SKIP: $GUEST not built (make guests)"; exit 77; }
for t in xenstore-read xenstore-ls xenstore-exists python3; do
	command -v $t >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

tmp=$(mktemp -d /tmp/xeno-monxs.XXXXXX)
xsd_pid= mon_pid=
cleanup() {
	[ -n "$mon_pid" ] && kill -9 "$mon_pid" 2>/dev/null
	[ -n "$xsd_pid" ] && kill "$xsd_pid" 2>/dev/null && wait "$xsd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/xenstored.sock
export XENO_STATE_DIR=$tmp/state
mkdir -p "$XENO_LOG_DIR"
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

ctl() {
	python3 - "$XENO_RUN_DIR/dom$1.ctl" "$2" 2>/dev/null <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
s.settimeout(10)
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode(errors="replace"))
EOF
}

"$XSD" --no-fork --no-persist >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
xsd_pid=$!
for _ in $(seq 50); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.1; done
[ -S "$XENSTORED_PATH" ] || { echo "FAIL xenstored did not start"; exit 1; }

"$MON" --domid 8 --name xst --kernel "$GUEST" --memory 32 --vcpus 2 --paused \
	--ready-fd 3 3>"$tmp/ready" >"$tmp/mon.out" 2>&1 &
mon_pid=$!
for _ in $(seq 100); do [ -s "$tmp/ready" ] && break; sleep 0.1; done
[ "$(cat "$tmp/ready")" = ok ] || { echo "FAIL ready: $(cat "$tmp/ready")"; cat "$tmp/mon.out"; exit 1; }

dp=/local/domain/8
check_node() {	# path expected-value
	local v
	v=$(xenstore-read "$1" 2>/dev/null) || { fail "$1 missing"; return; }
	[ "$v" = "$2" ] && pass "$1 = \"$2\"" || fail "$1 = \"$v\", expected \"$2\""
}
check_node $dp/name xst
check_node $dp/domid 8
check_node $dp/memory/target 32768
check_node $dp/memory/static-max 32768
check_node $dp/cpu/0/availability online
check_node $dp/cpu/1/availability online
check_node $dp/console/type xenconsoled
check_node $dp/console/backend /local/domain/0/backend/console/8/0
check_node /local/domain/0/backend/console/8/0/frontend $dp/console
for n in store/port store/ring-ref console/port console/ring-ref; do
	v=$(xenstore-read $dp/$n 2>/dev/null)
	[[ $v =~ ^[0-9]+$ ]] && pass "$dp/$n is a number ($v)" || fail "$dp/$n = '$v'"
done
vm=$(xenstore-read $dp/vm 2>/dev/null)
[[ $vm =~ ^/vm/[0-9a-f-]{36}$ ]] && pass "vm path $vm" || fail "vm path '$vm'"
check_node "$vm/name" xst
check_node "$vm/uuid" "${vm#/vm/}"

# libxl's permissions: the domain's directory is dom0's, readable by the
# domain; control/shutdown and data belong to the domain.
perms() { xenstore-ls -p "$(dirname "$1")" | grep -E "^$(basename "$1") = " | grep -o '([^)]*)$'; }
[ "$(perms $dp)" = "(n0,r8)" ] && pass "perms of $dp" || fail "perms of $dp: $(perms $dp)"
[ "$(perms $dp/control/shutdown)" = "(n8)" ] && pass "perms of control/shutdown" ||
	fail "perms of control/shutdown: $(perms $dp/control/shutdown)"
[ "$(perms $dp/data)" = "(n8)" ] && pass "perms of data" || fail "perms of data: $(perms $dp/data)"
[ "$(perms $dp/console)" = "(n0,r8)" ] && pass "perms of console" ||
	fail "perms of console: $(perms $dp/console)"

ans=$(ctl 8 "shutdown reboot")
[ "$ans" = ok ] && pass "shutdown reboot answered ok" || fail "shutdown reboot: $ans"
check_node $dp/control/shutdown reboot

ans=$(ctl 8 destroy)
[ "$ans" = ok ] && pass "destroy" || fail "destroy: $ans"
for _ in $(seq 100); do kill -0 "$mon_pid" 2>/dev/null || break; sleep 0.1; done
wait "$mon_pid"
rc=$?
mon_pid=
[ $rc -eq 0 ] && pass "monitor exits 0" || fail "monitor exit status $rc"
for p in $dp "$vm" /local/domain/0/backend/console/8; do
	xenstore-exists "$p" 2>/dev/null && fail "$p left in the store" || pass "$p removed"
done

[ $fails -eq 0 ]
