"""The local AWS refuses what AWS refuses (localaws/constraints.py, schemas.py, hold.py).

    .venv-local-aws/bin/python -m pytest scripts/local-aws -q

Each constraint family has a refused and an accepted case, deployed through change
sets on the session's server (conftest.py): a refused resource ends CREATE_FAILED
(or UPDATE_FAILED) with AWS's message and the stack rolls back. The real templates
of every config deploy through all of it (``test_every_config_deploys``), and the
table in docs/local-aws.md is the one the code renders
(``test_constraints_table_in_docs_is_current``).
"""

from __future__ import annotations

import ast
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from harness import ACCOUNT, REPO, assert_complete, deploy, deploy_assembly, failures, post_json, template

sys.path.insert(0, str(Path(__file__).resolve().parent))

from localaws import constraints, schemas  # noqa: E402

ASSUME_ECS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
VPC = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}
SUBNETS = {
    "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "us-east-1a"}},
    "SubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1b"}},
}


def refused(cfn: Any, stack: str, resources: dict[str, Any], logical_id: str, *fragments: str, **extra: Any) -> str:
    """Deploy; assert the create rolled back with ``logical_id`` CREATE_FAILED and a
    reason containing every fragment; return the reason."""
    result = deploy(cfn, stack, template(resources, **extra))
    assert result["StackStatus"] == "ROLLBACK_COMPLETE", result
    failed = failures(cfn, stack)
    assert [(f[0], f[1]) for f in failed] == [(logical_id, "CREATE_FAILED")], failed
    for fragment in fragments:
        assert fragment in failed[0][2], failed[0][2]
    return failed[0][2]


def accepted(cfn: Any, stack: str, resources: dict[str, Any], **extra: Any) -> dict[str, Any]:
    result = deploy(cfn, stack, template(resources, **extra))
    assert_complete(result)
    return result


# --------------------------------------------------------------------------- registry schemas


def test_registry_schema_constraints(aws: Any) -> None:
    """Pattern, enum, length and item count from the registry schema, with
    CloudFormation's own message; also on update (UPDATE_FAILED, rolled back)."""
    cfn, logs = aws("cloudformation"), aws("logs")
    reason = refused(cfn, "logs", {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "portal logs", "RetentionInDays": 8}}},
                     "Logs")
    assert reason == ("Properties validation failed for resource Logs with message: [#/LogGroupName: failed validation constraint "
                      "for keyword [pattern], #/RetentionInDays: failed validation constraint for keyword [enum]]")
    refused(cfn, "repo", {"Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "Portal"}}}, "Repo",
            "#/RepositoryName: failed validation constraint for keyword [pattern]")
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    refused(cfn, "tags", {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME_ECS, "Tags": tags}}}, "Role",
            "#/Tags: expected maximum item count: 50, found: 51")
    refused(cfn, "tagkey", {"Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"Tags": [{"Key": "k" * 129, "Value": "v"}]}}}, "Cluster",
            "#/Tags/0/Key: expected maxLength: 128, actual: 129")
    refused(cfn, "number", {"Group": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
        "Port": 80, "Protocol": "HTTP", "TargetType": "ip", "VpcId": {"Ref": "Vpc"}, "HealthyThresholdCount": 11}}, "Vpc": VPC},
        "Group", "#/HealthyThresholdCount: failed validation constraint for keyword [maximum]")

    # CreateStack (moto creates the resources within the call) answers 400 with the message.
    with pytest.raises(ClientError) as error:
        cfn.create_stack(StackName="direct", TemplateBody=json.dumps(template(
            {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "portal logs"}}})))
    assert error.value.response["Error"]["Code"] == "ValidationError"
    assert "#/LogGroupName: failed validation constraint for keyword [pattern]" in error.value.response["Error"]["Message"]

    # Accepted: values as CloudFormation passes them (a number given as a string).
    good = {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/portal/logs-1", "RetentionInDays": "7"}}}
    accepted(cfn, "good", good)
    bad = {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/portal/logs-1", "RetentionInDays": 8}}}
    assert deploy(cfn, "good", template(bad))["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert failures(cfn, "good")[0][:2] == ("Logs", "UPDATE_FAILED")
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/portal/logs-1"]


def test_schema_patterns_compile() -> None:
    """Every pattern of the types our stacks use compiles in Python (ECMA classes
    such as \\p{L} through the regex module); one that cannot is skipped, not raised."""
    for resource_type in constraints.STACK_TYPES:
        schema = schemas.schema_for(resource_type)
        assert schema is not None, resource_type
        for pattern in re.findall(r'"pattern": ("(?:[^"\\]|\\.)*")', json.dumps(schema)):
            assert schemas.compile_pattern(json.loads(pattern)) is not None, (resource_type, pattern)
    assert schemas.compile_pattern(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$").search("Ünïcode tag 1")
    assert schemas.compile_pattern(r"abc\z").search("abc")
    assert schemas.compile_pattern("(?<") is None


# --------------------------------------------------------------------------- EC2


def _groups(description: str, **rule: Any) -> dict[str, Any]:
    return {
        "Vpc": VPC,
        "Tasks": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "Tasks of the stage", "VpcId": {"Ref": "Vpc"}}},
        "Database": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "Database of the stage", "VpcId": {"Ref": "Vpc"}}},
        "FromTasks": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["Database", "GroupId"]}, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
            "Description": description, **(rule or {"SourceSecurityGroupId": {"Fn::GetAtt": ["Tasks", "GroupId"]}})}},
    }


def test_security_group_ingress_description_apostrophe(aws: Any) -> None:
    """The defect that started this: EC2 refuses an apostrophe in the description
    of a rule naming a source group (moto accepted it)."""
    cfn, ec2 = aws("cloudformation"), aws("ec2")
    reason = refused(cfn, "apostrophe", _groups("From the stage's tasks"), "FromTasks",
                     "Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  "
                     "a-zA-Z0-9. _-:/()#,@[]+=;{}!$*", "Status Code: 400", "HandlerErrorCode: InvalidRequest")
    assert reason.startswith('Resource handler returned message: "Invalid rule description.'), reason
    assert [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]] == ["default"]  # rolled back
    stack = accepted(cfn, "plain", _groups("From the tasks of the stage"))
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    # & is refused in a rule naming a group, accepted in a CIDR rule.
    refused(cfn, "ampersand", _groups("Tasks & jobs"), "FromTasks", "Invalid rule description")
    accepted(cfn, "cidr", _groups("Office & VPN", CidrIp="10.1.0.0/16"))
    refused(cfn, "long", _groups("x" * 256, CidrIp="10.1.0.0/16"), "FromTasks", "less than 256 characters")


