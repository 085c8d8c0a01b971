#!/usr/bin/env bash
# Creates (once, and again when its requirements change) a Python virtualenv with
# pinned tools, and prints its bin directory.
#
#   scripts/python-tools.sh lint        # .venv-lint: cfn-lint, checkov
#   scripts/python-tools.sh local-aws   # .venv-local-aws: moto[server], pytest, awscli
#
#   PATH="$(scripts/python-tools.sh lint):$PATH"
#
# Two venvs, because checkov and moto pin overlapping packages differently.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kind="${1:?usage: python-tools.sh lint|local-aws}"
requirements="$root/scripts/requirements-$kind.txt"
[[ -f "$requirements" ]] || { echo "python-tools: no $requirements" >&2; exit 2; }
venv="$root/.venv-$kind"
stamp="$venv/.requirements.sha256"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  # One installer at a time (tests start local AWS servers in parallel).
  exec 9> "$root/.venv-$kind.lock"
  flock 9
  if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    echo "python-tools: installing $requirements into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    echo "$want" > "$stamp"
  fi
fi
echo "$venv/bin"
