"""Tests of the local AWS (scripts/local-aws.sh + scripts/local-aws/launcher.py).

    .venv-local-aws/bin/python -m pytest scripts/local-aws -q

One server for the session (conftest.py), started through scripts/local-aws.sh on
a free port with its own LOCAL_AWS_DIR and stopped at the end; every test starts
from a reset server (POST /moto-api/reset), so the order of the tests does not
matter. Each resource mapping and engine patch has a small template here that
fails without it; the end-to-end tests deploy the real templates of bs-synth
through change sets, as bs-deploy does. test_constraints.py tests what the local
AWS refuses as AWS does.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from harness import (
    ACCOUNT,
    SCRIPT,
    assert_complete,
    deploy,
    deploy_assembly,
    failures,
    free_port,
    outputs,
    parse_exports,
    run_script,
    stack_parameters,
    template,
)

IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/backstage@sha256:" + "ab" * 32


NETWORK = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "SubnetA": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "us-east-1a"},
    },
    "SubnetB": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1b"},
    },
    "SubnetGroup": {
        "Type": "AWS::RDS::DBSubnetGroup",
        "Properties": {"DBSubnetGroupDescription": "db", "SubnetIds": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]},
    },
}

SECRET = {
    "Type": "AWS::SecretsManager::Secret",
    "Properties": {
        "Name": "app/database",
        "GenerateSecretString": {
            "SecretStringTemplate": '{"username":"postgres"}',
            "GenerateStringKey": "password",
            "PasswordLength": 32,
            "ExcludePunctuation": True,
        },
    },
}

CLUSTER = {
    "Type": "AWS::RDS::DBCluster",
    "DeletionPolicy": "Snapshot",
    "Properties": {
        "Engine": "aurora-postgresql",
        "EngineVersion": "17.7",
        "DBSubnetGroupName": {"Ref": "SubnetGroup"},
        "MasterUsername": {"Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString:username}}"},
        "MasterUserPassword": {"Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString:password}}"},
        "Port": 5432,
        "StorageEncrypted": True,
    },
}


# --------------------------------------------------------------------------- resource mappings


def test_secret_generate_secret_string(aws: Any) -> None:
    cfn, sm = aws("cloudformation"), aws("secretsmanager")
    stack = deploy(cfn, "secret", template({"Secret": SECRET}, {"SecretArn": {"Ref": "Secret"}, "Id": {"Fn::GetAtt": ["Secret", "Id"]}}))
    assert_complete(stack)
    value = sm.get_secret_value(SecretId="app/database")
    assert outputs(stack)["SecretArn"] == value["ARN"] == outputs(stack)["Id"]
    document = json.loads(value["SecretString"])
    assert document["username"] == "postgres"
    assert re.fullmatch(r"[A-Za-z0-9]{32}", document["password"]), document
    cfn.delete_stack(StackName="secret")
    with pytest.raises(ClientError):
        sm.describe_secret(SecretId="app/database")


def test_db_cluster_endpoint_dynamic_references_and_member(aws: Any) -> None:
    cfn, rds, sm = aws("cloudformation"), aws("rds"), aws("secretsmanager")
    resources = {
        **NETWORK,
        "Secret": SECRET,
        "Cluster": CLUSTER,
        "Instance": {
            "Type": "AWS::RDS::DBInstance",
            "Properties": {"DBClusterIdentifier": {"Ref": "Cluster"}, "DBInstanceClass": "db.serverless", "Engine": "aurora-postgresql"},
        },
    }
    out = {
        "Endpoint": {"Fn::GetAtt": ["Cluster", "Endpoint.Address"]},
        "Port": {"Fn::GetAtt": ["Cluster", "Endpoint.Port"]},
        "Id": {"Ref": "Cluster"},
    }
    stack = deploy(cfn, "db", template(resources, out))
    assert_complete(stack)
    values = outputs(stack)
    cluster = rds.describe_db_clusters(DBClusterIdentifier=values["Id"])["DBClusters"][0]
    assert cluster["Endpoint"] == values["Endpoint"]
    assert values["Port"] == "5432"
    assert cluster["Status"] == "available"
    # The dynamic references were resolved from the secret, not passed on literally.
    assert cluster["MasterUsername"] == "postgres"
    assert [m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]] == [
        rds.describe_db_instances()["DBInstances"][0]["DBInstanceIdentifier"]
    ]
    cfn.delete_stack(StackName="db")
    assert rds.describe_db_clusters()["DBClusters"] == []
    snapshots = rds.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
    assert [s["DBClusterIdentifier"] for s in snapshots] == [values["Id"]]  # DeletionPolicy Snapshot
    assert sm.list_secrets()["SecretList"] == []


def test_secret_target_attachment_adds_connection_details(aws: Any) -> None:
    cfn, sm = aws("cloudformation"), aws("secretsmanager")
    resources = {
        **NETWORK,
        "Secret": SECRET,
        "Cluster": CLUSTER,
        "Attachment": {
            "Type": "AWS::SecretsManager::SecretTargetAttachment",
            "Properties": {"SecretId": {"Ref": "Secret"}, "TargetId": {"Ref": "Cluster"}, "TargetType": "AWS::RDS::DBCluster"},
        },
    }
    out = {"Endpoint": {"Fn::GetAtt": ["Cluster", "Endpoint.Address"]}, "Attached": {"Ref": "Attachment"}, "Secret": {"Ref": "Secret"}}
    stack = deploy(cfn, "attach", template(resources, out))
    assert_complete(stack)
    values = outputs(stack)
    document = json.loads(sm.get_secret_value(SecretId="app/database")["SecretString"])
    assert document["host"] == values["Endpoint"]
    assert document["port"] == 5432
    assert document["engine"] == "postgres"
    assert document["username"] == "postgres" and len(document["password"]) == 32
    assert values["Attached"] == values["Secret"]


def test_ssm_dynamic_reference(aws: Any) -> None:
    cfn, ssm, logs = aws("cloudformation"), aws("ssm"), aws("logs")
    ssm.put_parameter(Name="/portal/log-group", Value="/portal/from-ssm", Type="String")
    resources = {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "{{resolve:ssm:/portal/log-group}}"}}}
    assert_complete(deploy(cfn, "ssm", template(resources)))
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/portal/from-ssm"]


def test_certificate(aws: Any) -> None:
    cfn, acm = aws("cloudformation"), aws("acm")
    resources = {
        "Certificate": {
            "Type": "AWS::CertificateManager::Certificate",
            "Properties": {
                "DomainName": "portal.example.com",
                "ValidationMethod": "DNS",
                "Tags": [{"Key": "Name", "Value": "portal"}],
            },
        }
    }
    stack = deploy(cfn, "cert", template(resources, {"Arn": {"Ref": "Certificate"}}))
    assert_complete(stack)
    arn = outputs(stack)["Arn"]
    certificate = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert certificate["DomainName"] == "portal.example.com"
    assert certificate["Status"] == "ISSUED"  # MOTO_ACM_VALIDATION_WAIT=0 from local-aws.sh
    assert acm.list_tags_for_certificate(CertificateArn=arn)["Tags"] == [{"Key": "Name", "Value": "portal"}]
    cfn.delete_stack(StackName="cert")
    assert acm.list_certificates()["CertificateSummaryList"] == []


def test_codebuild_project(aws: Any) -> None:
    cfn, codebuild = aws("cloudformation"), aws("codebuild")
    resources = {
        "Project": {
            "Type": "AWS::CodeBuild::Project",
            "Properties": {
                "Name": "portal-build",
                "ServiceRole": f"arn:aws:iam::{ACCOUNT}:role/build",
                "Artifacts": {"Type": "CODEPIPELINE"},
                "Source": {"Type": "CODEPIPELINE", "BuildSpec": "version: 0.2\n"},
                "Environment": {
                    "Type": "LINUX_CONTAINER",
                    "ComputeType": "BUILD_GENERAL1_SMALL",
                    "Image": "aws/codebuild/standard:7.0",
                    "EnvironmentVariables": [{"Name": "STAGE", "Type": "PLAINTEXT", "Value": "prod"}],
                },
                "TimeoutInMinutes": 120,
            },
        }
    }
    stack = deploy(cfn, "build", template(resources, {"Arn": {"Fn::GetAtt": ["Project", "Arn"]}, "Name": {"Ref": "Project"}}))
    assert_complete(stack)
    project = codebuild.batch_get_projects(names=["portal-build"])["projects"][0]
    assert outputs(stack) == {"Arn": project["arn"], "Name": "portal-build"}
    assert project["source"]["buildspec"] == "version: 0.2\n"
    assert project["environment"]["environmentVariables"] == [{"name": "STAGE", "type": "PLAINTEXT", "value": "prod"}]
    assert project["timeoutInMinutes"] == 120
    cfn.delete_stack(StackName="build")
    assert codebuild.list_projects()["projects"] == []


PIPELINE_ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "RoleName": "pipeline",
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        },
    },
}


def test_codepipeline_pipeline_create_update_delete(aws: Any) -> None:
    cfn, codepipeline = aws("cloudformation"), aws("codepipeline")

    def pipeline(branch: str) -> dict[str, Any]:
        return {
            "Type": "AWS::CodePipeline::Pipeline",
            "Properties": {
                "Name": "portal",
                "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                "ArtifactStore": {"Type": "S3", "Location": {"Ref": "Bucket"}},
                "PipelineType": "V2",
                "RestartExecutionOnUpdate": True,
                "Stages": [
                    {
                        "Name": "Source",
                        "Actions": [
                            {
                                "Name": "Source",
                                "ActionTypeId": {"Category": "Source", "Owner": "AWS", "Provider": "CodeStarSourceConnection", "Version": "1"},
                                "Configuration": {"BranchName": branch, "DetectChanges": True, "ConnectionArn": "arn:aws:codeconnections:us-east-1:123456789012:connection/x"},
                                "OutputArtifacts": [{"Name": "Source"}],
                            }
                        ],
                    },
                    {
                        "Name": "Approve",
                        "Actions": [{"Name": "Approve", "ActionTypeId": {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"}, "RunOrder": 1}],
                    },
                ],
                "Tags": [{"Key": "Product", "Value": "dev-portal"}],
            },
        }

    resources = {"Role": PIPELINE_ROLE, "Bucket": {"Type": "AWS::S3::Bucket"}, "Pipeline": pipeline("main")}
    out = {"Name": {"Ref": "Pipeline"}, "Version": {"Fn::GetAtt": ["Pipeline", "Version"]}}
    stack = deploy(cfn, "pipe", template(resources, out))
    assert_complete(stack)
    assert outputs(stack) == {"Name": "portal", "Version": "1"}
    declared = codepipeline.get_pipeline(name="portal")["pipeline"]
    action = declared["stages"][0]["actions"][0]
    assert action["configuration"]["DetectChanges"] == "true"
    assert action["actionTypeId"]["provider"] == "CodeStarSourceConnection"
    assert declared["pipelineType"] == "V2"

    stack = deploy(cfn, "pipe", template({**resources, "Pipeline": pipeline("release")}, out))
    assert_complete(stack, "UPDATE_COMPLETE")
    declared = codepipeline.get_pipeline(name="portal")["pipeline"]
    assert declared["stages"][0]["actions"][0]["configuration"]["BranchName"] == "release"
    assert outputs(stack)["Version"] == "2"
    cfn.delete_stack(StackName="pipe")
    assert codepipeline.list_pipelines()["pipelines"] == []


def test_s3_bucket_policy(aws: Any) -> None:
    cfn, s3 = aws("cloudformation"), aws("s3")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "s3:*",
                "Resource": [{"Fn::GetAtt": ["Bucket", "Arn"]}, {"Fn::Sub": "${Bucket.Arn}/*"}],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    resources = {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "portal-artifacts"}},
        "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": policy}},
    }
    assert_complete(deploy(cfn, "bucket", template(resources)))
    stored = json.loads(s3.get_bucket_policy(Bucket="portal-artifacts")["Policy"])
    assert stored["Statement"][0]["Resource"] == ["arn:aws:s3:::portal-artifacts", "arn:aws:s3:::portal-artifacts/*"]


def test_tls_only_bucket_policy_admits_sdk_requests(aws: Any) -> None:
    """The local endpoint stands in for HTTPS: a Deny on aws:SecureTransport=false
    must not deny the SDK's requests (moto applied it to every request)."""
    s3 = aws("s3")
    s3.create_bucket(Bucket="tls-only")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }],
    }
    s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps(policy))
    s3.put_object(Bucket="tls-only", Key="k", Body=b"v")
    assert s3.get_object(Bucket="tls-only", Key="k")["Body"].read() == b"v"
    # An unconditional Deny still denies.
    policy["Statement"][0].pop("Condition")
    s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps(policy))
    with pytest.raises(Exception):
        s3.put_object(Bucket="tls-only", Key="k2", Body=b"v")


