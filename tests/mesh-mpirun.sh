#!/bin/bash
# SPDX-License-Identifier: MIT
# efadiag mesh under Open MPI's mpirun (PMIx): four ranks, each on its own interface of one
# network namespace, healthy and then with one fault each (a dead node, a bad link, a weak
# node, a rank stopped with SIGSTOP): every verdict names exactly the faulty node or link,
# within its budget. Also: outside a launcher, --pairs K, and --svg/--html of the dead node.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mesh-lib.sh"

mesh_require
command -v mpirun >/dev/null 2>&1 || mesh_skip "needs mpirun (openmpi-bin)"

N=4
T=2 # seconds per round (the pair budget): room for a starved rank on a shared 2-core host
# Rounds (N - 1 of T, and up to 2 retest rounds), the set-up and rank 0's wait for a missing
# report (T + 2), with a margin for a loaded machine.
BOUND=$((5 * T + 25))
# The weak node's rate limit, MB/s. Healthy pairs here range from 0.15 to 5 Gbit/s (ranks
# and their lane threads share 2 CPUs with whatever else runs): 1 MB/s stays clearly apart.
export MESH_WEAK_RATE=1

mesh_run() { # mesh_run [OPTIONS]: the mesh under mpirun, JSON in $TMPD/out; RC, ELAPSED
	local t0=$SECONDS
	timeout 120 ip netns exec "$MESH_NS" mpirun --allow-run-as-root --oversubscribe -np "$N" \
		-x MESH_STOP_RANK -x MESH_STOP_AT -x MESH_STOP_FOR -x EFADIAG_TEST_MESH_QUICK_ROUNDS \
		"$MESH_WRAP" mesh -p tcp -t "$T" --lat-factor 0 --json "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	ELAPSED=$((SECONDS - t0))
}

# Outside a launcher: how to launch it, exit 3.
run mesh -p tcp
is_rc 3 "outside a PMIx launch"
like "$ERR" "srun --mpi=pmix.*mpirun" "it says how to launch it under srun and mpirun"

mesh_netns "$N"

mesh_run
mesh_run_again_unless "[]" "[]"
is_rc 0 "healthy: pass"
[ "$RC" -eq 0 ] || diag "pairs: $(mesh_jq '[.pairs[]? | [.a, .b, .status, .bw_gbps, .detail]]')"
contract_keys "mesh"
json_true '.verdict == "pass" and .ranks == 4 and (.pairs | length) == 6 and
	([.pairs[].status] | unique) == ["ok"] and (.bad_nodes | length) == 0 and
	(.bad_links | length) == 0 and ([.nodes[].domains[0]] == ["m1","m2","m3","m4"])' \
	"healthy: 6 pairs ok, each rank on its own interface"
json_true '[.pairs[] | [.a, .b] | sort] | unique | length == 6' "healthy: every pair once"
json_true '.mode == "all_pairs" and .first_rounds == 3 and .suspect_rounds == 0 and
	.pairs_measured == 6 and .pairs_total == 6' "healthy: all pairs, the mode says so"

json_true '.memory.type == "host"' "healthy: the document says where the buffers are"

# --mem cuda on nodes without CUDA: every rank says so, exit 3, one document (rank 0's), and
# no node or link is blamed for it. (Where a driver is installed, tests/gpu.sh covers GPUs.)
if ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; then
	mesh_run --mem cuda
	is_rc 3 "--mem cuda without libcuda.so.1"
	json_true '.status == "error" and (.error.message | test("--mem cuda: libcuda.so.1 cannot be loaded")) and
		(has("bad_links") | not)' "--mem cuda without CUDA: the reason, no verdict on the fabric"
	jq -e '.status == "error"' "$TMPD/out" >/dev/null 2>&1 ||
		diag "document: $(head -c 1500 "$TMPD/out" | tr '\n\t' '  ')" "stderr: $(head -c 800 "$TMPD/err" | tr '\n' ' ')"
	# Counted by jq, not by lines: a document is one line, or many with --pretty.
	[ "$(jq -s length "$TMPD/out" 2>/dev/null)" = 1 ]
	ok $? "--mem cuda without CUDA: one document on stdout"
