#!/bin/bash
# The whole test suite, after `make all san-all`: every unit test in the
# normal and the sanitizer (ASan+UBSan) build, then every integration test
# against the sanitizer build. Prints one line per test and, last, the
# closing count "N passed, N failed, N skipped".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pass=0 fail=0 skip=0
failed=()
logdir=$(mktemp -d /tmp/xeno-tests.XXXXXX)

record() {	# name status(0 pass, 77 skip, else fail) log
	local name=$1 rc=$2 log=$3
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS  $name"
	elif [ "$rc" -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP  $name: $(grep -m1 -i 'skip' "$log" || tail -n1 "$log")"
	else
		fail=$((fail + 1)); failed+=("$name"); echo "FAIL  $name (exit $rc)"
		tail -n 30 "$log" | sed 's/^/      | /'
	fi
}

for dir in build/tests build-san/tests; do
	for t in "$dir"/test_*; do
		[ -x "$t" ] || continue
		log="$logdir/$(echo "$t" | tr / _).log"
		timeout 300 "$t" >"$log" 2>&1
		record "unit $t" $? "$log"
	done
done

export XENO_BUILD="${XENO_BUILD:-$root/build-san}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	log="$logdir/$(basename "$t").log"
	timeout 1200 bash "$t" >"$log" 2>&1
	rc=$?
	record "integration $(basename "$t" .sh)" $rc "$log"
	# integration scripts report their own sub-results; show them, and count
	# a sub-test they skipped as skipped, never as passed
	grep -E '^(PASS|FAIL|SKIP) ' "$log" | sed 's/^/      /'
	skip=$((skip + $(grep -c '^SKIP ' "$log")))
done

echo
[ ${#failed[@]} -eq 0 ] || printf 'failed: %s\n' "${failed[*]}"
echo "logs: $logdir"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
