#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test-only shim tests/efa-shape.so makes shm (or tcp) look like libfabric's efa provider of
# a chosen version: this checks that it does, with Debian's fi_info and tests/efa-shape-probe
# (a small libfabric client that lists for any hints, and sends one message between two
# endpoints), so the efadiag tests that run on it (tests/efa-shape.sh) rest on a checked stand-in.
# What it must show, from upstream libfabric (see tests/efa-shape.c for each source):
# 2.1 and later list every device's efa-direct entry before the efa ones; efa-direct's
# max_msg_size is the device's MTU for hints without FI_RMA and max_rdma_size with it; 2.6.0
# drops efa-direct when the hints ask a larger max_msg_size, 2.1 .. 2.5 keep it; an efa-direct
# send above the MTU completes in error (FI_EMSGSIZE, prov_errno 6), on efa it goes through.
# Extra fi_info binaries to check the listing with (a libfabric 2.x build, say) can be named in
# EFADIAG_TEST_FI_INFO (space-separated; each is run with its own libraries).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

for v in $(compgen -e | grep -E '^(FI|RDMAV|IBV|EFADIAG_TEST_EFA)_'); do
	diag "unsetting $v for the test"
	unset "$v"
done
BUILD=$(dirname "$EFADIAG")
SHIM=${EFADIAG_TEST_SHAPE_SHIM:-$BUILD/tests/efa-shape.so}
PROBE=$BUILD/tests/efa-shape-probe
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

if ! has_provider shm; then
	echo "1..0 # SKIP no shm provider"
	exit 0
fi
if [ ! -f "$SHIM" ] || [ ! -x "$PROBE" ]; then
	echo "1..0 # SKIP no $SHIM or $PROBE (make check builds them)"
	exit 0
fi

# shaped SHAPE CMD...: runs CMD under the shim with EFADIAG_TEST_EFA_SHAPE=SHAPE (and whatever
# EFADIAG_TEST_EFA_* the caller exported), stdout in $OUT, exit code in $RC.
shaped() {
	local shape=$1
	shift
	EFADIAG_TEST_EFA_SHAPE=$shape LD_PRELOAD=$SHIM timeout 60 "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	OUT=$(cat "$TMPD/out")
}

# is WANT GOT DESCRIPTION
is() {
	[ "$2" = "$1" ]
	ok $? "$3"
	[ "$2" = "$1" ] || diag "got:  $(printf '%s' "$2" | tr '\n' '|')" \
		"want: $(printf '%s' "$1" | tr '\n' '|')"
}

# probe_list SHAPE ARGS...: the probe's listing, as "fabric domain type max_msg_size rma" lines.
probe_list() {
	local shape=$1
	shift
	shaped "$shape" "$PROBE" list "$@"
	OUT=$(awk -F'\t' 'NF == 6 { print $1, $2, $4, $5, $6; next } { print }' <"$TMPD/out")
}

