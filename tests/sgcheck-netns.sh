#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fault-injection suite: two hosts in network namespaces, a security group played by
# nftables, loss and delay by tc netem. Each scenario asserts verdict, exit code and wall time.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$TOP_SRCDIR/tests/netns.sh"

# Fixed control ports are safe here: the namespaces are this script's own (tests/netns.sh).
PORT=47890
export EFADIAG_PEER_BIN="$EFADIAG"
# sg-check's total budget in these tests (-t). It takes 60% of it for the control path and
# both endpoints (starting the peer too, with --exec), which make -j4 on two cores stretched
# to 2 to 5 s; the probes end at 85%, and one_way needs 3.5 s of them: 10 s leaves room.
T=10
GRACE=3 # what both ends may take beyond it

if ! netns_setup; then
	skip "sg-check fault injection" "$NETNS_WHY"
	done_testing
	exit
fi

# A one-client server on B; stopped within the budget plus grace.
serve_b() { start_bg ip netns exec "$NS_B" "$EFADIAG" "$@"; }
stop_b() { stop_bg $(((T + GRACE + 1) * 10)); }
# run_a ARGS...: sg-check from A, timed (ELAPSED); JSON in $TMPD/out, exit code in RC.
run_a() {
	local start end
	start=$(date +%s.%N)
	in_a "$EFADIAG" sg-check -j "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	end=$(date +%s.%N)
	ELAPSED=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')
}
# no_probe_ran: the last run_a came to a verdict before any probe (no probe counts).
no_probe_ran() {
	jq -e '(.verdict | type == "string") and (.directions.to_peer | has("small_sent") | not)' \
		"$TMPD/out" >/dev/null 2>&1
}
# check_a LABEL WANT_RC ARGS...: run_a, then its exit code and its time asserted.
check_a() {
	local label=$1 want=$2
	shift 2
	run_a "$@"
	assert_a "$label" "$want"
}
assert_a() { # LABEL WANT_RC: the last run_a's exit code, and its time within -t plus grace
	local label=$1 want=$2 t=${T_RUN:-$T}
	is_rc "$want" "$label"
	awk -v e="$ELAPSED" -v l="$((t + GRACE))" 'BEGIN{exit !(e <= l)}'
	ok $? "$label: ended in ${ELAPSED}s (<= timeout $t + grace $GRACE)"
	T_RUN=
}
# judged_a LABEL WANT_RC ARGS...: check_a with ARGS -t $T $IP_B against the server serve_b
# started with sg-check ARGS. A case that asserts a dead direction needs probes that ran long
# enough to tell (sg-check says "too short to tell" otherwise: on two loaded cores the set-up
# took up to 7 s of -t 10). Such a run is made again, twice at most, on a fresh server with
# twice the -t; the assertions hold on the run kept, whose -t bounds its time.
judged_a() {
	local label=$1 want=$2 try t=$T
	shift 2
	for try in 1 2 3; do
		run_a "$@" -t "$t" "$IP_B"
		[ "$try" -lt 3 ] && too_short "$TMPD/out" || break
		diag "$label, -t $t: $(jq -r .summary "$TMPD/out" | head -c 200); again, -t $((t * 2))"
		stop_b
		serve_b sg-check "$@" || break
		t=$((t * 2))
	done
	T_RUN=$t
	assert_a "$label" "$want"
}

