"""A stack's CloudFormation role must allow its resources' handler actions
(localaws/handler_permissions.py), when the server runs with LOCAL_AWS_ENFORCE_IAM=1.

    .venv-local-aws/bin/python -m pytest scripts/local-aws/test_handler_permissions.py -q

These tests start their own servers through scripts/local-aws.sh, one with the
switch on and one with it off ("0"), next to the session's server of conftest.py.
The roles' permissions are computed here from the registry schemas cfn-lint ships.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from botocore.exceptions import ClientError
from harness import ACCOUNT, assert_complete, client, deploy, failures, free_port, parse_exports, run_script, template

sys.path.insert(0, str(Path(__file__).resolve().parent))

from localaws import constraints, handler_permissions, schemas  # noqa: E402

BUCKET = "portal-artifacts-test"
LOG_GROUP = "/portal/test"
RESOURCES = {
    "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": BUCKET}},
    "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": LOG_GROUP, "RetentionInDays": 7}},
}
TYPES = ("AWS::S3::Bucket", "AWS::Logs::LogGroup")
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def handler_actions(*handlers: str) -> set[str]:
    """The actions the handlers of the template's types list, from cfn-lint's schemas."""
    return {
        action
        for resource_type in TYPES
        for handler in handlers
        for action in schemas.schema_for(resource_type)["handlers"][handler]["permissions"]
    }


ALL = handler_actions("create", "read", "update", "delete")


# --------------------------------------------------------------------------- servers


def _serve(tmp_path_factory: pytest.TempPathFactory, switch: str) -> Iterator[str]:
    port = free_port()
    directory = tmp_path_factory.mktemp(f"local-aws-iam-{switch}")
    started = run_script("start", port, directory, env={"LOCAL_AWS_ENFORCE_IAM": switch})
    try:
        yield parse_exports(started.stdout)["AWS_ENDPOINT_URL"]
    finally:
        run_script("stop", port, directory)


@pytest.fixture(scope="module")
def enforcing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory, "1")


@pytest.fixture(scope="module")
def lenient_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory, "0")


def _reset(endpoint: str) -> Any:
    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST"), timeout=30).read()
    return lambda service: client(endpoint, service)


@pytest.fixture
def strict(enforcing_server: str) -> Any:
    """A reset server that enforces handler permissions; ``strict("s3")`` is a client."""
    return _reset(enforcing_server)


@pytest.fixture
def lenient(lenient_server: str) -> Any:
    return _reset(lenient_server)


# --------------------------------------------------------------------------- helpers


def allow(actions: set[str] | list[str], resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": sorted(actions), "Resource": resource}


def make_role(aws: Any, name: str, *statements: dict[str, Any], boundary: str | None = None) -> str:
    """A role CloudFormation may assume with one inline policy of these statements."""
    iam = aws("iam")
    args: dict[str, Any] = {"RoleName": name, "AssumeRolePolicyDocument": json.dumps(TRUST)}
    if boundary:
        args["PermissionsBoundary"] = boundary
    arn = iam.create_role(**args)["Role"]["Arn"]
    if statements:
        document = {"Version": "2012-10-17", "Statement": list(statements)}
        iam.put_role_policy(RoleName=name, PolicyName="cfn", PolicyDocument=json.dumps(document))
    return arn


def denial(action: str, role: str = "cfn-role", reason: str | None = None, resource: str = "*") -> str:
    """The handler's AccessDenied message up to the request ids."""
    reason = reason or f"because no identity-based policy allows the {action} action"
    return (f'Resource handler returned message: "User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/AWSCloudFormation '
            f"is not authorized to perform: {action} on resource: {resource} {reason} (Service: ")


def assert_denied(message: str, action: str, **kwargs: Any) -> None:
    assert message.startswith(denial(action, **kwargs)), message
    assert "Status Code: 403" in message and message.endswith("HandlerErrorCode: AccessDenied)"), message


def bucket_exists(aws: Any) -> bool:
    return BUCKET in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]


def log_group_exists(aws: Any) -> bool:
    return bool(aws("logs").describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"])


# --------------------------------------------------------------------------- create


def test_role_with_exactly_the_handler_permissions_deploys_and_deletes(strict: Any) -> None:
    role = make_role(strict, "cfn-role", allow(ALL))
    cfn = strict("cloudformation")
    assert_complete(deploy(cfn, "perms", template(RESOURCES), role_arn=role))
    assert bucket_exists(strict) and log_group_exists(strict)
    cfn.delete_stack(StackName="perms")
    assert [s["StackName"] for s in cfn.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]] == ["perms"]
    assert not bucket_exists(strict) and not log_group_exists(strict)


def test_missing_read_action_fails_the_create_and_rolls_back(strict: Any) -> None:
    role = make_role(strict, "cfn-role", allow(ALL - {"s3:GetAccelerateConfiguration"}))
    cfn = strict("cloudformation")
    result = deploy(cfn, "perms", template(RESOURCES), role_arn=role)
    assert result["StackStatus"] == "ROLLBACK_COMPLETE", result
    failed = failures(cfn, "perms")
    assert [(f[0], f[1]) for f in failed] == [("Bucket", "CREATE_FAILED")], failed
    assert_denied(failed[0][2], "s3:GetAccelerateConfiguration")
    assert not bucket_exists(strict) and not log_group_exists(strict)


