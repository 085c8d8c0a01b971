"""AWS::IAM::ManagedPolicy updated and deleted as CloudFormation's handler does
(``localaws/managed_policies.py``), as the bootstrap stack holds the role
CloudFormation assumes in such policies."""

from __future__ import annotations

import json
from typing import Any

from harness import ACCOUNT, assert_complete, deploy, template

ASSUME_CFN = {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/portal-cfn-1"


def _stack(*actions: str) -> dict[str, Any]:
    """A role whose ManagedPolicyArns attach the stack's managed policy, as bs-synth's bootstrap stack does."""
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
    return template({
        "Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "portal-cfn-1", "PolicyDocument": document}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "portal-cfn", "AssumeRolePolicyDocument": ASSUME_CFN,
                                                          "ManagedPolicyArns": [{"Ref": "Policy"}]}},
    })


def _default_document(iam: Any) -> dict[str, Any]:
    policy = iam.get_policy(PolicyArn=POLICY_ARN)["Policy"]
    version = iam.get_policy_version(PolicyArn=POLICY_ARN, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    document = version["Document"]
    return document if isinstance(document, dict) else json.loads(document)


def test_update_makes_a_new_default_version(aws: Any) -> None:
    cfn, iam = aws("cloudformation"), aws("iam")
    assert_complete(deploy(cfn, "boot", _stack("s3:GetObject")))
    assert _default_document(iam)["Statement"][0]["Action"] == ["s3:GetObject"]
    assert_complete(deploy(cfn, "boot", _stack("s3:GetObject", "s3:PutObject")), "UPDATE_COMPLETE")
    assert _default_document(iam)["Statement"][0]["Action"] == ["s3:GetObject", "s3:PutObject"]
    versions = iam.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]
    assert sorted((v["VersionId"], v["IsDefaultVersion"]) for v in versions) == [("v1", False), ("v2", True)]
    attached = iam.list_attached_role_policies(RoleName="portal-cfn")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [POLICY_ARN]


def test_update_beyond_five_versions_drops_the_oldest(aws: Any) -> None:
    cfn, iam = aws("cloudformation"), aws("iam")
    actions = [f"s3:Get{name}" for name in ("Object", "ObjectAcl", "ObjectTagging", "ObjectVersion", "ObjectAttributes", "ObjectRetention")]
    for count in range(1, len(actions) + 1):
        assert deploy(cfn, "boot", _stack(*actions[:count]))["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    versions = iam.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == ["v2", "v3", "v4", "v5", "v6"]
    assert _default_document(iam)["Statement"][0]["Action"] == actions


def test_delete_removes_the_policy_and_create_again_succeeds(aws: Any) -> None:
    cfn, iam = aws("cloudformation"), aws("iam")
    assert_complete(deploy(cfn, "boot", _stack("s3:GetObject")))
    assert_complete(deploy(cfn, "boot", _stack("s3:PutObject")), "UPDATE_COMPLETE")
    cfn.delete_stack(StackName="boot")
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]] == []
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == []
    # Before the patch: "A policy called portal-cfn-1 already exists. Duplicate names are not allowed."
    assert_complete(deploy(cfn, "boot", _stack("s3:GetObject")))
    assert _default_document(iam)["Statement"][0]["Action"] == ["s3:GetObject"]


def test_role_managed_policy_arns_follow_the_template(aws: Any) -> None:
    """moto ignored a role's ManagedPolicyArns: now attached, detached when no longer
    listed (an attachment the template did not make stays), and on delete every
    policy is detached, as the role's delete handler does."""
    cfn, iam = aws("cloudformation"), aws("iam")
    other = iam.create_policy(PolicyName="by-hand", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))["Policy"]["Arn"]
    assert_complete(deploy(cfn, "boot", _stack("s3:GetObject")))
    iam.attach_role_policy(RoleName="portal-cfn", PolicyArn=other)
    attached = lambda: sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="portal-cfn")["AttachedPolicies"])  # noqa: E731
    assert attached() == [other, POLICY_ARN]
    unlisted = _stack("s3:GetObject")
    unlisted["Resources"]["Role"]["Properties"]["ManagedPolicyArns"] = []
    assert_complete(deploy(cfn, "boot", unlisted), "UPDATE_COMPLETE")
    assert attached() == [other]
    assert_complete(deploy(cfn, "boot", _stack("s3:GetObject")), "UPDATE_COMPLETE")
    assert attached() == [other, POLICY_ARN]
    cfn.delete_stack(StackName="boot")
    assert cfn.list_stacks()["StackSummaries"][0]["StackStatus"] == "DELETE_COMPLETE"
    assert [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]] == [other]