def test_notification_rule(aws: Any) -> None:
    cfn = aws("cloudformation")
    resources = {
        "Rule": {
            "Type": "AWS::CodeStarNotifications::NotificationRule",
            "Properties": {
                "Name": "portal-notify",
                "DetailType": "FULL",
                "EventTypeIds": ["codepipeline-pipeline-pipeline-execution-failed"],
                "Resource": "arn:aws:codepipeline:us-east-1:123456789012:portal",
                "Targets": [{"TargetType": "SNS", "TargetAddress": "arn:aws:sns:us-east-1:123456789012:t"}],
            },
        }
    }
    stack = deploy(cfn, "notify", template(resources, {"Ref": {"Ref": "Rule"}, "Arn": {"Fn::GetAtt": ["Rule", "Arn"]}}))
    assert_complete(stack)
    values = outputs(stack)
    assert re.fullmatch(r"arn:aws:codestar-notifications:us-east-1:123456789012:notificationrule/[0-9a-f]{40}", values["Ref"])
    assert values["Arn"] == values["Ref"]
    physical = cfn.describe_stack_resources(StackName="notify")["StackResources"][0]["PhysicalResourceId"]
    assert physical == values["Ref"]


# --------------------------------------------------------------------------- patches of moto's models


def test_load_balancer_canonical_hosted_zone_id_in_alias(aws: Any) -> None:
    cfn, elbv2, route53 = aws("cloudformation"), aws("elbv2"), aws("route53")
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"].split("/")[-1]
    resources = {
        **{k: v for k, v in NETWORK.items() if k != "SubnetGroup"},
        "LoadBalancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]}},
        "Record": {
            "Type": "AWS::Route53::RecordSet",
            "Properties": {
                "HostedZoneId": zone,
                "Name": "portal.example.com.",
                "Type": "A",
                "AliasTarget": {
                    "DNSName": {"Fn::GetAtt": ["LoadBalancer", "DNSName"]},
                    "HostedZoneId": {"Fn::GetAtt": ["LoadBalancer", "CanonicalHostedZoneID"]},
                },
            },
        },
    }
    out = {"Zone": {"Fn::GetAtt": ["LoadBalancer", "CanonicalHostedZoneID"]}, "FullName": {"Fn::GetAtt": ["LoadBalancer", "LoadBalancerFullName"]}}
    stack = deploy(cfn, "lb", template(resources, out))
    assert_complete(stack)
    lb = elbv2.describe_load_balancers()["LoadBalancers"][0]
    assert outputs(stack)["Zone"] == lb["CanonicalHostedZoneId"]
    assert lb["LoadBalancerArn"].endswith(outputs(stack)["FullName"])
    records = route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    alias = next(r for r in records if r["Name"] == "portal.example.com.")
    assert alias["AliasTarget"]["HostedZoneId"] == lb["CanonicalHostedZoneId"]


