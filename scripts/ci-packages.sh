#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CI leg: efadiag's packages, built and checked as a user gets them.
#  1. the Debian package (debian/), built with dpkg-buildpackage in a copy of the tree (the
#     checkout stays clean), lintian's report on it, then installed on THIS machine with apt-get
#     and the installed /usr/bin/efadiag run: --version, info, a loopback pingpong over tcp,
#     man -w, the bash completion, the DT_RPATH that makes /opt/amazon/efa's libfabric win (in
#     a private mount namespace, with a libfabric copied there); then purged;
#  2. the RPM (efadiag.spec, from `make dist`'s tarball) built with Debian's rpmbuild, and its
#     contents, requirements and rpath checked.
# Needs root (it installs and purges the package) and what scripts/install-deps.sh installs.
# Every check prints PASS: or FAIL: (SKIP: when it cannot run here, with the reason); the last
# line counts them; exit 1 when any failed. About 3 minutes on 2 cores.
# Usage: scripts/ci-packages.sh
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
start=$(date +%s)
passed=0
failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
skip() { echo "SKIP: $*"; }
# check DESCRIPTION CMD...: PASS or FAIL by CMD's exit status.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
	if [ "$failed" -eq 0 ]; then
		rm -rf "$work"
		echo "ci-packages: $(($(date +%s) - start)) s"
	else
		echo "ci-packages: $(($(date +%s) - start)) s; logs and packages kept in $work"
	fi
	echo "ci-packages: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

work=$(mktemp -d /tmp/efadiag-packages.XXXXXX)
chmod 755 "$work" # readable by the unprivileged user apt-get downloads as
installed_by_us=0
# shellcheck disable=SC2317 # the EXIT trap runs it
cleanup() {
	if [ "$installed_by_us" -eq 1 ] && dpkg -s efadiag >/dev/null 2>&1; then
		apt-get purge -y -qq efadiag >/dev/null 2>&1
	fi
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ]; then
	fail "this leg installs a package: run it as root"
	finish
fi
for tool in dpkg-buildpackage dh rpmbuild rpm2cpio cpio apt-get readelf jq; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh installs it)"
done
[ "$failed" -eq 0 ] || finish

