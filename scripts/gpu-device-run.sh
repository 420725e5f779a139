#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# One run on a GPU machine (an NVIDIA GPU, CUDA in /usr/local/cuda, gcc, make, autotools, no
# libfabric-dev or libcjson-dev, no network): builds libfabric 2.6.0 with CUDA and its
# fabtests, builds efadiag against them, runs tests/gpu.sh, tests/gpu-host.sh and
# bench/gpu-bw.sh, and leaves at most 8 files in $OUT. Run from the repository root:
#
#	OUT=/some/dir scripts/gpu-device-run.sh
#
# Inputs, in .gpu-carry/ (untracked): libfabric-2.6.0.tar.gz (a copy of ../shared/vendor's),
# and Debian's .deb files of libcjson1 and libcjson-dev (apt-get download), used when the
# machine has no libcjson.pc; libibverbs1/libibverbs-dev and jq/libjq1/libonig5 likewise
# when it lacks libibverbs' or jq. Builds go to /tmp/efadiag-gpu. Every step says what it
# does; a build step that fails ends the run with the reason (and the logs are in $OUT).
#
# GPU_RUN_BENCH=0 leaves the benchmark out (a check of the tests alone).
# Rehearsals on a machine without a GPU: GPU_RUN_NO_CUDA=1 builds libfabric and fabtests
# without CUDA (the GPU tests then skip, and the benchmark fails), GPU_RUN_FORCE_DEBS=1 uses
# the carried .deb files even where the machine has the packages, GPU_RUN_REUSE=1 keeps a
# libfabric and fabtests that an earlier run installed in /tmp/efadiag-gpu.
set -euo pipefail

START=$SECONDS
TOP=$(pwd)
CARRY=$TOP/.gpu-carry
WORK=/tmp/efadiag-gpu
LFC=$WORK/libfabric
FTC=$WORK/fabtests
DEPS=$WORK/deps
CUDA=${CUDA_HOME:-/usr/local/cuda}
JOBS=${JOBS:-16}
LIBDIR=$DEPS/usr/lib/x86_64-linux-gnu

step() { printf '\n=== [%4ds] %s\n' $((SECONDS - START)) "$*"; }
die() {
	printf '\nFAILED [%ds]: %s\n' $((SECONDS - START)) "$*" >&2
	exit 1
}

[ -n "${OUT:-}" ] || die "set OUT to the directory the results go to"
mkdir -p "$OUT" || die "cannot create OUT=$OUT"
[ -f "$TOP/configure.ac" ] && [ -f "$TOP/src/main.c" ] ||
	die "run this from efadiag's repository root (no configure.ac/src/main.c in $TOP)"
# Everything this run says, in one log that comes back even when a step fails.
exec > >(tee "$OUT/run.log") 2>&1
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
note() { printf '%s\n' "$*" | tee -a "$SUMMARY"; }
trap 'rc=$?; note "ended with exit $rc after $((SECONDS - START)) s"; exit $rc' EXIT

step "tools"
for t in gcc make tar dpkg sed awk timeout; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' is not installed; this run needs gcc, make, tar, dpkg"
	printf '  %-11s %s\n' "$t" "$(command -v "$t")"
done
# Autotools may be missing there: configure scripts generated here travel in .gpu-carry
# (libfabric-2.6.0-generated.tar.gz, efadiag-generated.tar.gz), pkgconf as .deb files.
AUTOTOOLS=1
for t in autoconf automake libtoolize; do
	command -v "$t" >/dev/null 2>&1 || AUTOTOOLS=0
done
echo "  autotools   $([ $AUTOTOOLS = 1 ] && echo present || echo 'missing: the carried generated files are used')"
NO_CUDA=${GPU_RUN_NO_CUDA:-0}
if [ "$NO_CUDA" = 1 ]; then
	echo "  GPU_RUN_NO_CUDA=1: building without CUDA (a rehearsal)"
else
	[ -f "$CUDA/include/cuda.h" ] || die "no CUDA in $CUDA ($CUDA/include/cuda.h missing; set CUDA_HOME)"
	echo "  CUDA        $CUDA ($(grep -m1 -o 'define CUDA_VERSION [0-9]*' "$CUDA/include/cuda.h"))"
	command -v nvidia-smi >/dev/null 2>&1 &&
		nvidia-smi --query-gpu=index,name,pci.bus_id,driver_version --format=csv,noheader | sed 's/^/  GPU /' || true
