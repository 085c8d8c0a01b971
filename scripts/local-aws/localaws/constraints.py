"""Refuse what AWS refuses: property constraints and name uniqueness at create/update.

Gap: moto's CloudFormation models create whatever they are given. A template that
AWS refuses (a security group rule description with an apostrophe, a 70-character
role name, a second stack creating a log group the first one owns) creates fine on
moto, so tests pass and the first real deploy fails. ``check`` runs for every
resource moto's engine creates or updates, after intrinsic functions and dynamic
references are resolved (``engine._parse_resource_and_generate_name``), in the
order CloudFormation works:

1. the registry schema of the type (``schemas``): CloudFormation's own validation,
   "Properties validation failed for resource X with message: [...]";
2. a name another stack owns, for types identified by a name they set (RoleName,
   LogGroupName, ...): CloudFormation's "<name> already exists in stack <arn>";
3. service-side constraints the schemas lack (``RULES`` of kind "service"), with
   the service's message, as the resource handler reports it;
4. names already taken in the service (kind "unique"), where moto lets them pass.

A failure raises ``ResourceFailure``: the resource fails (CREATE_FAILED or
UPDATE_FAILED with the message) and the stack rolls back, through the engine's
failure path. Each rule names its AWS source and the test that shows it; ``table``
renders them for docs/local-aws.md (a test keeps the page and the code in step).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, NoReturn

from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import ValidationError
from moto.codebuild.models import codebuild_backends
from moto.core.base_backend import BackendDict, BaseBackend
from moto.ecs import models as ecs_models
from moto.ecs.models import ecs_backends
from moto.elbv2.models import elbv2_backends
from moto.rds.models import rds_backends
from moto.route53.models import route53_backends
from moto.sns.models import sns_backends
from moto.utilities.utils import get_partition

from . import schemas


class ResourceFailure(ValidationError):
    """A resource AWS would refuse; ``message`` is the stack event's reason. A
    CloudFormation ValidationError, so that a direct CreateStack/UpdateStack (whose
    resources moto creates within the call) answers 400 with it, not 500."""

    def __init__(self, message: str):
        super().__init__(message=message)
        self.message = message


@dataclass
class Target:
    """A resource about to be created or updated, with its resolved properties."""

    logical_id: str
    resource_type: str
    properties: dict[str, Any]
    account_id: str
    region_name: str
    stack_id: str
    operation: str  # "create" or "update"
    previous: dict[str, Any] | None = None  # resolved properties of the last create/update

    def changed(self, *names: str) -> bool:
        """Whether this is a create, or an update changing one of these properties."""
        if self.operation == "create" or self.previous is None:
            return True
        return any(self.properties.get(n) != self.previous.get(n) for n in names)


@dataclass(frozen=True)
class Rule:
    resource_type: str
    covers: tuple[str, ...]  # property shapes whose schema keywords this rule reports instead
    rule: str
    source: str
    test: str
    kind: str  # "service" (a constraint) or "unique" (a name already taken)
    check: Callable[[Target], None] = field(compare=False)


RULES: list[Rule] = []

# The types bs-synth's stacks use (test_every_config_deploys keeps this complete);
# the docs table summarises their registry schemas. The checks apply to any type.
STACK_TYPES = [
    "AWS::CertificateManager::Certificate", "AWS::CodeBuild::Project", "AWS::CodePipeline::Pipeline",
    "AWS::CodeStarNotifications::NotificationRule", "AWS::EC2::EIP", "AWS::EC2::FlowLog", "AWS::EC2::InternetGateway",
    "AWS::EC2::NatGateway", "AWS::EC2::Route", "AWS::EC2::RouteTable", "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress", "AWS::EC2::Subnet", "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::VPC",
    "AWS::EC2::VPCGatewayAttachment", "AWS::ECR::Repository", "AWS::ECS::Cluster", "AWS::ECS::Service",
    "AWS::ECS::TaskDefinition", "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::Logs::LogGroup", "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance", "AWS::RDS::DBSubnetGroup", "AWS::Route53::RecordSet", "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy", "AWS::SNS::Topic", "AWS::SecretsManager::Secret", "AWS::SecretsManager::SecretTargetAttachment",
]

# Gaps already closed by moto itself (documented in the table; not checked twice).
MOTO_ALREADY = [
    ("AWS::IAM::Role", "RoleName", "a role of that name exists: \"Role with name X already exists.\"", "test_names_moto_already_refuses"),
    ("AWS::Logs::LogGroup", "LogGroupName", "exists: \"The specified log group already exists\"", "test_names_moto_already_refuses"),
    ("AWS::SecretsManager::Secret", "Name", "exists: \"A resource with the ID you requested already exists.\"", "test_names_moto_already_refuses"),
    ("AWS::CodePipeline::Pipeline", "Name", "exists: \"A pipeline with the name 'X' already exists in account '...'\"", "test_names_moto_already_refuses"),
    ("AWS::ECR::Repository", "RepositoryName", "exists: \"The repository with name 'X' already exists in the registry with id '...'\"", "test_names_moto_already_refuses"),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Name", "exists: \"A target group with the specified name already exists.\"; at most 32 characters, alphanumerics and hyphens, no leading/trailing hyphen", "test_names_moto_already_refuses"),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "HealthCheckTimeoutSeconds", "smaller than HealthCheckIntervalSeconds: \"Health check timeout 'T' must be smaller than the interval 'I'\"", "test_target_group_health_check_timeout_and_ranges"),
    ("AWS::RDS::DBInstance", "DBInstanceIdentifier", "exists: \"DB instance already exists\"", "test_names_moto_already_refuses"),
    ("AWS::EC2::SecurityGroup", "GroupName", "a group of that name in the VPC: \"The security group 'X' already exists\"", "test_names_moto_already_refuses"),
    ("AWS::S3::Bucket", "BucketName", "taken: \"The requested bucket name is not available...\"", "test_names_moto_already_refuses"),
    ("AWS::SNS::Topic", "TopicName", "1-256 of A-Za-z0-9_- (.fifo for FIFO): \"Topic names must be made up of only uppercase and lowercase ASCII letters, ...\"", "test_sns_topic_names"),
]

# Names unique per account rather than per region.
_ACCOUNT_WIDE = {"AWS::IAM::Role", "AWS::S3::Bucket", "AWS::S3::BucketPolicy"}
# Identifiers the service stores in lower case.
_CASE_INSENSITIVE = {"AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::RDS::DBSubnetGroup"}


def rule(resource_type: str, covers: tuple[str, ...], text: str, source: str, test: str, kind: str = "service") -> Callable[[Callable[[Target], None]], Callable[[Target], None]]:
    def register(check: Callable[[Target], None]) -> Callable[[Target], None]:
        RULES.append(Rule(resource_type, covers, text, source, test, kind, check))
        return check

    return register


# --------------------------------------------------------------------------- messages

_SDK_SERVICE = {
    "EC2": "Ec2", "ElasticLoadBalancingV2": "ElasticLoadBalancingV2", "IAM": "Iam", "RDS": "Rds",
    "CodeBuild": "AWSCodeBuild", "CodePipeline": "CodePipeline", "SecretsManager": "SecretsManager",
    "SNS": "Sns", "ECS": "Ecs", "Route53": "Route53", "CertificateManager": "Acm",
    "CodeStarNotifications": "CodestarNotifications",
}


def handler_message(resource_type: str, message: str, error_code: str, handler_code: str = "InvalidRequest", status: int = 400) -> str:
    """A service error as CloudFormation shows it in the stack event: wrapped by the
    registry handler (``Resource handler returned message: "..." (RequestToken: ...,
    HandlerErrorCode: ...)``) for registry types, the SDK's form otherwise."""
    service = _SDK_SERVICE.get(resource_type.split("::")[1], resource_type.split("::")[1])
    if schemas.is_registry_type(resource_type):
        return (
            f'Resource handler returned message: "{message} (Service: {service}, Status Code: {status}, '
            f'Request ID: {uuid.uuid4()})" (RequestToken: {uuid.uuid4()}, HandlerErrorCode: {handler_code})'
        )
    return f"{message} (Service: {service}; Status Code: {status}; Error Code: {error_code}; Request ID: {uuid.uuid4()}; Proxy: null)"


