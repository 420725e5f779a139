#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pingpong for real: loopback, client and server as separate processes over TCP and --exec,
# on every RDM provider present here, and the error paths.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

export EFADIAG_PEER_BIN="$EFADIAG"

# start_server ARGS... / wait_server: an efadiag server in the background on any free port
# (-P 0), its port in SERVER_PORT (tests/lib.sh); start_server fails (a failed test) when the
# server did not get ready.
start_server() { start_bg $EFADIAG_WRAPPER "$EFADIAG" "$@" -P 0; }
wait_server() { stop_bg 100; }

# results_sane LABEL N: the results array has N rows with ordered, positive latencies.
results_sane() {
	json_true "(.results|length)==$2 and all(.results[];
		.lat_min_usec > 0 and .lat_min_usec <= .lat_p50_usec and
		.lat_p50_usec <= .lat_p99_usec and .lat_p99_usec <= .lat_max_usec and
		.lat_min_usec <= .lat_avg_usec and .lat_avg_usec <= .lat_max_usec and
		.mb_per_sec > 0)" "$1: $2 result rows with min <= p50 <= p99 <= max, avg in range"
}

providers=()
for p in "tcp;ofi_rxm" $NATIVE_TCP net "udp;ofi_rxd" shm sockets; do
	if has_provider "$p"; then providers+=("$p"); else skip "provider $p" "not offered by this libfabric"; fi
done

# Loopback on every provider: a node self-test with no peer.
for p in "${providers[@]}"; do
	run pingpong --loopback -p "$p" -S 64,4k -I 200 -j
	is_rc 0 "loopback $p"
	contract_keys "loopback $p"
	json_is '.command' pingpong "loopback $p: command"
	json_is '[.results[].bytes]|join(",")' "64,4096" "loopback $p: sizes as asked"
	json_is '[.results[].iterations]|unique|join(",")' 200 "loopback $p: 200 iterations each"
	results_sane "loopback $p" 2
done

# Client and server as separate processes, TCP control channel, on each provider.
for p in "${providers[@]}"; do
	start_server pingpong -p "$p" -j || continue
	run pingpong -p "$p" -P "$SERVER_PORT" -S 64,1k,64k -I 100 -w 5 -j 127.0.0.1
	is_rc 0 "client/server $p"
	results_sane "client $p" 3
	json_true '.peer.efadiag_version == .efadiag_version' "client $p: peer's version reported"
	wait_server
	[ "$SERVER_RC" -eq 0 ]; ok $? "server $p exits 0 after one client"
	cp "$TMPD/srv.out" "$TMPD/out"
	json_is '[.results[].bytes]|join(",")' "64,1024,65536" "server $p prints its own results"
done

# Text output: aligned table with units, and the verdict line.
run pingpong --loopback -p tcp -S 64 -I 50 -t 15 # -t 15: a loaded machine held the hello past 5 s
is_rc 0 "text output"
like "$OUT" 'SIZE +ITERS +MIN\(us\) +AVG\(us\) +P50\(us\) +P99\(us\) +MAX\(us\) +BW\(Gbit/s\)' "table header with units"
like "$OUT" '^OK: 1 size; 64 B one-way latency p50 [0-9.]+ us' "verdict line"

# --exec: the peer started through a launcher ('env' plays ssh), no port involved.
run pingpong -p tcp --exec env -S 64,4k -I 100 -j
is_rc 0 "--exec env"
results_sane "--exec env" 2
json_true '.peer.control | test("serve --stdio")' "--exec names the launched peer"
run pingpong -p shm --exec env -S 256 -I 50 --verify
is_rc 0 "--exec env over shm with --verify"

# A launcher that fails, or a peer without efadiag: exit 3 naming why, and no child left.
run pingpong -p tcp --exec false -S 64 -I 10 -j
is_rc 3 "--exec false"
json_true '.error.message | test("peer command exited with status 1")' "--exec false: the peer's exit status"
EFADIAG_PEER_BIN=/nonexistent/efadiag run pingpong -p tcp --exec env -S 64 -I 10 -j
is_rc 3 "--exec with efadiag missing on the peer"
json_true '.error.message | test("status 127: efadiag not found")' "missing peer binary is named"

