#!/usr/bin/env bash
# Builds every real tool of the e2e loop (each reused from the cache when present) and writes
# what it has to <cache>/tools.json: per tool, its path, or why it could not be built (the
# last lines of its build log). A tool that fails does not stop the others: the e2e tests
# that need it say so by name and the rest run.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
tools=(etcd kubernetes pulumi pulumi-kubernetes random-standin sim talos-validate kustomize)
declare -A result
for tool in "${tools[@]}"; do
  script="$real_here/build-$tool.sh"
  [ "$tool" = kustomize ] && script="$real_here/install-kustomize.sh"
  log="$real_cache/log/build-$tool.log"
  if out=$(bash "$script" 2>"$log"); then
    result[$tool]="ok:$out"
    echo "build-all: $tool: $out" >&2
  else
    reason=$(grep -v '^go: downloading' "$log" | tail -n 15)
    result[$tool]="failed:$reason"
    echo "build-all: $tool: FAILED (log: $log)" >&2
    printf '  %s\n' "$reason" >&2
  fi
done
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
      out[text.slice(0, tab)] = status === "ok" ? { path: rest.join(":") } : { error: rest.join(":") };
    }
    const unavailable = require(process.argv[1]).unavailable ?? {};
    for (const [name, why] of Object.entries(unavailable)) if (name !== "$comment") out[name] = { error: why };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  ' "$real_here/versions.json" >"$real_cache/tools.json"
echo "$real_cache/tools.json"
