#!/bin/bash
# SPDX-License-Identifier: MIT
# The command line as users and scripts see it: usage errors, help, version, write errors.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

# usage_error DESC REGEX ARGS...: efadiag ARGS exits 2 and says REGEX on stderr; with --json
# added in front, stdout is exactly one JSON document with status "error" and the message.
usage_error() {
	local desc=$1 re=$2
	shift 2
	run "$@"
	is_rc 2 "$desc"
	like "$ERR" "$re" "$desc: stderr names it"
	[ -z "$OUT" ]
	ok $? "$desc: nothing on stdout"
	run --json "$@"
	is_rc 2 "$desc --json"
	json_true '.status == "error"' "$desc --json: status error"
	contract_keys "$desc --json"
	jq -e --arg re "$re" '.error.message | test($re)' <"$TMPD/out" >/dev/null 2>&1
	ok $? "$desc --json: error.message names it"
	# jq -s counts the documents: exactly one, and nothing else on stdout.
	[ "$(jq -s length <"$TMPD/out" 2>/dev/null)" = 1 ]
	ok $? "$desc --json: exactly one JSON document"
}

# Commands: exact names only, an unknown one is a usage error naming it.
usage_error "unknown command" "unknown command 'nosuch'" nosuch
usage_error "unknown command after options" "unknown command 'nosuch'" -p tcp nosuch
usage_error "prefix 'inf' of info" "unknown command 'inf'" inf
usage_error "prefix 'hel' of help" "unknown command 'hel'" hel
usage_error "command in capitals" "unknown command 'INFO'" INFO
usage_error "no command" "no command given"
usage_error "no command, only options" "no command given" -p tcp -t 2
run --json -p tcp inf
json_is .command "" "unknown command: command key is empty, not a guess"

# Options: unknown ones, other commands' ones, abbreviations.
usage_error "unknown long option" "unknown option '--nosuch'" info --nosuch
usage_error "unknown long option with a value" "unknown option '--nosuch'" info --nosuch=3
usage_error "unknown short option" "unknown option '-Z'" info -Z
usage_error "unknown short option in a cluster" "unknown option '-Z'" info -vZ
run info -jZ
is_rc 2 "-jZ: the -j before the bad option"
json_is .error.message "unknown option '-Z'" "-jZ: the error is in JSON, -j was given"
usage_error "unknown option before the command" "unknown option '--nosuch'" --nosuch info
usage_error "abbreviated --prov" "unknown option '--prov'" --prov tcp info
usage_error "abbreviated --js" "unknown option '--js'" info --js
usage_error "pingpong's --sizes on info" "option '--sizes' does not apply to 'info'" \
	info --sizes 64
usage_error "pingpong's -S on info" "option '-S' does not apply to 'info'" info -S 64
usage_error "--loopback on info" "option '--loopback' does not apply to 'info'" info --loopback
usage_error "serve's --persist on info" "option '--persist' does not apply to 'info'" \
	-p tcp info --persist
usage_error "info's --expect-domains on help" \
	"option '--expect-domains' does not apply to 'help'" help --expect-domains 2
run info --json=yes
is_rc 2 "a value for --json"
like "$ERR" "option '--json' does not take a value" "a value for --json: stderr names it"
json_is .error.message "option '--json' does not take a value" \
	"a value for --json: still answered in JSON"
usage_error "an extra operand" "unexpected argument 'extra'" info extra
usage_error "help with two operands" "unexpected argument 'bw'" help info bw

# Missing values, named as typed.
usage_error "-t without a value" "option '-t' needs a value" info -t
usage_error "--timeout without a value" "option '--timeout' needs a value" info --timeout
usage_error "-P without a value" "option '-P' needs a value" info -P
usage_error "--port without a value" "option '--port' needs a value" info --port
usage_error "--expect-domains without a value" "option '--expect-domains' needs a value" \
	info --expect-domains
usage_error "-p without a value" "option '-p' needs a value" info -p