def test_inline_rule_description_characters(aws: Any) -> None:
    cfn = aws("cloudformation")

    def group(**rule: Any) -> dict[str, Any]:
        return {"Vpc": VPC, "Other": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "other", "VpcId": {"Ref": "Vpc"}}},
                "Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "group", "VpcId": {"Ref": "Vpc"}, **rule}}}

    from_group = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "SourceSecurityGroupId": {"Fn::GetAtt": ["Other", "GroupId"]}}
    refused(cfn, "inline", group(SecurityGroupIngress=[{**from_group, "Description": "the load balancer's"}]), "Group", "Invalid rule description")
    refused(cfn, "egress", group(SecurityGroupEgress=[{"IpProtocol": "-1", "DestinationSecurityGroupId": {"Fn::GetAtt": ["Other", "GroupId"]},
                                                       "Description": "to A & B"}]), "Group", "Invalid rule description")
    accepted(cfn, "fine", group(SecurityGroupIngress=[{**from_group, "Description": "From the load balancer (HTTP)"}],
                                SecurityGroupEgress=[{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "Description": "Out: A & B"}]))


def test_security_group_description_characters(aws: Any) -> None:
    cfn = aws("cloudformation")

    def group(description: str) -> dict[str, Any]:
        return {"Vpc": VPC, "Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": description, "VpcId": {"Ref": "Vpc"}}}}

    refused(cfn, "quote", group("The stage's tasks"), "Group",
            "Invalid security group description. Valid descriptions are strings less than 256 characters from the following set:  "
            "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*")
    refused(cfn, "long", group("x" * 256), "Group", "Invalid security group description")
    accepted(cfn, "fine", group("Tasks & jobs of the stage: [prod] (v2)"))


# --------------------------------------------------------------------------- ELBv2


def test_load_balancer_name(aws: Any) -> None:
    cfn = aws("cloudformation")

    def balancer(name: str) -> dict[str, Any]:
        return {"Vpc": VPC, **SUBNETS, "Balancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                                                   "Properties": {"Name": name, "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]}}}

    refused(cfn, "long", balancer("p" * 33), "Balancer", f"The load balancer name '{'p' * 33}' cannot be longer than '32' characters",
            "ElasticLoadBalancingV2")
    refused(cfn, "internal", balancer("internal-portal"), "Balancer", "cannot begin with 'internal-'")
    refused(cfn, "hyphen", balancer("portal-"), "Balancer", "cannot begin or end with '-'")
    refused(cfn, "chars", balancer("portal_prod"), "Balancer", "alphanumeric characters or hyphens")
    accepted(cfn, "fine", balancer("backstage-prod-" + "x" * 17))


def test_target_group_health_check_timeout_and_ranges(aws: Any) -> None:
    """moto already refuses a timeout not smaller than the interval; the ranges are the schema's."""
    cfn = aws("cloudformation")

    def group(**checks: Any) -> dict[str, Any]:
        return {"Vpc": VPC, "Group": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
            "Port": 7007, "Protocol": "HTTP", "TargetType": "ip", "VpcId": {"Ref": "Vpc"}, **checks}}}

    refused(cfn, "equal", group(HealthCheckIntervalSeconds=30, HealthCheckTimeoutSeconds=30), "Group",
            "Health check timeout '30' must be smaller than the interval '30'")
    refused(cfn, "interval", group(HealthCheckIntervalSeconds=301), "Group", "#/HealthCheckIntervalSeconds: failed validation constraint for keyword [maximum]")
    refused(cfn, "port", group(Port=70000), "Group", "#/Port: failed validation constraint for keyword [maximum]")
    accepted(cfn, "fine", group(HealthCheckIntervalSeconds=15, HealthCheckTimeoutSeconds=5, HealthyThresholdCount=2, UnhealthyThresholdCount=10))


# --------------------------------------------------------------------------- IAM


def test_iam_role_name_path_description(aws: Any) -> None:
    cfn, iam = aws("cloudformation"), aws("iam")

    def role(**props: Any) -> dict[str, Any]:
        return {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME_ECS, **props}}}

    name = "backstage-" + "x" * 55
    refused(cfn, "long", role(RoleName=name), "Role",
            f"1 validation error detected: Value '{name}' at 'roleName' failed to satisfy constraint: "
            "Member must have length less than or equal to 64", "Service: Iam")
    refused(cfn, "chars", role(RoleName="backstage prod", Path="portal"), "Role",
            "2 validation errors detected: Value 'backstage prod' at 'roleName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value 'portal' at 'path'")
    refused(cfn, "policy", role(Policies=[{"PolicyName": "read logs", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}}]), "Role", "Value 'read logs' at 'policyName'")
    refused(cfn, "description", role(Description="x" * 1001), "Role", "at 'description' failed to satisfy constraint")
    accepted(cfn, "fine", role(RoleName="backstage-" + "x" * 54, Path="/portal/", Description="Assumed by the tasks: logs & secrets"))
    assert iam.get_role(RoleName="backstage-" + "x" * 54)["Role"]["Path"] == "/portal/"


# --------------------------------------------------------------------------- RDS