for p in "tcp;ofi_rxm" "udp;ofi_rxd"; do
	has_provider "$p" || { skip "sg-check netns $p" "provider absent"; continue; }

	# 1. No rule: pass.
	PORT=$((PORT + 1))
	if serve_b sg-check -p "$p" -P "$PORT"; then
		check_a "$p no rule" 0 -p "$p" -P "$PORT" -t $T "$IP_B"
		json_is .verdict pass "$p no rule: pass"
		stop_b; [ "$SERVER_RC" -eq 0 ]; ok $? "$p no rule: server exits 0"
	fi

	# 2. Fabric dropped both ways, control port open: blocked.
	PORT=$((PORT + 1))
	sg_block "$NS_A" in "$PORT"; sg_block "$NS_B" in "$PORT"
	if serve_b sg-check -p "$p" -P "$PORT"; then
		judged_a "$p blocked" 1 -p "$p" -P "$PORT"
		json_is .verdict blocked "$p blocked: verdict blocked"
		json_true '.remedy | test("inbound rule and an outbound rule")' "$p blocked: remedy names both rules"
		json_true '.directions.to_peer.status != "ok" and .directions.from_peer.status != "ok"' \
			"$p blocked: both directions fail"
		stop_b; [ "$SERVER_RC" -eq 1 ]; ok $? "$p blocked: server ends with exit 1 too"
	fi
	sg_clear "$NS_A"; sg_clear "$NS_B"

	# 2b. The same block with -t 1.7: the probes end at 85% of it, 1.45 s after the start, so
	# they get under 1.5 s however fast the set-up: too short to call it a block (a
	# connection's first retry comes after 1 s), an error that says so. What is asserted needs
	# probes that ran: a run whose set-up did not fit its share (60%, 1.02 s; on a loaded
	# machine opening this side's own endpoint alone took 2 to 5 s) ended before any probe,
	# with no probe counts in its directions, and tells nothing about the window. Such a run
	# is made again on a fresh pair, twice at most; a run whose probes ran is judged as it is.
	# Where no run got to its probes the case is skipped, saying so: the rule itself is
	# tested without a clock in tests/unit-decide.c (test_sg_short_window).
	for try in 1 2 3; do
		PORT=$((PORT + 1))
		sg_block "$NS_A" in "$PORT"; sg_block "$NS_B" in "$PORT"
		serve_b sg-check -p "$p" -P "$PORT" || break
		run_a -p "$p" -P "$PORT" -t 1.7 "$IP_B"
		stop_b
		sg_clear "$NS_A"; sg_clear "$NS_B"
		[ "$try" -lt 3 ] && no_probe_ran || break
		diag "$p blocked, -t 1.7, try $try: the set-up did not fit its share, no probe ran:" \
			"$(jq -r '.summary' "$TMPD/out" 2>/dev/null | head -c 300)"
	done
	if [ -n "$SERVER_PORT" ] && no_probe_ran; then
		skip "$p blocked, -t 1.7: a short probe window" "the machine is too loaded: in 3 runs \
the set-up never fitted the 1.02 s share of -t 1.7 (the rule: tests/unit-decide.c)"
	elif [ -n "$SERVER_PORT" ]; then
		assert_a "$p blocked, -t 1.7" 3
		json_is .verdict error "$p blocked, -t 1.7: not called blocked on so short a window"
		json_true '(.summary | test("too short to tell a blocked path")) and (.remedy | test("larger -t"))' \
			"$p blocked, -t 1.7: says the window was too short, and the fix"
	fi
	sg_clear "$NS_A"; sg_clear "$NS_B"

	# 3. Stateful one-way: B's inbound dropped. A -> B fails, B -> A works.
	PORT=$((PORT + 1))
	sg_block "$NS_B" in "$PORT"
	if serve_b sg-check -p "$p" -P "$PORT"; then
		judged_a "$p inbound dropped on B" 1 -p "$p" -P "$PORT"
		json_is .verdict one_way "$p inbound on B: one_way"
		json_is '.directions.to_peer.status != "ok" and .directions.from_peer.status == "ok"' true \
			"$p inbound on B: names to_peer as the failing direction"
		json_true '.remedy | test("inbound All-traffic rule .* on '"$IP_B"'")' \
			"$p inbound on B: remedy points at B's inbound rule"
		stop_b
	fi
	sg_clear "$NS_B"

	# 4. Stateful one-way the other way: A's inbound dropped. B -> A fails.
	PORT=$((PORT + 1))
	sg_block "$NS_A" in "$PORT"
	if serve_b sg-check -p "$p" -P "$PORT"; then
		judged_a "$p inbound dropped on A" 1 -p "$p" -P "$PORT"
		json_is .verdict one_way "$p inbound on A: one_way"
		json_is '.directions.from_peer.status != "ok" and .directions.to_peer.status == "ok"' true \
			"$p inbound on A: names from_peer as the failing direction"
		stop_b
	fi
	sg_clear "$NS_A"

	# 5. Outbound dropped on A (a missing outbound rule): A -> B fails.
	PORT=$((PORT + 1))
	sg_block "$NS_A" out "$PORT"
	if serve_b sg-check -p "$p" -P "$PORT"; then
		judged_a "$p outbound dropped on A" 1 -p "$p" -P "$PORT"
		json_is .verdict one_way "$p outbound on A: one_way"
		json_is '.directions.to_peer.status != "ok"' true "$p outbound on A: to_peer fails"
		stop_b
	fi
	sg_clear "$NS_A"

	# 6. The control port dropped: control_unreachable; then --exec (playing ssh) passes.
	PORT=$((PORT + 1))
	in_b nft -f - <<NFT
