//! The permissions of the role CloudFormation assumes to deploy the pipeline
//! and backstage stacks, derived from the registry's handler permissions of
//! exactly the resource types those templates contain.
//!
//! - Each service's actions are scoped to the stacks' own resources where IAM
//!   can scope them ([`scopes`]: every resource type the action can be scoped to
//!   that the stacks create); actions IAM cannot scope get `*`; services whose
//!   resources have generated names and ids (EC2, ELB, RDS, Auto Scaling's
//!   reads) get their exact actions on `*`. Never an `*` action or a service-wide `svc:*`.
//! - IAM is written by hand ([`iam_statements`]): roles only of the backstage
//!   stack's names, created and changed only with the permissions boundary
//!   (which the role can neither remove nor edit: the boundary is a policy of
//!   the bootstrap stack), `iam:PassRole` only for named roles to their service.
//! - What the stacks never use is left out, each with its reason ([`EXCLUDED`]).
//! - CodeBuild's registry schema lists no handler permissions: its project
//!   actions are written by hand ([`CODEBUILD_PROJECT`]).

use super::handler_permissions::table;
use crate::cfn::{allow, allow_with, arn, global_arn};
use bs_core::config::Config;
use bs_core::names;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Handler permissions the role does not get, with the reason. A trailing `*`
/// matches a prefix.
pub const EXCLUDED: &[(&str, &str)] = &[
    ("acm-pca:*", "certificates are public ones validated by DNS, never issued by a private CA"),
    ("cognito-idp:*", "no listener authenticates through Cognito"),
    ("docdb-elastic:*", "secret attachments target Aurora clusters only"),
    ("redshift:*", "secret attachments target Aurora clusters only"),
    ("redshift-serverless:*", "secret attachments target Aurora clusters only"),
    ("firehose:*", "flow logs go to CloudWatch Logs, never to Firehose"),
    ("s3tables:*", "no bucket has metadata tables"),
    ("s3:CreateBucketMetadataTableConfiguration", "no bucket has metadata tables"),
    ("s3:DeleteBucketMetadataTableConfiguration", "no bucket has metadata tables"),
    ("s3:GetBucketMetadataTableConfiguration", "no bucket has metadata tables"),
    ("s3:UpdateBucketMetadata*", "no bucket has metadata tables"),
    ("s3:PutBucketReplication", "not an IAM action (S3 authorizes it as s3:PutReplicationConfiguration); no bucket replicates"),
    ("s3:PutReplicationConfiguration", "no bucket replicates (it would need iam:PassRole of a replication role)"),
    ("s3:PutObjectLockConfiguration", "not an IAM action (S3 authorizes it as s3:PutBucketObjectLockConfiguration)"),
    ("s3:PutBucketObjectLockConfiguration", "no bucket locks objects"),
    ("s3:DeleteBucketAnalyticsConfiguration", "not an IAM action (S3 authorizes it as s3:PutAnalyticsConfiguration)"),
    ("s3:DeleteBucketCors", "not an IAM action (S3 authorizes it as s3:PutBucketCORS)"),
    ("s3:DeleteBucketEncryption", "not an IAM action (S3 authorizes it as s3:PutEncryptionConfiguration)"),
    ("s3:DeleteBucketLifecycle", "not an IAM action (S3 authorizes it as s3:PutLifecycleConfiguration)"),
    ("s3:DeleteBucketMetricsConfiguration", "not an IAM action (S3 authorizes it as s3:PutMetricsConfiguration)"),
    ("s3:DeleteBucketReplication", "not an IAM action (S3 authorizes it as s3:PutReplicationConfiguration)"),
    ("s3:DeleteBucketTagging", "not an IAM action (S3 authorizes it as s3:PutBucketTagging)"),
    ("s3:REST.PUT.OBJECT", "not an IAM action (S3 authorizes it as s3:PutObject); no bucket is created with objects"),
    ("s3:PutBucketWebsite", "no bucket hosts a website"),
    ("s3:DeleteBucketWebsite", "no bucket hosts a website"),
    ("s3:PutBucketAcl", "buckets enforce bucket-owner object ownership: no ACLs"),
    ("s3:PutBucketLogging", "no bucket logs to another bucket"),
    ("s3:PutBucketNotification", "no bucket notifies"),
    ("s3:PutAccelerateConfiguration", "no bucket uses transfer acceleration"),
    ("s3:PutAnalyticsConfiguration", "no bucket has analytics configurations"),
    ("s3:PutInventoryConfiguration", "no bucket has inventories"),
    ("s3:PutIntelligentTieringConfiguration", "no bucket uses Intelligent-Tiering archive configurations"),
    ("s3:PutMetricsConfiguration", "no bucket has request metrics"),
    ("s3:PutBucketCORS", "no bucket is read by browsers"),
    ("s3:PutBucketAbac", "no bucket uses attribute-based access control"),
    ("iam:DeleteRolePermissionsBoundary", "every role the stacks make keeps the permissions boundary"),
    ("logs:PutBearerTokenAuthentication", "no log group takes bearer-token ingestion"),
    ("logs:PutDataProtectionPolicy", "no log group has a data protection policy"),
    ("logs:DeleteDataProtectionPolicy", "no log group has a data protection policy"),
    ("logs:PutIndexPolicy", "no log group has a field index policy"),
    ("logs:DeleteIndexPolicy", "no log group has a field index policy"),
    ("logs:PutResourcePolicy", "no log group has a resource policy (it would let other principals write logs)"),
    ("logs:DeleteResourcePolicy", "no log group has a resource policy"),
    ("logs:CreateLogDelivery", "no vended log delivery"),
    ("logs:DeleteLogDelivery", "no vended log delivery"),
    ("logs:AssociateKmsKey", "log groups are encrypted by CloudWatch Logs, with no customer key"),
    ("logs:DisassociateKmsKey", "log groups are encrypted by CloudWatch Logs, with no customer key"),
    ("sns:PutDataProtectionPolicy", "no topic has a data protection policy"),
    ("rds:PromoteReadReplica", "no read replicas"),
    ("rds:CreateDBInstanceReadReplica", "no read replicas"),
    ("rds:StartDBInstanceAutomatedBackupsReplication", "no cross-region backup replication"),
    ("rds:StopDBInstanceAutomatedBackupsReplication", "no cross-region backup replication"),
    ("rds:RemoveFromGlobalCluster", "no global clusters"),
    ("rds:EnableHttpEndpoint", "the Data API stays off"),
    ("rds:DisableHttpEndpoint", "the Data API stays off"),
    ("rds:AddRoleToDBCluster", "no cluster assumes IAM roles"),
    ("rds:RemoveRoleFromDBCluster", "no cluster assumes IAM roles"),
    ("rds:AddRoleToDBInstance", "no instance assumes IAM roles"),
    ("rds:RemoveRoleFromDBInstance", "no instance assumes IAM roles"),
    ("rds:RestoreDB*", "clusters are created empty, never restored from a snapshot by the stack"),
    ("ec2:AcceptAddressTransfer", "no Elastic IP transfers between accounts"),
    ("ec2:AttachVpnGateway", "no VPN gateways"),
    ("ec2:DetachVpnGateway", "no VPN gateways"),
    ("ec2:CreateVpcEncryptionControl", "no VPC encryption control"),
    ("ec2:ModifyVpcTenancy", "default tenancy only"),
    ("ec2:AssociateSubnetCidrBlock", "no IPv6 or secondary subnet CIDRs"),
    ("ec2:DisassociateSubnetCidrBlock", "no IPv6 or secondary subnet CIDRs"),
    ("ec2:AssignPrivateNatGatewayAddress", "NAT gateways keep their one address"),
    ("ec2:UnassignPrivateNatGatewayAddress", "NAT gateways keep their one address"),
    ("ec2:AssociateNatGatewayAddress", "NAT gateways keep their one address"),
    ("ec2:DisassociateNatGatewayAddress", "NAT gateways keep their one address"),
    ("elasticloadbalancing:ModifyCapacityReservation", "no load balancer capacity reservations"),
    ("elasticloadbalancing:ModifyIpPools", "no IPAM pools for load balancers"),
];