fi
LF_TAR=$CARRY/libfabric-2.6.0-generated.tar.gz # autogen.sh already run
[ -f "$LF_TAR" ] || LF_TAR=$CARRY/libfabric-2.6.0.tar.gz
[ -f "$LF_TAR" ] || die "$CARRY/libfabric-2.6.0.tar.gz is missing: copy ../shared/vendor/libfabric-2.6.0.tar.gz there"
echo "  uname       $(uname -r)"

step "unpacking the carried .deb files into $DEPS (only what this machine lacks is used)"
REUSE=0
[ "${GPU_RUN_REUSE:-0}" = 1 ] && [ -x "$FTC/bin/fi_rdm_tagged_bw" ] && REUSE=1
FORCE_DEBS=${GPU_RUN_FORCE_DEBS:-0}
if [ $REUSE = 1 ]; then
	rm -rf "$DEPS" "$WORK/pc"
else
	rm -rf "$WORK"
fi
mkdir -p "$DEPS" "$WORK/pc"
deb() { # deb PATTERN: unpacks the carried .deb matching PATTERN
	local f
	f=$(ls "$CARRY"/$1 2>/dev/null | head -n1)
	[ -n "$f" ] || die "no $1 in $CARRY (apt-get download it on a machine with Debian's registry)"
	dpkg -x "$f" "$DEPS" || die "dpkg -x $f failed"
	echo "  $(basename "$f")"
}
EXTRA_LD=
CONF_ENV=()
if ! command -v pkg-config >/dev/null 2>&1; then
	deb 'libpkgconf3_*.deb'
	deb 'pkgconf-bin_*.deb'
	deb 'pkgconf_*.deb'
	[ -e "$DEPS/usr/bin/pkg-config" ] || ln -s pkgconf "$DEPS/usr/bin/pkg-config"
	export PATH=$DEPS/usr/bin:$PATH
	export LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	pkg-config --version >/dev/null || die "the carried pkgconf does not run"
fi
if [ "$FORCE_DEBS" != 1 ] && pkg-config --exists libcjson 2>/dev/null; then
	echo "  libcjson: the machine's ($(pkg-config --modversion libcjson))"
else
	deb 'libcjson1_*.deb'
	deb 'libcjson-dev_*.deb'
	# Its .pc names /usr: pointed at the unpacked tree, alone in a directory of its own.
	sed -e "s|^libdir=.*|libdir=$LIBDIR|" -e "s|^includedir=.*|includedir=$DEPS/usr/include|" \
		"$LIBDIR/pkgconfig/libcjson.pc" >"$WORK/pc/libcjson.pc"
	EXTRA_LD=$LIBDIR
fi
if [ "$FORCE_DEBS" != 1 ] && pkg-config --exists libibverbs 2>/dev/null; then
	echo "  libibverbs: the machine's ($(pkg-config --modversion libibverbs))"
else
	deb 'libibverbs1_*.deb'
	deb 'libibverbs-dev_*.deb'
	# Only libibverbs itself: the provider libraries beside it (libefa.a, libmlx5.so with no
	# library behind the link) would be linked in place of the machine's.
	find "$LIBDIR" -maxdepth 1 \( -name '*.a' -o -name 'libefa*' -o -name 'libmlx*' -o \
		-name 'libmana*' \) -delete
	# Given to configure directly: its .pc would also bring libefa's, whose library is not here.
	CONF_ENV+=(IBVERBS_CFLAGS="-I$DEPS/usr/include" IBVERBS_LIBS="-L$LIBDIR -libverbs")
	EXTRA_LD=$LIBDIR
fi
if [ "$FORCE_DEBS" = 1 ] || ! command -v jq >/dev/null 2>&1; then
	deb 'jq_*.deb'
	deb 'libjq1_*.deb'
	deb 'libonig5_*.deb'
	export PATH=$DEPS/usr/bin:$PATH
	EXTRA_LD=$LIBDIR
fi
export PKG_CONFIG_PATH=$WORK/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
RUN_LD=$LFC/lib${EXTRA_LD:+:$EXTRA_LD}
[ "$NO_CUDA" = 1 ] || RUN_LD=$RUN_LD:$CUDA/lib64
LD_LIBRARY_PATH=$RUN_LD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} jq --version >/dev/null 2>&1 ||
	die "jq does not run (needed by the tests)"

if [ $REUSE = 1 ]; then
	step "reusing libfabric in $LFC and fabtests in $FTC (GPU_RUN_REUSE=1)"
