#!/bin/bash
# The block backend end to end with the project's PV test kernels:
#  - blkfront: the protocol (read/write, flush, barrier, indirect, discard,
#    read-only disk, multi-queue, multi-page rings, persistent grants); its
#    signature must then be in the image on the host;
#  - blk_hostile: bad requests get errors, the monitor stays up, the other
#    disk keeps working;
#  - durability: once the guest is told its barrier write is done, kill -9
#    of the monitor loses nothing;
#  - xl block-attach/list/detach on a running domain, the frontend's side of
#    the Closing/Closed handshake played through xenstore.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
XL=$B/bin/xl
# shellcheck source=lib/host.bash
. "$root/tests/integration/lib/host.bash"
need_host
for g in blkfront blk_hostile console; do
	[ -f "$root/build/guests/$g" ] || { echo "SKIP: build/guests/$g not built (make guests)"; exit 77; }
done
for t in xenstore-read xenstore-write xenstore-exists; do
	command -v $t >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

tmp=$(mktemp -d /tmp/xeno-blk.XXXXXX)
cleanup() {
	for n in blkfront blk_hostile durable hot; do
		timeout 10 "$XL" destroy "$n" >/dev/null 2>&1
	done
	[ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null
	[ -f "$tmp/xsd.pid" ] && kill "$(cat "$tmp/xsd.pid")" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/xenstored.sock
export XENO_STATE_DIR=$tmp/state
mkdir -p "$XENO_LOG_DIR"
"$B/bin/xenstored" --no-fork --no-persist >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
echo $! >"$tmp/xsd.pid"
for _ in $(seq 50); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.1; done
[ -S "$XENSTORED_PATH" ] || { echo "FAIL xenstored did not start"; exit 1; }
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

cfg() {	# name kernel disk...
	local name=$1 kernel=$2 disks="" d
	shift 2
	for d in "$@"; do disks="$disks${disks:+, }'$d'"; done
	printf 'name="%s"\nkernel="%s"\nmemory=32\ndisk=[%s]\n' "$name" \
		"$root/build/guests/$kernel" "$disks" >"$tmp/$name.cfg"
}

run_guest() {	# name: boots it, passes if its console says SUCCESS
	local out=$tmp/$1.out
	timeout -k 5 120 "$XL" create -F -c "$tmp/$1.cfg" </dev/null >"$out" 2>&1
	if grep -q "^Test result: SUCCESS" "$out"; then
		pass "$1 guest: $(grep -c '^PASS' "$out") checks"
	else
		fail "$1 guest:"; grep -E "^FAIL|Test result" "$out" | head -20
		tail -5 "$XENO_LOG_DIR/monitor-$1.log"
	fi
}

truncate -s 16M "$tmp/a.img" "$tmp/b.img"
cfg blkfront blkfront "$tmp/a.img,raw,xvda,rw" "file:$tmp/b.img,xvdb,r"
run_guest blkfront
sig=$(dd if="$tmp/a.img" bs=512 skip=8192 count=1 2>/dev/null | head -c 23)
[ "$sig" = xeno-blkfront-signature ] && pass "the guest's barrier write is in the image" ||
	fail "image at sector 8192: '$sig'"

cfg blk_hostile blk_hostile "vdev=xvda,target=$tmp/a.img" "vdev=xvdb,access=rw,target=$tmp/b.img"
run_guest blk_hostile
grep -q "queue halted" "$XENO_LOG_DIR/monitor-blk_hostile.log" &&
	pass "the monitor logged the halted queue" || fail "no 'queue halted' in the monitor log"

# Durability: kill -9 right after the guest learnt that its barrier write is done.
truncate -s 0 "$tmp/a.img"; truncate -s 16M "$tmp/a.img"
cfg durable blkfront "$tmp/a.img,raw,xvda,rw" "$tmp/b.img,raw,xvdb,ro"
"$XL" create -p "$tmp/durable.cfg" >/dev/null 2>&1 || fail "durable guest did not start"
xenstore-write /local/domain/"$("$XL" domid durable)"/data/blk-hold 1
cat >"$tmp/pid.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"info\n")
s.settimeout(5)
for line in s.makefile():
    if line.startswith("pid "):
        print(line.split()[1])
PY
pid=$(python3 "$tmp/pid.py" "$XENO_RUN_DIR/dom$("$XL" domid durable).ctl" 2>/dev/null)
"$XL" unpause durable
for _ in $(seq 300); do
	grep -q "holding after the barrier write" "$XENO_LOG_DIR/console-durable.log" 2>/dev/null && break
	sleep 0.05
done
if [ -n "$pid" ] && grep -q "holding after the barrier write" "$XENO_LOG_DIR/console-durable.log"; then
	kill -9 "$pid"
	sig=$(dd if="$tmp/a.img" bs=512 skip=8192 count=1 2>/dev/null | head -c 23)
	[ "$sig" = xeno-blkfront-signature ] && pass "after kill -9 of the monitor the image holds the data" ||
		fail "after kill -9: '$sig'"
else
	fail "durable guest never reached its barrier write (pid '$pid')"
fi

# Hot attach and detach on a paused domain; the script plays the frontend.
truncate -s 4M "$tmp/c.img"
cfg hot console "$tmp/b.img,raw,xvda,ro"
"$XL" create -p "$tmp/hot.cfg" >/dev/null 2>&1 || fail "hot guest did not start"
id=$("$XL" domid hot)
"$XL" block-attach hot "$tmp/c.img,raw,xvdb,rw" && pass "block-attach" || fail "block-attach"
list=$("$XL" block-list hot)
echo "$list" | grep -q "^Vdev  BE  handle state evt-ch ring-ref BE-path" && pass "block-list header" ||
	fail "block-list header: $list"
echo "$list" | grep -Eq "^51728 +0 +$id +2 +-1 +-1 +/local/domain/0/backend/vbd/$id/51728" &&
	pass "block-list shows xvdb waiting for its frontend" || fail "block-list: $list"
fe=/local/domain/$id/device/vbd/51728
[ "$(xenstore-read $fe/backend 2>/dev/null)" = /local/domain/0/backend/vbd/$id/51728 ] &&
	pass "the frontend directory appeared" || fail "no $fe/backend"
"$XL" block-attach hot "$tmp/c.img,raw,xvdc,rw" 2>"$tmp/err" && fail "same image attached twice" ||
	{ grep -q "in use" "$tmp/err" && pass "a writable image in use is refused" || fail "$(cat "$tmp/err")"; }
(sleep 1; xenstore-write $fe/state 5; sleep 0.3; xenstore-write $fe/state 6) &
closer=$!
start=$(date +%s)
"$XL" block-detach hot xvdb && pass "block-detach" || fail "block-detach"
wait $closer
[ $(( $(date +%s) - start )) -lt 8 ] && pass "detach completed by the frontend's Closed, not the timeout" ||
	fail "detach took the timeout"
xenstore-exists $fe 2>/dev/null && fail "$fe still exists" || pass "the frontend directory is gone"
"$XL" block-list hot | grep -q "^51728" && fail "xvdb still listed" || pass "xvdb is gone from block-list"
"$XL" block-detach hot xvdq 2>&1 | grep -q "Error: Device xvdq not connected." &&
	pass "detaching an unknown vdev: Xen's message" || fail "unknown vdev"
"$XL" block-attach hot "$tmp/c.img,qcow2,xvdb" 2>&1 | grep -q "format 'qcow2' is not supported" &&
	pass "an unsupported format is refused, saying which" || fail "qcow2 attach"
"$XL" destroy hot

echo "$fails failed"
[ $fails -eq 0 ]
