#!/bin/bash
# Debian's xenstore-utils (the clients of Xen's libxenstore) against our
# xenstored: read, write, ls, list, exists, rm, chmod and watch, with their
# exit statuses. A private daemon on a socket under a mktemp dir.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
XSD=$B/bin/xenstored
[ -x "$XSD" ] || { echo "FAIL no $XSD"; exit 1; }
for t in xenstore-read xenstore-write xenstore-ls xenstore-list xenstore-exists xenstore-rm \
	xenstore-chmod xenstore-watch; do
	command -v $t >/dev/null || { echo "SKIP: $t is missing (apt-get install xenstore-utils)"; exit 77; }
done

tmp=$(mktemp -d /tmp/xeno-xsutils.XXXXXX)
export XENSTORED_PATH=$tmp/socket
xsd_pid= watch_pid=
cleanup() {
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	[ -n "$xsd_pid" ] && kill "$xsd_pid" 2>/dev/null && wait "$xsd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
expect() {	# description expected actual
	[ "$2" = "$3" ] && pass "$1" || fail "$1: got '$3', expected '$2'"
}

"$XSD" --no-fork --no-persist -T "$tmp/xenstored.log" &
xsd_pid=$!
for _ in $(seq 50); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.1; done
[ -S "$XENSTORED_PATH" ] || { echo "FAIL xenstored did not start"; cat "$tmp/xenstored.log"; exit 1; }

xenstore-write /tool/a/b one /tool/a/c "two words" && pass "xenstore-write of two keys" ||
	fail "xenstore-write of two keys"
expect "xenstore-read" one "$(xenstore-read /tool/a/b)"
expect "xenstore-read of two keys" "$(printf 'one\ntwo words')" "$(xenstore-read /tool/a/b /tool/a/c)"
expect "xenstore-list" "$(printf 'b\nc')" "$(xenstore-list /tool/a)"
expect "xenstore-ls" "$(printf 'b = "one"\nc = "two words"')" "$(xenstore-ls /tool/a)"
expect "xenstore-ls -f" "$(printf '/tool/a/b = "one"\n/tool/a/c = "two words"')" \
	"$(xenstore-ls -f /tool/a)"
xenstore-exists /tool/a/b && pass "xenstore-exists of a node" || fail "xenstore-exists of a node"
xenstore-exists /tool/a/none 2>/dev/null && fail "xenstore-exists of a missing node" ||
	pass "xenstore-exists of a missing node fails"
out=$(xenstore-read /tool/a/none 2>&1) && fail "xenstore-read of a missing node" ||
	pass "xenstore-read of a missing node fails ($out)"

xenstore-chmod /tool/a/b n0 r5 b7 && pass "xenstore-chmod" || fail "xenstore-chmod"
expect "permissions shown by xenstore-ls -p" "(n0,r5,b7)" \
	"$(xenstore-ls -p /tool/a | grep '^b = ' | grep -o '([^)]*)$')"
xenstore-chmod -r /tool/a b3 && pass "xenstore-chmod -r" || fail "xenstore-chmod -r"
expect "recursive chmod reached the children" "(b3)" \
	"$(xenstore-ls -p /tool/a | grep '^c = ' | grep -o '([^)]*)$')"
xenstore-chmod /tool/a/b q9 2>/dev/null && fail "xenstore-chmod with a bad mode" ||
	pass "xenstore-chmod with a bad mode fails"

xenstore-watch -n 3 /tool/w >"$tmp/watch.out" 2>&1 &
watch_pid=$!
for _ in $(seq 50); do [ -s "$tmp/watch.out" ] && break; sleep 0.1; done
xenstore-write /tool/w/x 1
xenstore-rm /tool/w
for _ in $(seq 50); do [ "$(wc -l <"$tmp/watch.out")" -ge 3 ] && break; sleep 0.1; done
wait "$watch_pid"
watch_pid=
expect "xenstore-watch saw the watch, a write and the removal" \
	"$(printf '/tool/w\n/tool/w/x\n/tool/w')" "$(cat "$tmp/watch.out")"

xenstore-rm /tool/a/c && pass "xenstore-rm" || fail "xenstore-rm"
expect "the node is gone" "b" "$(xenstore-list /tool/a)"
xenstore-rm /tool/a && ! xenstore-exists /tool/a/b 2>/dev/null && pass "xenstore-rm of a subtree" ||
	fail "xenstore-rm of a subtree"
xenstore-write "/bad path" x 2>/dev/null && fail "a path with a space is refused" ||
	pass "a path with a space is refused"
big=$(head -c 3000 /dev/zero | tr '\0' 'x')
xenstore-write /tool/big "$big" && [ "$(xenstore-read /tool/big)" = "$big" ] &&
	pass "a 3000-byte value" || fail "a 3000-byte value"
# 400 names of 25 bytes: the list is longer than one payload (4 KiB), so the
# clients page it with DIRECTORY_PART.
for i in $(seq 400); do printf '/tool/many/a-rather-long-key-%03d v\n' "$i"; done |
	xargs xenstore-write && pass "400 keys written" || fail "400 keys written"
expect "xenstore-list of a directory larger than a payload" 400 "$(xenstore-list /tool/many | wc -l)"
expect "xenstore-ls of it" 400 "$(xenstore-ls /tool/many | wc -l)"
kill -0 "$xsd_pid" && pass "xenstored still runs" || fail "xenstored died"

[ $fails -eq 0 ] && echo "xenstored_utils: all passed" || echo "xenstored_utils: $fails failed"
[ $fails -eq 0 ]
