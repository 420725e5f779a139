#!/bin/sh
# SPDX-License-Identifier: MIT
# Quick start on a fresh machine: installs dependencies, builds efadiag, and runs two real
# diagnostics that need no EFA hardware (info and a loopback pingpong over the tcp provider).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -x configure ] || ./autogen.sh >/dev/null
[ -f Makefile ] || ./configure -q
make -s -j"$(nproc)"
echo
echo "== ./efadiag info -p tcp"
status=0
./efadiag info -p tcp || status=$?
echo
echo "== ./efadiag pingpong --loopback -p tcp"
./efadiag pingpong --loopback -p tcp -I 1000 || status=$?
exit $status
