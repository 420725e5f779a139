#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# efadiag info against the sysroot fixture trees in tests/fixtures (see make-fixtures.sh):
# device discovery, host facts, each check's status, the exit code, JSON and text output.
# shellcheck source=lib.sh source-path=SCRIPTDIR disable=SC2016 # jq filters are single-quoted
. "$(dirname "$0")/lib.sh"

# The runner's own FI_*/RDMAV_*/IBV_* variables would change the environment check.
for v in $(compgen -e | grep -E '^(FI|RDMAV|IBV)_'); do
	diag "unsetting $v for the test"
	unset "$v"
done

# Work on copies: a distcheck tree is read-only, and some tests alter a tree.
FX=$TMPD/fx
mkdir -p "$FX"
cp -R "$FIXTURES/p4d-healthy" "$FIXTURES/p5-missing-one" "$FIXTURES/pod-no-dev" \
	"$FIXTURES/no-efa" "$FX/"
chmod -R u+w "$FX"

# Whether the efa provider exists here: then "-p efa" finds real domains, not the fixture's.
EFA_PROV=0
has_provider efa && EFA_PROV=1
# The EFA installer's package list is read outside the sysroot (efa_driver_version()).
INSTALLER=0
[ -e /opt/amazon/efa_installed_packages ] && INSTALLER=1
# Raising RLIMIT_MEMLOCK needs the hard limit or CAP_SYS_RESOURCE.
CAN_UNLIMIT=0
(ulimit -l unlimited) 2>/dev/null && CAN_UNLIMIT=1
LIMIT_NOTE="cannot raise RLIMIT_MEMLOCK here (hard limit $(ulimit -H -l) KiB)"
# libfabric version as efadiag reports it (the library it loaded, which fi_info on the PATH
# need not be), for the checks that depend on it.
LF_VERSION=$("$EFADIAG" info -p tcp --json 2>/dev/null | jq -r '.host.libfabric_version // empty')
LF_MAJOR=${LF_VERSION%%.*}
LF_MINOR=${LF_VERSION#*.}

# info TREE ARGS...: efadiag info with EFADIAG_SYSROOT at the copy of TREE.
info() {
	local tree=$1

	shift
	# -t 30 first (a case's own -t comes later and wins): the provider listing, in a child,
	# is bounded by -t, and a loaded machine took the default 5 s for the tcp listing once.
	EFADIAG_SYSROOT="$FX/$tree" run info -t 30 "$@"
}

# with_memlock KIB CMD...: runs CMD (info/run) in a subshell with RLIMIT_MEMLOCK at KIB.
with_memlock() {
	local lim=$1

	shift
	rm -f "$TMPD/rc"
	(ulimit -l "$lim" 2>/dev/null || exit; "$@"; echo "$RC" >"$TMPD/rc")
	RC=$(cat "$TMPD/rc" 2>/dev/null || echo 255)
	OUT=$(cat "$TMPD/out")
	# shellcheck disable=SC2034 # for the tests, as run sets it
	ERR=$(cat "$TMPD/err")
}

# The memlock status efadiag must give for a limit in KiB when EFA devices are present.
memlock_want() {
	if [ "$1" = unlimited ]; then
		echo pass
	elif [ "$1" -lt 65536 ]; then
		echo fail
	elif [ "$1" -lt 16777216 ]; then
		echo warn
	else
		echo pass
	fi
}
MEMLOCK_WANT=$(memlock_want "$(ulimit -l)")

# check_is NAME STATUS WHAT: the check NAME has STATUS.
check_is() {
	json_is "[.checks[]|select(.name==\"$1\")|.status]|join(\",\")" "$2" "$3: $1 is $2"
}

# check_like NAME REGEX WHAT: the detail of check NAME matches REGEX.
check_like() {
	like "$(jq -r ".checks[]|select(.name==\"$1\")|.detail" <"$TMPD/out")" "$2" \
		"$3: $1 detail says /$2/"
}

# summary_consistent WHAT: the summary line counts the checks array.
summary_consistent() {
	json_true '.summary == ((if .status == "ok" then "OK" else "FAIL" end) + ": " +
		([.checks[]|select(.status=="fail")|.name + ": "] | first // "") +
		([.checks[]|select(.status=="pass")]|length|tostring) + " passed, " +
		([.checks[]|select(.status=="warn")]|length|tostring) + " warned, " +
		([.checks[]|select(.status=="fail")]|length|tostring) + " failed, " +
		([.checks[]|select(.status=="skip")]|length|tostring) + " skipped")' \
		"$1: summary counts the checks"
}

# checks_wellformed WHAT: every check is {name, status, detail} with a known status, and the
# checks the issue asks for are there.
checks_wellformed() {
	json_true '(.checks|length) > 0 and all(.checks[]; (.name|type=="string") and
		(.status|IN("pass","warn","fail","skip")) and (.detail|type=="string") and
		(.detail|length) > 0) and
		([.checks[].name] as $n | all("instance_type","provider","efa_devices","uverbs",
		"port_state","memlock","hugepages","libfabric","efa_driver","ptrace_scope",
		"environment","fi_provider","gpudirect"; IN($n[])))' \
		"$1: checks are {name,status,detail} and the required ones are there"
}

# --- p4d-healthy ---------------------------------------------------------------------------
T=p4d-healthy
info $T -j
is_rc 1 "$T: default provider efa, no efa provider or memlock here"
contract_keys "$T"
json_is .command info "$T: command is info"
json_is .status fail "$T: status fail"
checks_wellformed "$T"
summary_consistent "$T"
json_is .host.instance_type p4d.24xlarge "$T: instance type from dmi product_name"
json_is .host.expected_efa_devices 4 "$T: p4d.24xlarge expects 4 EFA devices"
json_is .host.efa_devices 4 "$T: 4 EFA devices found"
json_is .host.efa_driver_version 2.13.0g "$T: efa driver version from /sys/module/efa/version"
json_is '[.host.hugepages_2mb_total, .host.hugepages_2mb_free]|join(" ")' "5128 5120" \
	"$T: hugepages total and free"
json_is .host.ptrace_scope 0 "$T: yama ptrace_scope"
json_is .host.sysroot "$FX/$T" "$T: host names the sysroot"
json_true '(.host.libfabric_version|test("^[0-9]+\\.[0-9]+$")) and
	(.host.libfabric_path|startswith("/"))' "$T: libfabric version and path"
json_is '[.devices[].device]|join(" ")' "rdmap16s27 rdmap32s27 rdmap144s27 rdmap160s27" \
	"$T: the 4 devices, in natural order (16 before 144)"
