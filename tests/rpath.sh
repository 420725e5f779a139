#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Built --with-libfabric=DIR (or against /opt/amazon/efa), efadiag loads that libfabric whatever
# LD_LIBRARY_PATH says: the path is written as DT_RPATH, which the loader searches before
# LD_LIBRARY_PATH (DT_RUNPATH comes after it), and info reports the library really loaded.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

if ! command -v readelf >/dev/null 2>&1; then
	echo "1..0 # SKIP readelf is not installed"
	exit 0
fi
dyn=$(readelf -d "$EFADIAG" 2>/dev/null)
rpath=$(printf '%s\n' "$dyn" | sed -n 's/.*(RPATH) *Library rpath: \[\(.*\)\]/\1/p')
runpath=$(printf '%s\n' "$dyn" | sed -n 's/.*(RUNPATH) *Library runpath: \[\(.*\)\]/\1/p')
# The libfabric directory among the paths (others may be there: Debian's PMIx lives in a
# private directory that its pkg-config file adds as an rpath).
dir=""
for d in ${rpath//:/ } ${runpath//:/ }; do
	[ -e "$d/libfabric.so.1" ] && { dir=$d; break; }
done
if [ -z "$dir" ]; then
	echo "1..0 # SKIP built without --with-libfabric (libfabric from pkg-config, none in the rpath '$rpath$runpath')"
	exit 0
fi
[[ ":$rpath:" == *":$dir:"* ]] && [ -z "$runpath" ]
ok $? "the libfabric directory is DT_RPATH, not DT_RUNPATH (rpath '$rpath', runpath '$runpath')"
lib=$(realpath "$dir/libfabric.so.1" 2>/dev/null)

run info -p tcp --json
json_is .host.libfabric_path "$lib" "without LD_LIBRARY_PATH: info reports $lib"
want_version=$(jq -r .host.libfabric_version <"$TMPD/out")
if [ -x "$dir/../bin/fi_info" ]; then
	v=$("$dir/../bin/fi_info" --version | sed -n 's/^libfabric: \([0-9]*\.[0-9]*\).*/\1/p')
	[ "$v" = "$want_version" ]
	ok $? "info reports the version of the libfabric loaded ($want_version, fi_info there: $v)"
fi

# Another libfabric on the library path: the system's, as ldconfig knows it.
other=$(ldconfig -p 2>/dev/null | awk '$1 == "libfabric.so.1" && /x86-64|64bit|AArch64/ {print $NF; exit}')
other_dir=$(dirname "$(realpath "$other" 2>/dev/null || echo /nonexistent/x)")
if [ -z "$other" ] || [ "$other_dir" = "$(realpath "$dir")" ]; then
	skip "LD_LIBRARY_PATH cannot override it" "no second libfabric on this system"
else
	LD_LIBRARY_PATH=$other_dir run info -p tcp --json
	{ [ "$RC" -eq 0 ] || [ "$RC" -eq 1 ]; } && [ "$(jq -r ".host | type" <"$TMPD/out" 2>/dev/null)" = object ]
	r=$?
	ok $r "LD_LIBRARY_PATH=$other_dir: efadiag still runs (exit $RC, a document)"
	[ $r -eq 0 ] || diag "stderr: $(head -c 400 "$TMPD/err")"
	json_is .host.libfabric_path "$lib" "LD_LIBRARY_PATH=$other_dir: the rpath's libfabric is loaded"
	json_is .host.libfabric_version "$want_version" \
		"LD_LIBRARY_PATH=$other_dir: libfabric $want_version reported"
fi
done_testing
