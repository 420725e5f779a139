#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the whole test suite (make check) and prints the closing line "N passed, N failed".
# Usage: scripts/check.sh [BUILD_DIR] [make args...]; builds first when needed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
[ $# -gt 0 ] && shift
cd "$build" || exit 3
if [ ! -f Makefile ]; then
	[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh) || exit 3
	"$top/configure" -q || exit 3
fi
make -j"$(nproc)" check "$@"
rc=$?
# The totals of automake's test-suite.log: every TAP line of every test script.
if [ -f test-suite.log ]; then
	awk '/^# PASS:/{p=$3} /^# SKIP:/{s=$3} /^# (FAIL|ERROR|XPASS):/{f+=$3}
		END {printf "%d passed, %d failed, %d skipped\n", p, f, s}' test-suite.log
else
	echo "0 passed, 1 failed"
fi
exit $rc