else
step "libfabric 2.6.0: unpack, autogen, configure"
mkdir -p "$WORK/src"
tar -xzf "$LF_TAR" -C "$WORK/src" || die "cannot unpack the libfabric tarball"
LFSRC=$(ls -d "$WORK"/src/libfabric-* | head -n1)
cd "$LFSRC"
[ -x configure ] || ./autogen.sh >"$WORK/lf-autogen.log" 2>&1 || { tail -20 "$WORK/lf-autogen.log"; die "libfabric autogen.sh"; }
LF_CUDA=(--with-cuda="$CUDA" --enable-cuda-dlopen)
[ "$NO_CUDA" = 1 ] && LF_CUDA=()
./configure --prefix="$LFC" --disable-static "${LF_CUDA[@]}" >"$WORK/lf-configure.log" 2>&1 ||
	{ tail -30 "$WORK/lf-configure.log"; die "libfabric configure ${LF_CUDA[*]}"; }
grep -iE '^\*\*\*.*(shm|cuda|efa)|cuda' "$WORK/lf-configure.log" | tail -6 || true

step "libfabric: make -j$JOBS install"
make -j"$JOBS" install >"$WORK/lf-make.log" 2>&1 || { tail -30 "$WORK/lf-make.log"; die "libfabric make"; }
echo "  installed: $(ls "$LFC"/lib/libfabric.so.* | head -n1)"
LD_LIBRARY_PATH=$RUN_LD "$LFC/bin/fi_info" -p shm -c FI_HMEM 2>&1 | grep -E 'provider|domain|FI_HMEM' | head -4 ||
	echo "  (fi_info -p shm -c FI_HMEM lists nothing: shm has no FI_HMEM here)"

step "fabtests (from the same tarball): autogen, configure, make -j$JOBS install"
cd "$LFSRC/fabtests"
[ -x configure ] || ./autogen.sh >"$WORK/ft-autogen.log" 2>&1 || { tail -20 "$WORK/ft-autogen.log"; die "fabtests autogen.sh"; }
FT_CUDA=(--with-cuda="$CUDA")
[ "$NO_CUDA" = 1 ] && FT_CUDA=()
./configure --prefix="$FTC" --with-libfabric="$LFC" "${FT_CUDA[@]}" >"$WORK/ft-configure.log" 2>&1 ||
	{ tail -30 "$WORK/ft-configure.log"; die "fabtests configure"; }
make -j"$JOBS" install >"$WORK/ft-make.log" 2>&1 || { tail -30 "$WORK/ft-make.log"; die "fabtests make"; }
[ -x "$FTC/bin/fi_rdm_tagged_bw" ] || die "fabtests built no fi_rdm_tagged_bw"
echo "  installed: $FTC/bin/fi_rdm_tagged_bw"
fi

step "efadiag: autogen, configure --with-libfabric=$LFC --enable-werror, make"
cd "$TOP"
if [ $AUTOTOOLS = 1 ]; then
	./autogen.sh >"$WORK/ed-autogen.log" 2>&1 || { tail -20 "$WORK/ed-autogen.log"; die "efadiag autogen.sh"; }
else
	[ -f "$CARRY/efadiag-generated.tar.gz" ] || die "no autotools here and no $CARRY/efadiag-generated.tar.gz"
	tar -xzf "$CARRY/efadiag-generated.tar.gz" || die "cannot unpack efadiag-generated.tar.gz"
	# Newer than the sources they came from, so make does not ask for automake.
	touch aclocal.m4; sleep 1; touch configure config.h.in; sleep 1; touch Makefile.in
fi
rm -rf build-gpu
mkdir build-gpu
cd build-gpu
../configure --with-libfabric="$LFC" --enable-werror "${CONF_ENV[@]}" \
	LDFLAGS="${EXTRA_LD:+-L$EXTRA_LD}" >"$WORK/ed-configure.log" 2>&1 ||
	{ tail -30 "$WORK/ed-configure.log"; die "efadiag configure"; }
sed -n '/efadiag .* configuration/,$p' "$WORK/ed-configure.log"
make -j"$JOBS" >"$WORK/ed-make.log" 2>&1 || { grep -E 'error|warning' "$WORK/ed-make.log" | head -20; die "efadiag make"; }
# The efa-shaped provider (tests/efa-shape.so) for tests/gpu.sh's GPUDirect cases and
# tests/efa-shape.sh, on a libfabric with CUDA.
make tests/efa-shape.so >>"$WORK/ed-make.log" 2>&1 || die "efadiag make tests/efa-shape.so"
EFADIAG=$TOP/build-gpu/efadiag
export EFADIAG TOP_SRCDIR=$TOP LD_LIBRARY_PATH=$RUN_LD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PATH=$LFC/bin:$PATH # fi_info, for the tests' provider checks
cd "$TOP"
"$EFADIAG" --version
note "built in $((SECONDS - START)) s: libfabric 2.6.0${LF_CUDA:+ with CUDA}, fabtests, efadiag $("$EFADIAG" --version 2>&1 | head -n1)"

