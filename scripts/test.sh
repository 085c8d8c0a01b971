#!/usr/bin/env bash
# Runs every test: the Rust workspace's unit, golden, CLI and integration tests
# (the integration tests start their own local AWS, one per test, on free ports),
# the local AWS plugin's own tests, then cfn-lint and checkov on every
# synthesized template. Installs the pinned Python tools it needs into
# .venv-lint and .venv-local-aws on first use. This is the command in README.md
# and what .ci/run calls.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== Python tools" >&2
scripts/python-tools.sh lint > /dev/null
scripts/python-tools.sh local-aws > /dev/null

echo "== bs-synth stays offline: no AWS SDK in its dependency tree" >&2
if cargo tree --locked -p bs-synth -e normal --prefix none | grep -E '^aws-'; then
  echo "bs-synth must not depend on AWS SDK crates (see above)" >&2
  exit 1
fi

echo "== cargo test --workspace" >&2
cargo test --workspace --locked

echo "== the local AWS's own tests (moto + scripts/local-aws plugin)" >&2
.venv-local-aws/bin/python -m pytest scripts/local-aws -q -p no:cacheprovider

echo "== templates: cfn-lint and checkov" >&2
scripts/lint-templates.sh
