#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler from k8s.io/kubernetes at the
# version pinned in tools/real/versions.json into the real-tools cache and prints the bin folder.
# k8s.io/kubernetes replaces its staging modules (k8s.io/api, k8s.io/client-go, ...) with paths
# inside its own repository, which a dependent module cannot follow, so this generates a wrapper
# module that replaces each one with its published v0.x release instead.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
module=$(real_pin kubernetes module)
version=$(real_pin kubernetes version)
staging=$(real_pin kubernetes staging)
out="$real_cache/kubernetes-$version"
if [ -x "$out/kube-apiserver" ] && [ -x "$out/kube-controller-manager" ] && [ -x "$out/kube-scheduler" ]; then
  echo "$out"
  exit 0
fi
real_need_go build-kubernetes
work="$real_cache/src/kubernetes-$version"
mkdir -p "$work"
echo "build-kubernetes: building $module@$version (first run only; about 7 minutes of CPU time after platform-sim)" >&2
cd "$work"
real_go mod download -json "$module@$version" >download.json
gomod=$(node -p "require('./download.json').GoMod")
{
  echo "module platform.local/real/kubernetes"
  echo
  echo "go $(awk '$1 == "go" { print $2; exit }' "$gomod")"
  echo
  echo "require $module $version"
  echo
  # Every "k8s.io/x => ./staging/src/k8s.io/x" of the upstream go.mod, pointed at its release.
  awk -v v="$staging" '$2 == "=>" && $3 ~ /^\.\/staging\// { print "replace " $1 " => " $1 " " v }' "$gomod"
} >go.mod
cmds=("$module/cmd/kube-apiserver" "$module/cmd/kube-controller-manager" "$module/cmd/kube-scheduler")
# Then each staging module the three commands import is required at its release instead of
# replaced: the same code, but Go's build cache keys a package by its module's required
# version (v0.0.0 under a replace, v0.33.5 when required: cmd/go/internal/work buildActionID,
# "module path@version" with -trimpath), so only this way are the k8s.io/api, apimachinery
# and client-go packages platform-sim compiled (built first) reused here. The staging modules
# nothing imports keep their replace: some (k8s.io/sample-cli-plugin) the proxy does not serve,
# and a required module's go.mod is always fetched.
used=$(real_go list -deps -f '{{with .Module}}{{if .Replace}}{{.Path}}{{end}}{{end}}' "${cmds[@]}" | sort -u)
awk -v used=" $(echo "$used" | tr '\n' ' ') " \
  '$1 == "replace" && index(used, " " $2 " ") { print "require " $2 " " $5; next } { print }' go.mod >go.mod.new
mv go.mod.new go.mod
# The version the API server reports (/version) and its clients see; upstream sets these with
# -X in hack/lib/version.sh (kube::version::ldflags), and without them it reports v0.0.0.
minor=${version#v1.}
minor=${minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
mkdir -p "$out.tmp"
real_timed "kubernetes-$version" real_go build -trimpath -ldflags "$ldflags" -o "$out.tmp/" "${cmds[@]}" >&2
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
