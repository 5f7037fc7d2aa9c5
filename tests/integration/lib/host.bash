# What a guest test or bench needs of the host, and a xenstored of its own.
# Source it after setting root (the checkout) and B (the build folder).
#
#   need_host [IMAGE...]  xl, xeno-monitor and xenstored are built (else
#                         FAIL, exit 1); /dev/kvm is usable and each
#                         images/IMAGE exists (else SKIP, exit 77)
#   need_tools TOOL...    each is on PATH, else SKIP (exit 77)
#   store_env DIR         run, log and state folders under DIR, exported for
#                         xl and the monitors
#   store_start [CMD...]  starts xenstored there (through CMD, e.g. `ip netns
#                         exec NS`), its pid in xsd_pid; FAIL, exit 1 if its
#                         socket does not appear
#   one_guest_test WHAT   for a test of one Linux guest, named WHAT-PID (in
#                         $name): a scratch folder ($tmp, $LX_TMP), the console
#                         and checks libraries, a xenstored of its own, and at
#                         exit the guest stopped and all of it removed

need_host() {
	local bin f
	for bin in "$B/bin/xl" "$B/bin/xeno-monitor" "$B/bin/xenstored"; do
		[ -x "$bin" ] || { echo "FAIL no $bin"; exit 1; }
	done
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: /dev/kvm is not usable"; exit 77; }
	for f in "$@"; do
		[ -s "$root/images/$f" ] || { echo "SKIP: no images/$f (scripts/setup.sh builds it)"; exit 77; }
	done
}

need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "SKIP: $t is missing (scripts/setup.sh)"; exit 77; }
	done
}

store_env() {
	export XENO_RUN_DIR=$1/run XENO_LOG_DIR=$1/log XENSTORED_PATH=$1/xenstored.sock
	export XENO_STATE_DIR=$1/state
	mkdir -p "$XENO_LOG_DIR"
}

store_start() {
	"$@" "$B/bin/xenstored" --no-fork --no-persist >"$XENO_LOG_DIR/xenstored.log" 2>&1 &
	xsd_pid=$!
	for _ in $(seq 50); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.1; done
	[ -S "$XENSTORED_PATH" ] || { echo "FAIL xenstored did not start"; exit 1; }
}

one_guest_test() {
	LX_TMP=$(mktemp -d "/tmp/xeno-$1.XXXXXX")
	tmp=$LX_TMP
	name=$1-$$
	xsd_pid=
	# shellcheck source=linux_console.bash
	. "$root/tests/integration/lib/linux_console.bash"
	trap one_guest_cleanup EXIT
	store_env "$tmp"
	store_start
	# shellcheck source=checks.bash
	. "$root/tests/integration/lib/checks.bash"
}

one_guest_cleanup() {
	lx_stop
	timeout 10 "$XL" destroy "$name" >/dev/null 2>&1
	[ -n "$xsd_pid" ] && kill "$xsd_pid" 2>/dev/null && wait "$xsd_pid" 2>/dev/null
	rm -rf "$tmp"
}
