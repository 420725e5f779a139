#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# efadiag against "EFA" of libfabric 1.x, 2.1 .. 2.5 and 2.6 without EFA hardware: the test-only
# shim tests/efa-shape.so dresses shm as the efa provider of that version (tests/efa-shape.c;
# tests/efa-shape-listing.sh checks the shim itself). The tests open fabric efa by default, not
# efa-direct (which 2.1 and later list first); with --fabric efa-direct they never post more than
# its max_msg_size (the device's MTU, 8192 here): default sizes above it are left out and named
# in sizes_left_out, a size named with -S above it is a usage error, sg-check's large probe
# shrinks to it, and mesh's bandwidth message too (two ranks under mpirun, where it is here).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

for v in $(compgen -e | grep -E '^(FI|RDMAV|IBV|EFADIAG_TEST_EFA)_'); do
	diag "unsetting $v for the test"
	unset "$v"
done
SHIM=${EFADIAG_TEST_SHAPE_SHIM:-$(dirname "$EFADIAG")/tests/efa-shape.so}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

if ! has_provider shm; then
	echo "1..0 # SKIP no shm provider"
	exit 0
fi
if [ ! -f "$SHIM" ]; then
	echo "1..0 # SKIP no shim at $SHIM (make tests/efa-shape.so)"
	exit 0
fi

# shaped SHAPE ARGS...: efadiag ARGS under the shim as libfabric SHAPE's efa provider.
shaped() {
	local shape=$1
	shift
	EFADIAG_TEST_EFA_SHAPE=$shape LD_PRELOAD=$SHIM run "$@"
}

MTU=8192
for shape in 1.x 2.1 2.6; do
	# --- info: the listing efadiag sees -------------------------------------------------
	shaped $shape info --json
	if [ $shape = 1.x ]; then
		json_is '[.domains[].fabric] | join(" ")' "efa" "$shape: info lists fabric efa"
	else
		json_is '[.domains[].fabric] | join(" ")' "efa-direct efa" \
			"$shape: info lists efa-direct first, then efa"
		json_is '[.domains[] | select(.fabric == "efa-direct") | .max_msg_size_bytes] | .[0]' \
			$MTU "$shape: info, efa-direct's max_msg_size is the MTU"
	fi
	json_is '[.domains[].provider] | unique | join(" ")' "efa" "$shape: info, provider efa"
	json_is '.checks[] | select(.name == "provider") | .status' pass "$shape: info, provider check passes"

	# --- the default fabric is efa ------------------------------------------------------
	for cmd in "pingpong --loopback -I 20 -w 2" "bw --loopback -I 20" "sg-check --loopback"; do
		# shellcheck disable=SC2086
		shaped $shape $cmd -t 10 --json
		is_rc 0 "$shape: $cmd passes"
		json_is .fabric.name efa "$shape: $cmd opens fabric efa by default"
		json_is .fabric.provider efa "$shape: $cmd, fabric.provider efa"
		json_true '.fabric.max_msg_size > 1e18' "$shape: $cmd, efa's max_msg_size is UINT64_MAX"
		json_true 'has("sizes_left_out") | not' "$shape: $cmd, no size left out on efa"
	done
	shaped $shape pingpong --loopback -I 20 -w 2 -t 10 --json
	json_true '[.results[].bytes] | max > 8192' "$shape: pingpong on efa runs sizes above 8 KiB"
	shaped $shape sg-check --loopback -t 10 --json
	json_is .verdict pass "$shape: sg-check on efa, verdict pass"
	json_is .probe_bytes.large 65536 "$shape: sg-check on efa, the large probe is 64 KiB"

	# --- --fabric efa-direct --------------------------------------------------------------
	if [ $shape = 1.x ]; then
		shaped $shape pingpong --loopback --fabric efa-direct -t 10 --json
		is_rc 3 "$shape: --fabric efa-direct, which libfabric 1.x does not have: not found"
		continue
	fi
	for cmd in "pingpong --loopback -I 20 -w 2" "bw --loopback -I 20"; do
		# shellcheck disable=SC2086
		shaped $shape $cmd --fabric efa-direct -t 10 --json
		is_rc 0 "$shape: $cmd --fabric efa-direct passes"
		json_is .fabric.name efa-direct "$shape: $cmd --fabric efa-direct, fabric.name"
		json_is .fabric.max_msg_size $MTU "$shape: $cmd --fabric efa-direct, max_msg_size the MTU"
		json_true "[.results[].bytes] | (length > 0) and (max <= $MTU)" \
			"$shape: $cmd --fabric efa-direct, no size above $MTU ran"
		json_true "(.sizes_left_out | length > 0) and all(.sizes_left_out[]; . > $MTU)" \
			"$shape: $cmd --fabric efa-direct, sizes_left_out lists those above $MTU"
		json_true '.sizes_left_out | index(65536) != null' \
			"$shape: $cmd --fabric efa-direct, 64 KiB is left out"
		# shellcheck disable=SC2086
		shaped $shape $cmd --fabric efa-direct -S 64,64k -t 10 --json
		is_rc 2 "$shape: $cmd --fabric efa-direct -S 64,64k: usage error"
		json_true '.error.message | test("size 64 KiB is above") and test("at most 8 KiB") and test("up to 8k with -S")' \
			"$shape: $cmd --fabric efa-direct -S 64,64k: names the size and the limit"
	done
	shaped $shape sg-check --loopback --fabric efa-direct -t 10 --json
	is_rc 0 "$shape: sg-check --fabric efa-direct passes"
	json_is .verdict pass "$shape: sg-check --fabric efa-direct, verdict pass"
	json_is .probe_bytes.large $MTU "$shape: sg-check --fabric efa-direct, the large probe is the MTU"
	json_is .fabric.name efa-direct "$shape: sg-check --fabric efa-direct, fabric.name"
