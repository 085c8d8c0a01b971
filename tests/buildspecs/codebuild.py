"""A local CodeBuild: runs a CodeBuild project of the local AWS the way CodeBuild
would, with the tools and the local AWS, for the buildspec tests.

What it takes from the local AWS is what the stacks deployed: the project's
buildspec (inline, or a path in the primary source), its environment variables
(PLAINTEXT, and SECRETS_MANAGER resolved from the local Secrets Manager); the
pipeline action adds its own (``action_env``), and ``overrides`` come last, as
``start-build --environment-variables-override`` would. Precedence, lowest first:
the buildspec's ``env.variables``, the project's, the action's, the overrides.

The phases (install, pre_build, build, post_build) run in one bash process, in
order, each command checked; the first failing command fails the build
(``BuildFailed``, with the log). ``artifacts`` (files, base-directory) reach
the returned directory through a zip, as CodePipeline passes them on: without
file modes. ``docker`` is the stand-in ``docker_shim.py`` (the local ECR plays
the registry); everything else runs for real.

The commands run with the credentials of the project's service role, as CodeBuild
gives them: the local AWS's ``/localaws/assume-role-as-service`` assumes the role
as ``codebuild.amazonaws.com`` (its trust policy must allow that service), and the
build sees the session in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_SESSION_TOKEN. CodeBuild resolves SECRETS_MANAGER variables with the service
role too, so they are read here with the role's session.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import yaml

HERE = Path(__file__).resolve().parent
PHASES = ("install", "pre_build", "build", "post_build")


class Build(NamedTuple):
    artifact: Path
    log: str
    # What the commands printed on stdout alone (the tools' JSON reports).
    stdout: str


class BuildFailed(Exception):
    def __init__(self, message: str, log: str) -> None:
        super().__init__(f"{message}\n--- build log ---\n{log[-6000:]}")
        self.log = log


def _secret(secrets: Any, reference: str) -> str:
    """CodeBuild's SECRETS_MANAGER value: ``secret-id[:json-key[:version-stage[:version-id]]]``
    (the id may be an ARN, itself with colons)."""
    parts = reference.split(":")
    if reference.startswith("arn:"):
        secret_id, rest = ":".join(parts[:7]), parts[7:]
    else:
        secret_id, rest = parts[0], parts[1:]
    value = secrets.get_secret_value(SecretId=secret_id)["SecretString"]
    if rest and rest[0]:
        value = json.loads(value)[rest[0]]
    return value


class LocalCodeBuild:
    def __init__(self, session: Any, env: dict[str, str], work: Path) -> None:
        """``session``: a boto3 session on the local AWS (reads the projects);
        ``env``: the local AWS's AWS_* variables (endpoint, region); ``work``:
        scratch space."""
        self.session = session
        self.env = env
        self.work = work

    def project(self, name: str) -> dict[str, Any]:
        projects = self.session.client("codebuild").batch_get_projects(names=[name])["projects"]
        assert projects, f"no CodeBuild project {name} on the local AWS"
        return projects[0]

    def role_credentials(self, role_arn: str, session_name: str) -> dict[str, str]:
        """STS credentials of ``role_arn``, assumed as CodeBuild assumes it."""
        request = urllib.request.Request(
            self.env["AWS_ENDPOINT_URL"] + "/localaws/assume-role-as-service",
            data=json.dumps({"roleArn": role_arn, "service": "codebuild.amazonaws.com", "sessionName": session_name, "region": self.env["AWS_REGION"]}).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)

    def run(
        self,
        project_name: str,
        primary: Path,
        secondary: dict[str, Path] | None = None,
        action_env: list[dict[str, str]] | None = None,
        overrides: dict[str, str] | None = None,
        source_version: str = "0123456789abcdef0123456789abcdef01234567",
    ) -> Build:
        """Runs the project; returns its artifact directory, log and stdout."""
        project = self.project(project_name)
        spec_text = project["source"]["buildspec"]
        if "\n" not in spec_text:
            spec_text = (primary / spec_text).read_text()
        spec = yaml.safe_load(spec_text)
        assert str(spec.get("version")) == "0.2", spec.get("version")

        home = Path(tempfile.mkdtemp(dir=self.work, prefix="home-"))
        shims = Path(tempfile.mkdtemp(dir=self.work, prefix="shims-"))
        (shims / "docker").symlink_to(HERE / "docker_shim.py")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BS_", "CODEBUILD_"))}
        env.update(self.env)
        credentials = self.role_credentials(project["serviceRole"], f"{project_name}-local")
        env.update(
            AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
            AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
            AWS_SESSION_TOKEN=credentials["SessionToken"],
        )
        env.update(
            HOME=str(home),
            # The host's Rust toolchain and caches, as CodeBuild's cache would give.
            CARGO_HOME=os.environ.get("CARGO_HOME", str(Path.home() / ".cargo")),
            RUSTUP_HOME=os.environ.get("RUSTUP_HOME", str(Path.home() / ".rustup")),
            PATH=os.pathsep.join([str(shims), str(Path(self.env["LOCAL_AWS_VENV_BIN"])), os.environ["PATH"]]),
            CODEBUILD_SRC_DIR=str(primary),
            CODEBUILD_RESOLVED_SOURCE_VERSION=source_version,
            CODEBUILD_BUILD_ID=f"{project_name}:local",
            DOCKER_SHIM_STATE=str(self.work / "docker"),
        )
        for name, path in (secondary or {}).items():
            env[f"CODEBUILD_SRC_DIR_{name}"] = str(path)
        role = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.env["AWS_REGION"],
        )
        secrets = role.client("secretsmanager")
        layers: list[list[dict[str, str]]] = [
            [{"name": k, "value": str(v), "type": "PLAINTEXT"} for k, v in (spec.get("env", {}).get("variables") or {}).items()],
            project.get("environment", {}).get("environmentVariables", []),
            action_env or [],
            [{"name": k, "value": v, "type": "PLAINTEXT"} for k, v in (overrides or {}).items()],
        ]
        for layer in layers:
            for var in layer:
                kind = var.get("type", "PLAINTEXT")
                if kind == "SECRETS_MANAGER":
                    env[var["name"]] = _secret(secrets, var["value"])
                elif kind == "PLAINTEXT":
                    env[var["name"]] = var["value"]
                else:
                    raise AssertionError(f"{project_name}: variable type {kind} not supported here")

        script = ["set +e", 'cd "$CODEBUILD_SRC_DIR"']
        for phase in PHASES:
            for n, command in enumerate((spec.get("phases", {}).get(phase) or {}).get("commands", []) or []):
                label = f"phase {phase}, command {n + 1}: {command.splitlines()[0][:100]}"
                script.append(f"echo '[local-codebuild] {phase} {n + 1}' >&2")
                script.append(f"{{\n{command}\n}} || {{ echo {shlex.quote('[local-codebuild] FAILED ' + label)} >&2; exit 1; }}")
        proc = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=primary,
            env=env,
            capture_output=True,
            text=True,
        )
        log = proc.stdout + proc.stderr
        if proc.returncode != 0:
            raise BuildFailed(f"{project_name}: build failed (exit {proc.returncode})", log)

        out = Path(tempfile.mkdtemp(dir=self.work, prefix=f"{project_name}-artifact-"))
        artifacts = spec.get("artifacts") or {}
        base = primary / artifacts.get("base-directory", ".")
        # CodeBuild zips the output artifact and CodePipeline hands the zip to the
        # next action, which unzips it: file modes do not survive (zipfile's
        # extraction, like CodePipeline's, drops them), so a binary arrives
        # without its execute bit.
        archive = out.with_suffix(".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for pattern in artifacts.get("files", []):
                for path in sorted(base.glob(pattern)):
                    if path.is_file():
                        zipped.write(path, path.relative_to(base).as_posix())
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(out)
        archive.unlink()
        return Build(out, log, proc.stdout)
