#!/usr/bin/env bash
# Builds platform-sim, the simulated cluster of the e2e loop (tools/real/sim, our own Go
# module), into the real-tools cache and prints the binary's path. The binary is named by a
# hash of its sources, so an edit rebuilds it and an unchanged tree reuses it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
src="$real_here/sim"
hash=$(cd "$src" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)
bin="$real_cache/bin/platform-sim-$hash"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
real_need_go build-sim
echo "build-sim: building platform-sim" >&2
cd "$src"
real_timed "platform-sim" real_go build -trimpath -ldflags "-s -w" -o "$bin.tmp" . >&2
mv "$bin.tmp" "$bin"
echo "$bin"
