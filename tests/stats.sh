#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# efadiag stats on fixture trees (EFADIAG_SYSROOT) of both driver layouts: snapshots, rates
# checked against the increments this script writes into the counter files while stats runs,
# the health checks, and bad input from the files: junk, counters going backwards, files and
# devices vanishing, a FIFO, an unreadable file, a read that hangs.
. "$(dirname "$0")/lib.sh"

CUR=$FIXTURES/stats-current
OLD=$FIXTURES/stats-old
SHIM=${EFADIAG_TEST_READ_SHIM:-$(dirname "$EFADIAG")/tests/read-hang.so}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# lines_true FILTER DESCRIPTION: json_true over the JSON Lines of the last stdout, as one array.
lines_true() {
	local r=1
	[ -s "$TMPD/out" ] && jq -e -s "$1" <"$TMPD/out" >/dev/null 2>&1 && r=0
	ok $r "$2"
	[ $r -eq 0 ] || diag "jq -s -e '$1' failed on: $(head -c 600 "$TMPD/out")"
}

# stream CMD...: runs efadiag CMD... in the background with its stdout on a FIFO that this
# script reads line by line from fd $S (read -t bounds each wait); STREAM_PID is its pid. Unlike
# a coprocess, the lines stay readable after the command has exited.
stream() {
	rm -f "$TMPD/stream.fifo"
	mkfifo "$TMPD/stream.fifo"
	"$EFADIAG" "$@" >"$TMPD/stream.fifo" 2>"$TMPD/stream.err" &
	STREAM_PID=$!
	exec {S}<"$TMPD/stream.fifo"
}

# tree NAME: a writable copy of stats-current in $TMPD/NAME; sets T and P (rdmap80s0's port
# counters) and D (its device counters).
tree() {
	T=$TMPD/$1
	rm -rf "$T"
	cp -r "$CUR" "$T"
	chmod 755 "$T"
	P=$T/sys/class/infiniband/rdmap80s0/ports/1/hw_counters
	D=$T/sys/class/infiniband/rdmap80s0/hw_counters
}

# ---- snapshots --------------------------------------------------------------------------------
EFADIAG_SYSROOT=$CUR run stats --json
is_rc 0 "snapshot of the current layout"
contract_keys "stats snapshot"
# Every network counter 0 on every device: not counted, or none; nothing tells which.
json_true '.checks[]|select(.name=="retransmissions")|.status=="skip" and
	(.detail|test("none retransmitted cannot be told from none counted"))' \
	"snapshot: all-zero network counters pass nothing"
json_is '.devices|map(.device)|join(",")' "rdmap79s0,rdmap80s0,rdmap81s0,rdmap82s0" \
	"snapshot: every EFA device, in order"
# Natural order: a device rdmap204s0 (a p5's) comes after rdmap82s0, not first as strcmp has it.
tree natural
cp -r "$T/sys/class/infiniband/rdmap82s0" "$T/sys/class/infiniband/rdmap204s0"
EFADIAG_SYSROOT=$T run stats --json
json_is '.devices|map(.device)|join(",")' "rdmap79s0,rdmap80s0,rdmap81s0,rdmap82s0,rdmap204s0" \
	"snapshot: devices in natural order (rdmap82s0 before rdmap204s0)"
EFADIAG_SYSROOT=$CUR run stats --json
json_is '.devices[1].counters.tx_bytes' 2000000000 "snapshot: a device's own port counter"
json_is '.devices[1].counters.keep_alive_rcvd' 88400 "snapshot: a device-directory counter"
json_true '.devices|all(.port==1 and .lifespan_ms.port==10 and .lifespan_ms.device==10)' \
	"snapshot: port and both lifespans, which are settings"
json_true '.devices|all((.counters|has("lifespan")|not) and (has("rates")|not))' \
	"snapshot: lifespan is no counter, and there are no rates"
json_true '.interval_sec==0 and (.time|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"))' \
	"snapshot: RFC 3339 time and interval 0"
json_true '.checks[]|select(.name=="trouble_counters")|.status=="pass"' \
	"snapshot: no trouble counter is set"

