#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Side-by-side latency: efadiag pingpong and fi_pingpong (libfabric-bin) with the same
# provider, sizes and iterations, in one run on loopback. Prints the ratio of average one-way
# latency per size (efadiag / fi_pingpong: below 1.00 means efadiag is faster): the median of
# the ratios of neighbouring runs, with each tool's median latency beside it.
# Usage: bench/pingpong.sh [-a] [-I ITERATIONS] [-r REPEATS] [-S SIZE,...] [PROVIDER...]
#        (default: 100000 iterations, 11 pairs, fi_pingpong's six sizes, shm tcp udp)
# -a: A/A run, fi_pingpong against itself in the efadiag column: the ratios it prints are
#     this machine's noise floor, the spread any efadiag ratio must be read against.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
EFADIAG=${EFADIAG:-$top/efadiag}
ITERS=100000
# Loopback latency on a VM moves between levels that last seconds, for both tools alike (shm
# 64 B: 0.2, 0.35 or 1.1 us; 4 KiB: 0.45, 0.75 or 2.7 us), likely where the host runs the two
# vCPUs. So the runs alternate, each efadiag run is compared with the fi_pingpong run just
# before it, and the median of those ratios is the result; it needs about ten pairs to settle.
REPEATS=11
SIZES=(64 256 1024 4096 65536 1048576)
SELF=0
while getopts aI:r:S: o; do
	case $o in
	I) ITERS=$OPTARG ;;
	a) SELF=1 ;;
	r) REPEATS=$OPTARG ;;
	S) IFS=, read -ra SIZES <<<"$OPTARG" ;;
	*) echo "usage: $0 [-a] [-I N] [-r N] [-S SIZE,...] [PROVIDER...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
PROVIDERS=("$@")
[ ${#PROVIDERS[@]} -gt 0 ] || PROVIDERS=(shm tcp udp)
command -v fi_pingpong >/dev/null || { echo "fi_pingpong not found (apt-get install libfabric-bin)" >&2; exit 3; }
[ -x "$EFADIAG" ] || { echo "build efadiag first ($EFADIAG)" >&2; exit 3; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Large messages take long on the software providers (udp: 50 ms a round trip at 1 MiB):
# fewer iterations from 64 KiB.
iters_for() {
	if [ "$1" -ge 1048576 ]; then echo $((ITERS / 1000 > 10 ? ITERS / 1000 : 10))
	elif [ "$1" -ge 65536 ]; then echo $((ITERS / 100 > 10 ? ITERS / 100 : 10))
	else echo "$ITERS"; fi
}

# Server and client each on a core of their own, the same for both tools: with two busy
# pollers on one core the numbers measure the scheduler, not the transport.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	ON_SERVER="taskset -c 0"
	ON_CLIENT="taskset -c 1"
else
	ON_SERVER=
	ON_CLIENT=
fi

# wait_listen PORT: bounded wait (5 s) until a server listens on the TCP port.
wait_listen() {
	for _ in $(seq 50); do
		ss -ltn 2>/dev/null | grep -q ":$1 " && return 0
		sleep 0.1
	done
}

# fi_pingpong's usec/xfer for one size: one-way latency, as it reports it.
fi_lat() {
	local prov=$1 size=$2 port=$3 n
	n=$(iters_for "$size")
	$ON_SERVER timeout 120 fi_pingpong -p "$prov" -e rdm -S "$size" -I "$n" -B "$port" >/dev/null 2>&1 &
	local srv=$!
	wait_listen "$port"
	$ON_CLIENT timeout 120 fi_pingpong -p "$prov" -e rdm -S "$size" -I "$n" -P "$port" localhost 2>/dev/null |
		awk 'NR>1 && $1 ~ /^[0-9]+[kmgKMG]?$/ {print $7}'
	wait $srv 2>/dev/null
}

ef_lat() {
	local prov=$1 size=$2 port=$3 n
	n=$(iters_for "$size")
	$ON_SERVER timeout 120 "$EFADIAG" pingpong -q -p "$prov" -P "$port" >/dev/null 2>&1 &
	local srv=$!
	wait_listen "$port"
	# fi_pingpong has no warmup: here neither has efadiag, so both averages include the first,
	# cold round trips (the tcp provider connects on the first message).
	$ON_CLIENT timeout 120 "$EFADIAG" pingpong -q -j -p "$prov" -P "$port" -S "$size" -I "$n" -w 0 127.0.0.1 |
		jq -r '.results[0].lat_avg_usec'
	wait $srv 2>/dev/null
}

second=efadiag; [ "$SELF" = 1 ] && second=fi_pingpong
printf '%-6s %8s %15s %13s %7s %13s\n' PROV BYTES "fi_pingpong(us)" "$second(us)" RATIO \
	"RANGE"
# Below the ephemeral range (32768+), so no client socket holds a port we want.
port=30100
for prov in "${PROVIDERS[@]}"; do
	for size in "${SIZES[@]}"; do
		: >"$tmp/pairs"
		for _ in $(seq "$REPEATS"); do
			port=$((port + 1)); f=$(fi_lat "$prov" "$size" "$port")
			port=$((port + 1))
			if [ "$SELF" = 1 ]; then e=$(fi_lat "$prov" "$size" "$port")
			else e=$(ef_lat "$prov" "$size" "$port"); fi
			echo "${f:-0} ${e:-0}" >>"$tmp/pairs"
		done
		fm=$(awk '{print $1}' "$tmp/pairs" | median)
		em=$(awk '{print $2}' "$tmp/pairs" | median)
		awk '$1 > 0 && $2 > 0 {print $2 / $1}' "$tmp/pairs" | sort -g >"$tmp/ratios"
		awk -v p="$prov" -v s="$size" -v fm="$fm" -v em="$em" -v r="$(median <"$tmp/ratios")" \
			-v lo="$(head -1 "$tmp/ratios")" -v hi="$(tail -1 "$tmp/ratios")" 'BEGIN {
			if (r == "") { printf "%-6s %8d %15s %13s %7s\n", p, s, "n/a", "n/a", "n/a"; exit }
			printf "%-6s %8d %15.2f %13.2f %7.2f %13s\n", p, s, fm, em, r,
				sprintf("%.2f-%.2f", lo, hi) }'
	done
done
