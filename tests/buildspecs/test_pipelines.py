"""The two pipelines' CodeBuild steps, run for real on the local AWS.

Every buildspec runs as the deployed CodeBuild project would run it (codebuild.py:
the project's buildspec and variables as the stacks deployed them, the pipeline
action's variables, secrets from the local Secrets Manager), with the bs tools
and the AWS CLI against the local AWS. Only ``docker`` is a stand-in
(docker_shim.py, the local ECR as registry): there is no Docker daemon here.

Order matters (one account, built up step by step), as in the pipelines:
bootstrap → infra pipeline (Synth, UpdatePipeline, Deploy) → app pipeline
(Build, then Deploy-<stage>/Promote for each stage). moto runs no pipeline, so the
steps are started here, in the pipeline's order, with the pipeline's action
configuration read from the local AWS.

The local AWS authorizes every request against IAM, as AWS does (moto's
INITIAL_NO_AUTH_ACTION_COUNT with the plugin's localaws/iam_auth.py): the test
itself acts as an administrator user (bs-bootstrap, bs-status, its own reads),
and each buildspec runs with the credentials of its project's service role, so a
call the role may not make fails the build with AccessDenied.

    .venv-local-aws/bin/python -m pytest tests/buildspecs -q

Needs the release build of the tools (scripts/test.sh builds it first; the infra
buildspec's own `cargo build --release` then has nothing left to do).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import socket
import stat
import subprocess
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest

from codebuild import BuildFailed, LocalCodeBuild

REPO = Path(__file__).resolve().parents[2]
CONFIG = "configs/env-config.example.yaml"
RELEASE = REPO / "target" / "release"
SECRETS = {
    "BS_SECRET_BACKSTAGE_GITHUB_APP": "appId: 4242\nprivateKey: not-a-real-key-buildspec-test",
    "BS_SECRET_BACKSTAGE_TEST_GITHUB_AUTH": '{"id": "client-id", "secret": "client-secret"}',
    "BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH": '{"id": "client-id", "secret": "client-secret"}',
    "BS_SECRET_BACKSTAGE_AWS_AUTH": '{"id": "key-id", "secret": "key-secret"}',
    "BS_SECRET_BACKSTAGE_GITHUB_TOKEN": '{"secret": "token"}',
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The requests that make the administrator: the server lets exactly these through
# unchecked (INITIAL_NO_AUTH_ACTION_COUNT), then authorizes every request.
ADMIN_SETUP = ("CreateUser", "PutUserPolicy", "CreateAccessKey")


def administrator(aws_env: dict[str, str]) -> dict[str, str]:
    """Creates the IAM user ``administrator`` (every action) within the unchecked
    requests; returns its AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."""
    iam = boto3.client(
        "iam",
        endpoint_url=aws_env["AWS_ENDPOINT_URL"],
        aws_access_key_id=aws_env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=aws_env["AWS_SECRET_ACCESS_KEY"],
        region_name=aws_env["AWS_REGION"],
    )
    iam.create_user(UserName="administrator")
    iam.put_user_policy(
        UserName="administrator",
        PolicyName="everything",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    )
    key = iam.create_access_key(UserName="administrator")["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    state = tmp_path_factory.mktemp("local-aws")
    env = dict(
        os.environ,
        LOCAL_AWS_PORT=str(free_port()),
        LOCAL_AWS_DIR=str(state),
        INITIAL_NO_AUTH_ACTION_COUNT=str(len(ADMIN_SETUP)),
    )
    out = subprocess.run(["bash", str(REPO / "scripts/local-aws.sh"), "start"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    aws_env = {"LOCAL_AWS_VENV_BIN": str(REPO / ".venv-local-aws" / "bin"), "AWS_EC2_METADATA_DISABLED": "true"}
    for line in out.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        aws_env[key] = value.strip("'\"")
    aws_env.update(administrator(aws_env))
    session = boto3.Session(
        aws_access_key_id=aws_env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=aws_env["AWS_SECRET_ACCESS_KEY"],
        region_name=aws_env["AWS_REGION"],
    )
    os.environ["AWS_ENDPOINT_URL"] = aws_env["AWS_ENDPOINT_URL"]  # boto3 clients of this process
    work = tmp_path_factory.mktemp("codebuild")
    # The Synth buildspec writes assembly/ in the working tree (CodeBuild's
    # source directory): one a person made there is moved aside, then put back.
    kept = work / "assembly-of-the-working-tree"
    if (REPO / "assembly").exists():
        shutil.move(REPO / "assembly", kept)
    try:
        yield {"env": aws_env, "session": session, "codebuild": LocalCodeBuild(session, aws_env, work), "work": work, "artifacts": {}}
    finally:
        subprocess.run(["bash", str(REPO / "scripts/local-aws.sh"), "stop"], env=env, capture_output=True)
        if kept.exists():
            shutil.rmtree(REPO / "assembly", ignore_errors=True)
            shutil.move(kept, REPO / "assembly")


def tool(local: dict[str, Any], name: str, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BS_"))}
    env.update(local["env"], **(extra_env or {}))
    return subprocess.run([str(RELEASE / name), *args], cwd=REPO, env=env, capture_output=True, text=True)


def actions(local: dict[str, Any], pipeline: str) -> list[tuple[str, dict[str, Any]]]:
    """(stage name, action) of every CodeBuild action, in pipeline order."""
    declared = local["session"].client("codepipeline").get_pipeline(name=pipeline)["pipeline"]
    return [
        (stage["name"], action)
        for stage in declared["stages"]
        for action in stage["actions"]
        if action["actionTypeId"]["provider"] == "CodeBuild"
    ]


def action_env(action: dict[str, Any]) -> list[dict[str, str]]:
    return json.loads(action["configuration"].get("EnvironmentVariables", "[]"))


def stack_status(local: dict[str, Any], name: str) -> str:
    return local["session"].client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]


def test_bootstrap_deploys_the_bootstrap_and_pipeline_stacks(local: dict[str, Any]) -> None:
    out = tool(local, "bs-bootstrap", "--config", CONFIG, "--events", "lines", "--poll-interval", "0.2", extra_env=SECRETS)
    assert out.returncode == 0, out.stderr
    assert stack_status(local, "backstage-bootstrap") == "CREATE_COMPLETE"
    assert stack_status(local, "backstage-pipeline") == "CREATE_COMPLETE"


def test_infra_synth_fails_on_a_config_error(local: dict[str, Any]) -> None:
    broken = local["work"] / "broken.yaml"
    broken.write_text((REPO / CONFIG).read_text().replace("CONTAINER_PORT: 7007", "CONTAINER_PORT: seventy"))
    with pytest.raises(BuildFailed) as failed:
        local["codebuild"].run("backstage-pipeline-synth", REPO, overrides={"BS_CONFIG": str(broken)})
    assert "CONTAINER_PORT" in failed.value.log
    assert "FAILED phase build" in failed.value.log
    # The fixture moved any assembly/ of the working tree aside: none was written.
    assert not (REPO / "assembly" / "manifest.json").exists()


def test_infra_pipeline_synth_update_pipeline_deploy(local: dict[str, Any]) -> None:
    steps = actions(local, "backstage-pipeline")
    assert [s for s, _ in steps] == ["Synth", "UpdatePipeline", "Deploy"]
    _, synth = steps[0]
    try:
        artifact = local["codebuild"].run(synth["configuration"]["ProjectName"], REPO, overrides={"BS_CONFIG": CONFIG}).artifact
    finally:
        shutil.rmtree(REPO / "assembly", ignore_errors=True)
    manifest = json.loads((artifact / "manifest.json").read_text())
    assert [s["name"] for s in manifest["stacks"]] == ["backstage-bootstrap", "backstage-pipeline", "backstage"]
    # The artifact went through a zip, as in CodePipeline: the binaries come
    # without their execute bit, and the deploy buildspec restores it.
    for binary in ("bs-deploy", "bs-synth"):
        assert not (artifact / "bin" / binary).stat().st_mode & stat.S_IXUSR, binary
    # The deploy steps run in the Synth artifact, each on the action's STACK_NAME:
    # bs-deploy's report names that stack alone, and a good end.
    deployed = {}
    for _, action in steps[1:]:
        names = {v["name"]: v["value"] for v in action_env(action)}
        build = local["codebuild"].run(action["configuration"]["ProjectName"], artifact, action_env=action_env(action))
        report = json.loads(build.stdout)
        assert [s["name"] for s in report["stacks"]] == [names["STACK_NAME"]], build.log
        deployed.update({s["name"]: s["status"] for s in report["stacks"]})
    # The pipeline stack exists since bootstrap: unchanged, or updated.
    assert deployed["backstage-pipeline"] in ("NO_CHANGES", "UPDATE_COMPLETE"), deployed
    assert deployed["backstage"] == "CREATE_COMPLETE", deployed
    assert stack_status(local, "backstage") == "CREATE_COMPLETE"
    local["artifacts"]["assembly"] = artifact


def without_action(document: dict[str, Any], action: str) -> dict[str, Any]:
    """The policy document with ``action`` taken out of every statement's Action."""
    statements = []
    for statement in document["Statement"]:
        listed = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        kept = [a for a in listed if a != action]
        if kept:
            statements.append(dict(statement, Action=kept))
    return dict(document, Statement=statements)


