#!/usr/bin/env bash
# The main job, end to end on the local AWS: build the tools, start the local AWS
# (moto + plugin), create the hosted zone the example config names, synthesize
# both stacks and deploy them, deploy again (no changes), show the stacks'
# outputs, and stop the local AWS. Exits non-zero at the first failure and says
# where.
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

say "building bs-synth and bs-deploy (release)"
cargo build --release --locked --quiet -p bs-synth -p bs-deploy
bin="$root/target/release"

say "starting the local AWS"
eval "$(scripts/local-aws.sh start)"
aws_cli="$(scripts/python-tools.sh local-aws)/aws"

say "creating the hosted zones the config names (bs-bootstrap will do this)"
for domain in $("$bin/bs-synth" --config "$config" --quiet |
  python3 -c 'import json,sys; print("\n".join(sorted({p["domain"] for s in json.load(sys.stdin)["stacks"] for p in s["parameters"].values() if p["kind"] == "hosted-zone-id"})))'); do
  "$aws_cli" route53 create-hosted-zone --name "$domain" --caller-reference "demo-$domain" \
    --query 'HostedZone.Id' --output text >&2
done

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