EFADIAG_SYSROOT=$CUR run stats
is_rc 0 "snapshot for people"
like "$OUT" 'rdmap81s0 port 1: hardware counters' "text: a table per device"
like "$OUT" 'keep_alive_rcvd +device +89400' "text: counter, scope and value"
like "$OUT" 'OK: no trouble on 4 EFA devices since the driver loaded' "text: the verdict"

EFADIAG_SYSROOT=$OLD run stats --json
is_rc 0 "snapshot of the old layout (the full set in both directories)"
json_true '.devices[0].counters|has("keep_alive_rcvd") and has("tx_bytes") and
	(has("retrans_pkts")|not) and (has("unresponsive_remote_events")|not)' \
	"old layout: what the driver lacks is absent, never 0"
json_true '.devices[0]|(.lifespan_ms|has("device")) and (.counters|length == 17)' \
	"old layout: the device directory repeats the port's: each counter once"
json_true '.checks[]|select(.name=="retransmissions")|.status=="skip"' \
	"old layout: the sibling check says it needs retrans_pkts"
EFADIAG_SYSROOT=$OLD run stats
like "$OUT" 'keep_alive_rcvd +port ' "old layout: admin counters shown under the port"
[ "$(grep -c 'keep_alive_rcvd ' <<<"$OUT")" = 2 ]
ok $? "old layout: each device's keep_alive_rcvd shown once, not again for its device directory"

EFADIAG_SYSROOT=$CUR run stats -d rdmap80s0-rdm --json
json_is '.devices|map(.device)|join(",")' rdmap80s0 "-d takes an efa domain name for its device"
EFADIAG_SYSROOT=$CUR run stats -d nosuch0
is_rc 3 "-d names no device"
like "$ERR" 'no RDMA device "nosuch0".*devices here: .*rdmap79s0' "the error lists the devices"
EFADIAG_SYSROOT=$FIXTURES/no-efa run stats --json
is_rc 3 "no EFA device"
json_true '.status=="error" and (.error.message|test("no EFA device.*mlx5_0"))' \
	"no EFA device: the error names what is there"
EFADIAG_SYSROOT=$TMPD/nonexistent run stats
is_rc 3 "a sysroot that is not there"

# Trouble since the driver loaded: history is a warning, a stopped admin queue a failure.
tree hist
echo 7 >"$P/unresponsive_remote_events"
EFADIAG_SYSROOT=$T run stats --json
is_rc 0 "snapshot: a remote failure counted since load is a warning"
json_true '.checks[]|select(.name=="unresponsive_remote_events" and .device=="rdmap80s0")|
	.status=="warn" and (.detail|test("7 since the driver loaded.*sg-check"))' \
	"snapshot: the warning gives the count, meaning and next command"
echo 1 >"$D/no_completion_cmds"
EFADIAG_SYSROOT=$T run stats --json
is_rc 1 "snapshot: a timed-out admin command fails"
json_true '.status=="fail" and (.summary|test("^FAIL: no_completion_cmds: rdmap80s0: "))' \
	"snapshot: the verdict names the device and counter"

# ---- rates, in lockstep with the writer ------------------------------------------------------
# After each record, this script adds a known increment; the next record must show exactly it.
# The writer is this shell: on a loaded machine it may change the files only after stats has
# taken its next sample, which moves an increment into the next interval. So a case whose
# records are off is made again, fresh, with a longer interval (0.5 s, then 2 and 5 s), and the
# assertions hold on the last run made: a tool that puts counts in the wrong interval fails all.
#
# lockstep CASE GOOD: runs the function CASE INTERVAL until the function GOOD (no output) holds
# on what it left, or the intervals are spent; sets IV to the interval of the last run.
lockstep() {
	for IV in 0.5 2 5; do
		"$1" "$IV"
		"$2" && return
		diag "$1: the records are not in step with the writer at -i $IV; again, slower"
	done
}