else
	skip "--mem cuda without libcuda.so.1" "this machine has a CUDA driver"
fi

# Two pairs are too few to judge one against the other: only the schedule is checked. The run
# comes to a verdict, or, where a loaded machine made a rank miss its slot, says it could not
# measure (could_not_measure): never a usage error or a crash. Its --svg names a directory
# that does not exist: rank 0 says it cannot write that file, and why (stderr, a note, the
# document's picture_errors), and the verdict and its exit code stand.
mesh_run --pairs 1 --svg "$TMPD/no-such-dir/pairs.svg"
{ [ "$RC" -eq 0 ] && [ "$(mesh_jq .verdict)" = '"pass"' ]; } ||
	{ [ "$RC" -eq 1 ] && [ "$(mesh_jq .verdict)" = '"fail"' ]; } ||
	{ [ "$RC" -eq 3 ] && [ -n "$(mesh_jq '.could_not_measure // empty')" ]; }
ok $? "--pairs 1: runs to a verdict or could-not-measure, its exit code the verdict's (exit $RC)"
want="--svg: cannot write $TMPD/no-such-dir/pairs.svg: No such file or directory"
grep -qF -- "$want" "$TMPD/err" && [ "$(mesh_jq '.picture_errors')" = "[\"$want\"]" ]
ok $? "--svg FILE in a missing directory: the file and the reason said, on stderr and in picture_errors"
grep -qF -- "cannot write" "$TMPD/err" || diag "stderr: $(head -c 800 "$TMPD/err" | tr '\n' ' ')"
json_true '.rounds == 1 and (.pairs | length) == 2 and ([.pairs[] | .a, .b] | sort) == [0,1,2,3]' \
	"--pairs 1: one round of two disjoint pairs"
json_true '.mode == "pairs" and .pairs_measured == 2 and .pairs_total == 6' \
	"--pairs 1: the mode, and 2 of the 6 pairs measured"

mesh_fault_dead 2
PICS=(--svg "$TMPD/dead.svg" --html "$TMPD/dead.html")
mesh_run "${PICS[@]}"
mesh_run_again_unless "[2]" "[]" "${PICS[@]}"
mesh_check_case "dead node (rank 2)" "[2]" "[]"
json_true '[.pairs[] | select(.a == 2 or .b == 2) | .status] | unique == ["blocked"]' \
	"dead node: its pairs are blocked"
# --svg and --html of the same run: XML a parser reads, rank 2 marked bad and its cells
# blocked (black), the page's table of bad nodes naming it.
if command -v python3 >/dev/null; then
	out=$(python3 - "$TMPD/dead.svg" "$TMPD/dead.html" <<-'EOF' 2>&1
		import re, sys, xml.etree.ElementTree as ET
		S, H = '{http://www.w3.org/2000/svg}', '{http://www.w3.org/1999/xhtml}'
		svg = ET.parse(sys.argv[1]).getroot()
		page = ET.parse(sys.argv[2]).getroot()
		for root in (svg, page.find('.//' + S + 'svg')):
		    bad = [g.get('data-rank') for g in root.iter(S + 'g') if g.get('class') == 'bad-node']
		    assert bad == ['2'], 'bad nodes marked: %s' % bad
		    title = ''.join(root.find(S + 'title').itertext())
		    assert 'FAIL: bad_nodes: 1 bad node' in title, title
		    n = int(root.get('data-ranks'))
		    pos = [t.get('data-rank') for t in root.iter(S + 'text')
		           if (t.get('class') or '').startswith('row')].index('2')
		    # Each cell's colour: the background's, then each path's runs over it.
		    back = [r for r in root.iter(S + 'rect') if 'background' in (r.get('class') or '')]
		    grid = dict(((r, c), back[0].get('fill')) for r in range(n) for c in range(n))
		    for p in root.iter(S + 'path'):
		        for c, r, k in re.findall(r'M(\d+) (\d+)h(\d+)', p.get('d')):
		            for j in range(int(k)):
		                grid[int(r), int(c) + j] = p.get('fill')
		    black = set(rc for rc, fill in grid.items() if fill == '#000000')
		    want = set([(pos, c) for c in range(n) if c != pos] + [(r, pos) for r in range(n) if r != pos])
		    assert black == want, 'blocked (black) cells %s, want %s' % (sorted(black), sorted(want))
		rows = [[''.join(td.itertext()) for td in tr] for tr in page.iter(H + 'tr')
		        if tr.get('class') == 'bad-node']
		assert len(rows) == 1 and rows[0][0] == '2', 'bad nodes table: %s' % rows
		print('ok')
	EOF
	)
	[ "$out" = ok ]
	ok $? "dead node: --svg and --html written, well-formed, rank 2 marked bad in both"
	[ "$out" = ok ] || diag "$out"
