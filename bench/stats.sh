#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The CPU cost of one efadiag stats sample on a fixture of N EFA devices (default 32, the most
# a p5 has) with the current driver's counters (34 files each), beside the floor: a minimal
# single-thread reader of the same files (bench/hwc-floor.c). The issue's budget is well under
# 5 ms of CPU per sample. efadiag's per-sample cost is measured as the CPU of a run of S+1
# samples less that of a run of 1, over S: start-up (loading libfabric) is left out.
# Usage: bench/stats.sh [-n DEVICES] [-s SAMPLES] [-r REPEATS]   (defaults 32, 300, 5)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
EFADIAG=${EFADIAG:-$top/efadiag}
NDEV=32 SAMPLES=300 REPEATS=5
while getopts n:s:r: o; do
	case $o in
	n) NDEV=$OPTARG ;;
	s) SAMPLES=$OPTARG ;;
	r) REPEATS=$OPTARG ;;
	*) echo "usage: $0 [-n DEVICES] [-s SAMPLES] [-r REPEATS]" >&2; exit 2 ;;
	esac
done
[ -x "$EFADIAG" ] || { echo "build efadiag first ($EFADIAG)" >&2; exit 3; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/hwc-floor" "$top/bench/hwc-floor.c" || exit 3

# A sysroot of NDEV devices, each a copy of the fixture's first device.
src=$top/tests/fixtures/stats-current/sys/class/infiniband/rdmap79s0
mkdir -p "$tmp/root/sys/class/infiniband"
dirs=()
for i in $(seq 0 $((NDEV - 1))); do
	d=rdmap$((100 + i))s0
	cp -r "$src" "$tmp/root/sys/class/infiniband/$d"
	printf '0000:%02x:00.0\n' $((100 + i)) >/dev/null
	dirs+=("$tmp/root/sys/class/infiniband/$d/ports/1/hw_counters" "$tmp/root/sys/class/infiniband/$d/hw_counters")
done
devs=$(cd "$tmp/root/sys/class/infiniband" && ls | paste -sd,)

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# cpu_ms ARGS...: user+system CPU of one efadiag stats run, in ms.
cpu_ms() {
	local TIMEFORMAT='%3U %3S' t
	t=$( { time EFADIAG_SYSROOT="$tmp/root" "$EFADIAG" stats -d "$devs" "$@" >/dev/null 2>&1; } 2>&1 )
	awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.3f\n", (a[1] + a[2]) * 1000 }'
}

for r in $(seq "$REPEATS"); do
	one=$(cpu_ms -i 0.01 -c 1 --json)
	many=$(cpu_ms -i 0.01 -c $((SAMPLES + 1)) --json)
	awk -v a="$one" -v b="$many" -v s="$SAMPLES" 'BEGIN { printf "%.4f\n", (b - a) / s }' >>"$tmp/efadiag"
	many=$(cpu_ms -i 0.01 -c $((SAMPLES + 1)) --prom "$tmp/efa.prom")
	awk -v a="$one" -v b="$many" -v s="$SAMPLES" 'BEGIN { printf "%.4f\n", (b - a) / s }' >>"$tmp/prom"
	"$tmp/hwc-floor" "$SAMPLES" "${dirs[@]}" | awk '{print $1}' >>"$tmp/floor"
done
e=$(median <"$tmp/efadiag"); p=$(median <"$tmp/prom"); f=$(median <"$tmp/floor")
printf 'devices %d, files per sample %d, %d samples x %d runs (medians)\n' "$NDEV" \
	"$(find "${dirs[@]}" -type f | wc -l)" "$SAMPLES" "$REPEATS"
printf '%-34s %8s ms CPU/sample\n' "efadiag stats --json" "$e" "efadiag stats --prom FILE" "$p" \
	"floor (bench/hwc-floor.c)" "$f"
awk -v e="$e" -v p="$p" -v f="$f" 'BEGIN {
	printf "ratio efadiag/floor: %.2f (json), %.2f (prom); budget 5 ms: %s\n", e / f, p / f,
		(e < 5 && p < 5) ? "met" : "MISSED" }'
