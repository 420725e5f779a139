#!/bin/bash
# SPDX-License-Identifier: MIT
# An ssh stand-in for tests/mesh-hosts.sh: the "hosts" are network namespaces on this machine.
# Open MPI's mpirun launches its daemon on every remote host of -H through its rsh agent,
# as 'AGENT [plm_rsh_args] HOST COMMAND...' (Open MPI 4.1: --mca plm_rsh_agent, plm_rsh_args,
# as ompi_info --all lists them; PRRTE, Open MPI 5: --prtemca plm_ssh_agent, plm_ssh_args, the
# "agent" and "args" of the ssh component, openpmix/prrte src/mca/plm/ssh/plm_ssh_component.c;
# only the first is run here). Like ssh, this one runs COMMAND
# through a shell on HOST, that is: in HOST's network namespace, in a UTS namespace of its
# own whose host name is HOST's, with a clean environment (ssh passes none of the caller's).
#
#   mesh-rsh-agent.sh -F MAP [-x] [-o OPTION]... HOST COMMAND...
#
# MAP (ssh's -F: the agent's configuration, its /etc/hosts): one host a line,
#   NAME ADDRESS NETNS
# HOST is a NAME or an ADDRESS. As ssh does, the agent exits 255 with ssh's words when HOST
# is unknown ("Could not resolve hostname") or its machine is not there (its namespace is
# gone: "No route to host").
map=""
while [ $# -gt 0 ]; do
	case $1 in
	-F) map=$2; shift 2 ;;
	-o | -l | -p | -i) shift 2 ;; # ssh options Open MPI or a user may add: no meaning here
	-[a-zA-Z]*) shift ;;
	*) break ;;
	esac
done
if [ -z "$map" ] || [ ! -r "$map" ] || [ $# -lt 2 ]; then
	echo "usage: mesh-rsh-agent.sh -F MAP HOST COMMAND..." >&2
	exit 255
fi
host=$1
shift
line=$(awk -v h="$host" '$1 == h || $2 == h { print; exit }' "$map")
if [ -z "$line" ]; then
	echo "ssh: Could not resolve hostname $host: Name or service not known" >&2
	exit 255
fi
read -r name addr ns <<<"$line"
if ! ip netns list 2>/dev/null | grep -q "^$ns\b"; then
	echo "ssh: connect to host $host ($addr) port 22: No route to host" >&2
	exit 255
fi
# ssh gives the joined words to the remote user's shell, in a fresh environment; the
# sanitizers' settings go along, as ssh's SendEnv/AcceptEnv would pass them (the ASan suite's
# leak suppressions for libpmix: without them every rank exits 1 on PMIx's own leaks).
exec ip netns exec "$ns" unshare --uts /bin/sh -c 'hostname "$1" && cd /tmp &&
	exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="${HOME:-/root}" SHELL=/bin/sh \
		${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
		${LSAN_OPTIONS:+LSAN_OPTIONS="$LSAN_OPTIONS"} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
		${TSAN_OPTIONS:+TSAN_OPTIONS="$TSAN_OPTIONS"} /bin/sh -c "$2"' sh "$name" "$*"