def fail(target: Target, message: str, error_code: str, handler_code: str = "InvalidRequest", status: int = 400) -> NoReturn:
    raise ResourceFailure(handler_message(target.resource_type, message, error_code, handler_code, status))


def validation_errors(errors: list[tuple[Any, str, str]]) -> str:
    """The services' request validation message (``ValidationException``)."""
    parts = [f"Value '{value}' at '{member}' failed to satisfy constraint: {constraint}" for value, member, constraint in errors]
    plural = "s" if len(parts) > 1 else ""
    return f"{len(parts)} validation error{plural} detected: " + "; ".join(parts)


def _length_pattern(value: Any, member: str, low: int, high: int, pattern: str | None, flags: int = 0) -> list[tuple[Any, str, str]]:
    if not isinstance(value, str):
        return []
    errors: list[tuple[Any, str, str]] = []
    if len(value) > high:
        errors.append((value, member, f"Member must have length less than or equal to {high}"))
    if len(value) < low:
        errors.append((value, member, f"Member must have length greater than or equal to {low}"))
    if pattern is not None and not re.fullmatch(pattern, value, flags):
        errors.append((value, member, f"Member must satisfy regular expression pattern: {pattern}"))
    return errors


# --------------------------------------------------------------------------- EC2

_EC2_TEXT_AMP = r"[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*"
_EC2_TEXT = r"[a-zA-Z0-9. _\-:/()#,@\[\]+=;{}!$*]*"
_EC2_SET_AMP = "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"
_EC2_SET = "a-zA-Z0-9. _-:/()#,@[]+=;{}!$*"
_NAMES_GROUP = ("SourceSecurityGroupId", "SourceSecurityGroupName", "DestinationSecurityGroupId",
                "SourcePrefixListId", "DestinationPrefixListId")


