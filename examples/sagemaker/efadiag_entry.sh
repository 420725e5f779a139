#!/bin/bash
# SPDX-License-Identifier: MIT
# efadiag mesh as a SageMaker training job: the container's entry point, run by every host of
# the job. The first host of "hosts" in /opt/ml/input/config/resourceconfig.json (the head)
# runs 'mpirun -H' over all hosts, one efadiag rank each; the others wait until the head's
# mpirun has come and gone. The head's exit status is mesh's (0 pass, 1 a bad node or link,
# 3 could not run; 2 a bad resourceconfig.json), its JSON in $EFADIAG_OUT.
#
# SageMaker: resourceconfig.json's current_host, hosts (sorted lexicographically) and
# network_interface_name (SageMaker Developer Guide, "How Amazon SageMaker AI Provides
# Training Information", Distributed Training Configuration); ranks started over ssh with
# sshd in every container, and workers that wait for the head's daemon (orted) to come and
# go, as aws/sagemaker-training-toolkit's src/sagemaker_training/mpi.py does.
#
# The container needs: efadiag built with PMIx, the mpirun of the same PMIx (Debian/Ubuntu:
# openmpi-bin with libpmix-dev), jq, openssh-server, and root's ssh key accepted by every
# container (the toolkit's mpi.py says how); the EFA devices come with an EFA instance type.
#
# Environment (all optional):
#   EFADIAG                 efadiag binary (default: efadiag on PATH)
#   EFADIAG_HOSTS_TOOL      examples/efadiag-hosts (default: next to this script, or one up)
#   EFADIAG_RESOURCECONFIG  default /opt/ml/input/config/resourceconfig.json
#   EFADIAG_OUT             mesh's JSON (default /opt/ml/model/efadiag-mesh.json)
#   EFADIAG_MESH_ARGS       more mesh options, e.g. "-t 5 --min-gbps 50"
#   EFADIAG_MPIRUN_OPTS     more mpirun options (e.g. an rsh agent; tests/mesh-hosts.sh)
#   EFADIAG_WAIT_SEC        bound on every wait: the hosts' sshd, mpirun (--timeout), the
#                           workers' wait (default 600)
#   EFADIAG_SSH_WAIT        0: the head does not wait for the hosts' port 22 (default 1)
#   EFADIAG_SSHD            0: sshd is not started here (default 1: started unless running)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# A rank (mpirun runs 'efadiag_entry.sh --rank EFADIAG mesh ...' on every host): mesh names
# this node by its current_host, the name in the -H list, which the container's own host name
# need not be (the guide: do not use /etc/hostname).
if [ "${1:-}" = --rank ]; then
	shift
	name=$(jq -r '.current_host // empty' "${EFADIAG_RESOURCECONFIG:-/opt/ml/input/config/resourceconfig.json}" 2>/dev/null)
	[ -z "$name" ] || export EFADIAG_NODE_NAME="$name"
	exec "$@"
fi
EFADIAG=${EFADIAG:-efadiag}
tool=${EFADIAG_HOSTS_TOOL:-}
if [ -z "$tool" ]; then
	for tool in "$here/efadiag-hosts" "$here/../efadiag-hosts"; do [ -x "$tool" ] && break; done
fi
config=${EFADIAG_RESOURCECONFIG:-/opt/ml/input/config/resourceconfig.json}
out=${EFADIAG_OUT:-/opt/ml/model/efadiag-mesh.json}
wait_sec=${EFADIAG_WAIT_SEC:-600}
say() { echo "efadiag_entry: $*" >&2; }

vars=$("$tool" sagemaker "$config") || exit 2
eval "$vars"
iface=$(jq -r '.network_interface_name // empty' "$config")
say "$(jq -r .current_host "$config"): hosts $EFADIAG_HOSTS, head $EFADIAG_HEAD"

# Every container serves ssh: the head's mpirun starts its daemon on each host through it.
if [ "${EFADIAG_SSHD:-1}" != 0 ] && [ -x /usr/sbin/sshd ] && ! pgrep -x sshd >/dev/null; then
	{ mkdir -p /run/sshd && /usr/sbin/sshd; } || say "sshd did not start"
fi

if [ "$EFADIAG_IS_HEAD" != 1 ]; then
	# A worker: the head's daemon on this host (orted; prted under PRRTE) comes, then goes.
	deadline=$((SECONDS + wait_sec))
	until pgrep -x orted >/dev/null || pgrep -x prted >/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || { say "no mpirun daemon came within ${wait_sec} s"; exit 3; }
		sleep 1
	done
	while pgrep -x orted >/dev/null || pgrep -x prted >/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || { say "the mpirun daemon still runs after ${wait_sec} s"; exit 3; }
		sleep 1
	done
	exit 0
fi

# The head: every host's sshd answers (names may resolve late, the guide says), then mpirun.
if [ "${EFADIAG_SSH_WAIT:-1}" != 0 ]; then
	deadline=$((SECONDS + wait_sec))
	for h in ${EFADIAG_HOSTS//,/ }; do
		[ "$h" = "$EFADIAG_HEAD" ] && continue
		until timeout 5 bash -c ">/dev/tcp/$h/22" 2>/dev/null; do
			[ "$SECONDS" -lt "$deadline" ] || { say "$h: port 22 did not answer within ${wait_sec} s"; exit 3; }
			sleep 2
		done
	done
fi
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2086 # the option strings are word lists
mpirun --allow-run-as-root --timeout "$wait_sec" --report-state-on-timeout \
	-H "$EFADIAG_HOSTS" -np "$EFADIAG_NHOSTS" --map-by ppr:1:node \
	${iface:+--mca oob_tcp_if_include "$iface"} ${EFADIAG_MPIRUN_OPTS:-} \
	"$here/$(basename "$0")" --rank "$EFADIAG" mesh --json ${EFADIAG_MESH_ARGS:-} >"$out"
rc=$?
if jq -e '.command == "mesh"' "$out" >/dev/null 2>&1; then
	say "mesh: exit $rc: $(jq -r '.summary // .error.message' "$out"); JSON in $out"
else
	say "mpirun: exit $rc, no mesh report (its errors are above)"
	[ "$rc" -ne 0 ] || rc=3
fi
exit "$rc"
