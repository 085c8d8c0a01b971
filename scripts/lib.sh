# shellcheck shell=bash
# Shared by the scripts a platform team runs by hand (deploy-all.sh,
# promote-to-prod.sh, teardown.sh): where the tools are, and their --config.
# Sourced, not run.

# The path of a bs tool: $BS_BIN/NAME when BS_BIN is set, else NAME (from PATH).
tool() {
  if [[ -n "${BS_BIN:-}" ]]; then printf '%s/%s' "$BS_BIN" "$1"; else printf '%s' "$1"; fi
}

# Takes `--config PATH` (or `--config=PATH`) from anywhere in the arguments:
# sets `config` (else $BS_CONFIG, else configs/env-config.yaml, as the tools do)
# and `args`, the other arguments in their order. Exit 2 when PATH is missing.
# shellcheck disable=SC2034 # config and args are the sourcing script's
take_config() {
  config="${BS_CONFIG:-configs/env-config.yaml}"
  args=()
  while (($#)); do
    case "$1" in
      --config)
        if (($# < 2)); then
          echo "$(basename "$0"): --config needs a path" >&2
          exit 2
        fi
        config="$2"
        shift 2
        ;;
      --config=*)
        config="${1#--config=}"
        shift
        ;;
      *)
        args+=("$1")
        shift
        ;;
    esac
  done
}