def _rule_description(target: Target, rule_props: dict[str, Any]) -> None:
    description = rule_props.get("Description")
    if not isinstance(description, str):
        return
    names_group = any(rule_props.get(k) for k in _NAMES_GROUP)
    allowed, text = (_EC2_TEXT, _EC2_SET) if names_group else (_EC2_TEXT_AMP, _EC2_SET_AMP)
    if len(description) > 255 or not re.fullmatch(allowed, description):
        fail(target, "Invalid rule description. Valid descriptions are strings less than 256 characters "
             f"from the following set:  {text}", "InvalidParameterValue")


@rule("AWS::EC2::SecurityGroup", ("/GroupDescription",),
      "GroupDescription: at most 255 characters of a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$*",
      "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
      "test_security_group_description_characters")
def _group_description(target: Target) -> None:
    description = target.properties.get("GroupDescription")
    if isinstance(description, str) and (len(description) > 255 or not re.fullmatch(_EC2_TEXT_AMP, description)):
        fail(target, "Invalid security group description. Valid descriptions are strings less than 256 characters "
             f"from the following set:  {_EC2_SET_AMP}", "InvalidParameterValue")


@rule("AWS::EC2::SecurityGroup", ("/SecurityGroupIngress/*/Description", "/SecurityGroupEgress/*/Description"),
      "inline rule Description: at most 255 characters; a-zA-Z0-9, space and ._-:/()#,@[]+=;{}!$* when the rule names a "
      "security group or prefix list, and & as well for a CIDR rule",
      "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html, "
      "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html, "
      "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_PrefixListId.html",
      "test_inline_rule_description_characters")
def _inline_rule_descriptions(target: Target) -> None:
    for key in ("SecurityGroupIngress", "SecurityGroupEgress"):
        for item in target.properties.get(key) or []:
            if isinstance(item, dict):
                _rule_description(target, item)


@rule("AWS::EC2::SecurityGroupIngress", ("/Description",),
      "Description: at most 255 characters; a-zA-Z0-9, space and ._-:/()#,@[]+=;{}!$* when the rule names a source "
      "security group or prefix list, and & as well for a CIDR rule",
      "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html, "
      "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html",
      "test_security_group_ingress_description_apostrophe")
def _ingress_description(target: Target) -> None:
    _rule_description(target, target.properties)


@rule("AWS::EC2::SecurityGroupEgress", ("/Description",),
      "Description: as for SecurityGroupIngress (destination group or prefix list: no &)",
      "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html, "
      "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html",
      "test_inline_rule_description_characters")
def _egress_description(target: Target) -> None:
    _rule_description(target, target.properties)


# --------------------------------------------------------------------------- ELBv2


@rule("AWS::ElasticLoadBalancingV2::LoadBalancer", ("/Name",),
      "Name: at most 32 characters, alphanumerics and hyphens, not beginning or ending with a hyphen, not beginning with internal-",
      "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
      "test_load_balancer_name")
def _load_balancer_name(target: Target) -> None:
    name = target.properties.get("Name")
    if not isinstance(name, str):
        return
    if len(name) > 32:
        message = f"The load balancer name '{name}' cannot be longer than '32' characters"
    elif not re.fullmatch(r"[a-zA-Z0-9-]+", name):
        message = f"The load balancer name '{name}' can only contain characters that are alphanumeric characters or hyphens(-)"
    elif name.startswith("-") or name.endswith("-"):
        message = f"The load balancer name '{name}' cannot begin or end with '-'"
    elif name.startswith("internal-"):
        message = f"The load balancer name '{name}' cannot begin with 'internal-'"
    else:
        return
    fail(target, message, "ValidationError")


