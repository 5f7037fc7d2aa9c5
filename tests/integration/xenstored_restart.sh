#!/bin/bash
# xenstored as a daemon: it detaches only once it serves, writes its pid
# file, refuses a second instance on the same socket, and keeps the store
# (nodes, values, permissions) across a stop and a start through its
# journal in $XENO_STATE_DIR/xenstore.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
XSD=$B/bin/xenstored
[ -x "$XSD" ] || { echo "FAIL no $XSD"; exit 1; }
for t in xenstore-read xenstore-write xenstore-ls xenstore-chmod xenstore-rm; do
	command -v $t >/dev/null || { echo "SKIP: $t is missing (apt-get install xenstore-utils)"; exit 77; }
done

tmp=$(mktemp -d /tmp/xeno-xsrestart.XXXXXX)
export XENSTORED_PATH=$tmp/run/socket XENO_STATE_DIR=$tmp/state XENO_LOG_DIR=$tmp/log
cleanup() {
	[ -s "$tmp/pid" ] && kill "$(cat "$tmp/pid")" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

stop() {	# stops the daemon of the pid file and waits until it is gone
	local pid
	pid=$(cat "$tmp/pid")
	kill "$pid"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$pid" 2>/dev/null && fail "xenstored $pid did not stop" || pass "xenstored stopped"
	rm -f "$tmp/pid"
}

"$XSD" --pid-file "$tmp/pid"
rc=$?
# The parent returns only once the daemon serves: no waiting needed.
[ $rc -eq 0 ] && [ -S "$XENSTORED_PATH" ] && xenstore-write /tool/x 1 2>/dev/null &&
	pass "daemon serves as soon as it returns" || fail "daemon start (exit $rc)"
[ -s "$tmp/pid" ] && kill -0 "$(cat "$tmp/pid")" 2>/dev/null && pass "pid file names the daemon" ||
	fail "pid file"
[ -s "$XENO_LOG_DIR/xenstored.log" ] && pass "logs to \$XENO_LOG_DIR/xenstored.log" ||
	fail "no log in $XENO_LOG_DIR"
"$XSD" --no-fork 2>"$tmp/second.err"
rc=$?
[ $rc -eq 2 ] && grep -q "already running" "$tmp/second.err" &&
	pass "a second xenstored on the same socket refuses (exit 2)" ||
	fail "second instance: exit $rc, $(cat "$tmp/second.err")"

xenstore-write /vm/one/name first /vm/one/data "$(printf 'x%.0s' $(seq 500))" /tool/gone y
xenstore-chmod /vm/one/name n3 r0
xenstore-rm /tool/gone
before=$(xenstore-ls -p /vm)
stop
[ -s "$XENO_STATE_DIR/xenstore/journal" ] && pass "journal in \$XENO_STATE_DIR/xenstore" ||
	fail "no journal in $XENO_STATE_DIR/xenstore"

"$XSD" --pid-file "$tmp/pid" && pass "restart" || fail "restart"
after=$(xenstore-ls -p /vm 2>&1)
[ "$before" = "$after" ] && pass "nodes, values and permissions survive a restart" ||
	fail "store after restart differs: $(diff <(echo "$before") <(echo "$after"))"
xenstore-exists /tool/gone 2>/dev/null && fail "a removed node came back" ||
	pass "a removed node stays removed"

# Many changes, then a restart: the journal is compacted, the store intact.
for round in $(seq 20); do
	for i in $(seq 50); do echo "/tool/churn/k$i r$round"; done | xargs xenstore-write
done
stop
"$XSD" --pid-file "$tmp/pid" || fail "restart after churn"
[ "$(xenstore-read /tool/churn/k50)" = r20 ] && [ "$(xenstore-ls /tool/churn | wc -l)" = 50 ] &&
	pass "the last values after 1000 writes and a restart" || fail "churned store"
stop

[ $fails -eq 0 ] && echo "xenstored_restart: all passed" || echo "xenstored_restart: $fails failed"
[ $fails -eq 0 ]
