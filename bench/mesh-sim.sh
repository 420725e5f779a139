#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mesh's judgement at fleet scale, simulated (tests/sim-mesh.c: rank 0's real judge and
# retest fed synthetic allocations): false culprits per run, recall and precision per fault
# kind, rank 0's CPU time, for 16 to 4,096 nodes, 1 and 4 NICs, noise 3, 10 and 25 %.
# Usage: bench/mesh-sim.sh [RUNS [RUNS_AT_1024_AND_UP [--quick | -K K]]]   (default: 100 and 10,
# all pairs; --quick: mesh --quick's rounds, -K K: --pairs K's, each with the suspects' rounds)
# Needs the test programs built (make check TESTS= builds them; or make tests/sim-mesh).
# The full table takes an hour or more on two cores; 4,096 nodes need about 1 GB of memory.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SIM=${SIM:-}
for c in "$SIM" "$top/build/tests/sim-mesh" "$top/tests/sim-mesh"; do
	[ -n "$c" ] && [ -x "$c" ] && { SIM=$c; break; }
done
[ -n "$SIM" ] && [ -x "$SIM" ] || { echo "build tests/sim-mesh first (make tests/sim-mesh)" >&2; exit 3; }
RUNS=${1:-100}
BIG=${2:-10}
SCHED=${3:-}
[ -z "$SCHED" ] || [ "$SCHED" = --quick ] || [ "$SCHED" = -K ] || { echo "the schedule: --quick or -K K" >&2; exit 2; }
echo "# columns: RUNS_F runs with a false culprit, MAX_F most in one run, FALSE/RN per run,"
echo "# UNMEA runs called 'could not measure', JUDGE_CPU rank 0's worst CPU seconds (judge,"
echo "# retest plan, retest merge, judge again), RTR retest rounds, RT_PRS retest pairs,"
echo "# RNDS most rounds before the retest, WIDE most suspects' rounds, MET share of bad links measured"
# shellcheck disable=SC2086 # SCHED and its K are words of their own
exec "$SIM" --table -n 16,64,256,1024,4096 -l 1,4 -e 0.03,0.10,0.25 -r "$RUNS" -R "$BIG" ${SCHED:+$SCHED ${4:-}}
