#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CI leg: builds the container image (Containerfile) and runs efadiag inside it. This machine
# reaches no container registry and has no OCI runtime that works (`podman run` fails), so:
#   - the base image is Debian 13 (trixie) made by mmdebstrap from Debian's mirror and imported
#     into buildah's storage as localhost/efadiag-base:trixie (the tarball is cached under
#     CACHE, by default build-image/cache, and reused by later runs);
#   - the image is built with `buildah bud --isolation chroot`, the libfabric source archive
#     passed as the build context "libfabric";
#   - commands run in it with `buildah run --isolation chroot`, tests/fixtures mounted read-only
#     at /fixtures: efadiag --version, fi_info (libfabric 2.6.0 with efa, shm, tcp, rxm), info on
#     an EFA fixture, stats on the stats fixture, pingpong --loopback over tcp and shm.
# Prints one PASS/FAIL line per check; exit 0 all passed, 1 a check failed, 3 could not run
# (buildah or mmdebstrap missing and not installable). Without the libfabric archive: a SKIP
# line, exit 0.
# Every step runs under `timeout`. On 2 cores from nothing: 3 min 48 s to 8 min 13 s (by load;
# mmdebstrap 40-65 s, libfabric 2.6.0 + efadiag 3-6 min); 17 s when cached, 37 s after an
# efadiag change (the libfabric layer reused).
# Usage: scripts/ci-image.sh [VENDOR_DIR]   (VENDOR_DIR: default ../shared/vendor)
# Environment: EFADIAG_IMAGE_CACHE (cache dir), EFADIAG_IMAGE_STORAGE_DRIVER (e.g. vfs, where
# overlay does not work), EFADIAG_IMAGE_REFRESH=1 (make the base tarball anew),
# EFADIAG_IMAGE_PRUNE=1 (at the end, remove the untagged layer images earlier builds left: frees
# the disk, about 0.5 GiB a changed build, and the layer cache with it).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
vendor=${1:-$top/../shared/vendor}
cache=${EFADIAG_IMAGE_CACHE:-$top/build-image/cache}
suite=trixie
mirror=http://deb.debian.org/debian
base_tag=localhost/efadiag-base:$suite
image_tag=localhost/efadiag:ci
lf_version=2.6.0
start=$SECONDS

pass=0
fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# check NAME CMD...: PASS when CMD exits 0.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}
finish() {
	echo "ci-image: $pass passed, $fail failed, $((SECONDS - start)) s"
	[ "$fail" -eq 0 ]
}

if [ ! -f "$vendor/libfabric-$lf_version.tar.gz" ]; then
	echo "SKIP: container image: no $vendor/libfabric-$lf_version.tar.gz (vendored sources absent)"
	exit 0
fi

# The tools: Debian's mmdebstrap and buildah (no runc/crun needed with chroot isolation).
if ! command -v buildah >/dev/null || ! command -v mmdebstrap >/dev/null; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		echo "installing buildah, mmdebstrap"
		DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends \
			buildah mmdebstrap uidmap >/dev/null
	else
		echo "ci-image: needs buildah and mmdebstrap (apt-get install buildah mmdebstrap)" >&2
		exit 3
	fi
fi
bah=(buildah)
[ -n "${EFADIAG_IMAGE_STORAGE_DRIVER:-}" ] && bah+=(--storage-driver "$EFADIAG_IMAGE_STORAGE_DRIVER")
export BUILDAH_ISOLATION=chroot
echo "ci-image: $(buildah --version), storage driver" \
	"$("${bah[@]}" info --format '{{.store.GraphDriverName}}' 2>/dev/null || echo '?')"

# 1. The base image. Like debian:trixie-slim: apt, no man pages, docs or translations.
mkdir -p "$cache"
base_tar=$cache/debian-$suite-base.tar
if [ -s "$base_tar" ] && [ "${EFADIAG_IMAGE_REFRESH:-0}" != 1 ]; then
	echo "base: reusing $base_tar (EFADIAG_IMAGE_REFRESH=1 makes it anew)"
else
	t=$SECONDS
	rm -f "$base_tar.new"
	if ! timeout 900 mmdebstrap --variant=apt --format=tar \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		"$suite" "$base_tar.new" "deb $mirror $suite main" "deb $mirror $suite-updates main" \
		>"$cache/mmdebstrap.log" 2>&1; then
		tail -30 "$cache/mmdebstrap.log"
		bad "base: mmdebstrap $suite"
		finish
		exit 1
	fi
	mv "$base_tar.new" "$base_tar"
	ok "base: mmdebstrap $suite, $(du -m "$base_tar" | cut -f1) MiB, $((SECONDS - t)) s"
fi
# Imported as a one-layer image: a scratch container with the tree added, committed, labelled
# with the tarball's sha256. An image already imported from this tarball is kept: a new import
# is a new image ID, which would make `bud --layers` rebuild every layer.
t=$SECONDS
base_sum=$(sha256sum "$base_tar" | cut -d' ' -f1)
have_sum=$("${bah[@]}" inspect --type image --format \
	'{{index .OCIv1.Config.Labels "org.efadiag.base-tar-sha256"}}' "$base_tag" 2>/dev/null || true)
if [ "$have_sum" = "$base_sum" ]; then
	ok "base: $base_tag is this tarball's import, kept"
else
	ctr=$("${bah[@]}" from scratch)
	if timeout 300 "${bah[@]}" add --quiet "$ctr" "$base_tar" / &&
		"${bah[@]}" config --cmd /bin/bash --label "org.efadiag.base-tar-sha256=$base_sum" \
			--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr" &&
		timeout 300 "${bah[@]}" commit --quiet --rm "$ctr" "$base_tag" >/dev/null; then
		ok "base: imported as $base_tag, $((SECONDS - t)) s"
	else
		"${bah[@]}" rm "$ctr" >/dev/null 2>&1 || true
		bad "base: import $base_tar"
		finish
		exit 1
	fi
