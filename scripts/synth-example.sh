#!/usr/bin/env bash
# The main job, for now: build bs-synth and synthesize the three stacks of the example
# config into out/ (templates, manifest.json, and the assembly as out/assembly.json).
#
#   scripts/synth-example.sh [CONFIG]     # default configs/env-config.example.yaml
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
config="${1:-configs/env-config.example.yaml}"

echo "== building bs-synth (release)" >&2
cargo build --release --locked --quiet -p bs-synth

echo "== bs-synth --config $config --out out" >&2
mkdir -p out
./target/release/bs-synth --config "$config" --out out --verbose > out/assembly.json
echo "== done: out/" >&2
python3 - <<'PY'
import json
a = json.load(open("out/assembly.json"))
for s in a["stacks"]:
    print(f'{s["name"]}: {s["resource_count"]} resources, {s["template_bytes"]} bytes, '
          f'deploy parameters: {", ".join(s["parameters"]) or "none"}')
PY
