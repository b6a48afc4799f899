#!/usr/bin/env bash
# Shared helpers of the tools/real build scripts: the cache directory, the pins in versions.json,
# a niced Go, and a log of how long each build took. Sourced, never run.
# shellcheck disable=SC2034
real_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
real_cache=${PLATFORM_REAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-real}
mkdir -p "$real_cache/bin" "$real_cache/log"

# real_pin TOOL FIELD: one field of one pin in versions.json.
real_pin() {
  node -p "const v = require('$real_here/versions.json')['$1']; if (!v || v['$2'] === undefined) { throw new Error('versions.json has no $1.$2'); } v['$2']"
}

# real_need_go NAME: called where a build starts (nothing cached); fails with a message naming
# the tool when Go is missing, and exits 3 when PLATFORM_REAL_CACHED_ONLY=1 (build-all.sh, once
# the build time budget is spent: only what the cache has is used).
real_need_go() {
  if [ "${PLATFORM_REAL_CACHED_ONLY:-}" = 1 ]; then
    echo "$1: not in the cache, and the build time budget is spent" >&2
    exit 3
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "$1: Go is not installed; install Go (https://go.dev/doc/install) to build it" >&2
    exit 1
  fi
}

# real_go ARGS...: go at the lowest priority (the machine is shared with everything else),
# compiling as many packages at once as there are cores (PLATFORM_REAL_GO_JOBS overrides); the
# module cache and the build cache are Go's own, so a second build reuses every compiled
# package, and every build here uses the same flags (CGO off, -trimpath) so that the tools
# share, in that cache, the packages they have in common at the same version (platform-sim and
# the Kubernetes binaries: k8s.io/api, apimachinery, client-go v0.33.5).
# The compiler writes no DWARF (-gcflags=all=-dwarf=false): every binary is linked with -s -w,
# which drops the symbol table and DWARF anyway, so it was compiled only to be thrown away;
# without it a cold build took 15% less CPU (etcd: 73 s instead of 87 s) and 11% less
# (platform-sim: 184 s instead of 207 s), and the binaries have the same code size (they differ
# only in the build settings they record). The flag is part of the build cache key: packages
# compiled before it was set are compiled again once.
real_go() {
  nice -n 19 env GOFLAGS="-mod=mod -p=${PLATFORM_REAL_GO_JOBS:-$(nproc)} -buildvcs=false -gcflags=all=-dwarf=false" CGO_ENABLED=0 go "$@"
}

# real_timed NAME COMMAND...: runs COMMAND and appends to the timing log "NAME <wall>s", then
# the CPU seconds it took (user+sys of every process it ran: what the load of other jobs does
# not inflate; on N idle cores a build takes about CPU/N plus its serial steps, such as links),
# the 1-minute load average before and after, and the core count.
real_timed() {
  local name=$1 load0 load1 times wall user sys rc=0 TIMEFORMAT='%R %U %S'
  shift
  times="$real_cache/log/.time-$name.$$"
  load0=$(real_load)
  # bash's time keyword reports on the group's stderr (the file); the command's own stderr
  # goes to fd 3, the caller's stderr.
  { time "$@" 2>&3; } 3>&2 2>"$times" || rc=$?
  load1=$(real_load)
  read -r wall user sys <"$times"
  rm -f "$times"
  [ "$rc" -eq 0 ] || return "$rc"
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $name ${wall%.*}s cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", u + s }')s load=$load0->$load1 cores=$(nproc)" >>"$real_cache/log/timings.txt"
  echo "$name: built in ${wall%.*}s (CPU ${user%.*}s user, ${sys%.*}s system)" >&2
}

# real_load: the 1-minute load average ("?" where /proc/loadavg is missing).
real_load() {
  { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'; } | head -n1
}

# real_build_own NAME DIR [LDFLAGS]: builds one of our own Go modules under tools/real into
# the cache, named by a hash of its sources (an edit rebuilds, an unchanged tree is reused), and
# prints the binary's path.
real_build_own() {
  local name=$1 src=$2 ldflags=${3:-} hash bin
  hash=$(cd "$src" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)
  bin="$real_cache/bin/$name-$hash"
  if [ ! -x "$bin" ]; then
    real_need_go "$name"
    echo "$name: building (first run only)" >&2
    (cd "$src" && real_timed "$name" real_go build -trimpath -ldflags "-s -w $ldflags" -o "$bin.tmp" . >&2)
    mv "$bin.tmp" "$bin"
  fi
  echo "$bin"
}
