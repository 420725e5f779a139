#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Nothing libfabric does while info lists domains (abort, crash, hang) takes info down: it
# reports what happened as a failed check and prints every other check. The variables that make
# the efa provider abort inside fi_getinfo fail the environment check, and the commands that
# open endpoints refuse them (exit 3) before calling fi_getinfo.
# A test-only LD_PRELOAD shim (tests/fi-fault.c) makes fi_getinfo die on demand, so this runs
# on any libfabric; with libfabric >= 1.18 and its efa provider, the real abort is tested too.
# shellcheck source=lib.sh source-path=SCRIPTDIR disable=SC2016 # jq filters are single-quoted
. "$(dirname "$0")/lib.sh"

for v in $(compgen -e | grep -E '^(FI|RDMAV|IBV)_'); do
	diag "unsetting $v for the test"
	unset "$v"
done
SHIM=${EFADIAG_TEST_SHIM:-$(dirname "$EFADIAG")/tests/fi-fault.so}
# ASan wants its runtime first among the loaded libraries; the shim comes before it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

check_is() { # check_is NAME STATUS DESCRIPTION
	json_is ".checks[] | select(.name == \"$1\") | .status" "$2" "$3: check $1 is $2"
}
check_like() { # check_like NAME REGEX DESCRIPTION
	json_true ".checks[] | select(.name == \"$1\") | .detail | test(\"$2\")" "$3: $1 detail"
}

if ! has_provider tcp; then
	echo "1..0 # SKIP no tcp provider"
	exit 0
