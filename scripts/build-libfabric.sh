#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds libfabric 2.6.0 (what EFA nodes run) from the vendored source archive into PREFIX,
# for building and testing efadiag against it. The archive's sha256 is checked first; a
# finished build already at PREFIX (of this archive) is reused.
# Usage: scripts/build-libfabric.sh PREFIX [VENDOR_DIR]   (VENDOR_DIR: default ../shared/vendor)
# Exit: 0 built or reused; 2 usage; 3 the archive is missing or does not match; 1 build failed.
set -euo pipefail

VERSION=2.6.0
SHA256=02eeec77718db7299e26fec4c90f083422cac055afb3575f7b1a321964e0439b

top=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 PREFIX [VENDOR_DIR]" >&2
	exit 2
fi
prefix=$1
vendor=${2:-$top/../shared/vendor}
tarball=$vendor/libfabric-$VERSION.tar.gz
# Written last, so only a complete install is ever reused.
stamp=$prefix/.efadiag-libfabric-$SHA256

# A finished install: our stamp, or one made by hand from the same release (fi_info says so,
# the library and headers are there).
installed() {
	[ -f "$prefix/include/rdma/fabric.h" ] && [ -e "$prefix/lib/libfabric.so.1" ] &&
		[ -x "$prefix/bin/fi_info" ] &&
		{ [ -f "$stamp" ] || "$prefix/bin/fi_info" --version 2>/dev/null |
			grep -qx "libfabric: $VERSION"; }
}
if installed; then
	echo "libfabric $VERSION: reusing the build in $prefix"
	exit 0
fi
if [ ! -f "$tarball" ]; then
	echo "libfabric $VERSION: no source archive at $tarball" >&2
	exit 3
fi
got=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
	echo "libfabric $VERSION: $tarball has sha256 $got, expected $SHA256" >&2
	exit 3
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/libfabric-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "libfabric $VERSION: building into $prefix (a few minutes)"
tar -xzf "$tarball" -C "$work"
cd "$work/libfabric-$VERSION"
# A release archive may or may not carry a generated configure.
[ -x configure ] || ./autogen.sh >"$work/autogen.log" 2>&1 || {
	tail -30 "$work/autogen.log"; exit 1; }
./configure --prefix="$prefix" --disable-static >"$work/configure.log" 2>&1 || {
	tail -30 "$work/configure.log"; exit 1; }
make -j"$(nproc)" install >"$work/make.log" 2>&1 || { tail -40 "$work/make.log"; exit 1; }
"$prefix/bin/fi_info" --version
touch "$stamp"