# No peer outlives its client. The launcher notes its pid and becomes the peer (exec, as env
# does), so each peer's pid is known: once the client has exited, none may still run.
printf '#!/bin/sh\necho $$ >>"%s"\nexec "$@"\n' "$TMPD/peer.pids" >"$TMPD/launch"
chmod +x "$TMPD/launch"
: >"$TMPD/peer.pids"
# peers_gone LABEL: the launcher started one peer, and it is not running now.
peers_gone() {
	local pid alive=""
	[ "$(wc -l <"$TMPD/peer.pids")" -eq 1 ]
	ok $? "$1: the peer was launched ($(wc -l <"$TMPD/peer.pids") pid noted)"
	for pid in $(cat "$TMPD/peer.pids"); do
		# The pid may have gone to another process since: only an efadiag serve counts.
		tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q 'serve --stdio' &&
			alive="$alive $pid"
	done
	[ -z "$alive" ]; ok $? "$1: no serve --stdio child outlives the client"
	[ -z "$alive" ] || diag "still running:$alive"
	: >"$TMPD/peer.pids"
}
run pingpong -p tcp --exec "$TMPD/launch" -S 64 -I 50 -j
is_rc 0 "--exec through a launcher"
peers_gone "--exec, test done"
# The peer cannot open the provider: it ends the test, the client says why.
run pingpong -p nosuchprov --exec "$TMPD/launch" -S 64 -I 10 -j
is_rc 3 "--exec with a provider the peer lacks"
peers_gone "--exec, peer refused the test"
# The peer is killed mid-test (not by the client): the client ends, reaps it, names it.
( for _ in $(seq 100); do [ -s "$TMPD/peer.pids" ] && break; sleep 0.1; done
  sleep 0.5; kill -9 "$(head -n1 "$TMPD/peer.pids")" ) &
run pingpong -p tcp --exec "$TMPD/launch" -S 64 -I 100000000 -t 2 -j
wait $!
# Exit 1 or 3 by which the client notices first (the fabric or the control pipe): what is
# tested here is that the client ends and leaves nothing behind.
[ "$RC" -ne 0 ]; ok $? "--exec, the peer killed mid-test: the client fails (exit $RC)"
json_true '.error.message | test("closed")' "--exec, the peer killed: says the peer closed the channel"
peers_gone "--exec, peer killed"
# The client ends on its own timeout while the peer still runs (SIGSTOP: it cannot answer).
( for _ in $(seq 100); do [ -s "$TMPD/peer.pids" ] && break; sleep 0.1; done
  sleep 0.5; kill -STOP "$(head -n1 "$TMPD/peer.pids")" ) &
run pingpong -p tcp --exec "$TMPD/launch" -S 64 -I 100000000 -t 1 -j
wait $!
[ "$RC" -ne 0 ]; ok $? "--exec, a peer that stops answering: the client fails (exit $RC)"
peers_gone "--exec, peer stopped"

# SIGINT and SIGTERM during an --exec run: the launcher and everything it started are gone.
# The launcher here is a shell that stays (no exec), so the peer is a grandchild, as with ssh.
ln -s "$EFADIAG" "$TMPD/efadiag-peer-$$"
for sig in INT TERM; do
	EFADIAG_PEER_BIN="$TMPD/efadiag-peer-$$" "$EFADIAG" pingpong -p tcp \
		--exec "sh -c '\"\$@\"; true' sh" -S 64 -I 100000000 -q >/dev/null 2>&1 &
	client=$!
	# Bounded (20 s): the peer is up, so the check below has something to find.
	for _ in $(seq 200); do pgrep -f "efadiag-peer-$$ serve --stdio" >/dev/null && break; sleep 0.1; done
	pgrep -f "efadiag-peer-$$ serve --stdio" >/dev/null; ok $? "SIG$sig: the peer is running"
	sleep 0.5
	kill -$sig $client
	wait $client
	rc=$?
	[ $rc -eq $((128 + $(kill -l $sig))) ]; ok $? "SIG$sig: efadiag dies of the signal (exit $rc)"
	# The client sent the peer's whole group SIGTERM before dying; a bounded wait (3 s) for
	# them to be gone.
	for _ in $(seq 30); do pgrep -f "efadiag-peer-$$" >/dev/null || break; sleep 0.1; done
	[ -z "$(pgrep -f "efadiag-peer-$$")" ]; ok $? "SIG$sig: no peer process left behind"
