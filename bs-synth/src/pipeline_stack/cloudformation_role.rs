//! The role CloudFormation assumes to create both stacks' resources.
//!
//! Not AdministratorAccess: only the services the stacks contain, IAM only on
//! roles named with the stack's prefix, Secrets Manager only on the stack's own
//! secrets, S3 only bucket configuration (no object data), KMS only through the
//! services that encrypt with AWS managed keys.

use crate::cfn::{allow, allow_with, arn, assume_role_by, global_arn, Template};
use bs_core::config::Config;
use bs_core::names;
use serde_json::json;

pub const ID: &str = "CloudFormationRole";

/// Services whose resources the stacks create; granted whole, on `*`.
const SERVICES: &[&str] = &[
    "acm:*",
    "codebuild:*",
    "codepipeline:*",
    "codestar-notifications:*",
    "ec2:*",
    "ecr:*",
    "ecs:*",
    "elasticloadbalancing:*",
    "logs:*",
    "rds:*",
    "route53:*",
    "sns:*",
];

pub fn add(t: &mut Template, c: &Config) {
    let stack = &c.stack_name;
    let statements = vec![
        allow(SERVICES, vec![json!("*")]),
        allow(
            &[
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:GetRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy",
                "iam:GetRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:PassRole",
            ],
            vec![global_arn("iam", true, &format!("role/{stack}-*"))],
        ),
        // The services that create a service-linked role on their first use in
        // an account: ECS, ELB, RDS, and CodeStar Notifications (the first
        // notification rule, when CODESTAR_NOTIFY_ARN is set after bootstrap).
        allow_with(
            &["iam:CreateServiceLinkedRole"],
            vec![global_arn("iam", true, "role/aws-service-role/*")],
            json!({"StringEquals": {"iam:AWSServiceName": [
                "codestar-notifications.amazonaws.com",
                "ecs.amazonaws.com",
                "elasticloadbalancing.amazonaws.com",
                "rds.amazonaws.com"
            ]}}),
        ),
        allow(
            &["secretsmanager:*"],
            vec![arn("secretsmanager", &format!("secret:{stack}/*"))],
        ),
        allow(&["secretsmanager:GetRandomPassword"], vec![json!("*")]),
        allow(
            &[
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:GetBucket*",
                "s3:GetEncryptionConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:ListBucket",
                "s3:PutBucket*",
                "s3:DeleteBucketPolicy",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
            ],
            vec![global_arn("s3", false, "*")],
        ),
        allow_with(
            &[
                "kms:CreateGrant",
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*",
            ],
            vec![json!("*")],
            json!({"StringLike": {"kms:ViaService": [
                "rds.*.amazonaws.com",
                "secretsmanager.*.amazonaws.com",
                "s3.*.amazonaws.com",
                "ecr.*.amazonaws.com",
                "sns.*.amazonaws.com",
                "logs.*.amazonaws.com"
            ]}}),
        ),
        allow(
            &[
                "codestar-connections:PassConnection",
                "codestar-connections:UseConnection",
                "codeconnections:PassConnection",
                "codeconnections:UseConnection",
            ],
            vec![json!(c.connection_arn)],
        ),
        allow(
            &["chatbot:DescribeSlackChannelConfigurations"],
            vec![json!("*")],
        ),
    ];
    t.resource(
        ID,
        "AWS::IAM::Role",
        json!({
            "RoleName": names::roles::cloudformation(stack),
            "Description": format!("Assumed by CloudFormation to deploy {stack} and {}", names::pipeline_stack(stack)),
            "AssumeRolePolicyDocument": assume_role_by("cloudformation.amazonaws.com"),
            "Policies": [crate::cfn::policy("deploy-stacks", statements)]
        }),
    )
    .accept_checkov(&[
        ("CKV_AWS_107", "CloudFormation's deploy role: it must manage the stacks' secrets."),
        ("CKV_AWS_109", "CloudFormation's deploy role: it manages the stacks' IAM roles, limited to roles named with the stack prefix."),
        ("CKV_AWS_111", "CloudFormation's deploy role: write access is limited to the services the stacks contain."),
    ]);
}
