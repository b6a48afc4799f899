#!/usr/bin/env bash
# The static checks of `npm test`, side by side: the type check, ESLint, Prettier and the build
# of bin/ (which the synth then runs) are independent and mostly single-threaded, so on two
# cores running them together takes about as long as the slowest. Each one's output is kept
# and printed after all have ended, failures in one piece, each under its name.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
names=()
start() {
  local name=$1
  shift
  names+=("$name")
  ("$@" >"$dir/$name.log" 2>&1; echo $? >"$dir/$name.rc") &
}
start typecheck tsc --noEmit -p tsconfig.json
start eslint eslint .
start prettier prettier --check .
start build npm run --silent build
wait
status=0
for name in "${names[@]}"; do
  if [ "$(cat "$dir/$name.rc")" != 0 ]; then
    echo "== $name failed:"
    cat "$dir/$name.log"
    status=1
  fi
done
exit "$status"
