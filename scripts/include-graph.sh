#!/bin/sh
# SPDX-License-Identifier: MIT
# Prints the local includes of every file in src/ and checks that the modules (foo.c with its
# foo.h) depend on each other without a cycle: "include graph: no cycle" and exit 0, or the
# loop tsort found and exit 1. -q: only the verdict.
# Usage: scripts/include-graph.sh [-q] [SRC_DIR]   (default: this tree's src/)
set -u
quiet=0
[ "${1:-}" = -q ] && quiet=1 && shift
cd "${1:-$(dirname "$0")/../src}" || exit 2
edges=$(mktemp)
trap 'rm -f "$edges" "$edges.err"' EXIT
for f in $(find . -name '*.[ch]' -o -name '*.def' | sed 's|^\./||' | sort); do
	incs=$(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | grep -v '^config\.h$' | tr '\n' ' ')
	[ "$quiet" = 1 ] || printf '%-26s -> %s\n' "$f" "${incs:-(none)}"
	# A module is a file without its extension: cli.c and cli.h are one node.
	for i in $incs; do
		a=${f%.*}
		b=${i%.*}
		[ "$a" != "$b" ] && echo "$a $b" >>"$edges"
	done
	echo "${f%.*} ${f%.*}" >>"$edges"
done
if tsort "$edges" >/dev/null 2>"$edges.err"; then
	echo "include graph: no cycle ($(cut -d' ' -f1 "$edges" | sort -u | wc -l) modules)"
	exit 0
fi
cat "$edges.err"
exit 1