def test_rds_identifiers_and_subnet_group_name(aws: Any) -> None:
    cfn = aws("cloudformation")

    def group(name: str) -> dict[str, Any]:
        return {"Vpc": VPC, **SUBNETS, "Group": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {
            "DBSubnetGroupName": name, "DBSubnetGroupDescription": "db", "SubnetIds": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]}}}

    refused(cfn, "default", group("default"), "Group", "DBSubnetGroupName", "must not be default", "Service: Rds")
    refused(cfn, "chars", group("portal/db"), "Group", "DBSubnetGroupName")
    accepted(cfn, "fine", group("portal_db.subnets-1"))

    def cluster(identifier: str) -> dict[str, Any]:
        return {"Cluster": {"Type": "AWS::RDS::DBCluster", "Properties": {
            "DBClusterIdentifier": identifier, "Engine": "aurora-postgresql", "MasterUsername": "postgres", "MasterUserPassword": "p" * 16}}}

    for index, identifier in enumerate(("1portal", "portal--db", "portal-", "p" * 64)):
        refused(cfn, f"cluster{index}", cluster(identifier), "Cluster", "#/DBClusterIdentifier: failed validation constraint for keyword [pattern]")
    refused(cfn, "user", cluster("portal") | {"Cluster": {**cluster("portal")["Cluster"], "Properties": {
        **cluster("portal")["Cluster"]["Properties"], "MasterUsername": "1admin"}}}, "Cluster", "#/MasterUsername")
    accepted(cfn, "cluster", cluster("Portal-DB-1"))


# --------------------------------------------------------------------------- CodeBuild, CodePipeline, Secrets Manager, SNS


def _project(name: str) -> dict[str, Any]:
    return {"Project": {"Type": "AWS::CodeBuild::Project", "Properties": {
        "Name": name, "ServiceRole": f"arn:aws:iam::{ACCOUNT}:role/build", "Artifacts": {"Type": "NO_ARTIFACTS"},
        "Source": {"Type": "NO_SOURCE", "BuildSpec": "version: 0.2\n"},
        "Environment": {"Type": "LINUX_CONTAINER", "ComputeType": "BUILD_GENERAL1_SMALL", "Image": "aws/codebuild/standard:7.0"}}}}


def test_codebuild_project_name(aws: Any) -> None:
    cfn = aws("cloudformation")
    reason = refused(cfn, "dash", _project("-portal"), "Project",
                     "1 validation error detected: Value '-portal' at 'name' failed to satisfy constraint: "
                     "Member must satisfy regular expression pattern: [A-Za-z0-9][A-Za-z0-9\\-_]{1,254}")
    assert "Service: AWSCodeBuild; Status Code: 400; Error Code: InvalidInputException" in reason  # not a registry type
    refused(cfn, "long", _project("p" * 151), "Project", "Member must have length less than or equal to 150")
    accepted(cfn, "fine", _project("backstage-prod_build"))