# Bad values: the message names the option and the value.
t="for -t/--timeout"
usage_error "-t negative" "invalid value '-1' $t: must be greater than zero" info -t -1
usage_error "-t zero" "invalid value '0' $t: must be greater than zero" info -t 0
usage_error "-t junk" "invalid value 'soon' $t: not a number" info -t soon
usage_error "-t with a junk unit" "invalid value '5m' $t: not a number" info -t 5m
usage_error "-t overflow" "invalid value '1e999' $t: above the allowed maximum" info -t 1e999
usage_error "-t above a day" "invalid value '86401' $t: above the allowed maximum" info -t 86401
usage_error "-t below a millisecond" "invalid value '0.0001' $t: below the allowed minimum" \
	info -t 0.0001
usage_error "-t empty" "invalid value '' $t: empty" info -t ''
usage_error "--timeout= empty" "invalid value '' $t: empty" info --timeout=
usage_error "-t nan" "invalid value 'nan' $t: not a number" info -t nan
usage_error "--timeout=junk before the command" "invalid value 'x' $t" --timeout=x info
p="for -P/--port"
usage_error "-P negative" "invalid value '-1' $p: not a TCP port" serve -P -1
# -P 0 is "any free port": a server's choice; a client (HOST or --exec) needs a real port.
for c in pingpong bw sg-check; do
	usage_error "$c client -P 0" "invalid value '0' $p: 0 \(any free port\) is for a server" \
		$c -p tcp -P 0 127.0.0.1
	usage_error "$c --exec -P 0" "invalid value '0' $p: 0 \(any free port\) is for a server" \
		$c -p tcp --port 0 --exec env
done
usage_error "-P above 65535" "invalid value '65536' $p: not a TCP port \(0 to 65535\)" serve -P 65536
usage_error "-P overflow" "invalid value '99999999999999999999' $p: not a TCP port" \
	serve -P 99999999999999999999
usage_error "-P junk" "invalid value 'http' $p: not a whole number" serve -P http
# Options that do nothing for a command are refused, not taken silently.
usage_error "stats -P" "option '-P/--port' does nothing for 'stats'" stats -P 1
usage_error "-p before stats" "option '-p/--provider' does nothing for 'stats'" -p tcp stats
usage_error "info -P" "option '-P/--port' does nothing for 'info'" info -P 2000
# A typo gets the name it most likely meant.
usage_error "a misspelt command" "unknown command 'pingpnog': did you mean 'pingpong'\?" pingpnog
usage_error "a misspelt option" "unknown option '--sizez': did you mean '--sizes'\?" pingpong --sizez 64
usage_error "a misspelt option of bw" "unknown option '--windw': did you mean '--window'\?" bw --windw 4
usage_error "--port junk suffix" "invalid value '80x' $p: not a whole number" serve --port 80x
usage_error "-P empty" "invalid value '' $p: empty" serve -P ''
e="for --expect-domains"
usage_error "--expect-domains negative" "invalid value '-1' $e: must not be negative" \
	info --expect-domains -1
usage_error "--expect-domains junk" "invalid value 'four' $e: not a whole number" \
	info --expect-domains four
usage_error "--expect-domains decimal" "invalid value '1.5' $e: not a whole number" \
	info --expect-domains=1.5
usage_error "--expect-domains overflow" \
	"invalid value '99999999999999999999' $e: above the allowed maximum" \
	info --expect-domains 99999999999999999999
usage_error "--expect-domains negative overflow" \
	"invalid value '-99999999999999999999' $e: must not be negative" \
	info --expect-domains -99999999999999999999
usage_error "--expect-domains above 1024" "invalid value '1025' $e: above the allowed maximum" \
	info --expect-domains 1025
usage_error "--expect-domains empty" "invalid value '' $e: empty" info --expect-domains ''
usage_error "-p empty" "invalid value '' for -p/--provider: empty" info -p ''
usage_error "-d empty" "invalid value '' for -d/--domain: empty" info -d ''
usage_error "-d with an empty name" "invalid value 'a,,b' for -d/--domain: empty name" \
	info -d a,,b
# The first bad value is the one reported.
usage_error "two bad values" "invalid value 'x' $t" info -t x -P y

