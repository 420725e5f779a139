# SPDX-License-Identifier: MIT
# Two hosts on one machine: network namespaces joined by a veth pair, created and removed by
# the test itself. Traffic stays between the namespaces. Sourced after tests/lib.sh.

# Names of this script's own: its name and pid, so scripts running side by side (make -j, or
# another checkout's suite) never share a namespace; ports inside them are private too.
NS_A="efd-$(basename "$0" .sh)-A$$"
NS_B="efd-$(basename "$0" .sh)-B$$"
# Documentation range (RFC 5737): no real host has it, and it exists only inside our veth.
IP_A=198.51.100.1
IP_B=198.51.100.2

netns_cleanup() {
	ip netns pids "$NS_A" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns pids "$NS_B" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	return 0
}

# netns_setup: returns non-zero with $NETNS_WHY set when namespaces cannot be made here.
netns_setup() {
	if [ "$(id -u)" -ne 0 ]; then
		NETNS_WHY="needs root to create network namespaces"
		return 1
	fi
	if ! command -v ip >/dev/null 2>&1 || ! command -v nft >/dev/null 2>&1; then
		NETNS_WHY="needs iproute2 and nftables"
		return 1
	fi
	trap 'lib_cleanup; netns_cleanup' EXIT
	# A namespace of this name can only be left over from a dead process that had our pid.
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	if ! ip netns add "$NS_A" 2>/dev/null || ! ip netns add "$NS_B" 2>/dev/null; then
		NETNS_WHY="ip netns add failed (no CAP_SYS_ADMIN or no netns support)"
		netns_cleanup
		return 1
	fi
	ip link add "va$$" netns "$NS_A" type veth peer name "vb$$" netns "$NS_B" &&
	ip -n "$NS_A" addr add "$IP_A/24" dev "va$$" &&
	ip -n "$NS_B" addr add "$IP_B/24" dev "vb$$" &&
	ip -n "$NS_A" link set "va$$" up && ip -n "$NS_B" link set "vb$$" up &&
	ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up || {
		NETNS_WHY="could not set up the veth pair"
		netns_cleanup
		return 1
	}
	# NETNS_OTHER_A=1: host A gets another network listed first (203.0.113.1/24 on a veth pair of its
	# own), so a domain choice that ignores the peer's subnet would pick the wrong interface.
	if [ "${NETNS_OTHER_A:-0}" = 1 ]; then
		ip -n "$NS_A" link add "oa$$" type veth peer name "ob$$" &&
		ip -n "$NS_A" addr add 203.0.113.1/24 dev "oa$$" &&
		ip -n "$NS_A" link set "oa$$" up && ip -n "$NS_A" link set "ob$$" up || {
			NETNS_WHY="could not add a second link"
			netns_cleanup
			return 1
		}
	fi
	# NETNS_SECOND=1: a second veth pair between the hosts, on 203.0.113.0/24 (two NICs each).
	if [ "${NETNS_SECOND:-0}" = 1 ]; then
		ip link add "wa$$" netns "$NS_A" type veth peer name "wb$$" netns "$NS_B" &&
		ip -n "$NS_A" addr add 203.0.113.1/24 dev "wa$$" &&
		ip -n "$NS_B" addr add 203.0.113.2/24 dev "wb$$" &&
		ip -n "$NS_A" link set "wa$$" up && ip -n "$NS_B" link set "wb$$" up || {
			NETNS_WHY="could not add the second veth pair"
			netns_cleanup
			return 1
		}
	fi
	# Bounded wait (5 s) for both ends to be up: libfabric lists only running interfaces.
	for _ in $(seq 50); do
		ip -n "$NS_A" -br link show "va$$" | awk '$2 == "UP" {f=1} END {exit !f}' &&
			ip -n "$NS_B" -br link show "vb$$" | awk '$2 == "UP" {f=1} END {exit !f}' &&
			{ [ "${NETNS_SECOND:-0}" != 1 ] ||
			  { ip -n "$NS_A" -br link show "wa$$" | awk '$2 == "UP" {f=1} END {exit !f}' &&
			    ip -n "$NS_B" -br link show "wb$$" | awk '$2 == "UP" {f=1} END {exit !f}'; }; } && return 0
		sleep 0.1
	done
	NETNS_WHY="the veth pair did not come up"
	netns_cleanup
	return 1
}

# in_a CMD... / in_b CMD...: run a command inside host A / host B.
in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# sg_block NS DIRECTION PORT: plays a stateful security group in NS with nftables: drops new
# inbound (DIRECTION=in) or outbound (out) traffic except TCP port PORT (the control channel).
sg_block() {
	local ns=$1 dir=$2 port=$3 hook
	[ "$dir" = in ] && hook=input || hook=output
	ip netns exec "$ns" nft -f - <<NFT
table inet sg {
	chain $hook {
		type filter hook $hook priority 0; policy accept;
		ct state established,related accept
		tcp dport $port accept
		tcp sport $port accept
		$( [ "$dir" = in ] && echo "iifname lo accept" || echo "oifname lo accept" )
		drop
	}
}
NFT
}

sg_clear() { ip netns exec "$1" nft delete table inet sg 2>/dev/null; return 0; }