/// The services scoped to the stacks' resources: IAM resource type → ARN
/// patterns, for every resource type of that service the stacks create.
fn scopes(c: &Config) -> BTreeMap<&'static str, Vec<(&'static str, Vec<Value>)>> {
    let stack = &c.stack_name;
    let buckets = stack.to_lowercase();
    BTreeMap::from([
        (
            "s3",
            vec![
                (
                    "bucket",
                    vec![global_arn("s3", false, &format!("{buckets}-*"))],
                ),
                (
                    "object",
                    vec![global_arn("s3", false, &format!("{buckets}-*/*"))],
                ),
            ],
        ),
        (
            "logs",
            vec![(
                "log-group",
                vec![
                    arn("logs", &format!("log-group:/aws/codebuild/{stack}-*")),
                    arn("logs", &format!("log-group:/bs/{stack}/*")),
                ],
            )],
        ),
        (
            "secretsmanager",
            vec![(
                "Secret",
                vec![arn("secretsmanager", &format!("secret:{stack}/*"))],
            )],
        ),
        (
            "sns",
            vec![("topic", vec![arn("sns", &format!("{stack}-*"))])],
        ),
        (
            "codepipeline",
            vec![
                ("pipeline", vec![arn("codepipeline", &format!("{stack}-*"))]),
                ("stage", vec![arn("codepipeline", &format!("{stack}-*/*"))]),
            ],
        ),
        (
            "ecs",
            vec![
                (
                    "cluster",
                    vec![arn("ecs", &format!("cluster/{}", names::cluster(stack)))],
                ),
                (
                    "service",
                    vec![arn(
                        "ecs",
                        &format!("service/{}/{stack}-*", names::cluster(stack)),
                    )],
                ),
                (
                    "service-deployment",
                    vec![arn(
                        "ecs",
                        &format!("service-deployment/{}/{stack}-*", names::cluster(stack)),
                    )],
                ),
                (
                    "task-definition",
                    vec![arn("ecs", &format!("task-definition/{stack}-*:*"))],
                ),
            ],
        ),
        (
            "acm",
            vec![("certificate", vec![arn("acm", "certificate/*")])],
        ),
        (
            "route53",
            vec![
                (
                    "hostedzone",
                    vec![global_arn("route53", false, "hostedzone/*")],
                ),
                ("change", vec![global_arn("route53", false, "change/*")]),
            ],
        ),
        (
            "codestar-notifications",
            vec![(
                "notificationrule",
                vec![arn("codestar-notifications", "notificationrule/*")],
            )],
        ),
    ])
}