fi
run info -p tcp --json
is_rc 0 "info -p tcp, nothing injected"
NCHECKS=$(jq '.checks | length' <"$TMPD/out")
LF_VERSION=$(jq -r '.host.libfabric_version' <"$TMPD/out")
diag "libfabric $LF_VERSION, $NCHECKS checks"
MAJOR=${LF_VERSION%%.*} MINOR=${LF_VERSION#*.}
# at_least MAJOR MINOR: 1 when the libfabric loaded is that version or later, else 0.
at_least() {
	if [ "$MAJOR" -gt "$1" ] || { [ "$MAJOR" -eq "$1" ] && [ "$MINOR" -ge "$2" ]; }; then
		echo 1
	else
		echo 0
	fi
}
AT_LEAST_1_14=$(at_least 1 14) AT_LEAST_1_18=$(at_least 1 18) AT_LEAST_1_19=$(at_least 1 19)
AT_LEAST_1_20=$(at_least 1 20) AT_LEAST_2_0=$(at_least 2 0)
# A variable the efa provider of this libfabric aborts on when it loads: FI_EFA_TX_MIN_CREDITS
# of 0 from 1.18 (1.17 set its default instead), FI_EFA_SHM_MAX_MEDIUM_SIZE from 1.14 to 1.19.
if [ "$AT_LEAST_1_18" = 1 ]; then
	REFUSE=FI_EFA_TX_MIN_CREDITS=0 REFUSE_WHY="the efa provider aborts when it is 0 or less"
else
	REFUSE=FI_EFA_SHM_MAX_MEDIUM_SIZE=1 REFUSE_WHY="the efa provider aborts when it is set"
fi

# --- libfabric dies in the listing (the shim) -----------------------------------------------
if [ -f "$SHIM" ]; then
	for c in "abort|aborted while listing providers \\\\(signal 6, SIGABRT\\\\)" \
		"segv|crashed \\\\(signal 11, SIGSEGV\\\\) while listing providers" \
		"exit|exited \\\\(status 0\\\\) while listing providers, without an answer"; do
		mode=${c%%|*} want=${c#*|}
		EFADIAG_TEST_FI_GETINFO=$mode LD_PRELOAD=$SHIM run info -p tcp --json
		is_rc 1 "fi_getinfo $mode: info fails a check"
		json_is .status fail "fi_getinfo $mode: status fail, one JSON document"
		check_is provider fail "fi_getinfo $mode"
		check_like provider "^libfabric $want" "fi_getinfo $mode"
		json_is '.checks | length' "$NCHECKS" "fi_getinfo $mode: every other check is there"
		check_is environment pass "fi_getinfo $mode"
		json_is '.domains | length' 0 "fi_getinfo $mode: no domains listed"
		json_true '.host.libfabric_version | length > 0' "fi_getinfo $mode: host facts"
	done

	# A hang is bounded by -t.
	start=$(date +%s.%N)
	# timeout: an efadiag without the bound would hang the test.
	EFADIAG_TEST_FI_GETINFO=hang LD_PRELOAD=$SHIM timeout -s KILL 10 "$EFADIAG" info -p tcp \
		--json -t 1 >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	took=$(echo "$(date +%s.%N) - $start" | bc)
	is_rc 1 "fi_getinfo hangs: info fails a check"
	check_like provider '^libfabric hung while listing providers \\(no answer within 1.0 s' \
		"fi_getinfo hangs"
	json_is '.checks | length' "$NCHECKS" "fi_getinfo hangs: every other check is there"
	[ "$(echo "$took < 4" | bc)" = 1 ]
	ok $? "fi_getinfo hangs: info ends within -t 1 and a margin (took ${took} s)"

	# Text: the table and the verdict still come.
	EFADIAG_TEST_FI_GETINFO=abort LD_PRELOAD=$SHIM run info -p tcp
	is_rc 1 "fi_getinfo aborts, text"
	like "$OUT" "provider +libfabric aborted while listing providers" "text: the provider row"
	like "$OUT" "environment +no FI_" "text: the environment row"
	like "$OUT" "^FAIL: provider: [0-9]+ passed, 0 warned, 1 failed" "text: the verdict"

	# The listing stands when libfabric dies only later, opening an endpoint for info's
	# OPENS column (efa aborts there on some FI_EFA_* values): the entries are listed, their
	# open not checked, and the provider check passes.
	EFADIAG_TEST_FI_GETINFO=abort-later LD_PRELOAD=$SHIM run info -p tcp --json
	json_true '.domains | length > 0' "an endpoint open aborts: the listing stands"
	json_true 'all(.domains[]; (has("opens") | not) and (.open_error | test("not checked: libfabric died of signal 6")))' \
		"an endpoint open aborts: the opens say why they were not checked"
	check_like provider "^tcp: [0-9]+ RDM domain" "an endpoint open aborts: the provider check passes"

	# The endpoint commands refuse a fatal variable before any fi_getinfo: with the shim set
	# to abort, calling it would end in SIGABRT (134), not exit 3.
	for cmd in "pingpong --loopback" "bw --loopback" "sg-check --loopback" \
		"serve -P 0" "pingpong -P 0"; do
		# shellcheck disable=SC2086
		env "$REFUSE" EFADIAG_TEST_FI_GETINFO=abort LD_PRELOAD="$SHIM" \
			"$EFADIAG" $cmd -p tcp -t 2 --json >"$TMPD/out" 2>"$TMPD/err"
		RC=$?
		is_rc 3 "$cmd, $REFUSE: refused before fi_getinfo"
		json_true ".error.message | test(\"^libfabric would abort on this environment: $REFUSE: $REFUSE_WHY\")" \
			"$cmd, $REFUSE: the reason and the fix"
	done
else
	skip "fi_getinfo dies in the listing" "no shim at $SHIM (make tests/fi-fault.so)"
fi

# --- the efa provider's fatal variables -----------------------------------------------------
# Whether the efa provider is in the loaded libfabric: then it really aborts on these.
EFA_BUILT=0
if [ "$AT_LEAST_1_18" = 1 ]; then
	FI_EFA_MTU_SIZE=9000 run info -p tcp --json
	jq -e '.checks[] | select(.name == "provider") | .detail | test("aborted")' \
		<"$TMPD/out" >/dev/null && EFA_BUILT=1
fi
diag "efa provider aborts here: $EFA_BUILT"

fatal() { # fatal VAR=VALUE FATAL(0|1) WHY_REGEX
	local var=$1 want=$2 why=$3
	env "$var" "$EFADIAG" info -p tcp --json >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	if [ "$want" = 1 ]; then
		is_rc 1 "info, $var (libfabric $LF_VERSION): fails"
		check_is environment fail "$var"
		check_like environment "^${var%%=*}=${var#*=}: $why" "$var"
		if [ "$EFA_BUILT" = 1 ]; then
			check_like provider "^libfabric aborted while listing providers .*: ${var%%=*}=" \
				"$var, the efa provider aborted: the provider check names the cause"
		fi
		json_is '.checks | length' "$NCHECKS" "$var: every check is there"
		env "$var" "$EFADIAG" pingpong --loopback -p tcp -t 2 >"$TMPD/out" 2>"$TMPD/err"
		RC=$?
		is_rc 3 "pingpong --loopback, $var: refused"
		like "$(cat "$TMPD/err")" "libfabric would abort on this environment: ${var%%=*}=" \
			"pingpong --loopback, $var: says why"
	else
		is_rc 0 "info, $var (libfabric $LF_VERSION): not fatal"
		json_true '.checks[] | select(.name == "environment") | .status != "fail"' \
			"$var: environment does not fail"
	fi
}
# The versions: rdm/rxr_env.c v1.18.0 (MTU, TX_MIN_CREDITS), efa_env.c v1.19.0 (IOV limits),
# rxr_init.c v1.14.0 to efa_env.c v1.19.0 (SHM_MAX_MEDIUM_SIZE; v1.20.0 only logs it).
SHM_FATAL=0
[ "$AT_LEAST_1_14" = 1 ] && [ "$AT_LEAST_1_20" = 0 ] && SHM_FATAL=1
fatal FI_EFA_MTU_SIZE=9000 "$AT_LEAST_1_18" "the efa provider aborts when it is set"
fatal FI_EFA_TX_IOV_LIMIT=2 "$AT_LEAST_1_19" "the efa provider aborts when it is set"
fatal FI_EFA_RX_IOV_LIMIT= "$AT_LEAST_1_19" "the efa provider aborts when it is set"
fatal FI_EFA_SHM_MAX_MEDIUM_SIZE=1 "$SHM_FATAL" "the efa provider aborts when it is set"
fatal FI_EFA_TX_MIN_CREDITS=0 "$AT_LEAST_1_18" "the efa provider aborts when it is 0 or less"
fatal FI_EFA_TX_MIN_CREDITS=-3 "$AT_LEAST_1_18" "the efa provider aborts when it is 0 or less"
fatal FI_EFA_TX_MIN_CREDITS=32 0 ""
fatal FI_EFA_IFACE= "$AT_LEAST_2_0" "the efa provider aborts when it is empty"
fatal FI_EFA_IFACE=all 0 ""

done_testing
