#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what efadiag needs to build and to run its test suite, on Debian/Ubuntu (apt-get)
# or Amazon Linux/RHEL (dnf or yum). Run as root or with sudo available.
set -eu

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi

if command -v apt-get >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends \
		build-essential autoconf automake libtool pkg-config \
		libfabric-dev libfabric-bin libibverbs-dev rdma-core ibverbs-providers \
		libcjson-dev bash-completion jq iproute2 nftables procps \
		valgrind clang libclang-rt-14-dev man-db \
		libpmix-dev openmpi-bin slurmctld slurmd slurm-client munge \
		libmicrohttpd-dev curl prometheus python3 \
		python3-yaml python3-kubernetes python3-jsonschema \
		dpkg-dev debhelper lintian rpm cpio >/dev/null # the last line: scripts/ci-packages.sh
	# A real browser, for tests/mesh-picture.sh (headless Chromium draws mesh --html's page,
	# about 2 s): Debian's package; Ubuntu has only a snap, and the test then skips that part.
	$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
		echo "install-deps: chromium not installed: tests/mesh-picture.sh skips its browser part" >&2
	# kubectl, for tests/k8s-manifests.sh (kubectl kustomize). Debian's kubernetes-client
	# ships /usr/bin/kubectl, which a kubectl already installed (from Google's or the
	# Kubernetes project's packages) owns too: keep that one, and never fail the rest on it.
	if ! command -v kubectl >/dev/null 2>&1; then
		$SUDO apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null ||
			echo "install-deps: kubernetes-client not installed: tests/k8s-manifests.sh will skip" >&2
	fi
elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then
	PM=$(command -v dnf || command -v yum)
	# No prometheus package here: tests/stats-listen.sh skips its Prometheus server part.
	$SUDO "$PM" install -y gcc make autoconf automake libtool pkgconfig \
		libfabric-devel libfabric rdma-core-devel cjson-devel bash-completion jq \
		iproute nftables valgrind pmix-devel openmpi libmicrohttpd-devel curl python3
else
	echo "install-deps: no apt-get, dnf or yum here; install libfabric, rdma-core," \
	     "libcjson and autotools by hand" >&2
	exit 1
fi
