#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bash completion (completions/efadiag) as a shell runs it: commands, options, and the
# values of stats' options (--prom files or -, --listen ports, -d rdma device names from the
# fixture's sysfs).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"



if [ "${BASH_VERSINFO[0]}" -lt 4 ] || ! command -v timeout >/dev/null; then
	skip "bash completion" "needs bash 4 and timeout"
	done_testing
	exit
fi

got=$(complete_words "" st)
[ "$got" = stats ]
ok $? "a command: st completes to stats (got: ${got//$'\n'/ })"

got=$(complete_words "" stats --)
for o in --interval --count --prom --listen --domain --timeout --json; do
	printf '%s\n' "$got" | grep -qx -- "$o"
	ok $? "stats --<TAB> offers $o"
done
printf '%s\n' "$got" | grep -qx -- --sizes
ok $((!$?)) "stats --<TAB> does not offer pingpong's --sizes"

got=$(complete_words "" pingpong --fabric "")
printf '%s\n' "$got" | grep -qx efa-direct
ok $? "pingpong --fabric <TAB> offers efa-direct"

got=$(complete_words "" stats -i "")
printf '%s\n' "$got" | grep -qx 1
ok $? "stats -i <TAB> offers seconds"

# --prom: file names, and - for standard output.
mkdir -p "$TMPD/textfile"
: >"$TMPD/textfile/efa.prom"
got=$(complete_words "" stats --prom "")
printf '%s\n' "$got" | grep -qx -- -
ok $? "stats --prom <TAB> offers - (standard output)"
got=$(complete_words "" stats --prom "$TMPD/textfile/e")
[ "$got" = "$TMPD/textfile/efa.prom" ]
ok $? "stats --prom PATH<TAB> completes the file name (got: $got)"
got=$(complete_words "" stats -i 1 --prom "$TMPD/text")
[ "$got" = "$TMPD/textfile" ]
ok $? "stats --prom completes a directory on the way (got: $got)"

# mesh --svg and --html: file names.
: >"$TMPD/textfile/mesh.svg"
got=$(complete_words "" mesh --pairs 4 --svg "$TMPD/textfile/m")
[ "$got" = "$TMPD/textfile/mesh.svg" ]
ok $? "mesh --svg PATH<TAB> completes the file name (got: $got)"
got=$(complete_words "" mesh --html "$TMPD/text")
[ "$got" = "$TMPD/textfile" ]
ok $? "mesh --html completes a directory on the way (got: $got)"

# --bind: this node's addresses; loopback is always one of them.
if command -v ip >/dev/null 2>&1 && ip -o addr show 2>/dev/null | grep -q ' 127\.0\.0\.1/'; then
	got=$(complete_words "" serve --bind 127.0)
	[ "$got" = 127.0.0.1 ]
	ok $? "serve --bind 127.0<TAB> completes to 127.0.0.1 (got: ${got//$'\n'/ })"
else
	skip "serve --bind <TAB>" "no ip(8), or no 127.0.0.1 listed"
fi

# --listen: a port, or an address and a port.
got=$(complete_words "" stats --listen "")
printf '%s\n' "$got" | grep -qx 9478 && printf '%s\n' "$got" | grep -qx 127.0.0.1:9478
ok $? "stats --listen <TAB> offers PORT and ADDR:PORT (got: ${got//$'\n'/ })"

# -d: every rdma device in sysfs, EFA or not, the ones already listed left out.
ROOT=$TMPD/root
mkdir -p "$ROOT/sys/class/infiniband"
cp -r "$FIXTURES/stats-current/sys/class/infiniband/." "$ROOT/sys/class/infiniband/"
mkdir -p "$ROOT/sys/class/infiniband/mlx5_0" # not EFA: stats -d reads it too
got=$(complete_words "$ROOT" stats -d "")
want=$(printf '%s\n' mlx5_0 rdmap79s0 rdmap80s0 rdmap81s0 rdmap82s0)
[ "$got" = "$want" ]
ok $? "stats -d <TAB> offers every rdma device (got: ${got//$'\n'/ })"
got=$(complete_words "$ROOT" stats -d rdmap79s0,rdmap8)
want=$(printf '%s\n' rdmap79s0,rdmap80s0 rdmap79s0,rdmap81s0 rdmap79s0,rdmap82s0)
[ "$got" = "$want" ]
ok $? "stats -d A,<TAB> completes the next name (got: ${got//$'\n'/ })"
got=$(complete_words "$ROOT" -q stats --domain "")
printf '%s\n' "$got" | grep -qx mlx5_0
ok $? "stats --domain after a global option: the same names"

done_testing
