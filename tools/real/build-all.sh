#!/usr/bin/env bash
# Builds every real tool of the e2e loop (each reused from the cache when present) and writes
# what it has to <cache>/tools.json: per tool, its path, or why it could not be built (the
# last lines of its build log). A tool that fails does not stop the others: the e2e tests
# that need it say so by name and the rest run (test/e2e/tools.e2e.ts fails on a tool that
# failed to build; see below for one that ran out of time).
#
# PLATFORM_REAL_BUILD_DEADLINE (seconds since the epoch, optional; .ci/run sets it from the
# time CI has left): no build runs past it. A build still running then is stopped, and one
# not yet started is not started; each is recorded in tools.json as {"error", "budget": true}
# with how long it ran, the e2e tests that need it are skipped saying so, and the run is not
# failed for that alone. What a stopped build compiled stays in Go's build cache (go writes
# each package's result as it finishes), so the next run continues where this one stopped.
#
# The cheap tools build first, so that a cold run under a budget leaves the most tools built;
# one after the other, since each build already keeps every core busy (go build -p, lib.sh).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
tools=(kustomize etcd sim random-standin preview-standin talos-validate pulumi-kubernetes pulumi kubernetes)
deadline=${PLATFORM_REAL_BUILD_DEADLINE:-}
if [ -n "$deadline" ] && ! [[ $deadline =~ ^[0-9]+$ ]]; then
  echo "build-all: PLATFORM_REAL_BUILD_DEADLINE='$deadline' is not a time in seconds since the epoch; set it to e.g. \$((\$(date +%s) + 3600)) or unset it" >&2
  exit 2
fi
declare -A result
over=()
for tool in "${tools[@]}"; do
  script="$real_here/build-$tool.sh"
  [ "$tool" = kustomize ] && script="$real_here/install-kustomize.sh"
  log="$real_cache/log/build-$tool.log"
  start=$(date +%s)
  limit=()
  cachedOnly=
  if [ -n "$deadline" ]; then
    left=$((deadline - start))
    if [ "$left" -le 0 ]; then
      cachedOnly=1
    else
      # timeout signals its whole process group (go and its compilers) unless --foreground.
      limit=(timeout --signal=TERM --kill-after=20 "$left")
    fi
  fi
  out=$(PLATFORM_REAL_CACHED_ONLY=$cachedOnly "${limit[@]}" bash "$script" 2>"$log")
  rc=$?
  took=$(($(date +%s) - start))
  if [ "$rc" -eq 0 ]; then
    result[$tool]="ok:$out"
    echo "build-all: $tool: $out" >&2
  elif [ -n "$cachedOnly" ] && [ "$rc" -eq 3 ]; then
    result[$tool]="budget:not started: the build time budget (PLATFORM_REAL_BUILD_DEADLINE) was spent before its turn"
    over+=("$tool: not started (budget spent)")
    echo "build-all: $tool: NOT STARTED, the build time budget is spent" >&2
  elif [ -n "$deadline" ] && { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; }; then
    result[$tool]="budget:stopped after ${took}s by the build time budget (PLATFORM_REAL_BUILD_DEADLINE); what it compiled is kept in Go's build cache and the next run continues"
    over+=("$tool: stopped after ${took}s (budget spent)")
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $tool stopped-by-budget-after ${took}s" >>"$real_cache/log/timings.txt"
    echo "build-all: $tool: STOPPED after ${took}s, the build time budget is spent (log: $log)" >&2
  else
    reason=$(grep -v '^go: downloading' "$log" | tail -n 15)
    result[$tool]="failed:$reason"
    echo "build-all: $tool: FAILED after ${took}s (log: $log)" >&2
    printf '  %s\n' "$reason" >&2
  fi
done
if [ "${#over[@]}" -gt 0 ]; then
  {
    echo "build-all: ================================================================"
    echo "build-all: NOT BUILT FOR LACK OF TIME (the cache keeps the progress; the next run continues):"
    printf 'build-all:   %s\n' "${over[@]}"
    echo "build-all: the e2e tests that need these tools are skipped and name them"
    echo "build-all: ================================================================"
  } >&2
fi
# The script is JavaScript; its "$comment" is a JSON key, not a shell expansion.
# shellcheck disable=SC2016
for tool in "${tools[@]}"; do printf '%s\t%s\n' "$tool" "${result[$tool]}" | base64 -w0; echo; done |
  node -e '
    const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
    const out = {};
    for (const line of lines) {
      const text = Buffer.from(line, "base64").toString().replace(/\n$/, "");
      const tab = text.indexOf("\t");
      const [status, ...rest] = text.slice(tab + 1).split(":");
      const detail = rest.join(":");
      out[text.slice(0, tab)] =
        status === "ok" ? { path: detail } : status === "budget" ? { error: detail, budget: true } : { error: detail };
    }
    const unavailable = require(process.argv[1]).unavailable ?? {};
    for (const [name, why] of Object.entries(unavailable))
      if (name !== "$comment") out[name] = { error: why, unavailable: true };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  ' "$real_here/versions.json" >"$real_cache/tools.json"
echo "$real_cache/tools.json"