# Usage errors also point at the help.
run info -t x
like "$ERR" "Try 'efadiag info --help'" "a usage error points at the command's help"
run nosuch
like "$ERR" "Try 'efadiag --help'" "an unknown command points at the general help"

# Help and version: stdout, exit 0.
for args in "-h" "--help" "help" "-p tcp --help"; do
	# shellcheck disable=SC2086
	run $args
	is_rc 0 "efadiag $args"
	like "$OUT" "^Usage: efadiag \[GLOBAL OPTIONS\] COMMAND" "efadiag $args: general usage"
	like "$OUT" "  info  " "efadiag $args: lists info"
	like "$OUT" "--provider NAME" "efadiag $args: lists the global options"
	[ -z "$ERR" ]
	ok $? "efadiag $args: nothing on stderr"
done
for args in "help info" "info --help" "info -h" "-p tcp info --help" "--help info"; do
	# shellcheck disable=SC2086
	run $args
	is_rc 0 "efadiag $args"
	like "$OUT" "^Usage: efadiag info" "efadiag $args: info's usage"
	like "$OUT" "--expect-domains N" "efadiag $args: info's own option"
	! printf '%s' "$OUT" | grep -q -- "--sizes"
	ok $? "efadiag $args: no other command's options"
done
run help help
is_rc 0 "help help"
like "$OUT" "^Usage: efadiag help" "help help: help's usage"
run --json help
[ "$(jq -s length <"$TMPD/out" 2>/dev/null)" = 1 ]
ok $? "--json help: exactly one JSON document"
json_true '.usage | test("^Usage: efadiag")' "--json help: the usage is in the document"
usage_error "help nosuch" "unknown command 'nosuch'" help nosuch
usage_error "help inf (a prefix)" "unknown command 'inf'" help inf

version_re="^efadiag [0-9]+\.[0-9]+(\.[0-9]+)?"
for args in "-V" "--version" "info -V" "-p tcp --version"; do
	# shellcheck disable=SC2086
	run $args
	is_rc 0 "efadiag $args"
	like "$OUT" "$version_re" "efadiag $args: prints the version"
done
run -V
v=$(printf '%s' "$OUT" | sed 's/^efadiag //')
run --json -p tcp nosuch
json_is .efadiag_version "$v" "the JSON efadiag_version is the one -V prints"

# With --json, -h and -V answer in the one document too, with their text in it.
for args in "--version --json" "-j -V" "info -V -j"; do
	# shellcheck disable=SC2086
	run $args
	is_rc 0 "efadiag $args"
	[ "$(jq -s length <"$TMPD/out" 2>/dev/null)" = 1 ]
	ok $? "efadiag $args: exactly one JSON document"
	json_is .summary "efadiag $v" "efadiag $args: the version line is the summary"
	json_is .status ok "efadiag $args: status ok"
done
for args in "pingpong -h --json" "--json bw --help" "-j -h"; do
	# shellcheck disable=SC2086
	run $args
	is_rc 0 "efadiag $args"
	[ "$(jq -s length <"$TMPD/out" 2>/dev/null)" = 1 ]
	ok $? "efadiag $args: exactly one JSON document"
	json_true '.usage | test("^Usage: efadiag")' "efadiag $args: the usage is in the document"
	json_true '.summary | test("^Usage: efadiag")' "efadiag $args: its first line is the summary"
done
run pingpong -h --json
json_true '.command == "pingpong" and (.usage | test("--sizes LIST"))' \
	"pingpong -h --json: pingpong's own usage"

# Every document has a summary, errors and failures included.
run --json info -t x
json_true '.summary | test("^ERROR: invalid value .x. for -t")' "a usage error's summary"

# A domain named twice would be one device measured as two lanes: a usage error.
usage_error "-d lo,lo" "invalid value 'lo,lo' for -d/--domain: a name is given twice" \
	bw --loopback -p tcp -d lo,lo
usage_error "-d a,b,a" "a name is given twice" info -p tcp -d a,b,a

