#!/usr/bin/env bash
# Builds kustomize from its Go module at the version pinned in tools/real/versions.json into the
# real-tools cache (outside the repository) and prints the binary's path. A cached build is reused.
# Needs only Go and the Go module proxy; no release binary is downloaded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${PLATFORM_REAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-real}
module=$(node -p "require('$here/versions.json').kustomize.module")
version=$(node -p "require('$here/versions.json').kustomize.version")
bin="$cache/bin/kustomize-$version"
if [ ! -x "$bin" ]; then
  if [ "${PLATFORM_REAL_CACHED_ONLY:-}" = 1 ]; then
    echo "install-kustomize: not in the cache, and the build time budget is spent" >&2
    exit 3
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "install-kustomize: Go is not installed; install Go (https://go.dev/doc/install) to build kustomize $version" >&2
    exit 1
  fi
  mkdir -p "$cache/bin"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "install-kustomize: building $module@$version (first run only)" >&2
  GOBIN="$tmp" GOFLAGS=-mod=mod go install "$module@$version" >&2
  mv "$tmp/kustomize" "$bin"
fi
echo "$bin"
