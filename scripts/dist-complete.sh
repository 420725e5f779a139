#!/bin/sh
# SPDX-License-Identifier: MIT
# Usage: scripts/dist-complete.sh TARBALL: every file git tracks is in the release tarball,
# but those left out on purpose (CI's own script, the developers' helpers listed below). A file
# a test or a build step needs and EXTRA_DIST forgot fails here by name, not as a test that
# breaks only from the tarball. Exit 0, or 1 naming the missing files.
set -u
tarball=$1
top=$(cd "$(dirname "$0")/.." && pwd)
# Not for the tarball: CI, git's own file, and scripts for developers' machines (the GPU device
# run, the include graph, the libfabric 2.6 build from ../shared/vendor, which the tarball does
# not carry).
skip='^(\.ci/|\.gitignore$|scripts/(gpu-device-run|include-graph|build-libfabric)\.sh$)'
[ -f "$tarball" ] || { echo "dist-complete: no tarball $tarball" >&2; exit 1; }
missing=$(cd "$top" && git ls-files | grep -Ev "$skip" | sort |
	comm -23 - "$(tar tzf "$tarball" | sed 's|^[^/]*/||' | sort >"${TMPDIR:-/tmp}/dist-complete.$$"; echo "${TMPDIR:-/tmp}/dist-complete.$$")")
rm -f "${TMPDIR:-/tmp}/dist-complete.$$"
if [ -n "$missing" ]; then
	echo "dist-complete: tracked files missing from $(basename "$tarball") (add them to EXTRA_DIST):"
	echo "$missing" | sed 's/^/  /'
	exit 1
fi
echo "dist-complete: every tracked file is in $(basename "$tarball") ($(cd "$top" && git ls-files | grep -Evc "$skip") files)"
