#!/bin/bash
# Null hypercall round trip, side by side in one run and one guest:
#   bare exit      a doorbell store the monitor ignores: KVM_RUN out and back in
#   hypercall page xen_version through the page's `out` slot (XTF, mini-OS)
#   syscall        xen_version through `syscall` (the Linux kernel's path)
#   mmu_update     one page-table entry through `syscall` (Linux's set_pte)
# Each as a ratio to the bare exit; plus domain create -> first guest exit.
# Usage: bench/hypercall.sh [build-dir]   (default: build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-$root/build}
B=$b
[ -e /dev/kvm ] || { echo "bench: /dev/kvm missing"; exit 1; }
tmp=$(mktemp -d /tmp/xeno-hcbench.XXXXXX)
xsd_pid=
# its own xenstored, stopped at the end (xl would start one and leave it)
trap '[ -n "$xsd_pid" ] && kill "$xsd_pid" 2>/dev/null; wait; rm -rf "$tmp"' EXIT
# shellcheck source=../tests/integration/lib/host.bash
. "$root/tests/integration/lib/host.bash"
store_env "$tmp"
store_start
cat >"$tmp/bench.cfg" <<CFG
name = "bench-hypercall"
type = "pv"
kernel = "$root/build/guests/bench_hypercall"
memory = 32
CFG
t0=$(date +%s%N)
timeout 120 "$b/bin/xl" create -F -c "$tmp/bench.cfg" >"$tmp/out" 2>&1 || true
line=$(grep -m1 '^BENCH' "$tmp/out" || true)
[ -n "$line" ] || { echo "bench: the guest printed no result"; cat "$tmp/out"; exit 1; }
first=$(grep -ho 'first guest exit at realtime [0-9]*' "$XENO_LOG_DIR"/monitor-*.log | awk '{print $NF}' | head -1)
eval "$(echo "$line" | tr ' ' '\n' | grep '=')"
us() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "null hypercall round trips ($rounds each, timed by the guest):"
printf '  %-32s %8s us  %s\n' "bare exit (doorbell, ignored)" "$(us "$exit_ns")" "1.00x"
printf '  %-32s %8s us  %sx\n' "xen_version via hypercall page" "$(us "$page_ns")" "$(ratio "$page_ns" "$exit_ns")"
printf '  %-32s %8s us  %sx\n' "xen_version via syscall" "$(us "$syscall_ns")" "$(ratio "$syscall_ns" "$exit_ns")"
printf '  %-32s %8s us  %sx\n' "one-entry mmu_update via syscall" "$(us "$mmu_ns")" "$(ratio "$mmu_ns" "$exit_ns")"
[ -n "$first" ] && awk -v a="$t0" -v b="$first" \
	'BEGIN { printf "domain create (xl create) -> first guest exit: %.1f ms\n", (b - a) / 1e6 }'
exit 0
