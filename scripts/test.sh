#!/usr/bin/env bash
# Runs every test: shellcheck on every script; the Rust workspace's unit,
# golden, CLI and integration tests (the integration tests start their own local
# AWS, one per test, on free ports; tests/tests/backstage.rs starts a real
# Backstage backend with Node and PostgreSQL); the local AWS plugin's own tests; cfn-lint
# and checkov on every synthesized template; then, on the release build, the
# end-to-end demo (scripts/demo.sh, the README's main job) and every pipeline
# buildspec run as its CodeBuild project would run it (tests/buildspecs).
# Installs the pinned Python tools it needs into .venv-lint and .venv-local-aws,
# and Debian's shellcheck, on first use. This is the command in README.md and
# what .ci/run calls.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Each step's header says when it starts (seconds since the run began), so a
# slow step shows in the log.
step() { echo "== [${SECONDS}s] $*" >&2; }

step "Python tools"
scripts/python-tools.sh lint > /dev/null
scripts/python-tools.sh local-aws > /dev/null

step "shellcheck"
scripts/shellcheck.sh

step "bs-synth stays offline: no AWS SDK in its dependency tree"
if cargo tree --locked -p bs-synth -e normal --prefix none | grep -E '^aws-'; then
  echo "bs-synth must not depend on AWS SDK crates (see above)" >&2
  exit 1
fi

step "PostgreSQL's server for the real-Backstage test (tests/backstage; apt-get when missing)"
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null && ! command -v initdb > /dev/null; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq postgresql openssl >&2
fi

step "cargo test --workspace"
cargo test --workspace --locked

step "the local AWS's own tests (moto + scripts/local-aws plugin)"
.venv-local-aws/bin/python -m pytest scripts/local-aws -q -p no:cacheprovider

step "templates: cfn-lint and checkov"
scripts/lint-templates.sh

step "release build of the tools (the demo and the buildspecs run it)"
cargo build --release --locked --bins

step "end to end: scripts/demo.sh"
demo_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LOCAL_AWS_PORT="$demo_port" scripts/demo.sh

step "the pipelines' buildspecs, run as their CodeBuild projects (tests/buildspecs)"
.venv-local-aws/bin/python -m pytest tests/buildspecs -q -p no:cacheprovider
step "done"
