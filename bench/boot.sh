#!/bin/bash
# The default guest (Debian's kernel, the project's busybox initramfs), side
# by side in one run:
#   - boot time to /init's XENO-INIT-READY marker: xeno (xl create -c) against
#     qemu-system-x86_64 -accel tcg booting the same kernel and initramfs;
#   - the boot's exits by cause (the monitor's counters, logged at destroy);
#   - a CPU-bound job (a busybox shell loop, no system calls) in the guest
#     against the same busybox on the host, timed inside the shell that runs
#     it from /proc/uptime (`read` is a builtin: no process starts or ends
#     in the interval, on either side).
# Prints each figure per run and the ratios of the medians.
#
#   bench/boot.sh            RUNS=3 by default; XENO_BUILD=DIR (default build/)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
B=${XENO_BUILD:-$root/build}
RUNS=${RUNS:-3}
LOOP=${LOOP:-2000000}
xl="$B/bin/xl"

[ -e /dev/kvm ] || { echo "SKIP: /dev/kvm is missing"; exit 77; }
[ -s "$root/images/vmlinuz" ] || { echo "SKIP: no images/vmlinuz (scripts/setup.sh)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 is not installed"; exit 77; }

LX_TMP=$(mktemp -d /tmp/xeno-bootbench.XXXXXX)
tmp=$LX_TMP
XL=$xl
export XENO_RUN_DIR="$tmp/run" XENO_LOG_DIR="$tmp/log" XENSTORED_PATH="$tmp/xenstored.sock"
export XENO_STATE_DIR="$tmp/state"
mkdir -p "$XENO_RUN_DIR" "$XENO_LOG_DIR"
xenstored_pid=
# shellcheck source=../tests/integration/lib/linux_console.bash
. "$root/tests/integration/lib/linux_console.bash"
cleanup() {
	timeout 10 "$xl" destroy bootbench >/dev/null 2>&1
	lx_close
	[ -n "$xenstored_pid" ] && kill "$xenstored_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
"$B/bin/xenstored" --no-fork --no-persist >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
xenstored_pid=$!
for _ in $(seq 50); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.1; done

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
job="i=0; while [ \$i -lt $LOOP ]; do i=\$((i+1)); done"
timed="read s _ </proc/uptime; $job; read e _ </proc/uptime; echo \$s \$e"

cat >"$tmp/guest.cfg" <<CFG
name = "bootbench"
type = "pv"
kernel = "$root/images/vmlinuz"
ramdisk = "$root/images/initrd.cpio.gz"
extra = "console=hvc0 quiet"
memory = 512
vcpus = 1
on_poweroff = "destroy"
CFG

xeno_boot() {	# one boot: prints "boot_s job_s"
	local t0 t1 j
	t0=$(now)
	lx_attach "$xl" create -c "$tmp/guest.cfg"
	lx_wait 'XENO-INIT-READY' 300 || { echo "xeno: no marker" >&2; return 1; }
	t1=$(now)
	lx_wait '# ' 30
	"$xl" exit-stats bootbench >"$tmp/exits-boot"
	LX_TIMEOUT=600 lx_run "sh -c '$timed'"
	j=$(lx_output | awk '{ print $2 - $1 }')
	"$xl" exit-stats bootbench >"$tmp/exits-job"
	lx_stop
	echo "$(echo "$t1 - $t0" | bc) $j"
}

qemu_boot() {	# one boot: prints boot_s
	local t0 t1
	t0=$(now)
	lx_attach qemu-system-x86_64 -accel tcg -m 512 -smp 1 -nographic -no-reboot \
		-kernel "$root/images/vmlinuz" -initrd "$root/images/initrd.cpio.gz" \
		-append "console=ttyS0 quiet panic=-1"
	lx_wait 'XENO-INIT-READY' 300 || { echo "qemu: no marker" >&2; return 1; }
	t1=$(now)
	kill "$LX_XL_PID" 2>/dev/null
	lx_close
	echo "$t1 - $t0" | bc
}

host_job() {
	busybox sh -c "$timed" | awk '{ print $2 - $1 }'
}

: >"$tmp/xeno" ; : >"$tmp/qemu" ; : >"$tmp/gjob" ; : >"$tmp/hjob"
for r in $(seq "$RUNS"); do
	read -r xb gj < <(xeno_boot) || exit 1
	qb=$(qemu_boot) || exit 1
	hj=$(host_job)
	echo "run $r: boot xeno ${xb}s, qemu-tcg ${qb}s; job guest ${gj}s, host ${hj}s"
	echo "$xb" >>"$tmp/xeno"; echo "$qb" >>"$tmp/qemu"
	echo "$gj" >>"$tmp/gjob"; echo "$hj" >>"$tmp/hjob"
	last_gj=$gj
done
xb=$(median <"$tmp/xeno"); qb=$(median <"$tmp/qemu")
gj=$(median <"$tmp/gjob"); hj=$(median <"$tmp/hjob")
echo
echo "boot to /init, median of $RUNS: xeno ${xb}s, qemu -accel tcg ${qb}s: xeno takes $(echo "scale=2; $xb / $qb" | bc)x qemu's time"
echo "CPU-bound job ($LOOP shell iterations), median: guest ${gj}s, host ${hj}s: guest/host $(echo "scale=3; $gj / $hj" | bc)"
echo
echo "exits of the last xeno boot (to the shell), by cause (xl exit-stats):"
sed 's/^exits: *//' "$tmp/exits-boot" | head -n 16 | sed 's/^/  /'
# exit-stats lines are "exits: N cause...": the job's exits are the difference
sed -n 's/^exits: *\([0-9][0-9]*\) \(.*\)/\2\t\1/p' "$tmp/exits-boot" | sort >"$tmp/eb"
sed -n 's/^exits: *\([0-9][0-9]*\) \(.*\)/\2\t\1/p' "$tmp/exits-job" | sort >"$tmp/ej"
echo
echo "exits during the last guest job (${last_gj}s, with the sh that runs it), by cause:"
join -t "$(printf '\t')" -a 2 -e 0 -o 0,1.2,2.2 "$tmp/eb" "$tmp/ej" |
	awk -F '\t' '$1 != "in all" { d = $3 - $2; if (d > 0) printf "  %8d %s\n", d, $1 }' |
	sort -rn | head -n 10
b=$(awk '/in all/ { print $2 }' "$tmp/exits-boot"); e=$(awk '/in all/ { print $2 }' "$tmp/exits-job")
echo "  $((e - b)) in all: $(echo "scale=0; ($e - $b) / $last_gj" | bc) exits per second of the job"
