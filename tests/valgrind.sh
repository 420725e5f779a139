#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# valgrind memcheck on info, stats, pingpong --loopback, sg-check --loopback and a client/server
# pingpong: no invalid access, no definite leak in efadiag's own code.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

if ! command -v valgrind >/dev/null; then
	skip "valgrind memcheck" "valgrind is not installed"
	done_testing
	exit
fi
# An ASan build cannot run under valgrind; the ASan suite covers it instead.
if ldd "$EFADIAG" 2>/dev/null | grep -q libasan || nm "$EFADIAG" 2>/dev/null | grep -q __asan_init; then
	skip "valgrind memcheck" "this efadiag is built with AddressSanitizer"
	done_testing
	exit
fi

VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
	--show-leak-kinds=definite --suppressions=$TOP_SRCDIR/tests/valgrind.supp"
export EFADIAG_PEER_BIN="$EFADIAG"

memcheck() { # LABEL WANT_RC ARGS...
	local label=$1 want=$2
	shift 2
	# shellcheck disable=SC2086
	$VG "$EFADIAG" "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	[ "$RC" -eq "$want" ]
	ok $? "valgrind: $label (exit $want, no memcheck error)"
	[ "$RC" -eq "$want" ] || diag "exit $RC" "$(jq -r .summary "$TMPD/out" 2>/dev/null | head -c 300)" \
		"$(grep -E '==[0-9]+==' "$TMPD/err" | head -20)"
}

# info's listing and opens run in child processes bounded by -t: under valgrind on a loaded
# machine the default 5 s was too short once (the listing called hung, exit 1).
memcheck "info -p tcp" 0 info -p tcp -t 30 -j
EFADIAG_SYSROOT="$FIXTURES/p4d-healthy" memcheck "info on the p4d fixture" 1 info -t 30 -j
# Under valgrind both processes run 20-50 times slower: a budget to match (pingpong's peer
# must answer the hello, its endpoint opened, within one -t).
memcheck "pingpong --loopback" 0 pingpong --loopback -p tcp -S 64,64k -I 50 -t 30 -j
memcheck "sg-check --loopback" 0 sg-check --loopback -p tcp -t 30 -j
memcheck "bw --loopback" 0 bw --loopback -p tcp -S 64k -I 20 -W 4 -t 30 -j
memcheck "pingpong --exec (client and peer)" 0 pingpong -p tcp --exec env -S 64 -I 20 -t 30 -j
EFADIAG_SYSROOT="$FIXTURES/stats-current" memcheck "stats snapshot" 0 stats -j
EFADIAG_SYSROOT="$FIXTURES/stats-current" memcheck "stats -i 0.1 -c 3" 0 stats -i 0.1 -c 3
EFADIAG_SYSROOT="$FIXTURES/stats-old" memcheck "stats --prom - (old layout)" 0 stats --prom - -i 0.1 -c 2
memcheck "usage error" 2 pingpong -S bogus -j
# stats --listen: the HTTP thread, scrapes set aside for a reading and resumed, a refused
# request, then SIGTERM.
if command -v curl >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	EFADIAG_SYSROOT="$FIXTURES/stats-current" $VG "$EFADIAG" stats --listen 127.0.0.1:0 -j \
		>"$TMPD/out" 2>"$TMPD/err" &
	vg_pid=$!
	port=""
	for i in $(seq 300); do # valgrind starts slowly: 30 s at most
		port=$(grep -m1 -oE 'serving http://127\.0\.0\.1:[0-9]+/' "$TMPD/err" | grep -oE '[0-9]+/$')
		[ -n "$port" ] || ! kill -0 "$vg_pid" 2>/dev/null && break
		sleep 0.1
	done
	if [ -n "$port" ]; then
		port=${port%/}
		for i in 1 2 3 4 5 6; do
			curl -s -m 20 -o /dev/null "http://127.0.0.1:$port/metrics" &
		done
		curl -s -m 20 -o /dev/null "http://127.0.0.1:$port/healthz"
		curl -s -m 20 -o /dev/null -X POST "http://127.0.0.1:$port/metrics"
		curl -s -m 20 -o /dev/null "http://127.0.0.1:$port/metrics"
		sleep 1
		kill -TERM "$vg_pid"
		wait "$vg_pid"
		RC=$?
		ok $((RC != 0)) "valgrind: stats --listen, scraped, then SIGTERM (exit 0, no memcheck error)"
		[ "$RC" -eq 0 ] || diag "exit $RC" "$(grep -E '==[0-9]+==' "$TMPD/err" | head -20)"
	elif grep -q 'built without libmicrohttpd' "$TMPD/err"; then
		wait "$vg_pid"
		skip "valgrind: stats --listen" "efadiag was built without libmicrohttpd"
	else
		kill -9 "$vg_pid" 2>/dev/null
		wait "$vg_pid"
		ok 1 "valgrind: stats --listen starts serving"
		diag "$(head -c 600 "$TMPD/err")"
	fi
else
	skip "valgrind: stats --listen" "curl is not installed"
fi
if hold_closed_port; then
	memcheck "no server" 3 pingpong -p tcp -P "$CLOSED_PORT" -t 1 127.0.0.1 -j
else
	skip "valgrind: no server" "neither python3 nor perl here to hold a closed port"
fi

done_testing