# From here on a failure is a result, not the end of the run: each step says how it went.
set +e
step "efadiag info -p shm (GPUs, CUDA, FI_HMEM, GPUDirect)"
timeout 120 "$EFADIAG" info -p shm --json >"$OUT/info.json" 2>&1
echo "  exit $?"
jq -c '{gpus: [.gpus[]? | {pci_address, cuda_device, name, dmabuf_supported}], gpudirect}' "$OUT/info.json" 2>&1 | tee -a "$SUMMARY"
timeout 120 "$EFADIAG" info -p shm 2>&1 | sed -n '/^GPUs/,/^Checks/p'

step "pingpong --mem cuda -p shm --loopback --verify"
timeout 120 "$EFADIAG" pingpong --loopback -p shm --mem cuda -S 64,4k,64k,1M -I 1000 --verify --json >"$OUT/pingpong.json" 2>"$WORK/pingpong.err"
rc=$?
cat "$WORK/pingpong.err"
note "pingpong --mem cuda --verify: exit $rc $(jq -c '{memory, error, p99_us: [.results[]? | {bytes, lat_avg_usec}]}' "$OUT/pingpong.json" 2>&1)"

step "bw --mem cuda -p shm --loopback --verify (send, write, read)"
: >"$OUT/bw.json"
for op in send write read; do
	timeout 120 "$EFADIAG" bw --loopback -p shm --mem cuda --op $op -S 64k,1M -I 1000 --verify --json >"$WORK/bw-$op.json" 2>"$WORK/bw-$op.err"
	rc=$?
	cat "$WORK/bw-$op.err"
	cat "$WORK/bw-$op.json" >>"$OUT/bw.json"
	note "bw --op $op --mem cuda --verify: exit $rc $(jq -c '{registration: .memory.registration, dmabuf_error: .memory.dmabuf_error, error: .error.message, gbps: [.results[]? | {bytes, bw_gbps}]}' "$WORK/bw-$op.json" 2>&1)"
done

step "tests/gpu.sh (the GPU checks) and tests/gpu-host.sh (pairing, errors, on this node)"
timeout 300 bash tests/gpu.sh >"$OUT/gpu.tap" 2>&1
rc=$?
cat "$OUT/gpu.tap"
note "tests/gpu.sh: exit $rc, $(grep -c '^ok' "$OUT/gpu.tap") ok, $(grep -c '^not ok' "$OUT/gpu.tap") not ok $(grep -m1 'SKIP' "$OUT/gpu.tap")"
timeout 120 bash tests/gpu-host.sh >"$WORK/gpu-host.tap" 2>&1
rc=$?
grep -v '^ok' "$WORK/gpu-host.tap"
note "tests/gpu-host.sh: exit $rc, $(grep -c '^ok' "$WORK/gpu-host.tap") ok, $(grep -c '^not ok' "$WORK/gpu-host.tap") not ok"

step "tests/efa-shape.sh: efadiag through the efa-shaped shim on libfabric 2.6 with CUDA"
timeout 300 bash tests/efa-shape.sh >"$WORK/efa-shape.tap" 2>&1
rc=$?
grep -v '^ok' "$WORK/efa-shape.tap"
note "tests/efa-shape.sh: exit $rc, $(grep -c '^ok' "$WORK/efa-shape.tap") ok, $(grep -c '^not ok' "$WORK/efa-shape.tap") not ok"

if [ "${GPU_RUN_BENCH:-1}" = 1 ]; then
step "bench/gpu-bw.sh: efadiag bw --mem cuda against fi_rdm_tagged_bw -D cuda"
FT_BIN=$FTC/bin timeout 240 bash bench/gpu-bw.sh -r 3 >"$OUT/bench.txt" 2>&1
rc=$?
cat "$OUT/bench.txt"
note "bench/gpu-bw.sh: exit $rc"
sed -n '1,3p' "$OUT/bench.txt" >>"$SUMMARY"
else
	note "bench/gpu-bw.sh: not run (GPU_RUN_BENCH=0)"
fi

step "done"
ls -la "$OUT"