# rates_case INTERVAL: tx_bytes +k*25 MB and rx_drops +k after record k, for 5 records.
rates_case() {
	tree rates
	EFADIAG_SYSROOT=$T stream stats -i "$1" -c 5 --json
	stats_pid=$STREAM_PID
	: >"$TMPD/rates.out"
	tx=$(cat "$P/tx_bytes")
	drops=0
	for k in 1 2 3 4 5; do
		IFS= read -r -t 20 line <&"$S" || break
		printf '%s\n' "$line" >>"$TMPD/rates.out"
		[ "$k" -lt 5 ] || break
		tx=$((tx + k * 25000000))
		echo "$tx" >"$P/tx_bytes"
		drops=$((drops + k))
		echo "$drops" >"$T/sys/class/infiniband/rdmap81s0/ports/1/hw_counters/rx_drops"
	done
	wait "$stats_pid"
	RC=$?
	exec {S}<&-
	cp "$TMPD/rates.out" "$TMPD/out"
}
RATES_DELTAS='[.[1:][]|.devices[1].deltas.tx_bytes]==[25000000,50000000,75000000,100000000]'
RATES_DROPS='.[-1].checks[]|select(.name=="rx_drops" and .device=="rdmap81s0")|
	.status=="warn" and (.detail|test("^\\+10 in"))'
rates_good() {
	jq -e -s "($RATES_DELTAS) and ($RATES_DROPS)" <"$TMPD/out" >/dev/null 2>&1
}
lockstep rates_case rates_good
is_rc 0 "stats -i $IV -c 5 --json"
lines_true 'length==5 and all(.command=="stats")' "five samples: five JSON lines"
lines_true "[.[].sample]==[1,2,3,4,5] and all(.interval_sec>$IV*0.75 and .interval_sec<$IV*3)" \
	"each record numbers its sample and measures its interval"
lines_true "$RATES_DELTAS" "the deltas are exactly the increments written"
lines_true '.[1:]|to_entries|all((.value.devices[1].rates.tx_bytes*.value.interval_sec) as $b|
	($b - (.key+1)*25000000|fabs) < 0.02*(.key+1)*25000000)' \
	"rates are the increments over the interval (within 2%)"
lines_true '.[0].devices[1].rates.tx_bytes==0 and .[0].devices[0].rates.tx_bytes==0' \
	"no increment, no rate"
lines_true "$RATES_DROPS" "the last record's checks cover the whole run: rx_drops +10"

# The same in text, where the writer follows the lines of the last device: 25 MB after the
# first sample, so the second shows 0.2/INTERVAL Gbit/s for rdmap80s0.
text_case() {
	tree text
	EFADIAG_SYSROOT=$T stream stats -i "$1" -c 3
	stats_pid=$STREAM_PID
	: >"$TMPD/text.out"
	tx=$(cat "$P/tx_bytes")
	k=0
	for i in $(seq 40); do
		IFS= read -r -t 20 line <&"$S" || break
		printf '%s\n' "$line" >>"$TMPD/text.out"
		case $line in *" rdmap82s0 "*) k=$((k + 1)); tx=$((tx + k * 25000000)); echo "$tx" >"$P/tx_bytes" ;; esac
	done
	wait "$stats_pid"
	RC=$?
	exec {S}<&-
	gbps=$(awk '$2=="rdmap80s0" && NF>=8 {print $3}' "$TMPD/text.out" | sed -n 2p)
}
text_good() {
	awk -v g="$gbps" -v want="$(awk -v i="$IV" 'BEGIN { print 0.2 / i }')" \
		'BEGIN { exit !(g > want * 0.9 && g < want * 1.1) }'
}
lockstep text_case text_good
OUT=$(cat "$TMPD/text.out")
is_rc 0 "stats -i $IV -c 3 for people"
like "$OUT" '^TIME +DEVICE +TX\(Gbit/s\) +RX\(Gbit/s\) +TX\(pkt/s\)' "the header, with units"
text_good
ok $? "25 MB in $IV s shows as 0.2/$IV Gbit/s (got $gbps)"
like "$OUT" '--- efadiag stats: 3 samples over [0-9.]+ s ---' "the closing summary"
like "$OUT" 'OK: no trouble on 4 EFA devices over' "the verdict"

