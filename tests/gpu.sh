#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# GPU memory for real: pingpong and bw with --mem cuda over shm on this node, payloads checked
# through copies from the GPU (--verify), and the registration path in the JSON. Skipped, with
# the reason, where there is no GPU, CUDA does not load, or libfabric here cannot reach GPU
# memory (a build without CUDA support: see scripts/gpu-device-run.sh for one with it).
# shellcheck source=lib.sh source-path=SCRIPTDIR disable=SC2016 # jq filters are single-quoted
. "$(dirname "$0")/lib.sh"

for v in $(compgen -e | grep -E '^(FI|RDMAV|IBV)_'); do
	unset "$v"
done

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

run info -p shm --json
jq -e '.domains | length > 0' <"$TMPD/out" >/dev/null 2>&1 || skip_all "no shm provider"
[ "$(jq -r '.gpudirect.cuda_library // "no GPU"' <"$TMPD/out")" = loaded ] ||
	skip_all "no usable CUDA GPU: $(jq -r '.gpudirect.cuda_error // .gpudirect.cuda_library // "no NVIDIA GPU on the PCI bus and none from CUDA"' <"$TMPD/out")"
NGPU=$(jq -r '[.gpus[] | select(.cuda_device != null)] | length' <"$TMPD/out")
[ "$NGPU" -gt 0 ] || skip_all "CUDA loads but shows no GPU"
diag "GPUs: $(jq -c '[.gpus[] | {pci_address, cuda_device, name, dmabuf_supported}]' <"$TMPD/out")"
diag "gpudirect: $(jq -c '.gpudirect' <"$TMPD/out")"

# A libfabric without CUDA support cannot register GPU memory: say so, once, and stop.
run pingpong --loopback -p shm --mem cuda -S 64 -I 10 --json
if [ "$RC" -eq 3 ] && jq -e '.error.message | test("FI_HMEM|Function not implemented")' \
	<"$TMPD/out" >/dev/null 2>&1; then
	skip_all "libfabric here cannot reach GPU memory: $(jq -r .error.message <"$TMPD/out")"
fi

run pingpong --loopback -p shm --mem cuda -S 64,4k,64k,1M -I 200 --verify --json
is_rc 0 "pingpong --mem cuda -p shm --loopback --verify"
contract_keys "pingpong --mem cuda"
json_is '.memory.type' cuda "... the buffers are GPU memory"
json_true '.memory.registration | IN("dmabuf", "va")' "... registered through dma-buf or by address"
json_true '.memory.gpu_pci | test("^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-9a-f]$")' \
	"... on a GPU named by its PCI address"
json_is '.results | length' 4 "... all 4 sizes measured"
diag "pingpong: $(jq -c '{memory, results: [.results[] | {bytes, lat_avg_usec, mb_per_sec}]}' <"$TMPD/out")"

run pingpong --loopback -p shm --mem "cuda:$((NGPU - 1))" -S 4k -I 100 --verify --json
is_rc 0 "pingpong --mem cuda:$((NGPU - 1)) (the last GPU)"
json_is '.memory.gpu' "$((NGPU - 1))" "... uses that GPU"

# --verify reads what arrived from the GPU: a corrupted byte must be seen there.
EFADIAG_TEST_CORRUPT_OFFSET=100 run pingpong --loopback -p shm --mem cuda -S 4k -I 20 --verify
is_rc 1 "pingpong --mem cuda --verify catches a corrupted payload"

run bw --loopback -p shm --mem cuda -S 64k,1M -I 500 --verify --json
is_rc 0 "bw --mem cuda -p shm --loopback --verify (send)"
json_true '.gpu_nic_pairs[0].registration | IN("dmabuf", "va")' "... the pair says how it registered"
json_true '.results | all(.bw_gbps > 0)' "... and measured every size"
diag "bw send: $(jq -c '{memory, results: [.results[] | {bytes, bw_gbps}]}' <"$TMPD/out")"

EFADIAG_TEST_CORRUPT_OFFSET=100 run bw --loopback -p shm --mem cuda -S 64k -I 50 --verify
is_rc 1 "bw --mem cuda --verify catches a corrupted payload"

for op in write read; do
	run bw --loopback -p shm --mem cuda --op $op -S 64k,1M -I 200 --verify --json
	is_rc 0 "bw --mem cuda --op $op --verify"
	[ "$RC" -eq 0 ] || diag "bw $op: $(jq -r '.error.message // empty' <"$TMPD/out")"
done

run bw --loopback -p shm --mem "cuda:$NGPU" -S 64k -I 10
is_rc 3 "--mem cuda:$NGPU, one past the last GPU"

# GPUDirect that is true. shm moves GPU memory through the CUDA API: it refuses
# FI_OPT_CUDA_API_PERMITTED=false (libfabric 2.6.0 prov/shm/src/smr_ep.c); libfabric 1.17 does
# not know the option. shm is no NIC: the test passes and says so.
run pingpong --loopback -p shm --mem cuda -S 4k -I 50 --json
is_rc 0 "shm --mem cuda: passes (GPUDirect is a NIC's question)"
json_true '.memory.gpudirect | IN("no", "unknown")' "shm --mem cuda: gpudirect no (or unknown before 1.18)"

# The efa provider as libfabric 2.6 lists it (tests/efa-shape.so over shm): a device without
# peer to peer refuses FI_OPT_CUDA_API_PERMITTED=false, as efa_rdm_ep_set_cuda_api_permitted
# does, and the registration that succeeded anyway was no GPUDirect: FAIL with the fix, the
# numbers still measured.
SHIM=$(dirname "$EFADIAG")/tests/efa-shape.so
if [ -f "$SHIM" ] && [ "$(jq -r .memory.gpudirect <"$TMPD/out")" = no ]; then
	for cmd in "pingpong --loopback -S 4k,64k -I 50" "bw --loopback -S 64k,1M -I 100"; do
		# shellcheck disable=SC2086
		EFADIAG_TEST_EFA_SHAPE=2.6 EFADIAG_TEST_EFA_P2P=0 LD_PRELOAD=$SHIM run $cmd --mem cuda --json
		is_rc 1 "efa without peer to peer: $cmd --mem cuda fails"
		json_is .memory.gpudirect no "... memory.gpudirect no"
		json_is .memory.registration cuda_copies "... the registration was CUDA copies"
		json_true '.summary | startswith("FAIL: gpudirect: no GPUDirect RDMA")' "... the verdict says why"
		json_true '.remedy | test("nvidia_peermem")' "... and the fix"
		json_true '.results | length == 2' "... the sizes were still measured"
		# shellcheck disable=SC2086
		EFADIAG_TEST_EFA_SHAPE=2.6 EFADIAG_TEST_EFA_P2P=1 LD_PRELOAD=$SHIM run $cmd --mem cuda --json
		is_rc 0 "efa with peer to peer: $cmd --mem cuda passes"
		json_is .memory.gpudirect yes "... memory.gpudirect yes"
	done
	EFADIAG_TEST_EFA_SHAPE=2.6 EFADIAG_TEST_EFA_P2P=0 LD_PRELOAD=$SHIM \
		run pingpong --loopback --fabric efa-direct --mem cuda -S 4k -I 20 --json
	is_rc 3 "efa-direct without peer to peer offers no FI_HMEM"
	json_true '.error.message | test("efa-direct .* does not offer FI_HMEM")' "... and says so"
else
	skip "efa GPUDirect under the shim" "no tests/efa-shape.so, or shm here answers FI_OPT_CUDA_API_PERMITTED"
fi

done_testing
