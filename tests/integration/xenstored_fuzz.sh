#!/bin/bash
# Runs xenstored's fuzzers (libFuzzer, ASan+UBSan) for a bounded time each:
# the wire protocol from several clients, and a guest's ring. Passes if no
# input crashes, leaks or breaks the store's consistency check. Builds the
# fuzzers if needed; skips where clang cannot build libFuzzer programs.
#
#   XENO_FUZZ_SECONDS=N   time per fuzzer (default 20)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${XENO_FUZZ_SECONDS:-20}
fuzzers="fuzz_xenstored_wire fuzz_xenstored_ring"

command -v clang >/dev/null || { echo "SKIP: clang is not installed"; exit 77; }
tmp=$(mktemp -d /tmp/xeno-xsfuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; return (int)n * 0; }' |
	clang -x c -fsanitize=fuzzer -o "$tmp/probe" - 2>/dev/null; then
	echo "SKIP: clang cannot build libFuzzer programs here"
	exit 77
fi
for f in $fuzzers; do
	make -s -C "$root" "build/fuzz/$f" >"$tmp/build.log" 2>&1 ||
		{ echo "FAIL building $f"; tail -20 "$tmp/build.log"; exit 1; }
done

fails=0
for f in $fuzzers; do
	mkdir -p "$tmp/$f"
	(cd "$tmp" && "$root/build/fuzz/$f" -max_total_time="$secs" -timeout=10 -max_len=8192 \
		-artifact_prefix="$tmp/$f-" "$tmp/$f" >"$tmp/$f.log" 2>&1)
	rc=$?
	runs=$(grep -o 'Done [0-9]* runs' "$tmp/$f.log" | grep -o '[0-9]*')
	if [ $rc -eq 0 ]; then
		echo "PASS $f: ${runs:-?} inputs in ${secs}s, no failure"
	else
		echo "FAIL $f (exit $rc)"
		grep -E 'ERROR|SUMMARY|inconsistent|Test unit written' "$tmp/$f.log" | head -10
		for a in "$tmp/$f"-*; do [ -f "$a" ] && echo "input: $(base64 -w0 "$a")"; done
		fails=$((fails + 1))
	fi
done
[ $fails -eq 0 ]
