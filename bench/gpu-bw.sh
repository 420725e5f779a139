#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# GPU to GPU over shm on one node, side by side: efadiag bw --mem cuda against fabtests'
# fi_rdm_tagged_bw -D cuda (the anchor: libfabric's own benchmark on the same provider and
# memory), at 64 KiB and 1 MiB. Prints both in Gbit/s and the ratio (goal: >= 1.0), then runs
# efadiag once more with --verify. Needs a libfabric with CUDA support and fabtests built
# --with-cuda (scripts/gpu-device-run.sh builds both).
# Usage: bench/gpu-bw.sh [-r REPEATS] [-I ITERATIONS]
#   EFADIAG (default ./efadiag or build/efadiag), FT_BIN (directory of fi_rdm_tagged_bw,
#   default: from PATH)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
EFADIAG=${EFADIAG:-$top/efadiag}
[ -x "$EFADIAG" ] || EFADIAG=$top/build/efadiag
REPEATS=3
ITERS=2000
SIZES=(65536 1048576)
while getopts r:I: o; do
	case $o in
	r) REPEATS=$OPTARG ;;
	I) ITERS=$OPTARG ;;
	*) echo "usage: $0 [-r N] [-I N]" >&2; exit 2 ;;
	esac
done
FT=${FT_BIN:+$FT_BIN/}fi_rdm_tagged_bw
command -v "$FT" >/dev/null || { echo "gpu-bw: $FT not found (set FT_BIN)" >&2; exit 3; }
[ -x "$EFADIAG" ] || { echo "gpu-bw: build efadiag first ($EFADIAG)" >&2; exit 3; }
command -v jq >/dev/null || { echo "gpu-bw: jq is needed" >&2; exit 3; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR) print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
port=$((20000 + RANDOM % 20000))

# fabtests at SIZE: server and client as two processes, addresses exchanged out of band (-E);
# MB/sec (1e6 bytes/s, the 5th column of its result line) in Gbit/s.
ft_gbps() {
	local size=$1 out srv
	port=$((port + 1))
	timeout 120 "$FT" -p shm -E="$port" -D cuda -S "$size" -I "$ITERS" >/dev/null 2>&1 &
	srv=$!
	sleep 0.5
	out=$(timeout 120 "$FT" -p shm -E="$port" -D cuda -S "$size" -I "$ITERS" 127.0.0.1 2>&1)
	wait "$srv" 2>/dev/null
	printf '%s\n' "$out" | awk -v s="$size" '$1 ~ /^[0-9]/ && NF >= 7 { v = $5 } END { if (v != "") printf "%.3f\n", v * 8 / 1000 }'
}

ed_gbps() {
	local size=$1
	"$EFADIAG" bw --loopback -p shm --mem cuda -S "$size" -I "$ITERS" --json 2>/dev/null |
		jq -r 'select(.status == "ok") | .results[0].bw_gbps'
}

printf '%-9s %14s %14s %7s   %s\n' SIZE "efadiag Gb/s" "fabtests Gb/s" ratio "(median of $REPEATS, $ITERS iterations)"
for size in "${SIZES[@]}"; do
	e=$(for _ in $(seq "$REPEATS"); do ed_gbps "$size"; done | median)
	f=$(for _ in $(seq "$REPEATS"); do ft_gbps "$size"; done | median)
	ratio=$(awk -v e="${e:-0}" -v f="${f:-0}" 'BEGIN { if (f > 0) printf "%.2f", e / f; else print "n/a" }')
	printf '%-9s %14s %14s %7s\n' "$size" "${e:-failed}" "${f:-failed}" "$ratio"
done
echo "--- efadiag bw --mem cuda --verify (64k, 1M):"
"$EFADIAG" bw --loopback -p shm --mem cuda -S 64k,1M -I 200 --verify
echo "verify exit: $?"
