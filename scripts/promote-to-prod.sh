#!/usr/bin/env bash
# Promotes to STAGE (default: the config's last stage) the image the stage before
# it runs, with a status check before (the source stage must be healthy) and after
# (the target must become healthy; if not, the way back is printed).
#
#   scripts/promote-to-prod.sh [--config PATH] [STAGE]
#
# Tools from $BS_BIN if set, else from PATH. Exit: 0 promoted and healthy;
# 6 a stage is not healthy (nothing promoted if it was the source); else
# bs-promote's code.
set -euo pipefail

config="${BS_CONFIG:-configs/env-config.yaml}"
if [[ "${1:-}" == "--config" ]]; then
  config="${2:?--config needs a path}"
  shift 2
fi
tool() { if [[ -n "${BS_BIN:-}" ]]; then printf '%s/%s' "$BS_BIN" "$1"; else printf '%s' "$1"; fi; }

# Stage names in config order, from bs-status's report (it reads the config).
# Exit 6 (not healthy) is expected here, only the order is read.
report="$("$(tool bs-status)" --config "$config" --json)" || [[ $? -eq 6 ]]
mapfile -t stages < <(printf '%s' "$report" | python3 -c 'import json, sys; print("\n".join(s["name"] for s in json.load(sys.stdin)["stages"]))')
target="${1:-${stages[-1]}}"
source=""
for i in "${!stages[@]}"; do
  if [[ "${stages[$i]}" == "$target" && $i -gt 0 ]]; then
    source="${stages[$((i - 1))]}"
  fi
done
if [[ -z "$source" ]]; then
  echo "promote-to-prod: $target is not a stage after another one in $config (stages: ${stages[*]})" >&2
  exit 2
fi

echo "== before: $source must be healthy" >&2
if ! "$(tool bs-status)" --config "$config" --stage "$source" --human >&2; then
  echo "promote-to-prod: $source is not healthy: nothing promoted" >&2
  exit 6
fi

echo "== bs-promote --to $target (the image $source runs)" >&2
"$(tool bs-promote)" --config "$config" --to "$target"

echo "== after: $target" >&2
if ! "$(tool bs-status)" --config "$config" --stage "$target" --human >&2; then
  echo "promote-to-prod: $target is not healthy after the promotion; to go back: bs-promote --rollback $target" >&2
  exit 6
fi
