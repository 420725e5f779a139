#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --mem cuda and info's GPU facts on a machine without a GPU: GPU-NIC pairing on a sysroot
# tree with a PCIe hierarchy, the errors when CUDA is missing or fails, the server's refusal,
# and the JSON fields. A stand-in libcuda.so.1 (tests/fake-cuda.c, over host memory) is built
# here and put first on LD_LIBRARY_PATH: CUDA that loads, or whose cuInit fails.
# shellcheck source=lib.sh source-path=SCRIPTDIR disable=SC2016 # jq filters are single-quoted
. "$(dirname "$0")/lib.sh"

for v in $(compgen -e | grep -E '^(FI|RDMAV|IBV)_'); do
	unset "$v"
done
# The real driver, where there is one, must not answer for the stand-in.
unset CUDA_VISIBLE_DEVICES

# --- a p4d-like tree: 4 EFA devices, 8 GPUs, each NIC beside two GPUs -----------------------
# Per root complex XX: root port 0000:XX:01.0, a PCIe switch 0000:XX:02.0 below it, the NIC
# XX:1b.0 and GPU XX:1c.0 on the switch's downstream ports (PIX), GPU XX:1d.0 on another port
# of the root port (PXB). /sys/bus/pci/devices links to them, as on a real node.
TREE=$TMPD/p4d-gpu
cp -R "$TOP_SRCDIR/tests/fixtures/p4d-healthy" "$TREE"
chmod -R u+w "$TREE"
mkdir -p "$TREE/sys/bus/pci/devices"
pci_dev() { # pci_dev PATH-BELOW-/sys/devices VENDOR CLASS NUMA
	local d=$TREE/sys/devices/$1 addr=${1##*/}
	mkdir -p "$d"
	echo "$2" >"$d/vendor"
	echo "$3" >"$d/class"
	echo "$4" >"$d/numa_node"
	ln -s "../../../devices/$1" "$TREE/sys/bus/pci/devices/$addr"
}
for xx in 10 20 90 a0; do
	numa=0
	case $xx in 90 | a0) numa=1 ;; esac
	rp=pci0000:$xx/0000:$xx:01.0
	sw=$rp/0000:$xx:02.0
	pci_dev "$sw/0000:$xx:03.0/0000:$xx:1b.0" 0x1d0f 0x020000 $numa
	pci_dev "$sw/0000:$xx:04.0/0000:$xx:1c.0" 0x10de 0x030200 $numa
	pci_dev "$rp/0000:$xx:05.0/0000:$xx:1d.0" 0x10de 0x030200 $numa
done
# A device that is not a GPU: NVIDIA's vendor id, another class (an NVSwitch bridge).
pci_dev "pci0000:10/0000:10:07.0" 0x10de 0x068000 0

FAKE=$TMPD/fakecuda
CC_=${CC:-cc}
HAVE_FAKE=0
if command -v "$CC_" >/dev/null 2>&1 && mkdir -p "$FAKE" &&
	"$CC_" -shared -fPIC -o "$FAKE/libcuda.so.1" "$TOP_SRCDIR/tests/fake-cuda.c" 2>"$TMPD/cc.err"; then
	HAVE_FAKE=1
else
	diag "cannot build the stand-in libcuda.so.1: $(head -c 300 "$TMPD/cc.err" 2>/dev/null)"
fi
# Where the machine has a real driver, "missing" cannot be shown; the loader still finds it.
REAL_CUDA=0
if ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; then
	REAL_CUDA=1
fi

# info with the tree, without CUDA (REAL_CUDA aside).
EFADIAG_SYSROOT=$TREE run info -p tcp --json
contract_keys "info on a GPU tree"
json_is '.gpus | length' 8 "info lists the 8 NVIDIA GPUs, not the NVSwitch-class device"
json_is '.gpus[] | select(.pci_address=="0000:10:1c.0") | .nearest_efa | join(",")' rdmap16s27 \
	"the GPU on the NIC's switch has that NIC as nearest EFA device"
json_is '.gpus[] | select(.pci_address=="0000:10:1c.0") | .link' PIX "... linked PIX"
json_is '.gpus[] | select(.pci_address=="0000:a0:1d.0") | .nearest_efa | join(",")' rdmap160s27 \
	"the GPU behind the same root port has that NIC too"
json_is '.gpus[] | select(.pci_address=="0000:a0:1d.0") | .link' PXB "... linked PXB"
json_is '.gpus[] | select(.pci_address=="0000:90:1c.0") | .numa_node' 1 "GPUs carry their NUMA node"
json_is '.gpudirect.path' peer_memory "the tree's NVIDIA peermem gives path peer_memory"
json_is '(.checks[] | select(.name=="gpudirect") | .status)' pass "... and the check passes"
if [ $REAL_CUDA = 0 ]; then
	json_is '.gpudirect.cuda_library' "not found" "no libcuda.so.1: gpudirect says not found"
	json_true '.gpus | all(has("cuda_device") | not)' "... and no GPU has a CUDA number"
	# A tree whose efa devices' p2p are empty: without CUDA nothing says dma-buf is denied.
fi
# The same tree in plain directories (no links): GPUs listed, nothing claimed about links.
FLAT=$TMPD/flat
cp -R "$TREE" "$FLAT"
rm -rf "$FLAT/sys/bus/pci/devices"
mkdir -p "$FLAT/sys/bus/pci/devices/0000:10:1c.0"
echo 0x10de >"$FLAT/sys/bus/pci/devices/0000:10:1c.0/vendor"
echo 0x030200 >"$FLAT/sys/bus/pci/devices/0000:10:1c.0/class"
EFADIAG_SYSROOT=$FLAT run info -p tcp --json
json_is '[.gpus[0].pci_address, .gpus[0].link, (.gpus[0].nearest_efa|length)] | join(",")' \
	"0000:10:1c.0,unknown,0" "a tree without PCI links: the GPU, no nearest device claimed"

