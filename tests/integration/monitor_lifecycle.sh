#!/bin/bash
# The monitor's process shell with a real guest (tests/guests/console, which
# prints to the console ring and through console_io, then powers off):
# ready line, console and hypervisor logs, the control socket's requests,
# the on_poweroff actions, --paused, the console buffered for a late client,
# SIGTERM, and that no control socket is left behind. A kernel made here
# that executes ud2 without a trap table crashes: the on_crash actions and
# the crash exit status.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
MON=$B/bin/xeno-monitor
GUEST=$root/build/guests/console
[ -x "$MON" ] || { echo "FAIL no $MON"; exit 1; }
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: /dev/kvm is not usable"; exit 77; }
[ -f "$GUEST" ] || { echo "SKIP: $GUEST not built (make guests)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed for the socket client"; exit 77; }

tmp=$(mktemp -d /tmp/xeno-monlife.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/no-xenstored
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# ctl DOMID REQUEST: the answer lines. console: the stream until SECS pass
# or "Test result:" has been seen.
ctl() {
	python3 - "$XENO_RUN_DIR/dom$1.ctl" "$2" 2>/dev/null <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
s.settimeout(20)
data = b""
end = time.time() + 20
while time.time() < end:
    try:
        chunk = s.recv(4096)
    except socket.timeout:
        break
    if not chunk:
        break
    data += chunk
    if sys.argv[2] == "console" and b"Test result:" in data and data.endswith(b"\n"):
        break
sys.stdout.write(data.decode(errors="replace"))
EOF
}

state_of() { ctl "$1" info | sed -n 's/^state //p'; }

# A minimal Xen PV kernel (ELF notes GUEST_OS, XEN_VERSION, VIRT_BASE,
# PADDR_OFFSET, ENTRY) whose first instruction is ud2: with no trap table
# registered, Xen crashes the domain.
python3 - "$tmp/crasher" <<'EOF'
import struct, sys
base = 0xffffffff80000000
code = b"\x0f\x0b" + b"\x90" * 14
def note(t, desc):
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", 4, len(desc), t) + pad(b"Xen\0") + pad(desc)
notes = (note(6, b"linux\0") + note(5, b"xen-3.0\0") + note(3, struct.pack("<Q", base)) +
         note(4, struct.pack("<Q", base)) + note(1, struct.pack("<Q", base)))
eh = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9, 2, 62, 1, base,
                 64, 0, 0, 64, 56, 2, 64, 0, 0)
load = struct.pack("<IIQQQQQQ", 1, 5, 0x1000, base, base, len(code), 0x1000, 0x1000)
pnote = struct.pack("<IIQQQQQQ", 4, 4, 176, 0, 0, len(notes), len(notes), 4)
img = eh + load + pnote + notes
open(sys.argv[1], "wb").write(img + b"\0" * (0x1000 - len(img)) + code)
EOF

# start DOMID NAME ARGS...: run a monitor in the background; sets $pid.
# KERNEL overrides the guest.
start() {
	local domid=$1 name=$2
	shift 2
	"$MON" --domid "$domid" --name "$name" --kernel "${KERNEL:-$GUEST}" --memory 32 \
		--vcpus 1 --ready-fd 3 "$@" 3>"$tmp/ready-$name" >"$tmp/mon-$name.out" 2>&1 &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do
		[ -s "$tmp/ready-$name" ] && break
		sleep 0.1
	done
}

# wait_exit PID SECS: the exit status, or 124 if it is still running.
wait_exit() {
	for _ in $(seq $(($2 * 10))); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			return $?
		fi
		sleep 0.1
	done
	return 124
}

# wait_state DOMID PATTERN SECS
wait_state() {
	for _ in $(seq $(($3 * 10))); do
		[[ $(state_of "$1") == $2 ]] && return 0
		sleep 0.1
	done
	return 1
}

# 1. Poweroff with the default action (destroy): exit 0, logs, no socket.
start 5 poweroff
[ "$(cat "$tmp/ready-poweroff")" = ok ] && pass "ready line ok" ||
	fail "ready line: '$(cat "$tmp/ready-poweroff")'"
wait_exit "$pid" 60
rc=$?
[ $rc -eq 0 ] && pass "poweroff + destroy exits 0" || fail "poweroff exit status $rc"
grep -q "Test result:" "$XENO_LOG_DIR/console-poweroff.log" &&
	pass "ring output in console-poweroff.log" || fail "no ring output in the console log"
grep -q "^(d5) console_io: hello from the hypervisor console$" "$XENO_LOG_DIR/hypervisor.log" &&
	pass "console_io output in hypervisor.log" || fail "no console_io line in hypervisor.log"
grep -q "hello from the hypervisor console" "$XENO_LOG_DIR/console-poweroff.log" &&
	fail "console_io output leaked into the console stream" ||
	pass "console_io stays out of the console stream"
grep -q "^(XEN) (d5) domain 5 shut down: poweroff$" "$XENO_LOG_DIR/hypervisor.log" &&
	pass "shutdown logged for xl dmesg" || fail "shutdown not in hypervisor.log"
grep -q "^\[monitor d5\] " "$tmp/mon-poweroff.out" && pass "monitor log lines" ||
	fail "no [monitor d5] lines on stderr"
[ ! -e "$XENO_RUN_DIR/dom5.ctl" ] && pass "socket removed after poweroff" ||
	fail "dom5.ctl left behind"

