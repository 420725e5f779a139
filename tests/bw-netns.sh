#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bw between two hosts in network namespaces joined by two veth pairs: two domains each, a
# throttled NIC flagged as weak, and a blocked fabric ending within the timeout.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$TOP_SRCDIR/tests/netns.sh"

# Fixed control ports are safe here: the namespaces are this script's own (tests/netns.sh).
PORT=47980

if ! NETNS_SECOND=1 netns_setup; then
	skip "bw between network namespaces" "$NETNS_WHY"
	done_testing
	exit
fi
has_provider tcp || { skip "bw between namespaces" "no tcp provider"; done_testing; exit; }

# serve_b ARGS...: a bw server on B, on the next port; fails (a failed test) if not ready.
serve_b() {
	PORT=$((PORT + 1))
	start_bg ip netns exec "$NS_B" "$EFADIAG" bw -p tcp -P "$PORT" "$@"
}
stop_b() { stop_bg 100; }
run_a() {
	in_a "$EFADIAG" "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
}

# Both NICs at once: a lane per domain, paired by subnet, and the aggregate. Two lanes on a
# loaded CPU can come out unequal (WEAK) by chance, so both NICs are shaped to the same rate
# (tc tbf, 200 Mbit/s, far below what either lane reaches on its own): the shaper, not the
# scheduler, sets each lane's rate, neither is weak, and the run passes.
if in_a tc qdisc add dev "va$$" root tbf rate 200mbit burst 64kb latency 100ms 2>/dev/null &&
	in_a tc qdisc add dev "wa$$" root tbf rate 200mbit burst 64kb latency 100ms 2>/dev/null; then
	shaped=1
else
	shaped=0
	in_a tc qdisc del dev "va$$" root 2>/dev/null
fi
if serve_b; then
	run_a bw -p tcp -P "$PORT" --all-domains -S 64k,1M -I 30 -t 10 -j "$IP_B"
	if [ $shaped = 1 ]; then
		is_rc 0 "bw --all-domains over two veth pairs shaped alike: passes"
		json_true '[.results[-1].domains[].weak] == [false, false]' "equal NICs: neither is weak"
		json_true '.results[-1].domains | (map(.bw_gbps) | min) > 0.8 * (map(.bw_gbps) | max)' \
			"equal NICs: the lanes within 80% of each other"
	else
		diag "tc tbf not available: the exit code follows the measured weak flags"
		weak_consistent "bw --all-domains over two veth pairs"
	fi
	json_is '[.results[0].domains[].domain]|sort|join(",")' "va$$,wa$$" "both of A's domains measured"
	json_is '[.results[0].domains[].peer_domain]|sort|join(",")' "vb$$,wb$$" "paired with B's domain on the same subnet"
	json_true '((.results[1].domains|map(.bw_gbps)|add) - .aggregate_gbps | fabs) < 1e-6' "aggregate = sum of domains"
	stop_b
fi
in_a tc qdisc del dev "va$$" root 2>/dev/null
in_a tc qdisc del dev "wa$$" root 2>/dev/null

# One NIC throttled to 50 Mbit/s, the other free: that domain is flagged, the run fails, the
# verdict names it. The free lane only has to beat 62.5 Mbit/s, which it does on any load.
if in_a tc qdisc add dev "wa$$" root tbf rate 50mbit burst 64kb latency 100ms 2>/dev/null; then
	if serve_b; then
		run_a bw -p tcp -P "$PORT" --all-domains -S 1M -I 20 -t 10 -j "$IP_B"
		is_rc 1 "a throttled NIC fails the run"
		json_true ".results[0].domains[] | select(.domain==\"wa$$\") | .weak" "the throttled domain is flagged"
		json_true ".results[0].domains[] | select(.domain==\"va$$\") | .weak | not" "the other domain is not"
		json_true ".summary | test(\"FAIL: weak: wa$$\")" "the verdict names the weak domain"
		stop_b
	fi
	in_a tc qdisc del dev "wa$$" root
else
	skip "throttled NIC" "tc tbf not available"
fi

# The fabric blocked into B with the control port open: bw ends within timeout + grace. What
# is asserted is the data phase's stall; a run that never got there (on a loaded machine the
# handshake overran the -t 2 of one end: exit 3, saying so) is made again on a fresh server,
# twice at most, with its own block.
for try in 1 2 3; do
	sg_block "$NS_B" in "$((PORT + 1))" # the port serve_b takes next
	serve_b -t 2 || break
	start=$(date +%s)
	run_a bw -p tcp -P "$PORT" -S 64k -I 100 -t 2 -j "$IP_B"
	end=$(date +%s)
	stop_b
	sg_clear "$NS_B"
	[ "$try" -lt 3 ] && [ "$RC" = 3 ] &&
		jq -e '.error.message | test("hello|did not answer|closed the connection")' \
			"$TMPD/out" >/dev/null 2>&1 || break
	diag "blocked, try $try: the handshake did not fit -t 2: $(jq -r .summary "$TMPD/out")"
done
if [ -n "${start:-}" ]; then
	is_rc 1 "bw with the fabric blocked"
	json_true '.error.message | test("stopped delivering")' "blocked: says the fabric stopped delivering"
	[ $((end - start)) -le 10 ]; ok $? "blocked: ends in $((end - start)) s"
fi

done_testing
