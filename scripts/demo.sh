#!/usr/bin/env bash
# The main job, end to end on the local AWS: build the tools, start the local AWS
# (moto + plugin), bootstrap the account (hosted zone, staging bucket, secrets
# with demo values, the pipeline stack), synthesize both stacks and deploy them,
# deploy again (no changes), show the stacks' outputs, and stop the local AWS.
# Exits non-zero at the first failure and says where.
#
#   scripts/demo.sh [CONFIG]      # default configs/env-config.example.yaml
#
# LOCAL_AWS_PORT picks the port (default 4566).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
config="${1:-configs/env-config.example.yaml}"
step=""
on_exit() {
  local status=$?
  if [[ $status -ne 0 ]]; then
    echo "demo: FAILED at: $step (exit $status)" >&2
  fi
  scripts/local-aws.sh stop >/dev/null 2>&1 || true
}
trap on_exit EXIT

say() { step="$*"; printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

say "building bs-synth, bs-deploy and bs-bootstrap (release)"
cargo build --release --locked --quiet -p bs-synth -p bs-deploy -p bs-bootstrap
bin="$root/target/release"

say "starting the local AWS"
eval "$(scripts/local-aws.sh start)"

say "bs-bootstrap --check (a new account: everything missing)"
"$bin/bs-bootstrap" --config "$config" --check > /dev/null || echo "(not ready, as expected)" >&2

say "bs-bootstrap (demo secret values from BS_SECRET_* variables; never printed)"
# Demo values only. With a real account, give real ones the same way, or with
# --secret-file NAME=PATH, or type them when asked.
export BS_SECRET_BACKSTAGE_GITHUB_APP='appId: 1'
export BS_SECRET_BACKSTAGE_TEST_GITHUB_AUTH='{"id": "demo-client-id", "secret": "demo-client-secret"}'
export BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH='{"id": "demo-client-id", "secret": "demo-client-secret"}'
export BS_SECRET_BACKSTAGE_AWS_AUTH='{"id": "demo-key-id", "secret": "demo-key-secret"}'
export BS_SECRET_BACKSTAGE_GITHUB_TOKEN='{"secret": "demo-token"}'
"$bin/bs-bootstrap" --config "$config" --events lines --poll-interval 0.5 > "$root/.local-aws/bootstrap.json"

say "bs-synth | bs-deploy (first deploy of both stacks)"
"$bin/bs-synth" --config "$config" | "$bin/bs-deploy" --events lines --poll-interval 0.5 > "$root/.local-aws/first-deploy.json"

say "bs-synth | bs-deploy again (nothing changed: NO_CHANGES)"
"$bin/bs-synth" --config "$config" | "$bin/bs-deploy" --events lines --poll-interval 0.5 > "$root/.local-aws/redeploy.json"

say "result"
python3 - "$root/.local-aws/first-deploy.json" "$root/.local-aws/redeploy.json" <<'PY'
import json, sys
first, again = (json.load(open(p))["stacks"] for p in sys.argv[1:3])
for f, a in zip(first, again):
    print(f'{f["name"]}: {f["status"]} ({f["changes"]["add"]} resources, {f["duration_seconds"]} s), then {a["status"]}')
    for k, v in sorted(f["outputs"].items()):
        if k.startswith(("Url", "ServiceName", "PipelineName", "AppPipelineName")):
            print(f"    {k} = {v}")
PY
step="stopping the local AWS"