# --------------------------------------------------------------------------- IAM

_IAM_NAME = r"[\w+=,.@-]+"
_IAM_PATH = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
_IAM_DESCRIPTION = r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*"


@rule("AWS::IAM::Role", ("/RoleName", "/Path", "/Description"),
      "RoleName 1-64 of [\\w+=,.@-]; Path 1-512, / or /.../ of printable ASCII; Description at most 1000 characters",
      "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
      "test_iam_role_name_path_description")
def _role(target: Target) -> None:
    props = target.properties
    errors = _length_pattern(props.get("RoleName"), "roleName", 1, 64, _IAM_NAME, re.ASCII)
    errors += _length_pattern(props.get("Path"), "path", 1, 512, _IAM_PATH)
    errors += _length_pattern(props.get("Description"), "description", 0, 1000, _IAM_DESCRIPTION)
    if errors:
        fail(target, validation_errors(errors), "ValidationError")


@rule("AWS::IAM::Role", ("/Policies/*/PolicyName",),
      "inline PolicyName 1-128 of [\\w+=,.@-]",
      "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html",
      "test_iam_role_name_path_description")
def _inline_policies(target: Target) -> None:
    for policy in target.properties.get("Policies") or []:
        if isinstance(policy, dict):
            errors = _length_pattern(policy.get("PolicyName"), "policyName", 1, 128, _IAM_NAME, re.ASCII)
            if errors:
                fail(target, validation_errors(errors), "ValidationError")


# --------------------------------------------------------------------------- RDS


@rule("AWS::RDS::DBSubnetGroup", ("/DBSubnetGroupName",),
      "DBSubnetGroupName: at most 255 letters, digits, periods, underscores, spaces or hyphens; not default",
      "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
      "test_rds_identifiers_and_subnet_group_name")
def _subnet_group_name(target: Target) -> None:
    name = target.properties.get("DBSubnetGroupName")
    if isinstance(name, str) and (len(name) > 255 or not re.fullmatch(r"[A-Za-z0-9._ -]+", name) or name.lower() == "default"):
        fail(target, f"The parameter DBSubnetGroupName is not a valid identifier: '{name}'. It must contain no more "
             "than 255 letters, numbers, periods, underscores, spaces, or hyphens, and must not be default.",
             "InvalidParameterValue")


# --------------------------------------------------------------------------- CodeBuild


@rule("AWS::CodeBuild::Project", ("/Name",),
      "Name 2-150 characters, [A-Za-z0-9][A-Za-z0-9\\-_]*",
      "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html",
      "test_codebuild_project_name")
def _project_name(target: Target) -> None:
    errors = _length_pattern(target.properties.get("Name"), "name", 2, 150, r"[A-Za-z0-9][A-Za-z0-9\-_]{1,254}")
    if errors:
        fail(target, validation_errors(errors), "InvalidInputException")


# --------------------------------------------------------------------------- Secrets Manager


@rule("AWS::SecretsManager::Secret", (),
      "Name: ASCII letters, digits and /_+=.@-! (the length 1-512 is the schema's)",
      "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
      "test_secret_name_characters")
def _secret_name(target: Target) -> None:
    name = target.properties.get("Name")
    if isinstance(name, str) and not re.fullmatch(r"[A-Za-z0-9/_+=.@!-]+", name):
        fail(target, "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
             "ValidationException")


# --------------------------------------------------------------------------- CodePipeline

_PIPELINE_NAME = r"[A-Za-z0-9.@\-_]+"


@rule("AWS::CodePipeline::Pipeline", ("/Name", "/Stages/*/Name"),
      "pipeline Name and stage names 1-100 of [A-Za-z0-9.@\\-_] (action names: schema)",
      "https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html, "
      "https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_StageDeclaration.html",
      "test_pipeline_and_stage_names")
def _pipeline_names(target: Target) -> None:
    errors = _length_pattern(target.properties.get("Name"), "pipeline.name", 1, 100, _PIPELINE_NAME)
    for index, stage in enumerate(target.properties.get("Stages") or [], start=1):
        if isinstance(stage, dict):
            errors += _length_pattern(stage.get("Name"), f"pipeline.stages.{index}.member.name", 1, 100, _PIPELINE_NAME)
    if errors:
        fail(target, validation_errors(errors), "ValidationException")


# --------------------------------------------------------------------------- SNS


@rule("AWS::SNS::Topic", ("/DisplayName",),
      "DisplayName at most 100 characters (TopicName: moto already)",
      "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-topic.html#cfn-sns-topic-displayname",
      "test_sns_topic_names")
