#!/usr/bin/env bash
# The main job, end to end on the local AWS, in a few minutes on a fresh clone:
# build the tools, start the local AWS (moto + plugin), bootstrap it from the
# example config, synthesize and deploy the three stacks (the pipeline and
# backstage stacks through the bootstrap stack's CloudFormation role, as the
# pipeline does), put images into the local ECR, promote them through every
# stage with bs-status before and after, roll the last stage back, tear the
# stacks down, and stop the local AWS.
# Exits non-zero at the first failure and says where.
#
#   scripts/demo.sh [CONFIG]      # default configs/env-config.example.yaml
#
# LOCAL_AWS_PORT picks the port (default 4566). The demo runs its own local AWS
# (LOCAL_AWS_DIR, default .local-aws/demo) and stops only that one, never a
# server started from another directory. BS_PROFILE=dev uses the debug build;
# default release.
#
# moto's pipelines never run, so nothing waits at an approval gate here: the
# approval path (bs-promote --approve/--reject) is covered by bs-promote's tests.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
config="${1:-configs/env-config.example.yaml}"
profile="${BS_PROFILE:-release}"
export LOCAL_AWS_DIR="${LOCAL_AWS_DIR:-$root/.local-aws/demo}"
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
# Runs a command that is expected to exit with one of the given codes.
expect() {
  local codes="$1" status=0
  shift
  "$@" || status=$?
  if [[ " $codes " != *" $status "* ]]; then
    echo "demo: expected exit $codes, got $status: $*" >&2
    return 1
  fi
}

say "building the bs tools ($profile)"
# All the bins, as scripts/test.sh and the buildspecs build them: one feature
# set, so a build done by one of them is reused by the others.
cargo build --profile "$profile" --locked --quiet --bins
if [[ "$profile" == dev ]]; then bin="$root/target/debug"; else bin="$root/target/$profile"; fi
export BS_BIN="$bin"
mkdir -p "$root/.local-aws"

say "starting the local AWS"
eval "$(scripts/local-aws.sh start)"
aws="$root/.venv-local-aws/bin/aws"

say "bs-bootstrap --check (a new account: everything missing)"
expect "1" "$bin/bs-bootstrap" --config "$config" --check > /dev/null

say "bs-bootstrap (demo secret values from BS_SECRET_* variables; never printed)"
# Demo values only. With a real account, give real ones the same way, or with
# --secret-file NAME=PATH, or type them when asked.
export BS_SECRET_BACKSTAGE_GITHUB_APP='appId: 1'
export BS_SECRET_BACKSTAGE_TEST_GITHUB_AUTH='{"id": "demo-client-id", "secret": "demo-client-secret"}'
export BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH='{"id": "demo-client-id", "secret": "demo-client-secret"}'
export BS_SECRET_BACKSTAGE_AWS_AUTH='{"id": "demo-key-id", "secret": "demo-key-secret"}'
export BS_SECRET_BACKSTAGE_GITHUB_TOKEN='{"secret": "demo-token"}'
"$bin/bs-bootstrap" --config "$config" --events lines --poll-interval 0.5 > "$root/.local-aws/bootstrap.json"

# The role CloudFormation assumes, from the bootstrap stack bs-bootstrap deployed.
read -r bootstrap_stack bootstrap_region <<< "$("$bin/bs-synth" --config "$config" --quiet | python3 -c 'import json, sys
s = json.load(sys.stdin)["stacks"][0]
print(s["name"], s["region"])')"
role="$("$aws" cloudformation describe-stacks --region "$bootstrap_region" --stack-name "$bootstrap_stack" --output text \
  --query "Stacks[0].Outputs[?OutputKey=='CloudFormationRoleArn'].OutputValue")"

say "scripts/deploy-all.sh: bs-synth | bs-deploy --role-arn $role, the three stacks, then bs-status"
scripts/deploy-all.sh --config "$config" --role-arn "$role" --events lines --poll-interval 0.5 > "$root/.local-aws/first-deploy.json"

