#!/bin/bash
# Block I/O: fio inside a Linux PV guest on xvdb vs fio on the host on the
# same raw image, in one run: sequential read and write (1 MiB, direct) and
# 4 KiB random read at queue depth 32; with and without persistent grants
# (the guest's xen_blkfront.feature_persistent), one queue and two
# (xen_blkfront.max_queues). Prints MB/s or IOPS, guest/host ratios, and
# guest exits per I/O from the monitor's exit counter (xl list's cpu time
# is not it: the monitor logs "exits" at destroy).
#
# Needs the Debian PV kernel to boot (images/vmlinuz from scripts/setup.sh)
# and fio on the host (copied with its libraries into the initramfs).
# Until Linux boots this prints the host figures and says the guest part
# could not run (exit 77).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
B=${XENO_BUILD:-$root/build}
SIZE_MB=${SIZE_MB:-512}
RUNTIME=${RUNTIME:-10}
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
	JOB
}

# "name bw_MBps iops" lines from fio's JSON (on a console: after any noise)
summarize() {
	python3 -c '
import json, sys
text = sys.stdin.read().replace("\r", "")
for j in json.JSONDecoder().raw_decode(text[text.index("{"):])[0]["jobs"]:
    io = j["read"] if j["read"]["io_bytes"] else j["write"]
    print(j["jobname"], round(io["bw"] / 1024, 1), round(io["iops"]))'
}

echo "host: fio on $img"
jobs "$img" >"$tmp/host.fio"
fio --output-format=json "$tmp/host.fio" | summarize | tee "$tmp/host.txt"

kernel=$root/images/vmlinuz
if [ ! -f "$kernel" ] || [ ! -f "$root/images/initrd.cpio.gz" ] || ! command -v cpio >/dev/null; then
	echo "guest: not run: $kernel, its initramfs or cpio missing (scripts/setup.sh)"
	exit 77
fi

# The bench guest: the stock initramfs (busybox, the frontends) plus an
# archive with fio and its libraries whose /init replaces the stock one
# (Linux unpacks both, in order) and runs the jobs on /dev/xvdb.
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
modprobe xen-blkfront
for i in $(seq 100); do [ -b /dev/xvdb ] && break; sleep 0.1; done
echo BENCH-BEGIN; fio --output-format=json /etc/bench.fio; echo BENCH-END
poweroff -f
INIT
chmod +x "$tmp/rd/init"
(cd "$tmp/rd" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$tmp/extra.gz"
cat "$initrd" "$tmp/extra.gz" >"$tmp/initrd.gz"

# The guest's own store and run/log folders, inside $tmp.
export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/xenstored.sock
export XENO_STATE_DIR=$tmp/state
mkdir -p "$XENO_LOG_DIR"
"$B/bin/xenstored" --no-fork --no-persist >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
xsd_pid=$!
for _ in $(seq 50); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.1; done

for setting in "persistent=1 queues=1" "persistent=0 queues=1" "persistent=1 queues=2"; do
	eval "$setting"
	cat >"$tmp/g.cfg" <<-CFG
	name="blkbench"
	kernel="$kernel"
	ramdisk="$tmp/initrd.gz"
	memory=512
	vcpus=2
	cmdline="console=hvc0 quiet xen_blkfront.feature_persistent=$persistent xen_blkfront.max_queues=$queues"
	disk=["$tmp/root-unused.img,raw,xvda,ro", "$img,raw,xvdb,rw"]
	CFG
	truncate -s 1M "$tmp/root-unused.img"
	timeout 600 "$B/bin/xl" create -F -c "$tmp/g.cfg" </dev/null >"$tmp/out" 2>&1
	if ! grep -q BENCH-END "$tmp/out"; then
		echo "guest ($setting): not run: the guest did not finish (Linux does not boot yet?)"
		tail -3 "$tmp/out"
		exit 77
	fi
	if ! sed -n '/BENCH-BEGIN/,/BENCH-END/p' "$tmp/out" | sed '1d;$d' | summarize >"$tmp/guest.txt"; then
		echo "guest ($setting): fio's output could not be read:"; sed -n '/BENCH-BEGIN/,+30p' "$tmp/out" | tr -d '\r'
		exit 1
	fi
	exits=$(grep -o 'exits [0-9]*' "$XENO_LOG_DIR/monitor-blkbench.log" | tail -1)
	echo "guest ($setting), ${exits:-exit count not logged}:"
	join "$tmp/guest.txt" "$tmp/host.txt" | while read -r name gbw giops hbw hiops; do
		echo "  $name: guest $gbw MB/s ($giops IOPS), host $hbw MB/s, ratio" \
			"$(python3 -c "print(round($gbw / $hbw, 2) if $hbw else 0)")"
	done
done