# --- --mem errors without CUDA ---------------------------------------------------------------
if [ $REAL_CUDA = 0 ]; then
	run pingpong --loopback -p tcp --mem cuda -S 64 -I 10 --json
	is_rc 3 "pingpong --mem cuda without libcuda.so.1"
	json_true '.error.message | test("--mem cuda: libcuda.so.1 cannot be loaded.*NVIDIA driver")' \
		"... says the library is missing and what provides it"
	contract_keys "pingpong --mem cuda without CUDA"
	run bw --loopback -p tcp --mem cuda:1 -S 64 -I 10
	is_rc 3 "bw --mem cuda:1 without libcuda.so.1"
	like "$ERR" "libcuda.so.1 cannot be loaded" "... says so on stderr"
else
	skip "pingpong --mem cuda without libcuda.so.1" "this machine has a CUDA driver"
fi
for bad in cuda:x gpu cuda:64 cuda: "cuda:-1"; do
	run pingpong --loopback -p tcp --mem "$bad"
	is_rc 2 "--mem $bad is a usage error"
done
run pingpong --loopback -p tcp --mem host -S 64 -I 10 --json
is_rc 0 "--mem host runs as before"
json_is '.memory.type' host "... and says host memory"

if [ $HAVE_FAKE = 0 ]; then
	skip "CUDA stand-in tests" "no C compiler to build tests/fake-cuda.c"
	done_testing
	exit
fi

# --- CUDA that loads but fails, and CUDA that works ------------------------------------------
export LD_LIBRARY_PATH=$FAKE${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
FAKE_CUDA_MODE=noinit run pingpong --loopback -p tcp --mem cuda -S 64 -I 10 --json
is_rc 3 "pingpong --mem cuda when cuInit fails"
json_true '.error.message | test("cuInit: CUDA_ERROR_NO_DEVICE \\(100\\)")' \
	"... names the call, the CUDA error and its code"
FAKE_CUDA_MODE=noinit EFADIAG_SYSROOT=$TREE run info -p tcp --json
json_is '.gpudirect.cuda_library' "loaded, failed" "info: libcuda.so.1 loads, cuInit fails"
json_true '.gpudirect.cuda_error | test("CUDA_ERROR_NO_DEVICE")' "... with the error"

export FAKE_CUDA_PCI=0000:10:1c.0,0000:a0:1c.0
run pingpong --loopback -p tcp --mem cuda:2 -S 64 -I 10
is_rc 3 "--mem cuda:2 on a node with 2 GPUs"
like "$ERR" "cuda:2: no such GPU: the CUDA driver shows 2 \(cuda:0 to cuda:1\)" "... says how many"

FAKE_CUDA_DMABUF=1 EFADIAG_SYSROOT=$TREE run info -p tcp --json
json_is '[.gpus[] | select(.cuda_device != null) | "\(.cuda_device)=\(.pci_address)"] | join(",")' \
	"0=0000:10:1c.0,1=0000:a0:1c.0" "info matches CUDA's GPUs to the bus by PCI address"
json_is '.gpudirect.cuda_driver_version' 13.0 "... the driver's CUDA version"
json_is '.gpudirect.dmabuf_supported' true "... and dma-buf support as CUDA reports it"
json_is '.gpudirect | has("fi_hmem")' true "... and whether the provider offers FI_HMEM"

# dma-buf denied by the driver, no peer memory: fail, path none, the attribute named.
NODMA=$TMPD/nodma
cp -R "$TREE" "$NODMA"
for p in "$NODMA"/sys/class/infiniband/*/device/p2p; do echo "" >"$p"; done
mkdir -p "$NODMA/proc/driver/nvidia"
echo "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06" \
	>"$NODMA/proc/driver/nvidia/version"
echo 6.8.0-1015-aws >"$NODMA/proc/sys/kernel/osrelease"
FAKE_CUDA_DMABUF=0 EFADIAG_SYSROOT=$NODMA run info -p tcp --json
is_rc 1 "info: no peer memory and GPUs without dma-buf export"
json_is '(.checks[] | select(.name=="gpudirect") | .status)' fail "... fails the gpudirect check"
json_true '(.checks[] | select(.name=="gpudirect") | .detail) | test("CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED is 0")' \
	"... naming what CUDA said"
json_is '.gpudirect.path' none "... path none"
json_is '.gpudirect.nvidia_module' open "... the open kernel module seen"

# A working CUDA, and a provider without GPU memory support here: exit 3, with the reason.
run pingpong --loopback -p tcp --mem cuda -S 64 -I 10 --json
is_rc 3 "pingpong --mem cuda over a provider that cannot reach GPU memory here"
json_true '.error.message | test("FI_HMEM|FI_HMEM_CUDA")' "... says FI_HMEM is what is missing"

# The server's side: the client's hello asks for GPU memory, a peer without CUDA refuses.
if [ $REAL_CUDA = 0 ]; then
	EFADIAG_PEER_BIN=$EFADIAG run pingpong --exec "env LD_LIBRARY_PATH=/nonexistent" -p tcp \
		--mem cuda -S 64 -I 10 --json
	is_rc 3 "a peer without CUDA refuses a --mem cuda client"
	json_true '.error.message | test("server cannot use GPU memory: --mem cuda: libcuda.so.1 cannot be loaded")' \
		"... and the client says why"
else
	skip "a peer without CUDA" "this machine has a CUDA driver: the peer would find it"
fi

done_testing