def test_pipeline_and_stage_names(aws: Any) -> None:
    cfn, iam, s3 = aws("cloudformation"), aws("iam"), aws("s3")
    role = iam.create_role(RoleName="pipeline", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    s3.create_bucket(Bucket="artifacts")

    def pipeline(name: str, stage: str, action: str = "Approve") -> dict[str, Any]:
        source = {"Name": "Source", "ActionTypeId": {"Category": "Source", "Owner": "AWS", "Provider": "S3", "Version": "1"},
                  "Configuration": {"S3Bucket": "artifacts", "S3ObjectKey": "k"}, "OutputArtifacts": [{"Name": "Source"}]}
        approve = {"Name": action, "ActionTypeId": {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"}}
        return {"Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {
            "Name": name, "RoleArn": role, "ArtifactStore": {"Type": "S3", "Location": "artifacts"},
            "Stages": [{"Name": "Source", "Actions": [source]}, {"Name": stage, "Actions": [approve]}]}}}

    refused(cfn, "stage", pipeline("portal", "Deploy prod"), "Pipeline",
            "Value 'Deploy prod' at 'pipeline.stages.2.member.name' failed to satisfy constraint")
    refused(cfn, "name", pipeline("portal/app", "Deploy"), "Pipeline", "Value 'portal/app' at 'pipeline.name'")
    refused(cfn, "action", pipeline("portal", "Deploy", "Approve it"), "Pipeline", "#/Stages/1/Actions/0/Name: failed validation constraint for keyword [pattern]")
    accepted(cfn, "fine", pipeline("backstage-pipeline", "Deploy-prod", "Approve.prod"))


def test_secret_name_characters(aws: Any) -> None:
    cfn = aws("cloudformation")

    def secret(name: str) -> dict[str, Any]:
        return {"Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": name, "SecretString": "x"}}}

    refused(cfn, "space", secret("portal secret"), "Secret",
            "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
    refused(cfn, "long", secret("s" * 513), "Secret", "#/Name: expected maxLength: 512, actual: 513")
    accepted(cfn, "fine", secret("backstage/prod/github-app_1+v=2@x.y"))


def test_sns_topic_names(aws: Any) -> None:
    cfn = aws("cloudformation")

    def topic(**props: Any) -> dict[str, Any]:
        return {"Topic": {"Type": "AWS::SNS::Topic", "Properties": props}}

    refused(cfn, "name", topic(TopicName="portal alerts"), "Topic", "Topic names must be made up of only")  # moto already
    refused(cfn, "display", topic(TopicName="alerts", DisplayName="d" * 101), "Topic", "Invalid parameter: DisplayName")
    accepted(cfn, "fine", topic(TopicName="portal-alerts_1", DisplayName="Portal alerts"))


# --------------------------------------------------------------------------- ECS

TASK = {
    "Family": "backstage-prod",
    "Cpu": "512",
    "Memory": "2048",
    "NetworkMode": "awsvpc",
    "RequiresCompatibilities": ["FARGATE"],
    "ContainerDefinitions": [{"Name": "backstage", "Image": "registry/backstage:1"}],
}


def _task(**props: Any) -> dict[str, Any]:
    return {"Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {**TASK, **props}}}


def test_ecs_names(aws: Any) -> None:
    cfn = aws("cloudformation")
    refused(cfn, "cluster", {"Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "portal.prod"}}}, "Cluster",
            "Cluster name must match", "Service: Ecs")
    refused(cfn, "family", _task(Family="backstage:prod"), "Task", "Family contains invalid characters.")
    refused(cfn, "container", _task(ContainerDefinitions=[{"Name": "back stage", "Image": "i"}]), "Task",
            "Container.name contains invalid characters.")
    service = {"Cluster": {"Type": "AWS::ECS::Cluster"}, **_task(), "Service": {"Type": "AWS::ECS::Service", "Properties": {
        "Cluster": {"Ref": "Cluster"}, "ServiceName": "backstage prod", "TaskDefinition": {"Ref": "Task"}, "DesiredCount": 0}}}
    refused(cfn, "service", service, "Service", "Service name must match")
    service["Service"]["Properties"]["ServiceName"] = "backstage-prod_1"
    accepted(cfn, "fine", service | {"Named": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "portal_prod-1"}}})


def test_fargate_cpu_memory(aws: Any) -> None:
    cfn = aws("cloudformation")
    refused(cfn, "small", _task(Cpu="256", Memory="4096"), "Task", "No Fargate configuration exists for given values: 256 CPU, 4096 memory",
            "Service: Ecs")
    refused(cfn, "odd", _task(Cpu="768", Memory="2048"), "Task", "No Fargate configuration exists for given values")
    refused(cfn, "nomem", _task(Memory=None), "Task", "Fargate requires that 'memory' be defined at the task level.")
    accepted(cfn, "fine", _task(Cpu="1 vCPU", Memory="2 GB"))
    accepted(cfn, "large", _task(Family="large", Cpu=8192, Memory=20480))
    # Not Fargate: any size goes to the EC2 launch type.
    accepted(cfn, "ec2", _task(Family="ec2", RequiresCompatibilities=["EC2"], NetworkMode="bridge", Cpu="768", Memory="700"))


# --------------------------------------------------------------------------- Route 53, ACM


def test_route53_record_name_and_duplicate(aws: Any) -> None:
    cfn, route53 = aws("cloudformation"), aws("route53")
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"].split("/")[-1]

    def record(name: str) -> dict[str, Any]:
        return {"Record": {"Type": "AWS::Route53::RecordSet", "Properties": {
            "HostedZoneId": zone, "Name": name, "Type": "A", "TTL": "60", "ResourceRecords": ["192.0.2.1"]}}}

    refused(cfn, "outside", record("portal.example.org"), "Record",
            "[RRSet with DNS name portal.example.org. is not permitted in zone example.com.]", "Service: Route53")
    refused(cfn, "label", record("x" * 64 + ".example.com"), "Record", "DomainLabelTooLong")
    accepted(cfn, "first", record("portal.example.com"))
    refused(cfn, "second", record("Portal.example.com."), "Record",
            "[Tried to create resource record set [name='portal.example.com.', type='A'] but it already exists]", "HandlerErrorCode: AlreadyExists")
    accepted(cfn, "apex", record("example.com"))


def test_certificate_domain_name(aws: Any) -> None:
    cfn = aws("cloudformation")

    def certificate(domain: str, *alternatives: str) -> dict[str, Any]:
        return {"Certificate": {"Type": "AWS::CertificateManager::Certificate", "Properties": {
            "DomainName": domain, "ValidationMethod": "DNS", **({"SubjectAlternativeNames": list(alternatives)} if alternatives else {})}}}

    refused(cfn, "underscore", certificate("portal_prod.example.com"), "Certificate",
            "Value 'portal_prod.example.com' at 'domainName' failed to satisfy constraint: Member must satisfy regular expression pattern")
    refused(cfn, "single", certificate("localhost"), "Certificate", "at 'domainName'")
    refused(cfn, "san", certificate("portal.example.com", "-bad.example.com"), "Certificate", "at 'subjectAlternativeNames'")
    accepted(cfn, "fine", certificate("portal.example.com", "*.portal.example.com"))


# --------------------------------------------------------------------------- names already taken


def test_name_owned_by_another_stack(aws: Any) -> None:
    """CloudFormation refuses a name another stack owns, for types identified by
    their name; once that stack is deleted, the name is free again."""
    cfn = aws("cloudformation")
    resources = {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "portal-tasks", "AssumeRolePolicyDocument": ASSUME_ECS}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/portal"}},
    }
    first = accepted(cfn, "first", resources)
    reason = refused(cfn, "second", {"Role": resources["Role"]}, "Role")
    assert reason == f"portal-tasks already exists in stack {first['StackId']}"
    refused(cfn, "third", {"Logs": resources["Logs"]}, "Logs", f"/portal already exists in stack {first['StackId']}")
    # Case-insensitive identifiers (RDS) collide in any case.
    cluster = {"Type": "AWS::RDS::DBCluster", "Properties": {"DBClusterIdentifier": "portal-db", "Engine": "aurora-postgresql",
                                                             "MasterUsername": "postgres", "MasterUserPassword": "p" * 16}}
    owner = accepted(cfn, "db", {"Cluster": cluster})
    upper = {"Cluster": {**cluster, "Properties": {**cluster["Properties"], "DBClusterIdentifier": "Portal-DB"}}}
    refused(cfn, "db2", upper, "Cluster", f"Portal-DB already exists in stack {owner['StackId']}")
    # An update of the owner keeps its own names; a renamed resource frees its old name.
    changed = {**resources, "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/portal", "RetentionInDays": 7}}}
    assert_complete(deploy(cfn, "first", template(changed)), "UPDATE_COMPLETE")
    renamed = {"Cluster": {**cluster, "Properties": {**cluster["Properties"], "DBClusterIdentifier": "portal-db-2"}}}
    assert_complete(deploy(cfn, "db", template(renamed)), "UPDATE_COMPLETE")
    accepted(cfn, "db3", {"Cluster": cluster})
    cfn.delete_stack(StackName="first")
    accepted(cfn, "fourth", resources)


