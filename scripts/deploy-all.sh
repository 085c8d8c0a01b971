#!/usr/bin/env bash
# Synthesizes both stacks from the config and deploys them (the pipeline stack
# first), then shows bs-status: what the infrastructure pipeline does, from a
# laptop. Extra arguments go to bs-deploy (--preview, --role-arn ARN, ...).
#
#   scripts/deploy-all.sh [--config PATH] [bs-deploy flags...]
#
# Tools from $BS_BIN if set, else from PATH. Exit: bs-deploy's code (docs/exit-codes.md).
set -euo pipefail

config="${BS_CONFIG:-configs/env-config.yaml}"
if [[ "${1:-}" == "--config" ]]; then
  config="${2:?--config needs a path}"
  shift 2
fi
tool() { if [[ -n "${BS_BIN:-}" ]]; then printf '%s/%s' "$BS_BIN" "$1"; else printf '%s' "$1"; fi; }

"$(tool bs-synth)" --config "$config" | "$(tool bs-deploy)" "$@"
# The status for people; its verdict does not fail the deploy (stages without an
# image yet are "unhealthy" until their first promotion).
"$(tool bs-status)" --config "$config" --human >&2 || true
