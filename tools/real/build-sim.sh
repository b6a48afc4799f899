#!/usr/bin/env bash
# Builds platform-sim, the simulated cluster of the e2e loop (tools/real/sim, our own Go
# module), into the real-tools cache and prints the binary's path.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
real_build_own platform-sim "$real_here/sim"