# ---- bad input from the files, between samples -----------------------------------------------
bad_case() {
	tree bad
	EFADIAG_SYSROOT=$T stream stats -i "$1" -c 5 --json
	stats_pid=$STREAM_PID
	: >"$TMPD/bad.out"
	for k in 1 2 3 4 5; do
		IFS= read -r -t 20 line <&"$S" || break
		printf '%s\n' "$line" >>"$TMPD/bad.out"
		case $k in
		1) echo 5 >"$P/tx_bytes" # backwards: a driver reload
		   echo "12abc" >"$P/rx_pkts" ;;
		2) echo 7 >"$P/tx_bytes"
		   rm -f "$P/retrans_pkts" ;;
		3) rm -rf "$T/sys/class/infiniband/rdmap82s0" ;;
		esac
	done
	wait "$stats_pid"
	RC=$?
	exec {S}<&-
	cp "$TMPD/bad.out" "$TMPD/out"
}
BAD_RESET='.[1].devices[1]|(.rates|has("tx_bytes")|not) and (.counters.tx_bytes==5)'
BAD_RESTART='.[2].devices[1].deltas.tx_bytes==2'
BAD_JUNK='.[1].devices[1]|(.unreadable.rx_pkts=="not a number") and (.counters|has("rx_pkts")|not)'
BAD_GONE_FILE='.[2].devices[1].unreadable.retrans_pkts=="vanished"'
BAD_GONE_DEV='.[3].devices[3].error|test("vanished")'
bad_good() {
	jq -e -s "($BAD_RESET) and ($BAD_RESTART) and ($BAD_JUNK) and ($BAD_GONE_FILE) and
		($BAD_GONE_DEV)" <"$TMPD/out" >/dev/null 2>&1
}
lockstep bad_case bad_good
is_rc 1 "a device vanishing during the run fails it"
lines_true 'length==5' "every sample still gives its record"
lines_true '[..|numbers|select(. < 0)]|length==0' "no negative number anywhere (no negative rate)"
lines_true "$BAD_RESET" "a counter going backwards gets no rate in that interval"
lines_true "$BAD_RESTART" "counting restarts from the reset"
lines_true "$BAD_JUNK" "junk in a counter file: named, no value"
lines_true "$BAD_GONE_FILE" "a counter file vanishing"
lines_true "$BAD_GONE_DEV" "a device vanishing"
lines_true '.[-1].checks|(map(select(.name=="hw_counters" and .device=="rdmap82s0" and .status=="fail"))|length==1) and
	(map(select(.name=="hw_counters" and .device=="rdmap80s0" and (.detail|test("went backwards"))))|length==1)' \
	"the checks name the vanished device and the reset"

tree fifo
rm "$P/rx_drops"
mkfifo "$P/rx_drops"
EFADIAG_SYSROOT=$T run stats --json -t 5
json_true '.devices[1].unreadable.rx_drops=="not a regular file"' "a FIFO is not read, nor waited on"

# Short of file descriptors (a low ulimit -n): files are opened at each sample instead of kept
# open, and every counter still reads.
(ulimit -n 48 && EFADIAG_SYSROOT=$CUR "$EFADIAG" stats -i 0.1 -c 2 --json >"$TMPD/out" 2>"$TMPD/err")
lines_true 'length == 2 and all(.status == "ok" and (.devices | all((.counters | length) == 34 and
	(has("unreadable") | not))))' "ulimit -n 48: every counter of every device still reads"

# For people: "?" where a counter gave no value this interval, "-" where the driver has none.
tree junktext
echo "12abc" >"$P/rx_pkts"
EFADIAG_SYSROOT=$T run stats -i 0.2 -c 1
like "$OUT" 'rdmap80s0 +[0-9.]+ +[0-9.]+ +[0-9]+ +\? ' "text: an unreadable counter shows ?, never 0"
EFADIAG_SYSROOT=$OLD run stats -i 0.2 -c 1
like "$OUT" 'rdmap16s27 +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9.]+ +- +-$' \
	"text: a counter the old driver lacks shows -"

if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	tree perm
	chmod -R a+rX "$T"
	chmod 000 "$P/tx_pkts"
	chmod 755 "$TMPD"
	setpriv --reuid=65534 --regid=65534 --clear-groups env EFADIAG_SYSROOT="$T" \
		"$EFADIAG" stats --json >"$TMPD/out" 2>"$TMPD/err"
	json_true '.devices[1].unreadable.tx_pkts|test("permission")' "an unreadable file is named"
	json_true '.checks[]|select(.name=="hw_counters" and .device=="rdmap80s0")|.detail|test("tx_pkts.*run as root")' \
		"an unreadable file: the check says to run as root"