version=$(sed -n 's/^AC_INIT(\[efadiag\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
deb_version=$(cd "$top" && dpkg-parsechangelog -S Version)
[ -n "$version" ] && [ "$deb_version" = "$version" ]
check "debian/changelog's version ($deb_version) is configure.ac's ($version)" test $? -eq 0
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

# ---- the Debian package ----------------------------------------------------------------------
# The copy: what git tracks and what it does not ignore (a fresh clone's files; no build dirs,
# no generated configure). Outside git, the tree less its build directories.
src=$work/efadiag-$version
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z -co --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$src" -xf -
else
	(cd "$top" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -C "$src" -xf -
fi
# On a node with the EFA installer, debian/rules refuses to build (dpkg-shlibdeps would take
# the installer's libfabric for the dependency): build with /opt/amazon hidden by a tmpfs in
# a private mount namespace.
build_cmd=(nice -n 10 dpkg-buildpackage -us -uc -b -j"$(nproc)")
if [ -d /opt/amazon ]; then
	# shellcheck disable=SC2016 # expanded by the inner bash
	build_cmd=(unshare -m bash -c 'mount -t tmpfs tmpfs /opt/amazon && exec "$@"' _ "${build_cmd[@]}")
fi
t0=$(date +%s)
if (cd "$src" && "${build_cmd[@]}") >"$work/deb-build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b ($(($(date +%s) - t0)) s, log $work/deb-build.log)"
else
	tail -40 "$work/deb-build.log"
	fail "dpkg-buildpackage -us -uc -b (log $work/deb-build.log)"
	finish
fi
deb=$work/efadiag_${version}_${arch}.deb
check "the package: $(basename "$deb")" test -f "$deb"
grep -E '^# (TOTAL|PASS|FAIL|ERROR):' "$work/deb-build.log" | sed 's/^/  unit tests in the build: /'

if command -v lintian >/dev/null; then
	# A report: warnings and notes are printed, not failed on; an error (E:) fails.
	lintian --pedantic "$work"/efadiag_"${version}"_"${arch}".changes >"$work/lintian.log" 2>&1
	grep -E '^[EWIPX]: ' "$work/lintian.log" | sed 's/^/  lintian: /'
	n_err=$(grep -c '^E: ' "$work/lintian.log")
	n_other=$(grep -cE '^[WIPX]: ' "$work/lintian.log")
	check "lintian: $n_err errors ($n_other warnings and notes, reported only)" test "$n_err" -eq 0
else
	skip "lintian: not installed"
fi

contents=$(dpkg-deb -c "$deb")
grep -q ' \./usr/bin/efadiag$' <<<"$contents" &&
	grep -q ' \./usr/share/man/man1/efadiag\.1\.gz$' <<<"$contents" &&
	grep -q ' \./usr/share/bash-completion/completions/efadiag$' <<<"$contents"
check "the .deb holds the binary, the man page and the completion" test $? -eq 0
depends=$(dpkg-deb -f "$deb" Depends)
[[ $depends == *libfabric1* ]] && [[ $depends == *libcjson1* ]]
check "Depends (from \${shlibs:Depends}) names libfabric1 and libcjson1: $depends" test $? -eq 0

pre_installed=0
dpkg -s efadiag >/dev/null 2>&1 && pre_installed=1
[ $pre_installed -eq 0 ] || echo "  note: efadiag was installed before this leg; it is replaced, then purged"
installed_by_us=1
if (cd "$work" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$(basename "$deb")") \
	>"$work/apt-install.log" 2>&1; then
	pass "apt-get install -y ./$(basename "$deb")"
else
	tail -20 "$work/apt-install.log"
	fail "apt-get install -y ./$(basename "$deb")"
	finish
fi
bin=/usr/bin/efadiag
check "dpkg -L efadiag lists $bin" bash -c "dpkg -L efadiag | grep -qx $bin"

out=$("$bin" --version 2>&1)
rc=$?
[ $rc -eq 0 ] && [ "$out" = "efadiag $version" ]
check "$bin --version: exit $rc, '$out'" test $? -eq 0

# info over tcp: a document, exit 0 or 1 (1: a check failed on this host; 2 and 3 are errors).
"$bin" info -p tcp --json >"$work/info.json" 2>"$work/info.err"
rc=$?
status=$(jq -r .status "$work/info.json" 2>/dev/null)
lf_path=$(jq -r .host.libfabric_path "$work/info.json" 2>/dev/null)
ndom=$(jq '.domains | length' "$work/info.json" 2>/dev/null)
{ [ $rc -eq 0 ] || [ $rc -eq 1 ]; } && [ "$(jq -r .command "$work/info.json" 2>/dev/null)" = info ] &&
	[ "${ndom:-0}" -gt 0 ]
check "$bin info -p tcp --json: exit $rc, status $status, $ndom tcp domains" test $? -eq 0
[ $rc -le 1 ] || head -c 600 "$work/info.err"
efa_lib=""
for d in /opt/amazon/efa/lib64 /opt/amazon/efa/lib; do
	[ -e "$d/libfabric.so.1" ] && { efa_lib=$d; break; }
done
if [ -n "$efa_lib" ]; then
	[[ $(realpath "$lf_path") == $(realpath "$efa_lib")/* ]]
	check "the EFA installer's libfabric ($efa_lib) is loaded: $lf_path" test $? -eq 0
else
	[[ $lf_path == /usr/lib/$multiarch/libfabric.so.1* ]]
	check "without /opt/amazon/efa, the system's libfabric is loaded: $lf_path" test $? -eq 0
fi

# A real test without EFA: both ends on this node, over tcp.
"$bin" pingpong --loopback -p tcp -S 64,64k -I 100 -t 20 -q --json >"$work/pingpong.json" 2>"$work/pingpong.err"
rc=$?
n=$(jq '[.results[] | select(.iterations > 0 and .lat_avg_usec > 0)] | length' "$work/pingpong.json" 2>/dev/null)
[ $rc -eq 0 ] && [ "${n:-0}" -eq 2 ]
check "$bin pingpong --loopback -p tcp -S 64,64k: exit $rc, $n sizes measured" test $? -eq 0
[ $rc -eq 0 ] || head -c 600 "$work/pingpong.err"

# The man page, where man finds it. Docker's slim images drop /usr/share/man at install
# (a dpkg path-exclude): then say so, the .deb's contents are checked above.
if grep -rqs '^path-exclude=/usr/share/man/\*' /etc/dpkg/dpkg.cfg.d/; then
	skip "man -w efadiag: this system's dpkg excludes /usr/share/man (/etc/dpkg/dpkg.cfg.d)"
elif ! command -v man >/dev/null; then
	fail "man -w efadiag: man is not installed (man-db, scripts/install-deps.sh)"
else
	page=$(man -w efadiag 2>&1)
	check "man -w efadiag: $page" test "$page" = /usr/share/man/man1/efadiag.1.gz
	rendered=$(man efadiag 2>/dev/null)
	grep -q '^NAME' <<<"$rendered"
	check "man efadiag renders it" test $? -eq 0
fi

# The completion: bash-completion's loader finds it by the command's name, and it completes.
comp=/usr/share/bash-completion/completions/efadiag
check "the completion file is installed: $comp" test -f "$comp"
if [ -f /usr/share/bash-completion/bash_completion ]; then
	# shellcheck disable=SC2016 # expanded by the inner bash
	got=$(timeout 20 bash -c '
		. /usr/share/bash-completion/bash_completion
		__load_completion efadiag || exit 1
		complete -p efadiag
		COMP_WORDS=(efadiag st); COMP_CWORD=1; COMP_LINE="efadiag st"; COMP_POINT=${#COMP_LINE}
		_efadiag efadiag
		printf "%s\n" "${COMPREPLY[@]}"' 2>/dev/null)
	[[ $got == *"complete -F _efadiag efadiag"* ]] && [ "$(printf '%s\n' "$got" | tail -1)" = stats ]
	check "bash-completion loads it for efadiag, and 'efadiag st<TAB>' gives stats" test $? -eq 0
else
	fail "bash-completion is not installed (scripts/install-deps.sh)"
fi

# /opt/amazon/efa's libfabric first, as a source build on an EFA node: DT_RPATH, no RUNPATH.
dyn=$(readelf -d "$bin")
rpath=$(printf '%s\n' "$dyn" | sed -n 's/.*(RPATH) *Library rpath: \[\(.*\)\]/\1/p')
runpath=$(printf '%s\n' "$dyn" | sed -n 's/.*(RUNPATH) *Library runpath: \[\(.*\)\]/\1/p')
[[ $rpath == /opt/amazon/efa/lib64:/opt/amazon/efa/lib* ]] && [ -z "$runpath" ]
check "installed binary: DT_RPATH starts /opt/amazon/efa/lib64:/opt/amazon/efa/lib ('$rpath'), no RUNPATH ('$runpath')" \
	test $? -eq 0
# And the loader takes it: in a private mount namespace (nothing outside sees it), a tmpfs on
# /opt with a libfabric.so.1 (the system's, copied) in lib, then in lib64; LD_LIBRARY_PATH
# naming the system's directory does not win over it.
syslib=$(realpath "/usr/lib/$multiarch/libfabric.so.1")
# shellcheck disable=SC2016 # expanded by the inner bash
opt_test='
	set -e
	mount -t tmpfs tmpfs /opt
	mkdir -p "/opt/amazon/efa/$1"
	cp "$2" "/opt/amazon/efa/$1/libfabric.so.1"
	'"$bin"' info -p tcp --json | jq -r .host.libfabric_path
	LD_LIBRARY_PATH=$3 '"$bin"' info -p tcp --json | jq -r .host.libfabric_path'
if ! unshare -m true 2>/dev/null; then
	skip "libfabric from /opt/amazon/efa: unshare -m is not permitted here"
else
	for d in lib lib64; do
		got=$(unshare -m bash -c "$opt_test" _ "$d" "$syslib" "/usr/lib/$multiarch" 2>"$work/opt.err")
		want="/opt/amazon/efa/$d/libfabric.so.1"
		[ "$got" = "$want"$'\n'"$want" ]
		check "with /opt/amazon/efa/$d/libfabric.so.1 present, that one is loaded, LD_LIBRARY_PATH or not (got: ${got//$'\n'/, })" \
			test $? -eq 0
	done
	# What EFA nodes run: libfabric 2.x in /opt/amazon/efa, while the package was built against
	# Debian's 1.17 headers (same soname). .ci/run's libfabric 2.6.0 leg leaves one built.
	lf2=${EFADIAG_LIBFABRIC2_PREFIX:-$top/build-libfabric-2.6.0}
	if [ ! -e "$lf2/lib/libfabric.so.1" ]; then
		skip "libfabric 2.x as /opt/amazon/efa/lib: none built at $lf2 (.ci/run's libfabric 2.6.0 leg)"
	else
		# shellcheck disable=SC2016 # expanded by the inner bash
		got=$(unshare -m bash -c '
			set -o pipefail
			mount -t tmpfs tmpfs /opt && mkdir -p /opt/amazon/efa && ln -s "$1/lib" /opt/amazon/efa/lib &&
			"$2" info -p tcp --json | jq -r "[.host.libfabric_version, .host.libfabric_path] | join(\" \")" &&
			"$2" pingpong --loopback -p tcp -S 64 -I 100 -t 20 -q --json | jq -r ".results | length"
			echo "exit $?"' _ "$lf2" "$bin" 2>"$work/lf2.err")
		want_v=$("$lf2/bin/fi_info" --version 2>/dev/null | sed -n 's/^libfabric: \([0-9]*\.[0-9]*\).*/\1/p')
		[[ $got == "$want_v $(realpath "$lf2/lib")/libfabric.so.1"*$'\n1\nexit 0' ]]
		check "libfabric $want_v as /opt/amazon/efa/lib: info loads it, pingpong --loopback -p tcp runs (got: ${got//$'\n'/, })" \
			test $? -eq 0
	fi
fi

apt-get purge -y -qq efadiag >"$work/apt-purge.log" 2>&1
! dpkg -s efadiag >/dev/null 2>&1 && [ ! -e "$bin" ] && [ ! -e "$comp" ]
check "apt-get purge efadiag: package, binary and completion gone" test $? -eq 0
installed_by_us=0

# ---- the RPM ---------------------------------------------------------------------------------
# The tarball: `make dist` in the copy dpkg-buildpackage configured. Debian has no RPM -devel
# packages for the BuildRequires, so --nodeps (the build uses Debian's -dev packages);
# --nocheck: the same unit tests ran in the Debian build.
# The QA step Fedora and RHEL run after %install (rpmdevtools' ~/.rpmmacros sets it too):
# check-rpaths fails on an rpath outside /usr/lib*, unless the spec allows it as it does.
rpm_qa=()
for f in /usr/lib/rpm/check-rpaths /usr/lib/rpm/check-buildroot; do
	[ -x "$f" ] && rpm_qa+=("$f")
done
rpm_args=(--define "_topdir $work/rpmbuild" --define "_smp_mflags -j$(nproc)")
[ ${#rpm_qa[@]} -eq 0 ] || rpm_args+=(--define "__arch_install_post ${rpm_qa[*]}")
if (cd "$src" && make -s dist >"$work/dist.log" 2>&1) && [ -f "$src/efadiag-$version.tar.gz" ]; then
	pass "make dist: efadiag-$version.tar.gz"
else
	tail -20 "$work/dist.log"
	fail "make dist"
	finish
fi
listing=$(tar -tzf "$src/efadiag-$version.tar.gz")
grep -qx "efadiag-$version/efadiag.spec" <<<"$listing"
check "the tarball holds efadiag.spec" test $? -eq 0
t0=$(date +%s)
if nice -n 10 rpmbuild -tb --nodeps --nocheck "${rpm_args[@]}" "$src/efadiag-$version.tar.gz" \
	>"$work/rpm-build.log" 2>&1; then
	pass "rpmbuild -tb --nodeps efadiag-$version.tar.gz ($(($(date +%s) - t0)) s, log $work/rpm-build.log)"
else
	tail -40 "$work/rpm-build.log"
	fail "rpmbuild -tb --nodeps efadiag-$version.tar.gz (log $work/rpm-build.log)"
	finish
fi
if [[ " ${rpm_qa[*]} " == *" /usr/lib/rpm/check-rpaths "* ]]; then
	grep -q "contains an invalid rpath '/opt/amazon/efa/lib64'" "$work/rpm-build.log" &&
		! grep -q '^ERROR ' "$work/rpm-build.log"
	check "check-rpaths ran after %install: the /opt/amazon/efa rpath allowed (QA_RPATHS), no error" \
		test $? -eq 0
else
	skip "check-rpaths: not in this rpm (/usr/lib/rpm/check-rpaths)"
fi
rpmfile=$(find "$work/rpmbuild/RPMS" -name "efadiag-$version-*.rpm" ! -name '*debug*' | head -1)
check "the RPM: ${rpmfile##*/}" test -n "$rpmfile"
files=$(rpm -qlp "$rpmfile" 2>/dev/null)
printf '%s\n' "$files" | sed 's/^/  rpm -qlp: /'
for f in /usr/bin/efadiag '/usr/share/man/man1/efadiag.1*' /usr/share/bash-completion/completions/efadiag; do
	hit=0
	# shellcheck disable=SC2053 # a pattern on purpose
	while IFS= read -r line; do [[ $line == $f ]] && hit=1; done <<<"$files"
	check "rpm -qlp: $f" test $hit -eq 1
done
check "the RPM's version is $version" test "$(rpm -qp --qf '%{VERSION}' "$rpmfile" 2>/dev/null)" = "$version"
requires=$(rpm -qp --requires "$rpmfile" 2>/dev/null)
grep -q '^libfabric\.so\.1()' <<<"$requires"
check "rpm -qp --requires: libfabric.so.1 ($(printf '%s\n' "$requires" | grep -c .) requirements)" test $? -eq 0
mkdir -p "$work/rpmroot"
(cd "$work/rpmroot" && rpm2cpio "$rpmfile" | cpio -idm --quiet 2>/dev/null)
rpm_dyn=$(readelf -d "$work/rpmroot/usr/bin/efadiag" 2>/dev/null)
rpm_rpath=$(sed -n 's/.*(RPATH) *Library rpath: \[\(.*\)\]/\1/p' <<<"$rpm_dyn")
[[ $rpm_rpath == /opt/amazon/efa/lib64:/opt/amazon/efa/lib* ]] && ! grep -q RUNPATH <<<"$rpm_dyn"
check "the RPM's binary: DT_RPATH '$rpm_rpath', no RUNPATH" test $? -eq 0

finish
