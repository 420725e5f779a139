# SPDX-License-Identifier: MIT
# Shared helpers for the shell tests: TAP output, running efadiag, JSON assertions.
# Sourced by tests/*.sh; make check sets EFADIAG and TOP_SRCDIR.

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${EFADIAG:=$TOP_SRCDIR/efadiag}"
# EFADIAG_WRAPPER runs every efadiag under a tool, e.g. "valgrind --error-exitcode=99 -q".
: "${EFADIAG_WRAPPER:=}"
FIXTURES="$TOP_SRCDIR/tests/fixtures"
TAP_N=0
TAP_FAILED=0
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/efadiag-test.XXXXXX")
# When the script ends, the background jobs it still has (servers, the port holder) are
# killed, so a test that stops half-way leaves no server listening. Only jobs not yet waited
# for: their pids cannot have gone to another process.
lib_cleanup() {
	local pid pids
	pids=$(jobs -p)
	disown -a # no "Killed" notes on stderr
	for pid in $pids; do kill -9 "$pid" 2>/dev/null; done
	rm -rf "$TMPD"
}
trap lib_cleanup EXIT

command -v jq >/dev/null 2>&1 || { echo "1..0 # SKIP jq is not installed"; exit 0; }

ok() { # ok COND_STATUS DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

skip() { # skip DESCRIPTION REASON
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

diag() { printf '# %s\n' "$@"; }

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# too_short FILE: FILE is sg-check's document saying its probe window was too short to tell a
# blocked path from a slow start (the set-up took most of -t: a loaded machine).
too_short() {
	jq -e '.verdict == "error" and (.summary | test("too short to tell"))' "$1" >/dev/null 2>&1
}

# complete ROOT WORD...: what <TAB> offers after "efadiag WORD..." (the last word is the one
# being completed), one candidate a line, sorted; ROOT is EFADIAG_SYSROOT ("" for none).
complete_words() {
	local root=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner bash
	env EFADIAG_SYSROOT="$root" timeout 20 bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_efadiag "${COMP_WORDS[0]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$TOP_SRCDIR/completions/efadiag" "$EFADIAG" "$@" 2>/dev/null | sort
}

# run ARGS...: runs efadiag, leaving stdout in $OUT, stderr in $ERR, exit code in $RC.
run() {
	# shellcheck disable=SC2086
	$EFADIAG_WRAPPER "$EFADIAG" "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	OUT=$(cat "$TMPD/out")
	ERR=$(cat "$TMPD/err")
}

# is_rc WANT DESCRIPTION: asserts the last run's exit code.
is_rc() {
	[ "$RC" -eq "$1" ]
	ok $? "$2 (exit $1)"
	[ "$RC" -eq "$1" ] || diag "got exit $RC" "stdout: $(head -c 600 "$TMPD/out")" \
		"stderr: $(head -c 600 "$TMPD/err")"
}

# json_is FILTER WANT DESCRIPTION: asserts jq -r FILTER on the last stdout prints WANT.
json_is() {
	local got
	got=$(jq -r "$1" <"$TMPD/out" 2>&1)
	[ "$got" = "$2" ]
	ok $? "$3"
	[ "$got" = "$2" ] || diag "jq '$1': got '$got', want '$2'"
}

# json_true FILTER DESCRIPTION: asserts jq -e FILTER holds on the last stdout. An empty stdout
# fails: jq -e exits 0 on no input at all, which would pass any filter.
json_true() {
	local r=1
	[ -s "$TMPD/out" ] && jq -e "$1" <"$TMPD/out" >/dev/null 2>&1 && r=0
	ok $r "$2"
	[ $r -eq 0 ] || diag "jq -e '$1' failed on: $(head -c 400 "$TMPD/out")"
}

# like TEXT REGEX DESCRIPTION: asserts TEXT matches the extended regex.
like() {
	printf '%s' "$1" | grep -Eq -- "$2"
	local r=$?
	ok $r "$3"
	[ $r -eq 0 ] || diag "no match for /$2/ in: $(printf '%s' "$1" | head -c 600)"
}

# contract_keys: the keys every JSON document has (CONTRACT.md).
contract_keys() {
	json_true '(.efadiag_version|type=="string") and (.command|type=="string") and
		(.status|IN("ok","fail","error")) and (.hostname|type=="string" and length>0) and
		(.time|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$")) and
		(if .status=="error" then (.error.message|type=="string") else true end)' \
		"$1: JSON has the contract keys"
}

# start_bg CMD...: a server command in the background (efadiag, or ip netns exec ... efadiag),
# its output in $TMPD/srv.out and srv.err, its pid in SERVER_PID (the command itself, not a
# subshell). Waits, bounded (START_WAIT seconds, default 20: a loaded machine, valgrind), for
# its line "waiting for a client on TCP port N" and sets SERVER_PORT to N: the port the server
# really listens on, the one the kernel chose for -P 0. Returns 0 when the server is ready;
# otherwise records a failed test with what the server said, kills it and returns 1, so the
# caller skips what needed the server (start_bg ... || continue / if start_bg ...; then).
start_bg() {
	local i line deadline=$((SECONDS + ${START_WAIT:-20}))
	SERVER_PORT=""
	# Emptied here, not only by the background job's redirection, which may come after the
	# first look below: that look would find the last server's line and port.
	: >"$TMPD/srv.out"
	: >"$TMPD/srv.err"
	"$@" >"$TMPD/srv.out" 2>"$TMPD/srv.err" &
	SERVER_PID=$!
	for i in $(seq $((${START_WAIT:-20} * 10))); do
		line=$(grep -m1 -o "waiting for a client on TCP port [0-9][0-9]*" "$TMPD/srv.err" 2>/dev/null)
		if [ -n "$line" ]; then
			SERVER_PORT=${line##* }
			[ "$SERVER_PORT" -gt 0 ] && return 0
			break
		fi
		kill -0 "$SERVER_PID" 2>/dev/null || break
		[ "$SECONDS" -le "$deadline" ] || break
		sleep 0.1
	done
	ok 1 "server ready: $*"
	if kill -0 "$SERVER_PID" 2>/dev/null; then
		diag "no 'waiting for a client on TCP port N' line after ${START_WAIT:-20} s (try $i)"
	else
		diag "the server exited before it was ready"
	fi
	diag "stderr: $(head -c 600 "$TMPD/srv.err")" "stdout: $(head -c 600 "$TMPD/srv.out")"
	kill -9 "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_RC=-1
	return 1
}

# stop_bg [TENTHS]: a bounded wait (default 10 s) for the server to end by itself, then kill;
# its exit code in SERVER_RC.
stop_bg() {
	for _ in $(seq "${1:-100}"); do
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_RC=$?
}

# hold_closed_port: sets CLOSED_PORT to a TCP port that is bound but not listening, held by a
# helper until the script ends. Connecting to it is refused, and no server can take it in the
# meantime (not one of another test on -P 0): the port for "no server there" cases. Returns 1
# (with CLOSED_PORT empty) without python3 or perl to hold it.
hold_closed_port() {
	local i
	CLOSED_PORT=""
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket, time
try:
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", 0))
except OSError:
    s = socket.socket(socket.AF_INET)
    s.bind(("0.0.0.0", 0))
print(s.getsockname()[1], flush=True)
time.sleep(3600)' \
			>"$TMPD/closed.port" 2>/dev/null &
	elif command -v perl >/dev/null 2>&1; then
		perl -MSocket -e 'socket(my $s, AF_INET, SOCK_STREAM, 0) or die;
bind($s, pack_sockaddr_in(0, INADDR_ANY)) or die; $| = 1;
print((unpack_sockaddr_in(getsockname($s)))[0], "\n"); sleep 3600' >"$TMPD/closed.port" 2>/dev/null &
	else
		return 1
	fi
	for i in $(seq 100); do
		CLOSED_PORT=$(head -n1 "$TMPD/closed.port" 2>/dev/null)
		[ -n "$CLOSED_PORT" ] && return 0
		sleep 0.1
	done
	return 1
}

# has_provider NAME: whether libfabric here offers FI_EP_RDM on NAME.
has_provider() {
	fi_info -p "$1" -t FI_EP_RDM >/dev/null 2>&1
}

# Libfabric 2.x's own tcp RDM provider (FI_PROTO_XNET) answers to "-p tcp"; in 1.x that name
# is tcp;ofi_rxm. NATIVE_TCP is "tcp" where it is a provider of its own, else empty, so that
# provider loops (unquoted) cover both tcp flavours on 2.x and run rxm once on 1.x.
NATIVE_TCP=
fi_info -p tcp -t FI_EP_RDM 2>/dev/null | grep -qx 'provider: tcp' && NATIVE_TCP=tcp

# run_unbusy ARGS...: run, for a client of a persistent server that may still be finishing with
# the last client (it then answers "busy" at once), or that gave up on this client's hello
# after its -t (a client slowed by a loaded machine: the server says so): tried again, at most
# 10 times 0.2 s apart.
run_unbusy() {
	local i
	for i in $(seq 10); do
		run "$@"
		[ "$RC" -eq 3 ] && grep -Eq "busy|for this client's hello" "$TMPD/out" "$TMPD/err" \
			2>/dev/null || return 0
		sleep 0.2
	done
}

# srv_send BYTES HOLD WANT: one raw connection to the server on 127.0.0.1:$SERVER_PORT that
# sends BYTES (printf format), stays open HOLD seconds and closes; then a bounded wait (10 s)
# for the server to log a line matching WANT (extended regex) in $TMPD/srv.err. A connection the
# server answered "busy" (it was still finishing with the last one) is made again, at most 5
# times. Returns 0 when WANT was logged.
srv_send() {
	local bytes=$1 hold=$2 want=$3 try i n new
	for try in 1 2 3 4 5; do
		n=$(wc -l <"$TMPD/srv.err")
		exec 3<>"/dev/tcp/127.0.0.1/$SERVER_PORT" || return 1
		# shellcheck disable=SC2059
		[ -z "$bytes" ] || printf "$bytes" >&3
		[ "$hold" = 0 ] || sleep "$hold"
		exec 3>&-
		for i in $(seq 100); do
			new=$(tail -n +"$((n + 1))" "$TMPD/srv.err")
			printf '%s' "$new" | grep -Eq -- "$want" && return 0
			printf '%s' "$new" | grep -q "busy" && break
			sleep 0.1
		done
		[ "$i" -lt 100 ] || break
	done
	diag "srv_send: no /$want/ in the server's log after try $try:" "$(tail -n 5 "$TMPD/srv.err")"
	return 1
}

# wait_log REGEX FROM_LINE: a bounded wait (10 s) for a line matching REGEX in $TMPD/srv.err
# after its first FROM_LINE lines.
wait_log() {
	local i
	for i in $(seq 100); do
		tail -n +"$(($2 + 1))" "$TMPD/srv.err" | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	diag "wait_log: no /$1/ in the server's log:" "$(tail -n 5 "$TMPD/srv.err")"
	return 1
}

# weak_consistent LABEL: for a bw run over several domains on a shared machine, where lanes
# compete for the CPU and any one may come out slow. What is asserted is determined by the
# measurement in the output: each domain's weak flag is exactly "below 80% of the median of
# the other domains" (recomputed here from bw_gbps), and the exit code and verdict follow from
# the flags: 1 with a WEAK verdict and weak_domains naming the flagged ones, else 0 with OK.
weak_consistent() {
	local want names
	json_true 'def median: sort | if length % 2 == 1 then .[length / 2 | floor]
			else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		.results[-1].domains as $d | ($d | length) >= 2 and
		([range(0; $d | length) as $i | $d[$i].weak == ($d[$i].bw_gbps < 0.8 *
			([$d | to_entries[] | select(.key != $i) | .value.bw_gbps] | median))] | all)' \
		"$1: each weak flag is 'below 80% of the median of the others'"
	want=$(jq -r 'if any(.results[-1].domains[]?; .weak) then 1 else 0 end' <"$TMPD/out" 2>/dev/null)
	names=$(jq -r '[.results[-1].domains[]? | select(.weak) | .domain] | join(", ")' <"$TMPD/out" 2>/dev/null)
	is_rc "${want:-0}" "$1: exit follows the weak flags (weak: ${names:-none})"
	if [ "${want:-0}" = 1 ]; then
		jq -e --arg n "$names" '(.summary | startswith("FAIL: weak: " + $n + " below")) and
			.weak_domains == $n' <"$TMPD/out" >/dev/null 2>&1
		ok $? "$1: the FAIL: weak: verdict and weak_domains name $names"
	else
		json_true '(.summary | startswith("OK: ")) and (has("weak_domains") | not)' \
			"$1: OK verdict, no weak_domains"
	fi
}

# rows_as_measured LABEL LAST_SIZE ARGS...: efadiag ARGS (a test in text mode whose sizes are
# 64 B and a slow last one, LAST_SIZE as the table shows it: "1 MiB") into a pipe, read line by line. As soon as the 64-byte
# row is read, the client is frozen (SIGSTOP) and the pipe read for 1 s more: a table printed at
# the end is all there by then, its last row and verdict with it; printed as sizes are
# measured, nothing more is (the last size was still running). The client then goes on
# (SIGCONT): its last row and its verdict must come after. Ordering only, no absolute time;
# bounded: 150 s in all.
# child_of PID [SECONDS]: the first child process of PID, waited for up to SECONDS (default 10)
# in steps of 0.1 s; empty when none came by then.
child_of() {
	local c="" i

	for i in $(seq $((${2:-10} * 10))); do
		c=$(pgrep -P "$1" | head -n 1)
		[ -n "$c" ] && break
		sleep 0.1
	done
	printf '%s' "$c"
}

rows_as_measured() {
	local label=$1 last=$2 fd pid cpid="" line first="" early="" rest=""
	shift 2
	exec {fd}< <(exec timeout 150 "$EFADIAG" "$@" 2>/dev/null)
	pid=$!
	# The client, before its first row: frozen at once when the row comes.
	cpid=$(child_of "$pid" 5)
	while IFS= read -r -t 120 -u "$fd" line; do
		if [[ $line =~ ^\ *64\ B\ +[0-9] ]]; then
			[ -n "$cpid" ] && kill -STOP "$cpid" 2>/dev/null
			first=$line
			break
		fi
	done
	while [ -n "$first" ] && IFS= read -r -t 1 -u "$fd" line; do
		early+="$line"$'\n'
	done
	[ -n "$cpid" ] && kill -CONT "$cpid" 2>/dev/null
	while IFS= read -r -t 120 -u "$fd" line; do
		rest+="$line"$'\n'
	done
	exec {fd}<&-
	kill "$pid" 2>/dev/null
	[ -n "$first" ]
	ok $? "$label: the 64 B row is printed (${first:-none})"
	[ -n "$first" ] && [ -z "$early" ]
	ok $? "$label: the first row comes alone, while the last size is still measured"
	[ -z "$early" ] || diag "came with the first row: ${early//$'\n'/ | }"
	printf '%s' "$rest" | grep -Eq "^ *$last +[0-9]" && printf '%s' "$rest" | grep -Eq '^OK: '
	ok $? "$label: the $last row and the verdict come after, when measured"
	# The columns were laid out before the first row: the last row lines up under it.
	[ -n "$first" ] && [ "${#first}" -eq "$(printf '%s' "$rest" | grep -E "^ *$last +[0-9]" |
		head -n 1 | tr -d '\n' | wc -c)" ]
	ok $? "$label: the first and the last row are as wide (widths fixed ahead)"
}
