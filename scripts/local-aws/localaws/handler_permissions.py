"""The stack's CloudFormation role must allow what each resource's handlers call.

Gap: moto creates, updates and deletes every resource whatever the stack's RoleARN
may do, so a CloudFormation role missing a permission deployed here and failed on
AWS with ``HandlerErrorCode: AccessDenied``.

With ``LOCAL_AWS_ENFORCE_IAM=1`` in the server's environment, every resource that a
stack operation with a role creates, updates or deletes (CreateChangeSet/
ExecuteChangeSet, CreateStack, UpdateStack, DeleteStack with a RoleARN, or the role
the stack remembers) is checked first: the role's policies must allow every action
its type's registry handlers list (``handlers.<operation>.permissions`` of the
schema cfn-lint ships, read through ``schemas.schema_for``): create -> create +
read (CloudFormation reads the resource after creating it), update -> update +
read, delete -> delete. Of those, an action IAM does not know (cfn-lint's
Policies.json) is never required, and one of a feature (``PROPERTY_GATED``) only
when the resource's properties use that feature (``required_actions``).
Operations without a role (the caller's credentials) are not checked.

The evaluation is conservative, to detect a missing ACTION without refusing what
AWS allows: the role's inline and attached managed policies, and its permissions
boundary if it has one, are read statement by statement:

- actions match case-insensitively with ``*``/``?`` wildcards (Action, NotAction);
- an Allow counts whatever its Resource/NotResource (the ARN a handler acts on is
  often not known before it acts); a Deny applies only where its Resource matches
  the resource's ARN (``*`` when unknown, i.e. on create);
- conditions are evaluated with the operators ``services._condition_holds``
  supports (Bool, StringEquals, StringNotEquals, StringLike) against the context
  known here (CONTEXT_KEYS); a condition on another key or operator cannot be
  decided: it holds for an Allow and does not for a Deny;
- an explicit Deny (in a policy or the boundary) wins; with a boundary, an action
  must also be allowed by it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition

from . import schemas
from .constraints import ResourceFailure
from .managed_policies import default_document
from .services import _condition_holds

logger = logging.getLogger("localaws")

ENFORCE_VARIABLE = "LOCAL_AWS_ENFORCE_IAM"  # "1": enforce; anything else: do not
# Off until the product's CloudFormation role grants the required handler
# actions (docs/local-aws.md lists those it lacks).
ENFORCE_DEFAULT = "1"

# Types of bs-synth's stacks that are not checked, with why. Any other type without
# handlers in cfn-lint's schemas is not checked either, with a warning in the log.
UNCHECKED_TYPES = {
    # CloudFormation provisions it without registry handlers: the schema lists no
    # handler permissions.
    "AWS::CodeBuild::Project": "no handlers in its registry schema",
}

OPERATION_HANDLERS = {"create": ("create", "read"), "update": ("update", "read"), "delete": ("delete",)}

# The SDK's service name in the handler's message, by action prefix (default: the
# prefix capitalized).
SERVICE_NAMES = {
    "logs": "CloudWatchLogs", "elasticloadbalancing": "ElasticLoadBalancingV2", "acm": "Acm",
    "secretsmanager": "SecretsManager", "codepipeline": "CodePipeline", "codestar-notifications": "CodestarNotifications",
}


# --------------------------------------------------------------------------- which listed actions a handler calls

Properties = dict[str, Any]


def _at(properties: Properties, path: str) -> list[Any]:
    """The values at a path such as "DefaultActions/*/Type" ("*": every item of a list)."""
    values: list[Any] = [properties]
    for key in path.split("/"):
        if key == "*":
            values = [item for value in values if isinstance(value, list) for item in value]
        else:
            values = [value[key] for value in values if isinstance(value, dict) and key in value]
    return [value for value in values if value not in (None, "", [], {})]


@dataclass(frozen=True)
class When:
    """A condition on the resource's properties: ``text`` for the docs, the property
    ``paths`` it reads, and ``holds(new, old)``."""

    text: str
    paths: tuple[str, ...]
    holds: Callable[[Properties, Properties], bool]


def sets(*paths: str) -> When:
    """Any of the properties is set, now or before (an update may turn the feature off)."""
    return When(" or ".join(paths), paths, lambda new, old: any(_at(props, path) for props in (new, old) for path in paths))


def equals(path: str, *values: str) -> When:
    """The property has one of the values, now or before."""
    return When(f"{path} = {' or '.join(values)}", (path,),
                lambda new, old: any(v in values for props in (new, old) for v in _at(props, path)))


def removed(path: str) -> When:
    """The property was set and no longer is (an update)."""
    return When(f"{path} removed", (path,), lambda new, old: bool(_at(old, path)) and not _at(new, path))


@dataclass(frozen=True)
class Gate:
    resource_type: str
    actions: str  # an action, or a prefix ending in "*"
    when: When
    reason: str

    def covers(self, resource_type: str, action: str) -> bool:
        return resource_type == self.resource_type and _pattern(self.actions, True).match(action) is not None


# Handler actions that CloudFormation's handlers call only when the template
# uses a feature: required only when the resource's properties (after or, for
# updates and deletes, before the change) trigger it. Reviewed type by type for
# bs-synth's stacks; every other listed IAM action is required whatever the
# properties. Not gated, as no property decides whether the handler calls them:
# s3:DeleteObject and s3:PutObjectAcl (bucket create), ecs:PutAccountSetting*
# (cluster update), elasticloadbalancing:DescribeCapacityReservation (load
# balancer read).
PROPERTY_GATED = [
    Gate("AWS::CertificateManager::Certificate", "acm-pca:*", sets("CertificateAuthorityArn"),
         "a private CA issues the certificate (IssueCertificate, GetCertificate)"),
    Gate("AWS::EC2::EIP", "ec2:AcceptAddressTransfer", sets("TransferAddress"), "accepting an address transferred from another account"),
    Gate("AWS::EC2::FlowLog", "logs:CreateLogDelivery", equals("LogDestinationType", "s3", "kinesis-data-firehose"),
         "delivery to S3 or Firehose is a vended log delivery (CloudWatch Logs: DeliverLogsPermissionArn)"),
    Gate("AWS::EC2::FlowLog", "logs:DeleteLogDelivery", equals("LogDestinationType", "s3", "kinesis-data-firehose"),
         "delivery to S3 or Firehose is a vended log delivery"),
    Gate("AWS::EC2::FlowLog", "s3:*BucketPolicy", equals("LogDestinationType", "s3"), "the destination bucket's policy admits the delivery"),
    Gate("AWS::EC2::NatGateway", "ec2:*PrivateNatGatewayAddress", sets("SecondaryPrivateIpAddresses", "SecondaryPrivateIpAddressCount"),
         "secondary private addresses"),
    Gate("AWS::EC2::NatGateway", "ec2:*NatGatewayAddress", sets("SecondaryAllocationIds"), "secondary Elastic IPs"),
    Gate("AWS::EC2::Subnet", "ec2:*SubnetCidrBlock", sets("Ipv6CidrBlock", "Ipv6CidrBlocks", "Ipv6IpamPoolId", "Ipv6NetmaskLength"),
         "IPv6 CIDR blocks"),
    Gate("AWS::EC2::VPC", "ec2:CreateVpcEncryptionControl", sets("VpcEncryptionControl"), "VPC encryption control"),
    Gate("AWS::EC2::VPC", "ec2:ModifyVpcTenancy", sets("InstanceTenancy"), "a tenancy changed by an update"),
    Gate("AWS::EC2::VPCGatewayAttachment", "ec2:*VpnGateway", sets("VpnGatewayId"),
         "a VPN gateway attached instead of an internet gateway (DescribeVpnGateways stays required: the read handler)"),
    Gate("AWS::ElasticLoadBalancingV2::Listener", "cognito-idp:DescribeUserPoolClient",
         equals("DefaultActions/*/Type", "authenticate-cognito"), "an action authenticates through Cognito"),
    Gate("AWS::ElasticLoadBalancingV2::LoadBalancer", "elasticloadbalancing:ModifyCapacityReservation", sets("MinimumLoadBalancerCapacity"),
         "a capacity reservation"),
    Gate("AWS::ElasticLoadBalancingV2::LoadBalancer", "elasticloadbalancing:ModifyIpPools", sets("Ipv4IpamPoolId"), "an IPAM pool"),
    Gate("AWS::IAM::Role", "iam:DeleteRolePermissionsBoundary", removed("PermissionsBoundary"), "an update removes the boundary"),
    Gate("AWS::Logs::LogGroup", "logs:PutDataProtectionPolicy", sets("DataProtectionPolicy"),
         "a data protection policy (GetDataProtectionPolicy stays required: the read handler)"),
    Gate("AWS::Logs::LogGroup", "logs:DeleteDataProtectionPolicy", sets("DataProtectionPolicy"), "a data protection policy"),
    Gate("AWS::Logs::LogGroup", "logs:CreateLogDelivery", sets("DataProtectionPolicy"),
         "the data protection policy's audit findings go to a vended delivery"),
    Gate("AWS::Logs::LogGroup", "firehose:TagDeliveryStream", sets("DataProtectionPolicy"),
         "the data protection policy's audit findings go to Firehose"),
    Gate("AWS::Logs::LogGroup", "logs:PutIndexPolicy", sets("FieldIndexPolicies"), "field index policies"),
    Gate("AWS::Logs::LogGroup", "logs:DeleteIndexPolicy", sets("FieldIndexPolicies"), "field index policies"),
    Gate("AWS::Logs::LogGroup", "logs:PutResourcePolicy", sets("ResourcePolicyDocument"),
         "a resource policy (DescribeResourcePolicies stays required: the read handler)"),
    Gate("AWS::Logs::LogGroup", "logs:DeleteResourcePolicy", sets("ResourcePolicyDocument"), "a resource policy"),
    Gate("AWS::Logs::LogGroup", "logs:PutBearerTokenAuthentication", sets("BearerTokenAuthenticationEnabled"), "bearer-token ingestion"),
    Gate("AWS::Logs::LogGroup", "logs:*KmsKey", sets("KmsKeyId"), "a customer managed key changed by an update"),
    Gate("AWS::RDS::DBCluster", "rds:RestoreDBClusterFromSnapshot", sets("SnapshotIdentifier"),
         "the create handler restores instead of creating (aws-rds-dbcluster CreateHandler)"),
    Gate("AWS::RDS::DBCluster", "rds:RestoreDBClusterToPointInTime", sets("SourceDBClusterIdentifier", "SourceDbClusterResourceId"),
         "the create handler restores instead of creating (aws-rds-dbcluster CreateHandler)"),
    Gate("AWS::RDS::DBCluster", "rds:AddRoleToDBCluster", sets("AssociatedRoles"), "IAM roles associated with the cluster"),
    Gate("AWS::RDS::DBCluster", "rds:RemoveRoleFromDBCluster", sets("AssociatedRoles"), "IAM roles associated with the cluster"),
    Gate("AWS::RDS::DBCluster", "rds:*HttpEndpoint", sets("EnableHttpEndpoint"), "the Data API"),
    Gate("AWS::RDS::DBCluster", "rds:RemoveFromGlobalCluster", sets("GlobalClusterIdentifier"), "a global cluster member"),
    Gate("AWS::RDS::DBInstance", "rds:CreateDBInstanceReadReplica", sets("SourceDBInstanceIdentifier", "SourceDBClusterIdentifier"),
         "a read replica"),
    Gate("AWS::RDS::DBInstance", "rds:PromoteReadReplica", removed("SourceDBInstanceIdentifier"), "an update promotes the read replica"),
    Gate("AWS::RDS::DBInstance", "rds:RestoreDBInstanceFromDBSnapshot", sets("DBSnapshotIdentifier", "DBClusterSnapshotIdentifier"),
         "the create handler restores instead of creating"),
    Gate("AWS::RDS::DBInstance", "rds:RestoreDBInstanceToPointInTime",
         sets("RestoreTime", "UseLatestRestorableTime", "SourceDbiResourceId", "SourceDBInstanceAutomatedBackupsArn"),
         "the create handler restores instead of creating"),
    Gate("AWS::RDS::DBInstance", "rds:*DBInstanceAutomatedBackupsReplication", sets("AutomaticBackupReplicationRegion"),
         "cross-region backup replication"),
    Gate("AWS::RDS::DBInstance", "rds:AddRoleToDBInstance", sets("AssociatedRoles"), "IAM roles associated with the instance"),
    Gate("AWS::RDS::DBInstance", "rds:RemoveRoleFromDBInstance", sets("AssociatedRoles"), "IAM roles associated with the instance"),
    Gate("AWS::S3::Bucket", "s3tables:*", sets("MetadataTableConfiguration", "MetadataConfiguration"), "S3 metadata tables"),
    Gate("AWS::S3::Bucket", "s3:*BucketMetadata*", sets("MetadataTableConfiguration", "MetadataConfiguration"),
         "S3 metadata tables (create, get, delete and update of their configuration; the read handler's Get too)"),
    Gate("AWS::S3::Bucket", "s3:PutReplicationConfiguration", sets("ReplicationConfiguration"), "replication"),
    Gate("AWS::S3::Bucket", "iam:PassRole", sets("ReplicationConfiguration"), "the replication role"),
    Gate("AWS::S3::Bucket", "s3:PutBucketObjectLockConfiguration", sets("ObjectLockConfiguration"), "a default retention"),
    Gate("AWS::S3::Bucket", "s3:PutBucketWebsite", sets("WebsiteConfiguration"), "website hosting (GetBucketWebsite stays required: the read handler)"),
    Gate("AWS::S3::Bucket", "s3:DeleteBucketWebsite", sets("WebsiteConfiguration"), "website hosting"),
    Gate("AWS::S3::Bucket", "s3:PutBucketAcl", sets("AccessControl"), "a canned ACL changed by an update"),
    Gate("AWS::S3::Bucket", "s3:PutBucketLogging", sets("LoggingConfiguration"), "server access logging"),
    Gate("AWS::S3::Bucket", "s3:PutBucketNotification", sets("NotificationConfiguration"), "event notifications"),
    Gate("AWS::S3::Bucket", "s3:PutAccelerateConfiguration", sets("AccelerateConfiguration"), "transfer acceleration"),
    Gate("AWS::S3::Bucket", "s3:PutAnalyticsConfiguration", sets("AnalyticsConfigurations"), "storage class analysis"),
    Gate("AWS::S3::Bucket", "s3:PutInventoryConfiguration", sets("InventoryConfigurations"), "inventories"),
    Gate("AWS::S3::Bucket", "s3:PutIntelligentTieringConfiguration", sets("IntelligentTieringConfigurations"),
         "Intelligent-Tiering archive configurations"),
    Gate("AWS::S3::Bucket", "s3:PutMetricsConfiguration", sets("MetricsConfigurations"), "request metrics"),
    Gate("AWS::S3::Bucket", "s3:PutBucketCORS", sets("CorsConfiguration"), "CORS"),
    Gate("AWS::S3::Bucket", "s3:PutBucketAbac", sets("AbacStatus"), "attribute-based access control"),
    Gate("AWS::SNS::Topic", "sns:PutDataProtectionPolicy", sets("DataProtectionPolicy"),
         "a data protection policy (GetDataProtectionPolicy stays required: the read handler)"),
    Gate("AWS::SecretsManager::SecretTargetAttachment", "redshift:*", equals("TargetType", "AWS::Redshift::Cluster"),
         "the handler reads the target of its TargetType only"),
    Gate("AWS::SecretsManager::SecretTargetAttachment", "redshift-serverless:*", equals("TargetType", "AWS::RedshiftServerless::Namespace"),
         "the handler reads the target of its TargetType only"),
    Gate("AWS::SecretsManager::SecretTargetAttachment", "docdb-elastic:*", equals("TargetType", "AWS::DocDBElastic::Cluster"),
         "the handler reads the target of its TargetType only"),
]


@functools.lru_cache(maxsize=1)
def _iam_actions() -> dict[str, frozenset[str]]:
    """Service prefix -> its IAM actions (lower case): cfn-lint's copy of IAM's
    service authorization data (data/AdditionalSpecs/Policies.json, next to the schemas)."""
    base = schemas.schema_dir()
    if base is None:
        return {}
    with open(os.path.join(os.path.dirname(base), "AdditionalSpecs", "Policies.json"), encoding="utf-8") as handle:
        services = json.load(handle)
    return {prefix: frozenset(entry.get("Actions") or {}) for prefix, entry in services.items()}


def is_iam_action(action: str) -> bool:
    """Whether IAM knows the action. Some schema entries are not actions (s3:REST.PUT.OBJECT,
    s3:DeleteBucketCors: S3 authorizes those as s3:PutObject, s3:PutBucketCORS): no
    policy can grant them, so no handler can need them."""
    prefix, _, name = action.partition(":")
    return name.lower() in _iam_actions().get(prefix, frozenset())


def gate(resource_type: str, action: str) -> Gate | None:
    return next((g for g in PROPERTY_GATED if g.covers(resource_type, action)), None)


@functools.lru_cache(maxsize=None)
def _log_not_required(resource_type: str, action: str, why: str) -> None:
    logger.info("%s: %s is listed by its handlers but not required (%s)", resource_type, action, why)


_acting = threading.local()


def enabled() -> bool:
    return os.environ.get(ENFORCE_VARIABLE, ENFORCE_DEFAULT) == "1"


@contextlib.contextmanager
def acting_as(role_arn: str | None) -> Iterator[None]:
    """The role CloudFormation acts with while a stack operation runs (None: the caller's credentials)."""
    previous = getattr(_acting, "role_arn", None)
    _acting.role_arn = role_arn
    try:
        yield
    finally:
        _acting.role_arn = previous


def handler_actions(resource_type: str, operation: str) -> list[str] | None:
    """The sorted actions the type's handlers list for create/update/delete; None
    when cfn-lint's schema lists no handlers. A type without an update handler is
    replaced on update: its create handler's actions."""
    handlers = (schemas.schema_for(resource_type) or {}).get("handlers")
    if not handlers:
        return None
    names = list(OPERATION_HANDLERS[operation])
    if operation == "update" and "update" not in handlers:
        names[0] = "create"
    return sorted({action for name in names for action in (handlers.get(name) or {}).get("permissions", [])})


def required_actions(resource_type: str, operation: str, properties: Properties, previous: Properties | None = None) -> list[str] | None:
    """The handler actions the role needs for this resource: those IAM knows, and of
    the PROPERTY_GATED ones only those its properties (now or ``previous``) trigger."""
    actions = handler_actions(resource_type, operation)
    if actions is None:
        return None
    needed = []
    for action in actions:
        found = gate(resource_type, action)
        if not is_iam_action(action):
            _log_not_required(resource_type, action, "not an IAM action")
        elif found and not found.when.holds(properties, previous or {}):
            _log_not_required(resource_type, action, f"only with {found.when.text}")
        else:
            needed.append(action)
    return needed


# --------------------------------------------------------------------------- evaluation


@functools.lru_cache(maxsize=None)
def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(f"^{body}$", re.IGNORECASE if ignore_case else 0)


def _matches(patterns: Any, value: str, ignore_case: bool) -> bool:
    items = patterns if isinstance(patterns, list) else [patterns]
    return any(_pattern(str(item), ignore_case).match(value) for item in items)


def _concerns(statement: dict[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not _matches(statement["NotAction"], action, ignore_case=True)
    return _matches(statement.get("Action", []), action, ignore_case=True)


def _deny_applies_to(statement: dict[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return resource != "*" and not _matches(statement["NotResource"], resource, ignore_case=False)
    return _matches(statement.get("Resource", "*"), resource, ignore_case=False)


def _condition(statement: dict[str, Any], context: dict[str, str]) -> bool | None:
    """Whether the statement's Condition holds; None when it cannot be decided here."""
    condition = statement.get("Condition")
    if not condition:
        return True
    known = {key.lower(): value for key, value in context.items()}
    if any(key.lower() not in known for tests in condition.values() for key in tests):
        return None
    values = {key: known[key.lower()] for tests in condition.values() for key in tests}
    return _condition_holds(condition, values)


def verdict(statements: list[dict[str, Any]], action: str, resource: str, context: dict[str, str]) -> str:
    """"allowed", "denied" (an explicit Deny applies) or "implicit" (nothing allows it)."""
    allowed = False
    for statement in statements:
        if not _concerns(statement, action):
            continue
        holds = _condition(statement, context)
        if statement.get("Effect") == "Deny":
            if holds is True and _deny_applies_to(statement, resource):
                return "denied"
        elif statement.get("Effect") == "Allow" and holds is not False:
            allowed = True
    return "allowed" if allowed else "implicit"


def _statements(document: Any) -> list[dict[str, Any]]:
    parsed = json.loads(document) if isinstance(document, str) else document
    found = (parsed or {}).get("Statement") or []
    return [s for s in (found if isinstance(found, list) else [found]) if isinstance(s, dict)]


def role_statements(iam: Any, role: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """The statements of the role's inline and attached managed policies, and of its
    permissions boundary (None without one, or when the boundary policy is unknown)."""
    documents = list(role.policies.values()) + [default_document(p) for p in role.managed_policies.values()]
    identity = [s for document in documents for s in _statements(document)]
    boundary_arn = role.permissions_boundary_arn
    if not boundary_arn:
        return identity, None
    boundary = iam.managed_policies.get(boundary_arn)
    if boundary is None:
        logger.warning("permissions boundary %s of %s is not a known policy: not evaluated", boundary_arn, role.name)
        return identity, None
    return identity, _statements(default_document(boundary))


# --------------------------------------------------------------------------- the check


def resource_arn(model: Any) -> str:
    """The ARN of an existing resource model, or "*" when it has none."""
    arn = getattr(model, "arn", None)
    return arn if isinstance(arn, str) and arn.startswith("arn:") else "*"


@functools.lru_cache(maxsize=None)
def _warn_unchecked(resource_type: str) -> None:
    logger.warning("%s: no handler permissions in cfn-lint's schema, the stack role's permissions are not checked", resource_type)


def check(resource_type: str, operation: str, account_id: str, region_name: str, resource: str = "*",
          properties: Properties | None = None, previous: Properties | None = None) -> None:
    """Raise ResourceFailure, as the handler's AccessDenied, if enforcement is on, the
    stack operation acts with a role, and that role may not perform one of the
    resource's required handler actions (``required_actions``) for ``operation``
    ("create", "update", "delete"), given its resolved ``properties`` (on delete,
    the last ones) and, on update, its ``previous`` ones."""
    role_arn = getattr(_acting, "role_arn", None)
    if not role_arn or not enabled():
        return
    actions = required_actions(resource_type, operation, properties or {}, previous)
    if actions is None:
        if resource_type not in UNCHECKED_TYPES:
            _warn_unchecked(resource_type)
        return
    from moto.iam.models import iam_backends

    partition = get_partition(region_name)
    iam = iam_backends[account_id][partition]
    try:
        role = iam.get_role_by_arn(role_arn)
    except Exception:
        raise ResourceFailure(f"Role {role_arn} is invalid or cannot be assumed")
    identity, boundary = role_statements(iam, role)
    context = {"aws:PrincipalArn": role_arn, "aws:PrincipalAccount": account_id,
               "aws:RequestedRegion": region_name, "aws:SecureTransport": "true"}
    for action in actions:
        reason = _refusal(identity, boundary, action, resource, context)
        if reason:
            caller = f"arn:{partition}:sts::{account_id}:assumed-role/{role_arn.split('/')[-1]}/AWSCloudFormation"
            prefix = action.split(":")[0]
            raise ResourceFailure(
                f'Resource handler returned message: "User: {caller} is not authorized to perform: {action} '
                f"on resource: {resource} {reason} (Service: {SERVICE_NAMES.get(prefix, prefix.capitalize())}, "
                f'Status Code: 403, Request ID: {mock_random.uuid4()})" '
                f"(RequestToken: {mock_random.uuid4()}, HandlerErrorCode: AccessDenied)"
            )


def _refusal(identity: list[dict[str, Any]], boundary: list[dict[str, Any]] | None, action: str, resource: str,
             context: dict[str, str]) -> str | None:
    """AWS's reason for refusing the action, or None if it is allowed."""
    by_policy = verdict(identity, action, resource, context)
    by_boundary = "allowed" if boundary is None else verdict(boundary, action, resource, context)
    if by_policy == "denied":
        return "with an explicit deny in an identity-based policy"
    if by_boundary == "denied":
        return "with an explicit deny in a permissions boundary"
    if by_policy != "allowed":
        return f"because no identity-based policy allows the {action} action"
    if by_boundary != "allowed":
        return f"because no permissions boundary allows the {action} action"
    return None


def gates_table() -> str:
    """PROPERTY_GATED as the Markdown table of docs/local-aws.md."""
    rows = ["| type | actions | required only with | why |", "|---|---|---|---|"]
    rows += [f"| `{g.resource_type}` | `{g.actions}` | {g.when.text} | {g.reason} |" for g in PROPERTY_GATED]
    return "\n".join(rows)


def _summary(resource_type: str) -> dict[str, Any]:
    """Per operation: the actions required whatever the properties, those gated (with
    their condition) and those not IAM actions."""
    out: dict[str, Any] = {}
    for operation in OPERATION_HANDLERS:
        listed = handler_actions(resource_type, operation) or []
        out[operation] = {
            "required": [a for a in listed if is_iam_action(a) and not gate(resource_type, a)],
            "gated": {a: found.when.text for a in listed if is_iam_action(a) and (found := gate(resource_type, a))},
            "not IAM actions": [a for a in listed if not is_iam_action(a)],
        }
    return out


if __name__ == "__main__":  # cd scripts/local-aws && ../../.venv-local-aws/bin/python -m localaws.handler_permissions [--gates]
    import sys

    from .constraints import STACK_TYPES

    if sys.argv[1:] == ["--gates"]:
        print(gates_table())
    else:
        print(json.dumps({t: _summary(t) for t in STACK_TYPES if t not in UNCHECKED_TYPES}, indent=1))