done

# --verify passes on clean payloads, and catches a corrupted one with its offset.
run pingpong --loopback -p tcp -S 64,64k -I 50 --verify -j
is_rc 0 "--verify loopback"
if EFADIAG_TEST_CORRUPT_OFFSET=100 start_server pingpong -p tcp; then
	run pingpong -p tcp -P "$SERVER_PORT" -S 64,4k -I 10 --verify -j 127.0.0.1
	is_rc 1 "--verify with a corrupted payload"
	json_true '.error.message | test("differs at size 4 KiB, iteration 0, offset 100")' "--verify names size, iteration and offset"
	json_is '.status' fail "--verify failure: status fail (exit 1)"
	wait_server
fi

# No server: a clear error within the timeout, exit 3. The port is held closed (bound, not
# listening), so no server of another test can be there.
if hold_closed_port; then
	start=$(date +%s.%N)
	run pingpong -p tcp -P "$CLOSED_PORT" -t 2 -j 127.0.0.1
	end=$(date +%s.%N)
	is_rc 3 "no server"
	json_true '.error.message | test("cannot connect to 127.0.0.1 port '"$CLOSED_PORT"'")' "no server: message names host and port"
	awk -v a="$start" -v b="$end" 'BEGIN{exit !(b-a < 3)}'; ok $? "no server: ends within the timeout"
	json_true '.remedy | test("Start .efadiag serve. on 127.0.0.1 and allow TCP port '"$CLOSED_PORT"'")' \
		"no server: the remedy says what to start and which port to open"
	# In text, the run closes with ERROR: and the fix, as every command's does.
	run pingpong -p tcp -P "$CLOSED_PORT" -t 2 127.0.0.1
	is_rc 3 "no server, text"
	[ "$(printf '%s\n' "$OUT" | tail -n 2 | cut -c1-7 | tr '\n' ' ')" = "ERROR: Fix: Sta" ] ||
		[ "$(printf '%s\n' "$OUT" | tail -n 2 | sed -n '1s/^\(ERROR: cannot connect\).*/\1/p;2s/^\(Fix: Start\).*/\1/p' |
			tr '\n' '|')" = "ERROR: cannot connect|Fix: Start|" ]
	ok $? "no server, text: stdout closes with ERROR: (the message) and Fix:"
	like "$ERR" "^efadiag: pingpong: cannot connect" "no server, text: the message is on stderr too"
else
	skip "no server" "neither python3 nor perl here to hold a closed port"
fi

# Provider mismatch between the ends: refused with what to do, and the one-client server is
# not used up by it (it serves the right client next).
if start_server pingpong -p shm; then
	run pingpong -p tcp -P "$SERVER_PORT" -j 127.0.0.1
	is_rc 3 "provider mismatch"
	json_true '.error.message | test("provider mismatch: this server uses shm, the client asked for tcp")' "provider mismatch is named"
	json_true '.remedy | test("same -p on both ends")' "provider mismatch: the remedy is the same -p"
	# The fix is the result's, on stdout (docs/vocabulary.md); stderr has the error alone.
	run pingpong -p tcp -P "$SERVER_PORT" 127.0.0.1
	is_rc 3 "provider mismatch (text)"
	like "$OUT" "^Fix: Use the same -p" "provider mismatch: a Fix line on stdout"
	printf '%s' "$ERR" | grep -q "Fix:"
	ok $((!$?)) "provider mismatch: no Fix line on stderr"
	run pingpong -p shm -P "$SERVER_PORT" -S 64 -I 10 -j 127.0.0.1
	is_rc 0 "after a refused client, the one-client server serves the right one"
	wait_server
	[ "$SERVER_RC" = 0 ]; ok $? "the one-client server exits with its client's status"
	like "$(cat "$TMPD/srv.err")" "ignored a connection from .*provider mismatch" "server logs the mismatch"
fi

