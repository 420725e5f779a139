#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Counters around tests: pingpong, bw and sg-check read the hardware counters of the devices
# they ran on, before and after, and report what rose. With no EFA here, a fixture sysroot
# holds an rdma device named as the tcp domain the test uses (lo, or the namespace's veth),
# and this script raises its counters while the test runs, as the device would.
. "$(dirname "$0")/lib.sh"
. "$TOP_SRCDIR/tests/netns.sh"


# device_tree ROOT NAME: a sysroot holding one EFA-like device NAME with current counters.
device_tree() {
	rm -rf "$1"
	mkdir -p "$1/sys/class/infiniband"
	cp -r "$FIXTURES/stats-current/sys/class/infiniband/rdmap79s0" "$1/sys/class/infiniband/$2"
}

# raise FILE SECONDS: adds 1 to a counter file every 0.05 s for SECONDS (bounded), in the
# background; RAISER is its pid.
raise() {
	( for i in $(seq $(($2 * 20))); do
		echo $(($(cat "$1") + 1)) >"$1.new" && mv "$1.new" "$1"
		sleep 0.05
	done ) &
	RAISER=$!
}
stop_raise() { kill "$RAISER" 2>/dev/null; wait "$RAISER" 2>/dev/null; }

if ! has_provider "tcp;ofi_rxm"; then
	skip "counters around tests" "provider tcp;ofi_rxm absent"
	done_testing
	exit
fi

ROOT=$TMPD/lo-root
device_tree "$ROOT" lo
C=$ROOT/sys/class/infiniband/lo/ports/1/hw_counters

# pingpong: the deltas in JSON, and a line for people when a trouble counter rose.
raise "$C/rx_drops" 20
EFADIAG_SYSROOT=$ROOT run pingpong --loopback -p "tcp;ofi_rxm" -d lo -S 64 -I 3000 -t 10 --json
stop_raise
is_rc 0 "pingpong with a device under its domain"
json_true '.counters.lo.rx_drops > 0 and .counters.lo.tx_bytes == 0' \
	"pingpong: counters holds the device's deltas (rx_drops rose, tx_bytes did not)"
json_true '.counters.lo|has("lifespan")|not' "pingpong: lifespan is no counter"
raise "$C/rx_drops" 20
EFADIAG_SYSROOT=$ROOT run pingpong --loopback -p "tcp;ofi_rxm" -d lo -S 64 -I 3000 -t 10
stop_raise
like "$OUT" 'EFA hardware counters that rose during the test: lo rx_drops \+[0-9]+' \
	"pingpong: a line names the trouble counter that rose"
EFADIAG_SYSROOT=$ROOT run pingpong --loopback -p "tcp;ofi_rxm" -d lo -S 64 -I 200 -t 10
printf '%s' "$OUT" | grep -q 'counters that rose'
ok $((!$?)) "pingpong: no line when nothing rose"
run pingpong --loopback -p "tcp;ofi_rxm" -d lo -S 64 -I 200 -t 10 --json
json_true 'has("counters")|not' "pingpong: no counters key without a device under the domain"

# bw: the same.
raise "$C/retrans_timeout_events" 20
EFADIAG_SYSROOT=$ROOT run bw --loopback -p "tcp;ofi_rxm" -d lo -S 64k -I 2000 -t 10 --json
stop_raise
is_rc 0 "bw with a device under its domain"
json_true '.counters.lo.retrans_timeout_events > 0' "bw: counters holds the deltas"

# sg-check: a blocked verdict backed by the device's own unresponsive_remote_events.
if ! netns_setup; then
	skip "sg-check backed by unresponsive_remote_events" "$NETNS_WHY"
	done_testing
	exit
fi
DEV_A=va$$ # the veth on host A, which is tcp's domain there
ROOT=$TMPD/a-root
device_tree "$ROOT" "$DEV_A"
C=$ROOT/sys/class/infiniband/$DEV_A/ports/1/hw_counters
PORT=47950
T=6
sg_block "$NS_A" in "$PORT"
sg_block "$NS_B" in "$PORT"
# A run whose probes had too short a window to call the path blocked (the set-up took most of
# -t on a loaded machine: sg-check says so) is made again on a fresh server, -t doubled, twice
# at most.
started=false
for try in 1 2 3; do
	start_bg ip netns exec "$NS_B" "$EFADIAG" sg-check -p "tcp;ofi_rxm" -P "$PORT" || break
	started=true
	raise "$C/unresponsive_remote_events" $((T + 4))
	in_a env EFADIAG_SYSROOT="$ROOT" "$EFADIAG" sg-check -j -p "tcp;ofi_rxm" -P "$PORT" \
		-t $T "$IP_B" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	stop_raise
	[ "$try" -lt 3 ] && too_short "$TMPD/out" || break
	diag "sg-check -t $T: $(jq -r .summary "$TMPD/out" | head -c 200); again, -t $((T * 2))"
	stop_bg 100
	T=$((T * 2))
done
if $started; then
	is_rc 1 "sg-check blocked, with the device's counters"
	json_is .verdict blocked "the verdict word is unchanged"
	json_true ".counters[\"$DEV_A\"].unresponsive_remote_events > 0" \
		"the deltas show unresponsive_remote_events"
	json_true '.summary|test("EFA device itself counted [0-9]+ unresponsive_remote_events")' \
		"the verdict says the device saw the peer stop answering"
	stop_bg 100
fi
sg_clear "$NS_A"
sg_clear "$NS_B"

done_testing