ECS_TEMPLATE = template(
    {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "portal"}},
        "TaskDefinition": {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": {
                "Family": "portal-prod",
                "Cpu": "512",
                "Memory": "2048",
                "NetworkMode": "awsvpc",
                "RequiresCompatibilities": ["FARGATE"],
                "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/exec",
                "ContainerDefinitions": [
                    {
                        "Name": "portal",
                        "Image": {"Fn::If": ["HasImage", {"Ref": "Image"}, "registry/portal:not-yet-promoted"]},
                        "PortMappings": [{"ContainerPort": 7007}],
                        "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": "/portal"}},
                    }
                ],
            },
        },
        "Service": {
            "Type": "AWS::ECS::Service",
            "Properties": {
                "Cluster": {"Ref": "Cluster"},
                "ServiceName": "portal-prod",
                "LaunchType": "FARGATE",
                "DesiredCount": {"Fn::If": ["HasImage", 1, 0]},
                "TaskDefinition": {"Ref": "TaskDefinition"},
            },
        },
    },
    {"Service": {"Fn::GetAtt": ["Service", "Name"]}},
    Parameters={"Image": {"Type": "String", "Default": ""}},
    Conditions={"HasImage": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Image"}, ""]}]}},
)


def test_update_through_condition_and_new_task_definition_revision(aws: Any) -> None:
    cfn, ecs = aws("cloudformation"), aws("ecs")
    assert_complete(deploy(cfn, "ecs", ECS_TEMPLATE))
    service = ecs.describe_services(cluster="portal", services=["portal-prod"])["services"][0]
    assert (service["desiredCount"], service["runningCount"], service["launchType"]) == (0, 0, "FARGATE")
    first = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert (first["cpu"], first["memory"], first["networkMode"]) == ("512", "2048", "awsvpc")
    assert first["executionRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/exec"
    assert first["containerDefinitions"][0]["logConfiguration"]["options"] == {"awslogs-group": "/portal"}

    # Only the parameter changes: the task definition (Ref) and the service (through
    # the condition and the new revision's ARN) must both be updated.
    changes = cfn.describe_change_set(
        ChangeSetName=cfn.create_change_set(
            StackName="ecs", ChangeSetName="image", ChangeSetType="UPDATE", TemplateBody=json.dumps(ECS_TEMPLATE),
            Parameters=[{"ParameterKey": "Image", "ParameterValue": IMAGE}],
        )["Id"]
    )["Changes"]
    assert sorted(c["ResourceChange"]["LogicalResourceId"] for c in changes) == ["Service", "TaskDefinition"]
    cfn.delete_change_set(ChangeSetName="image", StackName="ecs")

    stack = deploy(cfn, "ecs", ECS_TEMPLATE, {"Image": IMAGE})
    assert_complete(stack, "UPDATE_COMPLETE")
    service = ecs.describe_services(cluster="portal", services=["portal-prod"])["services"][0]
    second = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert second["revision"] == first["revision"] + 1
    assert second["containerDefinitions"][0]["image"] == IMAGE
    assert (second["cpu"], second["networkMode"]) == ("512", "awsvpc")
    assert (service["desiredCount"], service["runningCount"]) == (1, 1)
    assert service["deployments"][0]["taskDefinition"] == service["taskDefinition"]
    events = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in cfn.describe_stack_events(StackName="ecs")["StackEvents"]]
    assert ("Service", "UPDATE_COMPLETE") in events and ("TaskDefinition", "UPDATE_COMPLETE") in events
    cfn.delete_stack(StackName="ecs")
    assert ecs.describe_services(cluster="portal", services=["portal-prod"])["services"][0]["status"] == "INACTIVE"
    assert ecs.describe_clusters(clusters=["portal"])["clusters"][0]["status"] == "INACTIVE"


