#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# efadiag info against the libfabric providers of this machine (tcp, shm, and the layered and
# software ones when present), cross-checked with fi_info; and a provider that does not exist.
# shellcheck source=lib.sh source-path=SCRIPTDIR disable=SC2016 # jq filters are single-quoted
. "$(dirname "$0")/lib.sh"

for v in $(compgen -e | grep -E '^(FI|RDMAV|IBV)_'); do
	diag "unsetting $v for the test"
	unset "$v"
done

# A host without EFA, for runs whose exit code must not depend on this machine's devices.
NOEFA=$FIXTURES/no-efa
HAVE_FI_INFO=0
command -v fi_info >/dev/null 2>&1 && HAVE_FI_INFO=1

# fi_tuples PROV: "provider|fabric|domain|version|type|protocol" lines fi_info gives for PROV.
fi_tuples() {
	fi_info -p "$1" -t FI_EP_RDM 2>/dev/null | awk '
		/^provider:/ { p = $2 }
		/^ +fabric:/ { f = $2 }
		/^ +domain:/ { d = $2 }
		/^ +version:/ { v = $2 }
		/^ +type:/ { t = $2; sub(/^FI_EP_/, "", t) }
		/^ +protocol:/ { pr = $2; sub(/^FI_PROTO_/, "", pr)
			print p "|" f "|" d "|" v "|" tolower(t) "|" tolower(pr) }' | sort -u
}

# fi_version_of PROV: the version "fi_info -l" lists for PROV.
fi_version_of() {
	fi_info -l 2>/dev/null | awk -v p="$1:" '$1 == p { getline; print $2; exit }'
}

# provider_tests PROV: efadiag info -p PROV on this machine and on a host without EFA.
provider_tests() {
	local p=$1 n want extra

	run info -p "$p" -j
	contract_keys "-p $p"
	json_is .command info "-p $p: command is info"
	json_true '.status|IN("ok","fail")' "-p $p: ran (status ok or fail, not error)"
	json_true "(.status == \"ok\") == ($RC == 0) and (.status == \"fail\") == ($RC == 1)" \
		"-p $p: exit code $RC matches the status"
	json_true '(.status == "fail") == ([.checks[]|select(.status == "fail")]|length > 0)' \
		"-p $p: status fail exactly when a check failed"
	json_true '(.domains|length) > 0' "-p $p: lists domains"
	json_true 'all(.domains[]; all(.provider, .fabric, .domain, .version, .type, .protocol;
		type == "string" and length > 0))' \
		"-p $p: every domain has provider, fabric, domain, version, type, protocol"
	json_true 'all(.domains[]; .type == "rdm" and (.version|test("^[0-9]+\\.[0-9]+$")))' \
		"-p $p: FI_EP_RDM domains with a MAJOR.MINOR version"
	json_true "all(.domains[]; (.provider|split(\";\")) as \$have |
		all(\"$p\"|split(\";\")[]; IN(\$have[])))" "-p $p: every domain is of provider $p"
	json_true '[.domains[]|[.provider, .fabric, .domain]]|length == (unique|length)' \
		"-p $p: each provider/fabric/domain listed once"
	json_true 'all(.domains[]; (.caps|type == "array") and
		all(.caps[]; IN("MSG", "TAGGED", "RMA", "HMEM")) and
		(.max_msg_size_bytes|type == "number" and . > 0) and
		(.inject_size_bytes|type == "number") and (.mr_mode|type == "string"))' \
		"-p $p: caps, max_msg_size, inject_size, mr_mode"
	json_true 'all(.domains[]; has("device")|not)' "-p $p: no domain matched to an EFA device"
	n=$(jq '.domains|length' <"$TMPD/out")
	want="$p: $n RDM domain"
	[ "$n" -eq 1 ] || want="${want}s"
	json_is '[.checks[]|select(.name == "provider")|"\(.status) \(.detail)"]|join(",")' \
		"pass $want" "-p $p: provider check passes and counts $n domains"
	if [ $HAVE_FI_INFO = 1 ]; then
		jq -r '.domains[]|[.provider, .fabric, .domain, .version, .type, .protocol]|join("|")' \
			<"$TMPD/out" | sort -u >"$TMPD/efadiag-tuples"
		fi_tuples "$p" >"$TMPD/fi-tuples"
		extra=$(comm -23 "$TMPD/efadiag-tuples" "$TMPD/fi-tuples")
		[ -s "$TMPD/efadiag-tuples" ] && [ -z "$extra" ]
		ok $? "-p $p: every domain row is one fi_info -p '$p' -t FI_EP_RDM shows"
		[ -z "$extra" ] || diag "only in efadiag: $(printf '%s' "$extra" | head -3 | tr '\n' ' ')"
	else
		skip "-p $p: domains match fi_info" "fi_info is not installed"
	fi

	EFADIAG_SYSROOT=$NOEFA run info -p "$p" -j
	is_rc 0 "-p $p on a host without EFA: nothing fails"
	json_is .status ok "-p $p on a host without EFA: status ok"
	json_true "(.domains|length) == $n" "-p $p on a host without EFA: the same $n domains"

	EFADIAG_SYSROOT=$NOEFA run info -p "$p"
	is_rc 0 "-p $p text"
	like "$OUT" "^RDM domains \\(provider $p\\)\$" "-p $p text: domains table title"
	like "$OUT" '^PROVIDER +FABRIC +DOMAIN +VERSION +TYPE +PROTOCOL ' "-p $p text: header"
	[ "$(printf '%s\n' "$OUT" | awk '/^PROVIDER +FABRIC/ { on = 1; next }
		on && /^$/ { exit } on { n++ } END { print n + 0 }')" = "$n" ]
	ok $? "-p $p text: one table row per domain ($n)"
	like "$(printf '%s\n' "$OUT" | tail -n 1)" '^OK: [0-9]+ passed, 0 warned, 0 failed' \
		"-p $p text: OK verdict"
}

