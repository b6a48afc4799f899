#!/usr/bin/env bash
# Builds talos-validate (tools/real/talos-validate: Talos's config loader and Validate from
# github.com/siderolabs/talos/pkg/machinery at the version pinned in its go.mod, which
# versions.json names) into the real-tools cache and prints the binary's path.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
real_build_own talos-validate "$real_here/talos-validate"