while read -r dev want; do
	json_is ".devices[]|select(.device==\"$dev\")|[.pci_address,.pci_device_id,.numa_node,
		.port_state,.uverbs,.p2p]|map(tostring)|join(\",\")" "$want" \
		"$T: $dev PCI address, id, NUMA node, port, uverbs, p2p"
done <<'EOF'
rdmap16s27 0000:10:1b.0,0xefa1,0,ACTIVE,uverbs0,NVIDIA peermem
rdmap32s27 0000:20:1b.0,0xefa1,0,ACTIVE,uverbs1,NVIDIA peermem
rdmap144s27 0000:90:1b.0,0xefa1,1,ACTIVE,uverbs2,NVIDIA peermem
rdmap160s27 0000:a0:1b.0,0xefa1,1,ACTIVE,uverbs3,NVIDIA peermem
EOF
json_true 'all(.devices[]; .link_rate == "100 Gb/sec (4X EDR)")' "$T: link rate of port 1"
json_true 'all(.devices[]; .link_gbps == 100)' "$T: link rate of port 1 in Gbit/s"
json_true 'all(.devices[]; has("rdma_read")|not)' \
	"$T: no efadv capabilities claimed for a fixture (no device to ask)"
check_is instance_type pass "$T"
check_like instance_type '^p4d\.24xlarge supports 4 EFA devices \(400 Gbit/s, accelerator NVIDIA GPU \(GPUDirect RDMA\), RDMA read yes, write no\)$' \
	"$T"
check_is efa_devices pass "$T"
check_like efa_devices '^4 of 4 EFA devices present$' "$T"
check_is uverbs pass "$T"
check_like uverbs 'openable for all 4 devices' "$T"
check_is port_state pass "$T"
check_is hugepages pass "$T"
check_like hugepages '^5120 of 5128 2 MiB hugepages free$' "$T"
check_is libfabric pass "$T"
check_is efa_driver pass "$T"
check_is ptrace_scope pass "$T"
check_is environment pass "$T"
check_like environment 'no FI_\*, RDMAV_\* or IBV_\* variables set' "$T"
check_is fi_provider pass "$T"
check_is gpudirect pass "$T"
check_like gpudirect '^peer memory: provider NVIDIA peermem on all 4 devices; dma-buf ' "$T"
check_is memlock "$MEMLOCK_WANT" "$T (RLIMIT_MEMLOCK $(ulimit -l) KiB)"
if [ $EFA_PROV = 0 ]; then
	check_is provider fail "$T"
	check_like provider 'may lack the efa provider' "$T"
	check_is efa_domains fail "$T"
	check_like efa_domains '^libfabric shows 0 of 4 efa domains' "$T"
	json_is '.domains|length' 0 "$T: no efa domains"
else
	for _ in 1 2 3 4 5; do skip "$T: efa provider absent" "this libfabric has efa"; done
fi

# The same with a provider that exists here: the node is healthy.
info $T -p tcp -j
checks_wellformed "$T -p tcp"
# neuron does not apply to a p4d, and a fixture has no efadv capabilities to compare.
json_true '([.checks[]|select(.name|IN("memlock","neuron","rdma_caps")|not)|.status]|
	all(. == "pass")) and ([.checks[]|select(.name|IN("neuron","rdma_caps"))|.status]|
	all(. == "skip"))' "$T -p tcp: every check but memlock passes (neuron, rdma_caps skip)"
json_true '[.checks[].name]|index("efa_domains")|not' \
	"$T -p tcp: no efa_domains check for another provider"
check_like provider '^tcp: [0-9]+ RDM domains?$' "$T -p tcp"
json_true '(.domains|length) > 0 and all(.domains[]; has("device")|not)' \
	"$T -p tcp: tcp domains, none matched to an EFA device"
if [ $CAN_UNLIMIT = 1 ]; then
	for p in tcp shm; do
		with_memlock unlimited info $T -p $p -j
		is_rc 0 "$T -p $p, memlock unlimited: healthy"
		json_is .status ok "$T -p $p: status ok"
		json_true 'all(.checks[]; .status == "pass")' "$T -p $p: all checks pass"
		check_like memlock '^RLIMIT_MEMLOCK unlimited$' "$T -p $p"
		json_true '.summary|test("^OK: [0-9]+ passed, 0 warned, 0 failed, 0 skipped$")' \
			"$T -p $p: OK verdict"
	done
else
	for _ in 1 2 3 4 5 6 7 8 9 10; do skip "$T: exit 0 with memlock unlimited" "$LIMIT_NOTE"; done
fi

# --- memlock --------------------------------------------------------------------------------
with_memlock 64 info $T -p tcp -j
is_rc 1 "$T, ulimit -l 64: memlock fails"
check_is memlock fail "$T, ulimit -l 64"
check_like memlock '^RLIMIT_MEMLOCK 64 KiB breaks memory registration: raise it: ulimit -l' \
	"$T, ulimit -l 64"
json_is '[.host.memlock, .host.memlock_bytes]|join(" ")' "64 KiB 65536" \
	"$T, ulimit -l 64: host memlock"
json_is '[.checks[]|select(.status=="fail")|.name]|join(",")' memlock \
	"$T, ulimit -l 64: memlock is the only failure"
if [ "$(ulimit -H -l)" = unlimited ] || [ "$(ulimit -H -l)" -ge 1048576 ]; then
	with_memlock 1048576 info $T -p tcp -j
	is_rc 0 "$T, ulimit -l 1 GiB: a warning does not fail"
	check_is memlock warn "$T, ulimit -l 1 GiB"
	check_like memlock '^RLIMIT_MEMLOCK 1 GiB is below 16 GiB' "$T, ulimit -l 1 GiB"
else
	for _ in 1 2 3; do skip "$T: memlock 1 GiB warns" "$LIMIT_NOTE"; done
fi
# memlock_unlimited, and a memlock_bytes that jq compares as larger than any limit when the
# limit is unlimited (null would compare below every number). The tree's proc/self/limits says
# unlimited: no privilege needed to raise the limit.
json_true '.host.memlock_unlimited == false' "$T, ulimit -l 64: memlock_unlimited false"
json_true '(.host.memlock_bytes >= 17179869184) | not' "$T, ulimit -l 64: not >= 16 GiB"
cp -R "$FX/$T" "$FX/$T-unlimited"
mkdir -p "$FX/$T-unlimited/proc/self"
printf '%s\n' 'Limit                     Soft Limit           Hard Limit           Units' \
	'Max locked memory         unlimited            unlimited            bytes' \
	>"$FX/$T-unlimited/proc/self/limits"
info $T-unlimited -p tcp -j
check_is memlock pass "$T, proc/self/limits unlimited"
check_like memlock '^RLIMIT_MEMLOCK unlimited$' "$T, proc/self/limits unlimited"
json_true '.host.memlock == "unlimited" and .host.memlock_unlimited == true and
	(.host.memlock_bytes | type) == "number"' "$T, unlimited: memlock_unlimited, a number"
json_true '.host.memlock_bytes >= 17179869184 and .host.memlock_bytes >= 1e18' \
	"$T, unlimited: memlock_bytes >= any limit in jq"
json_true '[.] | map(select(.host.memlock_bytes >= 16 * 1024 * 1024 * 1024)) | length == 1' \
	"$T, unlimited: the documented select(.host.memlock_bytes >= 16 GiB) keeps the node"
grep -q '"memlock_bytes":18446744073709551615[,}]' "$TMPD/out"
ok $? "$T, unlimited: memlock_bytes is RLIM_INFINITY, the exact integer"
printf '%s\n' 'Max locked memory         8388608              8388608              bytes' \
	>"$FX/$T-unlimited/proc/self/limits"
info $T-unlimited -p tcp -j
json_true '.host.memlock_bytes == 8388608 and .host.memlock_unlimited == false' \
	"$T, proc/self/limits 8 MiB: read from the tree"