else
	skip "an unreadable counter file" "needs root and setpriv to read as another user"
fi

# ---- a read that hangs ----------------------------------------------------------------------
if [ -f "$SHIM" ]; then
	start=$SECONDS
	EFADIAG_TEST_HANG_FILE=keep_alive_rcvd EFADIAG_TEST_HANG_SEC=20 LD_PRELOAD=$SHIM \
		EFADIAG_SYSROOT=$CUR run stats -d rdmap79s0,rdmap80s0 -t 1 --json
	is_rc 1 "a counter read that hangs fails the device"
	ok $((SECONDS - start > 5)) "a hung read costs -t, not the hang ($((SECONDS - start)) s)"
	json_true '.devices|all(.error|test("did not return in time"))' \
		"the hung devices are named, with why"
else
	skip "a counter read that hangs" "no shim at $SHIM (make tests/read-hang.so)"
fi

# ---- Prometheus -------------------------------------------------------------------------------
tree prom
mkdir "$TMPD/textfile"
EFADIAG_SYSROOT=$T run stats --prom "$TMPD/textfile/efa.prom" -q
is_rc 0 "--prom FILE"
PROM=$(cat "$TMPD/textfile/efa.prom" 2>/dev/null)
like "$PROM" '^efadiag_efa_tx_bytes_total\{device="rdmap80s0",port="1"\} 2000000000$' \
	"counters are _total with labels device and port"
like "$PROM" '# TYPE efadiag_efa_keep_alive_rcvd_total counter' "a TYPE line per family"
like "$PROM" '# HELP efadiag_efa_unresponsive_remote_events_total .*remote peer stopped' \
	"HELP says what the counter means"
like "$PROM" 'efadiag_efa_lifespan_seconds\{device="rdmap80s0",port="1",scope="device"\} 0\.010' \
	"lifespan is a gauge, per directory, in seconds (the base unit)"
printf '%s' "$PROM" | grep -q 'lifespan_total\|lifespan_milliseconds'
ok $((!$?)) "lifespan is never a counter, nor in milliseconds"
ok "$(find "$TMPD/textfile" -type f | wc -l | awk '{print ($1==1)?0:1}')" \
	"no temporary file is left beside it"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$TMPD/textfile/efa.prom" >"$TMPD/promtool.out" 2>&1
	prc=$?
	ok $((prc != 0 || $(wc -c <"$TMPD/promtool.out") != 0)) \
		"promtool check metrics: the textfile lints clean (exit $prc)"
	[ "$prc" -eq 0 ] || diag "promtool: $(head -c 600 "$TMPD/promtool.out")"
else
	skip "promtool check metrics" "promtool (Debian package prometheus) is not installed"
fi
EFADIAG_SYSROOT=$T run stats --prom -
is_rc 0 "--prom - prints the exposition"
like "$OUT" '^# HELP efadiag_efa_' "--prom -: the exposition, nothing before it"
printf '%s' "$OUT" | grep -q 'OK: no trouble'
ok $((!$?)) "--prom -: no table or verdict mixed in"
EFADIAG_SYSROOT=$T run stats --prom - --json
is_rc 2 "--prom - with --json"
# An error with the exposition on stdout: said on stderr only; stdout stays exposition (none).
EFADIAG_SYSROOT=$FIXTURES/no-efa run stats --prom -
is_rc 3 "--prom - on a node without EFA"
[ -z "$OUT" ] && [ -n "$ERR" ]
ok $? "--prom - error: nothing on stdout (no ERROR: line in the exposition), the reason on stderr"
# In text, the same error closes stdout with ERROR:, as every command's does.
EFADIAG_SYSROOT=$FIXTURES/no-efa run stats
is_rc 3 "stats on a node without EFA"
like "$OUT" '^ERROR: no EFA device' "stats error, text: stdout closes with ERROR: and the reason"
EFADIAG_SYSROOT=$T run stats --prom "$TMPD/no/such/dir/efa.prom"
is_rc 3 "--prom into a directory that is not there"
like "$ERR" "--prom: cannot create $TMPD/no/such/dir/efa.prom.tmp" "the error names the path"
# Written every sample, before the record: once a record shows the new value, so does the file.
EFADIAG_SYSROOT=$T stream stats -i 0.2 -c 100 --json --prom "$TMPD/textfile/efa.prom"
stats_pid=$STREAM_PID
IFS= read -r -t 20 line <&"$S"
echo 123456789012 >"$P/tx_bytes"
for i in $(seq 99); do
	IFS= read -r -t 20 line <&"$S" || break
	jq -e '.devices[1].counters.tx_bytes==123456789012' <<<"$line" >/dev/null && break