def test_delete_stack_deletes_the_network(aws: Any) -> None:
    cfn, ec2 = aws("cloudformation"), aws("ec2")
    resources = {
        **{k: v for k, v in NETWORK.items() if k != "SubnetGroup"},
        "Gateway": {"Type": "AWS::EC2::InternetGateway"},
        "Attachment": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Gateway"}}},
        "Eip": {"Type": "AWS::EC2::EIP", "DependsOn": "Attachment", "Properties": {"Domain": "vpc"}},
        "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "SubnetA"}, "AllocationId": {"Fn::GetAtt": ["Eip", "AllocationId"]}}},
        "Table": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
        "Route": {"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Ref": "Table"}, "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": {"Ref": "Nat"}}},
        "Association": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"RouteTableId": {"Ref": "Table"}, "SubnetId": {"Ref": "SubnetB"}}},
    }
    stack = deploy(cfn, "net", template(resources, {"Vpc": {"Ref": "Vpc"}}))
    assert_complete(stack)
    vpc = outputs(stack)["Vpc"]
    cfn.delete_stack(StackName="net")
    assert cfn.list_stacks()["StackSummaries"][0]["StackStatus"] == "DELETE_COMPLETE"
    assert vpc not in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    assert ec2.describe_internet_gateways()["InternetGateways"] == []
    assert ec2.describe_addresses()["Addresses"] == []


