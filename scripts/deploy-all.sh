#!/usr/bin/env bash
# Synthesizes the three stacks from the config and deploys them (bootstrap,
# pipeline, backstage), then shows bs-status: what the infrastructure pipeline does, from a
# laptop. Extra arguments go to bs-deploy (--preview, --role-arn ARN, ...).
#
#   scripts/deploy-all.sh [--config PATH] [bs-deploy flags...]
#
# Tools from $BS_BIN if set, else from PATH. Exit: bs-deploy's code (docs/exit-codes.md).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
take_config "$@"

"$(tool bs-synth)" --config "$config" | "$(tool bs-deploy)" "${args[@]}"
# The status for people; its verdict does not fail the deploy (stages without an
# image yet are "unhealthy" until their first promotion).
"$(tool bs-status)" --config "$config" --human >&2 || true
