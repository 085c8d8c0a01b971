"""Shared helpers of the local AWS tests (conftest.py holds the fixtures).

The server is started through scripts/local-aws.sh, as a user would start it;
``deploy`` deploys a template through change sets, as bs-deploy does.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "local-aws.sh"
ACCOUNT = "123456789012"


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_script(command: str, port: int, directory: Path, check: bool = True,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """scripts/local-aws.sh ``command`` for that port and directory; ``env`` adds variables."""
    env = dict(os.environ, LOCAL_AWS_PORT=str(port), LOCAL_AWS_DIR=str(directory), **(env or {}))
    return subprocess.run([str(SCRIPT), command], env=env, capture_output=True, text=True, check=check, timeout=300)


def parse_exports(stdout: str) -> dict[str, str]:
    values = {}
    for line in stdout.splitlines():
        words = shlex.split(line)
        assert words[0] == "export", line
        key, _, value = words[1].partition("=")
        values[key] = value
    return values


def client(endpoint: str, service: str, region: str = "us-east-1", account: str | None = None) -> Any:
    """A boto3 client for the local AWS; ``account`` picks the account with moto's
    ``x-moto-account-id`` header (the server's account otherwise)."""
    made = boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id="test", aws_secret_access_key="test")
    if account:
        def add_header(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account

        made.meta.events.register("before-sign.*.*", add_header)
    return made


def post_json(endpoint: str, path: str, body: Any, method: str = "POST") -> tuple[int, Any]:
    """An HTTP request with a JSON body; (status, decoded JSON answer)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(endpoint + path, data=data if method != "GET" else None, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


# --------------------------------------------------------------------------- deploying as bs-deploy does


def deploy(
    cfn: Any,
    stack: str,
    template: dict[str, Any] | str | None = None,
    parameters: dict[str, str] | None = None,
    previous: tuple[str, ...] = (),
    change_set: str = "bs-deploy",
    template_url: str | None = None,
    role_arn: str | None = None,
) -> dict[str, Any]:
    """CreateChangeSet -> DescribeChangeSet -> ExecuteChangeSet (by ARN) -> DescribeStacks.

    Returns the stack, or {"ChangeSet": ...} when the change set failed (no changes).
    """
    try:
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        kind = "CREATE" if status == "REVIEW_IN_PROGRESS" else "UPDATE"
    except ClientError:
        kind = "CREATE"
    args: dict[str, Any] = {
        "StackName": stack,
        "ChangeSetName": change_set,
        "ChangeSetType": kind,
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()]
        + [{"ParameterKey": k, "UsePreviousValue": True} for k in previous],
        "Tags": [{"Key": "Product", "Value": "dev-portal"}],
    }
    if template_url:
        args["TemplateURL"] = template_url
    else:
        args["TemplateBody"] = template if isinstance(template, str) else json.dumps(template)
    if role_arn:
        args["RoleARN"] = role_arn
    arn = cfn.create_change_set(**args)["Id"]
    for _ in range(100):
        described = cfn.describe_change_set(ChangeSetName=arn)
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            break
        time.sleep(0.1)
    if described["Status"] == "FAILED":
        return {"ChangeSet": described}
    cfn.execute_change_set(ChangeSetName=arn)
    for _ in range(100):
        result = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        if not result["StackStatus"].endswith("_IN_PROGRESS"):
            return result
        time.sleep(0.1)
    raise AssertionError(f"stack {stack} did not settle: {result['StackStatus']}")


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def template(resources: dict[str, Any], outputs_: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources, **extra}
    if outputs_:
        body["Outputs"] = {k: {"Value": v} for k, v in outputs_.items()}
    return body


def assert_complete(stack: dict[str, Any], status: str = "CREATE_COMPLETE") -> None:
    assert stack.get("StackStatus") == status, stack


def failures(cfn: Any, stack: str) -> list[tuple[str, str, str]]:
    """(logical id, status, reason) of the stack's *_FAILED resource events."""
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason") or "")
            for e in events if e["ResourceStatus"].endswith("_FAILED")]


def stack_parameters(spec: dict[str, Any], zones: dict[str, str]) -> dict[str, str]:
    return {name: zones[p["domain"]] for name, p in spec["parameters"].items() if p["kind"] == "hosted-zone-id"}


# --------------------------------------------------------------------------- deploying an assembly as bs-deploy does


def deploy_assembly(cfn: Any, out: Path, zones: dict[str, str], template_url: Any = None) -> dict[str, dict[str, Any]]:
    """Deploy bs-synth's stacks (``out``/manifest.json) in their order, as bs-deploy
    does: a ``without_role`` stack (the bootstrap stack) with the caller's
    credentials, every other one with RoleARN = that stack's CloudFormationRoleArn
    output. ``template_url(stack, body)`` may return a TemplateURL for a body (the
    templates over 51,200 bytes). Stops at the first stack not CREATE_COMPLETE.
    Returns name -> DescribeStacks' stack (or the failed change set)."""
    manifest = json.loads((out / "manifest.json").read_text())
    role, deployed = None, {}
    for spec in manifest["stacks"]:
        body = (out / spec["template_file"]).read_text()
        url = template_url(spec, body) if template_url else None
        deployed[spec["name"]] = stack = deploy(cfn, spec["name"], None if url else body, stack_parameters(spec, zones),
                                                template_url=url, role_arn=None if spec.get("without_role") else role)
        if stack.get("StackStatus") != "CREATE_COMPLETE":
            break
        if spec.get("without_role"):
            role = outputs(stack)["CloudFormationRoleArn"]
    return deployed