for p in tcp shm; do
	if has_provider "$p"; then
		provider_tests "$p"
	else
		skip "-p $p" "libfabric here has no FI_EP_RDM $p provider"
	fi
done
for p in 'tcp;ofi_rxm' 'udp;ofi_rxd' net sockets; do
	if has_provider "$p"; then
		provider_tests "$p"
	else
		skip "-p $p" "not offered by this libfabric"
	fi
done

# A core provider's version is the one fi_info -l lists.
if has_provider shm && [ $HAVE_FI_INFO = 1 ]; then
	run info -p shm -j
	json_is '[.domains[].version]|unique|join(",")' "$(fi_version_of shm)" \
		"-p shm: version as fi_info -l lists it"
else
	skip "-p shm: version as fi_info -l lists it" "no shm provider or fi_info"
fi

# A name libfabric does not know: the provider check fails with a hint, exit 1 (not 3).
for root in "" "$FIXTURES/p4d-healthy"; do
	where=${root:+ on p4d-healthy}
	EFADIAG_SYSROOT=$root run info -p nosuchprov -j
	is_rc 1 "-p nosuchprov$where: a failed check"
	contract_keys "-p nosuchprov$where"
	json_is .status fail "-p nosuchprov$where: status fail"
	json_is '.domains|length' 0 "-p nosuchprov$where: no domains"
	json_is '.checks[]|select(.name == "provider")|.status' fail \
		"-p nosuchprov$where: provider check fails"
	like "$(jq -r '.checks[]|select(.name == "provider")|.detail' <"$TMPD/out")" \
		"^no FI_EP_RDM domain for provider nosuchprov: check the provider name with 'fi_info -l'" \
		"-p nosuchprov$where: detail names the fix"
done
EFADIAG_SYSROOT=$NOEFA run info -p nosuchprov
is_rc 1 "-p nosuchprov text"
like "$OUT" '^fail +provider +no FI_EP_RDM domain for provider nosuchprov' \
	"-p nosuchprov text: provider row"
like "$(printf '%s\n' "$OUT" | grep -v '^Fix: ' | tail -n 1)" '^FAIL: provider: [0-9]+ passed, [0-9]+ warned, [1-9][0-9]* failed' \
	"-p nosuchprov text: FAIL verdict"

# The default provider is efa.
run info -j
if has_provider efa; then
	json_true '[.domains[].provider]|all(startswith("efa"))' "default provider: efa domains"
else
	is_rc 1 "default provider efa, absent here"
	json_is '.checks[]|select(.name == "provider")|.detail|startswith("no FI_EP_RDM domain for provider efa")' \
		true "default provider is efa"
fi

run info -p '' -j
is_rc 2 "-p '': usage error"
json_is .status error "-p '': JSON status error"

done_testing
