#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sg-check on this machine: loopback on every provider, client and server over TCP and
# --exec, the control path missing, and the JSON contract of every verdict.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

export EFADIAG_PEER_BIN="$EFADIAG"

sg_json_ok() { # LABEL VERDICT
	contract_keys "$1"
	json_is '.verdict' "$2" "$1: verdict $2"
	json_true '(.directions.to_peer.status|IN("ok","partial","timeout","error")) and
		(.directions.from_peer.status|IN("ok","partial","timeout","error")) and
		(.directions.to_peer.elapsed_ms|type=="number") and
		(.directions.from_peer.elapsed_ms|type=="number")' "$1: directions per the contract"
	if [ "$2" = pass ]; then
		json_true 'has("remedy")|not' "$1: no remedy on pass"
	else
		json_true '.remedy|type=="string" and length > 20' "$1: a remedy"
	fi
}

for p in "tcp;ofi_rxm" $NATIVE_TCP net "udp;ofi_rxd" shm sockets; do
	has_provider "$p" || { skip "sg-check --loopback $p" "provider absent"; continue; }
	# -t 15: a pass ends when every probe has arrived; the default 5 s did not cover starting
	# the peer on a loaded machine (its hello's share, 1.3 s).
	run sg-check --loopback -p "$p" -t 15 -j
	is_rc 0 "sg-check --loopback $p"
	sg_json_ok "loopback $p" pass
	json_true '.directions.to_peer.small_received and .directions.to_peer.large_received' \
		"loopback $p: both probe sizes arrived"
	json_true '[.directions[] | .small_sent > 0 and .small_delivered == .small_sent and
		.large_sent > 0 and .large_delivered == .large_sent] | all' \
		"loopback $p: every probe sent arrived, counted per size and direction"
done

# Text output: the directions table, the verdict line.
run sg-check --loopback -p tcp -t 15
is_rc 0 "sg-check --loopback text"
like "$OUT" 'DIRECTION +STATUS +64 B +64 KiB +ELAPSED\(ms\)' "text: directions table with units"
like "$OUT" '^OK: fabric traffic crosses both ways' "text: verdict line"
like "$OUT" 'this node -> loopback peer +ok +([0-9]+)/\1 +([0-9]+)/\2 ' \
	"text: delivered/sent of each size in the table"

# Client and server as two processes, control over TCP; the server on any free port.
if start_bg $EFADIAG_WRAPPER "$EFADIAG" sg-check -p tcp -P 0 -j; then
	run sg-check -p tcp -P "$SERVER_PORT" -j 127.0.0.1
	is_rc 0 "sg-check client/server over TCP"
	sg_json_ok "client/server" pass
	stop_bg 100
	[ "$SERVER_RC" -eq 0 ]; ok $? "sg-check server exits 0"
	[ -s "$TMPD/srv.out" ] && jq -e '.verdict == "pass"' "$TMPD/srv.out" >/dev/null; ok $? "the server prints the same verdict"
fi

# --exec: the peer through a launcher.
run sg-check -p "udp;ofi_rxd" --exec env -j
is_rc 0 "sg-check --exec env (udp)"
sg_json_ok "--exec" pass

# No server (a port held closed): control_unreachable, exit 3, a hint about --exec, within
# the timeout.
if hold_closed_port; then
	start=$(date +%s.%N)
	run sg-check -p tcp -P "$CLOSED_PORT" -t 2 -j 127.0.0.1
	end=$(date +%s.%N)
	is_rc 3 "sg-check without a server"
	sg_json_ok "no server" control_unreachable
	json_true '.remedy | test("--exec")' "control_unreachable: remedy names --exec"
	json_true '.remedy | test("'"$CLOSED_PORT"'")' "control_unreachable: remedy names the port"
	awk -v a="$start" -v b="$end" 'BEGIN{exit !(b-a < 3)}'; ok $? "no server: within the timeout"
else
	skip "sg-check without a server" "neither python3 nor perl here to hold a closed port"
fi

# A provider the peer does not have: the server refuses, verdict error, exit 3.
run sg-check -p nosuchprov --exec env -j
is_rc 3 "sg-check with an unknown provider"
json_is '.status' error "unknown provider: status error"

# A domain the provider lacks: could not run, and still a verdict (error) with its fix.
run sg-check --loopback -p tcp -d nosuch --json
is_rc 3 "sg-check -d nosuch"
sg_json_ok "-d nosuch" error
json_true '.error.message | test("nosuch")' "-d nosuch: the error names the domain"
run sg-check --loopback -p tcp -d nosuch
is_rc 3 "sg-check -d nosuch (text)"
like "$OUT" '^ERROR: .*nosuch' "-d nosuch text: an ERROR line"
like "$OUT" '^Fix: ' "-d nosuch text: a Fix line"

# Usage: exit 2, and the document still has a verdict (error) and a remedy.
run sg-check --loopback 127.0.0.1
is_rc 2 "sg-check --loopback with HOST"
run sg-check --exec env 127.0.0.1
is_rc 2 "sg-check --exec with HOST"
for args in "--loopback 127.0.0.1" "--bogus" "-t abc --loopback"; do
	# shellcheck disable=SC2086
	run sg-check $args -j
	is_rc 2 "sg-check $args -j"
	json_is .verdict error "usage error ($args): verdict error"
	json_true '.remedy | test("--help")' "usage error ($args): the remedy points at --help"
done

# The bound: a peer command that never starts efadiag ('sleep 100;') is given up on, and
# stopped, within -t plus half a second (documented in the man page); 1 s allowed here for a
# loaded machine. Before, the peer's EOF and SIGTERM waits added 2.2 s whatever -t said.
for t in 1 2; do
	start=$(date +%s.%N)
	run sg-check -p tcp -t "$t" --exec 'sleep 100;' -j
	end=$(date +%s.%N)
	is_rc 3 "sg-check -t $t with a peer command that hangs"
	json_is .verdict control_unreachable "hung peer -t $t: control_unreachable"
	el=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}')
	awk -v e="$el" -v t="$t" 'BEGIN{exit !(e <= t + 1.0)}'
	ok $? "hung peer -t $t: ended in ${el}s (bound: -t + 0.5 s, 0.5 s margin)"
	# The message gives the wait it was (the handshake's share of the budget), not the whole -t.
	json_true ".error.message | test(\"did not answer within [0-9.]+ s \\\\(its share of -t $t s\\\\)\")" \
		"hung peer -t $t: says how long it waited, as a share of -t"
done

done_testing