table inet sg {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport $PORT drop
	}
}
NFT
	ok $? "$p: nftables drops the control port on B"
	if serve_b sg-check -p "$p" -P "$PORT"; then
		check_a "$p control port dropped" 3 -p "$p" -P "$PORT" -t $T "$IP_B"
		json_is .verdict control_unreachable "$p control port dropped: control_unreachable"
		json_true '.remedy | test("--exec")' "$p control port dropped: remedy suggests --exec"
		kill -9 "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
	fi
	check_a "$p control port dropped, --exec" 0 -p "$p" -t $T --exec "ip netns exec $NS_B"
	json_is .verdict pass "$p --exec 'ip netns exec B': pass without the port"
	sg_clear "$NS_B"

	# 7. The peer killed during the probe (fabric blocked, so the probe lasts): once it serves
	# the client (its "serving" line, a bounded wait), and 1.5 s more.
	PORT=$((PORT + 1))
	sg_block "$NS_B" in "$PORT"; sg_block "$NS_A" in "$PORT"
	if serve_b sg-check -p "$p" -P "$PORT"; then
		( wait_log "serving sg-check" 0 >/dev/null; sleep 1.5; kill -9 "$SERVER_PID" ) &
		killer=$!
		check_a "$p peer killed during the probe" 3 -p "$p" -P "$PORT" -t $T "$IP_B"
		json_true '.error.message | test("went away|closed")' "$p peer killed: says the peer went away"
		wait $killer
		stop_b
	fi
	sg_clear "$NS_A"; sg_clear "$NS_B"

	# 8. 10% loss and 50 ms delay each way: still pass, slower. Without sch_netem in the
	# kernel, nftables drops 10% at random instead (loss without the delay). Not more: the
	# loss hits TCP under the control channel and the provider, whose backoff doubles with each
	# loss of the same segment; at 20% about one run in ten under make -j4 ran out of a 20 s
	# budget, which no fixed budget can rule out.
	PORT=$((PORT + 1))
	if in_a tc qdisc add dev "va$$" root netem delay 50ms loss 10% 2>/dev/null &&
		in_b tc qdisc add dev "vb$$" root netem delay 50ms loss 10% 2>/dev/null; then
		impair="10% loss, 50 ms delay"; min_ms=50
	else
		for ns in "$NS_A" "$NS_B"; do
			ip netns exec "$ns" nft -f - <<NFT
table inet loss {
	chain output {
		type filter hook output priority 0; policy accept;
		oifname != "lo" numgen random mod 100 < 10 drop
	}
}
NFT
		done
		impair="10% random loss (nftables; no sch_netem here)"; min_ms=0
		diag "tc netem is not available in this kernel: loss without delay"
	fi
	# Loss hits the control connection too: TCP's retransmission backoff needs a longer budget.
	# And the set-up (60% of it) opens four endpoints on each side, one after another across
	# the two: libfabric 2.6's rxm fills its buffer pools (8 x 16 MiB) in fi_enable, 0.2 s on
	# an idle node and 2 s on a loaded one, so set-up took 12 to 14 s of -t 20 there, its
	# share was 12 s, and the probes under loss had no time left. What is asserted is that
	# loss alone still passes, not how fast: -t 30 gives the set-up 18 s; a passing run ends
	# as soon as every probe has crossed.
	if serve_b sg-check -p "$p" -P "$PORT" -t 30; then
		T_SAVE=$T; T=30
		check_a "$p $impair" 0 -p "$p" -P "$PORT" -t 30 "$IP_B"
		json_is .verdict pass "$p $impair: pass"
		json_true ".directions.to_peer.elapsed_ms >= $min_ms" "$p $impair: elapsed reported (>= $min_ms ms)"
		T=$T_SAVE
		stop_b
	fi
	in_a tc qdisc del dev "va$$" root 2>/dev/null; in_b tc qdisc del dev "vb$$" root 2>/dev/null
	in_a nft delete table inet loss 2>/dev/null; in_b nft delete table inet loss 2>/dev/null
done

# impair NS RULE PORT_LO PORT_HI: an nftables rule on NS's outgoing fabric traffic; the
# control ports PORT_LO..PORT_HI stay clean (the fault is in the fabric, not the control path).
impair() {
	ip netns exec "$1" nft -f - <<NFT
table inet impair {
	chain output {
		type filter hook output priority 0; policy accept;
		tcp dport $3-$4 accept
		tcp sport $3-$4 accept
		oifname != "lo" $2
	}
}
NFT
}
impair_clear() { in_a nft delete table inet impair 2>/dev/null; in_b nft delete table inet impair 2>/dev/null; return 0; }

