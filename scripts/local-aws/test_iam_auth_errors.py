"""With request authorization on (INITIAL_NO_AUTH_ACTION_COUNT), a refused call
gets the error document AWS sends for its protocol: the SDKs (the Rust one is
strict) must find the code AccessDenied in it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import free_port, parse_exports, run_script


@pytest.fixture(scope="module")
def authorizing(tmp_path_factory: pytest.TempPathFactory) -> Any:
    port = free_port()
    directory: Path = tmp_path_factory.mktemp("local-aws-auth")
    # Two unchecked requests: the user and its access key.
    started = run_script("start", port, directory, env={"INITIAL_NO_AUTH_ACTION_COUNT": "2"})
    endpoint = parse_exports(started.stdout)["AWS_ENDPOINT_URL"]
    try:
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
        iam.create_user(UserName="nobody")
        key = iam.create_access_key(UserName="nobody")["AccessKey"]
        yield endpoint, Credentials(key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        run_script("stop", port, directory)


def send(endpoint: str, credentials: Credentials, service: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    request = AWSRequest(method="POST", url=endpoint + "/", data=body.encode(), headers=headers)
    SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    prepared = urllib.request.Request(endpoint + "/", data=body.encode(), headers=dict(request.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(prepared, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_a_query_protocol_refusal_is_an_error_response_with_its_code(authorizing: Any) -> None:
    endpoint, credentials = authorizing
    status, body = send(endpoint, credentials, "cloudformation", "Action=DescribeStacks&Version=2010-05-15",
                        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert status == 403, body
    assert "<ErrorResponse" in body and "<Errors>" not in body, body
    assert "<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::" in body, body
    assert "is not authorized to perform: cloudformation:DescribeStacks" in body, body


def test_a_json_protocol_refusal_is_json(authorizing: Any) -> None:
    endpoint, credentials = authorizing
    status, body = send(endpoint, credentials, "ecs", "{}",
                        {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters"})
    assert status == 403, body
    answer = json.loads(body)
    assert answer["__type"] == "AccessDenied" and "ecs:ListClusters" in answer["message"], answer