def _topic_display_name(target: Target) -> None:
    display = target.properties.get("DisplayName")
    if isinstance(display, str) and len(display) > 100:
        fail(target, "Invalid parameter: DisplayName", "InvalidParameter")


# --------------------------------------------------------------------------- ECS

_ECS_NAME = r"[a-zA-Z0-9_-]{1,255}"


@rule("AWS::ECS::Cluster", ("/ClusterName",),
      "ClusterName 1-255 of letters, digits, hyphens and underscores",
      "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
      "test_ecs_names")
def _cluster_name(target: Target) -> None:
    name = target.properties.get("ClusterName")
    if isinstance(name, str) and not re.fullmatch(_ECS_NAME, name):
        fail(target, f"Cluster name must match ^[a-zA-Z0-9\\-_]{{1,255}}$, but was {name}", "InvalidParameterException")


@rule("AWS::ECS::Service", ("/ServiceName",),
      "ServiceName 1-255 of letters, digits, hyphens and underscores",
      "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
      "test_ecs_names")
def _service_name(target: Target) -> None:
    name = target.properties.get("ServiceName")
    if isinstance(name, str) and not re.fullmatch(_ECS_NAME, name):
        fail(target, f"Service name must match ^[a-zA-Z0-9\\-_]{{1,255}}$, but was {name}", "InvalidParameterException")


@rule("AWS::ECS::TaskDefinition", ("/Family", "/ContainerDefinitions/*/Name"),
      "Family and container names 1-255 of letters, digits, hyphens and underscores",
      "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html, "
      "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html",
      "test_ecs_names")
def _task_definition_names(target: Target) -> None:
    family = target.properties.get("Family")
    if isinstance(family, str) and not re.fullmatch(_ECS_NAME, family):
        fail(target, "Family contains invalid characters.", "ClientException")
    for container in target.properties.get("ContainerDefinitions") or []:
        name = container.get("Name") if isinstance(container, dict) else None
        if isinstance(name, str) and not re.fullmatch(_ECS_NAME, name):
            fail(target, "Container.name contains invalid characters.", "ClientException")


# Task-level CPU units -> allowed memory (MiB) on Fargate (Linux).
FARGATE_SIZES: dict[int, list[int]] = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4096 + 1, 1024)),
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
    8192: list(range(16384, 61440 + 1, 4096)),
    16384: list(range(32768, 122880 + 1, 8192)),
}