/// Services written by hand below (IAM, KMS through services, connections).
const BY_HAND: &[&str] = &["iam", "kms", "codestar-connections", "codeconnections"];

/// CodeBuild projects: the registry schema of `AWS::CodeBuild::Project` lists
/// no handler permissions, so these are the API calls its handler makes.
pub const CODEBUILD_PROJECT: &[&str] = &[
    "codebuild:BatchGetProjects",
    "codebuild:CreateProject",
    "codebuild:DeleteProject",
    "codebuild:UpdateProject",
];

pub fn excluded(action: &str) -> Option<&'static str> {
    EXCLUDED.iter().find_map(|(pattern, reason)| {
        let hit = match pattern.strip_suffix('*') {
            Some(prefix) => action.starts_with(prefix),
            None => action == *pattern,
        };
        hit.then_some(*reason)
    })
}

/// The resource types of the templates the role deploys.
pub fn resource_types<'a>(templates: &[&'a Value]) -> BTreeSet<&'a str> {
    templates
        .iter()
        .filter_map(|t| t["Resources"].as_object())
        .flat_map(|r| r.values())
        .filter_map(|r| r["Type"].as_str())
        .collect()
}

/// The handler actions the role needs for `types`, without the excluded ones.
pub fn needed(types: &BTreeSet<&str>) -> BTreeSet<String> {
    let table = table();
    types
        .iter()
        .filter_map(|t| table.types.get(*t))
        .flat_map(|e| e.actions())
        .filter(|a| excluded(a).is_none())
        .map(str::to_string)
        .collect()
}

/// Every statement of the CloudFormation role, for the stacks whose templates
/// are `templates`.
pub fn statements(c: &Config, templates: &[&Value]) -> Vec<Value> {
    let types = resource_types(templates);
    let table = table();
    let scopes = scopes(c);
    // Resources (as a canonical string key) → actions.
    let mut grouped: BTreeMap<String, (Vec<Value>, BTreeSet<String>)> = BTreeMap::new();
    let needed = needed(&types);
    for action in needed.iter().cloned() {
        let (service, _) = action.split_once(':').unwrap_or((&action, ""));
        if BY_HAND.contains(&service) {
            continue;
        }
        let resources = match (scopes.get(service), table.resource_types.get(&action)) {
            (Some(scope), Some(Some(kinds))) if !kinds.is_empty() => scope
                .iter()
                .filter(|(kind, _)| kinds.iter().any(|k| k == kind))
                .flat_map(|(_, arns)| arns.clone())
                .collect(),
            _ => vec![json!("*")],
        };
        if resources.is_empty() {
            // A scoped service's action on none of the stacks' kinds of
            // resource: not granted (the template test names it).
            continue;
        }
        let key = serde_json::to_string(&resources).unwrap_or_default();
        grouped
            .entry(format!("{service} {key}"))
            .or_insert_with(|| (resources, BTreeSet::new()))
            .1
            .insert(action);
    }
    let mut out: Vec<Value> = grouped
        .into_values()
        .map(|(resources, actions)| {
            let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
            allow(&actions, resources)
        })
        .collect();
    if types.contains("AWS::CodeBuild::Project") {
        out.push(allow(
            CODEBUILD_PROJECT,
            vec![arn("codebuild", &format!("project/{}-*", c.stack_name))],
        ));
    }
    out.extend(iam_statements(c, &types));
    out.extend(by_hand(c, &types, &needed));
    out
}