done
grep -q '^efadiag_efa_tx_bytes_total{device="rdmap80s0",port="1"} 123456789012$' \
	"$TMPD/textfile/efa.prom"
r=$?
exec {S}<&- # first: with no reader, the rest of the stream fails at once
kill -TERM "$stats_pid" 2>/dev/null
wait "$stats_pid"
ok $r "--prom FILE is rewritten after every sample"

# ---- keep-alive, siblings, Ctrl-C, lifespan, options ---------------------------------------------
tree ka
( for i in $(seq 35); do # 7 s at most: every device but rdmap81s0 keeps getting keep-alives
	for d in rdmap79s0 rdmap80s0 rdmap82s0; do
		f=$T/sys/class/infiniband/$d/hw_counters/keep_alive_rcvd
		echo $(($(cat "$f") + 1)) >"$f.new" && mv "$f.new" "$f" # whole values only
	done
	sleep 0.2
done ) &
writer=$!
EFADIAG_SYSROOT=$T run stats -i 1 -c 6 --json
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
# No source gives the keep-alive period: the rates are reported, nothing is warned.
lines_true '.[-1].checks|(map(select(.status=="warn"))|length==0) and
	(map(select(.name=="keep_alive"))|length==1)' \
	"keep-alives silent on one device: no warning (no source gives their period)"
lines_true '.[-1].checks[]|select(.name=="keep_alive")|.status=="skip" and
	(.detail|test("not judged")) and (.detail|test("1 of 4 devices received none")) and
	(.detail|test("rdmap81s0 0\\.00/s"))' \
	"the keep-alive check names the silent device and its rate"
rate=$(jq -s -r '.[-1].checks[]|select(.name=="keep_alive")|.detail' <"$TMPD/out" |
	sed -n 's/.*rdmap79s0 \([0-9.]*\)\/s.*/\1/p')
awk -v r="$rate" 'BEGIN { exit !(r > 2 && r < 6) }'
ok $? "rdmap79s0's keep-alive rate is what was written, about 5/s (got $rate)"

# A device that lacks RDMA write: its rdma_write_* files are there and count nothing.
tree nowrite
mkdir -p "$T/efadv/rdmap80s0"
echo 0x3 >"$T/efadv/rdmap80s0/device_caps"
echo 46 >"$T/efadv/libefa_release"
EFADIAG_SYSROOT=$T run stats --json
json_true '.checks[]|select(.name=="rdma_write_counters")|.status=="skip" and
	(.detail|test("^1 device \\(first rdmap80s0\\) without RDMA write"))' \
	"rdma_write_* on a device without RDMA write: named as counting nothing"
json_true '[.checks[]|select(.name=="rdma_read_counters")]|length==0' \
	"rdma_read_* count on it: it has RDMA read"

# After an admin command timed out the driver answers every port counter read with ENODEV.
if [ -f "$SHIM" ]; then
	EFADIAG_TEST_ERRNO_PATH=rdmap80s0/ports/1/hw_counters/ EFADIAG_TEST_ERRNO=19 \
		LD_PRELOAD=$SHIM EFADIAG_SYSROOT=$CUR run stats --json
	is_rc 1 "port counters refused with ENODEV fail the device"
	json_true '.devices[1]|(has("error")|not) and
		(.unreadable.tx_bytes|test("admin queue is closed")) and
		(.counters|has("keep_alive_rcvd"))' \
		"ENODEV is a closed admin queue, not a vanished device; the device directory reads"
	json_true '.checks[]|select(.name=="hw_counters" and .device=="rdmap80s0")|.status=="fail" and
		(.detail|test("refused with ENODEV: the efa driver closed the device.s admin queue")) and
		(.detail|test("vanished")|not)' \
		"the check says the admin queue closed, and how to reset the device"