def _units(value: Any, unit: str) -> int | None:
    """Task cpu/memory as the API takes them: "1024", 1024, "1 vCPU", "2 GB"."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    match = re.fullmatch(rf"(\d+(?:\.\d+)?)\s*{unit}", text, re.IGNORECASE)
    if match:
        return int(float(match.group(1)) * 1024)
    return int(text) if text.isdigit() else None


@rule("AWS::ECS::TaskDefinition", (),
      "with FARGATE in RequiresCompatibilities: task-level Cpu and Memory, in one of Fargate's combinations (256: 512-2048; "
      "512: 1-4 GB; 1024: 2-8 GB; 2048: 4-16 GB; 4096: 8-30 GB; 8192: 16-60 GB by 4; 16384: 32-120 GB by 8)",
      "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size",
      "test_fargate_cpu_memory")
def _fargate_size(target: Target) -> None:
    props = target.properties
    if "FARGATE" not in (props.get("RequiresCompatibilities") or []):
        return
    if props.get("Cpu") is None:
        fail(target, "Fargate requires that 'cpu' be defined at the task level.", "ClientException")
    if props.get("Memory") is None:
        fail(target, "Fargate requires that 'memory' be defined at the task level.", "ClientException")
    cpu, memory = _units(props["Cpu"], "vcpu"), _units(props["Memory"], "gb")
    if cpu is None or memory is None or memory not in FARGATE_SIZES.get(cpu, []):
        fail(target, f"No Fargate configuration exists for given values: {props['Cpu']} CPU, {props['Memory']} memory",
             "ClientException")


# --------------------------------------------------------------------------- Route 53


def _dns(name: Any) -> str:
    text = str(name).lower()
    return text if text.endswith(".") else text + "."


def _hosted_zone(target: Target) -> Any:
    backend = route53_backends[target.account_id][get_partition(target.region_name)]
    props = target.properties
    zone = None
    if props.get("HostedZoneName"):
        zone = backend.get_hosted_zone_by_name(props["HostedZoneName"])
    if zone is None and props.get("HostedZoneId"):
        try:
            zone = backend.get_hosted_zone(str(props["HostedZoneId"]).split("/")[-1])
        except Exception:
            zone = None
    return zone


@rule("AWS::Route53::RecordSet", ("/Name",),
      "Name within the hosted zone; DNS labels at most 63 characters",
      "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html, "
      "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html",
      "test_route53_record_name_and_duplicate")
def _record_name(target: Target) -> None:
    name = target.properties.get("Name")
    if not isinstance(name, str):
        return
    for label in name.rstrip(".").split("."):
        if len(label) > 63:
            fail(target, f"[FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with '{label}']",
                 "InvalidChangeBatch")
    zone = _hosted_zone(target)
    if zone is None:
        return
    record, origin = _dns(name), _dns(zone.name)
    if record != origin and not record.endswith("." + origin):
        fail(target, f"[RRSet with DNS name {record} is not permitted in zone {origin}]", "InvalidChangeBatch")


# --------------------------------------------------------------------------- ACM

_DOMAIN = r"(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])"


@rule("AWS::CertificateManager::Certificate", ("/DomainName", "/SubjectAlternativeNames/*"),
      "DomainName and each SubjectAlternativeName 1-253 characters, a fully qualified (optionally *.) domain name",
      "https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html",
      "test_certificate_domain_name")
def _certificate_domains(target: Target) -> None:
    errors = _length_pattern(target.properties.get("DomainName"), "domainName", 1, 253, _DOMAIN)
    for san in target.properties.get("SubjectAlternativeNames") or []:
        errors += _length_pattern(san, "subjectAlternativeNames", 1, 253, _DOMAIN)
    if errors:
        fail(target, validation_errors(errors), "ValidationException")


# --------------------------------------------------------------------------- names already taken


def _already_exists(target: Target, message: str, error_code: str) -> NoReturn:
    fail(target, message, error_code, handler_code="AlreadyExists")


@rule("AWS::CodeBuild::Project", ("/Name",), "a project of that name exists: \"Project already exists: arn:...\"",
      "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html", "test_names_the_plugin_refuses",
      kind="unique")
def _project_exists(target: Target) -> None:
    name = target.properties.get("Name")
    if isinstance(name, str) and name in codebuild_backends[target.account_id][target.region_name].codebuild_projects:
        arn = f"arn:{get_partition(target.region_name)}:codebuild:{target.region_name}:{target.account_id}:project/{name}"
        _already_exists(target, f"Project already exists: {arn}", "ResourceAlreadyExistsException")


@rule("AWS::SNS::Topic", ("/TopicName",),
      "a topic of that name exists (CreateTopic itself is idempotent; CloudFormation's handler checks first)",
      "https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-sns (aws-sns-topic CreateHandler)",
      "test_names_the_plugin_refuses", kind="unique")
def _topic_exists(target: Target) -> None:
    name = target.properties.get("TopicName")
    if isinstance(name, str) and any(t.name == name for t in sns_backends[target.account_id][target.region_name].topics.values()):
        raise ResourceFailure(
            f'Resource handler returned message: "Resource of type \'AWS::SNS::Topic\' with identifier \'{name}\' already exists." '
            f"(RequestToken: {uuid.uuid4()}, HandlerErrorCode: AlreadyExists)"
        )


@rule("AWS::RDS::DBCluster", ("/DBClusterIdentifier",), "a cluster of that identifier exists: \"DB Cluster already exists\"",
      "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html", "test_names_the_plugin_refuses",
      kind="unique")
def _cluster_exists(target: Target) -> None:
    identifier = target.properties.get("DBClusterIdentifier")
    if isinstance(identifier, str) and identifier.lower() in rds_backends[target.account_id][target.region_name].clusters:
        _already_exists(target, "DB Cluster already exists", "DBClusterAlreadyExistsFault")


@rule("AWS::RDS::DBSubnetGroup", ("/DBSubnetGroupName",),
      "a subnet group of that name exists: \"The DB subnet group 'X' already exists.\"",
      "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html", "test_names_the_plugin_refuses",
      kind="unique")
def _subnet_group_exists(target: Target) -> None:
    name = target.properties.get("DBSubnetGroupName")
    if isinstance(name, str) and name.lower() in rds_backends[target.account_id][target.region_name].subnet_groups:
        _already_exists(target, f"The DB subnet group '{name.lower()}' already exists.", "DBSubnetGroupAlreadyExists")


@rule("AWS::ElasticLoadBalancingV2::LoadBalancer", ("/Name",),
      "a load balancer of that name exists: \"A load balancer with the same name 'X' exists, but with different settings\"",
      "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
      "test_names_the_plugin_refuses", kind="unique")
def _load_balancer_exists(target: Target) -> None:
    name = target.properties.get("Name")
    if isinstance(name, str) and any(lb.name == name for lb in elbv2_backends[target.account_id][target.region_name].load_balancers.values()):
        _already_exists(target, f"A load balancer with the same name '{name}' exists, but with different settings",
                        "DuplicateLoadBalancerName")


def _cluster_name_of(value: Any) -> str:
    if isinstance(value, ecs_models.Cluster):
        return value.name
    text = str(value or "default")
    return text.split("/")[-1] if text.startswith("arn:") else text


@rule("AWS::ECS::Service", ("/ServiceName",), "an ACTIVE service of that name in the cluster: \"Creation of service was not idempotent.\"",
      "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html", "test_names_the_plugin_refuses",
      kind="unique")
def _service_exists(target: Target) -> None:
    name = target.properties.get("ServiceName")
    if not isinstance(name, str):
        return
    cluster = _cluster_name_of(target.properties.get("Cluster"))
    service = ecs_backends[target.account_id][target.region_name].services.get(f"{cluster}:{name}")
    if service is not None and getattr(service, "status", "ACTIVE") == "ACTIVE":
        _already_exists(target, "Creation of service was not idempotent.", "InvalidParameterException")


@rule("AWS::Route53::RecordSet", ("/Name", "/Type", "/SetIdentifier"),
      "a record of that name, type (and set identifier) in the zone: \"Tried to create resource record set [name='X', type='A'] but it already exists\"",
      "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html",
      "test_route53_record_name_and_duplicate", kind="unique")
def _record_exists(target: Target) -> None:
    props = target.properties
    zone = _hosted_zone(target)
    if zone is None or not isinstance(props.get("Name"), str):
        return
    name, kind, set_id = _dns(props["Name"]), props.get("Type"), props.get("SetIdentifier")
    for record in zone.rrsets:
        if _dns(record.name) == name and record.type == kind and getattr(record, "set_identifier", None) == set_id:
            _already_exists(target, f"[Tried to create resource record set [name='{name}', type='{kind}'] but it already exists]",
                            "InvalidChangeBatch")


@rule("AWS::CodeStarNotifications::NotificationRule", ("/Name",),
      "a rule of that name anywhere in the account: \"A resource with the same name or ID already exists. ...\"",
      "https://docs.aws.amazon.com/codestar-notifications/latest/APIReference/API_CreateNotificationRule.html",
      "test_names_the_plugin_refuses", kind="unique")
def _notification_rule_exists(target: Target) -> None:
    from .resources import notification_rules_backends

    name = target.properties.get("Name")
    if not isinstance(name, str):
        return
    for backend in notification_rules_backends[target.account_id].values():
        if any(record.get("Name") == name for record in backend.rules.values()):
            _already_exists(target, "A resource with the same name or ID already exists. Notification rule names must be "
                            "unique in your Amazon Web Services account.", "ResourceAlreadyExistsException")


# --------------------------------------------------------------------------- names owned by stacks


class NameOwnersBackend(BaseBackend):
    """Which stack resource owns which name (CloudFormation's record of physical
    names). A BackendDict, so /moto-api/reset clears it with everything else."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.owners: dict[tuple[str, str, str], tuple[str, str]] = {}  # (scope, type, name) -> (stack id, logical id)


