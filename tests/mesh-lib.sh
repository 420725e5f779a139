# SPDX-License-Identifier: MIT
# What the mesh tests share: N "nodes" in one network namespace the test creates (one veth
# interface each, 10.77.N.1/24), the wrapper that gives each rank its own interface, faults
# made with nftables, and a four-node Slurm cluster on this machine. Sourced after lib.sh.
#
# The launcher and every rank share the namespace: the PMIx server listens on 127.0.0.1
# there. Traffic between the nodes' addresses goes through its loopback, so the namespace's
# input hook sees every packet with the nodes' addresses: that is where the faults are.

MESH_NS="efd-mesh-$(basename "$0" .sh)$$"
MESH_N=0
MESH_PIDS="" # daemons this test started (Slurm, munge), killed by pid at the end

mesh_cleanup() {
	local pid
	for pid in $MESH_PIDS; do kill -9 "$pid" 2>/dev/null; done
	# Ranks left behind (a stopped one whose launcher went away) live in the namespace.
	ip netns pids "$MESH_NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$MESH_NS" 2>/dev/null
	return 0
}

mesh_skip() { # mesh_skip REASON: the whole script is skipped
	echo "1..0 # SKIP $1"
	echo "SKIP: $1" >&2
	exit 77
}

# mesh_require: root, ip, nft, a PMIx-built efadiag and the tcp provider, or a skip.
mesh_require() {
	[ "$(id -u)" -eq 0 ] || mesh_skip "needs root to create a network namespace"
	command -v ip >/dev/null 2>&1 && command -v nft >/dev/null 2>&1 ||
		mesh_skip "needs iproute2 and nftables"
	if "$EFADIAG" mesh 2>&1 | grep -q "built without PMIx"; then
		mesh_skip "efadiag was built without PMIx (install libpmix-dev, configure again)"
	fi
	has_provider tcp || mesh_skip "no tcp provider in this libfabric"
}

