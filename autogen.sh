#!/bin/sh
# SPDX-License-Identifier: MIT
# Generates configure from configure.ac (a git checkout has none).
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf -fi
