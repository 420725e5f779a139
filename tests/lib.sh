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
trap 'rm -rf "$TMPD"' EXIT

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

# json_true FILTER DESCRIPTION: asserts jq -e FILTER holds on the last stdout.
json_true() {
	jq -e "$1" <"$TMPD/out" >/dev/null 2>&1
	local r=$?
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
		(.status|IN("ok","fail","error")) and
		(if .status=="error" then (.error.message|type=="string") else true end)' \
		"$1: JSON has the contract keys"
}

# start_bg CMD...: a server command in the background (efadiag, or ip netns exec ... efadiag),
# its output in $TMPD/srv.out and srv.err, its pid in SERVER_PID (the command itself, not a
# subshell); a bounded wait (5 s) until it says it is waiting for a client.
start_bg() {
	"$@" >"$TMPD/srv.out" 2>"$TMPD/srv.err" &
	SERVER_PID=$!
	for _ in $(seq 50); do
		grep -q "waiting for a client" "$TMPD/srv.err" 2>/dev/null && return 0
		sleep 0.1
	done
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

# has_provider NAME: whether libfabric here offers FI_EP_RDM on NAME.
has_provider() {
	fi_info -p "$1" -t FI_EP_RDM >/dev/null 2>&1
}
