#!/usr/bin/env bash
# Promotes to STAGE (default: the config's last stage) the image the stage before
# it runs, with a status check before (the source stage must be healthy) and after
# (the target must become healthy; if not, the way back is printed).
#
#   scripts/promote-to-prod.sh [--config PATH] [STAGE]
#
# Tools from $BS_BIN if set, else from PATH. Exit: 0 promoted and healthy;
# 2 usage (an unknown stage, extra arguments); 6 a stage is not healthy (nothing
# promoted if it was the source); else the code of the tool that failed.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
take_config "$@"

if ((${#args[@]} > 1)) || [[ "${args[0]:-}" == -* ]]; then
  echo "usage: promote-to-prod.sh [--config PATH] [STAGE] (got: ${args[*]})" >&2
  exit 2
fi

# Stage names in config order, from bs-status's report (it reads the config).
# Exit 6 (not healthy) is expected here, only the order is read; any other
# failure (2 config, 3 AWS out of reach) is bs-status's, and its code is ours.
status=0
report="$("$(tool bs-status)" --config "$config" --json)" || status=$?
if ((status != 0 && status != 6)); then
  echo "promote-to-prod: bs-status failed (exit $status): nothing promoted" >&2
  exit "$status"
fi
names="$(printf '%s' "$report" | python3 -c 'import json, sys; print("\n".join(s["name"] for s in json.load(sys.stdin)["stages"]))')"
mapfile -t stages <<< "$names"
if [[ -z "$names" ]]; then
  echo "promote-to-prod: bs-status reported no stages for $config: nothing promoted" >&2
  exit 1
fi
target="${args[0]:-${stages[-1]}}"
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
