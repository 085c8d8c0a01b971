#!/usr/bin/env bash
# Runs shellcheck on every shell script of the repository. Installs Debian's
# package (apt-get) first if it is missing, with sudo when not root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v shellcheck >/dev/null 2>&1; then
  echo "shellcheck: installing Debian's shellcheck package" >&2
  sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq shellcheck >&2
fi

mapfile -t files < <(git ls-files -co --exclude-standard '*.sh' .ci/run)
shellcheck --version | sed -n 2p >&2
shellcheck "${files[@]}"
echo "shellcheck: ${#files[@]} scripts clean" >&2
