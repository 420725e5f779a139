#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bad-input catalogue, as a table: every value-taking option of the test commands given
# invalid values, conflicting options, unknown options. Each must exit 2 with a message naming
# the option and the value, and with --json print one JSON document with status "error".
. "${TOP_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

# command | arguments | what the message must contain (extended regex)
while IFS='|' read -r cmd args want; do
	[ -n "$cmd" ] || continue
	# shellcheck disable=SC2086
	eval "set -- $args"
	run "$cmd" "$@"
	is_rc 2 "$cmd $args"
	like "$ERR" "$want" "$cmd $args: message names it"
	run "$cmd" "$@" --json
	[ "$RC" -eq 2 ] && [ "$(jq -s length <"$TMPD/out" 2>/dev/null)" = 1 ] &&
		[ -s "$TMPD/out" ] && jq -e '.status == "error" and (.error.message | length > 0)' <"$TMPD/out" >/dev/null
	ok $? "$cmd $args --json: one JSON error document"
done <<'TABLE'
pingpong|-S ''|invalid value '' for -S/--sizes: empty
pingpong|-S -64|invalid value '-64' for -S/--sizes
pingpong|-S 0|invalid value '0' for -S/--sizes: size must be at least 1
pingpong|-S 64x|invalid value '64x' for -S/--sizes: unknown size suffix
pingpong|-S 2G|invalid value '2G' for -S/--sizes: size too large
pingpong|-S 99999999999999999999999|invalid value '9+' for -S/--sizes: size too large
pingpong|-S 64,,128|invalid value '64,,128' for -S/--sizes: empty item
pingpong|-S 1M:64|invalid value '1M:64' for -S/--sizes: range start is above its end
pingpong|-S 100:1M|invalid value '100:1M' for -S/--sizes: range ends must be powers of two
pingpong|-I 0|invalid value '0' for -I/--iterations: must be at least 1
pingpong|-I -5|invalid value '-5' for -I/--iterations
pingpong|-I 10k|invalid value '10k' for -I/--iterations: not a whole number
pingpong|-I 999999999999|invalid value '999999999999' for -I/--iterations: above the allowed maximum
pingpong|-I ''|invalid value '' for -I/--iterations: empty
pingpong|-w -1|invalid value '-1' for -w/--warmup: must not be negative
pingpong|-w lots|invalid value 'lots' for -w/--warmup: not a whole number
pingpong|--exec ''|invalid value '' for --exec: empty command
pingpong|-t 0|invalid value '0' for -t/--timeout
pingpong|-P 70000|invalid value '70000' for -P/--port: not a TCP port
pingpong|--loopback 127.0.0.1|--loopback runs both ends here
pingpong|--exec env 127.0.0.1|either HOST or --exec
pingpong|--window 4|option '--window' does not apply to 'pingpong'
pingpong|--bogus|unknown option '--bogus'
pingpong|127.0.0.1 extra|unexpected argument 'extra'
bw|-W 0|invalid value '0' for -W/--window: must be at least 1
bw|-W 1025|invalid value '1025' for -W/--window: above the allowed maximum
bw|-W 8x|invalid value '8x' for -W/--window: not a whole number
bw|-W ''|invalid value '' for -W/--window: empty
bw|--op copy|invalid value 'copy' for --op: not an operation
bw|--op ''|invalid value '' for --op: not an operation
bw|--duration 0|invalid value '0' for --duration: must be greater than zero
bw|--duration -1|invalid value '-1' for --duration
bw|--duration 1h|invalid value '1h' for --duration: not a number
bw|--duration 99999|invalid value '99999' for --duration: above the allowed maximum
bw|--reverse --bidir|--reverse and --bidir exclude each other
bw|--all-domains -d eth0|--all-domains and -d exclude each other
bw|--duration 1 -I 10|--duration and -I/--iterations exclude each other
bw|--token ''|invalid value for --token
bw|-d ''|invalid value '' for -d/--domain: empty
bw|-d a,,b|invalid value 'a,,b' for -d/--domain: empty name
sg-check|-S 64|option '-S' does not apply to 'sg-check'
sg-check|--verify|option '--verify' does not apply to 'sg-check'
sg-check|--loopback --exec env|--loopback runs both ends here
serve|--stdio --persist|--stdio serves the one client
serve|127.0.0.1|unexpected argument '127.0.0.1'
serve|--loopback|option '--loopback' does not apply to 'serve'
info|--op send|option '--op' does not apply to 'info'
TABLE

# A token is a secret: a refused value is not echoed.
run bw --token "$(head -c 300 /dev/zero | tr '\0' x)"
is_rc 2 "an overlong --token"
! printf '%s' "$ERR" | grep -q xxxxxxxxxx; ok $? "the refused token is not echoed"

done_testing