# Global options before and after the command (help runs without touching a fabric).
for args in "-p tcp -t 2 -P 1234 help" "help -p tcp -t 2 -P 1234" "-p tcp help -t 2.5s" \
	"--provider=tcp --timeout=2 --port=1234 help" "-q help -v" "-pshm -vq help info"; do
	# shellcheck disable=SC2086
	run $args
	is_rc 0 "global options placed as: $args"
done
run --json -p tcp help info extra
is_rc 2 "help with an extra operand"
json_is .command help "--json usage error after a known command: command is help"
usage_error "-p consumes its value: -p info nosuch" "unknown command 'nosuch'" -p info nosuch

# A real run in JSON, with the option values taken wherever they are.
if has_provider tcp; then
	for args in "-j -p tcp info" "info -p tcp -j" "--json info --provider tcp" \
		"-p tcp -t 3 info -v -j"; do
		# shellcheck disable=SC2086
		run $args
		json_is .command info "$args: command info"
		json_true '[.domains[].provider] | length > 0 and all(test("tcp"))' \
			"$args: provider tcp applied"
		[ "$(jq -s length <"$TMPD/out" 2>/dev/null)" = 1 ]
		ok $? "$args: exactly one JSON document"
	done

	# Write errors: a full disk and a closed pipe are exit 3, with the cause on stderr.
	if [ -w /dev/full ]; then
		$EFADIAG_WRAPPER "$EFADIAG" info -p tcp >/dev/full 2>"$TMPD/err"
		RC=$?
		ERR=$(cat "$TMPD/err")
		is_rc 3 "info -p tcp >/dev/full"
		like "$ERR" "writing standard output: No space left on device" \
			"info -p tcp >/dev/full: the write error is reported"
		$EFADIAG_WRAPPER "$EFADIAG" --json info -p tcp >/dev/full 2>"$TMPD/err"
		RC=$?
		is_rc 3 "--json info -p tcp >/dev/full"
		$EFADIAG_WRAPPER "$EFADIAG" --help >/dev/full 2>"$TMPD/err"
		RC=$?
		is_rc 3 "--help >/dev/full"
		grep -q "writing standard output" "$TMPD/err"
		ok $? "--help >/dev/full: the write error is reported"
		EFADIAG_SYSROOT=$FIXTURES/stats-current $EFADIAG_WRAPPER "$EFADIAG" --json stats \
			-i 0.05 -c 3 >/dev/full 2>"$TMPD/err"
		RC=$?
		is_rc 3 "--json stats -c 3 >/dev/full: a stream stops at its first failed record"
		[ "$(grep -c . "$TMPD/err")" = 1 ] && grep -q "writing standard output" "$TMPD/err"
		ok $? "the stream's write error is reported once, and alone (got: $(head -c 300 "$TMPD/err"))"
	else
		skip "info -p tcp >/dev/full" "no /dev/full"
		skip "info -p tcp >/dev/full: message" "no /dev/full"
		skip "--json info -p tcp >/dev/full" "no /dev/full"
		skip "--help >/dev/full" "no /dev/full"
		skip "--help >/dev/full: message" "no /dev/full"
		skip "--json stats >/dev/full" "no /dev/full"
		skip "--json stats >/dev/full: message" "no /dev/full"
	fi

	# head may exit before or after efadiag writes; either way efadiag must not die of SIGPIPE.
	$EFADIAG_WRAPPER "$EFADIAG" info -p tcp 2>"$TMPD/err" | head -c1 >/dev/null
	RC=${PIPESTATUS[0]}
	[ "$RC" -lt 128 ]
	ok $? "info -p tcp | head -c1: no crash or signal (exit $RC)"

	# The reader is gone before efadiag starts: the write must fail and say so.
	rm -f "$TMPD/closed"
	{
		while [ ! -e "$TMPD/closed" ]; do sleep 0.02; done
		$EFADIAG_WRAPPER "$EFADIAG" info -p tcp 2>"$TMPD/err"
		echo $? >"$TMPD/rc"
	} | {
		exec 0<&-
		: >"$TMPD/closed"
	}
	RC=$(cat "$TMPD/rc")
	ERR=$(cat "$TMPD/err")
	is_rc 3 "info -p tcp into a closed pipe"
	like "$ERR" "writing standard output: Broken pipe" \
		"closed pipe: the write error is reported"
