#!/usr/bin/env bash
# Builds the Pulumi kubernetes provider (pulumi-resource-kubernetes) from
# github.com/pulumi/pulumi-kubernetes/provider/v4 at the version pinned in tools/real/versions.json
# into the real-tools cache and prints the binary's path. Its main package embeds
# schema-embed.json and terraform-mapping-embed.json, which its generate.go writes from the
# schema.json and terraform-mapping.json beside it (the Makefile's "go generate" step), so the
# package is copied into a generated wrapper module, generated there, and built.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
module=$(real_pin pulumiKubernetes module)
version=$(real_pin pulumiKubernetes version)
register=$(real_pin pulumiKubernetes registerAs)
bin="$real_cache/bin/pulumi-resource-kubernetes-$version"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
real_need_go build-pulumi-kubernetes
work="$real_cache/src/pulumi-kubernetes-$version"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
real_go mod download -json "$module@$version" >download.json
dir=$(node -p "require('./download.json').Dir")
gomod=$(node -p "require('./download.json').GoMod")
{
  echo "module platform.local/real/pulumi-kubernetes"
  echo
  echo "go $(awk '$1 == "go" { print $2; exit }' "$gomod")"
  echo
  echo "require $module $version"
} >go.mod
mkdir cmd
cp "$dir/cmd/pulumi-resource-kubernetes/"*.go "$dir/cmd/pulumi-resource-kubernetes/"*.json cmd/
chmod -R u+w cmd
(cd cmd && VERSION=$register real_go run generate.go)
echo "build-pulumi-kubernetes: building $module/cmd/pulumi-resource-kubernetes@$version (first run only)" >&2
# The Makefile links the version into pkg/version.Version; the engine asks the plugin for it.
real_timed "pulumi-kubernetes-$version" real_go build -trimpath \
  -ldflags "-s -w -X $module/pkg/version.Version=$register" -o "$bin.tmp" ./cmd >&2
mv "$bin.tmp" "$bin"
echo "$bin"