with_memlock 64 info no-efa -p tcp -j
is_rc 0 "no-efa -p tcp, ulimit -l 64: no NIC pins memory, nothing fails"
check_is memlock skip "no-efa -p tcp, ulimit -l 64"
# CAP_IPC_LOCK (an EKS pod given IPC_LOCK): the kernel pins registered memory past the limit.
capeff() { # TREE HEX: a /proc/self/status with that CapEff in a copy of $T
	rm -rf "${FX:?}/$1"
	cp -r "$FX/$T" "$FX/$1"
	mkdir -p "$FX/$1/proc/self"
	printf 'Name:\tefadiag\nCapInh:\t0000000000000000\nCapPrm:\t%s\nCapEff:\t%s\n' "$2" "$2" \
		>"$FX/$1/proc/self/status"
}
capeff ipclock 00000000a80c45fb
with_memlock 64 info ipclock -p tcp -j
is_rc 0 "$T with CAP_IPC_LOCK, ulimit -l 64: nothing fails"
check_is memlock pass "$T with CAP_IPC_LOCK, ulimit -l 64"
check_like memlock '^RLIMIT_MEMLOCK 64 KiB, but this process has CAP_IPC_LOCK' "$T with CAP_IPC_LOCK"
json_is .host.cap_ipc_lock true "$T with CAP_IPC_LOCK: host.cap_ipc_lock"
capeff noipclock 00000000a80c05fb
with_memlock 64 info noipclock -p tcp -j
check_is memlock fail "$T without CAP_IPC_LOCK (bit 14 clear), ulimit -l 64"
json_is .host.cap_ipc_lock false "$T without CAP_IPC_LOCK: host.cap_ipc_lock"

# --- text output ----------------------------------------------------------------------------
info $T -p tcp -j
JSON_RC=$RC
SUMMARY=$(jq -r .summary <"$TMPD/out")
REMEDY=$(jq -r '.remedy // ""' <"$TMPD/out")
jq -r '.checks[]|"\(.status) \(.name)"' <"$TMPD/out" >"$TMPD/json-checks"
info $T -p tcp
TEXT=$OUT
is_rc "$JSON_RC" "$T -p tcp text: same exit code as with --json"
! jq -e . <"$TMPD/out" >/dev/null 2>&1
ok $? "$T text: stdout is not JSON"
# like matches line by line (grep): each regex describes one line.
like "$TEXT" '^RDM domains \(provider tcp\)$' "$T text: domains table title"
like "$TEXT" '^PROVIDER +FABRIC +DOMAIN +VERSION +TYPE +PROTOCOL +MAX_MSG +OPENS +INJECT' \
	"$T text: domains header with units"
like "$TEXT" '^rdmap16s27 +0000:10:1b\.0 +0 +ACTIVE +100\.0 +uverbs0 +NVIDIA peermem' \
	"$T text: device row"
like "$TEXT" '^ +instance type +p4d\.24xlarge$' "$T text: host record"
printf '%s\n' "$TEXT" | grep -A1 -x Checks | tail -n 1 | grep -Eqx 'STATUS +CHECK +DETAIL'
ok $? "$T text: Checks title, then the STATUS CHECK DETAIL header"
# Column alignment: every row's name and detail start where the header's CHECK and DETAIL do.
printf '%s\n' "$TEXT" | awk '
	/^STATUS +CHECK +DETAIL$/ { c = index($0, "CHECK"); d = index($0, "DETAIL"); next }
	c && /^$/ { exit }
	c { n++
	    if (substr($0, c, length($2)) != $2 || substr($0, c - 1, 1) != " " ||
		substr($0, d - 1, 1) != " " || substr($0, d, 1) == " ") bad++ }
	END { exit !(n > 0 && !bad) }'
ok $? "$T text: checks table columns aligned"
printf '%s\n' "$TEXT" | awk '/^STATUS +CHECK +DETAIL$/ { on = 1; next } on && /^$/ { exit }
	on { print $1, $2 }' >"$TMPD/text-checks"
cmp -s "$TMPD/json-checks" "$TMPD/text-checks"
ok $? "$T text: same checks and statuses as the JSON"
# The closing line, then at most one Fix: line (docs/vocabulary.md): the first failed check's
# remedy, as the JSON's remedy says.
LAST=$(printf '%s\n' "$TEXT" | grep -v '^Fix: ' | tail -n 1)
like "$LAST" '^(OK|FAIL): ([a-z_]+: )?[0-9]+ passed, [0-9]+ warned, [0-9]+ failed, [0-9]+ skipped$' \
	"$T text: verdict is the last line (but a Fix: line)"
[ "$LAST" = "$SUMMARY" ]
ok $? "$T text: verdict line equals the JSON summary"
FIXLINE=$(printf '%s\n' "$TEXT" | tail -n 1 | sed -n 's/^Fix: //p')
[ "$FIXLINE" = "$REMEDY" ]
ok $? "$T text: the Fix: line is the JSON remedy (${FIXLINE:-none})"

# --- --expect-domains -----------------------------------------------------------------------
info $T -p tcp --expect-domains 8 -j
is_rc 1 "$T --expect-domains 8: more than there are"
json_is .host.expected_efa_devices 8 "$T --expect-domains 8: overrides the table"
check_is efa_devices fail "$T --expect-domains 8"
check_like efa_devices '^4 of 8 EFA devices present' "$T --expect-domains 8"
check_like instance_type 'expecting 8 EFA devices \(--expect-domains\)' "$T --expect-domains 8"
info p5-missing-one -p tcp --expect-domains 31 -j
check_is efa_devices pass "p5-missing-one --expect-domains 31"
check_like efa_devices '^31 of 31 EFA devices present$' "p5-missing-one --expect-domains 31"
json_is .host.expected_efa_devices 31 "p5-missing-one --expect-domains 31: host object"
if [ $CAN_UNLIMIT = 1 ]; then
	with_memlock unlimited info p5-missing-one -p tcp --expect-domains 31 -j
	is_rc 0 "p5-missing-one --expect-domains 31, memlock unlimited: nothing fails"
else
	skip "p5-missing-one --expect-domains 31: exit 0" "$LIMIT_NOTE"
fi
info no-efa --expect-domains 2 -j
json_is .host.expected_efa_devices 2 "no-efa --expect-domains 2: host object"
check_is instance_type pass "no-efa --expect-domains 2"
check_is efa_devices fail "no-efa --expect-domains 2"
if [ $EFA_PROV = 0 ]; then
	check_like efa_domains '^libfabric shows 0 of 2 efa domains' "no-efa --expect-domains 2"
else
	skip "no-efa --expect-domains 2: efa_domains" "this libfabric has efa"
fi
info no-efa --expect-domains x -j
is_rc 2 "--expect-domains x: usage error"
json_is .status error "--expect-domains x: JSON status error"

