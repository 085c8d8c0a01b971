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


def required(resources: dict[str, Any], *operations: str) -> set[str]:
    """What the role needs for these resources: the listed IAM actions their properties trigger."""
    return {action for r in resources.values() for operation in operations
            for action in handler_permissions.required_actions(r["Type"], operation, r.get("Properties", {})) or []}


# Without gated and non-IAM actions (s3:PutBucketWebsite, s3:REST.PUT.OBJECT, ...).
REQUIRED = required(RESOURCES, "create", "update", "delete")


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
    assert {"s3:PutBucketWebsite", "s3:REST.PUT.OBJECT", "logs:PutDataProtectionPolicy"} & REQUIRED == set()
    role = make_role(strict, "cfn-role", allow(REQUIRED))
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
    # s3:PutBucketAbac, sorted first, is required only with AbacStatus.
    assert_denied(failures(cfn, "perms")[0][2], "s3:PutBucketOwnershipControls", reason="with an explicit deny in an identity-based policy")


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
TAGGED = dict(RESOURCES, Bucket={"Type": "AWS::S3::Bucket",
                                 "Properties": {"BucketName": BUCKET, "Tags": [{"Key": "team", "Value": "portal"}]}})
UPDATE_ONLY = sorted(a for a in required(TAGGED, "update") - required(TAGGED, "create") if a.startswith("s3:"))[0]


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
    without = {t for t in constraints.STACK_TYPES if handler_permissions.handler_actions(t, "create") is None}
    assert without == set(handler_permissions.UNCHECKED_TYPES)


# --------------------------------------------------------------------------- what is required: IAM actions, gates


def test_actions_iam_does_not_know_are_never_required() -> None:
    """Schema entries that are not IAM actions can be granted by no policy."""
    assert not handler_permissions.is_iam_action("s3:REST.PUT.OBJECT")
    assert not handler_permissions.is_iam_action("s3:DeleteBucketCors")  # S3 authorizes it as s3:PutBucketCORS
    assert handler_permissions.is_iam_action("s3:PutBucketCORS") and handler_permissions.is_iam_action("codestar-notifications:createNotificationRule")
    listed = handler_permissions.handler_actions("AWS::Logs::LogGroup", "create") or []
    everything = {"DataProtectionPolicy": {"Name": "p"}, "FieldIndexPolicies": [{}], "ResourcePolicyDocument": {}, "KmsKeyId": "k"}
    assert "s3:REST.PUT.OBJECT" in listed
    assert "s3:REST.PUT.OBJECT" not in (handler_permissions.required_actions("AWS::Logs::LogGroup", "create", everything) or [])
    update = handler_permissions.required_actions("AWS::S3::Bucket", "update", {"CorsConfiguration": {"CorsRules": []}}) or []
    assert "s3:PutBucketCORS" in update and "s3:DeleteBucketCors" not in update


@pytest.mark.parametrize(("resource_type", "operation", "action", "properties", "previous"), [
    ("AWS::CertificateManager::Certificate", "create", "acm-pca:IssueCertificate",
     {"CertificateAuthorityArn": "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x"}, None),
    ("AWS::ElasticLoadBalancingV2::Listener", "create", "cognito-idp:DescribeUserPoolClient",
     {"DefaultActions": [{"Type": "authenticate-cognito"}, {"Type": "forward"}]}, None),
    ("AWS::SecretsManager::SecretTargetAttachment", "create", "redshift:DescribeClusters", {"TargetType": "AWS::Redshift::Cluster"}, None),
    ("AWS::S3::Bucket", "create", "s3:PutReplicationConfiguration", {"ReplicationConfiguration": {"Role": "r", "Rules": []}}, None),
    ("AWS::S3::Bucket", "create", "iam:PassRole", {"ReplicationConfiguration": {"Role": "r", "Rules": []}}, None),
    ("AWS::S3::Bucket", "update", "s3tables:CreateTable", {"MetadataConfiguration": {"JournalTableConfiguration": {}}}, {}),
    # Turned off by an update: the handler undoes it, the old properties trigger it.
    ("AWS::Logs::LogGroup", "update", "logs:DisassociateKmsKey", {}, {"KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k"}),
    ("AWS::IAM::Role", "update", "iam:DeleteRolePermissionsBoundary", {}, {"PermissionsBoundary": "arn:aws:iam::123456789012:policy/b"}),
    ("AWS::RDS::DBCluster", "create", "rds:RestoreDBClusterFromSnapshot", {"SnapshotIdentifier": "snap"}, None),
])
def test_a_gated_action_is_required_only_when_the_properties_trigger_it(
        resource_type: str, operation: str, action: str, properties: dict[str, Any], previous: dict[str, Any] | None) -> None:
    assert action in (handler_permissions.handler_actions(resource_type, operation) or [])
    assert action in (handler_permissions.required_actions(resource_type, operation, properties, previous) or [])
    assert action not in (handler_permissions.required_actions(resource_type, operation, {}, {}) or [])