# 2. on_poweroff=preserve: stays shut down until destroy.
start 6 preserve --on-poweroff preserve
if wait_state 6 "---s--" 60; then
	pass "preserved domain shows ---s--"
else
	fail "preserved state: '$(state_of 6)'"
fi
info=$(ctl 6 info)
grep -qx "domid 6" <<<"$info" && grep -qx "name preserve" <<<"$info" &&
	grep -qx "memory_kib 32768" <<<"$info" && grep -qx "vcpus 1" <<<"$info" &&
	grep -qx "pid $pid" <<<"$info" && grep -qx end <<<"$info" &&
	pass "info answer" || fail "info answer: $info"
ans=$(ctl 6 "shutdown poweroff")
[[ $ans == "error "*"already shut down"* ]] && pass "shutdown of a shut-down domain refused" ||
	fail "shutdown answer: $ans"
ans=$(ctl 6 "reboot now")
[[ $ans == "error "* ]] && pass "unknown request refused" || fail "unknown request: $ans"
ans=$(ctl 6 destroy)
[ "$ans" = ok ] && pass "destroy answers ok" || fail "destroy answer: $ans"
wait_exit "$pid" 20
rc=$?
[ $rc -eq 0 ] && pass "destroyed monitor exits 0" || fail "destroy exit status $rc"
[ ! -e "$XENO_RUN_DIR/dom6.ctl" ] && pass "socket removed after destroy" ||
	fail "dom6.ctl left behind"

# 3. --paused: nested pause, unpause, the console kept for a late client,
#    the PV control interface missing without xenstore, then SIGTERM.
start 7 paused --paused --on-poweroff preserve
st=$(state_of 7)
[ "$st" = "--p---" ] && pass "created paused: --p---" || fail "paused state '$st'"
ans=$(ctl 7 "shutdown poweroff")
[ "$ans" = "error PV control interface not available" ] &&
	pass "shutdown without xenstore refused" || fail "shutdown answer: $ans"
[ "$(ctl 7 pause)" = ok ] && [ "$(ctl 7 unpause)" = ok ] && [ "$(state_of 7)" = "--p---" ] &&
	pass "pause nests" || fail "nested pause"
[ "$(ctl 7 unpause)" = ok ] && pass "unpause" || fail "unpause"
ans=$(ctl 7 unpause)
[[ $ans == "error "*"not paused"* ]] && pass "unpause of a running domain refused" ||
	fail "second unpause: $ans"
wait_state 7 "---s--" 60 || fail "paused domain did not run to its poweroff"
out=$(ctl 7 console)
[[ $out == ok$'\n'* ]] && grep -q "Test result:" <<<"$out" &&
	pass "late console client gets the buffered output" || fail "console stream: ${out:0:200}"
kill -TERM "$pid"
wait_exit "$pid" 20
rc=$?
[ $rc -eq 0 ] && pass "SIGTERM exits 0" || fail "SIGTERM exit status $rc"
[ ! -e "$XENO_RUN_DIR/dom7.ctl" ] && pass "socket removed after SIGTERM" ||
	fail "dom7.ctl left behind"
grep -q "destroyed: Terminated" "$tmp/mon-paused.out" && pass "SIGTERM logged" ||
	fail "SIGTERM not logged"

# 4. A crash with on_crash=destroy: the crash exit status, logged for dmesg.
KERNEL=$tmp/crasher start 12 crash
wait_exit "$pid" 30
rc=$?
[ $rc -eq 2 ] && pass "crash + destroy exits 2" || fail "crash exit status $rc"
grep -q "^(XEN) (d12) domain 12 crashed: " "$XENO_LOG_DIR/hypervisor.log" &&
	pass "crash logged for xl dmesg" || fail "crash not in hypervisor.log"

# 5. on_crash=preserve: shut down with reason crash until destroyed.
KERNEL=$tmp/crasher start 13 crashkeep --on-crash preserve
if wait_state 13 "---sc-" 30; then
	pass "crashed and preserved: ---sc-"
else
	fail "crashed state '$(state_of 13)'"
fi
[ "$(ctl 13 destroy)" = ok ] || fail "destroy of a crashed domain"
wait_exit "$pid" 20
rc=$?
[ $rc -eq 2 ] && pass "destroyed after a crash exits 2" || fail "exit status $rc"

# 6. on_poweroff=restart: built again with the same domid, again and again.
start 14 again --on-poweroff restart
for _ in $(seq 300); do
	[ "$(grep -c "restarting" "$tmp/mon-again.out")" -ge 3 ] && break
	sleep 0.1
done
n=$(grep -c "restarting" "$tmp/mon-again.out")
[ "$n" -ge 3 ] && pass "restarted $n times" || fail "restarted $n times"
n=$(grep -c "Test result:" "$XENO_LOG_DIR/console-again.log")
[ "$n" -ge 3 ] && pass "each boot's output in one console log" || fail "$n boots in the console log"
[[ $(ctl 14 info) == *"domid 14"* ]] && pass "the restarted domain answers" ||
	fail "no answer after restarts"
kill -TERM "$pid"
wait_exit "$pid" 20
rc=$?
[ $rc -eq 0 ] && pass "restarting monitor stops on SIGTERM, exit 0" || fail "exit status $rc"
[ ! -e "$XENO_RUN_DIR/dom14.ctl" ] && pass "socket removed" || fail "dom14.ctl left behind"

[ $fails -eq 0 ]