# 9. An MTU black hole: packets above 1000 bytes vanish both ways, small ones cross. Before,
# this said BLOCKED and advised the self-referencing rule while the table showed 64 B crossing.
for p in "tcp;ofi_rxm" "udp;ofi_rxd"; do
	has_provider "$p" || { skip "sg-check MTU black hole $p" "provider absent"; continue; }
	PORT=$((PORT + 1))
	impair "$NS_A" "meta length > 1000 drop" "$PORT" "$PORT" &&
		impair "$NS_B" "meta length > 1000 drop" "$PORT" "$PORT"
	ok $? "$p: nftables drops packets above 1000 bytes"
	# -t 4: the large probes never arrive, so the run lasts its whole window (3.4 s).
	if serve_b sg-check -p "$p" -P "$PORT"; then
		T_SAVE=$T; T=4
		judged_a "$p MTU black hole" 1 -p "$p" -P "$PORT"
		T=$T_SAVE
		json_is .verdict size_limited "$p MTU black hole: size_limited, not blocked"
		json_true '.summary | startswith("FAIL: size_limited: ")' "$p MTU black hole: the summary says so"
		# 64 B probes cross both ways (all of them, one way at least), no 64 KiB one does.
		json_true '([.directions[] | .small_delivered > 0 and .large_delivered == 0 and
			.large_sent > 0] | all) and
			([.directions[] | .small_delivered == .small_sent] | any)' \
			"$p MTU black hole: 64 B probes crossed both ways, no 64 KiB one"
		json_true '.remedy | test("MTU") and test("jumbo") and (test("inbound rule|self-referencing") | not)' \
			"$p MTU black hole: the remedy names the MTU, not the security group"
		stop_b; [ "$SERVER_RC" -eq 1 ]; ok $? "$p MTU black hole: the server says size_limited too (exit 1)"
		grep -q '^FAIL: size_limited: ' "$TMPD/srv.out"; ok $? "$p MTU black hole: the server's verdict line agrees"
	fi
	impair_clear
done