# --------------------------------------------------------------------------- engine patches

SMALL = template(
    {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "Name"}}}},
    {"TopicArn": {"Ref": "Topic"}},
    Parameters={"Name": {"Type": "String"}},
)
SMALL["Outputs"]["TopicArn"]["Export"] = {"Name": {"Fn::Sub": "${AWS::StackName}-topic"}}


def test_change_set_stacks_get_outputs_exports_and_parameters(aws: Any) -> None:
    cfn = aws("cloudformation")
    stack = deploy(cfn, "small", SMALL, {"Name": "first"})
    assert_complete(stack)
    assert outputs(stack) == {"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:first"}
    assert [(e["Name"], e["Value"]) for e in cfn.list_exports()["Exports"]] == [("small-topic", f"arn:aws:sns:us-east-1:{ACCOUNT}:first")]
    stack = deploy(cfn, "small", SMALL, {"Name": "second"})
    assert_complete(stack, "UPDATE_COMPLETE")
    assert outputs(stack) == {"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:second"}
    assert cfn.list_exports()["Exports"][0]["Value"] == f"arn:aws:sns:us-east-1:{ACCOUNT}:second"
    # UsePreviousValue reads the parameters of the last execution.
    result = deploy(cfn, "small", SMALL, previous=("Name",))
    assert result["ChangeSet"]["Status"] == "FAILED"


def test_unchanged_update_is_a_failed_change_set(aws: Any) -> None:
    cfn = aws("cloudformation")
    assert_complete(deploy(cfn, "small", SMALL, {"Name": "n"}))
    result = deploy(cfn, "small", SMALL, {"Name": "n"})
    change_set = result["ChangeSet"]
    assert change_set["Status"] == "FAILED"
    assert change_set["ExecutionStatus"] == "UNAVAILABLE"
    assert "didn't contain changes" in change_set["StatusReason"]
    with pytest.raises(ClientError) as error:
        cfn.execute_change_set(ChangeSetName=change_set["ChangeSetId"])
    assert error.value.response["Error"]["Code"] == "InvalidChangeSetStatus"