done

# mesh: two ranks under mpirun on one host (shm underneath), fabric efa by default. mesh needs
# directed receives, which efa-direct does not offer (the efa RDM path adds FI_DIRECTED_RECV:
# libfabric v2.6.0 prov/efa/src/efa_prov_info.c, efa_prov_info_alloc_for_rdm): the run's
# error, exit 3, saying so, never a node or link called bad.
mesh_shaped() { # mesh_shaped SHAPE ARGS...: two ranks, JSON in $TMPD/out, RC
	local shape=$1
	shift
	# The shim goes to the ranks only, not to mpirun itself: an MPI whose launcher loads
	# libfabric (seen on the GPU host's) must not get efa-shaped answers. tcp underneath:
	# a mesh rank opens several endpoints, which libfabric 2.x's shm does not survive in one
	# process (rank 0 died of SIGSEGV on 2.6.0 over shm, and passes over tcp).
	EFADIAG_TEST_EFA_SHAPE=$shape EFADIAG_TEST_EFA_BASE=tcp timeout 120 mpirun \
		--allow-run-as-root --oversubscribe -np 2 -x LD_PRELOAD="$SHIM" \
		-x EFADIAG_TEST_EFA_SHAPE -x EFADIAG_TEST_EFA_BASE -x ASAN_OPTIONS "$EFADIAG" mesh \
		-t 3 --json "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
}
if command -v mpirun >/dev/null 2>&1 && ! "$EFADIAG" mesh 2>&1 | grep -q "without PMIx"; then
	for shape in 1.x 2.6; do
		mesh_shaped $shape
		is_rc 0 "$shape: mesh passes"
		json_is .fabric.name efa "$shape: mesh opens fabric efa"
		json_true '.pairs | length == 1 and .[0].status == "ok"' "$shape: mesh, the pair ok"
	done
	mesh_shaped 2.6 --fabric efa-direct
	is_rc 3 "2.6: mesh --fabric efa-direct: the run cannot use it"
	json_true '.error.message | test("efa-direct .* does not offer FI_DIRECTED_RECV")' \
		"2.6: mesh --fabric efa-direct: says what efa-direct lacks"
	json_true '(.bad_nodes // [] | length) == 0 and (.bad_links // [] | length) == 0' \
		"2.6: mesh --fabric efa-direct: no node or link blamed"
else
	skip "mesh under the shim" "no mpirun, or efadiag built without PMIx"
fi

# A smaller device: the limit follows it.
EFADIAG_TEST_EFA_MTU=4096 shaped 2.6 pingpong --loopback --fabric efa-direct -I 20 -w 2 -t 10 --json
is_rc 0 "MTU 4096: pingpong --fabric efa-direct passes"
json_is .fabric.max_msg_size 4096 "MTU 4096: fabric.max_msg_size"
json_true '[.results[].bytes] | max <= 4096' "MTU 4096: no size above 4096 ran"

done_testing
