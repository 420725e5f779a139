#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A run stopped by SIGINT, SIGTERM or SIGHUP under --json still prints one document: status
# "error", the signal named, the keys every document has (and sg-check's verdict), while the
# exit status stays the signal's. timeout(1) around a check is how scripts run it.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

if ! has_provider tcp; then
	skip "signals under --json" "no tcp provider"
	done_testing
	exit
fi

# stop_mid_run SIGNAL ARGS...: starts efadiag ARGS in the background, waits until its
# --loopback child is up (the test is running), sends SIGNAL, and leaves its stdout in
# $TMPD/out and its exit status in $RC. Bounded: 10 s for the child, 10 s to end.
stop_mid_run() {
	local sig=$1 pid child="" i
	shift
	"$EFADIAG" "$@" >"$TMPD/out" 2>"$TMPD/err" &
	pid=$!
	child=$(child_of "$pid" 10)
	sleep 0.5
	kill "-$sig" "$pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	RC=$?
	[ -n "$child" ] && kill -9 "$child" 2>/dev/null
	OUT=$(cat "$TMPD/out")
}

for case in "TERM 143 pingpong --loopback -p tcp -S 64 -I 100000000 -t 30" \
	"INT 130 bw --loopback -p tcp -S 4k -I 100000000 -t 30" \
	"HUP 129 pingpong --loopback -p tcp -S 64 -I 100000000 -t 30"; do
	read -r sig code cmd args <<<"$case"
	# shellcheck disable=SC2086 # the arguments are words
	stop_mid_run "$sig" "$cmd" $args -j
	is_rc "$code" "$cmd: SIG$sig mid-run: the signal's exit status"
	[ "$(jq -s 'length' <"$TMPD/out" 2>/dev/null)" = 1 ]
	ok $? "$cmd: SIG$sig mid-run: exactly one JSON document on stdout"
	contract_keys "$cmd: SIG$sig"
	json_is '.status' error "$cmd: SIG$sig: status error"
	json_is '.command' "$cmd" "$cmd: SIG$sig: the command"
	json_true ".error.message | test(\"SIG$sig\")" "$cmd: SIG$sig: the message names the signal"
	json_true '.summary | startswith("ERROR: interrupted")' "$cmd: SIG$sig: a summary line"
done

# sg-check's documents always carry a verdict, the signal's too. A probe window of 30 s
# (-t 40): the peer is blocked by nothing, so it runs until the signal only if it is slow;
# the test stops it while the loopback child is up, which is during the handshake or probes.
stop_mid_run TERM sg-check --loopback -p tcp -t 40 -j
if [ "$RC" -eq 143 ]; then
	json_is '.verdict' error "sg-check: SIGTERM: verdict error"
	contract_keys "sg-check: SIGTERM"
else
	# It finished before the signal: its real document must stand alone.
	[ "$(jq -s 'length' <"$TMPD/out" 2>/dev/null)" = 1 ]
	ok $? "sg-check: finished before the signal: one document"
	json_true '.verdict|type=="string"' "sg-check: a verdict"
fi

# Without --json: no document, the signal's status.
stop_mid_run TERM pingpong --loopback -p tcp -S 64 -I 100000000 -t 30
is_rc 143 "text mode: SIGTERM's exit status"
printf '%s' "$OUT" | grep -q '^{'
ok $((!$?)) "text mode: no JSON document"

# A document that ran to its end is alone too: the signal's document is disarmed by then.
run pingpong --loopback -p tcp -S 64 -I 10 -j
is_rc 0 "a finished run"
[ "$(jq -s 'length' <"$TMPD/out")" = 1 ]; ok $? "a finished run: one document"
contract_keys "a finished run"
json_true '.time | fromdateiso8601? // (sub("[.][0-9]+Z$"; "Z") | fromdateiso8601) | . > 1700000000' \
	"a finished run: time is RFC 3339 and recent"

# --deadline SEC: the whole run's bound, for scripts that cannot wrap timeout(1): one document
# (status error, the deadline named), exit 3, within the deadline plus a grace; the loopback
# child ended with it.
for cmd in "pingpong -S 64" "bw -S 4k"; do
	name=${cmd%% *}
	start=$(date +%s)
	# shellcheck disable=SC2086 # the arguments are words
	timeout 30 "$EFADIAG" $cmd -I 100000000 --loopback -p tcp -t 30 --deadline 2 -j \
		>"$TMPD/out" 2>"$TMPD/err" &
	pid=$!
	child=$(child_of "$pid" 10)
	wait "$pid"
	RC=$?
	took=$(($(date +%s) - start))
	is_rc 3 "$name --deadline 2: exit 3"
	[ "$(jq -s 'length' <"$TMPD/out" 2>/dev/null)" = 1 ]
	ok $? "$name --deadline 2: exactly one JSON document"
	contract_keys "$name --deadline"
	json_true '.status == "error" and (.summary | test("--deadline of 2 s passed before '"$name"' finished"))' \
		"$name --deadline 2: status error, the deadline named"
	[ "$took" -le 12 ]; ok $? "$name --deadline 2: ended in $took s"
	sleep 0.2
	! { [ -n "$child" ] && kill -0 "$child" 2>/dev/null; }
	ok $? "$name --deadline 2: the loopback child ended too"
	[ -n "$child" ] && kill -9 "$child" 2>/dev/null
done
run pingpong --loopback -p tcp -S 64 -I 100000000 -t 30 --deadline 1.5
is_rc 3 "pingpong --deadline 1.5, text: exit 3"
like "$ERR" "the --deadline of 1.5 s passed before it finished" "text: the deadline said on stderr"
run pingpong --loopback -p tcp -S 64 -I 10 --deadline 60 -j
is_rc 0 "pingpong --deadline 60 that finishes first: exit 0"
run sg-check --loopback --deadline 5
is_rc 2 "--deadline is refused where it does nothing (sg-check has -t for its budget)"
run pingpong --loopback --deadline 0
is_rc 2 "--deadline 0 is refused"

done_testing