# --- p5-missing-one -------------------------------------------------------------------------
T=p5-missing-one
info $T -j
is_rc 1 "$T: one device missing fails"
contract_keys "$T"
checks_wellformed "$T"
summary_consistent "$T"
json_is .host.instance_type p5.48xlarge "$T: instance type"
json_is .host.expected_efa_devices 32 "$T: p5.48xlarge expects 32"
json_is .host.efa_devices 31 "$T: 31 found"
json_is '.devices|length' 31 "$T: 31 devices listed"
json_true '[.devices[].device]|index("rdmap113s0")|not' "$T: rdmap113s0 is the missing one"
# Natural order: the digits by value (rdmap79s0 before rdmap204s0), not strcmp's.
json_true '[.devices[].device] == ([.devices[].device] |
	sort_by([scan("[0-9]+|[^0-9]+") | tonumber? // .]))' "$T: devices in natural order"
json_true '[.devices[].device] | index("rdmap79s0") == 0 and index("rdmap204s0") == 30' \
	"$T: rdmap79s0 first, rdmap204s0 last"
json_true 'all(.devices[]; .pci_device_id == "0xefa2" and .port_state == "ACTIVE" and
	.p2p == "NVIDIA")' "$T: all 1d0f:efa2, ACTIVE, NVIDIA"
json_true '[.devices[].uverbs]|unique|length == 31 and all(test("^uverbs[0-9]+$"))' \
	"$T: each device has its own uverbs"
json_is '[.devices[]|select(.numa_node==0)]|length' 15 "$T: 15 devices on NUMA node 0"
json_is '.devices[]|select(.device=="rdmap204s0")|[.pci_address,.numa_node]|map(tostring)|
	join(",")' "0000:cc:00.0,1" "$T: rdmap204s0 at 0000:cc:00.0 on node 1"
check_is instance_type pass "$T"
check_is efa_devices fail "$T"
check_like efa_devices '^31 of 32 EFA devices present: .*vpc\.amazonaws\.com/efa: 32' "$T"
check_is uverbs pass "$T"
check_is port_state pass "$T"
check_is hugepages warn "$T"
check_like hugepages '^no 2 MiB hugepages reserved' "$T"
check_is gpudirect pass "$T"
check_like gpudirect '^peer memory: provider NVIDIA on all 31 devices' "$T"
check_is ptrace_scope pass "$T"
if [ $INSTALLER = 0 ]; then
	# The in-tree driver has no module version: no reason to warn.
	check_is efa_driver pass "$T"
	check_like efa_driver 'no /sys/module/efa/version' "$T"
	json_is .host.efa_driver_version "unknown" "$T: efa driver version unknown"
else
	for _ in 1 2 3; do
		skip "$T: efa_driver unknown" "/opt/amazon/efa_installed_packages is read"
	done
fi
if [ $EFA_PROV = 0 ]; then
	check_is efa_domains fail "$T"
	check_like efa_domains '0 of 32 efa domains' "$T"
else
	for _ in 1 2; do skip "$T: efa_domains" "this libfabric has efa"; done
fi
info $T -p tcp -j
is_rc 1 "$T -p tcp: still fails on the missing device"
check_is efa_devices fail "$T -p tcp"
check_is hugepages pass "$T -p tcp: no hugepages is fine without efa"

# --- pod-no-dev -----------------------------------------------------------------------------
T=pod-no-dev
info $T -j
is_rc 1 "$T: no /dev/infiniband fails"
contract_keys "$T"
checks_wellformed "$T"
summary_consistent "$T"
json_is .host.instance_type p4d.24xlarge "$T: instance type"
json_is .host.efa_devices 4 "$T: the host's devices are visible in sysfs"
json_is '[.devices[]|"\(.device)=\(.uverbs)"]|join(" ")' \
	"rdmap16s27=uverbs0 rdmap32s27=uverbs1 rdmap144s27=uverbs2 rdmap160s27=uverbs3" \
	"$T: uverbs bound in sysfs"
json_true 'all(.devices[]; .p2p == "none")' "$T: an empty device/p2p is no provider"
check_is uverbs fail "$T"
check_like uverbs '^/dev/infiniband/ node missing for .*uverbs0\(rdmap16s27\)' "$T"
check_like uverbs 'mount /dev/infiniband into the container' "$T"
check_is efa_devices pass "$T"
check_is port_state pass "$T"
check_is ptrace_scope warn "$T"
check_like ptrace_scope 'ptrace_scope=1 blocks' "$T"
check_is gpudirect fail "$T: no peer memory, and no dma-buf (no NVIDIA driver, kernel 5.10)"
check_like gpudirect '^no GPUDirect path: peer memory on 0 of 4 devices \(rdmap16s27 has none\)' \
	"$T"
check_is hugepages warn "$T"
if [ $EFA_PROV = 0 ]; then
	check_is provider fail "$T"
	check_like provider '/dev/infiniband is not usable here' "$T"
else
	for _ in 1 2; do skip "$T: provider cause" "this libfabric has efa"; done
fi
info $T -p tcp -j
is_rc 1 "$T -p tcp: uverbs still fails"
check_is uverbs fail "$T -p tcp"
check_is ptrace_scope pass "$T -p tcp: ptrace_scope only matters to efa"
info $T -p tcp
like "$OUT" '^fail +uverbs +/dev/infiniband/ node missing' "$T text: uverbs row"
like "$(printf '%s\n' "$OUT" | grep -v '^Fix: ' | tail -n 1)" '^FAIL: uverbs: ' "$T text: FAIL verdict, the failed check its reason word"
like "$(printf '%s\n' "$OUT" | tail -n 1)" '^Fix: mount /dev/infiniband into the container' \
	"$T text: the Fix: line after it, on stdout"

# --- no-efa ---------------------------------------------------------------------------------
T=no-efa
info $T -j
is_rc 1 "$T: -p efa without an EFA device fails"
contract_keys "$T"
checks_wellformed "$T"
summary_consistent "$T"
json_is '.devices|length' 0 "$T: Mellanox devices (even one named rdmap0s31) are not EFA"
json_is .host.efa_devices 0 "$T: host counts no EFA device"
json_is .host.instance_type "PowerEdge R750" "$T: instance type from dmi"
json_is .host.expected_efa_devices null "$T: no expectation for an unknown type"
check_is instance_type skip "$T"
check_like instance_type "'PowerEdge R750' is not in the EFA instance table" "$T"
check_is efa_devices fail "$T"
check_like efa_devices '^no EFA device \(PCI 1d0f:efa0-efa4\)' "$T"
check_is efa_domains skip "$T"
check_is uverbs skip "$T"
check_is port_state skip "$T"
check_is gpudirect skip "$T"
if [ $INSTALLER = 0 ]; then
	check_is efa_driver skip "$T"
else
	skip "$T: efa_driver skip" "/opt/amazon/efa_installed_packages is read"
fi
if [ $EFA_PROV = 0 ]; then
	check_is provider fail "$T"
	check_like provider 'no EFA device visible' "$T"
else
	for _ in 1 2; do skip "$T: provider cause" "this libfabric has efa"; done
fi
info $T -p tcp -j
is_rc 0 "$T -p tcp: nothing fails"
json_is .status ok "$T -p tcp: status ok"
check_is efa_devices skip "$T -p tcp"
check_like efa_devices 'provider tcp does not need one' "$T -p tcp"
check_is memlock skip "$T -p tcp"
check_is provider pass "$T -p tcp"
json_true '.summary|startswith("OK: ")' "$T -p tcp: OK verdict"

# --- environment variables ------------------------------------------------------------------
# lf_at_least MAJOR MINOR: whether the libfabric efadiag loads is that version or later.
lf_at_least() {
	[ -n "$LF_MAJOR" ] && { [ "$LF_MAJOR" -gt "$1" ] ||
		{ [ "$LF_MAJOR" -eq "$1" ] && [ "$LF_MINOR" -ge "$2" ]; }; }
}
# FI_EFA_MTU_SIZE aborts the efa provider from libfabric 1.18, the IOV limits from 1.19
# (rdm/rxr_env.c v1.18.0, efa_env.c v1.19.0); FI_EFA_SHM_MAX_MEDIUM_SIZE from 1.14 to 1.19.
for var in FI_EFA_MTU_SIZE=9000:1.18 FI_EFA_TX_IOV_LIMIT=2:1.19 FI_EFA_RX_IOV_LIMIT=2:1.19; do
	since=${var#*:}
	var=${var%:*}
	if lf_at_least "${since%.*}" "${since#*.}"; then
		FATAL=fail FATAL_RC=1
	else
		FATAL=warn FATAL_RC=0
	fi
	# A prefix assignment to a function is exported to what it runs: efadiag sees it.
	eval "$var info no-efa -p tcp -j"
	is_rc $FATAL_RC "no-efa -p tcp $var (libfabric $LF_MAJOR.$LF_MINOR)"
	check_is environment $FATAL "no-efa -p tcp $var"
	check_like environment "^${var%%=*}=${var#*=}: " "no-efa -p tcp $var"
done
if lf_at_least 1 14 && ! lf_at_least 1 20; then FATAL=fail; else FATAL=pass; fi
FI_EFA_SHM_MAX_MEDIUM_SIZE=4096 info no-efa -p tcp -j
check_is environment $FATAL "no-efa FI_EFA_SHM_MAX_MEDIUM_SIZE=4096 (libfabric $LF_MAJOR.$LF_MINOR)"
# FI_EFA_USE_DEVICE_RDMA: an invalid boolean aborts from 1.18, and true does where the device
# has no RDMA read (rdm/efa_rdm_util.c), when an endpoint opens.
if lf_at_least 1 18; then FATAL=fail; else FATAL=pass; fi
FI_EFA_USE_DEVICE_RDMA=maybe info no-efa -p tcp -j
check_is environment $FATAL "no-efa FI_EFA_USE_DEVICE_RDMA=maybe (libfabric $LF_MAJOR.$LF_MINOR)"
FI_EFA_USE_DEVICE_RDMA=1 info no-efa -p tcp -j
check_is environment pass "no-efa FI_EFA_USE_DEVICE_RDMA=1: no EFA device, RDMA read unknown"
cp -R "$FIXTURES/dl1-gaudi" "$FX/"
chmod -R u+w "$FX/dl1-gaudi"
FI_EFA_USE_DEVICE_RDMA=1 info dl1-gaudi -p tcp -j
check_is environment fail "dl1-gaudi FI_EFA_USE_DEVICE_RDMA=1: its devices have no RDMA read"
check_like environment '^FI_EFA_USE_DEVICE_RDMA=1: the efa provider aborts when an endpoint opens' \
	"dl1-gaudi FI_EFA_USE_DEVICE_RDMA=1"
FI_EFA_USE_DEVICE_RDMA=0 info dl1-gaudi -p tcp -j
check_is environment pass "dl1-gaudi FI_EFA_USE_DEVICE_RDMA=0"
# libfabric.conf (1.18 and later), at the path compiled into the library, below the sysroot.
CONF=$(jq -r '.host.libfabric_conf // empty' <"$TMPD/out")
CONF=${CONF% (*}
if lf_at_least 1 18 && [ -n "$CONF" ]; then
	mkdir -p "$FX/no-efa$(dirname "$CONF")"
	# FI_EFA_MTU_SIZE is read with getenv(): in the file it aborts nothing.
	printf 'FI_EFA_MTU_SIZE=9000\n' >"$FX/no-efa$CONF"
	info no-efa -p tcp -j
	json_is .host.libfabric_conf "$CONF" "no-efa: libfabric.conf read at $CONF"
	check_is environment pass "no-efa libfabric.conf FI_EFA_MTU_SIZE=9000: getenv() only"
	check_like environment '^FI_EFA_MTU_SIZE=9000 \(libfabric\.conf\)$' \
		"no-efa libfabric.conf FI_EFA_MTU_SIZE=9000: listed"
	printf 'FI_EFA_TX_MIN_CREDITS=0\n' >"$FX/no-efa$CONF"
	info no-efa -p tcp -j
	check_is environment fail "no-efa libfabric.conf FI_EFA_TX_MIN_CREDITS=0"
	check_like environment 'FI_EFA_TX_MIN_CREDITS=0 \(libfabric\.conf\): the efa provider aborts' \
		"no-efa libfabric.conf FI_EFA_TX_MIN_CREDITS=0"
	FI_EFA_TX_MIN_CREDITS=8 info no-efa -p tcp -j
	check_is environment pass "no-efa libfabric.conf overridden by FI_EFA_TX_MIN_CREDITS=8"
	FI_PREFER_SYSCONFIG=1 FI_EFA_TX_MIN_CREDITS=8 info no-efa -p tcp -j
	check_is environment fail "no-efa FI_PREFER_SYSCONFIG=1: libfabric.conf wins again"
	rm -f "$FX/no-efa$CONF"
else
	for _ in 1 2 3 4 5 6 7; do
		skip "libfabric.conf" "libfabric $LF_MAJOR.$LF_MINOR reads none (1.18 and later do)"
	done
fi
RDMAV_HUGEPAGES_SAFE=1 info no-efa -p tcp -j
is_rc 0 "no-efa RDMAV_HUGEPAGES_SAFE=1: harmless"
check_is environment pass "no-efa RDMAV_HUGEPAGES_SAFE=1"
check_like environment '^RDMAV_HUGEPAGES_SAFE=1$' "no-efa RDMAV_HUGEPAGES_SAFE=1"

T=p4d-healthy
# Hugepages with rdma-core's fork support abort from 1.19 (efa_fork_support.c v1.19.0).
if lf_at_least 1 19; then FATAL=fail; else FATAL=pass; fi
FI_EFA_USE_HUGE_PAGE=1 RDMAV_FORK_SAFE=1 info $T -p tcp -j
check_is environment $FATAL "$T FI_EFA_USE_HUGE_PAGE=1 RDMAV_FORK_SAFE=1 (libfabric $LF_MAJOR.$LF_MINOR)"
if [ $FATAL = fail ]; then
	check_like environment 'FI_EFA_USE_HUGE_PAGE=1: the efa provider aborts with hugepages and fork' \
		"$T FI_EFA_USE_HUGE_PAGE=1 RDMAV_FORK_SAFE=1"
else
	check_like environment '^FI_EFA_USE_HUGE_PAGE=1; RDMAV_FORK_SAFE=1$|^RDMAV_FORK_SAFE=1; FI_EFA_USE_HUGE_PAGE=1$' \
		"$T FI_EFA_USE_HUGE_PAGE=1 RDMAV_FORK_SAFE=1 before 1.19: listed, harmless"
fi
check_is hugepages pass "$T FI_EFA_USE_HUGE_PAGE=1 with 5120 free"
check_like hugepages 'FI_EFA_USE_HUGE_PAGE=1$' "$T FI_EFA_USE_HUGE_PAGE=1"
FI_EFA_USE_HUGE_PAGE=yes FI_EFA_FORK_SAFE=1 info $T -p tcp -j
check_is environment $FATAL "$T FI_EFA_USE_HUGE_PAGE=yes FI_EFA_FORK_SAFE=1"
FI_EFA_USE_HUGE_PAGE=0 RDMAV_FORK_SAFE=1 info $T -p tcp -j
check_is environment pass "$T FI_EFA_USE_HUGE_PAGE=0 RDMAV_FORK_SAFE=1"
# No free hugepages is no failure: libfabric's buffer pools fall back to regular pages
# (prov/util/src/util_buf.c).
FI_EFA_USE_HUGE_PAGE=1 info pod-no-dev -p tcp -j
check_is hugepages warn "pod-no-dev FI_EFA_USE_HUGE_PAGE=1, no hugepages"
check_like hugepages '^FI_EFA_USE_HUGE_PAGE=1 but 0 of 0 2 MiB hugepages free: the efa provider falls back to regular pages' \
	"pod-no-dev FI_EFA_USE_HUGE_PAGE=1"

FI_PROVIDER='^efa' info $T -j
is_rc 1 "$T FI_PROVIDER=^efa: excludes efa"
check_is fi_provider fail "$T FI_PROVIDER=^efa"
check_like fi_provider '^FI_PROVIDER=\^efa excludes provider efa' "$T FI_PROVIDER=^efa"
check_is provider fail "$T FI_PROVIDER=^efa"
check_like provider 'FI_PROVIDER=\^efa excludes it: unset FI_PROVIDER' "$T FI_PROVIDER=^efa"
FI_PROVIDER='^efa' info no-efa -p tcp -j
is_rc 0 "no-efa -p tcp FI_PROVIDER=^efa: tcp is let through"
check_is fi_provider pass "no-efa -p tcp FI_PROVIDER=^efa"
check_is environment pass "no-efa -p tcp FI_PROVIDER=^efa"
FI_PROVIDER=efa info no-efa -p tcp -j
is_rc 1 "no-efa -p tcp FI_PROVIDER=efa: tcp excluded"
check_is fi_provider fail "no-efa -p tcp FI_PROVIDER=efa"
check_like provider 'FI_PROVIDER=efa excludes it' "no-efa -p tcp FI_PROVIDER=efa"
FI_PROVIDER=tcp info no-efa -p 'tcp;ofi_rxm' -j
is_rc 0 "no-efa -p 'tcp;ofi_rxm' FI_PROVIDER=tcp: the core provider selects it"
check_is fi_provider pass "no-efa -p 'tcp;ofi_rxm' FI_PROVIDER=tcp"

# --- -d filtering ---------------------------------------------------------------------------
info no-efa -p tcp -j
ALL=$(jq -r '[.domains[].domain]|join(" ")' <"$TMPD/out")
D=$(jq -r '.domains[0].domain // empty' <"$TMPD/out")
N=$(jq -r "[.domains[]|select(.domain==\"$D\")]|length" <"$TMPD/out")
diag "tcp domains here: $ALL"
info no-efa -p tcp -d "$D" -j
is_rc 0 "-p tcp -d $D"
json_true "(.domains|length) == $N and all(.domains[]; .domain == \"$D\")" \
	"-p tcp -d $D: only $D's $N entries"
info no-efa -p tcp -d "nosuch0,$D" -j
json_true "(.domains|length) == $N and all(.domains[]; .domain == \"$D\")" \
	"-p tcp -d nosuch0,$D: a list keeps the names that exist"
info no-efa -p tcp -d nosuch0 -j
is_rc 1 "-p tcp -d nosuch0: no such domain"
json_is '.domains|length' 0 "-p tcp -d nosuch0: no domains"
check_is provider fail "-p tcp -d nosuch0"
check_like provider "^provider tcp has no RDM domain named nosuch0: list its domains" \
	"-p tcp -d nosuch0"
info p4d-healthy -d rdmap16s27 -j
check_is efa_domains skip "p4d-healthy -d rdmap16s27: no domain count with -d"

# --- variants of the trees: identification by PCI id, port state, sysfs quirks ---------------
cp -R "$FX/no-efa" "$FX/ids-efa"
d=$FX/ids-efa/sys/class/infiniband
echo 0x1d0f >"$d/mlx5_0/device/vendor"
echo 0xefa0 >"$d/mlx5_0/device/device"
echo 0x1d0f >"$d/rdmap0s31/device/vendor"
echo 0xefa4 >"$d/rdmap0s31/device/device"
info ids-efa -p tcp -j
json_is '[.devices[]|"\(.device)=\(.pci_device_id)"]|join(" ")' "mlx5_0=0xefa0 rdmap0s31=0xefa4" \
	"1d0f:efa0 and 1d0f:efa4 are EFA whatever the name"
cp -R "$FX/no-efa" "$FX/ids-not-efa"
d=$FX/ids-not-efa/sys/class/infiniband
echo 0x1d0f >"$d/mlx5_0/device/vendor"
echo 0xec20 >"$d/mlx5_0/device/device"
echo 0x1d0f >"$d/rdmap0s31/device/vendor"
echo 0xefa5 >"$d/rdmap0s31/device/device"
info ids-not-efa -p tcp -j
json_is '.devices|length' 0 "1d0f:ec20 (ENA) and 1d0f:efa5 are not EFA"

cp -R "$FX/p4d-healthy" "$FX/port-down"
echo "1: DOWN" >"$FX/port-down/sys/class/infiniband/rdmap32s27/ports/1/state"
info port-down -p tcp -j
is_rc 1 "port-down: a port not ACTIVE fails"
check_is port_state fail "port-down"
check_like port_state '^1 port not ACTIVE \(e\.g\. rdmap32s27\)' "port-down"
json_is '.devices[]|select(.device=="rdmap32s27")|.port_state' DOWN "port-down: state shown"

# Without uevent the PCI address comes from where the device link points, as in real sysfs.
cp -R "$FX/p4d-healthy" "$FX/linked"
mkdir -p "$FX/linked/sys/devices/pci0000:10"
mv "$FX/linked/sys/class/infiniband/rdmap16s27/device" \
	"$FX/linked/sys/devices/pci0000:10/0000:10:1b.0"
rm "$FX/linked/sys/devices/pci0000:10/0000:10:1b.0/uevent"
ln -s ../../../devices/pci0000:10/0000:10:1b.0 "$FX/linked/sys/class/infiniband/rdmap16s27/device"
info linked -p tcp -j
json_is '.devices[]|select(.device=="rdmap16s27")|.pci_address' 0000:10:1b.0 \
	"linked: PCI address from the device link without uevent"

cp -R "$FX/p4d-healthy" "$FX/unbound"
rm -r "$FX/unbound/sys/class/infiniband_verbs/uverbs1"
info unbound -p tcp -j
json_is '.devices[]|select(.device=="rdmap32s27")|.uverbs' none "unbound: no uverbs for rdmap32s27"
check_is uverbs fail "unbound"
check_like uverbs '\?\(rdmap32s27\)' "unbound"

# Blank lines and blank-padded values (some DMI tables) read as empty, not past the buffer.
cp -R "$FX/no-efa" "$FX/blank"
printf '   \n' >"$FX/blank/sys/devices/virtual/dmi/id/product_name"
printf '\n' >"$FX/blank/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
printf ' \t\n' >"$FX/blank/proc/sys/kernel/yama/ptrace_scope"
info blank -p tcp -j
is_rc 0 "blank: blank sysfs values are survived"
json_is .host.instance_type unknown "blank: blank product_name is an unknown type"
check_is instance_type skip "blank"
json_true '.host|has("hugepages_2mb_total") or has("ptrace_scope")|not' \
	"blank: blank numbers are unknown"
check_is hugepages skip "blank"
check_is ptrace_scope skip "blank"

cp -R "$FX/p4d-healthy" "$FX/padded"
printf 'p4d.24xlarge  \n' >"$FX/padded/sys/devices/virtual/dmi/id/product_name"
info padded -p tcp -j
json_is .host.expected_efa_devices 4 "padded: trailing blanks are trimmed from product_name"

if [ "$(id -u)" != 0 ]; then
	cp -R "$FX/p4d-healthy" "$FX/denied"
	chmod 000 "$FX/denied/dev/infiniband/uverbs0"
	info denied -p tcp -j
	check_is uverbs fail "denied"
	check_like uverbs 'permission denied' "denied"
else
	for _ in 1 2; do skip "uverbs permission denied" "root opens any file"; done
fi

# --- hostile and odd sysroot trees ----------------------------------------------------------
# A sysroot that is not there would read as an empty node: a usage error, not a pass.
EFADIAG_SYSROOT=$TMPD/no-such-root run info -p tcp -j
is_rc 2 "missing EFADIAG_SYSROOT: usage error"
json_is .status error "missing EFADIAG_SYSROOT: JSON status error"
json_true '.error.message|test("^EFADIAG_SYSROOT=.*no-such-root: No such file")' \
	"missing EFADIAG_SYSROOT: the message names it"
: >"$TMPD/root-file"
EFADIAG_SYSROOT=$TMPD/root-file run info -p tcp
is_rc 2 "EFADIAG_SYSROOT naming a file: usage error"
like "$ERR" 'root-file: not a directory' "EFADIAG_SYSROOT naming a file: says so"

# A FIFO is never opened (it hung info), a huge sparse file is not read through (a 4 GiB
# uevent took 20 s), and both say what they are.
cp -R "$FX/p4d-healthy" "$FX/odd"
rm "$FX/odd/sys/devices/virtual/dmi/id/product_name"
mkfifo "$FX/odd/sys/devices/virtual/dmi/id/product_name"
rm "$FX/odd/sys/class/infiniband/rdmap16s27/device/uevent"
truncate -s 4G "$FX/odd/sys/class/infiniband/rdmap16s27/device/uevent"
truncate -s 4G "$FX/odd/sys/class/infiniband/rdmap32s27/ports/1/state"
START=$(date +%s.%N)
RC=0
EFADIAG_SYSROOT="$FX/odd" timeout 20 "$EFADIAG" info -p tcp -j >"$TMPD/out" 2>"$TMPD/err" || RC=$?
ELAPSED=$(awk -v s="$START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
[ "$RC" -le 1 ]
ok $? "odd: a FIFO and 4 GiB sparse files are survived (exit $RC; 124 is the timeout)"
# What is asserted is that neither file is read through: 20 s or forever against well under
# that. A loaded machine stretches the rest of info (fi_getinfo, the other checks) by seconds,
# so the bound is 10 s, not 3.
awk -v e="$ELAPSED" 'BEGIN { exit !(e < 10) }'
ok $? "odd: done in ${ELAPSED}s (under 10 s; a 4 GiB uevent took 20 s, a FIFO forever)"
json_is .host.instance_type "not a regular file" "odd: a FIFO product_name is not read"
check_is instance_type warn "odd"
check_like instance_type 'product_name is not a regular file: use --expect-domains N' "odd"
json_is '.devices[]|select(.device=="rdmap16s27")|.pci_address' - \
	"odd: a 4 GiB uevent gives no PCI address"
json_is '.devices[]|select(.device=="rdmap32s27")|.port_state' \
	"larger than 64 KiB, not a sysfs file" "odd: a 4 GiB port state says so"
check_is port_state warn "odd"

# Binary junk comes out escaped as \xNN, in the JSON and in the table.
cp -R "$FX/p4d-healthy" "$FX/junk"
printf 'p4d\033[2J\377\376\001x\n' >"$FX/junk/sys/devices/virtual/dmi/id/product_name"
printf 'NVIDIA\033]0;pwned\007\n' >"$FX/junk/sys/class/infiniband/rdmap16s27/device/p2p"
printf 'PCI_SLOT_NAME=00\033[31m:1\n' >"$FX/junk/sys/class/infiniband/rdmap32s27/device/uevent"
info junk -p tcp -j
[ "$RC" -le 1 ]
ok $? "junk: runs (exit $RC)"
iconv -f UTF-8 -t UTF-8 <"$TMPD/out" >/dev/null 2>&1
ok $? "junk: the JSON is valid UTF-8"
! LC_ALL=C grep -q "$(printf '[\001-\010\016-\037\177-\377]')" "$TMPD/out"
ok $? "junk: no control or non-ASCII byte in the JSON"
json_is .host.instance_type 'p4d\x1b[2J\xff\xfe\x01x' "junk: product_name escaped"
json_is '.devices[]|select(.device=="rdmap16s27")|.p2p' 'NVIDIA\x1b]0;pwned\x07' \
	"junk: p2p escaped"
json_is '.devices[]|select(.device=="rdmap32s27")|.pci_address' '00\x1b[31m:1' \
	"junk: uevent's PCI_SLOT_NAME escaped"
check_is instance_type skip "junk: an escaped product_name is no known instance type"
info junk -p tcp
! LC_ALL=C grep -q "$(printf '[\001-\010\016-\037\177-\377]')" "$TMPD/out"
ok $? "junk text: no control or non-ASCII byte reaches the terminal"
like "$OUT" '^ +instance type +p4d\\x1b\[2J\\xff\\xfe\\x01x$' "junk text: escaped in the table"

# As a user who may not read some files: they are "unreadable (permission)", not absent, and
# a device whose vendor cannot be read is counted as unconfirmed, never dropped.
NR_NOTE=""
if ! command -v setpriv >/dev/null 2>&1; then
	NR_NOTE="setpriv not installed"
elif ! setpriv --reuid=65534 --regid=65534 --clear-groups "$EFADIAG" --version >/dev/null 2>&1
then
	NR_NOTE="cannot run efadiag as uid 65534 (not root, or the binary is not reachable)"
fi
if [ -z "$NR_NOTE" ]; then
	# The tree must be reachable by uid 65534: $TMPD is private (0700), so open it to traverse.
	chmod 711 "$TMPD" "$FX"
	NR=$FX/nonroot
	cp -R "$FX/p4d-healthy" "$NR"
	chmod -R a+rX "$NR"
	chmod 666 "$NR"/dev/infiniband/uverbs*
	D=$NR/sys/class/infiniband
	chmod 000 "$D/rdmap32s27/device/vendor" "$D/rdmap144s27/ports/1/state" \
		"$D/rdmap160s27/device/p2p" "$NR/sys/devices/virtual/dmi/id/product_name"
	EFADIAG_WRAPPER="setpriv --reuid=65534 --regid=65534 --clear-groups" \
		EFADIAG_SYSROOT=$NR run info -p tcp -j
	is_rc 1 "non-root: a device of unknown id fails the count"
	json_is '.devices|length' 4 "non-root: all 4 devices listed, none dropped"
	json_is '[.host.efa_devices, .host.unconfirmed_devices]|map(tostring)|join(" ")' "3 1" \
		"non-root: 3 confirmed, 1 unconfirmed"
	json_is '.devices[]|select(.device=="rdmap32s27")|[.pci_device_id,.id_error]|join(",")' \
		"unknown,unreadable (permission)" "non-root: rdmap32s27's id is unreadable"
	check_is efa_devices warn "non-root: product_name unreadable, so no expected count"
	check_like efa_devices '^3 EFA devices confirmed, and 1 whose PCI id cannot be read: rdmap32s27 \(PCI id unreadable \(permission\)\); run efadiag info as root' \
		"non-root"
	json_is .host.instance_type "unreadable (permission)" "non-root: product_name"
	check_is instance_type warn "non-root"
	check_like instance_type 'unreadable \(permission\): run as root, or use --expect-domains' \
		"non-root"
	json_is '.devices[]|select(.device=="rdmap144s27")|.port_state' "unreadable (permission)" \
		"non-root: port state unreadable"
	check_is port_state warn "non-root: an unreadable port is not a DOWN port"
	json_is '.devices[]|select(.device=="rdmap160s27")|.p2p' "unreadable (permission)" \
		"non-root: p2p unreadable"
	# With a known expectation the unconfirmed device may be the missing one: fail.
	EFADIAG_WRAPPER="setpriv --reuid=65534 --regid=65534 --clear-groups" \
		EFADIAG_SYSROOT=$NR run info -p tcp --expect-domains 4 -j
	check_is efa_devices fail "non-root --expect-domains 4"
	check_like efa_devices '^3 of 4 EFA devices confirmed, and 1 whose PCI id' \
		"non-root --expect-domains 4"
	chmod 700 "$TMPD"
else
	for _ in $(seq 16); do skip "non-root reads" "$NR_NOTE"; done
fi

# --- GPUDirect -----------------------------------------------------------------------------
# gpudirect TREE P2P: a copy of p4d-healthy named TREE whose devices' p2p read P2P.
gpudirect() {
	local f

	cp -R "$FX/p4d-healthy" "$FX/$1"
	for f in "$FX/$1"/sys/class/infiniband/*/device/p2p; do
		printf '%s\n' "$2" >"$f"
	done
}
gpudirect gd-neuron NEURON
info gd-neuron -p tcp -j
check_is gpudirect fail "gd-neuron: NEURON on a p4d is no GPUDirect for its NVIDIA GPUs"
json_true '.checks[]|select(.name=="gpudirect")|.remedy|test("EFA driver with NVIDIA peer-memory support")' \
	"gd-neuron: the gpudirect check's remedy, alone"
check_like gpudirect "^no GPUDirect path: peer memory on 0 of 4 devices \(rdmap16s27 has 'NEURON', not an NVIDIA provider\)" \
	"gd-neuron"
gpudirect gd-direct NVIDIA
info gd-direct -p tcp -j
check_is gpudirect pass "gd-direct: NVIDIA (nvidia_p2p_* directly)"
gpudirect gd-mixed "NVIDIA peermem"
: >"$FX/gd-mixed/sys/class/infiniband/rdmap32s27/device/p2p"
info gd-mixed -p tcp -j
check_is gpudirect fail "gd-mixed: one device without a provider, no dma-buf"
check_like gpudirect 'peer memory on 3 of 4 devices \(rdmap32s27 has none\)' "gd-mixed"
check_like gpudirect 'kernel 5\.12\+ \(this is 5\.10\)' "gd-mixed: names the old kernel"

# dma-buf: the NVIDIA open kernel module, kernel 5.12+ and libfabric 1.20+ (this libfabric's
# version decides the last; the CI leg on libfabric 2.x covers the pass).
NVRM_OPEN='NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.90.07  Release Build  (dvs-builder@U16-I3-B03-4-3)  Fri May 31 09:30:47 UTC 2024'
NVRM_PROP='NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024'
LF_NEW=0
[ -n "$LF_MAJOR" ] && { [ "$LF_MAJOR" -gt 1 ] || [ "$LF_MINOR" -ge 20 ]; } && LF_NEW=1
gpudirect gd-dmabuf ""
mkdir -p "$FX/gd-dmabuf/proc/driver/nvidia"
printf '%s\nGCC version:  gcc version 11.4.0\n' "$NVRM_OPEN" >"$FX/gd-dmabuf/proc/driver/nvidia/version"
echo 6.8.0-1015-aws >"$FX/gd-dmabuf/proc/sys/kernel/osrelease"
info gd-dmabuf -p tcp -j
if [ $LF_NEW = 1 ]; then
	check_is gpudirect pass "gd-dmabuf: open module, kernel 6.8, libfabric $LF_MAJOR.$LF_MINOR"
	check_like gpudirect '^dma-buf available \(NVIDIA open kernel module, kernel 6\.8, libfabric' \
		"gd-dmabuf"
else
	check_is gpudirect fail "gd-dmabuf: libfabric $LF_MAJOR.$LF_MINOR is too old for dma-buf"
	check_like gpudirect "dma-buf not available: it needs libfabric 1\.20\+ \(this is $LF_MAJOR\.$LF_MINOR\);" \
		"gd-dmabuf: only libfabric is missing"
fi
cp -R "$FX/gd-dmabuf" "$FX/gd-prop"
printf '%s\n' "$NVRM_PROP" >"$FX/gd-prop/proc/driver/nvidia/version"
info gd-prop -p tcp -j
check_is gpudirect fail "gd-prop: the proprietary module has no dma-buf path"
check_like gpudirect 'needs the NVIDIA open kernel module \(the proprietary one is loaded\)' \
	"gd-prop"
# Without /proc/driver/nvidia, the module's taint tells: P is the proprietary one.
cp -R "$FX/gd-dmabuf" "$FX/gd-taint"
rm -r "$FX/gd-taint/proc/driver"
mkdir -p "$FX/gd-taint/sys/module/nvidia"
echo POE >"$FX/gd-taint/sys/module/nvidia/taint"
info gd-taint -p tcp -j
check_like gpudirect 'the proprietary one is loaded' "gd-taint: taint POE is proprietary"
echo OE >"$FX/gd-taint/sys/module/nvidia/taint"
info gd-taint -p tcp -j
if [ $LF_NEW = 1 ]; then
	check_is gpudirect pass "gd-taint: taint OE is the open module"
else
	check_like gpudirect 'it needs libfabric 1\.20\+' "gd-taint: taint OE is the open module"
fi
echo 5.10.220 >"$FX/gd-taint/proc/sys/kernel/osrelease"
info gd-taint -p tcp -j
check_is gpudirect fail "gd-taint, kernel 5.10: no dma-buf"
check_like gpudirect 'it needs kernel 5\.12\+ \(this is 5\.10\)' "gd-taint, kernel 5.10"
rm "$FX/gd-taint/proc/sys/kernel/osrelease"
info gd-taint -p tcp -j
check_like gpudirect 'kernel 5\.12\+ \(version unknown\)' "gd-taint, no osrelease"
info no-efa -p tcp -j
check_like gpudirect '^not an NVIDIA GPU instance with EFA$' "no-efa: gpudirect skipped"

# --- port_state and --expect-domains with another provider ----------------------------------
info p4d-healthy -p tcp -j
check_like port_state '^all 4 ports ACTIVE \(the efa driver always reports ACTIVE' \
	"p4d-healthy: ACTIVE is not evidence of health"
info no-efa -p tcp --expect-domains 32 -j
is_rc 1 "no-efa -p tcp --expect-domains 32: the promise is not met"
check_is efa_devices fail "no-efa -p tcp --expect-domains 32"
check_like efa_devices '^0 of 32 EFA devices present \(--expect-domains counts EFA devices' \
	"no-efa -p tcp --expect-domains 32"
check_is efa_domains skip "no-efa -p tcp --expect-domains 32"
check_like efa_domains 'checked against the EFA devices in sysfs' \
	"no-efa -p tcp --expect-domains 32: says what was counted"
json_true '.summary|startswith("FAIL: ")' "no-efa -p tcp --expect-domains 32: FAIL verdict"

# The sysroot may be relative, and may end in a slash.
(cd "$FX" && EFADIAG_SYSROOT=p4d-healthy/ run info -p tcp -j)
json_is .host.efa_devices 4 "relative EFADIAG_SYSROOT with a trailing slash"
(cd "$FX" && EFADIAG_SYSROOT=/ run info -p tcp -j)
json_is .host.sysroot / "EFADIAG_SYSROOT=/ is the real root"

done_testing