# Providers are compared by what the names open here, not as typed: on libfabric 1.x tcp, TCP
# and tcp;ofi_rxm are one provider, udp and udp;ofi_rxd another.
for pair in "tcp|tcp;ofi_rxm" "tcp|TCP" "tcp;ofi_rxm|tcp" "udp|udp;ofi_rxd"; do
	sp=${pair%%|*} cp=${pair#*|}
	if ! has_provider "$sp" || [ "$(fi_info -p "$sp" -t FI_EP_RDM 2>/dev/null |
		awk '/provider:/ {print $2; exit}')" != "$(fi_info -p "$cp" -t FI_EP_RDM 2>/dev/null |
		awk '/provider:/ {print $2; exit}')" ]; then
		skip "server -p $sp, client -p $cp" "not the same provider in this libfabric"
		continue
	fi
	if start_server pingpong -p "$sp"; then
		run pingpong -p "$cp" -P "$SERVER_PORT" -S 64 -I 10 -j 127.0.0.1
		is_rc 0 "server -p $sp serves a client -p $cp (the same provider)"
		wait_server
	fi
done

# A one-client server is not used up by a stray connection (an HTTP health probe, a port
# scan): it logs one line and serves the real client after it.
if start_server pingpong -p tcp -t 3; then
	srv_send 'GET / HTTP/1.0\r\n\r\n' 0 'ignored a connection from .*bad magic 47455420.*GET / HTTP/1.0\\r\\n'
	ok $? "a one-client server logs the HTTP probe, its bytes escaped"
	kill -0 "$SERVER_PID" 2>/dev/null; ok $? "the one-client server still waits after the probe"
	run pingpong -p tcp -P "$SERVER_PORT" -S 64 -I 10 -j 127.0.0.1
	is_rc 0 "the real client is served after the probe"
	wait_server
	[ "$SERVER_RC" = 0 ]; ok $? "the one-client server exits 0 after its real client"
fi

# An --exec command whose shell prints a banner: named with its text, escaped, and the fix.
printf '#!/bin/sh\nprintf "Welcome to node-b\\033[2J\\n"\nexec "$@"\n' >"$TMPD/banner"
chmod +x "$TMPD/banner"
run pingpong -p tcp --exec "$TMPD/banner" -S 64 -I 10 -j
is_rc 3 "--exec with a banner"
json_true '.error.message | test("bad magic 57656c63\\): the command wrote \"Welcome to node-b\\\\x1b\\[2J\\\\n\" to stdout before efadiag started")' \
	"--exec with a banner: the banner is quoted, escaped"
json_true '.remedy | test("interactive shells or to stderr")' "--exec with a banner: how to quiet it"

# A hung --exec peer: the client ends within its -t (it was 2 s more than twice -t), and a
# -t shorter than the handshake says so.
start=$(date +%s.%N)
run pingpong -p tcp --exec 'sleep 100;' -t 2 -S 64 -I 10 -j
end=$(date +%s.%N)
is_rc 3 "--exec peer that never answers"
json_true '.error.message | test("started but did not answer within -t 2 s")' "a hung peer: named"
awk -v a="$start" -v b="$end" 'BEGIN{exit !(b-a < 3)}'
ok $? "a hung --exec peer at -t 2: the client ends within its bound ($(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s)"
# A peer whose start takes 0.3 s (as ssh or kubectl exec can) against -t 0.1: a budget that
# cannot hold the handshake on any libfabric (2.x's tcp starts within 0.05 s here).
printf '#!/bin/sh\nsleep 0.3\nexec "$@"\n' >"$TMPD/slow-start"
chmod +x "$TMPD/slow-start"
run pingpong -p tcp --exec "$TMPD/slow-start" -t 0.1 -S 64 -I 10 -j
is_rc 3 "-t 0.1 through an --exec peer that starts in 0.3 s"
json_true '.error.message | test("within -t 0.1 s, which is likely too short for the handshake")' \
	"-t shorter than the handshake: says the budget is too short"
json_true '.remedy | test("larger -t")' "-t shorter than the handshake: suggests a larger -t"

# Server killed mid-run: the client ends with a message, not a hang. Killed once the test
# runs: the server's "serving" line (a bounded wait), which it prints before it answers the
# client, and 1.5 s more for that answer (0.3 s was too short on a loaded machine: the client
# then rightly said the server accepted but never answered).
if start_server pingpong -p tcp; then
	( wait_log "serving pingpong" 0 >/dev/null; sleep 1.5; kill -9 "$SERVER_PID" ) &
	killer=$!
	start=$(date +%s)
	run pingpong -p tcp -P "$SERVER_PORT" -S 64 -I 100000000 -t 5 -j 127.0.0.1
	end=$(date +%s)
	is_rc 3 "server killed mid-run"
	json_true '.error.message | test("closed the control connection mid-test")' "server killed: says the peer went away"
	[ $((end - start)) -lt 15 ]; ok $? "server killed: client ends within the timeout ($((end - start)) s)"
	wait $killer
	wait_server
fi

# A persistent server survives garbage, a silent half-open client, a too-long frame, a newer
# protocol version, and then serves a normal client. One connection at a time, each once the
# server has logged the last (srv_send: one that comes while it finishes gets "busy", again).
# -t 3, not less: a client on a loaded machine may take a second to open its endpoint before
# its hello, and the server's timeout is also how long it waits for a hello.
if start_server serve --persist -t 3; then
	srv_send 'GET / HTTP/1.0\r\n\r\n' 0 "not an efadiag peer \(bad magic"
	ok $? "garbage is logged as not an efadiag peer"
	srv_send '' 3.5 "no message from .* before the timeout"
	ok $? "a silent client is dropped after the timeout"
	srv_send 'EFAD\002\001\000\000\377\377\377\377' 0 "exceeds the 65536-byte limit"
	ok $? "an oversized frame is refused unread"
	srv_send 'EFAD\003\001\000\000\000\000\000\002{}' 0 "protocol version 3"
	ok $? "a newer protocol version is named"
	run_unbusy pingpong -p tcp -P "$SERVER_PORT" -S 64 -I 20 -j 127.0.0.1
	is_rc 0 "persistent server serves a normal client after bad ones"
	kill -0 "$SERVER_PID" 2>/dev/null; ok $? "persistent server still running"
	kill "$SERVER_PID" 2>/dev/null; wait_server
fi

# --loopback runs the server half in a child process of its own (two endpoints of one provider
# in one process are fragile: libfabric 2.x's shm crashes there). While a long run goes on, the
# client has exactly one child, the same efadiag; SIGTERM to the client ends both.
"$EFADIAG" pingpong --loopback -p tcp -S 64 -I 100000000 -t 5 -q >/dev/null 2>&1 &
LOOP_PID=$!
child=$(child_of "$LOOP_PID" 10)
[ -n "$child" ]; ok $? "--loopback: the server half is a child process"
[ -n "$child" ] && [ "$(readlink "/proc/$child/exe")" = "$(readlink -f "$EFADIAG")" ]
ok $? "--loopback: the child is efadiag itself"
[ "$(pgrep -P "$LOOP_PID" | wc -l)" -eq 1 ]; ok $? "--loopback: exactly one child"
kill -TERM "$LOOP_PID" 2>/dev/null
for _ in $(seq 50); do
	kill -0 "$LOOP_PID" 2>/dev/null || { [ -n "$child" ] && kill -0 "$child" 2>/dev/null; } || break
	sleep 0.1
done
wait "$LOOP_PID" 2>/dev/null
! kill -0 "$LOOP_PID" 2>/dev/null && { [ -z "$child" ] || ! kill -0 "$child" 2>/dev/null; }
ok $? "--loopback: SIGTERM ends the client and its child within 5 s"
[ -n "$child" ] && kill -9 "$child" 2>/dev/null

# Rows as they are measured: the 64-byte row while the 1M size still runs, into a pipe.
if has_provider tcp; then
	rows_as_measured "pingpong rows" "1 MiB" pingpong --loopback -p tcp -S 64,1M -I 1000 -t 30
else
	skip "pingpong rows as measured" "no tcp provider here"
fi
# A size that takes long counts its round trips on a terminal's stderr, and clears the line
# before its row; into a pipe (above: stderr empty) it says nothing. script(1) gives the pty.
# 4,000 round trips of 1 MiB over tcp take seconds here; a host that runs them in under 2 s
# may end before the line's first 0.5 s, and the case then skips, saying so.
if has_provider tcp && command -v script >/dev/null; then
	t0=$(date +%s.%N)
	timeout 120 script -qec "'$EFADIAG' pingpong --loopback -p tcp -S 1M -I 4000 -t 30" /dev/null \
		>"$TMPD/pty" 2>&1
	took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	if ! grep -q 'round trips' "$TMPD/pty" && awk -v t="$took" 'BEGIN { exit !(t < 2) }'; then
		skip "pingpong progress on a terminal" "the size took only $took s"
	else
		grep -q 'pingpong 1 MiB: [ 0-9]*%  [0-9]* of 4010 round trips' "$TMPD/pty"
		ok $? "on a terminal: a long size counts its round trips on stderr (took $took s)"
		tr '\r' '\n' <"$TMPD/pty" | grep -A1 'round trips' | tail -n 1 | grep -q '^ *$'
		ok $? "on a terminal: the count is cleared before the row"
	fi
	run pingpong --loopback -p tcp -S 1M -I 4000 -t 30
	! grep -q 'round trips' "$TMPD/err"
	ok $? "into a file: no count on stderr"
else
	skip "pingpong progress on a terminal" "no tcp provider or no script(1)"
fi

# --bind: a server listens on that address only. 127.0.0.2 is loopback too: a server on every
# address takes it (the control), one bound to 127.0.0.1 refuses it and still serves 127.0.0.1.
if has_provider tcp; then
	if start_bg "$EFADIAG" serve --persist -P 0 -p tcp; then
		(exec 3<>"/dev/tcp/127.0.0.2/$SERVER_PORT") 2>/dev/null
		ok $? "a server without --bind takes a connection to 127.0.0.2"
		kill "$SERVER_PID" 2>/dev/null
		stop_bg 10
	fi
	if start_bg "$EFADIAG" serve --persist -P 0 -p tcp --bind 127.0.0.1; then
		like "$(cat "$TMPD/srv.err")" "waiting for a client on TCP port $SERVER_PORT of 127.0.0.1" \
			"--bind 127.0.0.1: the server says where it listens"
		(exec 3<>"/dev/tcp/127.0.0.2/$SERVER_PORT") 2>/dev/null
		ok $((!$?)) "--bind 127.0.0.1: a connection to 127.0.0.2 is refused"
		run pingpong -p tcp -S 64 -I 10 -t 5 -P "$SERVER_PORT" 127.0.0.2 -j
		is_rc 3 "--bind 127.0.0.1: a client of 127.0.0.2 cannot connect"
		json_true '.error.message | test("127.0.0.2 port [0-9]+: Connection refused")' \
			"--bind 127.0.0.1: the client says the connection was refused"
		run_unbusy pingpong -p tcp -S 64 -I 10 -t 10 -P "$SERVER_PORT" 127.0.0.1 -j
		is_rc 0 "--bind 127.0.0.1: a client of 127.0.0.1 is served"
		kill "$SERVER_PID" 2>/dev/null
		stop_bg 10
	fi
	run pingpong -p tcp -P 0 --bind 192.0.2.123 -t 2
	is_rc 3 "--bind an address not on this node: could not run"
	like "$ERR" "cannot listen on 192.0.2.123 port 0: .*address of this node" \
		"--bind an address not on this node: says so"
else
	for _ in 1 2 3 4 5 6 7 8 9; do skip "--bind" "no tcp provider here"; done
fi
for args in "pingpong --bind 127.0.0.1 127.0.0.1" "pingpong --bind 127.0.0.1 --loopback" \
	"bw --bind 127.0.0.1 --exec true" "sg-check --bind ::1 127.0.0.1"; do
	# shellcheck disable=SC2086
	run $args
	is_rc 2 "$args: --bind does nothing for a client"
	like "$ERR" "--bind is where a server listens" "$args: says so"
done
run serve --stdio --bind 127.0.0.1
is_rc 2 "serve --stdio --bind: refused"
like "$ERR" "--bind does not apply" "serve --stdio --bind: says so"
run pingpong --bind localhost
is_rc 2 "--bind localhost: a name, refused"
like "$ERR" "numeric IPv4 or IPv6 address" "--bind localhost: says what it takes"
run stats --bind 127.0.0.1
is_rc 2 "stats --bind: not an option of stats"

# Usage errors specific to pingpong.
run pingpong --loopback 127.0.0.1
is_rc 2 "--loopback with HOST"
run pingpong --exec env 127.0.0.1
is_rc 2 "--exec with HOST"
run pingpong -S 0 --loopback
is_rc 2 "-S 0"
like "$ERR" "sizes" "-S 0: names the option"

done_testing
