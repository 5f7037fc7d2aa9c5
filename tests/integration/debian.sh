#!/bin/bash
# The stock Debian kernel (images/vmlinuz, from scripts/setup.sh) with the
# project's busybox initramfs, booted with `xl create -c` as a Xen PV guest
# with 1 and then 2 vCPUs. Over the console: wait for /init's marker, then
# uname -a, /proc/cpuinfo, date, sleep 2, a CPU-bound job pinned to each
# vCPU, Ctrl-] to detach and `xl console` to attach again, and poweroff;
# afterwards nothing of the domain is left. Then one guest is rebooted,
# panicked (both restart it) and destroyed while busy.
#
# Exits 0 when every check passed, 77 when this host cannot run it (no
# /dev/kvm, or no images/vmlinuz), 1 otherwise.
#
#   debian.sh [VCPUS...]        (default: 1 2), then reboot/panic/destroy
#   DEBIAN_TEST_NO_LIFECYCLE=1  skip the reboot/panic/destroy part
#   XENO_BUILD=DIR              the build holding bin/{xl,xeno-monitor,xenstored}
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
: "${XENO_BUILD:=$root/build}"
xl="$XENO_BUILD/bin/xl"
xenstored="$XENO_BUILD/bin/xenstored"

if [ ! -e /dev/kvm ]; then
	echo "SKIP: /dev/kvm is missing: no guest can run on this host"
	exit 77
fi
if [ ! -s "$root/images/vmlinuz" ] || [ ! -s "$root/images/initrd.cpio.gz" ]; then
	echo "SKIP: no Debian guest in images/ (scripts/setup.sh builds it)"
	exit 77
fi

LX_TMP=$(mktemp -d /tmp/xeno-debian.XXXXXX)
tmp=$LX_TMP
XL=$xl
name=debian-test-$$
export XENO_RUN_DIR="$tmp/run" XENO_LOG_DIR="$tmp/log" XENSTORED_PATH="$tmp/xenstored.sock"
export XENO_STATE_DIR="$tmp/state"
mkdir -p "$XENO_RUN_DIR" "$XENO_LOG_DIR"
xenstored_pid=
failed=0
# shellcheck source=lib/linux_console.bash
. "$root/tests/integration/lib/linux_console.bash"
LX_PTY=1	# as a user's terminal: xl honours Ctrl-] only on a tty