# fi_info_fabrics SHAPE [FI_INFO]: "fabric domain type" per entry of fi_info -p efa.
fi_info_fabrics() {
	shaped "$1" "${2:-fi_info}" -p efa
	OUT=$(awk '$1 == "fabric:" { f = $2 } $1 == "domain:" { d = $2 }
		$1 == "type:" { print f, d, $2 }' <"$TMPD/out")
}

U64=18446744073709551615
DIRECT2="efa-direct rdmap16s27-rdm FI_EP_RDM
efa-direct rdmap32s27-rdm FI_EP_RDM"
EFA2="efa rdmap16s27-rdm FI_EP_RDM
efa rdmap32s27-rdm FI_EP_RDM
efa rdmap16s27-dgrm FI_EP_DGRAM
efa rdmap32s27-dgrm FI_EP_DGRAM"

# --- inactive: no shape, nothing changes --------------------------------------------------
want=$(fi_info -p shm 2>&1)
got=$(LD_PRELOAD=$SHIM fi_info -p shm 2>&1)
is "$want" "$got" "no EFADIAG_TEST_EFA_SHAPE: fi_info -p shm is libfabric's own"
want=$(fi_info -p efa 2>&1)
got=$(LD_PRELOAD=$SHIM fi_info -p efa 2>&1)
is "$want" "$got" "no EFADIAG_TEST_EFA_SHAPE: fi_info -p efa is libfabric's own"
shaped 2.1 fi_info -p shm
is "$(fi_info -p shm 2>&1)" "$OUT" "shape 2.1: another provider (shm) passes through unchanged"

# --- order, fabric and domain names (fi_info) ----------------------------------------------
export EFADIAG_TEST_EFA_DEVICES=2
for fi in fi_info ${EFADIAG_TEST_FI_INFO:-}; do
	fi_info_fabrics 1.x "$fi"
	is "$EFA2" "$OUT" "$fi, shape 1.x, 2 devices: fabric efa only, RDM then DGRAM, rdmap<bus>s<slot>-rdm/-dgrm"
	fi_info_fabrics 2.1 "$fi"
	is "$DIRECT2
$EFA2" "$OUT" "$fi, shape 2.1: every efa-direct entry first, then efa RDM, then DGRAM"
	fi_info_fabrics 2.6 "$fi"
	is "$DIRECT2
$EFA2" "$OUT" "$fi, shape 2.6: the same order"
	shaped 2.6 "$fi" -p efa
	like "$OUT" "provider: efa" "$fi, shape 2.6: the provider is efa"
	# fi_info's hints have no FI_RMA: efa-direct gets the MTU, efa segments (UINT64_MAX).
	shaped 2.6 "$fi" -p efa -v
	got=$(awk '$1 == "max_msg_size:" { print $2 }' <"$TMPD/out" | tr '\n' ' ')
	is "8192 8192 $U64 $U64 8192 8192 " "$got" \
		"$fi -v, shape 2.6: max_msg_size MTU on efa-direct and DGRAM, UINT64_MAX on efa"
done
shaped 2.6 fi_info -l
is 1 "$(grep -c '^efa:$' <<<"$OUT")" "fi_info -l (provider attributes only): efa once, 2 devices or not"
unset EFADIAG_TEST_EFA_DEVICES
fi_info_fabrics 2.1
is "efa-direct rdmap16s27-rdm FI_EP_RDM
efa rdmap16s27-rdm FI_EP_RDM
efa rdmap16s27-dgrm FI_EP_DGRAM" "$OUT" "shape 2.1, one device by default"

# --- max_msg_size per hints (the probe) -----------------------------------------------------
for shape in 2.1 2.6; do
	probe_list $shape -c msg
	is "efa-direct rdmap16s27-rdm rdm 8192 0
efa rdmap16s27-rdm rdm $U64 0" "$OUT" "shape $shape, FI_MSG: efa-direct's max_msg_size is the MTU"
	probe_list $shape -c msg,rma
	is "efa-direct rdmap16s27-rdm rdm 1073741824 1
efa rdmap16s27-rdm rdm $U64 1" "$OUT" \
		"shape $shape, FI_MSG|FI_RMA: efa-direct's max_msg_size is max_rdma_size"
	probe_list $shape -c msg,tagged
	is "efa rdmap16s27-rdm rdm $U64 0" "$OUT" "shape $shape, FI_TAGGED: efa-direct has no tagged"
	probe_list $shape -c msg -m 8192
	is "efa-direct rdmap16s27-rdm rdm 8192 0
efa rdmap16s27-rdm rdm $U64 0" "$OUT" "shape $shape, max_msg_size hint 8192 (the MTU): both"
	probe_list $shape -c msg,rma -m 65536
	is "efa-direct rdmap16s27-rdm rdm 1073741824 1
efa rdmap16s27-rdm rdm $U64 1" "$OUT" \
		"shape $shape, FI_RMA and a 64 KiB max_msg_size hint: efa-direct stays"
done
probe_list 2.1 -c msg -m 65536
is "efa-direct rdmap16s27-rdm rdm 8192 0
efa rdmap16s27-rdm rdm $U64 0" "$OUT" \
	"shape 2.1, max_msg_size hint 64 KiB: efa-direct stays, with its 8192 limit"
probe_list 2.6 -c msg -m 65536
is "efa rdmap16s27-rdm rdm $U64 0" "$OUT" "shape 2.6, max_msg_size hint 64 KiB: efa-direct drops out"
probe_list 2.6 -c msg -m 8193 -f efa-direct
is "error -61 No data available" "$OUT" "shape 2.6, 8193 asked of efa-direct only: ENODATA"
probe_list 1.x -c msg -m 65536
is "efa rdmap16s27-rdm rdm $U64 0" "$OUT" "shape 1.x, max_msg_size hint 64 KiB: efa"
EFADIAG_TEST_EFA_MTU=4096 probe_list 2.6 -c msg
is "efa-direct rdmap16s27-rdm rdm 4096 0
efa rdmap16s27-rdm rdm $U64 0" "$OUT" "EFADIAG_TEST_EFA_MTU=4096: efa-direct's max_msg_size"

# Without unsolicited write recv, efa-direct serves FI_RMA only with FI_RX_CQ_DATA.
export EFADIAG_TEST_EFA_UNSOLICITED_WRITE_RECV=0
probe_list 2.6 -c msg,rma
is "efa rdmap16s27-rdm rdm $U64 1" "$OUT" "no unsolicited write recv, FI_RMA: efa-direct drops out"
probe_list 2.6 -c msg,rma -r
is "efa-direct rdmap16s27-rdm rdm 1073741824 1
efa rdmap16s27-rdm rdm $U64 1" "$OUT" "no unsolicited write recv, FI_RMA + FI_RX_CQ_DATA: it stays"
probe_list 2.6 -c msg
is "efa-direct rdmap16s27-rdm rdm 8192 0
efa rdmap16s27-rdm rdm $U64 0" "$OUT" "no unsolicited write recv, FI_MSG: efa-direct, without RMA"
unset EFADIAG_TEST_EFA_UNSOLICITED_WRITE_RECV

# --- fabric and domain name hints -----------------------------------------------------------
export EFADIAG_TEST_EFA_DEVICES=2
probe_list 2.1 -c msg -f efa-direct
is "efa-direct rdmap16s27-rdm rdm 8192 0
efa-direct rdmap32s27-rdm rdm 8192 0" "$OUT" "fabric hint efa-direct: its entries only"
# DGRAM needs mode FI_MSG_PREFIX, which the probe's hints (efadiag's) do not offer.
probe_list 2.1 -c msg -f efa -t unspec
is "efa rdmap16s27-rdm rdm $U64 0
efa rdmap32s27-rdm rdm $U64 0" "$OUT" "fabric hint efa, any type, no FI_MSG_PREFIX: efa RDM only"
probe_list 2.1 -c msg -f efa -t dgram
is "error -61 No data available" "$OUT" "fabric hint efa, DGRAM, no FI_MSG_PREFIX: ENODATA"
probe_list 2.1 -c msg -d rdmap32s27-rdm
is "efa-direct rdmap32s27-rdm rdm 8192 0
efa rdmap32s27-rdm rdm $U64 0" "$OUT" "domain hint rdmap32s27-rdm: that device's entries"
probe_list 2.1 -c msg -d rdmap48s27-rdm
is "error -61 No data available" "$OUT" "domain hint of no device: ENODATA"
probe_list 1.x -c msg -f efa-direct
is "error -61 No data available" "$OUT" "shape 1.x, fabric hint efa-direct: ENODATA"
unset EFADIAG_TEST_EFA_DEVICES
probe_list 2.6 -p "" -c msg
is "efa-direct rdmap16s27-rdm rdm 8192 0
efa rdmap16s27-rdm rdm $U64 0" "$(head -n2 <<<"$OUT")" "no provider named: the efa entries come first"
like "$(tail -n +3 <<<"$OUT")" "^shm shm rdm" "no provider named: libfabric's own entries follow"
shaped 3.0 "$PROBE" list -c msg
is "error -22 Invalid argument" "$OUT" "EFADIAG_TEST_EFA_SHAPE=3.0: fi_getinfo fails"
like "$(cat "$TMPD/err")" "efa-shape: bad EFADIAG_TEST_EFA_SHAPE" "EFADIAG_TEST_EFA_SHAPE=3.0: says so"

# --- sends: efa-direct fails above the device's max_msg_sz, efa does not -----------------------
sent() { # sent SHAPE FABRIC BYTES OP WANT DESCRIPTION
	shaped "$1" "$PROBE" send -c msg -f "$2" -s "$3" -o "$4"
	is "$5" "$(tr '\n' ' ' <"$TMPD/out")" "$6"
}
for shape in 2.1 2.6; do
	for op in send sendv sendmsg senddata tsend tsendmsg; do
		sent $shape efa-direct 8193 $op "post 0 send error 90 6 Message too long recv none " \
			"shape $shape, efa-direct, $op of 8193 B: completes with FI_EMSGSIZE, prov_errno 6"
	done
	sent $shape efa-direct 8192 send "post 0 send ok recv 8192 " \
		"shape $shape, efa-direct, send of 8192 B (the MTU): delivered"
	sent $shape efa-direct 8193 inject "post -95 recv none " \
		"shape $shape, efa-direct, inject of 8193 B: refused at the post (-FI_EOPNOTSUPP)"
	sent $shape efa 65536 send "post 0 send ok recv 65536 " \
		"shape $shape, efa, send of 64 KiB: delivered"
done
sent 1.x efa 65536 tsend "post 0 send ok recv 65536 " "shape 1.x, efa, tsend of 64 KiB: delivered"
shaped 2.6 "$PROBE" send -c msg,rma -f efa-direct -s 8193
is "post 0 send error 90 6 Message too long recv none " "$(tr '\n' ' ' <"$TMPD/out")" \
	"efa-direct with FI_RMA (max_msg_size 1 GiB): a send above the MTU still fails"
EFADIAG_TEST_EFA_MTU=4096 sent 2.6 efa-direct 4097 send \
	"post 0 send error 90 6 Message too long recv none " "EFADIAG_TEST_EFA_MTU=4096: 4097 B fails"

# --- tcp underneath ------------------------------------------------------------------------
if has_provider tcp; then
	export EFADIAG_TEST_EFA_BASE=tcp
	probe_list 2.6 -c msg
	is "efa-direct rdmap16s27-rdm rdm 8192 0
efa rdmap16s27-rdm rdm $U64 0" "$OUT" "base tcp: the same listing"
	sent 2.6 efa-direct 65536 send "post 0 send error 90 6 Message too long recv none " \
		"base tcp, efa-direct, 64 KiB: fails"
	sent 2.6 efa 65536 send "post 0 send ok recv 65536 " "base tcp, efa, 64 KiB: delivered"
	unset EFADIAG_TEST_EFA_BASE
else
	skip "base tcp" "no tcp provider"
fi

done_testing
