#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The EFA instance table (src/host/instance-types.def) as info and bw use it, on the fixture
# trees of tests/fixtures (make-fixtures.sh): a type of each family and accelerator kind, the
# missing-device and missing-capability cases, an unknown type, and bw's share of line rate.
# shellcheck source=lib.sh source-path=SCRIPTDIR disable=SC2016 # jq filters are single-quoted
. "$(dirname "$0")/lib.sh"

for v in $(compgen -e | grep -E '^(FI|RDMAV|IBV)_'); do
	unset "$v"
done

FX=$TMPD/fx
mkdir -p "$FX"
for t in hpc7g-healthy c6in-missing-one trn1-neuron dl1-gaudi g6e-nvidia p5en-no-write \
	p5-missing-one p4d-gdr trn1-gdr p4d-intree p5-rdmacore44; do
	cp -R "$FIXTURES/$t" "$FX/"
done
chmod -R u+w "$FX"

# info TREE: efadiag info -p tcp --json with EFADIAG_SYSROOT at the copy of TREE (tcp: the
# checks run whether or not the efa provider is here).
info() {
	EFADIAG_SYSROOT="$FX/$1" run info -p tcp -j
}

check_is() {
	json_is "[.checks[]|select(.name==\"$1\")|.status]|join(\",\")" "$2" "$3: $1 is $2"
}

check_like() {
	like "$(jq -r ".checks[]|select(.name==\"$1\")|.detail" <"$TMPD/out")" "$2" \
		"$3: $1 detail says /$2/"
}

# set_type TREE TYPE: the tree's DMI product name.
set_type() {
	printf '%s\n' "$2" >"$FX/$1/sys/devices/virtual/dmi/id/product_name"
}

