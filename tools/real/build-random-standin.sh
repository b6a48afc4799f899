#!/usr/bin/env bash
# Builds the e2e loop's stand-in for the Pulumi random provider (tools/real/random-standin:
# RandomPassword only; the module proxy serves no github.com/pulumi/pulumi-random/provider/v4)
# into the real-tools cache and prints the binary's path. It reports the version
# @pulumi/random asks the engine for (versions.json randomStandin.registerAs).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
version=$(real_pin randomStandin registerAs)
real_build_own pulumi-resource-random "$real_here/random-standin" "-X main.version=$version"