else
	skip "dead node: --svg and --html" "python3 is not installed"
fi
# --quick: on four ranks its six rounds would be all three; the test hook leaves it two
# (circle rounds 0 and 1), so the dead node's suspects' round runs too: rank 2 against the
# one partner it has not met, and the other two ranks' pair as the round's control.
export EFADIAG_TEST_MESH_QUICK_ROUNDS=2
mesh_run --quick
mesh_run_again_unless "[2]" "[]" --quick
# The suspects' round needs rank 2 named from its pairs: a loaded machine that made it report
# late (named as not reporting, so no round for it) gets a fresh run, two at most, said.
for _ in 1 2; do
	[ "$(mesh_jq '.suspect_rounds')" != 1 ] || break
	diag "a fresh run after: no suspects' round; bad nodes $(mesh_jq '[.bad_nodes[]? | [.rank, .reason]]')"
	mesh_run --quick
	mesh_run_again_unless "[2]" "[]" --quick
done
unset EFADIAG_TEST_MESH_QUICK_ROUNDS
mesh_check_case "--quick, dead node (rank 2)" "[2]" "[]"
json_true '.mode == "quick" and .first_rounds == 2 and .suspect_rounds == 1 and .rounds == 3 and
	.suspect_pairs == 2 and (.pairs | length) == 6 and
	([.pairs[] | [.a, .b] | sort] | unique | length) == 6' \
	"--quick: 2 spread rounds, then 1 for the suspect (2 fresh pairs): every pair once"
json_true '[.pairs[] | select(.round == 3) | select(.a == 2 or .b == 2) | .status] == ["blocked"]' \
	"--quick: the suspect met a fresh partner in its round, blocked again"
mesh_fault_clear

mesh_fault_link 1 3
mesh_run
mesh_run_again_unless "[]" "[[1,3]]"
mesh_check_case "bad link (ranks 1-3)" "[]" "[[1,3]]"
mesh_fault_clear

mesh_fault_weak 3
mesh_run
mesh_run_again_unless "[3]" "[]"
mesh_check_case "weak node (rank 3)" "[3]" "[]"
mesh_fault_clear

export MESH_STOP_RANK=1 MESH_STOP_AT=2.5 MESH_STOP_FOR=60
mesh_run
unset MESH_STOP_RANK MESH_STOP_AT MESH_STOP_FOR
mesh_check_case "stopped rank (rank 1)" "[1]" "[]"
json_true '.bad_nodes[0].reason | test("did not report")' "stopped rank: named as not reporting"
[ "$ELAPSED" -le "$BOUND" ]
ok $? "stopped rank: the run ends within ${BOUND} s (took ${ELAPSED} s)"

done_testing
