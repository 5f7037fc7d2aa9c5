#!/bin/bash
# Block I/O: fio inside a Linux PV guest on xvdb vs fio on the host on the
# same raw image, in one run: sequential read and write (1 MiB, direct),
# 4 KiB random read at queue depth 32 and at queue depth 1 (randread1: its
# IOPS are one over the latency of a lone request); with and without persistent grants
# (the guest's xen_blkfront.feature_persistent), one queue and two
# (xen_blkfront.max_queues), and a tuned guest: persistent grants, one
# queue, xen_blkfront.max_indirect_segments=256 (1 MiB ring requests
# instead of Linux's default 128 KiB) and the `none` I/O scheduler on xvdb
# instead of mq-deadline, Linux's default for a one-queue disk (set by the
# bench's /init from xeno_sched=none on the command line: the kernel hands
# unknown key=value words to init as environment). Prints MB/s or IOPS,
# guest/host ratios, and the guest's exits per I/O: `xl exit-stats` before
# and after each fio job (the guest waits on its console for the host to
# take them), divided by the job's I/O count from fio (its total_ios: one
# per fio request, which blkfront may split into several ring requests).
# The exits are the whole domain's while the job runs, timer and idle exits
# included.
#
# Needs the Debian PV kernel (images/vmlinuz from scripts/setup.sh) and fio
# on the host (copied with its libraries into the initramfs). When the
# guest cannot run this prints the host figures and says why (exit 77).
#
#   RUNTIME=s per job (10), SIZE_MB (512), JOBS (all four), SETTINGS (the
#   numbers of the guest settings to run, 1-4 in the order above; all)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
B=${XENO_BUILD:-$root/build}
SIZE_MB=${SIZE_MB:-512}
RUNTIME=${RUNTIME:-10}
JOBS=${JOBS:-seqread seqwrite randread randread1}
SETTINGS=${SETTINGS:-1 2 3 4}
command -v fio >/dev/null || { echo "SKIP: fio is not installed"; exit 77; }
tmp=$(mktemp -d /tmp/xeno-blkbench.XXXXXX)
xsd_pid=
cleanup() {
	timeout 10 "$B/bin/xl" destroy blkbench >/dev/null 2>&1
	[ -n "$xsd_pid" ] && kill "$xsd_pid" 2>/dev/null && wait "$xsd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
img=$tmp/disk.img
dd if=/dev/urandom of="$img" bs=1M count="$SIZE_MB" status=none

jobs() {	# filename -> fio job lines for the three workloads
	cat <<-JOB
	[global]
	filename=$1
	direct=1
	ioengine=libaio
	runtime=$RUNTIME
	time_based=1
	group_reporting=1
	[seqread]
	rw=read
	bs=1M
	iodepth=4
	stonewall
	[seqwrite]
	rw=write
	bs=1M
	iodepth=4
	stonewall
	[randread]
	rw=randread
	bs=4k
	iodepth=32
	stonewall
	[randread1]
	rw=randread
	bs=4k
	iodepth=1
	stonewall
	JOB
}

# "name bw_MBps iops ios" lines from fio's JSON (on a console: after any
# noise); ios is the job's I/O count
summarize() {
	python3 -c '
import json, sys
text = sys.stdin.read().replace("\r", "")
for j in json.JSONDecoder().raw_decode(text[text.index("{"):])[0]["jobs"]:
    io = j["read"] if j["read"]["io_bytes"] else j["write"]
    print(j["jobname"], round(io["bw"] / 1024, 1), round(io["iops"]), io["total_ios"])'
}

echo "host: fio on $img"
jobs "$img" >"$tmp/host.fio"
fio --output-format=json $(printf -- "--section=%s " $JOBS) "$tmp/host.fio" | summarize | tee "$tmp/host.txt"

kernel=$root/images/vmlinuz
if [ ! -f "$kernel" ] || [ ! -f "$root/images/initrd.cpio.gz" ] || ! command -v cpio >/dev/null; then
	echo "guest: not run: $kernel, its initramfs or cpio missing (scripts/setup.sh)"
	exit 77
fi

# The bench guest: the stock initramfs (busybox, the frontends) plus an
# archive with fio and its libraries whose /init replaces the stock one
# (Linux unpacks both, in order) and runs the jobs on /dev/xvdb one by one.
# Around each job it waits for a line on its console, so that the host can
# take the exit count before and after; the job's JSON is printed only
# after that, so that its console output is not counted.
initrd=$root/images/initrd.cpio.gz
mkdir -p "$tmp/rd"/{bin,etc}
cp "$(command -v fio)" "$tmp/rd/bin/fio"
for l in $(ldd "$(command -v fio)" | grep -o '/[^ ]*'); do
	mkdir -p "$tmp/rd$(dirname "$l")"; cp -L "$l" "$tmp/rd$l"
done
jobs /dev/xvdb >"$tmp/rd/etc/bench.fio"
cat >"$tmp/rd/init" <<'INIT'
#!/bin/sh
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
modprobe xen-blkfront
for i in $(seq 100); do [ -b /dev/xvdb ] && break; sleep 0.1; done
[ -n "${xeno_sched:-}" ] && echo "$xeno_sched" >/sys/block/xvdb/queue/scheduler
for job in @JOBS@; do
	echo "BENCH-READY-$job"; read -r _
	fio --eta=never --output-format=json --output=/tmp/$job.json --section=$job /etc/bench.fio
	echo "BENCH-RAN-$job"; read -r _
	echo "BENCH-JSON-$job"; cat /tmp/$job.json; echo "BENCH-JSON-END-$job"
done
echo BENCH-END
poweroff -f
INIT
sed -i "s/@JOBS@/$JOBS/" "$tmp/rd/init"
chmod +x "$tmp/rd/init"
(cd "$tmp/rd" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$tmp/extra.gz"
cat "$initrd" "$tmp/extra.gz" >"$tmp/initrd.gz"

# The guest's own store and run/log folders, inside $tmp.
# shellcheck source=tests/integration/lib/host.bash
. "$root/tests/integration/lib/host.bash"
store_env "$tmp"
store_start

# The console: xl create -c with its input from a fifo (lx_wait, lx_type).
XL=$B/bin/xl
export LX_TMP=$tmp
# shellcheck source=tests/integration/lib/linux_console.bash
. "$root/tests/integration/lib/linux_console.bash"
# The domain's exit counts by cause into FILE; prints the total.
exits() { "$XL" exit-stats blkbench >"$1" && sed -n 's/^exits: \([0-9]*\) in all.*/\1/p' "$1"; }
# The three causes that grew most from BEFORE to AFTER, per I/O.
top_causes() {	# BEFORE AFTER IOS
	awk -v ios="$3" '
		$1 != "exits:" || $2 !~ /^[0-9]+$/ || $3 == "in" { next }
		{ what = $0; sub(/^exits: +[0-9]+ /, "", what) }
		FNR == NR { was[what] = $2; next }
		$2 > was[what] { printf "%d\t%.1f %s\n", $2 - was[what], (ios ? ($2 - was[what]) / ios : 0), what }' \
		"$1" "$2" | sort -rn | head -n 3 | cut -f2 | awk '{ printf "%s%s", (NR > 1 ? "; " : ""), $0 }'
}
not_run() {	# SETTING WHY
	echo "guest ($1): not run: $2"
	tr -d '\r' <"$LX_CONSOLE" | tail -n 3
	timeout 10 "$XL" destroy blkbench >/dev/null 2>&1
	lx_close
	exit 77
}

persistent="" queues="" indirect="" sched=""
settings=("persistent=1 queues=1" "persistent=0 queues=1" "persistent=1 queues=2"
	"persistent=1 queues=1 indirect=256 sched=none")
for n in $SETTINGS; do
	setting=${settings[n - 1]}
	indirect="" sched=""
	eval "$setting"
	params="xen_blkfront.feature_persistent=$persistent xen_blkfront.max_queues=$queues"
	params+=${indirect:+ xen_blkfront.max_indirect_segments=$indirect}${sched:+ xeno_sched=$sched}
	cat >"$tmp/g.cfg" <<-CFG
	name="blkbench"
	kernel="$kernel"
	ramdisk="$tmp/initrd.gz"
	memory=512
	vcpus=2
	cmdline="console=hvc0 quiet $params"
	disk=["$tmp/root-unused.img,raw,xvda,ro", "$img,raw,xvdb,rw"]
	CFG
	truncate -s 1M "$tmp/root-unused.img"
	lx_attach "$XL" create -F -c "$tmp/g.cfg"
	: >"$tmp/guest.txt"
	: >"$tmp/causes.txt"
	for job in $JOBS; do
		lx_wait "^BENCH-READY-$job" 240 || not_run "$setting" "the guest did not get to $job"
		before=$(exits "$tmp/before.txt")
		lx_type go
		lx_wait "^BENCH-RAN-$job" $((RUNTIME + 120)) || not_run "$setting" "$job did not end"
		after=$(exits "$tmp/after.txt")
		lx_type go
		lx_wait "^BENCH-JSON-END-$job" 60 || not_run "$setting" "no output from $job"
		if ! tr -d '\r' <"$LX_CONSOLE" | sed -n "/^BENCH-JSON-$job\$/,/^BENCH-JSON-END-$job/p" |
			sed '1d;$d' | summarize >"$tmp/job.txt"; then
			echo "guest ($setting): fio's output for $job could not be read:"
			tr -d '\r' <"$LX_CONSOLE" | sed -n "/^BENCH-JSON-$job/,+30p"
			exit 1
		fi
		if [ -z "$before" ] || [ -z "$after" ]; then
			echo "guest ($setting): xl exit-stats gave no count"
			exit 1
		fi
		echo "$(cat "$tmp/job.txt") $((after - before))" >>"$tmp/guest.txt"
		echo "$job $(top_causes "$tmp/before.txt" "$tmp/after.txt" \
			"$(cut -d' ' -f4 "$tmp/job.txt")")" >>"$tmp/causes.txt"
	done
	lx_wait '^BENCH-END' 60
	lx_close
	echo "guest ($params):"
	sort "$tmp/guest.txt" | join - <(sort "$tmp/host.txt") |
		while read -r name gbw giops gios gexits hbw _ _; do
			echo "  $name: guest $gbw MB/s ($giops IOPS), host $hbw MB/s, ratio" \
				"$(python3 -c "print(round($gbw / $hbw, 2) if $hbw else 0)")," \
				"exits/IO $(python3 -c "print(round($gexits / $gios, 1) if $gios else 0)")" \
				"($gexits exits, $gios I/Os)"
			echo "    most exits per I/O: $(sed -n "s/^$name //p" "$tmp/causes.txt")"
		done
done
