#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# efadiag stats --listen on fixture trees (EFADIAG_SYSROOT): /metrics and /healthz, promtool's
# lint, Debian's real prometheus server scraping it and computing rate() of a counter this script
# advances, the cache (many scrapers, one reading), 50 concurrent scrapers with malformed
# requests, slow and idle clients (answers on time, memory flat), one client address that opens
# too many connections, a read that hangs, SIGINT and SIGTERM, a port taken, bad options.
. "$(dirname "$0")/lib.sh"

CUR=$FIXTURES/stats-current
SHIM=${EFADIAG_TEST_READ_SHIM:-$(dirname "$EFADIAG")/tests/read-hang.so}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# Every wait of this script is bounded by these (seconds); a loaded machine gets some slack.
START_WAIT=${START_WAIT:-30}

command -v curl >/dev/null 2>&1 || { echo "1..0 # SKIP curl is not installed"; exit 0; }

# ---- options, before anything is served --------------------------------------------------------
for bad in "--listen" "--listen 65536" "--listen ::1:80" "--listen [::1]80" "--listen host:http" \
	"--listen 0 --prom -" "--listen 0 -c 3"; do
	# shellcheck disable=SC2086
	EFADIAG_SYSROOT=$CUR run stats $bad
	is_rc 2 "stats $bad is refused"
done
like "$(EFADIAG_SYSROOT=$CUR "$EFADIAG" stats --listen ::1:80 2>&1)" \
	"invalid value '::1:80' for --listen: an IPv6 address is written \[ADDR\]:PORT" \
	"a bad --listen says how to write it"

# Without libmicrohttpd, --listen is an error that names what to install, and nothing here runs.
EFADIAG_SYSROOT=$TMPD/nonexistent run stats --listen 127.0.0.1:0
if [ "$RC" -eq 3 ] && printf '%s' "$ERR" | grep -q 'built without libmicrohttpd'; then
	like "$ERR" 'install libmicrohttpd-dev' \
		"built without libmicrohttpd: --listen says what to install"
	skip "stats --listen" "efadiag was built without libmicrohttpd (libmicrohttpd-dev)"
	done_testing
	exit
fi

# tree NAME: a writable copy of stats-current in $TMPD/NAME; sets T and P (rdmap80s0's port
# counters).
tree() {
	T=$TMPD/$1
	rm -rf "$T"
	cp -r "$CUR" "$T"
	P=$T/sys/class/infiniband/rdmap80s0/ports/1/hw_counters
}

# set_counter FILE VALUE: a whole new value at once (rename), as a reader must never see half.
set_counter() {
	echo "$2" >"$1.new" && mv "$1.new" "$1"
}