name_owners = BackendDict(NameOwnersBackend, "cloudformation")


def _owner_key(target: Target, name: str) -> tuple[str, str, str]:
    scope = "*" if target.resource_type in _ACCOUNT_WIDE else target.region_name
    normalized = name.lower() if target.resource_type in _CASE_INSENSITIVE else name
    return scope, target.resource_type, normalized


def _owned_name(target: Target) -> str | None:
    prop = schemas.name_identifier(target.resource_type)
    value = target.properties.get(prop) if prop else None
    return value if isinstance(value, str) and value else None


def _live_stack(account_id: str, stack_id: str) -> Any:
    for backend in cfn_models.cloudformation_backends[account_id].values():
        stack = backend.stacks.get(stack_id)
        if stack is not None:
            return stack
    return None


def _check_owner(target: Target) -> None:
    """CloudFormation's own check: a named resource another live stack owns."""
    name = _owned_name(target)
    if name is None:
        return
    owners = name_owners[target.account_id]["us-east-1"].owners
    owner = owners.get(_owner_key(target, name))
    if owner is None or owner == (target.stack_id, target.logical_id):
        return
    stack = _live_stack(target.account_id, owner[0])
    resource_map = getattr(stack, "resource_map", None)
    current = (getattr(resource_map, "localaws_resolved", None) or {}).get(owner[1]) or {}
    prop = schemas.name_identifier(target.resource_type) or ""
    alive = (
        stack is not None
        and stack.status not in ("DELETE_COMPLETE", "ROLLBACK_COMPLETE")
        and owner[1] in (getattr(resource_map, "_parsed_resources", None) or {})
        and isinstance(current.get(prop), str)
        and _owner_key(target, current[prop]) == _owner_key(target, name)  # not renamed since
    )
    if not alive:
        owners.pop(_owner_key(target, name), None)
        return
    if owner[0] != target.stack_id:
        raise ResourceFailure(f"{name} already exists in stack {owner[0]}")