cleanup() {
	lx_close
	timeout 10 "$xl" destroy "$name" >/dev/null 2>&1
	[ -n "$xenstored_pid" ] && kill "$xenstored_pid" 2>/dev/null && wait "$xenstored_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

check() {	# check CONDITION-EXIT-STATUS DESCRIPTION
	if [ "$1" -eq 0 ]; then
		echo "  ok: $2"
	else
		echo "  FAIL: $2"
		failed=$((failed + 1))
	fi
}

# write_cfg FILE LINE...: the guest's xl.cfg, then a LINE each for what varies
write_cfg() {
	local f=$1
	shift
	{
		cat <<-CFG
			name = "$name"
			type = "pv"
			kernel = "$root/images/vmlinuz"
			ramdisk = "$root/images/initrd.cpio.gz"
			extra = "console=hvc0 quiet"
			memory = 256
		CFG
		printf '%s\n' "$@"
	} >"$f"
}

# The monitor finishes its teardown after the console closes: give it 15 s.
monitor_gone() {
	local i
	for ((i = 0; i < 150; i++)); do
		pgrep -f "xeno-monitor.*--name $name " >/dev/null || return 0
		sleep 0.1
	done
	return 1
}

"$xenstored" --no-fork --no-persist >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
xenstored_pid=$!
for _ in $(seq 50); do
	[ -S "$XENSTORED_PATH" ] && break
	sleep 0.1
done

boot_and_check() {
	local vcpus=$1 cfg="$tmp/debian-$1.cfg" t0 t1
	echo "debian, vcpus = $vcpus:"
	write_cfg "$cfg" "vcpus = $vcpus" 'on_poweroff = "destroy"'
	if ! lx_start "$cfg"; then
		check 1 "boots to /init's marker"
		echo "  console: $(lx_why)"
		tail -n 5 "$XENO_LOG_DIR/monitor-$name.log" 2>/dev/null | sed 's/^/    monitor| /'
		timeout 10 "$xl" destroy "$name" >/dev/null 2>&1
		lx_close
		return
	fi
	check 0 "boots to /init's marker"

	lx_run uname -a
	lx_output | grep -q "Linux xeno-guest $(cat "$root/images/kernel-version") .*x86_64"
	check $? "uname -a names Debian's kernel ($(cat "$root/images/kernel-version"))"

	# what Linux asks of the ABI at boot and got refused shows up here
	lx_run 'dmesg | grep -c -e "unchecked MSR access" -e "Unknown hypercall"'
	[ "$(lx_output)" = 0 ]
	check $? "no MSR access Linux made at boot was refused ($(lx_output))"

	lx_run grep -c ^processor /proc/cpuinfo
	[ "$(lx_output)" = "$vcpus" ]
	check $? "/proc/cpuinfo lists $vcpus CPU(s)"
	lx_run cat /sys/devices/system/cpu/online
	[ "$(lx_output)" = "$([ "$vcpus" = 1 ] && echo 0 || echo "0-$((vcpus - 1))")" ]
	check $? "every CPU is online"

	t0=$(date +%s)
	lx_run date +%s
	t1=$(lx_output | tr -dc 0-9)
	[ -n "$t1" ] && [ $((t1 - t0)) -ge -5 ] && [ $((t1 - t0)) -le 30 ]
	check $? "the guest's date is the host's (guest $t1, host $t0)"

	# sleep 2 must take at least two seconds of the guest's clock
	lx_run 'a=$(cut -d" " -f1 /proc/uptime); sleep 2; b=$(cut -d" " -f1 /proc/uptime); echo "$a $b"'
	awk '{ exit !($2 - $1 >= 2.0) }' <<<"$(lx_output)"
	check $? "sleep 2 takes 2 s of guest uptime ($(lx_output))"

	# A CPU-bound job pinned to each vCPU; each CPU's user time must grow.
	local before after c cmd=""
	local job='i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'
	lx_run 'grep "^cpu[0-9]" /proc/stat | awk "{print \$2}"'
	before=$(lx_output | tr '\n' ' ')
	for ((c = 0; c < vcpus; c++)); do
		cmd="$cmd taskset -c $c sh -c '$job' &"
	done
	LX_TIMEOUT=300 lx_run "$cmd wait"
	check $? "a CPU-bound job on each vCPU finishes"
	lx_run 'grep "^cpu[0-9]" /proc/stat | awk "{print \$2}"'
	after=$(lx_output | tr '\n' ' ')
	paste <(tr ' ' '\n' <<<"$before" | grep .) <(tr ' ' '\n' <<<"$after" | grep .) |
		awk -v n="$vcpus" '$2 > $1 { grew++ } END { exit !(NR == n && grew == n) }'
	check $? "every vCPU ran the job (user ticks before: $before after: $after)"

	# Xen's escape key detaches; `xl console` attaches again
	lx_key '\035'
	lx_close && "$xl" list "$name" >/dev/null 2>&1
	check $? "Ctrl-] detaches the console and the guest runs on"
	lx_attach "$xl" console "$name"
	lx_run 'echo "answer $((6*7))"'
	[ "$(lx_output)" = "answer 42" ]
	check $? "xl console attaches again and typed commands run"

	lx_stop
	check $? "poweroff ends xl's console"
	! "$xl" list 2>/dev/null | grep -qw "$name"
	check $? "the domain is gone (on_poweroff = destroy)"
	monitor_gone
	check $? "no monitor process is left $(pgrep -fa "xeno-monitor.*--name $name " | cut -c1-60)"
	[ -z "$(XENSTORED_PATH=$XENSTORED_PATH xenstore-ls /local/domain 2>/dev/null | grep -v '^ *0 ' | grep -E '^ *[1-9]')" ]
	check $? "no guest node is left under /local/domain"
	local left
	# domid.lock is xl's, shared by every create; nothing else may stay
	left=$(ls -A "$XENO_RUN_DIR" 2>/dev/null | grep -vx domid.lock | tr '\n' ' ')
	[ -z "$left" ]
	check $? "nothing is left in the run directory ($left)"

	if [ $failed -gt 0 ]; then
		echo "  console (last 20 lines):"
		tail -n 20 "$LX_CONSOLE" | tr -d '\r' | sed 's/^/    | /'
		grep -h "exits\|crash\|unimplemented" "$XENO_LOG_DIR"/monitor-*.log 2>/dev/null | tail -n 8 |
			sed 's/^/    monitor| /'
	fi
}

# reboot and a panic follow on_reboot and on_crash; xl destroy ends a busy guest
lifecycle_checks() {
	local cfg="$tmp/lifecycle.cfg" i n
	echo "debian, reboot, panic and destroy:"
	write_cfg "$cfg" 'on_reboot = "restart"' 'on_crash = "restart"'
	marks() { tr -d '\r' <"$LX_CONSOLE" | grep -c XENO-INIT-READY; }
	lx_attach "$xl" create -c "$cfg"
	lx_wait 'XENO-INIT-READY' 240
	check $? "boots"
	lx_type 'reboot -f'
	for ((i = 0; i < 2400 && $(marks) < 2; i++)); do sleep 0.1; done
	[ "$(marks)" -ge 2 ]
	check $? "reboot -f restarts it (on_reboot = restart), on the same console"
	sleep 1
	lx_type 'echo c > /proc/sysrq-trigger'
	for ((i = 0; i < 2400 && $(marks) < 3; i++)); do sleep 0.1; done
	[ "$(marks)" -ge 3 ] && grep -q 'Kernel panic' "$LX_CONSOLE"
	check $? "a kernel panic restarts it (on_crash = restart)"
	sleep 1
	lx_type 'while :; do :; done'
	sleep 2
	n=$(date +%s)
	timeout 20 "$xl" destroy "$name"
	check $? "xl destroy of a guest busy in a loop returns"
	monitor_gone && ! "$xl" list 2>/dev/null | grep -qw "$name"
	check $? "the destroyed guest and its monitor are gone ($(($(date +%s) - n)) s)"
	lx_close
	if [ $failed -gt 0 ]; then
		echo "  console (last 15 lines):"
		tail -n 15 "$LX_CONSOLE" | tr -d '\r' | sed 's/^/    | /'
	fi
}

[ $# -gt 0 ] || set -- 1 2
for n in "$@"; do
	boot_and_check "$n"
done
[ -n "${DEBIAN_TEST_NO_LIFECYCLE:-}" ] || lifecycle_checks
if [ $failed -gt 0 ]; then
	echo "FAIL: $failed check(s) failed"
	exit 1
fi
echo "PASS: the Debian kernel boots, runs commands and powers off ($*)"
