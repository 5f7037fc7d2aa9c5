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

tmp=$(mktemp -d /tmp/xeno-debian.XXXXXX)
export XENO_RUN_DIR="$tmp/run" XENO_LOG_DIR="$tmp/log" XENSTORED_PATH="$tmp/xenstored.sock"
export XENO_STATE_DIR="$tmp/state"
mkdir -p "$XENO_RUN_DIR" "$XENO_LOG_DIR"
xenstored_pid=
xl_pid=
failed=0

cleanup() {
	exec 3>&- 2>/dev/null
	timeout 10 "$xl" destroy debian-test-$$ >/dev/null 2>&1
	[ -n "$xl_pid" ] && kill "$xl_pid" 2>/dev/null
	[ -n "$xenstored_pid" ] && kill "$xenstored_pid" 2>/dev/null && wait "$xenstored_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap '' PIPE	# a guest that died must fail checks, not end the script

check() {	# check CONDITION-EXIT-STATUS DESCRIPTION
	if [ "$1" -eq 0 ]; then
		echo "  ok: $2"
	else
		echo "  FAIL: $2"
		failed=$((failed + 1))
	fi
}

"$xenstored" --no-fork --no-persist >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
xenstored_pid=$!
for _ in $(seq 50); do
	[ -S "$XENSTORED_PATH" ] && break
	sleep 0.1
done

out=
# shellcheck source=tests/lib/console.sh
. "$root/tests/lib/console.sh"

boot_and_check() {
	local vcpus=$1 cfg="$tmp/debian-$1.cfg" t0 t1
	out="$tmp/console-$vcpus.out"
	echo "debian, vcpus = $vcpus:"
	cat >"$cfg" <<-CFG
		name = "debian-test-$$"
		type = "pv"
		kernel = "$root/images/vmlinuz"
		ramdisk = "$root/images/initrd.cpio.gz"
		extra = "console=hvc0 quiet"
		memory = 256
		vcpus = $vcpus
		on_poweroff = "destroy"
	CFG
	rm -f "$tmp/in"
	mkfifo "$tmp/in"
	# under a pty, as a user's terminal: xl honours Ctrl-] only on a tty
	script -qfec "$xl create -c $cfg" /dev/null <"$tmp/in" >"$out" 2>&1 &
	xl_pid=$!
	exec 3>"$tmp/in"

	if ! wait_for 'XENO-INIT-READY' 240; then
		check 1 "boots to /init's marker"
		echo "  console (last 20 lines):"
		tail -n 20 "$out" | sed 's/^/    | /'
		tail -n 5 "$XENO_LOG_DIR"/monitor-debian-test-$$.log 2>/dev/null | sed 's/^/    monitor| /'
		exec 3>&-
		timeout 10 "$xl" destroy debian-test-$$ >/dev/null 2>&1
		wait "$xl_pid" 2>/dev/null
		xl_pid=
		return
	fi
	check 0 "boots to /init's marker"
	wait_for '# $|# .*$' 30

	run 1 uname -a
	output_of 1 | grep -q "Linux xeno-guest $(cat "$root/images/kernel-version") .*x86_64"
	check $? "uname -a names Debian's kernel ($(cat "$root/images/kernel-version"))"

	# what Linux asks of the ABI at boot and got refused shows up here
	run 10 'dmesg | grep -c -e "unchecked MSR access" -e "Unknown hypercall"'
	[ "$(output_of 10 | tr -dc 0-9)" = 0 ]
	check $? "no MSR access Linux made at boot was refused ($(output_of 10 | tr -dc 0-9))"

	run 2 grep -c ^processor /proc/cpuinfo
	[ "$(output_of 2 | tr -dc 0-9)" = "$vcpus" ]
	check $? "/proc/cpuinfo lists $vcpus CPU(s)"
	run 3 cat /sys/devices/system/cpu/online
	[ "$(output_of 3 | tr -d ' \n')" = "$([ "$vcpus" = 1 ] && echo 0 || echo "0-$((vcpus - 1))")" ]
	check $? "every CPU is online"

	t0=$(date +%s)
	run 4 date +%s
	t1=$(output_of 4 | tr -dc 0-9)
	[ -n "$t1" ] && [ $((t1 - t0)) -ge -5 ] && [ $((t1 - t0)) -le 30 ]
	check $? "the guest's date is the host's (guest $t1, host $t0)"

	# sleep 2 must take at least two seconds of both clocks
	run 5 'a=$(cut -d" " -f1 /proc/uptime); sleep 2; b=$(cut -d" " -f1 /proc/uptime); echo "$a $b"'
	awk '{ exit !($2 - $1 >= 2.0) }' <<<"$(output_of 5 | tail -n 1)"
	check $? "sleep 2 takes 2 s of guest uptime ($(output_of 5 | tail -n 1))"

	# A CPU-bound job pinned to each vCPU; each CPU's user time must grow.
	run 6 'grep "^cpu[0-9]" /proc/stat | awk "{print \$2}"' >/dev/null
	local before after job
	before=$(output_of 6 | tr '\n' ' ')
	job='i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'
	local cmd="" c
	for ((c = 0; c < vcpus; c++)); do
		cmd="$cmd taskset -c $c sh -c '$job' &"
	done
	RUN_TIMEOUT=300 run 7 "$cmd wait"
	check $? "a CPU-bound job on each vCPU finishes"
	run 8 'grep "^cpu[0-9]" /proc/stat | awk "{print \$2}"' >/dev/null
	after=$(output_of 8 | tr '\n' ' ')
	paste <(tr ' ' '\n' <<<"$before" | grep .) <(tr ' ' '\n' <<<"$after" | grep .) |
		awk -v n="$vcpus" '$2 > $1 { grew++ } END { exit !(NR == n && grew == n) }'
	check $? "every vCPU ran the job (user ticks before: $before after: $after)"

	# Xen's escape key detaches; `xl console` attaches again
	printf '\035' >&3
	for ((i = 0; i < 100 && $(kill -0 "$xl_pid" 2>/dev/null && echo 1 || echo 0) == 1; i++)); do
		sleep 0.1
	done
	! kill -0 "$xl_pid" 2>/dev/null && "$xl" list debian-test-$$ >/dev/null 2>&1
	check $? "Ctrl-] detaches the console and the guest runs on"
	kill "$xl_pid" 2>/dev/null
	wait "$xl_pid" 2>/dev/null
	exec 3>&-
	rm -f "$tmp/in"
	mkfifo "$tmp/in"
	out="$tmp/console-$vcpus-again.out"
	script -qfec "$xl console debian-test-$$" /dev/null <"$tmp/in" >"$out" 2>&1 &
	xl_pid=$!
	exec 3>"$tmp/in"
	run 9 'echo "answer $((6*7))"'
	output_of 9 | grep -q '^answer 42'
	check $? "xl console attaches again and typed commands run"

	printf 'poweroff -f\n' >&3
	local i
	for ((i = 0; i < 600 && $(kill -0 "$xl_pid" 2>/dev/null && echo 1 || echo 0) == 1; i++)); do
		sleep 0.1
	done
	! kill -0 "$xl_pid" 2>/dev/null
	check $? "poweroff ends xl's console"
	wait "$xl_pid" 2>/dev/null
	xl_pid=
	exec 3>&-

	! "$xl" list 2>/dev/null | grep -qw debian-test-$$
	check $? "the domain is gone (on_poweroff = destroy)"
	# the monitor finishes its teardown after the console closes
	for ((i = 0; i < 150; i++)); do
		pgrep -f "xeno-monitor.*--name debian-test-$$ " >/dev/null || break
		sleep 0.1
	done
	! pgrep -f "xeno-monitor.*--name debian-test-$$ " >/dev/null
	check $? "no monitor process is left $(pgrep -fa "xeno-monitor.*--name debian-test-$$ " | cut -c1-60)"
	[ -z "$(XENSTORED_PATH=$XENSTORED_PATH xenstore-ls /local/domain 2>/dev/null | grep -v '^ *0 ' | grep -E '^ *[1-9]')" ]
	check $? "no guest node is left under /local/domain"
	local left
	# domid.lock is xl's, shared by every create; nothing else may stay
	left=$(ls -A "$XENO_RUN_DIR" 2>/dev/null | grep -vx domid.lock | tr '\n' ' ')
	[ -z "$left" ]
	check $? "nothing is left in the run directory ($left)"

	if [ $failed -gt 0 ]; then
		echo "  console (last 20 lines):"
		tail -n 20 "$out" | sed 's/^/    | /'
		grep -h "exits\|crash\|unimplemented" "$XENO_LOG_DIR"/monitor-*.log 2>/dev/null | tail -n 8 |
			sed 's/^/    monitor| /'
	fi
}

# reboot and a panic follow on_reboot and on_crash; xl destroy ends a busy guest
lifecycle_checks() {
	local cfg="$tmp/lifecycle.cfg" i n
	out="$tmp/console-lifecycle.out"
	echo "debian, reboot, panic and destroy:"
	cat >"$cfg" <<-CFG
		name = "debian-test-$$"
		type = "pv"
		kernel = "$root/images/vmlinuz"
		ramdisk = "$root/images/initrd.cpio.gz"
		extra = "console=hvc0 quiet"
		memory = 256
		on_reboot = "restart"
		on_crash = "restart"
	CFG
	rm -f "$tmp/in"
	mkfifo "$tmp/in"
	script -qfec "$xl create -c $cfg" /dev/null <"$tmp/in" >"$out" 2>&1 &
	xl_pid=$!
	exec 3>"$tmp/in"
	marks() { grep -c XENO-INIT-READY "$out"; }
	wait_for 'XENO-INIT-READY' 240
	check $? "boots"
	printf 'reboot -f\n' >&3
	for ((i = 0; i < 2400 && $(marks) < 2; i++)); do sleep 0.1; done
	[ "$(marks)" -ge 2 ]
	check $? "reboot -f restarts it (on_reboot = restart), on the same console"
	sleep 1
	printf 'echo c > /proc/sysrq-trigger\n' >&3
	for ((i = 0; i < 2400 && $(marks) < 3; i++)); do sleep 0.1; done
	[ "$(marks)" -ge 3 ] && grep -q 'Kernel panic' "$out"
	check $? "a kernel panic restarts it (on_crash = restart)"
	sleep 1
	printf 'while :; do :; done\n' >&3
	sleep 2
	n=$(date +%s)
	timeout 20 "$xl" destroy "debian-test-$$"
	check $? "xl destroy of a guest busy in a loop returns"
	for ((i = 0; i < 100; i++)); do
		pgrep -f "xeno-monitor.*--name debian-test-$$ " >/dev/null || break
		sleep 0.1
	done
	! "$xl" list 2>/dev/null | grep -qw "debian-test-$$" &&
		! pgrep -f "xeno-monitor.*--name debian-test-$$ " >/dev/null
	check $? "the destroyed guest and its monitor are gone ($(($(date +%s) - n)) s)"
	kill "$xl_pid" 2>/dev/null
	wait "$xl_pid" 2>/dev/null
	xl_pid=
	exec 3>&-
	if [ $failed -gt 0 ]; then
		echo "  console (last 15 lines):"
		tail -n 15 "$out" | sed 's/^/    | /'
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
