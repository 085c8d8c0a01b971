//! CodeBuild projects run by a pipeline: the project, its log group (with
//! retention) and the service role they share the rules of.

use crate::cfn::{allow, arn, assume_role_by, get_att, r, sub, Template};
use serde_json::{json, Value};

/// The image every project runs on: Ubuntu with Docker, Python and the AWS CLI.
pub const IMAGE: &str = "aws/codebuild/standard:7.0";
/// Build logs are kept this long.
pub const LOG_RETENTION_DAYS: u32 = 365;

pub struct Project<'a> {
    /// Logical id prefix: `<id>Project`, `<id>Role`, `<id>Logs`.
    pub id: &'a str,
    pub name: String,
    pub role_name: String,
    pub description: &'a str,
    /// A file in the primary source, or an inline buildspec.
    pub buildspec: &'a str,
    pub compute: &'a str,
    /// Docker builds need it; nothing else gets it.
    pub privileged: bool,
    /// `[{Name, Value, Type}]`
    pub environment: Vec<Value>,
    /// `bucket/prefix` for the S3 cache, when the build caches.
    pub cache: Option<Value>,
    /// The role's statements beyond writing its own logs.
    pub statements: Vec<Value>,
    pub timeout_minutes: u32,
}

pub fn project_id(id: &str) -> String {
    format!("{id}Project")
}

pub fn role_id(id: &str) -> String {
    format!("{id}Role")
}

pub fn env(name: &str, value: Value) -> Value {
    json!({"Name": name, "Value": value, "Type": "PLAINTEXT"})
}

/// The project with its role, in one template.
pub fn add(t: &mut Template, p: Project) {
    add_role(t, &p);
    let role = get_att(&role_id(p.id), "Arn");
    add_project(t, p, role);
}

/// The project's service role: writing its own build logs, and `statements`.
pub fn add_role(t: &mut Template, p: &Project) {
    let mut statements = vec![allow(
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![arn("logs", &format!("log-group:{}:*", log_group(&p.name)))],
    )];
    statements.extend(p.statements.iter().cloned());
    t.resource(
        &role_id(p.id),
        "AWS::IAM::Role",
        json!({
            "RoleName": p.role_name,
            "Description": format!("CodeBuild: {}", p.description),
            "AssumeRolePolicyDocument": assume_role_by("codebuild.amazonaws.com"),
            "Policies": [crate::cfn::policy("build", statements)]
        }),
    );
}

/// The project's log group.
pub fn log_group(project: &str) -> String {
    format!("/aws/codebuild/{project}")
}

/// The project and its log group, running as `role` (an ARN).
pub fn add_project(t: &mut Template, p: Project, role: Value) {
    let logs_id = format!("{}Logs", p.id);
    t.resource(
        &logs_id,
        "AWS::Logs::LogGroup",
        json!({
            "LogGroupName": log_group(&p.name),
            "RetentionInDays": LOG_RETENTION_DAYS
        }),
    )
    .accept_checkov(&[(
        "CKV_AWS_158",
        "Build logs are encrypted at rest by CloudWatch Logs; a customer-managed key adds cost and key administration for no gain here.",
    )]);
    let mut props = json!({
        "Name": p.name,
        "Description": p.description,
        "ServiceRole": role,
        "Source": {"Type": "CODEPIPELINE", "BuildSpec": p.buildspec},
        "Artifacts": {"Type": "CODEPIPELINE"},
        "Environment": {
            "Type": "LINUX_CONTAINER",
            "ComputeType": p.compute,
            "Image": IMAGE,
            "PrivilegedMode": p.privileged,
            "EnvironmentVariables": p.environment
        },
        "LogsConfig": {"CloudWatchLogs": {"Status": "ENABLED", "GroupName": r(&logs_id)}},
        "TimeoutInMinutes": p.timeout_minutes
    });
    if let Some(location) = p.cache {
        props["Cache"] = json!({"Type": "S3", "Location": location});
    }
    t.resource(&project_id(p.id), "AWS::CodeBuild::Project", props);
}

/// What `bs_aws::deploy` calls to change a stack through a change set and follow
/// it (bs-deploy in the Deploy project, bs-promote in the promote project).
pub const CHANGE_SET_ACTIONS: &[&str] = &[
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
];

/// Read (and optionally write) a pipeline artifact bucket's objects.
pub fn bucket_objects(bucket_id: &str, write: bool) -> Value {
    let mut actions = vec![
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetBucketLocation",
    ];
    if write {
        actions.push("s3:PutObject");
    }
    allow(
        &actions,
        vec![
            get_att(bucket_id, "Arn"),
            sub(&format!("${{{bucket_id}.Arn}}/*")),
        ],
    )
}