def test_what_stays_required_whatever_the_properties() -> None:
    """Gates stop at what the handler calls only for a feature: the read handler's
    Get of the same feature, and actions no property decides, stay required."""
    def needs(resource_type: str, operation: str, action: str) -> bool:
        return action in (handler_permissions.required_actions(resource_type, operation, {}) or [])

    assert needs("AWS::S3::Bucket", "create", "s3:GetBucketWebsite")
    assert needs("AWS::S3::Bucket", "create", "s3:DeleteObject") and needs("AWS::S3::Bucket", "create", "s3:PutObjectAcl")
    assert needs("AWS::Logs::LogGroup", "create", "logs:GetDataProtectionPolicy")
    assert needs("AWS::ECS::Cluster", "update", "ecs:PutAccountSettingDefault")
    # A removed boundary only: a role that keeps one, or never had one, needs no DeleteRolePermissionsBoundary.
    assert not needs("AWS::IAM::Role", "update", "iam:DeleteRolePermissionsBoundary")


def test_every_gate_matches_a_listed_action_and_names_schema_properties() -> None:
    for gate in handler_permissions.PROPERTY_GATED:
        listed = {a for op in handler_permissions.OPERATION_HANDLERS for a in handler_permissions.handler_actions(gate.resource_type, op) or []}
        assert any(gate.covers(gate.resource_type, a) and handler_permissions.is_iam_action(a) for a in listed), gate
        properties = schemas.schema_for(gate.resource_type)["properties"]
        assert all(path.split("/")[0] in properties for path in gate.when.paths), gate


def test_gated_action_is_enforced_on_the_server(strict: Any) -> None:
    """The role with exactly the bucket's required actions: a bucket that replicates
    also needs iam:PassRole and s3:PutReplicationConfiguration."""
    role = make_role(strict, "cfn-role", allow(REQUIRED))
    replicated = {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
        "BucketName": BUCKET, "VersioningConfiguration": {"Status": "Enabled"},
        "ReplicationConfiguration": {"Role": f"arn:aws:iam::{ACCOUNT}:role/replication",
                                     "Rules": [{"Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::elsewhere"}}]}}}}
    cfn = strict("cloudformation")
    assert deploy(cfn, "perms", template(replicated), role_arn=role)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert_denied(failures(cfn, "perms")[0][2], "iam:PassRole")


# --------------------------------------------------------------------------- the docs table

GATES_START, GATES_END = "<!-- gates-table: start (rendered by localaws.handler_permissions.gates_table) -->", "<!-- gates-table: end -->"


def test_gates_table_in_docs_is_current() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "local-aws.md").read_text()
    assert GATES_START in text and GATES_END in text, "docs/local-aws.md lacks the gates table markers"
    shown = text.split(GATES_START, 1)[1].split(GATES_END, 1)[0].strip()
    assert shown == handler_permissions.gates_table(), "docs/local-aws.md is stale: paste the output of\n" \
        "  cd scripts/local-aws && ../../.venv-local-aws/bin/python -m localaws.handler_permissions --gates\nbetween the markers"