else
	skip "info -p tcp runs" "no tcp provider here"
fi

# one_line DESC: the last stdout is exactly one line.
one_line() {
	local n
	n=$(wc -l <"$TMPD/out")
	[ "$n" -eq 1 ]
	ok $? "$1 ($n lines)"
}

# --json: the document on one line (srun and pdsh gather lines: documents from many nodes never
# interleave); --pretty: indented, for people, and implies --json. Streams stay one line a record.
run --json -p tcp inf
one_line "--json usage error: the document is one line"
run --version --json
one_line "--version --json: one line"
run help --json
one_line "help --json: one line (the usage text is in a string)"
run --pretty -p tcp inf
is_rc 2 "--pretty: a usage error still answers"
[ "$(wc -l <"$TMPD/out")" -gt 5 ]
ok $? "--pretty: the document is indented over lines ($(wc -l <"$TMPD/out") lines)"
json_true '.status == "error" and (.error.message | test("unknown command"))' \
	"--pretty implies --json: the usage error is a document"
contract_keys "--pretty"
run --version --pretty
json_true '.summary | startswith("efadiag ")' "--version --pretty: the version as a document"
# The node's name where the launch gives one: EFADIAG_NODE_NAME, else Slurm's; else no key.
SLURMD_NODENAME=n7 run help --json
json_true '.node_name == "n7"' "SLURMD_NODENAME=n7: every document's node_name"
EFADIAG_NODE_NAME=algo-2 SLURMD_NODENAME=n7 run help --json
json_true '.node_name == "algo-2"' "EFADIAG_NODE_NAME outranks SLURMD_NODENAME"
SLURMD_NODENAME= EFADIAG_NODE_NAME= run help --json
json_true 'has("node_name") | not' "neither set (or empty): no node_name"
# pretty_refused DESC REGEX ARGS...: --pretty where the output is a stream of one-line records.
pretty_refused() {
	local desc=$1 re=$2
	shift 2
	run "$@"
	is_rc 2 "$desc"
	like "$ERR" "$re" "$desc: stderr names it"
	jq -e --arg re "$re" '.status == "error" and (.error.message | test($re))' \
		<"$TMPD/out" >/dev/null 2>&1
	ok $? "$desc: the one document (--pretty implies --json) names it"
}
pretty_refused "--pretty with stats --interval" "--pretty: stats --interval writes JSON Lines" \
	stats -i 1 --pretty
pretty_refused "--pretty with stats --count" "--pretty: stats --interval writes JSON Lines" \
	stats -c 2 --pretty
pretty_refused "--pretty with serve --persist" "--pretty: serve --persist writes one document" \
	serve --persist --pretty -P 0
run help
like "$OUT" "--pretty" "help lists --pretty"
if has_provider tcp; then
	run info -p tcp -j
	one_line "info -j: the document is one line"
	jq -S 'del(.time)' <"$TMPD/out" >"$TMPD/compact.json" 2>/dev/null
	run info -p tcp --pretty
	[ "$(wc -l <"$TMPD/out")" -gt 20 ]
	ok $? "info --pretty: indented over lines ($(wc -l <"$TMPD/out"))"
	jq -S 'del(.time)' <"$TMPD/out" >"$TMPD/pretty.json" 2>/dev/null
	# The same keys and values: only the layout differs (the checks' details may name times).
	[ "$(jq -c '[paths] | length' "$TMPD/compact.json")" = \
		"$(jq -c '[paths] | length' "$TMPD/pretty.json")" ]
	ok $? "info --pretty and -j: the same document, laid out differently"
else
	skip "info -j: one line" "no tcp provider here"
	skip "info --pretty: indented" "no tcp provider here"
	skip "info --pretty and -j: the same document" "no tcp provider here"
fi

done_testing
