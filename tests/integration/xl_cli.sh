#!/bin/bash
# xl's own behaviour where no guest has to run: help, Xen's `xl info` and
# `xl list` formats (what xtf-runner parses), create's dry run and argument
# rules, dmesg, domid/domname, refusals for Domain-0, and create's failure
# paths (no kernel, no monitor, a monitor that dies before its ready line).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
XL=$B/bin/xl
[ -x "$XL" ] || { echo "FAIL no $XL"; exit 1; }

tmp=$(mktemp -d /tmp/xeno-xlcli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export XENO_RUN_DIR=$tmp/run XENO_LOG_DIR=$tmp/log XENSTORED_PATH=$tmp/xenstored.sock
# Never start a xenstored from here (xl_xenstored.sh tests that).
export XENO_XENSTORED=$tmp/no-xenstored
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# check NAME COMMAND...: pass if the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# ---- help ------------------------------------------------------------------
"$XL" >"$tmp/out" 2>&1
rc=$?
check "xl without a command exits 1" [ $rc -eq 1 ]
for c in create list destroy shutdown reboot pause unpause console info dmesg domid domname; do
	grep -q "^ $c " "$tmp/out" || fail "help lists $c"
done
"$XL" help list >"$tmp/out"
check "xl help list" grep -q '^Usage: xl \[-v\] list \[options\] \[Domain\]$' "$tmp/out"
"$XL" list -h >"$tmp/out2"
check "xl list -h prints the same help" cmp -s "$tmp/out" "$tmp/out2"
"$XL" frobnicate >/dev/null 2>"$tmp/err"
check "unknown command" grep -q 'command not implemented' "$tmp/err"
"$XL" pause >/dev/null 2>"$tmp/err"
rc=$?
check "missing operand: exit 2 and Xen's message" \
	bash -c "[ $rc -eq 2 ] && grep -q \"'xl pause' requires at least 1 argument.\" '$tmp/err'"
"$XL" list -Q >/dev/null 2>"$tmp/err"
rc=$?
check "unknown option: exit 2" bash -c "[ $rc -eq 2 ] && grep -q \"option \\\`Q' not supported.\" '$tmp/err'"

# ---- xl info ---------------------------------------------------------------
"$XL" info >"$tmp/info" || fail "xl info exits 0"
for key in host release version machine nr_cpus max_cpu_id nr_nodes cores_per_socket \
	threads_per_core cpu_mhz hw_caps virt_caps total_memory free_memory free_cpus \
	xen_major xen_minor xen_extra xen_version xen_caps xen_scheduler xen_pagesize \
	platform_params xen_changeset xen_commandline cc_compiler cc_compile_by \
	cc_compile_domain cc_compile_date build_id xend_config_format; do
	grep -q "^$(printf '%-23s' "$key"): " "$tmp/info" || fail "xl info has '$key' in Xen's layout"
done
check "xl info: nr_cpus is the host's" grep -q "^nr_cpus *: $(nproc)\$" "$tmp/info"
mem=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
check "xl info: total_memory is MemTotal in MiB" grep -q "^total_memory *: $mem\$" "$tmp/info"
check "xl info: xend_config_format 4" grep -q '^xend_config_format *: 4$' "$tmp/info"
check "xl info: host is the node name" grep -q "^host *: $(uname -n)\$" "$tmp/info"
[ "$("$XL" info virt_caps)" = "pv gnttab-v1" ] && pass "xl info virt_caps prints the value only" ||
	fail "xl info virt_caps prints the value only"
"$XL" info xen_caps | grep -qw 'xen-3.0-x86_64' && pass "xen_caps has xen-3.0-x86_64" ||
	fail "xen_caps has xen-3.0-x86_64"
# xtf-runner splits the whole output into words: only "pv" may claim a
# capability, and no 32-bit PV.
if tr -s ' \t:' '\n' <"$tmp/info" | grep -qxE 'hvm|hap|shadow'; then
	fail "xl info claims hvm, hap or shadow"
else
	pass "xl info claims no hvm, hap or shadow"
fi
check "xl info claims no 32-bit PV" bash -c "! grep -q 'x86_32p' '$tmp/info'"
# the version xeno presents (include/xeno/version.h), major then minor
version="$(awk '$2 == "XENO_XEN_MAJOR" || $2 == "XENO_XEN_MINOR" { printf "%s ", $3 }' \
	"$(dirname "$0")/../../include/xeno/version.h")"
[ "$("$XL" info xen_m | tr '\n' ' ')" = "$version" ] && pass "xl info filters by key prefix" ||
	fail "xl info filters by key prefix"

# ---- xl list ---------------------------------------------------------------
"$XL" list >"$tmp/list" || fail "xl list exits 0"
printf 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n' >"$tmp/hdr"
check "xl list header is Xen's" cmp -s <(head -1 "$tmp/list") "$tmp/hdr"
check "xl list: Domain-0 first, id 0, running" \
	grep -qE '^Domain-0 {33} {4}0 +[0-9]+ +[0-9]+     r-----  +[0-9]+\.[0-9]$' <(sed -n 2p "$tmp/list")
check "xl list: nothing else without domains" [ "$(wc -l <"$tmp/list")" -eq 2 ]
"$XL" list 0 | sed -n 2p | grep -q '^Domain-0 ' && pass "xl list 0" || fail "xl list 0"
"$XL" list 5 >/dev/null 2>"$tmp/err"
check "xl list of a missing domid" grep -q "^Error: Domain '5' does not exist.$" "$tmp/err"
"$XL" list nosuch >/dev/null 2>"$tmp/err"
check "xl list of a missing name" grep -q '^nosuch is an invalid domain identifier (rc=-6)$' "$tmp/err"

# ---- domid, domname, refusals for the host ---------------------------------
[ "$("$XL" domid Domain-0)" = 0 ] && pass "domid Domain-0" || fail "domid Domain-0"
[ "$("$XL" domname 0)" = Domain-0 ] && pass "domname 0" || fail "domname 0"
"$XL" domid nosuch >/dev/null 2>&1 && fail "domid of a missing name fails" || pass "domid of a missing name fails"
"$XL" domname 9 >/dev/null 2>&1 && fail "domname of a missing id fails" || pass "domname of a missing id fails"
"$XL" destroy 0 2>"$tmp/err" && fail "destroy 0 refused" ||
	check "destroy 0 refused with Xen's message" grep -q 'Not destroying domain 0; use -f to force.' "$tmp/err"
"$XL" -f destroy 0 2>/dev/null && fail "destroy -f 0 still refused" || pass "destroy -f 0 still refused"
"$XL" pause Domain-0 2>/dev/null && fail "pause Domain-0 refused" || pass "pause Domain-0 refused"
"$XL" shutdown 2>"$tmp/err" && fail "shutdown without a domain" ||
	check "shutdown without a domain" grep -q 'You must specify -a or a domain id.' "$tmp/err"
"$XL" shutdown -a 2>/dev/null && pass "shutdown -a with no guests" || fail "shutdown -a with no guests"
"$XL" -N list 2>"$tmp/err" && fail "-N list refused" ||
	check "-N list refused" grep -q 'command does not implement -N' "$tmp/err"

# ---- dmesg -----------------------------------------------------------------
"$XL" dmesg >"$tmp/out" && [ ! -s "$tmp/out" ] && pass "dmesg with no log yet" || fail "dmesg with no log yet"
mkdir -p "$XENO_LOG_DIR"
printf '(XEN) one\n(XEN) two\n' >"$XENO_LOG_DIR/hypervisor.log"
"$XL" dmesg >"$tmp/out"
check "dmesg prints hypervisor.log" cmp -s "$tmp/out" "$XENO_LOG_DIR/hypervisor.log"
"$XL" dmesg -c >"$tmp/out"
check "dmesg -c prints, then clears" \
	bash -c "grep -q two '$tmp/out' && [ ! -s '$XENO_LOG_DIR/hypervisor.log' ]"

# ---- create: dry run and arguments -----------------------------------------
cfg=$tmp/g.cfg
cat >"$cfg" <<-EOF
	name = "dry"
	kernel = "/no/such/kernel"
	memory = 64
	extra = "console=hvc0"
EOF
"$XL" create -n "$cfg" >"$tmp/json" 2>"$tmp/err"
check "create -n exits 0 without a kernel file" [ $? -eq 0 ]
check "create -n says Parsing config from" grep -qx "Parsing config from $cfg" "$tmp/err"
check "create -n prints the JSON" grep -q '"target_memkb": 65536,' "$tmp/json"
"$XL" create -n -q "$cfg" 2>"$tmp/err" >/dev/null
check "create -q is quiet" [ ! -s "$tmp/err" ]
"$XL" create -n "$cfg" memory=80 'name="other"' >"$tmp/json" 2>/dev/null
check "create overrides" bash -c "grep -q '\"target_memkb\": 81920,' '$tmp/json' && grep -q '\"name\": \"other\"' '$tmp/json'"
"$XL" -N create -f "$cfg" >"$tmp/json" 2>/dev/null
check "xl -N create -f" grep -q '"name": "dry"' "$tmp/json"
"$XL" create -n "$cfg" memory=80 extra >/dev/null 2>&1
check "create: a second config file is refused (exit 2)" [ $? -eq 2 ]
"$XL" create -n >/dev/null 2>"$tmp/err"
check "create without a config" grep -q 'Config file not specified' "$tmp/err"
printf 'name = "x"\nkernel "k"\n' >"$tmp/bad.cfg"
"$XL" create -n "$tmp/bad.cfg" >/dev/null 2>"$tmp/err"
rc=$?
check "create: a syntax error exits 1 with Xen's line" bash -c "[ $rc -eq 1 ] &&
	grep -qF '$tmp/bad.cfg:2: config parsing error near \`\"k\"'\\'': syntax error' '$tmp/err' &&
	grep -q '^Failed to parse config: Invalid argument$' '$tmp/err'"
"$XL" create -n "$tmp/missing.cfg" >/dev/null 2>"$tmp/err"
check "create: a missing file" grep -q "^Failed to read config file: $tmp/missing.cfg: No such file or directory$" "$tmp/err"

# ---- create: failures before and at the monitor ----------------------------
"$XL" create "$cfg" 2>"$tmp/err"
check "create: a missing kernel is refused" grep -q 'cannot use kernel /no/such/kernel' "$tmp/err"
printf 'name = "nok"\n' >"$tmp/nok.cfg"
"$XL" create "$tmp/nok.cfg" 2>"$tmp/err"
check "create: no kernel= is refused" grep -q 'no kernel=' "$tmp/err"
: >"$tmp/kernel"
printf 'name = "k"\nkernel = "%s"\n' "$tmp/kernel" >"$tmp/k.cfg"
XENO_MONITOR=$tmp/no-monitor "$XL" create "$tmp/k.cfg" 2>"$tmp/err"
check "create: no monitor" grep -q "cannot run the domain monitor $tmp/no-monitor" "$tmp/err"
XENO_MONITOR=/bin/false "$XL" create "$tmp/k.cfg" 2>"$tmp/err"
rc=$?
check "create: a monitor that exits without its ready line" bash -c "[ $rc -eq 1 ] &&
	grep -q 'stopped before it was ready' '$tmp/err'"
check "create: nothing left in the run directory" \
	bash -c "! ls '$XENO_RUN_DIR' | grep -q '^dom.*\\.ctl$'"
check "create: the monitor log is where docs/architecture.md says" [ -f "$XENO_LOG_DIR/monitor-k.log" ]

[ "$fails" -eq 0 ] && echo "xl_cli: all passed" || echo "xl_cli: $fails failed"
[ "$fails" -eq 0 ]
