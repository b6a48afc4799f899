#!/usr/bin/env bash
# Builds the e2e loop's preview-only stand-in for the hcloud, command and proxmoxve providers
# (tools/real/preview-standin; the module proxy serves none of their provider modules) into the
# real-tools cache and prints the binary's path. One binary, installed under each provider's
# name; it reports the version each SDK asks the engine for (versions.json
# previewStandin.registerAs) and refuses anything but a preview.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
versions=$(node -p "Object.entries(require('$real_here/versions.json').previewStandin.registerAs).map(([k, v]) => k + '=' + v).join(',')")
real_build_own pulumi-resource-preview-standin "$real_here/preview-standin" "-X main.versions=$versions"