def record(target: Target) -> None:
    """After a successful create/update: this resource now owns its name."""
    name = _owned_name(target)
    if name is not None:
        name_owners[target.account_id]["us-east-1"].owners[_owner_key(target, name)] = (target.stack_id, target.logical_id)


# --------------------------------------------------------------------------- entry point


def _covered(resource_type: str) -> frozenset[str]:
    return frozenset(shape for r in RULES if r.resource_type == resource_type and r.kind == "service" for shape in r.covers)


def check(target: Target) -> None:
    """Raise ResourceFailure if AWS would refuse to create/update this resource."""
    violations = schemas.validate(target.resource_type, target.properties, target.region_name, _covered(target.resource_type))
    if violations:
        raise ResourceFailure(schemas.failure_message(target.logical_id, violations))
    if target.changed(schemas.name_identifier(target.resource_type) or ""):
        _check_owner(target)
    for item in RULES:
        if item.resource_type != target.resource_type:
            continue
        if item.kind == "unique":
            props = [c.lstrip("/") for c in item.covers]
            if not target.changed(*props):
                continue
        item.check(target)


# --------------------------------------------------------------------------- docs


def table(types: list[str]) -> str:
    """The Markdown table of docs/local-aws.md's "Constraints the local AWS enforces"."""
    lines = [
        "| type | property | rule | source | test |",
        "|---|---|---|---|---|",
    ]
    for resource_type in types:
        covered = _covered(resource_type)
        keywords = {path: keys for path, keys in schemas.summary(resource_type).items() if path not in covered}
        top = [f"{path.lstrip('/')} {_short(keys)}" for path, keys in keywords.items() if path.count("/") == 1]
        nested = [path.lstrip("/") for path in keywords if path.count("/") > 1]
        text = "; ".join(top) or "none at the top level"
        if nested:
            text += f"; and {len(nested)} nested ({', '.join(nested[:3])}{', ...' if len(nested) > 3 else ''})"
        if not keywords:
            text = "none"
        lines.append(f"| `{resource_type}` | (schema) | {_escape(text)} | registry schema, cfn-lint {_CFN_LINT} | "
                     "`test_registry_schema_constraints` |")
    lines.append(f"| (every type naming itself) | primary identifier (RoleName, LogGroupName, ClusterName, ...) | "
                 "a name another live stack owns: \"X already exists in stack arn:...\" | CloudFormation | "
                 "`test_name_owned_by_another_stack` |")
    for item in sorted(RULES, key=lambda r: (r.resource_type, r.kind, r.test)):
        props = ", ".join(c.lstrip("/") for c in item.covers) or "-"
        kind = "unique: " if item.kind == "unique" else ""
        lines.append(f"| `{item.resource_type}` | {props} | {kind}{_escape(item.rule)} | {item.source} | `{item.test}` |")
    for resource_type, prop, text, test in MOTO_ALREADY:
        lines.append(f"| `{resource_type}` | {prop} | moto already: {_escape(text)} | moto 5.2.5 | `{test}` |")
    return "\n".join(lines)


_CFN_LINT = "1.58.0 (`cfnlint/data/schemas`)"


def _short(keywords: list[str]) -> str:
    """pattern/maxLength/minLength -> pattern, length."""
    words = []
    for word in keywords:
        word = {"maxLength": "length", "minLength": "length", "maximum": "range", "minimum": "range",
                "exclusiveMaximum": "range", "exclusiveMinimum": "range", "maxItems": "items", "minItems": "items"}.get(word, word)
        if word not in words:
            words.append(word)
    return ", ".join(words)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":  # the docs table: cd scripts/local-aws && ../../.venv-local-aws/bin/python -m localaws.constraints
    import sys as _sys

    print(table(STACK_TYPES))
    _sys.exit(0)
