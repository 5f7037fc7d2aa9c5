#!/bin/bash
# Runs the Xen Test Framework's pv64 tests through xeno's xl, with XTF's
# own xtf-runner (which calls `xl info`, `xl create -p`, `xl console`,
# `xl unpause`), one test instance at a time so that a hung guest costs
# only its own timeout.
#
#   XTF_DIR=/path/to/xtf scripts/run-xtf.sh [SELECTION...]
#
# XTF_DIR     an XTF tree already built with `make -C $XTF_DIR` (this script
#             never downloads or builds XTF); its .cfg files name the test
#             kernels by the absolute path they were built with.
# SELECTION   xtf-runner selection words (default: every pv64 test of every
#             category, `pv64 --all --non-default`), e.g. `pv64-example`.
# XENO_BUILD  the build directory holding bin/xl, bin/xeno-monitor and
#             bin/xenstored (default: build/ of this tree).
# XTF_TIMEOUT seconds per test instance (default 60).
# XTF_MARKDOWN  if set, a file to write "| test | result |" rows to.
#
# Run and log directories are private (a temporary directory, removed at
# the end) unless XENO_RUN_DIR / XENO_LOG_DIR / XENSTORED_PATH are set. A
# xenstored is started for the run if none answers on XENSTORED_PATH.
#
# Prints each test's console and xtf-runner's combined results; exits with
# the worst of xtf-runner's codes (0 success, 3 skip, 4 error, 5 failure,
# 6 crash; a timeout counts as a crash, a runner error as 1).
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
B=${XENO_BUILD:-$here/build}
: "${XTF_DIR:?set XTF_DIR to a built XTF tree (git clone of andyhhp/xtf, then make)}"
XTF_DIR=$(cd "$XTF_DIR" && pwd)
limit=${XTF_TIMEOUT:-60}

if [ ! -x "$XTF_DIR/xtf-runner" ]; then
	echo "run-xtf: $XTF_DIR/xtf-runner is missing" >&2
	exit 1
fi
if ! ls "$XTF_DIR"/tests/*/info.json >/dev/null 2>&1; then
	echo "run-xtf: $XTF_DIR is not built: run make -C $XTF_DIR" >&2
	exit 1
fi
for bin in xl xeno-monitor xenstored; do
	if [ ! -x "$B/bin/$bin" ]; then
		echo "run-xtf: $B/bin/$bin is not built (make)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d /tmp/xeno-xtf.XXXXXX)
export XENO_RUN_DIR=${XENO_RUN_DIR:-$tmp/run}
export XENO_LOG_DIR=${XENO_LOG_DIR:-$tmp/log}
export XENSTORED_PATH=${XENSTORED_PATH:-$tmp/xenstored.sock}
export XENO_STATE_DIR=${XENO_STATE_DIR:-$tmp/state}
mkdir -p "$XENO_RUN_DIR" "$XENO_LOG_DIR"
# xtf-runner runs whichever `xl` comes first on PATH.
export PATH="$B/bin:$PATH"
xenstored_pid=
current=

cleanup() {
	[ -n "$current" ] && timeout 10 xl destroy "$current" >/dev/null 2>&1
	if [ -n "$xenstored_pid" ]; then
		kill "$xenstored_pid" 2>/dev/null
		wait "$xenstored_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])" \
	"$XENSTORED_PATH" 2>/dev/null; then
	"$B/bin/xenstored" --foreground >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
	xenstored_pid=$!
	for _ in $(seq 50); do
		[ -S "$XENSTORED_PATH" ] && break
		sleep 0.1
	done
fi

[ $# -gt 0 ] || set -- pv64 --all --non-default
mapfile -t tests < <(cd "$XTF_DIR" && ./xtf-runner --list "$@")
if [ ${#tests[@]} -eq 0 ]; then
	echo "run-xtf: the selection \"$*\" names no test" >&2
	exit 1
fi

worst=0
worst_rank=0
results=()
for t in "${tests[@]}"; do
	current=$t
	timeout -k 5 "$limit" "$XTF_DIR/xtf-runner" "$t"
	rc=$?
	case $rc in
	0) res=SUCCESS ;;
	3) res=SKIP ;;
	4) res=ERROR ;;
	5) res=FAILURE ;;
	6) res=CRASH ;;
	124 | 137) res="CRASH (timeout after ${limit}s)"; rc=6 ;;
	*) res="RUNNER ERROR ($rc)"; rc=1 ;;
	esac
	# A guest that outlived its test would hold the name of the next run.
	timeout 10 xl destroy "$t" >/dev/null 2>&1
	current=
	results+=("$res")
	# Worst first: runner error > crash > failure > error > skip > success.
	rank=$rc
	[ "$rc" -eq 1 ] && rank=7
	if [ "$rank" -gt "$worst_rank" ]; then
		worst_rank=$rank
		worst=$rc
	fi
done

echo
echo "Combined test results:"
for i in "${!tests[@]}"; do
	printf '%-40s %s\n' "${tests[$i]}" "${results[$i]}"
done
if [ -n "${XTF_MARKDOWN:-}" ]; then
	for i in "${!tests[@]}"; do
		printf '| %s | %s |\n' "${tests[$i]}" "${results[$i]}"
	done >"$XTF_MARKDOWN"
fi
exit "$worst"