say "deploy again: nothing changed (NO_CHANGES)"
"$bin/bs-synth" --config "$config" | "$bin/bs-deploy" --events lines --poll-interval 0.5 > "$root/.local-aws/redeploy.json"
python3 - "$root/.local-aws/redeploy.json" <<'PY'
import json, sys
for s in json.load(open(sys.argv[1]))["stacks"]:
    assert s["status"] == "NO_CHANGES", s
    print(f'{s["name"]}: {s["status"]}')
PY

say "bs-status before any promotion (exit 6: no stage runs an image yet)"
expect "6" "$bin/bs-status" --config "$config" --human

# An image in the local ECR: a minimal manifest, its config and layer distinct per tag
# (moto derives the image digest from the layers)
# (what `docker push` from the app pipeline's build would leave there).
push_image() {
  local tag="$1" config_digest
  config_digest="sha256:$(printf '%s' "$tag" | sha256sum | cut -c1-64)"
  "$aws" ecr put-image --region "$region" --repository-name "$repository" --image-tag "$tag" --output text \
    --query 'image.imageId.imageDigest' --image-manifest \
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":1,\"digest\":\"$config_digest\"},\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":1,\"digest\":\"$config_digest\"}]}"
}

# The stack, region and stages (config order) from bs-status's report; the ECR
# repository from the stack's outputs.
read -r stack region names <<< "$("$bin/bs-status" --config "$config" --json | python3 -c 'import json, sys
r = json.load(sys.stdin)
print(r["stack_name"], r["region"], " ".join(s["name"] for s in r["stages"]))')"
read -r -a names <<< "$names"
if [[ -z "${stack:-}" || -z "${region:-}" || ${#names[@]} -eq 0 ]]; then
  echo "demo: bs-status --json gave no stack, region or stages" >&2
  exit 1
fi
repository="$("$aws" cloudformation describe-stacks --region "$region" --stack-name "$stack" --output text \
  --query "Stacks[0].Outputs[?OutputKey=='RepositoryUri'].OutputValue")"
repository="${repository#*/}"

say "images v1 and v2 into the local ECR repository $repository"
echo "v1: $(push_image v1)" >&2
echo "v2: $(push_image v2)" >&2

say "v1 through every stage: bs-promote --to ${names[0]} --image v1, then each next stage"
"$bin/bs-promote" --config "$config" --to "${names[0]}" --image v1 --events lines --poll-interval 0.5 > "$root/.local-aws/promote.json"
for stage in "${names[@]:1}"; do
  "$bin/bs-promote" --config "$config" --to "$stage" --events lines --poll-interval 0.5 >> "$root/.local-aws/promote.json"
done

say "bs-status after: every stage healthy, running v1 by digest"
"$bin/bs-status" --config "$config" --human

say "v2 to ${names[0]}, then scripts/promote-to-prod.sh for each next stage (status checked before and after)"
"$bin/bs-promote" --config "$config" --to "${names[0]}" --image v2 --events lines --poll-interval 0.5 >> "$root/.local-aws/promote.json"
for stage in "${names[@]:1}"; do
  scripts/promote-to-prod.sh --config "$config" "$stage" >> "$root/.local-aws/promote.json"
done

last="${names[-1]}"
say "bs-promote --rollback $last: back to v1"
"$bin/bs-promote" --config "$config" --rollback "$last" --events lines --poll-interval 0.5 >> "$root/.local-aws/promote.json"
"$bin/bs-status" --config "$config" --json > "$root/.local-aws/status.json"
python3 - "$root/.local-aws/status.json" "$last" <<'PY'
import json, sys
report, last = json.load(open(sys.argv[1])), sys.argv[2]
assert report["health"] == "healthy", report["health"]
for s in report["stages"]:
    print(f'{s["name"]:<10} {s["health"]:<9} {s["url"]:<40} {s["image"]["running"]}')
digests = {s["name"]: s["image"]["digest"] for s in report["stages"]}
assert len(set(digests.values())) == 2 and digests[last] != digests[report["stages"][0]["name"]], digests
PY

say "scripts/teardown.sh --yes: the three stacks deleted"
scripts/teardown.sh --config "$config" --yes --events lines --poll-interval 0.5 > "$root/.local-aws/teardown.json"
expect "6" "$bin/bs-status" --config "$config" --json > /dev/null

step="stopping the local AWS"
echo >&2
echo "demo: OK" >&2
