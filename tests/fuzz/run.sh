#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60)
# from the seed corpus in tests/fuzz/corpus. A crash leaves its input in the work directory
# and fails the run; add such inputs to tests/fuzz/corpus/regress-<target> as regressions.
# Usage: tests/fuzz/run.sh [SECONDS] [BUILD_DIR]   (BUILD_DIR: a configured tree, for config.h)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
build=${2:-$top}
command -v clang >/dev/null || { echo "fuzz: clang not installed, skipping"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE"
incs="-I$build -I$top/src $(pkg-config --cflags libfabric libcjson)"
libs="$(pkg-config --libs libfabric libefa libibverbs libcjson) -lm -lpthread"
# mesh's PMIx, where configure found it (config.h then says HAVE_PMIX).
if grep -q '^#define HAVE_PMIX 1' "$build/config.h" 2>/dev/null; then
	incs="$incs $(pkg-config --cflags pmix)"
	libs="$libs $(pkg-config --libs pmix)"
fi
# stats --listen's libmicrohttpd, likewise (HAVE_MICROHTTPD).
if grep -q '^#define HAVE_MICROHTTPD 1' "$build/config.h" 2>/dev/null; then
	incs="$incs $(pkg-config --cflags libmicrohttpd)"
	libs="$libs $(pkg-config --libs libmicrohttpd)"
fi
# Every module but main: the targets call into the same code the binary runs.
srcs=$(find "$top/src" -name "*.c" ! -name main.c | sort)
status=0
for target in oob proto values; do
	echo "== fuzz_$target: ${secs}s"
	# shellcheck disable=SC2086
	clang $flags $incs -DHAVE_CONFIG_H -o "$work/fuzz_$target" "$top/tests/fuzz/fuzz_$target.c" \
		$srcs "$top/src/main.c" -Dmain=efadiag_main $libs
	mkdir -p "$work/corpus_$target"
	cp "$top/tests/fuzz/corpus/$target"/* "$work/corpus_$target/" 2>/dev/null || true
	regress="$top/tests/fuzz/corpus/regress-$target"
	if [ -d "$regress" ]; then
		"$work/fuzz_$target" "$regress"/* || status=1
	fi
	(cd "$work" && ASAN_OPTIONS=detect_leaks=1 \
		LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0 \
		"./fuzz_$target" -max_total_time="$secs" -max_len=4096 -timeout=10 \
		-print_final_stats=1 "corpus_$target" 2>&1 | tail -12) || status=1
	# Keep what failed: the work directory goes away, the inputs are the regression tests.
	if ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* >/dev/null 2>&1; then
		mkdir -p "$build/fuzz-failures"
		cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$build/fuzz-failures/" 2>/dev/null
		echo "fuzz_$target: failing inputs kept in $build/fuzz-failures"
		status=1
	fi
done
exit $status