/// The roles the CloudFormation role may create and change: the backstage
/// stack's, by name. Never the bootstrap stack's roles (its own, the
/// pipeline's).
pub fn managed_roles(c: &Config) -> Vec<Value> {
    let stack = &c.stack_name;
    [
        names::roles::task(stack),
        format!("{stack}-*{}", names::STAGE_ROLE_SUFFIX),
        format!("{stack}-app-*"),
        names::roles::flow_logs(stack),
    ]
    .iter()
    .map(|n| global_arn("iam", true, &format!("role/{n}")))
    .collect()
}

/// The ARN of the permissions boundary of every role the stacks create.
pub fn boundary_arn(c: &Config) -> Value {
    global_arn(
        "iam",
        true,
        &format!("policy/{}", names::boundary_policy(&c.stack_name)),
    )
}

/// Roles passed to a service, by the resource types that pass them.
fn passed_roles(c: &Config, types: &BTreeSet<&str>) -> Vec<(&'static str, Vec<String>)> {
    let stack = &c.stack_name;
    let mut out = Vec::new();
    if types.contains("AWS::ECS::TaskDefinition") {
        out.push((
            "ecs-tasks.amazonaws.com",
            vec![
                names::roles::task(stack),
                format!("{stack}-*{}", names::STAGE_ROLE_SUFFIX),
            ],
        ));
    }
    if types.contains("AWS::CodeBuild::Project") {
        out.push((
            "codebuild.amazonaws.com",
            vec![
                names::roles::app_build(stack),
                names::roles::app_promote(stack),
                names::roles::synth(stack),
                names::roles::deploy(stack),
            ],
        ));
    }
    if types.contains("AWS::CodePipeline::Pipeline") {
        out.push((
            "codepipeline.amazonaws.com",
            vec![
                names::roles::app_pipeline(stack),
                names::roles::pipeline(stack),
            ],
        ));
    }
    if types.contains("AWS::EC2::FlowLog") {
        out.push((
            "vpc-flow-logs.amazonaws.com",
            vec![names::roles::flow_logs(stack)],
        ));
    }
    out
}

fn iam_statements(c: &Config, types: &BTreeSet<&str>) -> Vec<Value> {
    let mut out = Vec::new();
    if types.contains("AWS::IAM::Role") {
        let roles = managed_roles(c);
        let boundary = json!({"StringEquals": {"iam:PermissionsBoundary": boundary_arn(c)}});
        out.push(allow(
            &[
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
                "iam:ListRoleTags",
                "iam:DeleteRole",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
            ],
            roles.clone(),
        ));
        // What changes a role's permissions: only with the boundary in place.
        out.push(allow_with(
            &[
                "iam:AttachRolePolicy",
                "iam:CreateRole",
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:PutRolePolicy",
            ],
            roles,
            boundary,
        ));
        out.push(allow(&["iam:ListRoles"], vec![json!("*")]));
    }
    for (service, roles) in passed_roles(c, types) {
        out.push(allow_with(
            &["iam:PassRole"],
            roles
                .iter()
                .map(|n| global_arn("iam", true, &format!("role/{n}")))
                .collect(),
            json!({"StringEquals": {"iam:PassedToService": service}}),
        ));
    }
    // The services that create a service-linked role on their first use in an
    // account: ECS, ELB, RDS, and CodeStar Notifications (the first
    // notification rule, when CODESTAR_NOTIFY_ARN is set after bootstrap).
    out.push(allow_with(
        &["iam:CreateServiceLinkedRole"],
        vec![global_arn("iam", true, "role/aws-service-role/*")],
        json!({"StringEquals": {"iam:AWSServiceName": [
            "codestar-notifications.amazonaws.com",
            "ecs.amazonaws.com",
            "elasticloadbalancing.amazonaws.com",
            "rds.amazonaws.com"
        ]}}),
    ));
    out
}

fn by_hand(c: &Config, types: &BTreeSet<&str>, needed: &BTreeSet<String>) -> Vec<Value> {
    let mut out = Vec::new();
    let kms: Vec<&str> = needed
        .iter()
        .filter(|a| a.starts_with("kms:"))
        .map(String::as_str)
        .collect();
    if !kms.is_empty() {
        // Only through the services that encrypt with AWS managed keys.
        out.push(allow_with(
            &kms,
            vec![json!("*")],
            json!({"StringLike": {"kms:ViaService": [
                "rds.*.amazonaws.com",
                "secretsmanager.*.amazonaws.com"
            ]}}),
        ));
    }
    if types.contains("AWS::CodePipeline::Pipeline") {
        out.push(allow(
            &[
                "codestar-connections:PassConnection",
                "codeconnections:PassConnection",
            ],
            vec![json!(c.connection_arn)],
        ));
    }
    if types.contains("AWS::CodeStarNotifications::NotificationRule") {
        // CodeStar Notifications checks a Chatbot target's configuration
        // with the caller's permissions.
        out.push(allow(
            &["chatbot:DescribeSlackChannelConfigurations"],
            vec![json!("*")],
        ));
    }
    out
}