# listen_start [ADDR:]PORT ARGS...: efadiag stats --listen in the background (environment as the
# caller sets it); waits, bounded, for its "serving http://ADDR:PORT/" line. Sets LPID, LPORT and
# URL (the base URL to reach it on 127.0.0.1). Returns 1 after a failed test when it did not start.
listen_start() {
	local i line spec=$1
	shift
	LPORT=""
	: >"$TMPD/listen.err"
	# shellcheck disable=SC2086
	$EFADIAG_WRAPPER "$EFADIAG" stats --listen "$spec" "$@" >"$TMPD/listen.out" \
		2>"$TMPD/listen.err" &
	LPID=$!
	for i in $(seq $((START_WAIT * 10))); do
		line=$(grep -m1 -oE 'serving http://[^ ]*:[0-9]+/' "$TMPD/listen.err" 2>/dev/null)
		if [ -n "$line" ]; then
			LPORT=${line##*:}
			LPORT=${LPORT%/}
			URL=http://127.0.0.1:$LPORT
			return 0
		fi
		kill -0 "$LPID" 2>/dev/null || break
		sleep 0.1
	done
	ok 1 "stats --listen $spec $* starts serving"
	diag "stderr: $(head -c 600 "$TMPD/listen.err")"
	kill -9 "$LPID" 2>/dev/null
	wait "$LPID" 2>/dev/null
	return 1
}

# listen_stop [SIGNAL]: sends it (TERM by default) and waits for the exit, at most 15 s (then
# SIGKILL). Sets RC, ERR (and $TMPD/out for json_*), and STOP_SEC, how long the exit took.
listen_stop() {
	local i start
	start=$(date +%s%N)
	kill -"${1:-TERM}" "$LPID" 2>/dev/null
	for i in $(seq 150); do
		kill -0 "$LPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$LPID" 2>/dev/null && kill -9 "$LPID"
	wait "$LPID"
	RC=$?
	STOP_SEC=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	cp "$TMPD/listen.out" "$TMPD/out"
	ERR=$(cat "$TMPD/listen.err")
}

# get PATH [CURL ARGS...]: one request; CODE (000 when none came back), BODY, TYPE (content type).
get() {
	local path=$1 w
	shift
	w=$(curl -s -m 10 -o "$TMPD/body" -w '%{http_code} %{content_type}' "$@" "$URL$path")
	CODE=${w%% *}
	TYPE=${w#* }
	BODY=$(cat "$TMPD/body" 2>/dev/null)
}

# metric NAME-AND-LABELS: its value in BODY (the last /metrics), or empty.
metric() {
	printf '%s\n' "$BODY" | awk -v m="$1" '$1 == m { print $2 }'
}

# rss PID: VmRSS in kB.
rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# ---- /metrics and /healthz ----------------------------------------------------------------------
tree basic
if EFADIAG_SYSROOT=$T listen_start 127.0.0.1:0 --json; then
	like "$(cat "$TMPD/listen.err")" "serving http://127.0.0.1:$LPORT/metrics and .*/healthz" \
		"it says where it serves"
	get /healthz
	ok $(((CODE == 200) && ${#BODY} > 0 ? 0 : 1)) "/healthz answers 200 ($CODE: $BODY)"
	get /metrics
	ok $((CODE != 200)) "/metrics answers 200 (got $CODE)"
	like "$TYPE" '^text/plain; version=0\.0\.4' "/metrics: the exposition's content type ($TYPE)"
	printf '%s\n' "$BODY" |
		grep -qx 'efadiag_efa_tx_bytes_total{device="rdmap80s0",port="1"} 2000000000'
	ok $? "/metrics: counters are efadiag_efa_<counter>_total{device,port}"
	like "$BODY" 'efadiag_efa_lifespan_seconds\{device="rdmap80s0",port="1",scope="device"\} 0\.010' \
		"/metrics: the lifespan in seconds, the base unit"
	printf '%s' "$BODY" | grep -q 'lifespan_milli'
	ok $((!$?)) "/metrics: no _milliseconds name left"
	like "$BODY" 'efadiag_efa_device_up\{device="rdmap82s0",port="1"\} 1' "/metrics: device_up"
	like "$BODY" '# TYPE efadiag_exporter_reads_total counter' "/metrics: the exporter's own reads"
	if command -v promtool >/dev/null 2>&1; then
		printf '%s\n' "$BODY" | promtool check metrics >"$TMPD/promtool.out" 2>&1
		prc=$?
		ok $((prc != 0 || $(wc -c <"$TMPD/promtool.out") != 0)) \
			"promtool check metrics: /metrics lints clean (exit $prc)"
		[ "$prc" -eq 0 ] || diag "promtool: $(head -c 600 "$TMPD/promtool.out")"
	else
		skip "promtool check metrics on /metrics" \
			"promtool (Debian package prometheus) is not installed"
	fi
	# Read when scraped: a new value in the file is in the next scrape (the cache is 10 ms).
	set_counter "$P/tx_bytes" 2000012345
	sleep 0.1
	get /metrics
	like "$BODY" 'efadiag_efa_tx_bytes_total\{device="rdmap80s0",port="1"\} 2000012345' \
		"/metrics reads the counters when scraped"
	head=$(curl -s -m 10 -I -o /dev/null -w '%{http_code} %{size_download}' "$URL/metrics")
	[ "$head" = "200 0" ]
	ok $? "HEAD /metrics: 200, no body ($head)"
	get /metrics -X POST
	ok $((CODE != 405)) "POST: 405 (got $CODE)"
	curl -s -m 10 -D "$TMPD/hdr" -o /dev/null -X DELETE "$URL/healthz"
	grep -qi '^Allow: GET, HEAD' "$TMPD/hdr"
	ok $? "405 says which methods are allowed"
	get /nowhere
	ok $((CODE != 404)) "another path: 404 (got $CODE)"
	get /metrics -X GET --data-binary 'a body'
	ok $((CODE != 413)) "a GET with a body: 413 (got $CODE)"
	# Keep-alive: Prometheus scrapes over one connection; the second request reuses the first's.
	conns=$(curl -s -m 10 -o /dev/null -o /dev/null -w '%{num_connects} ' "$URL/metrics" \
		"$URL/healthz")
	[ "$conns" = "1 0 " ]
	ok $? \
		"keep-alive: two requests, one connection ($conns)"
	listen_stop TERM
	is_rc 0 "SIGTERM ends it"
	awk -v s="$STOP_SEC" 'BEGIN { exit !(s < 3) }'
	ok $? "SIGTERM: gone in $STOP_SEC s"
	contract_keys "stats --listen"
	json_true ".status == \"ok\" and .command == \"stats\" and .listen.port == $LPORT and
		.listen.url == \"http://127.0.0.1:$LPORT/\" and .listen.scrapes >= 3 and
		.listen.reads >= 2 and .listen.requests >= 10" "--json: the document says what was served"
	json_true '.devices | length == 4 and (.[1].counters.tx_bytes == 2000012345)' \
		"--json: and the last reading"
	like "$ERR" 'SIGTERM: [0-9]+ scrapes of /metrics answered with [0-9]+ readings' \
		"the closing note counts scrapes and readings"
fi

# Every address (IPv6 and IPv4 together where the kernel has IPv6), and SIGINT.
if EFADIAG_SYSROOT=$CUR listen_start 0; then
	get /healthz
	ok $((CODE != 200)) "--listen PORT: reached on 127.0.0.1 ($CODE)"
	if [ -e /proc/net/if_inet6 ] && ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
		code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://[::1]:$LPORT/healthz")
		ok $((code != 200)) "--listen PORT: reached on [::1] ($code)"
	else
		skip "--listen PORT on [::1]" "no IPv6 on the loopback here"
	fi
	listen_stop INT
	is_rc 0 "SIGINT ends it"
fi

# A port taken: exit 3, saying so.
if EFADIAG_SYSROOT=$CUR listen_start 127.0.0.1:0; then
	first=$LPID
	EFADIAG_SYSROOT=$CUR run stats --listen "127.0.0.1:$LPORT" -j
	is_rc 3 "a port already taken"
	like "$ERR" "cannot listen on 127.0.0.1:$LPORT: Address already in use" \
		"the error names the port"
	json_true '.status == "error" and (.error.message | test("Address already in use"))' \
		"a port taken: the JSON error"
	LPID=$first
	listen_stop TERM
fi

# ---- the cache: one reading serves every scrape until it is older than the lifespan ----------
tree cache
find "$T" -name lifespan -exec sh -c 'echo 1500 >"$1"' _ {} \;
if EFADIAG_SYSROOT=$T listen_start 127.0.0.1:0; then
	get /metrics
	reads0=$(metric efadiag_exporter_reads_total)
	[ "$(metric efadiag_exporter_cache_seconds)" = 1.500 ]
	ok $? \
		"the cache time is the devices' lifespan (1500 ms)"
	# Waited for by pid: a plain wait would wait for the server too.
	pids=""
	for i in $(seq 50); do
		curl -s -m 10 -o "$TMPD/c.$i" "$URL/metrics" &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	reads=$(cat "$TMPD"/c.* | awk '$1 == "efadiag_exporter_reads_total" { print $2 }' | sort -u)
	stamps=$(cat "$TMPD"/c.* | awk '$1 == "efadiag_efa_sample_timestamp_seconds" { print $2 }' |
		sort -u | wc -l)
	n=$(grep -l '^efadiag_exporter_read_duration_seconds' "$TMPD"/c.* | wc -l)
	ok $((n != 50)) "50 concurrent scrapes: 50 whole answers ($n)"
	most=$(printf '%s\n' "$reads" | tail -1)
	ok $((most - reads0 > 1)) "50 scrapes cost at most one more reading ($reads0 -> $most)"
	ok $((stamps > 2)) "and share the readings' timestamps ($stamps distinct)"
	get /metrics
	scrapes=$(metric efadiag_exporter_scrapes_total)
	ok $((scrapes < 52)) "every scrape is counted ($scrapes)"
	# A file changed within the lifespan is not read yet; after it, it is, with one reading more.
	# A loaded machine may let the lifespan end between two scrapes (the 50 above can take
	# longer than it): a try counts where the second scrape came from the first one's reading
	# (reads_total unchanged), up to 5 tries, each with a new value in the file.
	tx='efadiag_efa_tx_bytes_total{device="rdmap80s0",port="1"}'
	for try in 1 2 3 4 5; do
		get /metrics
		r1=$(metric efadiag_exporter_reads_total)
		was=$(metric "$tx")
		set_counter "$P/tx_bytes" $((2000099999 + try))
		get /metrics
		[ "$(metric efadiag_exporter_reads_total)" = "$r1" ] && break
		diag "try $try: the lifespan ended between two scrapes (reads $r1 -> $(metric efadiag_exporter_reads_total))"
	done
	[ -n "$was" ] && [ "$(metric "$tx")" = "$was" ]
	ok $? "within the lifespan: the cached reading ($was, the file now $((2000099999 + try)))"
	sleep 1.6
	get /metrics
	[ "$(metric "$tx")" = $((2000099999 + try)) ]
	ok $? "after the lifespan: a new reading ($(metric "$tx"))"
	r2=$(metric efadiag_exporter_reads_total)
	ok $((r2 != r1 + 1)) "one reading for it ($r1 -> $r2)"
	listen_stop TERM
	is_rc 0 "the cache run ends on SIGTERM"
fi
# -i raises the cache time above the lifespan.
if EFADIAG_SYSROOT=$CUR listen_start 127.0.0.1:0 -i 2.5; then
	get /metrics
	[ "$(metric efadiag_exporter_cache_seconds)" = 2.500 ]
	ok $? \
		"-i 2.5 with --listen: read at most every 2.5 s"
	listen_stop TERM
fi

# ---- floods, malformed requests, slow and idle clients ----------------------------------------
# slow_client SECONDS: a request whose headers never end, one byte every 0.3 s.
slow_client() {
	local fd i
	exec {fd}<>"/dev/tcp/127.0.0.1/$LPORT" || return
	printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ' >&"$fd"
	for i in $(seq $(($1 * 10 / 3))); do
		printf 'a' 2>/dev/null 1>&"$fd" || break
		sleep 0.3
	done
	exec {fd}>&-
}

# raw BYTES: sends them on a connection of their own and reads what comes back (5 s at most).
raw() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$LPORT" || return
	printf '%b' "$1" 2>/dev/null 1>&"$fd"
	timeout 5 cat <&"$fd" >/dev/null 2>&1
	exec {fd}>&-
}

tree flood
# Under AddressSanitizer freed memory waits in a quarantine (256 MB) before it is reused, which
# would read as growth: none for this run (LeakSanitizer still checks for leaks at the exit).
if EFADIAG_SYSROOT=$T ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0" \
	listen_start 127.0.0.1:0; then
	# A connection that never sends a byte: the server closes it after its idle time (10 s).
	exec {idle}<>"/dev/tcp/127.0.0.1/$LPORT"
	idle_start=$SECONDS
	timeout 1 cat <&"$idle" >/dev/null 2>&1
	ok $(($? != 124)) "an idle connection is taken (still open after 1 s)"
	big=$(head -c 70000 /dev/zero | tr '\0' a)
	rss_list=""
	late=0
	bad_answers=0
	for _ in 1 2 3 4 5 6; do
		pids=""
		for i in 1 2 3; do
			slow_client 3 &
			pids="$pids $!"
		done
		for i in $(seq 50); do
			curl -s -m 10 -o "$TMPD/f.$i" -w '%{http_code} %{time_total}\n' \
				"$URL/metrics" >"$TMPD/fw.$i" &
			pids="$pids $!"
		done
		raw 'GARBAGE\x00\x01\xff\r\n\r\n' &
		pids="$pids $!"
		raw 'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n' &
		pids="$pids $!"
		raw "GET /$(head -c 40000 /dev/zero | tr '\0' b) HTTP/1.1\r\n\r\n" &
		pids="$pids $!"
		raw 'BREW /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nxx' &
		pids="$pids $!"
		curl -s -m 10 -o /dev/null -H "X-Big: $big" "$URL/metrics" &
		pids="$pids $!"
		# While all that goes on, /healthz answers at once.
		h=$(curl -s -m 5 -o /dev/null -w '%{http_code} %{time_total}' "$URL/healthz")
		[ "${h%% *}" = 200 ] && awk -v t="${h#* }" 'BEGIN { exit !(t < 1) }' || late=$((late + 1))
		# shellcheck disable=SC2086
		wait $pids
		n=$(grep -l '^efadiag_exporter_read_duration_seconds' "$TMPD"/f.* | wc -l)
		[ "$n" -eq 50 ] || bad_answers=$((bad_answers + 50 - n))
		slowest=$(cat "$TMPD"/fw.* | awk '$2 > m { m = $2 } END { print m + 0 }')
		awk -v t="$slowest" 'BEGIN { exit !(t < 5) }' || late=$((late + 1))
		rm -f "$TMPD"/f.* "$TMPD"/fw.*
		rss_list="$rss_list $(rss "$LPID")"
	done
	ok $((bad_answers)) "6 rounds of 50 concurrent scrapers, with garbage, huge headers and lines, \
a body, slow clients: every scrape answered whole ($bad_answers missing)"
	ok $((late)) "every round answered in time: scrapes under 5 s, /healthz under 1 s ($late late)"
	# Allocator arenas settle over the first rounds; after that nothing may grow.
	set -- $rss_list
	awk -v a="$2" -v b="$6" 'BEGIN { exit !(b - a < 1024) }'
	ok $? \
		"memory flat across rounds: VmRSS $rss_list kB"
	kill -0 "$LPID" 2>/dev/null
	ok $? "still running after the flood"
	# The idle connection: closed by the server (end of file), not still open at 15 s.
	left=$((idle_start + 15 - SECONDS))
	[ "$left" -gt 0 ] || left=1
	timeout "$left" cat <&"$idle" >/dev/null 2>&1
	idle_rc=$?
	exec {idle}>&-
	ok $((idle_rc == 124)) "the idle connection is closed by the server (seen closed at \
$((SECONDS - idle_start)) s; its idle time is 10 s)"

	# One client address that opens 70 connections gets 64; another address is still served.
	fds=""
	for i in $(seq 70); do
		exec {c}<>"/dev/tcp/127.0.0.1/$LPORT" && fds="$fds $c"
	done
	sleep 0.3
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$URL/healthz")
	ok $((code != 200)) "70 connections from 127.0.0.1: 127.0.0.2 is still answered ($code)"
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/healthz")
	ok $((code == 200)) "and 127.0.0.1 is held to its share ($code)"
	for c in $fds; do exec {c}>&-; done
	sleep 0.3
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/healthz")
	ok $((code != 200)) "its connections closed, 127.0.0.1 is answered again ($code)"
	listen_stop TERM
	is_rc 0 "the flooded server ends on SIGTERM"
fi

# ---- a reading that hangs -----------------------------------------------------------------------
if [ -f "$SHIM" ]; then
	# Every read of rdmap80s0's tx_bytes takes 2 s: each reading waits for it (-t 5).
	tree hang
	export EFADIAG_TEST_HANG_FILE=tx_bytes EFADIAG_TEST_HANG_SEC=2
	if EFADIAG_SYSROOT=$T LD_PRELOAD=$SHIM listen_start 127.0.0.1:0 -d rdmap80s0 -t 5; then
		curl -s -m 10 -o "$TMPD/hung.body" -w '%{http_code} %{time_total}' "$URL/metrics" \
			>"$TMPD/hung.w" &
		scraper=$!
		sleep 0.5
		h=$(curl -s -m 5 -o /dev/null -w '%{http_code} %{time_total}' "$URL/healthz")
		[ "${h%% *}" = 200 ] && awk -v t="${h#* }" 'BEGIN { exit !(t < 1) }'
		ok $? \
			"/healthz answers at once while a reading hangs ($h)"
		listen_stop TERM
		is_rc 0 "SIGTERM while a scrape waits for a hung reading"
		awk -v s="$STOP_SEC" 'BEGIN { exit !(s < 5) }'
		ok $? \
			"it ends within the hang and -t ($STOP_SEC s)"
		wait "$scraper"
		w=$(cat "$TMPD/hung.w")
		[ "${w%% *}" = 200 ] && grep -q '^efadiag_efa_tx_bytes_total' "$TMPD/hung.body"
		ok $? \
			"the waiting scrape got its reading before the end ($w)"
	fi
	# A read that never returns in time: the scrape costs -t, the device is down, not absent.
	export EFADIAG_TEST_HANG_SEC=30
	if EFADIAG_SYSROOT=$T LD_PRELOAD=$SHIM listen_start 127.0.0.1:0 -d rdmap79s0,rdmap80s0 -t 1; then
		get /metrics
		like "$BODY" 'efadiag_efa_device_up\{device="rdmap80s0",port="1"\} 0' \
			"a hung device: device_up 0"
		printf '%s' "$BODY" | grep -q 'tx_bytes_total{device="rdmap80s0"'
		ok $((!$?)) "a hung device: no made-up counter values"
		start=$SECONDS
		for i in 1 2 3; do get /metrics; sleep 0.05; done
		ok $((SECONDS - start > 3)) "scrapes after the hang do not wait for it again"
		listen_stop TERM
		is_rc 0 "SIGTERM with a reader stuck in the kernel"
	fi
	unset EFADIAG_TEST_HANG_FILE EFADIAG_TEST_HANG_SEC
else
	skip "a reading that hangs" "no shim at $SHIM (make tests/read-hang.so)"
fi

# ---- Debian's prometheus server scrapes it, and rate() sees a counter move ------------------------
# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null
}

# query EXPR: the first value of an instant query, or empty.
query() {
	curl -s -m 5 -G "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}

if ! command -v prometheus >/dev/null 2>&1; then
	skip "prometheus scrapes stats --listen" "prometheus (Debian package prometheus) is not installed"
elif ! command -v python3 >/dev/null 2>&1; then
	skip "prometheus scrapes stats --listen" "python3 is needed to find a free port"
else
	tree prom
	if EFADIAG_SYSROOT=$T listen_start 127.0.0.1:0; then
		PPORT=$(free_port)
		cat >"$TMPD/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: efadiag
    static_configs:
      - targets: ['127.0.0.1:$LPORT']
EOF
		prometheus --config.file="$TMPD/prometheus.yml" --storage.tsdb.path="$TMPD/tsdb" \
			--web.listen-address="127.0.0.1:$PPORT" --log.level=warn \
			>"$TMPD/prometheus.log" 2>&1 &
		ppid=$!
		ready=1
		for i in $(seq $((START_WAIT * 2))); do
			curl -s -m 2 -o /dev/null "http://127.0.0.1:$PPORT/-/ready" && { ready=0; break; }
			kill -0 "$ppid" 2>/dev/null || break
			sleep 0.5
		done
		ok $ready "prometheus starts (port $PPORT)"
		[ $ready -eq 0 ] || diag "prometheus: $(tail -c 600 "$TMPD/prometheus.log")"
		# 250 MB every 0.5 s into rdmap80s0's tx_bytes, for 40 s at most.
		( tx=$(cat "$P/tx_bytes")
		  for i in $(seq 80); do
			tx=$((tx + 250000000))
			set_counter "$P/tx_bytes" "$tx"
			sleep 0.5
		  done ) &
		writer=$!
		rate=""
		for i in $(seq 60); do
			[ $ready -eq 0 ] || break
			rate=$(query 'rate(efadiag_efa_tx_bytes_total{device="rdmap80s0"}[5s])')
			awk -v r="$rate" 'BEGIN { exit !(r > 0) }' && break
			sleep 0.5
		done
		awk -v r="$rate" 'BEGIN { exit !(r > 0) }'
		ok $? \
			"prometheus: rate() of the counter the fixture advanced is not zero ($rate B/s)"
		# Once the 5 s window lies wholly within the writing, the rate is the one written.
		sleep 6
		rate=$(query 'rate(efadiag_efa_tx_bytes_total{device="rdmap80s0"}[5s])')
		awk -v r="$rate" 'BEGIN { exit !(r > 1e8 && r < 1e9) }'
		ok $? \
			"prometheus: about the 500 MB/s written ($rate B/s)"
		still=$(query 'rate(efadiag_efa_tx_bytes_total{device="rdmap79s0"}[5s])')
		[ "$still" = 0 ]
		ok $? "prometheus: a device left alone has rate 0 ($still)"
		up=$(query 'up{job="efadiag"}')
		[ "$up" = 1 ]
		ok $? "prometheus: the target is up ($up)"
		lasterr=$(curl -s -m 5 "http://127.0.0.1:$PPORT/api/v1/targets" |
			jq -r '.data.activeTargets[0] | "\(.health) \(.lastError)"')
		[ "$lasterr" = "up " ]
		ok $? \
			"prometheus: its scrapes parse without an error ($lasterr)"
		ls=$(query 'efadiag_efa_lifespan_seconds{device="rdmap80s0",scope="port"}')
		[ "$ls" = 0.01 ]
		ok $? "prometheus: efadiag_efa_lifespan_seconds ($ls)"
		kill "$writer" 2>/dev/null
		wait "$writer" 2>/dev/null
		kill "$ppid" 2>/dev/null
		for i in $(seq 100); do kill -0 "$ppid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$ppid" 2>/dev/null
		wait "$ppid" 2>/dev/null
		listen_stop TERM
		is_rc 0 "the scraped efadiag ends on SIGTERM"
	fi
fi

done_testing
