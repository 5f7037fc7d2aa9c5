# Driving a guest's console from bash (sourced by tests and benchmarks).
# The caller runs `xl create -c` with stdin from a fifo opened on fd 3 and
# stdout to the file named by $out, and sets $xl_pid.

# wait_for REGEX SECONDS: until the console output matches (extended regex).
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -qE "$1" "$out" && return 0
		kill -0 "$xl_pid" 2>/dev/null || { grep -qE "$1" "$out"; return; }
		sleep 0.1
	done
	return 1
}

# run N CMD: types CMD, then waits for its own end marker. The marker is
# printed with arithmetic so that the echo of the typed line cannot match.
run() {
	local n=$1
	shift
	printf '%s; echo "END$((%d+0))-$?-DONE"\n' "$*" "$n" >&3
	wait_for "END$n-[0-9]+-DONE" "${RUN_TIMEOUT:-60}"
}

# The output of command N: the lines between the end of its typed line (the
# console may wrap it) and its marker.
output_of() {
	tr -d '\r' <"$out" | awk -v n="$1" '
		index($0, "-$?-DONE\"") { buf = ""; next }
		$0 ~ "^END" n "-" { printf "%s", buf; exit }
		{ buf = buf $0 "\n" }'
}
