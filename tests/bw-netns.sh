#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bw between two hosts in network namespaces joined by two veth pairs: two domains each, a
# throttled NIC flagged as weak, and a blocked fabric ending within the timeout.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$TOP_SRCDIR/tests/netns.sh"

PORT=47980 # this script's range: 47980-47999

if ! NETNS_SECOND=1 netns_setup; then
	skip "bw between network namespaces" "$NETNS_WHY"
	done_testing
	exit
fi
has_provider tcp || { skip "bw between namespaces" "no tcp provider"; done_testing; exit; }

serve_b() {
	PORT=$((PORT + 1))
	start_bg ip netns exec "$NS_B" "$EFADIAG" bw -p tcp -P "$PORT" "$@"
}
stop_b() { stop_bg 100; }
run_a() {
	in_a "$EFADIAG" "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
}

# Both NICs at once: a lane per domain, paired by subnet, and the aggregate.
serve_b
run_a bw -p tcp -P "$PORT" --all-domains -S 64k,1M -I 200 -j "$IP_B"
[ "$RC" -eq 0 ] || [ "$RC" -eq 1 ]; ok $? "bw --all-domains over two veth pairs ran (exit $RC)"
json_is '[.results[0].domains[].domain]|sort|join(",")' "va$$,wa$$" "both of A's domains measured"
json_is '[.results[0].domains[].peer_domain]|sort|join(",")' "vb$$,wb$$" "paired with B's domain on the same subnet"
json_true '((.results[1].domains|map(.bw_gbps)|add) - .aggregate_gbps | fabs) < 1e-6' "aggregate = sum of domains"
stop_b

# One NIC throttled to 200 Mbit/s: that domain is flagged, the run fails, the verdict names it.
if in_a tc qdisc add dev "wa$$" root tbf rate 200mbit burst 64kb latency 100ms 2>/dev/null; then
	serve_b
	run_a bw -p tcp -P "$PORT" --all-domains -S 1M -I 100 -t 10 -j "$IP_B"
	is_rc 1 "a throttled NIC fails the run"
	json_true ".results[0].domains[] | select(.domain==\"wa$$\") | .weak" "the throttled domain is flagged"
	json_true ".results[0].domains[] | select(.domain==\"va$$\") | .weak | not" "the other domain is not"
	json_true ".summary | test(\"WEAK: wa$$\")" "the verdict names the weak domain"
	stop_b
	in_a tc qdisc del dev "wa$$" root
else
	skip "throttled NIC" "tc tbf not available"
fi

# The fabric blocked into B with the control port open: bw ends within timeout + grace.
sg_block "$NS_B" in "$((PORT + 1))" # the port serve_b takes next
serve_b -t 2
start=$(date +%s)
run_a bw -p tcp -P "$PORT" -S 64k -I 100 -t 2 -j "$IP_B"
end=$(date +%s)
is_rc 1 "bw with the fabric blocked"
json_true '.error.message | test("stopped delivering")' "blocked: says the fabric stopped delivering"
[ $((end - start)) -le 10 ]; ok $? "blocked: ends in $((end - start)) s"
stop_b
sg_clear "$NS_B"

done_testing
