#!/bin/bash
# SPDX-License-Identifier: MIT
# efadiag mesh under Slurm (srun --mpi=pmix): four nodes on this machine, a slurmd each in
# one network namespace the test creates, with munged and slurmctld started and stopped by
# pid. Healthy, then one fault each (a dead node, a bad link, a weak node, a rank stopped
# with SIGSTOP): every verdict names exactly the faulty node by its Slurm name, within its
# budget, and srun's own exit status carries the verdict.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mesh-lib.sh"

mesh_require
mesh_slurm_require

N=4
T=2 # seconds per round: room for a starved rank on a shared 2-core host
BOUND=$((5 * T + 35)) # rounds, retest, set-up, the wait for a missing report, the last fence
export MESH_WEAK_RATE=1 # MB/s: clearly apart from this machine's healthy pairs (see mesh-mpirun.sh)

mesh_netns "$N"
mesh_slurm_start

mesh_run() { # mesh_run [OPTIONS]: the mesh under srun, JSON in $TMPD/out; RC, ELAPSED
	local t0=$SECONDS
	timeout 120 nsenter --net="/run/netns/$MESH_NS" srun --mpi=pmix -N "$N" --ntasks-per-node=1 \
		"$MESH_WRAP" mesh -p tcp -t "$T" --lat-factor 0 --json "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	ELAPSED=$((SECONDS - t0))
}

mesh_run
mesh_run_again_unless "[]" "[]"
is_rc 0 "healthy: pass, srun's status"
[ "$RC" -eq 0 ] || diag "pairs: $(mesh_jq '[.pairs[]? | [.a, .b, .status, .bw_gbps, .detail]]')"
contract_keys "mesh"
json_true '.verdict == "pass" and .ranks == 4 and (.pairs | length) == 6 and
	([.nodes[].host] == ["n1","n2","n3","n4"]) and (.bad_nodes | length) == 0' \
	"healthy: 6 pairs ok, the nodes by their Slurm names"

mesh_fault_dead 2
mesh_run
mesh_run_again_unless "[2]" "[]"
mesh_check_case "dead node (n3)" "[2]" "[]"
json_true '.bad_nodes[0].host == "n3" and (.remedy_commands | index("scontrol update NodeName=n3 State=DRAIN Reason=\"efadiag mesh: bad node\"") != null)' \
	"dead node: named n3, with the drain command for it"
mesh_fault_clear

mesh_fault_link 0 1
mesh_run
mesh_run_again_unless "[]" "[[0,1]]"
mesh_check_case "bad link (n1-n2)" "[]" "[[0,1]]"
mesh_fault_clear

mesh_fault_weak 1
mesh_run
mesh_run_again_unless "[1]" "[]"
mesh_check_case "weak node (n2)" "[1]" "[]"
mesh_fault_clear

# Stopped after the start, continued once rank 0 has reported: it learns the verdict too.
export MESH_STOP_RANK=3 MESH_STOP_AT=2.5 MESH_STOP_FOR=11
mesh_run
unset MESH_STOP_RANK MESH_STOP_AT MESH_STOP_FOR
mesh_check_case "stopped rank (n4)" "[3]" "[]"
json_true '.bad_nodes[0].host == "n4" and (.bad_nodes[0].reason | test("did not report"))' \
	"stopped rank: named n4, as not reporting"
[ "$ELAPSED" -le "$BOUND" ]
ok $? "stopped rank: the run ends within ${BOUND} s (took ${ELAPSED} s)"

done_testing