def role_policy(iam: Any, role: str, name: str) -> dict[str, Any]:
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    # moto answers GetRolePolicy of a role CloudFormation created with the Python
    # repr of the template's policy object, which boto3 leaves a string.
    return ast.literal_eval(document) if isinstance(document, str) else document


@pytest.mark.parametrize("action", ["cloudformation:CreateChangeSet", "iam:PassRole"])
def test_infra_deploy_fails_without_one_action_of_its_role(local: dict[str, Any], action: str) -> None:
    """The local AWS authorizes the build's calls against its project's role: one
    action taken out of the Deploy project's role fails the Deploy step with
    AccessDenied naming that action (iam:PassRole: bs-deploy passes CloudFormation's
    role to CreateChangeSet). The action is put back afterwards."""
    [(_, deploy)] = [a for a in actions(local, "backstage-pipeline") if a[0] == "Deploy"]
    project = deploy["configuration"]["ProjectName"]
    role = local["codebuild"].project(project)["serviceRole"].rpartition("/")[2]
    iam = local["session"].client("iam")
    documents = {name: role_policy(iam, role, name) for name in iam.list_role_policies(RoleName=role)["PolicyNames"]}
    [(name, document)] = [(n, d) for n, d in documents.items() if without_action(d, action) != d]
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(without_action(document, action)))
    try:
        with pytest.raises(BuildFailed) as failed:
            local["codebuild"].run(project, local["artifacts"]["assembly"], action_env=action_env(deploy))
    finally:
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))
    assert "AccessDenied" in failed.value.log, failed.value.log
    assert f"assumed-role/{role}/" in failed.value.log and f"is not authorized to perform: {action}" in failed.value.log, failed.value.log
    assert stack_status(local, "backstage") == "CREATE_COMPLETE"