def test_the_first_missing_action_in_sorted_order_is_named(strict: Any) -> None:
    # The bucket's create handler lists s3:PutBucketTagging before its read
    # handler's s3:GetAccelerateConfiguration; the sorted first is named.
    role = make_role(strict, "cfn-role", allow(ALL - {"s3:PutBucketTagging", "s3:GetAccelerateConfiguration"}))
    cfn = strict("cloudformation")
    assert deploy(cfn, "perms", template(RESOURCES), role_arn=role)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert_denied(failures(cfn, "perms")[0][2], "s3:GetAccelerateConfiguration")


def test_missing_log_group_action_names_the_logs_service(strict: Any) -> None:
    role = make_role(strict, "cfn-role", allow(ALL - {"logs:CreateLogGroup"}))
    cfn = strict("cloudformation")
    assert deploy(cfn, "perms", template(RESOURCES), role_arn=role)["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = failures(cfn, "perms")
    assert [(f[0], f[1]) for f in failed] == [("Logs", "CREATE_FAILED")], failed
    assert_denied(failed[0][2], "logs:CreateLogGroup")
    assert "(Service: CloudWatchLogs, Status Code: 403" in failed[0][2]


def test_create_stack_with_role_arn_is_checked(strict: Any) -> None:
    role = make_role(strict, "cfn-role", allow(ALL - {"logs:TagResource"}))
    with pytest.raises(ClientError) as raised:
        strict("cloudformation").create_stack(StackName="direct", TemplateBody=json.dumps(template(RESOURCES)), RoleARN=role)
    assert_denied(raised.value.response["Error"]["Message"], "logs:TagResource")


# --------------------------------------------------------------------------- what grants and what denies


def test_wildcard_actions_and_arn_scoped_allows_count(strict: Any) -> None:
    s3_get = {a for a in ALL if a.startswith("s3:Get")}
    s3_other = {a for a in ALL if a.startswith("s3:") and a not in s3_get}
    role = make_role(
        strict, "cfn-role",
        allow(ALL - s3_get - s3_other),
        allow(["s3:Get*"]),
        allow(s3_other, resource=f"arn:aws:s3:::{BUCKET[:7]}*"),
    )
    assert_complete(deploy(strict("cloudformation"), "perms", template(RESOURCES), role_arn=role))


def test_explicit_deny_wins(strict: Any) -> None:
    role = make_role(strict, "cfn-role", allow(ALL), {"Effect": "Deny", "Action": "s3:PutBucket*", "Resource": "*"})
    cfn = strict("cloudformation")
    assert deploy(cfn, "perms", template(RESOURCES), role_arn=role)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert_denied(failures(cfn, "perms")[0][2], "s3:PutBucketAbac", reason="with an explicit deny in an identity-based policy")


def test_permissions_boundary_limits_attached_policies(strict: Any) -> None:
    iam = strict("iam")

    def managed(name: str, actions: set[str]) -> str:
        return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow(actions)]}))["Policy"]["Arn"]

    boundary = managed("boundary", ALL - {"logs:PutRetentionPolicy"})
    role = make_role(strict, "cfn-role", boundary=boundary)
    iam.attach_role_policy(RoleName="cfn-role", PolicyArn=managed("grants", ALL))
    cfn = strict("cloudformation")
    assert deploy(cfn, "perms", template(RESOURCES), role_arn=role)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert_denied(failures(cfn, "perms")[0][2], "logs:PutRetentionPolicy",
                  reason="because no permissions boundary allows the logs:PutRetentionPolicy action")

    iam.create_policy_version(PolicyArn=boundary, SetAsDefault=True,
                              PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow(["*"])]}))
    cfn.delete_stack(StackName="perms")
    assert_complete(deploy(cfn, "perms", template(RESOURCES), role_arn=role))