fi

# 2. The image. --layers keeps the stages' layers: a rerun with the same inputs rebuilds nothing.
t=$SECONDS
log=$cache/bud.log
if timeout 1800 "${bah[@]}" bud --isolation chroot --layers \
	--build-context libfabric="$vendor" --build-arg BASE_IMAGE="$base_tag" \
	-t "$image_tag" -f "$top/Containerfile" "$top" >"$log" 2>&1; then
	ok "image: built $image_tag, $("${bah[@]}" images --format '{{.Size}}' "$image_tag" | head -1), $((SECONDS - t)) s"
	grep -E '^runtime packages:' "$log" || true
else
	tail -40 "$log"
	bad "image: buildah bud (log: $log)"
	finish
	exit 1
fi

# 3. Inside it.
ctr=$("${bah[@]}" from "$image_tag")
trap '"${bah[@]}" rm "$ctr" >/dev/null 2>&1 || true' EXIT
out=$(mktemp -d "${TMPDIR:-/tmp}/ci-image.XXXXXX")
trap '"${bah[@]}" rm "$ctr" >/dev/null 2>&1 || true; rm -rf "$out"' EXIT
# inside NAME CMD...: runs CMD in the container (stdout in $out/NAME, stderr in $out/NAME.err),
# sets rc.
inside() {
	local name=$1
	shift
	rc=0
	timeout 120 "${bah[@]}" run --isolation chroot -v "$top/tests/fixtures:/fixtures:ro" "$ctr" -- \
		"$@" >"$out/$name" 2>"$out/$name.err" || rc=$?
}
# The runtime's own "subprocess exited" lines on a non-zero exit are not the command's.
show_err() { grep -v -e '^subprocess exited' -e '^Error: exit status' "$out/$1.err" | tail -5 || true; }

want_version=$(sed -n 's/^AC_INIT(\[efadiag\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
inside version efadiag --version
check "efadiag --version in the image: efadiag $want_version" \
	test "$rc-$(cat "$out/version")" = "0-efadiag $want_version"
[ "$rc" = 0 ] || show_err version

# Every library efadiag and libfabric load is in the image (the runtime stage's package list).
inside ldd sh -c 'ldd /usr/local/bin/efadiag /opt/libfabric/lib/libfabric.so.1'
check "every library resolves (ldd: no 'not found')" test "$rc" = 0 -a -s "$out/ldd" \
	-a -z "$(grep 'not found' "$out/ldd")"
check "efadiag and libfabric link rdma-core's libefa" test "$(grep -c 'libefa.so.1 => /' "$out/ldd")" = 2

inside fi_version fi_info --version
check "fi_info --version: libfabric $lf_version" grep -qx "libfabric: $lf_version" "$out/fi_version"
inside fi_list fi_info -l
for p in efa shm tcp ofi_rxm; do
	check "fi_info -l: provider $p compiled in" grep -qx "$p:" "$out/fi_list"
done

# info on a p4d.24xlarge fixture (4 EFA devices in sysfs). The container has no /dev/infiniband,
# so efa opens none of them: FAIL (exit 1) naming the device nodes, the library is 2.6.0's.
inside info sh -c 'EFADIAG_SYSROOT=/fixtures/p4d-healthy efadiag info -j'
j() { jq -r "$1" "$out/info" 2>/dev/null; }
check "info -j on p4d-healthy: exit 1 (no device nodes in the container), status fail" \
	test "$rc-$(j .status)" = "1-fail"
[ "$rc" = 1 ] || show_err info
check "info: 4 EFA devices found in the fixture's sysfs" test "$(j .host.efa_devices)" = 4
check "info: libfabric 2.6 loaded from /opt/libfabric" \
	test "$(j .host.libfabric_version) $(j .host.libfabric_path)" = \
	"2.6 /opt/libfabric/lib/libfabric.so.1.32.0"
check "info: efa_devices check passes" test "$(j '.checks[]|select(.name=="efa_devices")|.status')" = pass
check "info: uverbs check fails naming /dev/infiniband" \
	test -n "$(j '.checks[]|select(.name=="uverbs" and .status=="fail")|.detail|select(test("/dev/infiniband"))')"

inside stats sh -c 'EFADIAG_SYSROOT=/fixtures/stats-current efadiag stats -j'
check "stats -j on stats-current: exit 0, status ok, 4 devices with counters" test \
	"$rc-$(jq -r '"\(.status)-\([.devices[]|select(.counters|length>0)]|length)"' "$out/stats" 2>/dev/null)" = "0-ok-4"
[ "$rc" = 0 ] || show_err stats

for p in tcp shm; do
	inside "pp-$p" efadiag pingpong --loopback -p "$p" -t 30 -j
	check "pingpong --loopback -p $p: exit 0, status ok, ran on $p" test \
		"$rc-$(jq -r '"\(.status)-\(.provider)"' "$out/pp-$p" 2>/dev/null)" = "0-ok-$p"
	[ "$rc" = 0 ] || show_err "pp-$p"
done

if [ "${EFADIAG_IMAGE_PRUNE:-0}" = 1 ]; then
	"${bah[@]}" rm "$ctr" >/dev/null 2>&1 || true
	timeout 300 "${bah[@]}" rmi --prune >/dev/null 2>&1 || true
fi
echo "ci-image: buildah storage $(du -sh "$("${bah[@]}" info --format '{{.store.GraphRoot}}' 2>/dev/null)" 2>/dev/null | cut -f1)"
finish