# 10. 20% random loss on the fabric, the control path clean, at the default -t 5: loss delays
# and drops some probes but never all of a direction on every path, so each run says pass or
# lossy, never blocked, one_way or size_limited. Runs go two at a time (each its own server
# and port): 20 runs in about 45 s. Not more at a time: four pairs starting at once on two
# loaded cores spent most of the budget opening endpoints, leaving a probe window too short
# to say anything. Every run must come to a verdict: one whose client or server dies of a
# signal (libfabric 1.17's rxm crashed in fi_close under loss until operations in flight were
# drained first), or whose client times out, fails the test.
loss_runs() { # PROVIDER RUNS
	local p=$1 runs=$2 batch=2 i j k n port lo hi wrong=0 crashed=0 judged=0 short=0 verdicts=""
	local servers clients pid v rc
	local -A crc srvrc
	lo=$((PORT + 1)); hi=$((PORT + batch)); PORT=$hi
	impair "$NS_A" "numgen random mod 100 < 20 drop" "$lo" "$hi" &&
		impair "$NS_B" "numgen random mod 100 < 20 drop" "$lo" "$hi"
	ok $? "$p: nftables drops 20% of fabric packets at random"
	# In the scratch directory: a crash's backtrace file lands in the working directory.
	pushd "$TMPD" >/dev/null || return
	for ((i = 0; i < runs; i += batch)); do
		servers=()
		clients=()
		for ((j = 0; j < batch && i + j < runs; j++)); do
			port=$((lo + j)); k=$((i + j))
			: >"$TMPD/ls$k.err"
			in_b "$EFADIAG" sg-check -p "$p" -P "$port" -j >"$TMPD/ls$k.out" 2>"$TMPD/ls$k.err" &
			servers+=($!)
		done
		# A bounded wait (10 s) for the batch's servers to listen.
		for _ in $(seq 100); do
			n=0
			for ((j = 0; j < ${#servers[@]}; j++)); do
				grep -q "waiting for a client" "$TMPD/ls$((i + j)).err" && n=$((n + 1))
			done
			[ "$n" -eq "${#servers[@]}" ] && break
			sleep 0.1
		done
		for ((j = 0; j < ${#servers[@]}; j++)); do
			k=$((i + j))
			# -t 12: probes of up to 10 s, past tcp's second SYN retry (1 s, then 2 s
			# more), which sg-check needs (3.5 s) before it calls a direction dead while
			# the other works; on two loaded cores the set-up alone took up to 6 s.
			in_a timeout 25 "$EFADIAG" sg-check -j -p "$p" -P "$((lo + j))" -t 12 "$IP_B" \
				>"$TMPD/lc$k.out" 2>"$TMPD/lc$k.err" &
			clients+=($!)
		done
		# Clients end by timeout's 25 s; a server not done 5 s after its client is killed.
		for ((j = 0; j < ${#clients[@]}; j++)); do
			wait "${clients[$j]}"; crc[$((i + j))]=$?
		done
		for ((j = 0; j < ${#servers[@]}; j++)); do
			pid=${servers[$j]}
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -9 "$pid" 2>/dev/null && diag "run $((i + j)): server still running 5 s after its client"
			wait "$pid" 2>/dev/null; srvrc[$((i + j))]=$?
		done
		for ((j = 0; j < batch && i + j < runs; j++)); do
			k=$((i + j))
			# 124: timeout ended the client; above 128: a signal ended it (or the server).
			if [ "${crc[$k]}" -ge 124 ] || [ "${srvrc[$k]}" -gt 128 ] ||
				grep -q "terminated with signal" "$TMPD/lc$k.err" "$TMPD/ls$k.err"; then
				crashed=$((crashed + 1))
				diag "run $k: client exit ${crc[$k]}, server exit ${srvrc[$k]}"
				continue
			fi
			v=$(jq -r .verdict "$TMPD/lc$k.out" 2>/dev/null)
			judged=$((judged + 1))
			verdicts="$verdicts ${v:-none}"
			# A run whose setup ate the budget on a loaded node says so ("too short to
			# tell"): honest, not wrong, as long as it stays the exception.
			if [ "$v" = error ] && jq -e '.summary | test("too short to tell")' \
				"$TMPD/lc$k.out" >/dev/null 2>&1; then
				short=$((short + 1))
				diag "run $k: window too short to judge: $(jq -r .summary "$TMPD/lc$k.out")"
				continue
			fi
			case $v in pass | lossy) ;; *)
				diag "server: $(head -c 300 "$TMPD/ls$k.err")"
				wrong=$((wrong + 1))
				diag "run $k: verdict '${v:-none}': $(jq -c .directions "$TMPD/lc$k.out" 2>/dev/null | head -c 400)"
			esac
		done
	done
	popd >/dev/null || return
	impair_clear
	diag "$p 20% loss: $runs runs, $judged judged, $crashed crashed or timed out, $wrong wrong:$verdicts"
	[ "$wrong" -eq 0 ] && [ $((short * 4)) -le "$runs" ]
	ok $? "$p 20% loss: every judged run says pass or lossy ($judged of $runs; $short too short to judge)"
	[ "$crashed" -eq 0 ] && [ "$judged" -eq "$runs" ]
	ok $? "$p 20% loss: every run ends in a verdict, none by a signal or a timeout ($crashed did not)"
}
has_provider "tcp;ofi_rxm" && loss_runs "tcp;ofi_rxm" 20
has_provider "udp;ofi_rxd" && loss_runs "udp;ofi_rxd" 4

# 11. A peer that never answers on the control channel: it accepts, then stays silent.
PORT=$((PORT + 1))
if command -v python3 >/dev/null; then
	in_b python3 -c 'import socket,time,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(1); c,_=s.accept(); time.sleep(30)' "$PORT" &
	SILENT=$!
	# A bounded wait (10 s) until it listens.
	for _ in $(seq 100); do
		[ -n "$(in_b ss -Hltn "sport = :$PORT" 2>/dev/null)" ] && break
		sleep 0.1
	done
	[ -n "$(in_b ss -Hltn "sport = :$PORT" 2>/dev/null)" ]; ok $? "the silent peer listens on B"
	check_a "silent peer" 3 -p tcp -P "$PORT" -t $T "$IP_B"
	json_is .verdict control_unreachable "silent peer: control_unreachable"
	json_true '.error.message | test("did not answer")' "silent peer: says it did not answer"
	kill -9 $SILENT 2>/dev/null; wait $SILENT 2>/dev/null
else
	skip "silent peer" "python3 not available to play it"
fi

done_testing