def test_app_build_pushes_an_image_by_digest_and_never_echoes_the_credentials(local: dict[str, Any]) -> None:
    app = local["work"] / "app"
    (app / "packages" / "backend").mkdir(parents=True)
    (app / "packages" / "backend" / "Dockerfile").write_text("FROM node:20\nCOPY gh-org-app.yaml /app/\n")
    [(_, build)] = [a for a in actions(local, "backstage-app-pipeline") if a[0] == "Build"]
    commit = "abcdef0123456789abcdef0123456789abcdef01"
    artifact, log, _ = local["codebuild"].run(build["configuration"]["ProjectName"], app, source_version=commit)

    image = json.loads((artifact / "image.json").read_text())
    repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backstage"
    assert image["image"].startswith(f"{repo}@sha256:") and image["tag"] == "abcdef0" and image["commit"] == commit
    ecr = local["session"].client("ecr")
    found = ecr.describe_images(repositoryName="backstage", imageIds=[{"imageTag": "abcdef0"}])["imageDetails"][0]
    assert image["image"].endswith(found["imageDigest"])
    assert sorted(found["imageTags"]) == ["abcdef0", "latest"]
    assert json.loads((artifact / "imagedefinitions.json").read_text()) == [{"name": "backstage", "imageUri": image["image"]}]
    # The credentials file the Dockerfile copies holds the secret, under the
    # reference's name, readable by the image's (non-root) user.
    credentials = app / "gh-org-app.yaml"
    assert credentials.read_text() == SECRETS["BS_SECRET_BACKSTAGE_GITHUB_APP"]
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o644
    assert "not-a-real-key-buildspec-test" not in log
    calls = [json.loads(line) for line in (local["work"] / "docker" / "calls.log").read_text().splitlines()]
    [docker_build] = [c for c in calls if c[0] == "build"]
    assert docker_build[docker_build.index("--cache-from") + 1] == f"{repo}:latest"
    local["artifacts"]["image"] = artifact
    local["artifacts"]["built"] = image["image"]


def test_app_promote_steps_take_the_built_image_through_every_stage(local: dict[str, Any]) -> None:
    built = local["artifacts"]["built"]
    steps = [(s, a) for s, a in actions(local, "backstage-app-pipeline") if s.startswith("Deploy-")]
    assert [s for s, _ in steps] == ["Deploy-test", "Deploy-prod"]
    for _, action in steps:
        local["codebuild"].run(
            action["configuration"]["ProjectName"],
            REPO,
            secondary={"Image": local["artifacts"]["image"]},
            action_env=action_env(action),
            # The infra repository's config. The buildspec's `cargo build
            # --release --locked --bins` finds scripts/test.sh's release build
            # as it is (CodeBuild's cache of target/ plays that part).
            overrides={"BS_CONFIG": CONFIG},
        )
    out = tool(local, "bs-status", "--config", CONFIG, "--json")
    assert out.returncode in (0, 6), out.stderr
    report = json.loads(out.stdout)
    assert out.returncode == 0, (report["stages"], out.stderr)
    assert [(s["name"], s["image"]["running"]) for s in report["stages"]] == [("test", built), ("prod", built)]
