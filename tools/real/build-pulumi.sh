#!/usr/bin/env bash
# Builds the Pulumi CLI from github.com/pulumi/pulumi/pkg/v3/cmd/pulumi at the version pinned in
# tools/real/versions.json into the real-tools cache and prints the binary's path. pkg/v3's
# go.mod replaces sdk/v3 with ../sdk, which a dependent module cannot follow, so a generated
# wrapper module requires pkg/v3 and sdk/v3 at the same version (and keeps pkg/v3's other
# replace, its clipboard fork).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
module=$(real_pin pulumi module)
sdk=$(real_pin pulumi sdk)
version=$(real_pin pulumi version)
bin="$real_cache/bin/pulumi-$version"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
real_need_go build-pulumi
work="$real_cache/src/pulumi-$version"
mkdir -p "$work"
cd "$work"
real_go mod download -json "$module@$version" >download.json
gomod=$(node -p "require('./download.json').GoMod")
{
  echo "module platform.local/real/pulumi"
  echo
  echo "go $(awk '$1 == "go" { print $2; exit }' "$gomod")"
  echo
  echo "require ("
  echo "	$module $version"
  echo "	$sdk $version"
  echo ")"
  echo
  # pkg/v3's replaces other than its own sdk, e.g. github.com/atotto/clipboard => a fork.
  awk '$1 == "replace" && $4 != "../sdk" { print }' "$gomod"
} >go.mod
echo "build-pulumi: building $module/cmd/pulumi@$version (first run only)" >&2
# The version the CLI reports: pkg/Makefile links it into sdk/v3/go/common/version.Version, and
# the Automation API refuses a CLI whose "pulumi version" it cannot parse.
real_timed "pulumi-$version" real_go build -trimpath \
  -ldflags "-s -w -X $sdk/go/common/version.Version=$version" -o "$bin.tmp" "$module/cmd/pulumi" >&2
mv "$bin.tmp" "$bin"
echo "$bin"
