#!/usr/bin/env bash
# Creates (once) the Python virtualenv .venv with the pinned tools the tests
# use: cfn-lint and checkov. Prints the venv's bin directory.
#
#   PATH="$(scripts/python-tools.sh):$PATH"
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BS_VENV:-$root/.venv}"
requirements="$root/scripts/requirements-test.txt"
stamp="$venv/.requirements.sha256"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "python-tools: installing $(grep -cv '^#' "$requirements") pinned tools into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  echo "$want" > "$stamp"
fi
echo "$venv/bin"
