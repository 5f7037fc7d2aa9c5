#!/bin/bash
# `xl create` starts xenstored when none answers (through lib/xs_client),
# exactly once, and not at all when there is no xenstored to start. The
# create itself fails here on purpose (XENO_MONITOR=/bin/false): the store
# is brought up before the monitor runs. No KVM needed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
XL=$B/bin/xl
for bin in "$XL" "$B/bin/xenstored"; do
	[ -x "$bin" ] || { echo "FAIL no $bin"; exit 1; }
done
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to probe the socket"; exit 77; }

tmp=$(mktemp -d /tmp/xeno-xlxs.XXXXXX)
export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/xenstored.sock
export XENO_STATE_DIR=$tmp/state XENO_MONITOR=/bin/false
cleanup() {
	[ -f "$tmp/xs.pid" ] && kill "$(cat "$tmp/xs.pid")" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
answers() {
	python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])" \
		"$XENSTORED_PATH" 2>/dev/null
}

: >"$tmp/kernel"
printf 'name = "s"\nkernel = "%s"\n' "$tmp/kernel" >"$tmp/s.cfg"

# No xenstored binary: nothing is started, create goes on to the monitor.
XENO_XENSTORED=$tmp/none "$XL" create -q "$tmp/s.cfg" 2>"$tmp/err"
if ! answers && grep -q 'stopped before it was ready' "$tmp/err"; then
	pass "without a xenstored binary nothing is started"
else
	fail "without a xenstored binary nothing is started"
fi

# The wrapper records the daemon's pid so that this test can stop it.
cat >"$tmp/xsd" <<-WRAP
	#!/bin/sh
	exec "$B/bin/xenstored" --pid-file "$tmp/xs.pid"
WRAP
chmod +x "$tmp/xsd"
export XENO_XENSTORED=$tmp/xsd
"$XL" create -q "$tmp/s.cfg" 2>/dev/null
if answers && [ -s "$tmp/xs.pid" ] && kill -0 "$(cat "$tmp/xs.pid")" 2>/dev/null; then
	pass "create started xenstored, which answers on XENSTORED_PATH"
else
	fail "create started xenstored, which answers on XENSTORED_PATH"
fi
first=$(cat "$tmp/xs.pid" 2>/dev/null)
rm -f "$tmp/xs.pid"
"$XL" create -q "$tmp/s.cfg" 2>/dev/null
if [ ! -e "$tmp/xs.pid" ] && kill -0 "$first" 2>/dev/null; then
	pass "a second create uses the running xenstored"
else
	fail "a second create uses the running xenstored"
fi
echo "$first" >"$tmp/xs.pid"

[ "$fails" -eq 0 ] && echo "xl_xenstored: all passed" || echo "xl_xenstored: $fails failed"
[ "$fails" -eq 0 ]
