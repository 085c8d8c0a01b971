#!/usr/bin/env bash
# Deletes the three stacks of the config (the backstage stack first, then the
# pipeline stack, then the bootstrap stack with the roles). Databases end in a final snapshot; the ECR repository and the artifact
# buckets are retained (bs-deploy lists what stays). Asks first on a terminal;
# --yes to run unattended.
#
#   scripts/teardown.sh [--config PATH] [--yes]
#
# Tools from $BS_BIN if set, else from PATH. Exit: bs-deploy's code.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
take_config "$@"

assembly="$(mktemp -d)"
trap 'rm -rf "$assembly"' EXIT
# Through a directory, not a pipe: bs-deploy asks for confirmation on the terminal.
"$(tool bs-synth)" --config "$config" --out "$assembly" > /dev/null
"$(tool bs-deploy)" --assembly "$assembly" --destroy "${args[@]}"
