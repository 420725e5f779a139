#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/json.md against the real output of every command: each key documented as present is
# there with its documented type, a conditional key has its type when it is there, and a key
# the output has that the reference does not document is a failure (the page stays complete).
. "${TOP_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

REF="$TOP_SRCDIR/docs/json.md"
export EFADIAG_PEER_BIN="$EFADIAG"

# The tables of docs/json.md as TSV: TABLE, PATH, TYPES ("a or b"), PRESENCE (its first words:
# always, unless error, if ok, when; anything else is reported below).
awk -F'|' '
	/<!-- json-reference: [a-z-]+ -->/ { t = $0; sub(/.*json-reference: /, "", t); sub(/ -->.*/, "", t); rows = 0; next }
	t != "" && rows && !/^\|/ { t = ""; rows = 0 }
	t != "" && /^\| `\./ {
		rows = 1
		path = $2; type = $3; pres = $4
		gsub(/^ +| +$/, "", path); gsub(/`/, "", path); gsub(/^ +| +$/, "", type); gsub(/^ +| +$/, "", pres)
		if (pres ~ /^always/) p = "always"
		else if (pres ~ /^unless error/) p = "unless error"
		else if (pres ~ /^if ok/) p = "if ok"
		else if (pres ~ /^when /) p = "when"
		else p = "INVALID: " pres
		printf "%s\t%s\t%s\t%s\n", t, path, type, p
	}
' "$REF" >"$TMPD/ref.tsv"
jq -R -s 'split("\n") | map(select(length > 0) | split("\t") |
	{table: .[0], path: .[1], types: (.[2] | split(" or ")), presence: .[3]} +
	(.[1] | capture("^(?<parent>.*)\\.(?<key>[A-Za-z0-9_]+)$") //
		{parent: null, key: null}) | .parent |= (if . == "" then "." else . end))' \
	"$TMPD/ref.tsv" >"$TMPD/ref.json"

# The reference itself: every table there, well formed.
for t in common usage-error info pingpong bw sg-check serve stats stats-listen help; do
	n=$(jq --arg t "$t" '[.[] | select(.table == $t)] | length' "$TMPD/ref.json")
	[ "$n" -gt 0 ]; ok $? "docs/json.md: a table of the $t document ($n keys)"
done
jq -e 'all(.[]; .types | all(IN("string", "number", "boolean", "null", "object", "array")))' \
	"$TMPD/ref.json" >/dev/null