def test_change_sets_are_looked_up_per_stack(aws: Any) -> None:
    cfn = aws("cloudformation")
    for name in ("one", "two"):
        cfn.create_change_set(StackName=name, ChangeSetName="deploy", ChangeSetType="CREATE", TemplateBody=json.dumps(SMALL),
                              Parameters=[{"ParameterKey": "Name", "ParameterValue": name}])
    assert cfn.describe_change_set(ChangeSetName="deploy", StackName="one")["StackName"] == "one"
    assert cfn.describe_change_set(ChangeSetName="deploy", StackName="two")["StackName"] == "two"
    assert [s["StackName"] for s in cfn.list_change_sets(StackName="one")["Summaries"]] == ["one"]
    two = cfn.describe_stacks(StackName="two")["Stacks"][0]["StackId"]
    with pytest.raises(ClientError) as error:  # a pending change set's name is taken
        cfn.create_change_set(StackName="two", ChangeSetName="deploy", ChangeSetType="CREATE", TemplateBody=json.dumps(SMALL),
                              Parameters=[{"ParameterKey": "Name", "ParameterValue": "two"}])
    assert error.value.response["Error"]["Code"] == "AlreadyExistsException"
    # A stack still in REVIEW_IN_PROGRESS is reused by the next CREATE change set.
    again = cfn.create_change_set(StackName="two", ChangeSetName="deploy2", ChangeSetType="CREATE", TemplateBody=json.dumps(SMALL),
                                  Parameters=[{"ParameterKey": "Name", "ParameterValue": "two"}])
    assert again["StackId"] == two and len(cfn.describe_stacks()["Stacks"]) == 2
    cfn.execute_change_set(ChangeSetName="deploy", StackName="one")
    assert cfn.describe_stacks(StackName="one")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert cfn.describe_stacks(StackName="two")["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    with pytest.raises(ClientError) as error:
        cfn.describe_change_set(ChangeSetName="nope", StackName="one")
    assert error.value.response["Error"]["Code"] == "ChangeSetNotFound"


def test_create_change_set_for_an_existing_stack_is_refused(aws: Any) -> None:
    cfn = aws("cloudformation")
    assert_complete(deploy(cfn, "small", SMALL, {"Name": "n"}))
    with pytest.raises(ClientError) as error:
        cfn.create_change_set(StackName="small", ChangeSetName="again", ChangeSetType="CREATE", TemplateBody=json.dumps(SMALL),
                              Parameters=[{"ParameterKey": "Name", "ParameterValue": "n"}])
    assert "already exists" in error.value.response["Error"]["Message"]
    assert len(cfn.describe_stacks()["Stacks"]) == 1


def test_role_arn_must_exist(aws: Any) -> None:
    cfn = aws("cloudformation")
    with pytest.raises(ClientError) as error:
        deploy(cfn, "small", SMALL, {"Name": "n"}, role_arn=f"arn:aws:iam::{ACCOUNT}:role/missing")
    assert "is invalid or cannot be assumed" in error.value.response["Error"]["Message"]


def test_failed_create_rolls_back_with_resource_event(aws: Any) -> None:
    cfn = aws("cloudformation")
    broken = template(
        {
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Service": {"Type": "AWS::ECS::Service", "Properties": {"Cluster": "missing", "ServiceName": "x", "TaskDefinition": "nope:1"}},
        },
        {"Topic": {"Ref": "Topic"}},
    )
    stack = deploy(cfn, "broken", broken)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "Outputs" not in stack
    events = cfn.describe_stack_events(StackName="broken")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed and failed[0]["LogicalResourceId"] == "Service" and failed[0]["ResourceStatusReason"]
    assert aws("sns").list_topics()["Topics"] == []  # rolled back


def test_template_url_forms_and_body_limit(aws: Any, server: dict[str, Any]) -> None:
    cfn, s3 = aws("cloudformation"), aws("s3")
    s3.create_bucket(Bucket="templates")
    s3.put_object(Bucket="templates", Key="dir/small.json", Body=json.dumps(SMALL).encode())
    forms = [
        f"{server['endpoint']}/templates/dir/small.json",
        "https://templates.s3.us-east-1.amazonaws.com/dir/small.json",
        "https://s3.us-east-1.amazonaws.com/templates/dir/small.json",
    ]
    for i, url in enumerate(forms):
        assert_complete(deploy(cfn, f"url{i}", parameters={"Name": f"t{i}"}, template_url=url))
    big = dict(SMALL, Description="x" * 52_000)
    with pytest.raises(ClientError) as error:
        deploy(cfn, "big", big, {"Name": "big"})
    assert "51200" in error.value.response["Error"]["Message"]


def test_reset_clears_everything(aws: Any, server: dict[str, Any]) -> None:
    cfn = aws("cloudformation")
    resources = {"Secret": SECRET, "Rule": {"Type": "AWS::CodeStarNotifications::NotificationRule", "Properties": {
        "Name": "r", "DetailType": "BASIC", "EventTypeIds": [], "Resource": "arn:aws:codepipeline:us-east-1:123456789012:p", "Targets": []}}}
    assert_complete(deploy(cfn, "keep", template(resources)))
    urllib.request.urlopen(urllib.request.Request(server["endpoint"] + "/moto-api/reset", method="POST")).read()
    assert cfn.describe_stacks()["Stacks"] == []
    assert aws("secretsmanager").list_secrets()["SecretList"] == []
    assert_complete(deploy(cfn, "keep", template(resources)))  # the same names again


# --------------------------------------------------------------------------- end to end: the real templates


def test_example_config_deploys_updates_and_deletes(aws: Any, synth: Any, server: dict[str, Any]) -> None:
    """The three stacks of the example config: the bootstrap stack with the caller's
    credentials, the pipeline and backstage stacks with its CloudFormation role (the
    pipeline stack importing the bootstrap stack's artifact bucket). A template over
    CloudFormation's 51,200-byte inline limit goes through S3, as bs-deploy sends it."""
    out = synth("configs/env-config.example.yaml")
    aws("s3").create_bucket(Bucket="bs-templates")

    def staged(spec: dict[str, Any], body: str) -> str | None:
        if len(body.encode()) <= 51_200:
            return None
        aws("s3").put_object(Bucket="bs-templates", Key=spec["template_file"], Body=body.encode())
        return f"{server['endpoint']}/bs-templates/{spec['template_file']}"

    manifest = json.loads((out / "manifest.json").read_text())
    cfn, ecs, rds, route53 = aws("cloudformation"), aws("ecs"), aws("rds"), aws("route53")
    zones = {"example.com": route53.create_hosted_zone(Name="example.com", CallerReference="e2e")["HostedZone"]["Id"].split("/")[-1]}
    bootstrap, pipeline, app = manifest["stacks"]
    assert (bootstrap["name"], pipeline["name"], app["name"]) == ("backstage-bootstrap", "backstage-pipeline", "backstage")
    assert bootstrap.get("without_role") and not pipeline.get("without_role") and not app.get("without_role")
    aws("ecr").create_repository(repositoryName="backstage")  # bs-bootstrap's prerequisite

    deployed = deploy_assembly(cfn, out, zones, template_url=staged)
    for name, stack in deployed.items():
        assert stack.get("StackStatus") == "CREATE_COMPLETE", (name, failures(cfn, name))
    role = outputs(deployed[bootstrap["name"]])["CloudFormationRoleArn"]
    assert role.endswith(":role/backstage-pipeline-cfn")
    attached = aws("iam").list_attached_role_policies(RoleName="backstage-pipeline-cfn")["AttachedPolicies"]
    assert sorted(p["PolicyName"] for p in attached) == [f"backstage-pipeline-cfn-{i}" for i in range(1, len(attached) + 1)]
    bucket = outputs(deployed[bootstrap["name"]])["ArtifactBucketName"]
    exports = {e["Name"]: e["Value"] for e in cfn.list_exports()["Exports"]}
    assert exports["backstage-bootstrap-ArtifactBucket"] == bucket
    assert deployed[pipeline["name"]]["RoleARN"] == role
    assert outputs(deployed[pipeline["name"]])["PipelineName"] == "backstage-pipeline"
    declared = aws("codepipeline").get_pipeline(name="backstage-pipeline")["pipeline"]
    assert declared["artifactStore"]["location"] == bucket
    state = aws("codepipeline").get_pipeline_state(name="backstage-pipeline")
    assert [s["stageName"] for s in state["stageStates"]][0] == "Source"
    assert all("latestExecution" not in s for s in state["stageStates"])

    stack = deployed[app["name"]]
    values = outputs(stack)
    assert values["UrlProd"] == "https://backstage.example.com"
    assert values["ServiceNameProd"] == "backstage-prod"
    cluster = rds.describe_db_clusters()["DBClusters"]
    assert values["DatabaseEndpointProd"] in [c["Endpoint"] for c in cluster]
    assert stack["RoleARN"] == role

    # Promote an image to prod: only the parameter changes.
    body = (out / app["template_file"]).read_text()
    url = staged(app, body)
    stack = deploy(cfn, app["name"], None if url else body, {"ImageProd": IMAGE}, previous=("HostedZoneIdExampleCom", "ImageTest"),
                   role_arn=role, template_url=url)
    assert_complete(stack, "UPDATE_COMPLETE")
    service = ecs.describe_services(cluster=values["ClusterName"], services=[values["ServiceNameProd"]])["services"][0]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert task["containerDefinitions"][0]["image"] == IMAGE
    assert service["desiredCount"] == 1
    # The running task is a healthy target of the stage's target group.
    group = service["loadBalancers"][0]["targetGroupArn"]
    health = aws("elbv2").describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
    assert [(h["Target"]["Port"], h["TargetHealth"]["State"]) for h in health] == [(7007, "healthy")]
    ecs.update_service(cluster=values["ClusterName"], service=values["ServiceNameProd"], desiredCount=0)
    assert aws("elbv2").describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"] == []
    ecs.update_service(cluster=values["ClusterName"], service=values["ServiceNameProd"], desiredCount=1)
    assert outputs(stack)["UrlProd"] == "https://backstage.example.com"
    unchanged = deploy(cfn, app["name"], None if url else body, previous=("HostedZoneIdExampleCom", "ImageProd", "ImageTest"),
                       role_arn=role, template_url=url)
    assert "didn't contain changes" in unchanged["ChangeSet"]["StatusReason"]

    # Deleted in reverse order, the bootstrap stack last (its role deletes the others).
    for name in (app["name"], pipeline["name"], bootstrap["name"]):
        cfn.delete_stack(StackName=name)
        with pytest.raises(ClientError):
            cfn.describe_stacks(StackName=name)
    statuses = {s["StackName"]: s["StackStatus"] for s in cfn.list_stacks()["StackSummaries"]}
    assert statuses == {"backstage": "DELETE_COMPLETE", "backstage-pipeline": "DELETE_COMPLETE", "backstage-bootstrap": "DELETE_COMPLETE"}
    assert rds.describe_db_clusters()["DBClusters"] == []
    assert [p["PolicyName"] for p in aws("iam").list_policies(Scope="Local")["Policies"]] == []
    # The same stacks again: nothing left behind blocks them.
    assert all(s.get("StackStatus") == "CREATE_COMPLETE" for s in deploy_assembly(cfn, out, zones, template_url=staged).values())


def test_five_stages_template_from_s3(aws: Any, synth: Any, server: dict[str, Any]) -> None:
    out = synth("tests/configs/five-stages.yaml")
    manifest = json.loads((out / "manifest.json").read_text())
    app = manifest["stacks"][-1]
    body = (out / app["template_file"]).read_bytes()
    assert len(body) > 51_200
    cfn, s3, route53 = aws("cloudformation"), aws("s3"), aws("route53")
    zones = {p["domain"]: route53.create_hosted_zone(Name=p["domain"], CallerReference=p["domain"])["HostedZone"]["Id"].split("/")[-1]
             for p in app["parameters"].values() if p["kind"] == "hosted-zone-id"}
    s3.create_bucket(Bucket="bs-templates")
    s3.put_object(Bucket="bs-templates", Key=app["template_file"], Body=body)
    with pytest.raises(ClientError):
        deploy(cfn, app["name"], body.decode(), stack_parameters(app, zones))
    url = f"{server['endpoint']}/bs-templates/{app['template_file']}"
    stack = deploy(cfn, app["name"], parameters=stack_parameters(app, zones), template_url=url)
    assert_complete(stack)
    stages = [p["stage"] for p in app["parameters"].values() if p["kind"] == "stage-image"]
    assert len(stages) == 5
    assert all(f"ServiceName{s[:1].upper()}{s[1:]}" in outputs(stack) for s in stages), outputs(stack).keys()


# --------------------------------------------------------------------------- scripts/local-aws.sh


def test_script_start_status_stop(tmp_path: Path, server: dict[str, Any]) -> None:
    port = free_port()
    directory = tmp_path / "state"
    env = dict(os.environ, LOCAL_AWS_PORT=str(port), LOCAL_AWS_DIR=str(directory), LOCAL_AWS_ACCOUNT_ID="444455556666")
    shell = subprocess.run(
        ["bash", "-c", f'eval "$({shlex.quote(str(SCRIPT))} start)" && echo "$AWS_ENDPOINT_URL $AWS_REGION $AWS_ACCESS_KEY_ID"'],
        env=env, capture_output=True, text=True, check=True, timeout=300,
    )
    assert shell.stdout.split() == [f"http://127.0.0.1:{port}", "us-east-1", "test"]
    pid = int((directory / "server.pid").read_text())
    sts = boto3.client("sts", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    assert sts.get_caller_identity()["Account"] == "444455556666"  # LOCAL_AWS_ACCOUNT_ID

    assert run_script("status", port, directory, check=False).returncode == 0
    again = run_script("start", port, directory)
    assert "already running" in again.stderr and parse_exports(again.stdout)["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{port}"
    assert int((directory / "server.pid").read_text()) == pid

    run_script("stop", port, directory)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not (directory / "server.pid").exists()
    assert run_script("status", port, directory, check=False).returncode == 1
    assert run_script("stop", port, directory).returncode == 0  # quiet when not running
    # The session's server (another dir and port) still runs.
    assert run_script("status", server["port"], server["dir"], check=False).returncode == 0


def test_script_start_fails_clearly_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = run_script("start", port, tmp_path / "state", check=False)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "local-aws:" in result.stderr
    assert not (tmp_path / "state" / "server.pid").exists()


def test_script_stop_leaves_other_processes_alone(tmp_path: Path) -> None:
    """A pid file naming some other process (e.g. a reused pid) is not killed."""
    directory = tmp_path / "state"
    directory.mkdir()
    other = subprocess.Popen(["sleep", "30"])
    try:
        (directory / "server.pid").write_text(f"{other.pid}\n")
        run_script("stop", free_port(), directory)
        assert other.poll() is None
    finally:
        other.send_signal(signal.SIGTERM)
        other.wait()