def test_names_moto_already_refuses(aws: Any) -> None:
    """Names taken outside CloudFormation: moto's services refuse them already."""
    cfn = aws("cloudformation")
    aws("iam").create_role(RoleName="taken", AssumeRolePolicyDocument=json.dumps(ASSUME_ECS))
    aws("logs").create_log_group(logGroupName="/taken")
    aws("secretsmanager").create_secret(Name="taken", SecretString="x")
    aws("ecr").create_repository(repositoryName="taken")
    aws("s3").create_bucket(Bucket="taken-bucket")
    vpc = aws("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    aws("ec2").create_security_group(GroupName="taken", Description="d", VpcId=vpc)
    aws("elbv2").create_target_group(Name="taken", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
    aws("rds").create_db_instance(DBInstanceIdentifier="taken", DBInstanceClass="db.t3.micro", Engine="postgres",
                                  MasterUsername="postgres", MasterUserPassword="p" * 16, AllocatedStorage=20)
    cases = {
        "Role": ({"Type": "AWS::IAM::Role", "Properties": {"RoleName": "taken", "AssumeRolePolicyDocument": ASSUME_ECS}}, "Role with name taken already exists."),
        "Logs": ({"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/taken"}}, "The specified log group already exists"),
        "Secret": ({"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "taken", "SecretString": "x"}}, "A resource with the ID you requested already exists."),
        "Repo": ({"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "taken"}}, "The repository with name 'taken' already exists"),
        "Bucket": ({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "taken-bucket"}}, "The requested bucket name is not available"),
        "Group": ({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupName": "taken", "GroupDescription": "d", "VpcId": vpc}}, "The security group 'taken' already exists"),
        "Target": ({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Name": "taken", "Port": 80, "Protocol": "HTTP", "VpcId": vpc, "TargetType": "ip"}},
                   "A target group with the specified name already exists."),
        "Instance": ({"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceIdentifier": "taken", "DBInstanceClass": "db.t3.micro", "Engine": "postgres",
                                                                      "MasterUsername": "postgres", "MasterUserPassword": "p" * 16, "AllocatedStorage": "20"}},
                     "DB instance already exists"),
    }
    for logical_id, (resource, message) in cases.items():
        refused(cfn, f"taken-{logical_id.lower()}", {logical_id: resource}, logical_id, message)
    # A pipeline's name: the second stack is refused by CloudFormation's own check,
    # so moto's "A pipeline with the name 'X' already exists in account" is seen
    # for a pipeline made outside CloudFormation.
    role = aws("iam").create_role(RoleName="pipeline", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    stages = [{"name": "Source", "actions": [{"name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                                               "configuration": {"S3Bucket": "taken-bucket", "S3ObjectKey": "k"}, "outputArtifacts": [{"name": "S"}]}]},
              {"name": "Approve", "actions": [{"name": "Approve", "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}}]}]
    aws("codepipeline").create_pipeline(pipeline={"name": "taken", "roleArn": role, "artifactStore": {"type": "S3", "location": "taken-bucket"}, "stages": stages})
    pipeline = {"Type": "AWS::CodePipeline::Pipeline", "Properties": {
        "Name": "taken", "RoleArn": role, "ArtifactStore": {"Type": "S3", "Location": "taken-bucket"},
        "Stages": [{"Name": "Source", "Actions": [{"Name": "Source", "ActionTypeId": {"Category": "Source", "Owner": "AWS", "Provider": "S3", "Version": "1"},
                                                    "Configuration": {"S3Bucket": "taken-bucket", "S3ObjectKey": "k"}, "OutputArtifacts": [{"Name": "S"}]}]},
                   {"Name": "Approve", "Actions": [{"Name": "Approve", "ActionTypeId": {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"}}]}]}}
    refused(cfn, "taken-pipeline", {"Pipeline": pipeline}, "Pipeline", "A pipeline with the name 'taken' already exists in account")


def test_names_the_plugin_refuses(aws: Any) -> None:
    """Names taken where moto let a stack through: CodeBuild projects, SNS topics
    (CloudFormation's handler checks, though CreateTopic is idempotent), Aurora
    clusters, DB subnet groups, load balancers, ECS services in a cluster,
    notification rules (account-wide)."""
    cfn = aws("cloudformation")
    aws("codebuild").create_project(name="taken", source={"type": "S3", "location": "bucket/source.zip"}, artifacts={"type": "NO_ARTIFACTS"},
                                    environment={"type": "LINUX_CONTAINER", "image": "i", "computeType": "BUILD_GENERAL1_SMALL"},
                                    serviceRole=f"arn:aws:iam::{ACCOUNT}:role/build")
    refused(cfn, "project", _project("taken"), "Project", f"Project already exists: arn:aws:codebuild:us-east-1:{ACCOUNT}:project/taken")

    aws("sns").create_topic(Name="taken")
    refused(cfn, "topic", {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "taken"}}}, "Topic",
            "Resource of type 'AWS::SNS::Topic' with identifier 'taken' already exists.", "HandlerErrorCode: AlreadyExists")

    aws("rds").create_db_cluster(DBClusterIdentifier="taken", Engine="aurora-postgresql", MasterUsername="postgres", MasterUserPassword="p" * 16)
    refused(cfn, "cluster", {"Cluster": {"Type": "AWS::RDS::DBCluster", "Properties": {
        "DBClusterIdentifier": "Taken", "Engine": "aurora-postgresql", "MasterUsername": "postgres", "MasterUserPassword": "p" * 16}}},
        "Cluster", "DB Cluster already exists", "HandlerErrorCode: AlreadyExists")

    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"] for i, z in enumerate("ab")]
    aws("rds").create_db_subnet_group(DBSubnetGroupName="taken", DBSubnetGroupDescription="d", SubnetIds=subnets)
    refused(cfn, "subnets", {"Group": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {
        "DBSubnetGroupName": "taken", "DBSubnetGroupDescription": "d", "SubnetIds": subnets}}}, "Group", "The DB subnet group 'taken' already exists.")

    aws("elbv2").create_load_balancer(Name="taken", Subnets=subnets)
    refused(cfn, "balancer", {"Balancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Name": "taken", "Subnets": subnets}}},
            "Balancer", "A load balancer with the same name 'taken' exists, but with different settings")

    ecs = aws("ecs")
    ecs.create_cluster(clusterName="shared")
    ecs.register_task_definition(family="f", containerDefinitions=[{"name": "c", "image": "i", "memory": 512}])
    ecs.create_service(cluster="shared", serviceName="taken", taskDefinition="f:1", desiredCount=0)
    refused(cfn, "service", {"Service": {"Type": "AWS::ECS::Service", "Properties": {
        "Cluster": "shared", "ServiceName": "taken", "TaskDefinition": "f:1", "DesiredCount": 0}}}, "Service", "Creation of service was not idempotent.")

    rule = {"Type": "AWS::CodeStarNotifications::NotificationRule", "Properties": {
        "Name": "portal-notify", "DetailType": "BASIC", "EventTypeIds": ["codepipeline-pipeline-pipeline-execution-failed"],
        "Resource": f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:portal", "Targets": []}}
    accepted(cfn, "rule", {"Rule": rule})
    cfn_west = aws("cloudformation", region="eu-west-1")
    refused(cfn_west, "rule", {"Rule": rule}, "Rule", "A resource with the same name or ID already exists. Notification rule names must be unique")


def test_names_aws_accepts_again(aws: Any) -> None:
    """CreateCluster is idempotent for an ACTIVE cluster; task definition families
    take revisions, not unique names."""
    cfn, ecs = aws("cloudformation"), aws("ecs")
    ecs.create_cluster(clusterName="shared")
    accepted(cfn, "cluster", {"Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "shared"}}})
    accepted(cfn, "one", _task())
    accepted(cfn, "two", _task())
    assert ecs.list_task_definitions(familyPrefix="backstage-prod")["taskDefinitionArns"][-1].endswith(":2")


# --------------------------------------------------------------------------- CodeStar Notifications' service-linked role

SLR_ARN = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/codestar-notifications.amazonaws.com/AWSServiceRoleForCodeStarNotifications"
ASSUME_CFN = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
NOTIFY = {
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "portal-notify"}},
    "Rule": {"Type": "AWS::CodeStarNotifications::NotificationRule", "Properties": {
        "Name": "portal-notify", "DetailType": "FULL", "EventTypeIds": ["codepipeline-pipeline-pipeline-execution-failed"],
        "Resource": f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:portal",
        "Targets": [{"TargetType": "SNS", "TargetAddress": {"Ref": "Topic"}}]}},
}


# What the topic's and the rule's handlers need besides the service-linked role
# (for a server run with LOCAL_AWS_ENFORCE_IAM=1).
NOTIFY_HANDLER_ACTIONS = {"Effect": "Allow", "Action": ["sns:*", "codestar-notifications:*", "iam:GetRole", "iam:PassRole"], "Resource": "*"}


def _deploy_role(iam: Any, name: str, *statements: dict[str, Any]) -> str:
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(ASSUME_CFN))["Role"]["Arn"]
    everything_else = NOTIFY_HANDLER_ACTIONS
    iam.put_role_policy(RoleName=name, PolicyName="deploy", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [everything_else, *statements]}))
    return arn


def test_notification_rule_service_linked_role_denied(aws: Any) -> None:
    cfn, iam, sns = aws("cloudformation"), aws("iam"), aws("sns")
    # The CreateServiceLinkedRole grant of bs-synth's CloudFormation role, without codestar-notifications.
    other_services = {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*",
                      "Condition": {"StringEquals": {"iam:AWSServiceName": ["ecs.amazonaws.com", "rds.amazonaws.com"]}}}
    role = _deploy_role(iam, "deployer", other_services)
    result = deploy(cfn, "notify", template(NOTIFY), role_arn=role)
    assert result["StackStatus"] == "ROLLBACK_COMPLETE", result
    [(logical_id, status, reason)] = failures(cfn, "notify")
    assert (logical_id, status) == ("Rule", "CREATE_FAILED")
    assert (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/deployer/AWSCloudFormation is not authorized to perform: "
            f"iam:CreateServiceLinkedRole on resource: {SLR_ARN} because no identity-based policy allows") in reason, reason
    assert "(Service: CodeStarNotifications; Status Code: 403; Error Code: AccessDeniedException;" in reason
    assert "HandlerErrorCode: AccessDenied" in reason
    assert sns.list_topics()["Topics"] == []  # rolled back
    with pytest.raises(ClientError):
        iam.get_role(RoleName="AWSServiceRoleForCodeStarNotifications")
    # An explicit Deny says so.
    deny = _deploy_role(iam, "denied", {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
                        {"Effect": "Deny", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"})
    assert deploy(cfn, "notify2", template(NOTIFY), role_arn=deny)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "with an explicit deny in an identity-based policy" in failures(cfn, "notify2")[0][2]


def test_notification_rule_service_linked_role_allowed(aws: Any) -> None:
    cfn, iam = aws("cloudformation"), aws("iam")
    grant = {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": SLR_ARN,
             "Condition": {"StringEquals": {"iam:AWSServiceName": "codestar-notifications.amazonaws.com"}}}
    role = _deploy_role(iam, "deployer", grant)
    assert_complete(deploy(cfn, "notify", template(NOTIFY), role_arn=role))
    created = iam.get_role(RoleName="AWSServiceRoleForCodeStarNotifications")["Role"]
    assert (created["Arn"], created["Path"]) == (SLR_ARN, "/aws-service-role/codestar-notifications.amazonaws.com/")


def test_notification_rule_service_linked_role_of_a_role_cloudformation_made(aws: Any) -> None:
    """A stack role that a stack created (its inline policy in the template, as
    bs-synth's CloudFormation role): moto keeps such a policy as the template's
    JSON object, which must be read like a policy put through the API."""
    cfn, iam = aws("cloudformation"), aws("iam")
    grant = {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*",
             "Condition": {"StringEquals": {"iam:AWSServiceName": ["codestar-notifications.amazonaws.com", "ecs.amazonaws.com"]}}}
    everything_else = NOTIFY_HANDLER_ACTIONS
    roles = template({"Deployer": {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": "stack-made-deployer", "AssumeRolePolicyDocument": ASSUME_CFN,
        "Policies": [{"PolicyName": "deploy", "PolicyDocument": {"Version": "2012-10-17", "Statement": [everything_else, grant]}}]}}})
    assert_complete(deploy(cfn, "roles", roles))
    role = iam.get_role(RoleName="stack-made-deployer")["Role"]["Arn"]
    assert_complete(deploy(cfn, "notify", template(NOTIFY), role_arn=role))
    assert iam.get_role(RoleName="AWSServiceRoleForCodeStarNotifications")["Role"]["Arn"] == SLR_ARN


def test_notification_rule_service_linked_role_of_managed_policies(aws: Any) -> None:
    """A stack role whose permissions are all in attached managed policies (bs-synth's
    CloudFormation role): their default versions are evaluated (moto's policy object
    was passed to json.dumps: TypeError)."""
    cfn, iam = aws("cloudformation"), aws("iam")

    def managed_role(name: str, *statements: dict[str, Any]) -> str:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(ASSUME_CFN))["Role"]["Arn"]
        everything_else = NOTIFY_HANDLER_ACTIONS
        document = {"Version": "2012-10-17", "Statement": [everything_else, *statements]}
        policy = iam.create_policy(PolicyName=f"{name}-1", PolicyDocument=json.dumps({**document, "Statement": [everything_else]}))["Policy"]["Arn"]
        # The default version (v2) holds the statements; v1 lacks them.
        iam.create_policy_version(PolicyArn=policy, PolicyDocument=json.dumps(document), SetAsDefault=True)
        iam.attach_role_policy(RoleName=name, PolicyArn=policy)
        return arn

    refused = managed_role("lacking")
    assert deploy(cfn, "notify", template(NOTIFY), role_arn=refused)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "because no identity-based policy allows the iam:CreateServiceLinkedRole action" in failures(cfn, "notify")[0][2]
    grant = {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": SLR_ARN,
             "Condition": {"StringEquals": {"iam:AWSServiceName": "codestar-notifications.amazonaws.com"}}}
    assert_complete(deploy(cfn, "notify2", template(NOTIFY), role_arn=managed_role("granted", grant)))
    assert iam.get_role(RoleName="AWSServiceRoleForCodeStarNotifications")["Role"]["Arn"] == SLR_ARN


def test_notification_rule_existing_service_linked_role(aws: Any) -> None:
    """The account's first rule (here without a stack role: the caller's own
    credentials) creates the role; later rules need no permission for it."""
    cfn, iam = aws("cloudformation"), aws("iam")
    first = {"First": {**NOTIFY["Rule"], "Properties": {**NOTIFY["Rule"]["Properties"], "Name": "first", "Targets": []}}}
    assert_complete(deploy(cfn, "first", template(first)))
    assert iam.get_role(RoleName="AWSServiceRoleForCodeStarNotifications")["Role"]["Arn"] == SLR_ARN
    role = _deploy_role(iam, "deployer")
    assert_complete(deploy(cfn, "notify", template(NOTIFY), role_arn=role))


# --------------------------------------------------------------------------- busy stacks

SMALL = template({"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "Name"}}}},
                 Parameters={"Name": {"Type": "String"}})


def test_hold_stack_makes_it_busy(aws: Any, server: dict[str, Any]) -> None:
    cfn = aws("cloudformation")
    stack_id = deploy(cfn, "small", SMALL, {"Name": "one"})["StackId"]
    pending = cfn.create_change_set(StackName="small", ChangeSetName="pending", ChangeSetType="UPDATE", TemplateBody=json.dumps(SMALL),
                                    Parameters=[{"ParameterKey": "Name", "ParameterValue": "two"}])["Id"]
    before = time.time()
    status, answer = post_json(server["endpoint"], "/localaws/hold-stack", {"stack": "small", "status": "UPDATE_IN_PROGRESS", "seconds": 2})
    assert status == 200, answer
    assert (answer["stack"], answer["status"]) == (stack_id, "UPDATE_IN_PROGRESS")
    assert before + 1.5 < answer["until"] < time.time() + 2.5
    assert cfn.describe_stacks(StackName="small")["Stacks"][0]["StackStatus"] == "UPDATE_IN_PROGRESS"
    latest = cfn.describe_stack_events(StackName="small")["StackEvents"][0]
    assert (latest["ResourceStatus"], latest["ResourceStatusReason"]) == ("UPDATE_IN_PROGRESS", "User Initiated")

    busy = f"Stack:{stack_id} is in UPDATE_IN_PROGRESS state and can not be updated."
    calls = {
        "CreateChangeSet": lambda: cfn.create_change_set(StackName="small", ChangeSetName="next", ChangeSetType="UPDATE", TemplateBody=json.dumps(SMALL),
                                                         Parameters=[{"ParameterKey": "Name", "ParameterValue": "three"}]),
        "ExecuteChangeSet": lambda: cfn.execute_change_set(ChangeSetName=pending),
        "UpdateStack": lambda: cfn.update_stack(StackName="small", TemplateBody=json.dumps(SMALL), Parameters=[{"ParameterKey": "Name", "ParameterValue": "four"}]),
        "DeleteStack": lambda: cfn.delete_stack(StackName="small"),
    }
    for name, call in calls.items():
        with pytest.raises(ClientError) as error:
            call()
        expected = f"Stack [{stack_id}] cannot be deleted while in status UPDATE_IN_PROGRESS" if name == "DeleteStack" else busy
        assert (error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]) == ("ValidationError", expected), name

    time.sleep(max(0.0, answer["until"] - time.time()) + 0.5)
    assert cfn.describe_stacks(StackName="small")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert cfn.describe_stack_events(StackName="small")["StackEvents"][0]["ResourceStatus"] == "CREATE_COMPLETE"
    cfn.execute_change_set(ChangeSetName=pending)  # settled again: the pending change set runs
    assert cfn.describe_stacks(StackName="small")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"


def test_hold_stack_bad_input(aws: Any, server: dict[str, Any]) -> None:
    cfn, endpoint, path = aws("cloudformation"), server["endpoint"], "/localaws/hold-stack"
    assert post_json(endpoint, path, {"stack": "nope", "status": "UPDATE_IN_PROGRESS", "seconds": 1})[0] == 404
    deploy(cfn, "small", SMALL, {"Name": "one"})
    for body in ({"status": "UPDATE_IN_PROGRESS", "seconds": 1}, {"stack": "small", "status": "UPDATE_COMPLETE", "seconds": 1},
                 {"stack": "small", "status": "UPDATE_IN_PROGRESS", "seconds": -1}, {"stack": "small", "status": "UPDATE_IN_PROGRESS", "seconds": "1"},
                 {"stack": "small", "status": "UPDATE_IN_PROGRESS", "seconds": 1, "account": "x"}, ["small"]):
        status, answer = post_json(endpoint, path, body)
        assert status == 400 and answer["error"], (body, answer)
    assert post_json(endpoint, path, b"{not json")[0] == 400
    assert post_json(endpoint, path, None, method="GET")[0] == 405
    cfn.create_change_set(StackName="review", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=json.dumps(SMALL),
                          Parameters=[{"ParameterKey": "Name", "ParameterValue": "r"}])
    status, answer = post_json(endpoint, path, {"stack": "review", "status": "UPDATE_IN_PROGRESS", "seconds": 1})
    assert (status, answer["error"]) == (400, "stack review is REVIEW_IN_PROGRESS, not settled")
    # Another account and region are named explicitly.
    other = aws("cloudformation", region="eu-west-1", account="444455556666")
    deploy(other, "small", SMALL, {"Name": "one"})
    status, answer = post_json(endpoint, path, {"stack": "small", "status": "DELETE_IN_PROGRESS", "seconds": 0.2,
                                                "region": "eu-west-1", "account": "444455556666"})
    assert status == 200 and ":444455556666:" in answer["stack"], answer
    assert other.describe_stacks(StackName="small")["Stacks"][0]["StackStatus"] == "DELETE_IN_PROGRESS"
    assert cfn.describe_stacks(StackName="small")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def test_rolled_back_stack_can_not_be_updated(aws: Any) -> None:
    """As on AWS, ROLLBACK_COMPLETE refuses an UPDATE change set (only DeleteStack helps)."""
    cfn = aws("cloudformation")
    bad = template({"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "bad name"}}})
    stack_id = deploy(cfn, "bad", bad)["StackId"]
    with pytest.raises(ClientError) as error:
        cfn.create_change_set(StackName="bad", ChangeSetName="again", ChangeSetType="UPDATE", TemplateBody=json.dumps(bad))
    assert error.value.response["Error"]["Message"] == f"Stack:{stack_id} is in ROLLBACK_COMPLETE state and can not be updated."
    cfn.delete_stack(StackName="bad")


# --------------------------------------------------------------------------- the real templates

CONFIGS = sorted(str(p.relative_to(REPO)) for p in [*REPO.glob("configs/*.yaml"), *REPO.glob("tests/configs/*.yaml")])


def _certificate_pem() -> tuple[bytes, bytes]:
    """A self-signed certificate and key, to import as a config's existing certificate."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "portal.example.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_deploys(config: str, aws: Any, synth: Any, tmp_path: Path, server: dict[str, Any]) -> None:
    """The synthesized stacks of every config create through all the checks, in the
    config's own account and region, in the manifest's order: the bootstrap stack
    with the caller's credentials (as bs-bootstrap deploys it), then the pipeline
    and backstage stacks with its CloudFormation role (a template over 51,200 bytes
    from S3)."""
    out = synth(config)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [bool(s.get("without_role")) for s in manifest["stacks"]] == [True, False, False], manifest["stacks"]
    account, region = manifest["stacks"][0]["account"], manifest["stacks"][0]["region"]
    client = lambda service: aws(service, region=region, account=account)  # noqa: E731
    # What must exist before the first deploy (bs-bootstrap's prerequisites): the
    # ECR repository, and a config's existing certificates (ACM_ARN): one imported
    # per ARN, and a copy of the config pointing at it. (The stack-output
    # prerequisite, the bootstrap stack, is deployed first.)
    for need in (n for s in manifest["stacks"] for n in s.get("requires") or []):
        assert need["kind"] in ("ecr-repository", "stack-output"), f"a prerequisite this test does not make: {need}"
        if need["kind"] == "ecr-repository":
            client("ecr").create_repository(repositoryName=need["name"])
    text = (REPO / config).read_text()
    arns = sorted(set(re.findall(r"^\s*ACM_ARN:[ \t]*(arn:[^\s#]+)", text, re.MULTILINE)))
    if arns:
        cert, key = _certificate_pem()
        for arn in arns:
            text = text.replace(arn, client("acm").import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"])
        copy = tmp_path / Path(config).name
        copy.write_text(text)
        out = synth(copy)
        manifest = json.loads((out / "manifest.json").read_text())
    types = {r["Type"] for s in manifest["stacks"] for r in json.loads((out / s["template_file"]).read_text())["Resources"].values()}
    assert types <= set(constraints.STACK_TYPES), f"new types: add them to constraints.STACK_TYPES and the docs table: {types - set(constraints.STACK_TYPES)}"
    route53 = client("route53")
    zones = {p["domain"]: route53.create_hosted_zone(Name=p["domain"], CallerReference=p["domain"])["HostedZone"]["Id"].split("/")[-1]
             for s in manifest["stacks"] for p in s["parameters"].values() if p["kind"] == "hosted-zone-id"}

    def from_s3(spec: dict[str, Any], body: str) -> str | None:
        if len(body.encode()) <= 51_200:
            return None
        s3 = client("s3")
        s3.create_bucket(Bucket="bs-templates", **({} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}))
        s3.put_object(Bucket="bs-templates", Key=spec["template_file"], Body=body.encode())
        return f"{server['endpoint']}/bs-templates/{spec['template_file']}"

    cfn = client("cloudformation")
    deployed = deploy_assembly(cfn, out, zones, template_url=from_s3)
    assert list(deployed) == [s["name"] for s in manifest["stacks"]], {n: failures(cfn, n) for n in deployed}
    for name, stack in deployed.items():
        assert stack.get("StackStatus") == "CREATE_COMPLETE", (name, failures(cfn, name))


# --------------------------------------------------------------------------- the docs table

DOCS = REPO / "docs" / "local-aws.md"
START, END = "<!-- constraints-table: start (rendered by localaws.constraints.table) -->", "<!-- constraints-table: end -->"


def test_constraints_table_in_docs_is_current() -> None:
    """docs/local-aws.md shows the table the code renders; every test it names exists."""
    text = DOCS.read_text()
    assert START in text and END in text, "docs/local-aws.md lacks the constraints table markers"
    shown = text.split(START, 1)[1].split(END, 1)[0].strip()
    rendered = constraints.table(constraints.STACK_TYPES)
    assert shown == rendered, "docs/local-aws.md is stale: paste the output of\n" \
        "  cd scripts/local-aws && ../../.venv-local-aws/bin/python -m localaws.constraints\nbetween the markers"
    tests = {node.name for path in Path(__file__).parent.glob("test_*.py")
             for node in ast.parse(path.read_text()).body if isinstance(node, ast.FunctionDef)}
    named = set(re.findall(r"`(test_\w+)`", rendered))
    assert named <= tests, named - tests
