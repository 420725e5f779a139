#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bw for real on this machine: loopback, client and server over TCP and --exec, every op,
# --reverse, --bidir, --verify, --duration, two domains at once, and the usage errors.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

export EFADIAG_PEER_BIN="$EFADIAG"

# start_server ARGS...: a bw server on any free port (its port in SERVER_PORT); fails (a
# failed test) when it did not get ready.
start_server() { start_bg $EFADIAG_WRAPPER "$EFADIAG" bw "$@" -P 0 -j; }
wait_server() { stop_bg 100; }
# rows_sane LABEL N ITERS: N rows, positive rates, and bw consistent with the message rate.
rows_sane() {
	json_true "(.results|length)==$2 and all(.results[]; .iterations==$3 and .bw_gbps > 0 and
		.msg_rate_mps > 0 and
		((.msg_rate_mps * .bytes * 8 / 1000 - .bw_gbps) | fabs) <= 0.01 * .bw_gbps)" \
		"$1: $2 rows of $3 iterations, bw = rate x size"
}

# Loopback on each provider. udp;ofi_rxd loses packets with a deep window on one host: -W 16.
# The sockets provider crashes inside libfabric with two domains busy in one process; it is
# covered by the client/server runs instead.
for p in "tcp;ofi_rxm" $NATIVE_TCP net shm "udp;ofi_rxd"; do
	has_provider "$p" || { skip "bw --loopback $p" "provider absent"; continue; }
	w=64; [ "$p" = "udp;ofi_rxd" ] && w=16
	run bw --loopback -p "$p" -S 4k,64k -I 200 -W $w -j
	is_rc 0 "bw --loopback $p"
	contract_keys "bw loopback $p"
	rows_sane "loopback $p" 2 200
	json_is '.mode' loopback "loopback $p: mode"
done

# Text output: table with units, the verdict line.
run bw --loopback -p shm -S 64k -I 100
is_rc 0 "bw text output"
like "$OUT" 'BYTES +ITERS +BW\(Gbit/s\) +RATE\(Mmsg/s\)' "text: header with units"
like "$OUT" '^OK: peak [0-9.]+ Gbit/s at 64 KiB' "text: verdict line"
[ -z "$(printf '%s' "$ERR" | tr -d '\n')" ]; ok $? "no progress line on stderr when it is not a terminal"

# Rows as they are measured: the 64-byte row while the 1M size still runs, into a pipe.
rows_as_measured "bw rows" 1048576 bw --loopback -p tcp -S 64,1M -I 1000 -t 30

# Client and server as processes, each op the provider supports.
for p in "tcp;ofi_rxm" $NATIVE_TCP shm sockets; do
	has_provider "$p" || continue
	# The sockets provider progresses on its own threads, which a loaded machine starves.
	t=5; [ "$p" = sockets ] && t=30
	for op in send write read; do
		start_server -p "$p" -t $t || continue
		run bw -p "$p" -P "$SERVER_PORT" --op $op -S 4k,1M -I 64 -t $t -j 127.0.0.1
		# Under heavy load the sockets provider (1.17) can stop delivering for good after 51
		# of 64 messages, in this version and the one before: its own threads, not efadiag.
		# Such a stall gets one more try, on a fresh pair; a second one fails the test.
		if [ "$p" = sockets ] && [ "$RC" -eq 1 ] && grep -q "stopped delivering" "$TMPD/err"; then
			diag "sockets stalled (provider, under load): one more try"
			wait_server
			start_server -p "$p" -t $t || continue
			run bw -p "$p" -P "$SERVER_PORT" --op $op -S 4k,1M -I 64 -t $t -j 127.0.0.1
		fi
		is_rc 0 "bw $p --op $op"
		rows_sane "$p --op $op" 2 64
		json_is '.op' $op "$p --op $op: op reported"
		wait_server
		[ "$SERVER_RC" -eq 0 ]; ok $? "bw $p --op $op: server exits 0"
	done
done

# Directions and verification.
if start_server -p tcp; then
	run bw -p tcp -P "$SERVER_PORT" --reverse -S 64k -I 100 -j 127.0.0.1
	is_rc 0 "bw --reverse"
	json_is '.direction' server_to_client "--reverse: direction"
	wait_server
fi
if start_server -p tcp; then
	run bw -p tcp -P "$SERVER_PORT" --bidir --verify -S 4k,256k -I 100 -j 127.0.0.1
	is_rc 0 "bw --bidir --verify"
	json_is '.direction' bidir "--bidir: direction"
	rows_sane "--bidir" 2 100
	json_true '.results[0].msg_rate_mps * 4096 * 8 / 1000 > 0' "--bidir counts both directions"
	wait_server
fi
if start_server -p shm; then
	run bw -p shm -P "$SERVER_PORT" --op write --verify -S 64k -I 50 -j 127.0.0.1
	is_rc 0 "bw --op write --verify"
	wait_server
fi
# Writes both ways at once: each side is a target while it writes (the buffers must not mix).
run bw --loopback -p shm --bidir --op write --verify -S 4k,64k -I 200 -j
is_rc 0 "bw --bidir --op write --verify"
if start_server -p shm; then
	run bw -p shm -P "$SERVER_PORT" --op read --verify --reverse -S 64k -I 50 -j 127.0.0.1
	is_rc 0 "bw --op read --verify --reverse"
	wait_server
fi

# --verify catches a corrupted payload (the server flips byte 100 of what it sends).
if EFADIAG_TEST_CORRUPT_OFFSET=100 start_server -p tcp; then
	run bw -p tcp -P "$SERVER_PORT" --reverse --verify -S 4k -I 50 -j 127.0.0.1
	is_rc 1 "bw --verify with a corrupted payload"
	json_true '.error.message | test("payload differs at size 4 KiB .* offset 100")' "--verify names size and offset"
	wait_server