def test_conditions_an_allow_counts_and_a_deny_applies_only_when_decided() -> None:
    context = {"aws:RequestedRegion": "us-east-1"}
    unknown_key = {"StringEquals": {"iam:PassedToService": "s3.amazonaws.com"}}
    verdict = handler_permissions.verdict
    assert verdict([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": unknown_key}],
                   "iam:PassRole", "*", context) == "allowed"
    assert verdict([{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}], "s3:CreateBucket", "*", context) == "implicit"
    region_deny = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}
    assert verdict([allow(["*"]), region_deny], "s3:CreateBucket", "*", context) == "denied"
    assert verdict([allow(["*"]), dict(region_deny, Condition=unknown_key)], "s3:CreateBucket", "*", context) == "allowed"
    arn_deny = {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::other"}
    assert verdict([allow(["*"]), arn_deny], "s3:DeleteBucket", "arn:aws:s3:::mine", context) == "allowed"
    assert verdict([allow(["*"]), arn_deny], "s3:DeleteBucket", "arn:aws:s3:::other", context) == "denied"
    assert verdict([allow(["S3:deletebucket"])], "s3:DeleteBucket", "*", context) == "allowed"
    assert verdict([{"Effect": "Allow", "NotAction": "s3:Delete*", "Resource": "*"}], "s3:DeleteBucket", "*", context) == "implicit"


# --------------------------------------------------------------------------- update and delete


# The first action only the bucket's update handler lists, and the template that updates the bucket.
UPDATE_ONLY = sorted(a for a in handler_actions("update") - handler_actions("create", "read") if a.startswith("s3:"))[0]
TAGGED = dict(RESOURCES, Bucket={"Type": "AWS::S3::Bucket",
                                 "Properties": {"BucketName": BUCKET, "Tags": [{"Key": "team", "Value": "portal"}]}})


def test_update_needs_the_update_handler_actions(strict: Any) -> None:
    missing = UPDATE_ONLY
    role = make_role(strict, "cfn-role", allow(ALL - {missing}))
    cfn = strict("cloudformation")
    assert_complete(deploy(cfn, "perms", template(RESOURCES), role_arn=role))
    result = deploy(cfn, "perms", template(TAGGED))  # no RoleARN: the stack's role acts
    assert result["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE", result
    failed = failures(cfn, "perms")
    assert [(f[0], f[1]) for f in failed] == [("Bucket", "UPDATE_FAILED")], failed
    assert_denied(failed[0][2], missing, resource=f"arn:aws:s3:::{BUCKET}")


def test_update_stack_with_role_arn_is_checked(strict: Any) -> None:
    cfn = strict("cloudformation")
    assert_complete(deploy(cfn, "perms", template(RESOURCES)))
    role = make_role(strict, "cfn-role", allow(ALL - {UPDATE_ONLY}))
    with pytest.raises(ClientError) as raised:
        cfn.update_stack(StackName="perms", TemplateBody=json.dumps(template(TAGGED)), RoleARN=role)
    assert_denied(raised.value.response["Error"]["Message"], UPDATE_ONLY, resource=f"arn:aws:s3:::{BUCKET}")


def test_missing_delete_action_fails_the_delete(strict: Any) -> None:
    role = make_role(strict, "cfn-role", allow(ALL - {"s3:DeleteBucket"}))
    cfn = strict("cloudformation")
    assert_complete(deploy(cfn, "perms", template(RESOURCES), role_arn=role))
    cfn.delete_stack(StackName="perms")
    stack = cfn.describe_stacks(StackName="perms")["Stacks"][0]
    assert stack["StackStatus"] == "DELETE_FAILED", stack
    stack_event, *resource_events = failures(cfn, "perms")  # newest first
    assert stack_event == ("perms", "DELETE_FAILED", "The following resource(s) failed to delete: [Bucket]. ")
    assert [(f[0], f[1]) for f in resource_events] == [("Bucket", "DELETE_FAILED")], resource_events
    assert_denied(resource_events[0][2], "s3:DeleteBucket", resource=f"arn:aws:s3:::{BUCKET}")
    assert bucket_exists(strict) and not log_group_exists(strict)

    strict("iam").put_role_policy(RoleName="cfn-role", PolicyName="delete",
                                  PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow(["s3:DeleteBucket"])]}))
    cfn.delete_stack(StackName="perms")
    assert not [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
    assert not bucket_exists(strict)


def test_delete_stack_role_arn_is_checked(strict: Any) -> None:
    cfn = strict("cloudformation")
    assert_complete(deploy(cfn, "perms", template(RESOURCES)))
    role = make_role(strict, "cfn-role", allow(ALL - {"logs:DeleteLogGroup"}))
    cfn.delete_stack(StackName="perms", RoleARN=role)
    assert cfn.describe_stacks(StackName="perms")["Stacks"][0]["StackStatus"] == "DELETE_FAILED"
    _, *resource_events = failures(cfn, "perms")
    assert [(f[0], f[1]) for f in resource_events] == [("Logs", "DELETE_FAILED")], resource_events
    assert_denied(resource_events[0][2], "logs:DeleteLogGroup", resource=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{LOG_GROUP}")


# --------------------------------------------------------------------------- not checked


def test_without_role_arn_nothing_is_checked(strict: Any) -> None:
    make_role(strict, "cfn-role")  # exists, may do nothing, and is not used
    cfn = strict("cloudformation")
    assert_complete(deploy(cfn, "perms", template(RESOURCES)))
    cfn.delete_stack(StackName="perms")
    assert not bucket_exists(strict)


def test_switch_off_nothing_is_checked(lenient: Any) -> None:
    role = make_role(lenient, "cfn-role")  # no policy at all
    cfn = lenient("cloudformation")
    assert_complete(deploy(cfn, "perms", template(RESOURCES), role_arn=role))
    cfn.delete_stack(StackName="perms")
    assert not bucket_exists(lenient) and not log_group_exists(lenient)


def test_unchecked_types_are_exactly_the_stack_types_without_handlers() -> None:
    without = {t for t in constraints.STACK_TYPES if handler_permissions.required_actions(t, "create") is None}
    assert without == set(handler_permissions.UNCHECKED_TYPES)