# mesh_netns N: the namespace with N nodes, and the rank wrapper $MESH_WRAP.
mesh_netns() {
	local i
	MESH_N=$1
	trap 'lib_cleanup; mesh_cleanup' EXIT
	ip netns del "$MESH_NS" 2>/dev/null
	ip netns add "$MESH_NS" 2>/dev/null || mesh_skip "ip netns add failed (no netns support?)"
	ip -n "$MESH_NS" link set lo up
	for i in $(seq "$MESH_N"); do
		ip -n "$MESH_NS" link add "m$i" type veth peer name "p$i" &&
			ip -n "$MESH_NS" addr add "10.77.$i.1/24" dev "m$i" &&
			ip -n "$MESH_NS" link set "m$i" up && ip -n "$MESH_NS" link set "p$i" up ||
			mesh_skip "could not set up the veth interfaces"
	done
	# Bounded wait (5 s): libfabric lists only running interfaces.
	for _ in $(seq 50); do
		[ "$(ip -n "$MESH_NS" -br link show up | grep -c '^m[0-9]')" -ge "$MESH_N" ] && break
		sleep 0.1
	done
	ip netns exec "$MESH_NS" nft -f - <<-NFT || mesh_skip "nft cannot add a table in the namespace"
		table inet efdmesh {
			chain in { type filter hook input priority 0; }
		}
	NFT
	# A rank's node: its Slurm node name (nN), else its PMIx rank + 1. MESH_STOP_RANK,
	# MESH_STOP_AT and MESH_STOP_FOR: that rank is stopped (SIGSTOP) MESH_STOP_AT seconds
	# after it starts, and continued MESH_STOP_FOR seconds later (or killed with the test).
	MESH_WRAP=$TMPD/mesh-rank.sh
	cat >"$MESH_WRAP" <<-EOF
		#!/bin/bash
		if [ -n "\$SLURMD_NODENAME" ]; then i=\${SLURMD_NODENAME#n}; else i=\$((PMIX_RANK + 1)); fi
		export FI_TCP_IFACE=m\$i
		if [ "\${MESH_STOP_RANK:--1}" = "\$PMIX_RANK" ]; then
			"$EFADIAG" "\$@" &
			pid=\$!
			sleep "\$MESH_STOP_AT"; kill -STOP \$pid
			sleep "\$MESH_STOP_FOR"; kill -CONT \$pid
			wait \$pid
			exit
		fi
		exec "$EFADIAG" "\$@"
	EOF
	chmod +x "$MESH_WRAP"
}

# The namespace's nft, for the faults below.
mesh_nft() { ip netns exec "$MESH_NS" nft "$@"; }
mesh_addr() { echo "10.77.$(($1 + 1)).1"; } # mesh_addr RANK (rank r is node r + 1)

mesh_fault_clear() { mesh_nft flush chain inet efdmesh in; }
# A dead node: nothing to or from its address.
mesh_fault_dead() {
	mesh_nft add rule inet efdmesh in ip saddr "$(mesh_addr "$1")" drop
	mesh_nft add rule inet efdmesh in ip daddr "$(mesh_addr "$1")" drop
}
# A bad link: nothing between two addresses, everything else passes.
mesh_fault_link() {
	local a b
	a=$(mesh_addr "$1")
	b=$(mesh_addr "$2")
	mesh_nft add rule inet efdmesh in ip saddr "$a" ip daddr "$b" drop
	mesh_nft add rule inet efdmesh in ip saddr "$b" ip daddr "$a" drop
}
# A weak node: its traffic above 10 MB/s each way is dropped.
mesh_fault_weak() {
	mesh_nft add rule inet efdmesh in ip saddr "$(mesh_addr "$1")" limit rate over ${MESH_WEAK_RATE:-10} mbytes/second drop
	mesh_nft add rule inet efdmesh in ip daddr "$(mesh_addr "$1")" limit rate over ${MESH_WEAK_RATE:-10} mbytes/second drop
}

# mesh_jq FILTER: the last run's JSON through jq (compact).
mesh_jq() { jq -c "$1" <"$TMPD/out" 2>/dev/null; }

# mesh_run_again_unless BAD_NODES BAD_LINKS [OPTIONS]: when the run just made did not name
# exactly these (JSON arrays; "[]" "[]" for a healthy run, which must also exit 0 with every
# pair ok: a pair slow on its retest but ok in its round passes unblamed, yet is no healthy
# run's picture), fresh runs
# more, two at most, each earlier one's result said. Ranks that share two loaded CPUs with
# everything else miss their slots: mesh then says it could not measure (exit 3, pairs not
# measured), which is honest but not the case's answer; a real fault shows on every run, so
# what the caller then asserts is unchanged, on the last run.
mesh_run_again_unless() {
	local nodes links want_nodes=$1 want_links=$2 try
	shift 2
	for try in 1 2; do
		nodes=$(mesh_jq '[.bad_nodes[]?.rank] | sort')
		links=$(mesh_jq '[.bad_links[]? | [.a, .b]] | sort')
		if [ "$nodes" = "$want_nodes" ] && [ "$links" = "$want_links" ] &&
			{ [ "$want_nodes$want_links" != "[][]" ] || { [ "$RC" -eq 0 ] &&
				[ "$(mesh_jq '[.pairs[]?.status] | unique')" = '["ok"]' ]; }; }; then
			return 0
		fi
		diag "a fresh run after: exit $RC, bad nodes $nodes, bad links $links," \
			"$(mesh_jq '.could_not_measure // empty')" \
			"pairs $(mesh_jq '[.pairs[]? | [.a, .b, .status, .bw_gbps, .detail]]')"
		mesh_run "$@"
	done
}

# mesh_check_case NAME BAD_NODES BAD_LINKS: exit 1 and exactly these bad nodes and links
# (JSON arrays of ranks and of [a,b] pairs), within the bound the caller measured.
mesh_check_case() {
	local nodes links
	nodes=$(mesh_jq '[.bad_nodes[]?.rank] | sort')
	links=$(mesh_jq '[.bad_links[]? | [.a, .b]] | sort')
	is_rc 1 "$1: the verdict is a failure"
	[ "$nodes" = "$2" ] && [ "$links" = "$3" ]
	ok $? "$1: names exactly bad nodes $2 and bad links $3"
	[ "$nodes" = "$2" ] && [ "$links" = "$3" ] ||
		diag "got bad nodes $nodes, bad links $links" \
			"pairs: $(mesh_jq '[.pairs[]? | [.a, .b, .status, .bw_gbps, .detail]]')"
}

# --- Slurm: slurmctld and one slurmd per node, in the namespace; munged with a key of ours ---

mesh_slurm_require() {
	local c
	for c in slurmctld slurmd srun sinfo munged nsenter unshare; do
		command -v "$c" >/dev/null 2>&1 || mesh_skip "needs $c (slurmctld, slurmd, slurm-client, munge)"
	done
	[ -e /usr/lib/x86_64-linux-gnu/slurm-wlm/mpi_pmix_v4.so ] ||
		ls /usr/lib/*/slurm*/mpi_pmix*.so >/dev/null 2>&1 ||
		mesh_skip "Slurm has no mpi/pmix plugin"
}

# mesh_slurm_start: the cluster up and every node idle (bounded: 40 s), or a skip.
mesh_slurm_start() {
	local d=$TMPD/slurm i nodes="" idle
	mkdir -p "$d/munge" "$d/state" "$d/log"
	chmod 0755 "$d" "$d/munge"
	dd if=/dev/urandom of="$d/munge.key" bs=1024 count=1 2>/dev/null
	chmod 0400 "$d/munge.key"
	munged -f --key-file="$d/munge.key" --socket="$d/munge/munge.socket" \
		--pid-file="$d/munged.pid" --log-file="$d/log/munged.log" \
		--seed-file="$d/munge.seed" --foreground >/dev/null 2>&1 &
	MESH_PIDS="$MESH_PIDS $!"
	for i in $(seq "$MESH_N"); do
		mkdir -p "$d/spool/n$i" "$d/tmp/n$i"
		# Slurm's own traffic goes over 127.0.0.1, the management network, untouched by
		# the faults on the nodes' fabric addresses.
		nodes="${nodes}NodeName=n$i NodeAddr=127.0.0.1 Port=$((6900 + i)) CPUs=1 State=UNKNOWN
"
	done
	cat >"$d/slurm.conf" <<-EOF
		ClusterName=efdmesh
		SlurmctldHost=localhost(127.0.0.1)
		SlurmctldPort=6817
		SlurmUser=root
		SlurmdUser=root
		AuthType=auth/munge
		AuthInfo=socket=$d/munge/munge.socket
		CredType=cred/munge
		StateSaveLocation=$d/state
		SlurmdSpoolDir=$d/spool/node
		SlurmctldPidFile=$d/slurmctld.pid
		SlurmdPidFile=$d/slurmd.%n.pid
		SlurmctldLogFile=$d/log/slurmctld.log
		SlurmdLogFile=$d/log/slurmd.%n.log
		ProctrackType=proctrack/linuxproc
		TaskPlugin=task/none
		SelectType=select/cons_tres
		SelectTypeParameters=CR_Core
		SchedulerType=sched/builtin
		MpiDefault=pmix
		SlurmdParameters=config_overrides
		TmpFS=$d/tmp/%n
		ReturnToService=2
		JobAcctGatherType=jobacct_gather/none
		AccountingStorageType=accounting_storage/none
		KillWait=2
		$nodes
		PartitionName=mesh Nodes=n[1-$MESH_N] Default=YES MaxTime=INFINITE State=UP
	EOF
	export SLURM_CONF=$d/slurm.conf
	for _ in $(seq 50); do [ -S "$d/munge/munge.socket" ] && break; sleep 0.1; done
	nsenter --net="/run/netns/$MESH_NS" slurmctld -D -i -f "$SLURM_CONF" >"$d/log/ctld.out" 2>&1 &
	MESH_PIDS="$MESH_PIDS $!"
	# Each slurmd sees its own spool directory at one path, in a mount namespace of its own:
	# Slurm's PMIx plugin asks a node's slurmd to forward to the step's socket at the
	# sender's SlurmdSpoolDir, unexpanded, so a %n in it would name no node's directory.
	mkdir -p "$d/spool/node"
	for i in $(seq "$MESH_N"); do
		unshare --mount --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
			sh "$d/spool/n$i" "$d/spool/node" nsenter --net="/run/netns/$MESH_NS" \
			slurmd -D -N "n$i" -f "$SLURM_CONF" >"$d/log/slurmd.n$i.out" 2>&1 &
		MESH_PIDS="$MESH_PIDS $!"
	done
	for _ in $(seq 80); do
		idle=$(nsenter --net="/run/netns/$MESH_NS" timeout 5 sinfo -h -N -o '%t' 2>/dev/null |
			grep -c '^idle')
		[ "$idle" = "$MESH_N" ] && return 0
		sleep 0.5
	done
	diag "slurm did not come up: $(tail -n 5 "$d"/log/*.log 2>/dev/null | tail -c 1500)"
	mesh_skip "the Slurm cluster did not come up within 40 s"
}