else
	skip "ENODEV from counter reads" "no shim at $SHIM (make tests/read-hang.so)"
fi

tree sib
echo 40 >"$P/retrans_pkts"
EFADIAG_SYSROOT=$T run stats --json
json_true '.checks[]|select(.name=="retransmissions")|.status=="warn" and
	(.detail|test("^rdmap80s0 retransmitted 40 packets since the driver loaded while its 3 siblings"))' \
	"one device retransmitting while its siblings do not is named"

tree sigint
# wait_output FILE PID: until FILE has a line or PID has gone (10 s at most), so that a signal
# comes after the first sample on a loaded machine too.
wait_output() {
	for i in $(seq 100); do
		[ -s "$1" ] || kill -0 "$2" 2>/dev/null || return
		[ -s "$1" ] && return
		sleep 0.1
	done
}
EFADIAG_SYSROOT=$T "$EFADIAG" stats -i 0.2 >"$TMPD/out" 2>"$TMPD/err" &
pid=$!
wait_output "$TMPD/out" "$pid"
sleep 0.5
kill -INT "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
RC=$?
OUT=$(cat "$TMPD/out")
is_rc 0 "Ctrl-C ends a run without --count, with its summary"
like "$OUT" '--- efadiag stats: [0-9]+ samples? over' "Ctrl-C: the closing summary"
like "$OUT" 'OK: no trouble on 4 EFA devices' "Ctrl-C: the verdict"

EFADIAG_SYSROOT=$T "$EFADIAG" stats -i 0.2 --json >"$TMPD/out" 2>"$TMPD/err" &
pid=$!
wait_output "$TMPD/out" "$pid"
sleep 0.3
kill -TERM "$pid"
wait "$pid"
RC=$?
is_rc 0 "SIGTERM ends a JSON stream cleanly"
lines_true 'length>=1 and all(.command=="stats")' "SIGTERM: every line a whole record"

# A stream whose reader stops reading, then SIGTERM: the run ends at once (exit 3, saying why),
# not blocked for ever on the full pipe.
tree fullpipe
EFADIAG_SYSROOT=$T stream stats -i 0.02 -c 100000 --json
stats_pid=$STREAM_PID
IFS= read -r -t 20 line <&"$S"
# Bounded (20 s): the pipe fills (64 KiB, a few KiB a record), stats blocks writing to it.
for i in $(seq 200); do
	[ "$(awk '{print $3}' "/proc/$stats_pid/stat" 2>/dev/null)" = S ] &&
		grep -q pipe_write "/proc/$stats_pid/wchan" 2>/dev/null && break
	sleep 0.1
done
kill -TERM "$stats_pid"
for i in $(seq 50); do kill -0 "$stats_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$stats_pid" 2>/dev/null && { diag "still blocked 5 s after SIGTERM"; kill -9 "$stats_pid"; }
wait "$stats_pid"
RC=$?
exec {S}<&-
is_rc 3 "SIGTERM while the stream's reader takes nothing: the run ends within 5 s"
like "$(cat "$TMPD/stream.err")" "reader takes nothing .* stopped" "it says the reader took nothing"

tree slow
echo 400 >"$P/lifespan"
EFADIAG_SYSROOT=$T run stats -i 0.1 -c 2 --json
like "$ERR" 'interval raised to 0\.400 s.*lifespan \(400 ms\)' "never sampled faster than lifespan"
[ "$(tail -c 1 "$TMPD/err" | od -An -c | tr -d ' ')" = '\n' ]
ok $? "the note about the interval is a whole line (the table no longer starts on it)"
lines_true 'all(.interval_sec > 0.35)' "the interval follows the lifespan"

for bad in "-i 0" "-i abc" "-i -1" "-c 0" "-c x" "--prom"; do
	# shellcheck disable=SC2086
	EFADIAG_SYSROOT=$CUR run stats $bad
	is_rc 2 "stats $bad is refused"
done

done_testing
