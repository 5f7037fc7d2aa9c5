# One line per check for the Linux-guest tests, and their ending. Source it
# after linux_console.bash, with $name (the domain) and XENO_LOG_DIR set.
#
#   check STATUS TEXT   PASS TEXT when STATUS is 0, else FAIL TEXT
#   pass TEXT, fail TEXT
#   finish              on failures, the console's and the monitor's last
#                       lines, and the logs kept in /tmp; exits non-zero
#                       if any check failed

fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { if [ "$1" -eq 0 ]; then pass "$2"; else fail "$2"; fi; }
finish() {
	if [ $fails -gt 0 ]; then
		echo "console (last 15 lines):"; tail -n 15 "$LX_CONSOLE" | tr -d '\r' | sed 's/^/  | /'
		echo "monitor log (last 8 lines):"; tail -n 8 "$XENO_LOG_DIR/monitor-$name.log" | sed 's/^/  | /'
		cp "$LX_CONSOLE" "$XENO_LOG_DIR/" 2>/dev/null
		cp -r "$XENO_LOG_DIR" "/tmp/xeno-$name-failed" && echo "logs kept in /tmp/xeno-$name-failed"
	fi
	echo "$fails failed"
	[ $fails -eq 0 ]
	exit
}
