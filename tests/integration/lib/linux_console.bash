# Drive a Linux guest's shell over `xl create -c` from a bash test.
# Source it after setting XL (the xl binary) and LX_TMP (a scratch folder).
#
#   lx_start CFG        boot; returns non-zero unless /init's marker and a
#                       prompt appear (the console goes to $LX_TMP/console)
#   lx_attach CMD...    run a console client (xl create -c, xl console, or
#                       anything that reads keys and prints a console) with
#                       stdin from a fifo and output in $LX_CONSOLE; with
#                       LX_PTY=1 under a pty, as a user's terminal (xl
#                       honours its Ctrl-] escape only on a tty)
#   lx_run CMD...       type CMD, wait for its end; returns CMD's status,
#                       124 when its end did not come within LX_TIMEOUT s
#   lx_refused CMD...   lx_run, true when CMD ran and failed
#   lx_output           what the last lx_run's command printed
#   lx_wait REGEX SECS  until the console matches REGEX (extended)
#   lx_type LINE        type LINE and Enter, waiting for nothing
#   lx_key BYTES        send BYTES (printf %b escapes), no Enter
#   lx_close            wait up to 30 s for the client to end, then end it;
#                       true if it had ended by itself
#   lx_stop             poweroff -f, then lx_close
#
# Each command is typed as `echo BEG<n>; CMD; echo END<n>-$?-DONE` with the
# numbers written as arithmetic, so the echo of the typed line itself never
# matches a marker. Kernel messages are kept off the console (dmesg -n 1) so
# they cannot land inside a command's output.

LX_CONSOLE=
LX_XL_PID=
LX_N=0
LX_TIMEOUT=${LX_TIMEOUT:-90}

lx_wait() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		tr -d '\r' <"$LX_CONSOLE" | grep -qE "$1" && return 0
		kill -0 "$LX_XL_PID" 2>/dev/null || break
		sleep 0.1
	done
	tr -d '\r' <"$LX_CONSOLE" | grep -qE "$1"
}

lx_attach() {
	LX_CONSOLE=$LX_TMP/console
	rm -f "$LX_TMP/console.in"
	: >"$LX_CONSOLE"	# before the client opens it: lx_wait reads it at once
	mkfifo "$LX_TMP/console.in"
	if [ -n "${LX_PTY:-}" ]; then
		script -qfec "$*" /dev/null <"$LX_TMP/console.in" >"$LX_CONSOLE" 2>&1 &
	else
		"$@" <"$LX_TMP/console.in" >"$LX_CONSOLE" 2>&1 &
	fi
	LX_XL_PID=$!
	exec 7>"$LX_TMP/console.in"
}

lx_start() {
	LX_N=0
	lx_attach "$XL" create -c "$1"
	lx_wait 'XENO-INIT-READY' 240 && lx_wait '# ' 30 && lx_run dmesg -n 1
}

# Writes to the console's fifo; once xl is gone that would be SIGPIPE.
lx_type() { (trap '' PIPE; printf '%s\n' "$1" >&7) 2>/dev/null; }
lx_key() { (trap '' PIPE; printf '%b' "$1" >&7) 2>/dev/null; }

lx_run() {
	LX_N=$((LX_N + 1))
	lx_type "$(printf 'echo "BEG$((%d+0))"; %s; echo "END$((%d+0))-$?-DONE"' "$LX_N" "$*" "$LX_N")"
	lx_wait "^END$LX_N-[0-9]+-DONE" "$LX_TIMEOUT" || return 124
	return "$(tr -d '\r' <"$LX_CONSOLE" | sed -n "s/^END$LX_N-\([0-9]*\)-DONE.*/\1/p" | head -n 1)"
}

lx_refused() {
	lx_run "$@"
	local rc=$?
	[ $rc -ne 0 ] && [ $rc -ne 124 ]
}

lx_output() {
	tr -d '\r' <"$LX_CONSOLE" | awk -v n="$LX_N" '
		$0 == "BEG" n { on = 1; next }
		$0 ~ "^END" n "-[0-9]+-DONE" { exit }
		on { print }'
}

lx_close() {
	[ -n "$LX_XL_PID" ] || return 0
	local i ended=1
	for ((i = 0; i < 300; i++)); do
		kill -0 "$LX_XL_PID" 2>/dev/null || { ended=0; break; }
		sleep 0.1
	done
	kill "$LX_XL_PID" 2>/dev/null
	wait "$LX_XL_PID" 2>/dev/null
	LX_XL_PID=
	exec 7>&-
	return $ended
}

lx_stop() {
	[ -n "$LX_XL_PID" ] || return 0
	lx_type 'poweroff -f'
	lx_close
}

# The kernel's last words when it did not get to a shell, for a failure line.
lx_why() {
	tr -d '\r' <"$LX_CONSOLE" | grep -E 'BUG|Oops|panic|RIP:' | head -n 4
	tail -n 3 "$LX_CONSOLE" | tr -d '\r'
}
