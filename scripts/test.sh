#!/usr/bin/env bash
# Runs every test: shellcheck on every script; the Rust workspace's unit,
# golden, CLI and integration tests (the integration tests start their own local
# AWS, one per test, on free ports); the local AWS plugin's own tests; cfn-lint
# and checkov on every synthesized template; then, on the release build, the
# end-to-end demo (scripts/demo.sh, the README's main job) and every pipeline
# buildspec run as its CodeBuild project would run it (tests/buildspecs).
# Installs the pinned Python tools it needs into .venv-lint and .venv-local-aws,
# and Debian's shellcheck, on first use. This is the command in README.md and
# what .ci/run calls.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== Python tools" >&2
scripts/python-tools.sh lint > /dev/null
scripts/python-tools.sh local-aws > /dev/null

echo "== shellcheck" >&2
scripts/shellcheck.sh

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

echo "== release build of the tools (the demo and the buildspecs run it)" >&2
cargo build --release --locked --bins

echo "== end to end: scripts/demo.sh" >&2
demo_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LOCAL_AWS_PORT="$demo_port" scripts/demo.sh

echo "== the pipelines' buildspecs, run as their CodeBuild projects (tests/buildspecs)" >&2
.venv-local-aws/bin/python -m pytest tests/buildspecs -q -p no:cacheprovider
