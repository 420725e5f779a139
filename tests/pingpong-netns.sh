#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pingpong between two hosts played by network namespaces: domain choice by the peer's
# subnet, --exec through 'ip netns exec', and a fabric blocked by a security group.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$TOP_SRCDIR/tests/netns.sh"

# Fixed control ports are safe here: the namespaces are this script's own (tests/netns.sh).
PORT=47850
export EFADIAG_PEER_BIN="$EFADIAG"

if ! NETNS_OTHER_A=1 netns_setup; then
	skip "pingpong between network namespaces" "$NETNS_WHY"
	done_testing
	exit
fi

# serve_b ARGS...: a one-client server on host B; bounded wait until it listens.
# Not through in_b: a function in the background is a subshell, and $! must be efadiag.
serve_b() { start_bg ip netns exec "$NS_B" "$EFADIAG" "$@"; }
stop_b() { stop_bg 50; }
run_a() {
	in_a "$EFADIAG" "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	OUT=$(cat "$TMPD/out")
	ERR=$(cat "$TMPD/err")
}

for p in "tcp;ofi_rxm" "udp;ofi_rxd"; do
	has_provider "$p" || { skip "$p between namespaces" "provider absent"; continue; }
	# Host A lists 203.0.113.0/24 first: only the subnet rule picks the link to B.
	PORT=$((PORT + 1))
	if serve_b pingpong -p "$p" -P "$PORT" -j; then
		run_a pingpong -p "$p" -P "$PORT" -S 64,64k -I 100 -j "$IP_B"
		is_rc 0 "$p: A -> B over the veth"
		json_is '.local.fabric' "198.51.100.0/24" "$p: client picked the domain whose subnet holds B"
		json_is '.peer.fabric' "198.51.100.0/24" "$p: server picked the domain whose subnet holds A"
		stop_b
		[ "$SERVER_RC" -eq 0 ]; ok $? "$p: server on B exits 0"
	fi

	# --exec plays ssh: no port, the peer started inside B.
	run_a pingpong -p "$p" --exec "ip netns exec $NS_B" -S 64 -I 100 -j
	is_rc 0 "$p: --exec 'ip netns exec B'"
	json_is '.peer.fabric' "198.51.100.0/24" "$p: --exec peer on the veth subnet"
	json_is '.local.fabric' "198.51.100.0/24" "$p: --exec client follows the server's subnet"
done

# A security group that lets only the control port in on B: pingpong ends, names the
# direction and points to sg-check, within the timeout.
for p in "tcp;ofi_rxm" "udp;ofi_rxd"; do
	has_provider "$p" || continue
	PORT=$((PORT + 1))
	sg_block "$NS_B" in "$PORT"
	serve_b pingpong -p "$p" -P "$PORT" -t 2 || { sg_clear "$NS_B"; continue; }
	start=$(date +%s)
	run_a pingpong -p "$p" -P "$PORT" -S 64 -I 10 -t 2 -j "$IP_B"
	end=$(date +%s)
	is_rc 1 "$p: fabric blocked into B"
	json_true '.error.message | test("client -> server is not delivering")' "$p: names the failing direction"
	json_true '.error.message | test("efadiag sg-check")' "$p: points to sg-check"
	[ $((end - start)) -le 8 ]; ok $? "$p: ends within timeout + grace ($((end - start)) s)"
	stop_b
	[ "$SERVER_RC" -ne 0 ]; ok $? "$p: the server also ends, with a failure"
	sg_clear "$NS_B"
done

done_testing
