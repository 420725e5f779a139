#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A test command on a node whose provider offers nothing (no EFA here, or a name libfabric
# does not know) says why in info's words and how to test without EFA, not "fi_getinfo: No
# data available"; exit 3 (could not run), one document under --json with the remedy.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# The efa provider must be absent for the first cases: a machine with EFA has it.
if "$EFADIAG" info -j 2>/dev/null | jq -e '.domains|length>0' >/dev/null 2>&1; then
	skip "no-EFA wording" "this node has the efa provider"
else
	export EFADIAG_SYSROOT=$FIXTURES/no-efa
	for cmd in pingpong bw sg-check; do
		run "$cmd" --loopback -t 10
		is_rc 3 "$cmd --loopback without EFA: could not run"
		like "$ERR" "provider efa offers no FI_EP_RDM endpoint on this node: no EFA device visible" \
			"$cmd: the cause in info's words"
		# The fix goes where each command prints its Fix line (sg-check: with its verdict).
		like "$OUT$ERR" "-p tcp .* -p shm" "$cmd: how to test without EFA"
		like "$OUT$ERR" "efadiag info" "$cmd: where to look next"
		printf '%s' "$ERR" | grep -q "No data available"
		ok $((!$?)) "$cmd: not libfabric's bare error"
		run "$cmd" --loopback -t 10 -j
		contract_keys "$cmd -j without EFA"
		json_true '.error.message | test("no EFA device visible")' "$cmd -j: the cause"
		json_true '.remedy | test("-p tcp")' "$cmd -j: the remedy"
	done
	# FI_PROVIDER that excludes efa is the cause info names first.
	FI_PROVIDER=tcp run pingpong --loopback -t 10
	like "$ERR" "FI_PROVIDER=tcp excludes it" "FI_PROVIDER excluding efa is named"
	unset EFADIAG_SYSROOT
fi

run pingpong --loopback -p nosuchprovider -t 10
is_rc 3 "an unknown provider: could not run"
like "$ERR" "provider nosuchprovider offers no FI_EP_RDM endpoint on this node: check the provider name with 'fi_info -l'" \
	"an unknown provider: names the check"
like "$OUT" "^Fix: .*efadiag info -p nosuchprovider" "an unknown provider: the next step, a Fix line on stdout"

done_testing
