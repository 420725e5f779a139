#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# efadiag mesh's wall time for N = 4, 6, 8 ranks under mpirun on this machine (tcp): the
# rounds grow as N - 1, each costing one pair budget (-t), so the wall time is a set-up plus
# rounds x budget. Prints the figures, a least-squares fit of wall time on rounds, and the
# estimate for 16, 256 and 1024 nodes (all pairs, and --pairs 8).
# Usage: bench/mesh.sh [-t SEC] [-p PROVIDER] [N...]   (default: -t 1 -p tcp 4 6 8)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
EFADIAG=${EFADIAG:-$top/efadiag}
T=1
PROV=tcp
while getopts t:p: o; do
	case $o in
	t) T=$OPTARG ;;
	p) PROV=$OPTARG ;;
	*) echo "usage: $0 [-t SEC] [-p PROVIDER] [N...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(4 6 8)
command -v mpirun >/dev/null || { echo "mpirun not found (apt-get install openmpi-bin)" >&2; exit 3; }
command -v jq >/dev/null || { echo "jq not found" >&2; exit 3; }
[ -x "$EFADIAG" ] || { echo "build efadiag first ($EFADIAG)" >&2; exit 3; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

printf '%4s %7s %7s %6s %8s %9s %10s %s\n' N ROUNDS RETESTS PAIRS WALL_S ROUNDS_S PER_ROUND VERDICT
: >"$tmp/fit"
for n in "${SIZES[@]}"; do
	t0=$(date +%s.%N)
	timeout 600 mpirun --allow-run-as-root --oversubscribe -np "$n" "$EFADIAG" mesh -p "$PROV" \
		-t "$T" --lat-factor 0 --json >"$tmp/out" 2>"$tmp/err"
	t1=$(date +%s.%N)
	wall=$(echo "$t1 - $t0" | bc -l)
	read -r rounds retests pairs per verdict < <(jq -r \
		'"\(.rounds) \(.retest_rounds) \(.pairs | length) \(.round_sec) \(.verdict)"' "$tmp/out")
	printf '%4d %7s %7s %6s %8.2f %9.2f %10.3f %s\n' "$n" "$rounds" "$retests" "$pairs" "$wall" \
		"$(echo "$rounds * $per" | bc -l)" "$per" "$verdict"
	# Retest rounds (suspects measured again) cost a round each, like the others.
	echo "$((rounds + retests)) $wall" >>"$tmp/fit"
done
# Least squares: wall = setup + rounds x per_round (retest rounds counted).
awk -v T="$T" '{ n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
END {
	b = (n * sxy - sx * sy) / (n * sxx - sx * sx); a = (sy - b * sx) / n
	printf "fit: wall = %.2f s + rounds x %.3f s (budget -t %s s)\n", a, b, T
	split("16 256 1024", N, " ")
	for (i = 1; i <= 3; i++)
		printf "estimate %4d nodes: all pairs %5d rounds %9.0f s (%6.1f min); --pairs 8: %5.0f s\n",
			N[i], N[i] - 1, a + (N[i] - 1) * b, (a + (N[i] - 1) * b) / 60, a + 8 * b
}' "$tmp/fit"