fi

# --exec, and --duration instead of a count. The lower bounds show the duration is honoured.
# The count is calibrated in the warmup, so a run that the CPU then starves (make -j4 on two
# cores: shm loopback ran 18 s for --duration 1) lasts longer: the upper bounds are loose.
start=$(date +%s.%N)
run bw -p tcp --exec env --duration 0.3 -S 64k,1M -j
end=$(date +%s.%N)
is_rc 0 "bw --exec env --duration 0.3"
json_true 'all(.results[]; .iterations >= 1)' "--duration: a count per size"
# Each reported run lasted most of the duration (bytes / rate), not a count from a slowed warmup.
json_true 'all(.results[]; .iterations * .bytes * 8 / (.bw_gbps * 1e9) >= 0.2)' \
	"--duration 0.3: each size's reported run lasted at least 0.2 s"
awk -v a="$start" -v b="$end" 'BEGIN{exit !(b-a >= 0.4 && b-a < 60)}'
ok $? "--duration 0.3 with two sizes: at least 0.4 s, ends in seconds ($(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s)"
start=$(date +%s.%N)
run bw --loopback -p shm --duration 1 -S 64k -q -j
end=$(date +%s.%N)
is_rc 0 "bw --duration 1"
awk -v a="$start" -v b="$end" 'BEGIN{d=b-a; exit !(d > 0.6 && d < 60)}'
ok $? "--duration 1 lasts about a second with warmup ($(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s)"

# Two domains at once (eth0 and lo here): a breakdown per domain and the aggregate.
if ! fi_info -p tcp -t FI_EP_RDM 2>/dev/null | grep -q "domain: lo" ||
	[ "$(fi_info -p tcp -t FI_EP_RDM 2>/dev/null | grep -c 'domain: ' )" -lt 2 ]; then
	skip "bw over two domains" "needs two tcp domains"
elif start_server -p tcp; then
	other=$(fi_info -p tcp -t FI_EP_RDM | awk '/domain:/ && $2 != "lo" {print $2; exit}')
	run bw -p tcp -P "$SERVER_PORT" -d "$other,lo" -S 64k -I 200 -j 127.0.0.1
	# Two lanes on one loaded CPU: either may come out below 80% of the other (WEAK, exit 1).
	# The exit code is asserted from the measured flags; bw-netns.sh makes a weak lane for sure.
	weak_consistent "bw over two domains"
	json_is '[.results[0].domains[].domain]|join(",")' "$other,lo" "two domains: one row each"
	json_is '[.results[0].domains[].peer_domain]|join(",")' "$other,lo" "two domains: paired with the server's by subnet"
	json_true '((.results[0].domains|map(.bw_gbps)|add) - .aggregate_gbps | fabs) < 1e-6' \
		"two domains: aggregate is the sum"
	json_true '[.results[0].domains[].weak]|all(type=="boolean")' "two domains: weak flags present"
	wait_server
fi

# A domain named twice would be one device measured as two lanes, the other never tested.
run bw --loopback -p shm -d shm,shm -S 64k -I 100 -j
is_rc 2 "-d shm,shm: a domain named twice is a usage error"
json_true '.error.message | test("given twice")' "-d shm,shm: says the name is given twice"

# --loopback: the server half uses the named domain too, and a missing provider is said once.
run bw --loopback -p tcp -d lo -S 4k -I 50 -j
is_rc 0 "bw --loopback -d lo"
json_true '.local.domain == "lo" and .peer.domain == "lo"' "bw --loopback -d lo: both halves on lo"
run bw --loopback -p nosuchprov -S 4k -I 50
is_rc 3 "bw --loopback with a missing provider"
[ "$(printf '%s\n' "$ERR" | grep -c '^efadiag')" = 1 ]
ok $? "bw --loopback with a missing provider: the error is said once"

# A peer command that never starts efadiag: bw waits two -t for its ready (the peer opens its
# endpoints first) and says so, with the advice for a -t that short.
run bw -p tcp --exec 'sleep 100;' -t 1 -S 64 -I 10 -j
is_rc 3 "bw with a peer command that hangs"
json_true '.error.message | test("did not answer within [0-9.]+ s \\(2 x -t 1 s\\), which is likely too short")' \
	"a hung peer: the wait it was (two -t), and that -t 1 is short for the handshake"

# Usage errors.
run bw --reverse --bidir --loopback
is_rc 2 "--reverse with --bidir"
run bw -W 0 --loopback
is_rc 2 "-W 0"
like "$ERR" "window" "-W 0: names the option"
run bw --op bogus --loopback
is_rc 2 "--op bogus"
like "$ERR" "not an operation" "--op bogus: says what is allowed"
run bw --all-domains -d eth0 --loopback
is_rc 2 "--all-domains with -d"
run bw --duration 1 -I 5 --loopback
is_rc 2 "--duration with -I"
EFADIAG_SYSROOT=$TMPD/no-such-root run bw --loopback -p shm -S 4k -I 10
is_rc 2 "EFADIAG_SYSROOT that is not there"
like "$ERR" "EFADIAG_SYSROOT=.*no-such-root" "a missing sysroot is named, not read as an unknown instance"

# No server (a port held closed): exit 3.
if hold_closed_port; then
	run bw -p tcp -P "$CLOSED_PORT" -t 1 -j 127.0.0.1
	is_rc 3 "bw without a server"
	json_true '.error.message | test("cannot connect to 127.0.0.1 port '"$CLOSED_PORT"'")' \
		"bw without a server: names host and port"
else
	skip "bw without a server" "neither python3 nor perl here to hold a closed port"
fi

done_testing
