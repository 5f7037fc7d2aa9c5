#!/bin/bash
# xeno-monitor's command line: every bad value is refused with a message
# that names the option, the exit status is non-zero, the reason reaches the
# --ready-fd as "error <msg>", and nothing is left in the run directory.
# A kernel that cannot be loaded fails the same way. No KVM needed.
set -u
B=${XENO_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
MON=$B/bin/xeno-monitor
[ -x "$MON" ] || { echo "FAIL no $MON"; exit 1; }

tmp=$(mktemp -d /tmp/xeno-monargs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/xenstored.sock
fails=0

# expect_refused NAME PATTERN ARGS...: exit non-zero, PATTERN in stderr and
# in the ready line.
expect_refused() {
	local name=$1 pat=$2
	shift 2
	rm -f "$tmp/ready" "$tmp/err"
	"$MON" "$@" --ready-fd 3 3>"$tmp/ready" 2>"$tmp/err" >/dev/null
	local rc=$?
	local ready
	ready=$(cat "$tmp/ready" 2>/dev/null)
	if [ $rc -eq 0 ]; then
		echo "FAIL $name: exit 0"; fails=$((fails + 1)); return
	fi
	if ! grep -q -- "$pat" "$tmp/err"; then
		echo "FAIL $name: stderr lacks '$pat':"; sed 's/^/    /' "$tmp/err"
		fails=$((fails + 1)); return
	fi
	case $ready in
	"error "*"$pat"*) ;;
	*) echo "FAIL $name: ready line '$ready'"; fails=$((fails + 1)); return ;;
	esac
	if [ -n "$(ls -A "$tmp/run" 2>/dev/null | grep -v '^domid.lock$')" ]; then
		echo "FAIL $name: left in the run directory: $(ls "$tmp/run")"
		fails=$((fails + 1)); return
	fi
	echo "PASS $name"
}

ok=(--domid 3 --name t --kernel /nonexistent/kernel --memory 32 --vcpus 1)
expect_refused "no arguments" "required"
expect_refused "domid 0" "--domid" --domid 0 --name t --kernel k --memory 32 --vcpus 1
expect_refused "domid too big" "--domid" --domid 32752 --name t --kernel k --memory 32 --vcpus 1
expect_refused "domid not a number" "--domid" --domid 3x --name t --kernel k --memory 32 --vcpus 1
expect_refused "vcpus 0" "--vcpus" --domid 3 --name t --kernel k --memory 32 --vcpus 0
expect_refused "vcpus too many" "--vcpus" --domid 3 --name t --kernel k --memory 32 --vcpus 99
expect_refused "memory negative" "--memory" --domid 3 --name t --kernel k --memory -5 --vcpus 1
expect_refused "memory empty" "--memory" --domid 3 --name t --kernel k --memory '' --vcpus 1
expect_refused "name with a slash" "--name" --domid 3 --name a/b --kernel k --memory 32 --vcpus 1
expect_refused "name empty" "--name" --domid 3 --name '' --kernel k --memory 32 --vcpus 1
expect_refused "name too long" "--name" --domid 3 --name "$(printf 'n%.0s' {1..80})" \
	--kernel k --memory 32 --vcpus 1
expect_refused "bad action" "not an action" "${ok[@]}" --on-crash explode
expect_refused "unknown option" "--frobnicate" "${ok[@]}" --frobnicate
expect_refused "stray argument" "unexpected argument" "${ok[@]}" extra
expect_refused "missing kernel file" "/nonexistent/kernel" "${ok[@]}"

# --ready-fd itself must be an open descriptor.
"$MON" "${ok[@]}" --ready-fd 77 2>"$tmp/err" >/dev/null
if [ $? -ne 0 ] && grep -q -- "--ready-fd" "$tmp/err"; then
	echo "PASS ready-fd not open"
else
	echo "FAIL ready-fd not open"; fails=$((fails + 1))
fi

# A good command line but an unloadable kernel: the message is on stderr
# (the monitor log) too, and every action name is accepted.
for act in destroy restart preserve rename-restart coredump-destroy coredump-restart soft-reset; do
	"$MON" "${ok[@]}" --on-poweroff $act --on-reboot $act --on-crash $act \
		2>"$tmp/err" >/dev/null
	if grep -q "not an action" "$tmp/err"; then
		echo "FAIL action $act refused"; fails=$((fails + 1))
	fi
done
echo "PASS every Xen action name accepted"

[ $fails -eq 0 ]