ok $? "docs/json.md: every type is a JSON type"
bad=$(jq -r '.[] | select(.presence | startswith("INVALID")) | "\(.table) \(.path): \(.presence)"' "$TMPD/ref.json")
[ -z "$bad" ]; ok $? "docs/json.md: every presence starts with always, unless error, if ok or when"
[ -z "$bad" ] || diag "$bad"
bad=$(jq -r 'group_by(.table + " " + .path)[] | select(length > 1) | .[0] | "\(.table) \(.path)"' "$TMPD/ref.json")
[ -z "$bad" ]; ok $? "docs/json.md: no key documented twice in a table"
[ -z "$bad" ] || diag "$bad"
# A nested key's parent is documented too (in its table, or among every document's keys).
bad=$(jq -r '. as $all | .[] | . as $r | (.path | sub("(\\.[A-Za-z0-9_]+|\\[\\])$"; "")) as $p |
	select($p != "" and ([$all[] | select(.path == $p and (.table == $r.table or .table == "common"))] | length) == 0) |
	"\(.table) \(.path): no row for \($p)"' "$TMPD/ref.json")
[ -z "$bad" ]; ok $? "docs/json.md: every nested key's parent is documented"
[ -z "$bad" ] || diag "$bad"
# The contract's keys (CONTRACT.md) are all there.
for tk in common:.efadiag_version common:.command common:.status common:.error.message \
	info:.domains info:.domains[].provider info:.domains[].fabric info:.domains[].domain \
	info:.domains[].version info:.domains[].type info:.domains[].protocol info:.host \
	info:.host.instance_type info:.host.expected_efa_devices info:.host.libfabric_version \
	info:.host.libfabric_path info:.checks info:.checks[].name info:.checks[].status \
	info:.checks[].detail pingpong:.results[].bytes pingpong:.results[].iterations \
	pingpong:.results[].lat_min_usec pingpong:.results[].lat_avg_usec \
	pingpong:.results[].lat_p50_usec pingpong:.results[].lat_p99_usec \
	pingpong:.results[].lat_max_usec pingpong:.results[].mb_per_sec bw:.results[].bytes \
	bw:.results[].iterations bw:.results[].bw_gbps bw:.results[].msg_rate_mps \
	bw:.results[].domains bw:.aggregate_gbps sg-check:.verdict sg-check:.directions.to_peer.status \
	sg-check:.directions.to_peer.elapsed_ms sg-check:.directions.from_peer.status \
	sg-check:.directions.from_peer.elapsed_ms sg-check:.remedy stats:.time stats:.interval_sec \
	stats:.devices stats:.devices[].device stats:.devices[].port stats:.devices[].counters \
	stats:.devices[].rates stats:.checks stats:.checks[].name stats:.checks[].status \
	stats:.checks[].detail pingpong:.counters bw:.counters sg-check:.counters; do
	jq -e --arg t "${tk%%:*}" --arg p "${tk#*:}" 'any(.[]; .table == $t and .path == $p)' \
		"$TMPD/ref.json" >/dev/null || bad="$bad $tk"
done
[ -z "$bad" ]; ok $? "docs/json.md: documents every key the contract names"
[ -z "$bad" ] || diag "missing:$bad"

# check_doc LABEL FILE TABLE...: every JSON document in FILE (one, or JSON Lines) against the
# keys of the TABLEs of docs/json.md (the first table naming a path wins, "common" last).
check_doc() {
	local label=$1 file=$2 tables=() n=0 problems doc
	shift 2
	tables=("$@")
	jq -c . "$file" >"$TMPD/docs.jsonl" 2>/dev/null
	if [ ! -s "$TMPD/docs.jsonl" ]; then
		ok 1 "$label: JSON on stdout"
		diag "$(head -c 400 "$file")"
		return
	fi
	while IFS= read -r doc; do
		n=$((n + 1))
		problems=$(printf '%s' "$doc" | jq -r \
			--argjson tables "$(printf '%s\n' "${tables[@]}" common | jq -R . | jq -s .)" \
			--slurpfile ref "$TMPD/ref.json" '
			# A path as the tables write it: an array index is "[]", and so is an object key
			# where the table documents the object as a map ("[]") and not the key itself.
			def norm($R): reduce .[] as $c ("";
				if ($c | type) == "number" then . + "[]"
				elif $R[. + "." + $c] == null and $R[. + "[]"] != null then . + "[]"
				else . + "." + $c end) | if . == "" then "." else . end;
			. as $doc | $doc.status as $st |
			# The rows of the tables, in order; the first row of a path wins.
			([$tables[] as $t | $ref[0][] | select(.table == $t)]
			 | reduce .[] as $r ({}; if has($r.path) then . else .[$r.path] = $r end)) as $R |
			[paths as $p | {path: ($p | norm($R)), type: ($doc | getpath($p) | type)}] | unique |
			(map(select($R[.path] == null) | "undocumented key \(.path) (\(.type))") +
			 map(. as $k | $R[$k.path] | select(. != null) | select(.types | index($k.type) | not) |
				"\($k.path) is a \($k.type); documented: \(.types | join(" or "))")) as $found |
			([[]] + [$doc | paths(type == "object")]) as $objs |
			[$R[] | select(.key != null) |
				select(.presence == "always" or (.presence == "unless error" and $st != "error") or
					(.presence == "if ok" and $st == "ok")) | . as $r |
				$objs[] as $o | select(($o | norm($R)) == $r.parent) |
				select($doc | getpath($o) | has($r.key) | not) |
				"missing \($r.path) (documented: \($r.presence))"] as $missing |
			($found + ($missing | unique))[]' 2>&1)
		[ -z "$problems" ]
		ok $? "$label (document $n): keys and types as in docs/json.md"
		[ -z "$problems" ] || diag "$problems" "document: $(printf '%s' "$doc" | head -c 300)"
	done <"$TMPD/docs.jsonl"
}

# run_doc LABEL WANT_RC TABLES... -- EFADIAG ARGS: run, assert the exit code, check the doc.
run_doc() {
	local label=$1 want=$2 tables=()
	shift 2
	while [ "$1" != "--" ]; do tables+=("$1"); shift; done
	shift
	run "$@"
	is_rc "$want" "$label"
	check_doc "$label" "$TMPD/out" "${tables[@]}"
}

# info: the real providers here, and the fixture nodes (EFA devices, instance types).
run_doc "info -p tcp" 0 info -- info -p tcp -j
# --expect-domains counts EFA devices whatever -p lists: none here (no EFA), so it fails.
run_doc "info -p tcp --expect-domains 1" 1 info -- info -p tcp --expect-domains 1 -j
json_is .host.expected_efa_devices 1 "info --expect-domains 1: expected_efa_devices"
for fx in "$FIXTURES"/*/; do
	[ -d "$fx/sys" ] || continue
	name=$(basename "$fx")
	EFADIAG_SYSROOT="$fx" run info -j
	check_doc "info on the $name fixture" "$TMPD/out" info
done

# pingpong: loopback, client and server, --exec, no server.
run_doc "pingpong --loopback" 0 pingpong -- pingpong --loopback -p tcp -S 64,4k -I 50 -j
if start_bg "$EFADIAG" pingpong -p tcp -P 0 -j; then
	run_doc "pingpong client" 0 pingpong -- pingpong -p tcp -P "$SERVER_PORT" -S 64,1k -I 50 -j 127.0.0.1
	stop_bg 100
	check_doc "pingpong server" "$TMPD/srv.out" pingpong
fi
run_doc "pingpong --exec env" 0 pingpong -- pingpong -p tcp --exec env -S 64 -I 50 -j
if hold_closed_port; then
	run_doc "pingpong without a server" 3 pingpong -- pingpong -p tcp -P "$CLOSED_PORT" -t 2 -j 127.0.0.1
	run_doc "sg-check without a server (control_unreachable)" 3 sg-check -- \
		sg-check -p tcp -P "$CLOSED_PORT" -t 2 -j 127.0.0.1
else
	skip "documents of runs without a server" "neither python3 nor perl here to hold a closed port"
fi

# -V and -h with --json: the common keys, and the usage as help has it.
run_doc "--version --json" 0 common -- --version --json
run_doc "pingpong -h --json" 0 help -- pingpong -h --json

# bw: loopback, two lanes, a known line rate (the p4d fixture), client and server, a failure.
run_doc "bw --loopback" 0 bw -- bw --loopback -p tcp -S 4k,64k -I 50 -j
other=$(fi_info -p tcp -t FI_EP_RDM 2>/dev/null | awk '/domain:/ && $2 != "lo" {print $2; exit}')
if [ -n "$other" ] && fi_info -p tcp -t FI_EP_RDM 2>/dev/null | grep -q "domain: lo"; then
	run bw --loopback -p tcp -d "$other,lo" -S 64k -I 50 -j
	weak_consistent "bw -d $other,lo" # two lanes on one CPU: WEAK or not by chance
	check_doc "bw -d $other,lo (two lanes)" "$TMPD/out" bw
else
	skip "bw document with two lanes" "needs two tcp domains"
fi
EFADIAG_SYSROOT="$FIXTURES/p4d-healthy" run bw --loopback -p tcp -S 64k -I 50 -j
is_rc 0 "bw --loopback on the p4d fixture"
json_true 'has("line_rate_gbps") and has("line_rate_share")' "bw on the p4d fixture: line rate keys are there"
check_doc "bw --loopback on the p4d fixture (line rate)" "$TMPD/out" bw
if start_bg "$EFADIAG" bw -p tcp -P 0 -j; then
	run_doc "bw client" 0 bw -- bw -p tcp -P "$SERVER_PORT" --bidir -S 64k -I 50 -j 127.0.0.1
	stop_bg 100
	check_doc "bw server" "$TMPD/srv.out" bw
fi
if EFADIAG_TEST_CORRUPT_OFFSET=100 start_bg "$EFADIAG" bw -p tcp -P 0 -j; then
	run_doc "bw --verify failure (status fail)" 1 bw -- \
		bw -p tcp -P "$SERVER_PORT" --reverse --verify -S 4k -I 20 -j 127.0.0.1
	json_true '.status == "fail" and (.diagnosis | type == "string")' "bw --verify failure: fail with a diagnosis"
	stop_bg 100
	check_doc "bw server of a --verify failure" "$TMPD/srv.out" bw
fi

# sg-check: loopback, client and server.
# -t 15 here and below: what is asserted is a document of a passing run, which ends as soon as
# it is done; the default 5 s did not cover starting the peer on a loaded machine.
run_doc "sg-check --loopback" 0 sg-check -- sg-check --loopback -p tcp -t 15 -j
if start_bg "$EFADIAG" sg-check -p tcp -P 0 -j; then
	run_doc "sg-check client" 0 sg-check -- sg-check -p tcp -P "$SERVER_PORT" -t 15 -j 127.0.0.1
	stop_bg 100
	check_doc "sg-check server" "$TMPD/srv.out" sg-check
fi

# serve --persist: one document per client (JSON Lines), each with the keys of the test it
# served, and the document of a client it refuses (its provider is not the server's).
if start_bg "$EFADIAG" serve --persist -p tcp -P 0 -t 15 -j; then
	tests=(pingpong bw sg-check pingpong)
	clients=("pingpong -p tcp -S 64 -I 20" "bw -p tcp -S 64k -I 20" "sg-check -p tcp"
		"pingpong -p shm -S 64 -I 20")
	for c in "${clients[@]}"; do
		# shellcheck disable=SC2086
		run_unbusy $c -P "$SERVER_PORT" -t 15 -j 127.0.0.1
	done
	# Bounded (10 s): the server has written the four documents.
	for _ in $(seq 100); do [ "$(jq -s length "$TMPD/srv.out" 2>/dev/null)" = 4 ] && break; sleep 0.1; done
	kill "$SERVER_PID"; stop_bg 100
	[ "$(jq -s length "$TMPD/srv.out" 2>/dev/null)" = 4 ]
	ok $? "serve --persist: one document per client ($(jq -s length "$TMPD/srv.out" 2>/dev/null))"
	jq -e -s '[.[].status] == ["ok", "ok", "ok", "error"]' "$TMPD/srv.out" >/dev/null
	ok $? "serve --persist: three tests served, the shm client refused"
	for i in 0 1 2 3; do
		jq -c -s ".[$i]" "$TMPD/srv.out" >"$TMPD/serve-$i.json"
		check_doc "serve --persist, client $((i + 1)) (${tests[$i]})" "$TMPD/serve-$i.json" serve "${tests[$i]}"
	done
fi

# stats: a snapshot of both driver layouts, a record stream, a device with junk in a counter
# and a failed admin command, a device that is not there.
EFADIAG_SYSROOT="$FIXTURES/stats-current" run stats -j
is_rc 0 "stats on the stats-current fixture"
json_true '.devices | length == 4 and all(has("counters") and (.lifespan_ms | has("device")))' \
	"stats snapshot: four devices with counters and both lifespans"
check_doc "stats snapshot (current layout)" "$TMPD/out" stats
EFADIAG_SYSROOT="$FIXTURES/stats-old" run stats -j
is_rc 0 "stats on the stats-old fixture"
check_doc "stats snapshot (old layout)" "$TMPD/out" stats
EFADIAG_SYSROOT="$FIXTURES/stats-current" run stats -i 0.2 -c 2 -j -d rdmap79s0,rdmap80s0-rdm
is_rc 0 "stats -i 0.2 -c 2"
jq -e -s 'length == 2 and all(.sample > 0 and (.devices[0] | has("rates") and has("deltas")))' \
	"$TMPD/out" >/dev/null
ok $? "stats -i 0.2 -c 2: two records with rates and deltas"
check_doc "stats records (-i 0.2 -c 2)" "$TMPD/out" stats
rm -rf "$TMPD/stats-bad"
cp -r "$FIXTURES/stats-current" "$TMPD/stats-bad"
echo junk >"$TMPD/stats-bad/sys/class/infiniband/rdmap80s0/ports/1/hw_counters/tx_pkts"
echo 1 >"$TMPD/stats-bad/sys/class/infiniband/rdmap80s0/hw_counters/no_completion_cmds"
EFADIAG_SYSROOT="$TMPD/stats-bad" run stats -j
is_rc 1 "stats with junk in a counter and a timed-out admin command"
json_true '.status == "fail" and .devices[1].unreadable.tx_pkts == "not a number"' \
	"stats: the junk counter is unreadable, the admin command fails the run"
check_doc "stats with an unreadable counter (status fail)" "$TMPD/out" stats
run_doc "stats -d with no such device (error)" 3 stats -- stats -d nosuch -j
run_doc "usage error (stats --prom - --json)" 2 usage-error -- stats --prom - -j
# stats --listen: the document printed when SIGTERM ends it, after a scrape.
EFADIAG_SYSROOT="$FIXTURES/stats-current" "$EFADIAG" stats --listen 127.0.0.1:0 -j \
	>"$TMPD/listen.out" 2>"$TMPD/listen.err" &
listen_pid=$!
listen_port=""
for i in $(seq 100); do
	listen_port=$(grep -m1 -oE 'serving http://127\.0\.0\.1:[0-9]+/' "$TMPD/listen.err" |
		grep -oE '[0-9]+/$')
	[ -n "$listen_port" ] || ! kill -0 "$listen_pid" 2>/dev/null && break
	sleep 0.1
done
if [ -n "$listen_port" ] && command -v curl >/dev/null 2>&1; then
	curl -s -m 10 -o /dev/null "http://127.0.0.1:${listen_port%/}/metrics"
	kill -TERM "$listen_pid"
	wait "$listen_pid"
	RC=$?
	is_rc 0 "stats --listen -j ends on SIGTERM"
	check_doc "stats --listen -j" "$TMPD/listen.out" stats-listen stats
else
	kill -9 "$listen_pid" 2>/dev/null
	wait "$listen_pid" 2>/dev/null
	skip "stats --listen -j document" \
		"no libmicrohttpd in this efadiag, or no curl: $(head -c 200 "$TMPD/listen.err")"
fi

# counters around tests: a sysroot whose rdma device is named as tcp's loopback domain.
mkdir -p "$TMPD/lo-root/sys/class/infiniband"
cp -r "$FIXTURES/stats-current/sys/class/infiniband/rdmap79s0" "$TMPD/lo-root/sys/class/infiniband/lo"
for t in "pingpong -S 64 -I 50" "bw -S 64k -I 50" "sg-check"; do
	# shellcheck disable=SC2086
	EFADIAG_SYSROOT="$TMPD/lo-root" run $t --loopback -p tcp -d lo -t 15 -j
	is_rc 0 "${t%% *} --loopback -d lo with a device named lo"
	json_true '.counters.lo | type == "object" and has("tx_bytes")' "${t%% *}: counters holds lo's deltas"
	check_doc "${t%% *} with counters" "$TMPD/out" "${t%% *}"
done

# Usage errors, and help.
run_doc "usage error (pingpong -S 0)" 2 usage-error -- pingpong -S 0 --loopback -j
run_doc "usage error (sg-check --bogus)" 2 usage-error sg-check -- sg-check --bogus -j
run_doc "usage error (no command)" 2 usage-error -- -j
run_doc "usage error (client -P 0)" 2 usage-error -- bw -p tcp -P 0 -j 127.0.0.1
run_doc "help -j" 0 help -- help -j
run_doc "help pingpong -j" 0 help -- help pingpong -j

# mesh: outside a launcher (only the common keys), and a launch of two ranks under mpirun.
run_doc "mesh outside a launcher" 3 common -- mesh -p tcp -j
if command -v mpirun >/dev/null 2>&1 && ! "$EFADIAG" mesh 2>&1 | grep -q "without PMIx"; then
	timeout 60 mpirun --allow-run-as-root --oversubscribe -np 2 "$EFADIAG" mesh -p tcp -t 1 \
		--lat-factor 0 -j >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	[ "$RC" -le 1 ]
	ok $? "mesh under mpirun -np 2 (exit $RC)"
	check_doc "mesh under mpirun" "$TMPD/out" mesh
else
	skip "mesh under mpirun" "no mpirun, or efadiag built without PMIx"
fi

done_testing
