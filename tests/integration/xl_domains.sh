#!/bin/bash
# xl against real monitors (build/bin/xeno-monitor) and a real guest kernel
# (build/guests/console): domids picked under the lock (concurrently, lowest
# free, a stale socket counts as free), names unique, list/domid/domname,
# nested pause, a console attached to a paused domain ending when it is
# destroyed, destroy, and create -F -c returning once the domain is gone.
# What the guest itself does is not judged here (tests/integration/guests.sh
# does that).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
XL=$B/bin/xl
GUEST=$root/build/guests/console
for bin in "$XL" "$B/bin/xeno-monitor" "$B/bin/xenstored"; do
	[ -x "$bin" ] || { echo "FAIL no $bin"; exit 1; }
done
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: /dev/kvm is not usable"; exit 77; }
[ -f "$GUEST" ] || { echo "SKIP: $GUEST not built (make guests)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to make a stale socket"; exit 77; }

tmp=$(mktemp -d /tmp/xeno-xldoms.XXXXXX)
export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/xenstored.sock
export XENO_STATE_DIR=$tmp/state
xenstored_pid=
cleanup() {
	local d
	for d in a b c d e fg; do timeout 10 "$XL" destroy "$d" >/dev/null 2>&1; done
	if [ -n "$xenstored_pid" ]; then
		kill "$xenstored_pid" 2>/dev/null
		wait "$xenstored_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

"$B/bin/xenstored" --foreground >"$tmp/xenstored.log" 2>&1 &
xenstored_pid=$!
for _ in $(seq 50); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.1; done

cfg=$tmp/g.cfg
printf 'kernel = "%s"\nmemory = 32\nvcpus = 1\n' "$GUEST" >"$cfg"
# state NAME: the State column of `xl list NAME`
state() { "$XL" list "$1" 2>/dev/null | awk 'NR == 2 {print $5}'; }

# ---- concurrent creates get distinct domids --------------------------------
"$XL" create -q -p "$cfg" 'name="a"' 2>"$tmp/a.err" &
p1=$!
"$XL" create -q -p "$cfg" 'name="b"' 2>"$tmp/b.err" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; then
	pass "two concurrent creates succeed"
else
	fail "two concurrent creates succeed"
	cat "$tmp/a.err" "$tmp/b.err"
fi
ids="$("$XL" domid a) $("$XL" domid b)"
case "$ids" in
"1 2" | "2 1") pass "they got domids 1 and 2" ;;
*) fail "they got domids 1 and 2 (got $ids)" ;;
esac
"$XL" list >"$tmp/list"
check "list: Domain-0, then a and b by domid" \
	bash -c "[ \"\$(awk 'NR > 1 {print \$2}' '$tmp/list' | tr '\n' ' ')\" = '0 1 2 ' ]"
check "list: a is paused with 32 MiB and 1 vCPU" \
	bash -c "grep -qE '^a +[12] +32 +1     --p---  ' '$tmp/list'"
[ "$("$XL" domname "$("$XL" domid b)")" = b ] && pass "domname of b's domid" || fail "domname of b's domid"

"$XL" create -q -p "$cfg" 'name="a"' 2>"$tmp/err"
rc=$?
check "a second domain named a is refused" bash -c "[ $rc -eq 1 ] && grep -q 'already exists' '$tmp/err'"

# ---- pause nests as in Xen: created paused, +1, -1 is still paused ----------
"$XL" pause a && "$XL" unpause a
check "pause then unpause leaves a created-paused domain paused" [ "$(state a)" = "--p---" ]

# ---- a console attached to a paused domain ends when it is destroyed --------
"$XL" console a </dev/null >"$tmp/console.out" 2>&1 &
cpid=$!
sleep 0.5
check "the console stays attached while the domain lives" kill -0 $cpid
"$XL" destroy a
check "destroy a" [ $? -eq 0 ]
for _ in $(seq 50); do kill -0 $cpid 2>/dev/null || break; sleep 0.1; done
if kill -0 $cpid 2>/dev/null; then
	fail "the console ended with the domain"
	kill $cpid
else
	wait $cpid
	check "the console ended with the domain, exit 0" [ $? -eq 0 ]
fi
check "a is gone from the list" bash -c "! '$XL' list a >/dev/null 2>&1"

# ---- the lowest free domid is reused; a stale socket counts as free ---------
freed=$( [ "$("$XL" domid b)" = 2 ] && echo 1 || echo 2)
"$XL" create -q -p "$cfg" 'name="c"'
[ "$("$XL" domid c)" = "$freed" ] && pass "c reuses the freed domid" || fail "c reuses the freed domid"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" \
	"$XENO_RUN_DIR/dom3.ctl"
check "a stale dom3.ctl is there" [ -S "$XENO_RUN_DIR/dom3.ctl" ]
"$XL" create -q -p "$cfg" 'name="d"'
[ "$("$XL" domid d)" = 3 ] && pass "d takes domid 3 over the stale socket" ||
	fail "d takes domid 3 over the stale socket"

# ---- destroy by id; -F -c returns once the domain is gone -------------------
"$XL" destroy "$("$XL" domid d)"
check "destroy by domid" bash -c "! '$XL' domid d >/dev/null 2>&1"
printf 'name = "fg"\non_crash = "destroy"\n' >>"$cfg"
timeout -k 5 60 "$XL" create -F -c "$cfg" </dev/null >"$tmp/fg.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	pass "create -F -c returns 0 when the domain ends"
else
	fail "create -F -c returns 0 when the domain ends (exit $rc)"
	tail -5 "$tmp/fg.out"
fi
check "create -F says what it waits for" grep -q '^Waiting for domain fg (domid [0-9]*) to die' "$tmp/fg.out"
check "fg is gone afterwards" bash -c "! '$XL' domid fg >/dev/null 2>&1"

# ---- SIGTERM ends create -F -c as it would end xl; the domain stays (Xen) ---
"$XL" create -F -c -p "$cfg" 'name="e"' </dev/null >"$tmp/e.out" 2>&1 &
epid=$!
for _ in $(seq 50); do "$XL" domid e >/dev/null 2>&1 && break; sleep 0.1; done
sleep 0.3
kill -TERM $epid
for _ in $(seq 50); do kill -0 $epid 2>/dev/null || break; sleep 0.1; done
if kill -0 $epid 2>/dev/null; then
	fail "SIGTERM ends create -F -c"
	kill -KILL $epid
else
	wait $epid
	check "SIGTERM ends create -F -c, killed by it" [ $? -eq 143 ]
fi
check "the domain outlives its xl" bash -c "'$XL' domid e >/dev/null"
"$XL" destroy e

"$XL" destroy b && "$XL" destroy c
check "no control socket is left" bash -c "! ls '$XENO_RUN_DIR' | grep -q '^dom[12]\\.ctl$'"

[ "$fails" -eq 0 ] && echo "xl_domains: all passed" || echo "xl_domains: $fails failed"
[ "$fails" -eq 0 ]
