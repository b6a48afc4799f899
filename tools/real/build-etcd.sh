#!/usr/bin/env bash
# Builds etcd from go.etcd.io/etcd/server/v3 at the version pinned in tools/real/versions.json into
# the real-tools cache and prints the binary's path. The module's go.mod replaces its sibling
# modules with relative paths, which "go install module@version" refuses, so this builds it from a
# generated wrapper module that requires it; the siblings resolve to the releases it requires.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
module=$(real_pin etcd module)
version=$(real_pin etcd version)
bin="$real_cache/bin/etcd-$version"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
real_need_go build-etcd
work="$real_cache/src/etcd-$version"
mkdir -p "$work"
cd "$work"
printf 'module platform.local/real/etcd\n\ngo 1.23.0\n\nrequire %s %s\n' "$module" "$version" >go.mod
echo "build-etcd: building $module@$version (first run only)" >&2
# etcd's own build (scripts/build-binary.sh) stamps nothing the server needs at run time.
real_timed "etcd-$version" real_go build -trimpath -ldflags "-s -w" -o "$bin.tmp" "$module" >&2
mv "$bin.tmp" "$bin"
echo "$bin"
