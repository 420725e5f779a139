#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Side by side at 1 MiB, in one run: efadiag bw against fi_pingpong's one-way throughput on the
# same provider (a window of operations must beat a ping-pong), and for shm against a
# single-thread memcpy of the same size (the limit of a one-copy transport). Prints ratios.
# Usage: bench/bw.sh [-r REPEATS] [PROVIDER...]   (default: shm tcp)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
EFADIAG=${EFADIAG:-$top/efadiag}
REPEATS=3
SIZE=1048576
while getopts r: o; do
	case $o in
	r) REPEATS=$OPTARG ;;
	*) echo "usage: $0 [-r N] [PROVIDER...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
PROVIDERS=("$@")
[ ${#PROVIDERS[@]} -gt 0 ] || PROVIDERS=(shm tcp)
command -v fi_pingpong >/dev/null || { echo "fi_pingpong not found (apt-get install libfabric-bin)" >&2; exit 3; }
[ -x "$EFADIAG" ] || { echo "build efadiag first ($EFADIAG)" >&2; exit 3; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/memcpy" "$top/bench/memcpy.c" || exit 3

if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	ON_SERVER="taskset -c 0"; ON_CLIENT="taskset -c 1"
else
	ON_SERVER=; ON_CLIENT=
fi
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
wait_listen() { for _ in $(seq 50); do ss -ltn 2>/dev/null | grep -q ":$1 " && return 0; sleep 0.1; done; }

# fi_pingpong at 1 MiB: one-way throughput = size / one-way latency, in Gbit/s.
fi_gbps() {
	local prov=$1 port=$2
	$ON_SERVER timeout 120 fi_pingpong -p "$prov" -e rdm -S $SIZE -I 1000 -B "$port" >/dev/null 2>&1 &
	local srv=$!
	wait_listen "$port"
	$ON_CLIENT timeout 120 fi_pingpong -p "$prov" -e rdm -S $SIZE -I 1000 -P "$port" localhost 2>/dev/null |
		awk -v s=$SIZE 'NR>1 && $7 > 0 {printf "%.3f\n", s * 8 / ($7 * 1e-6) / 1e9}'
	wait $srv 2>/dev/null
}

ef_gbps() {
	local prov=$1 port=$2
	$ON_SERVER timeout 120 "$EFADIAG" bw -q -p "$prov" -P "$port" >/dev/null 2>&1 &
	local srv=$!
	wait_listen "$port"
	$ON_CLIENT timeout 120 "$EFADIAG" bw -q -j -p "$prov" -P "$port" -S $SIZE -I 2000 127.0.0.1 |
		jq -r '.results[0].bw_gbps'
	wait $srv 2>/dev/null
}

# memcpy twice: through a 256 MiB working set (fresh data, as a transport moves it) and of
# one cache-hot buffer (an upper bound no transport reaches).
printf '%-5s %17s %14s %6s %13s %8s %12s %8s\n' PROV "fi_pingpong(Gb/s)" "efadiag(Gb/s)" RATIO \
	"memcpy(Gb/s)" "BW/MEMCPY" "memcpy-hot" "BW/HOT"
port=30700
for prov in "${PROVIDERS[@]}"; do
	: >"$tmp/fi"; : >"$tmp/ef"; : >"$tmp/mc"; : >"$tmp/mh"
	for _ in $(seq "$REPEATS"); do
		port=$((port + 1)); fi_gbps "$prov" "$port" >>"$tmp/fi"
		port=$((port + 1)); ef_gbps "$prov" "$port" >>"$tmp/ef"
		$ON_CLIENT "$tmp/memcpy" $SIZE 4000 >>"$tmp/mc"
		$ON_CLIENT "$tmp/memcpy" $SIZE 4000 $SIZE >>"$tmp/mh"
	done
	f=$(median <"$tmp/fi"); e=$(median <"$tmp/ef"); m=$(median <"$tmp/mc"); h=$(median <"$tmp/mh")
	awk -v p="$prov" -v f="$f" -v e="$e" -v m="$m" -v h="$h" 'BEGIN {
		shm = (p == "shm")
		printf "%-5s %17.2f %14.2f %6.2f %13s %8s %12s %8s\n", p, f, e, (f > 0 ? e / f : 0),
			(shm ? sprintf("%.2f", m) : "-"), (shm && m > 0 ? sprintf("%.2f", e / m) : "-"),
			(shm ? sprintf("%.2f", h) : "-"), (shm && h > 0 ? sprintf("%.2f", e / h) : "-") }'
done