# keep_devices TREE N: removes the tree's EFA devices after the first N (by name).
keep_devices() {
	local d i=0

	for d in "$FX/$1"/sys/class/infiniband/*; do
		i=$((i + 1))
		[ "$i" -le "$2" ] || rm -rf "$d"
	done
}

# --- Each tree: type facts, device count, accelerator checks, RDMA capabilities ------------
while read -r tree type devs gbps accel gpudirect neuron rdma; do
	info "$tree"
	contract_keys "$tree"
	json_is '[.host.instance_type, .host.expected_efa_devices, .host.line_rate_gbps,
		.host.accelerator]|map(tostring)|join(",")' "$type,$devs,$gbps,${accel//_/ }" \
		"$tree: the table's devices, line rate and accelerator for $type"
	check_is instance_type pass "$tree"
	check_is gpudirect "$gpudirect" "$tree"
	check_is neuron "$neuron" "$tree"
	check_is rdma_caps "$rdma" "$tree"
done <<'EOF2'
hpc7g-healthy hpc7g.16xlarge 1 200 none skip skip skip
c6in-missing-one c6in.32xlarge 2 200 none skip skip skip
trn1-neuron trn1.32xlarge 8 800 Trainium/Inferentia_(Neuron) skip pass pass
dl1-gaudi dl1.24xlarge 4 400 Gaudi skip skip skip
g6e-nvidia g6e.48xlarge 4 400 NVIDIA_GPU_(no_GPUDirect_RDMA_over_EFA) skip skip skip
p5en-no-write p5en.48xlarge 16 3200 NVIDIA_GPU_(GPUDirect_RDMA) pass skip warn
EOF2

# --- What each check says ------------------------------------------------------------------
T=hpc7g-healthy
info $T
is_rc 1 "$T: exit 1 (tcp lists no EFA domain to count, memlock may be low here)"
check_is efa_devices pass "$T"
check_like gpudirect '^hpc7g\.16xlarge: no accelerator on this instance type$' "$T"
check_like rdma_caps 'efadv capabilities unknown' "$T"

T=c6in-missing-one
info $T
check_is efa_devices fail "$T"
check_like efa_devices '^1 of 2 EFA devices present' "$T"

T=trn1-neuron
info $T
check_like gpudirect 'Trainium/Inferentia \(Neuron\) instance: see check neuron' "$T"
check_like neuron '^Neuron peer-direct \(device/p2p NEURON\) on all 8 devices$' "$T"
check_like rdma_caps '^all 8 devices offer what trn1\.32xlarge should \(RDMA read: yes, write: yes\)$' \
	"$T"
json_true '[.devices[]|.rdma_read and .rdma_write and .rnr_retry and
	.max_rdma_size_bytes == 1073741824]|all and length == 8' \
	"$T: the devices show the fixture's efadv capabilities"
# One device without Neuron peer-direct: the Neuron check fails and names it.
printf '\n' >"$FX/$T/sys/class/infiniband/rdmap100s0/device/p2p"
info $T
check_is neuron fail "$T without p2p on rdmap100s0"
check_like neuron '^7 of 8 devices have Neuron peer-direct \(rdmap100s0.s device/p2p is .empty.\)' \
	"$T without p2p on rdmap100s0"
# Its capabilities unknown (no efadv facts): the comparison is skipped, not passed.
rm -rf "$FX/$T/efadv"
info $T
check_is rdma_caps skip "$T without efadv facts"
check_like rdma_caps 'efadv capabilities unknown' "$T without efadv facts"

T=dl1-gaudi
info $T
check_like gpudirect '^dl1\.24xlarge: a Gaudi instance' "$T"
check_like neuron '^dl1\.24xlarge has no Trainium/Inferentia \(accelerator: Gaudi\)$' "$T"
check_like rdma_caps 'expects neither RDMA read nor write' "$T"

T=g6e-nvidia
info $T
check_like gpudirect 'not reached by GPUDirect RDMA over EFA' "$T"

# The missing capability: a warning that names the device and the type.
T=p5en-no-write
info $T
check_like rdma_caps '^1 of 16 devices short: rdmap97s0 lacks RDMA write, which p5en\.48xlarge offers' \
	"$T"
json_is '.devices[]|select(.device=="rdmap97s0")|[.rdma_read,.rdma_write]|map(tostring)|join(",")' \
	"true,false" "$T: rdmap97s0 shows read without write"
# Read missing too.
printf '0x0\n' >"$FX/$T/efadv/rdmap98s0/device_caps"
info $T
check_like rdma_caps '^2 of 16 devices short: rdmap97s0 lacks RDMA write' "$T, two short"
printf '0x2\n' >"$FX/$T/efadv/rdmap97s0/device_caps"
info $T
check_like rdma_caps 'rdmap97s0 lacks RDMA read and write, which p5en' "$T, rdmap97s0 bare"

# --- Drivers and libraries other than the EFA installer's current ones ----------------------
# efa 2.5.x: device/gdr, no device/p2p. "1" is NVIDIA peer memory: GPUDirect passes.
T=p4d-gdr
info $T
check_is gpudirect pass "$T"
check_like gpudirect '^peer memory: provider NVIDIA \(device/gdr 1\) on all 4 devices' "$T"
json_true '[.devices[]|.gdr == "1" and .p2p == "none"]|all and length == 4' \
	"$T: each device shows its device/gdr"
printf '0\n' >"$FX/$T/sys/class/infiniband/rdmap98s0/device/gdr"
info $T
check_is gpudirect fail "$T with device/gdr 0 on rdmap98s0 (no dma-buf)"
check_like gpudirect 'peer memory on 3 of 4 devices \(rdmap98s0 has none\)' "$T, gdr 0"
# efa 2.5.x on Trainium: device/gdr speaks of NVIDIA only, so Neuron cannot be told.
T=trn1-gdr
info $T
check_is neuron skip "$T"
check_like neuron '^cannot tell from sysfs: rdmap97s0 has no device/p2p \(an efa driver before 2\.6\.0' \
	"$T"
# The in-tree driver: no module version, no device/p2p or device/gdr, no peer memory.
T=p4d-intree
info $T
check_is efa_driver pass "$T"
check_like efa_driver 'in-tree kernel driver has none' "$T"
json_is .host.efa_driver_version unknown "$T: driver version unknown, not \"not loaded\""
check_is gpudirect fail "$T (kernel 5.10: no dma-buf either)"
check_like gpudirect '^no GPUDirect path: no device/p2p or device/gdr \(the in-tree efa driver' "$T"
json_true '[.devices[]|has("gdr")|not]|all' "$T: no gdr key where there is no device/gdr"
# rdma-core 44's libefa never sets the RDMA write bit: unknown, not missing, on a p5.
T=p5-rdmacore44
info $T
check_is rdma_caps pass "$T"
check_like rdma_caps '^all 1 devices offer RDMA read as p5\.4xlarge should; RDMA write not checked: libefa of rdma-core 44' \
	"$T"
json_true '.devices[0]|.rdma_read and (has("rdma_write")|not)' \
	"$T: RDMA write left out (unknown), read shown"
printf '46\n' >"$FX/$T/efadv/libefa_release"
info $T
check_is rdma_caps warn "$T, libefa 46 (which reports write)"
check_like rdma_caps 'rdmap97s0 lacks RDMA write, which p5\.4xlarge offers' "$T, libefa 46"
printf '0xb\n' >"$FX/$T/efadv/rdmap97s0/device_caps"
printf '44\n' >"$FX/$T/efadv/libefa_release"
info $T
check_like rdma_caps '^all 1 devices offer what p5\.4xlarge should' "$T: a set write bit counts, whatever release is named"

# --- A type of every family the issue names: its count is checked, none missing ------------
# One copy of the 31-device p5 tree, named as each type in turn and cut to its count (types
# in decreasing count, so devices are only ever removed). p5 and p5e need 32: the one
# missing fails. The counts are the EC2 documentation's, as the table must hold them.
T=family
cp -R "$FX/p5-missing-one" "$FX/$T"
while read -r type want; do
	set_type $T "$type"
	if [ "$want" -le 31 ]; then
		keep_devices $T "$want"
		info $T
		json_true "([.checks[]|select(.name==\"instance_type\" or .name==\"efa_devices\")|
			.status]|all(. == \"pass\")) and .host.expected_efa_devices == $want and
			.host.line_rate_gbps > 0" "$type: in the table with $want devices, all present"
	else
		info $T
		json_true '[.checks[]|select(.name=="efa_devices")|.status] == ["fail"] and
			.host.expected_efa_devices == 32' "$type: 31 of its 32 devices fail"
	fi
done <<'EOF2'
p5.48xlarge 32
p5e.48xlarge 32
p5en.48xlarge 16
p6-b300.48xlarge 16
trn1n.32xlarge 16
trn2.48xlarge 16
p6-b200.48xlarge 8
trn1.32xlarge 8
dl1.24xlarge 4
g6e.48xlarge 4
p4d.24xlarge 4
p4de.24xlarge 4
c6in.metal 2
g6e.24xlarge 2
hpc6id.32xlarge 2
hpc7a.96xlarge 2
c5n.18xlarge 1
c6gn.16xlarge 1
c6i.metal 1
c7gn.16xlarge 1
c7i.48xlarge 1
c8g.metal-48xl 1
g4dn.metal 1
g5.48xlarge 1
g6.48xlarge 1
hpc6a.48xlarge 1
hpc7g.4xlarge 1
i4i.32xlarge 1
m6i.32xlarge 1
m7i.metal-48xl 1
p3dn.24xlarge 1
r6i.metal 1
r7i.48xlarge 1
EOF2

# --- A type in the table without a known count (g7e): its facts apply, its count is not checked
set_type $T g7e.48xlarge
info $T
check_is instance_type pass "g7e.48xlarge"
check_like instance_type '^g7e\.48xlarge supports EFA, how many devices the table does not know' \
	"g7e.48xlarge"
json_true '.host.expected_efa_devices == null and (.host|has("line_rate_gbps")|not) and
	.host.expected_rdma_write == "yes"' "g7e.48xlarge: no count or line rate, RDMA write expected"
check_is efa_devices pass "g7e.48xlarge with 1 device: no count to fall short of"
# aws-ofi-nccl requires GPUDirect on g7e.12/24/48xlarge: the gpudirect check applies there.
check_is gpudirect pass "g7e.48xlarge (the tree's device/p2p NVIDIA)"
set_type $T g7e.8xlarge
info $T
check_is gpudirect skip "g7e.8xlarge (aws-ofi-nccl does not require GPUDirect there)"

# --- Unknown type: skipped with the hint, and how to report it -----------------------------
set_type hpc7g-healthy m5.large
info hpc7g-healthy
check_is instance_type skip "unknown type"
check_like instance_type "'m5\.large' is not in the EFA instance table; use --expect-domains N" \
	"unknown type"
check_like instance_type "describe-instance-types --instance-types m5\.large" \
	"unknown type: says how to report it"
json_true '.host.expected_efa_devices == null and (.host|has("line_rate_gbps")|not)' \
	"unknown type: no expectations in host"
check_is efa_domains '' "unknown type, -p tcp"

# --- bw: the share of line rate, for a type new to the table ------------------------------
if has_provider tcp; then
	EFADIAG_SYSROOT="$FX/trn1-neuron" run bw --loopback -p tcp -S 64k -I 20 -W 4 -j -t 10
	json_true '.line_rate_gbps == 800 and (.line_rate_share > 0) and
		(.line_rate_share < 1)' "bw on trn1.32xlarge: share of its 800 Gbit/s"
else
	skip "bw on trn1.32xlarge" "no tcp provider"
fi

done_testing
