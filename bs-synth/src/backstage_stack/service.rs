//! The ECS cluster and task role the stages share, and per stage: the container
//! log group, the task execution role, the task definition and the Fargate
//! service behind the stage's load balancer.

use super::network::private_subnets;
use super::parameters::{has_image_condition, image_parameter};
use super::{database, load_balancer, security_groups};
use crate::cfn::{
    allow, assume_role_by, get_att, if_, join, r, secret_arn_pattern, secret_key_ref, Template,
};
use crate::repository;
use bs_core::config::{Config, Stage};
use bs_core::names;
use serde_json::{json, Value};

pub const CLUSTER: &str = "Cluster";
pub const TASK_ROLE: &str = "TaskRole";
/// 0.5 vCPU and 2 GiB, as the reference runs Backstage.
pub const TASK_CPU: &str = "512";
pub const TASK_MEMORY: &str = "2048";
/// The container's PGSSLMODE unless the config sets one.
pub const DEFAULT_PGSSLMODE: &str = "no-verify";

pub fn add_shared(t: &mut Template, c: &Config) {
    t.resource(
        CLUSTER,
        "AWS::ECS::Cluster",
        json!({
            "ClusterName": names::cluster(&c.stack_name),
            "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]
        }),
    );
    t.resource(
        TASK_ROLE,
        "AWS::IAM::Role",
        json!({
            "RoleName": names::roles::task(&c.stack_name),
            "Description": "The Backstage containers' own role (grant it what your plugins need)",
            "AssumeRolePolicyDocument": ecs_tasks_trust()
        }),
    );
    t.output("ClusterName", "The ECS cluster of every stage", r(CLUSTER));
}

/// ECS tasks of this account only (no confused deputy).
fn ecs_tasks_trust() -> Value {
    let mut doc = assume_role_by("ecs-tasks.amazonaws.com");
    doc["Statement"][0]["Condition"] =
        json!({"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}});
    doc
}

pub fn service(stage: &Stage) -> String {
    format!("Service{}", stage.id)
}

pub fn task_definition(stage: &Stage) -> String {
    format!("TaskDefinition{}", stage.id)
}

fn log_group(stage: &Stage) -> String {
    format!("ContainerLogs{}", stage.id)
}

fn execution_role(stage: &Stage) -> String {
    format!("ExecutionRole{}", stage.id)
}

/// Container secrets: name → (secret name or ARN, JSON key).
fn configured_secrets(stage: &Stage) -> Vec<(&'static str, &str, &'static str)> {
    let mut out = Vec::new();
    if let Some(s) = &stage.github_auth_secret {
        out.push(("AUTH_GITHUB_CLIENT_ID", s.as_str(), "id"));
        out.push(("AUTH_GITHUB_CLIENT_SECRET", s.as_str(), "secret"));
    }
    if let Some(s) = &stage.aws_auth_secret {
        out.push(("AWS_ACCESS_KEY_ID", s.as_str(), "id"));
        out.push(("AWS_ACCESS_KEY_SECRET", s.as_str(), "secret"));
        out.push(("AWS_SECRET_ACCESS_KEY", s.as_str(), "secret"));
    }
    if let Some(s) = &stage.github_token_secret {
        out.push(("GITHUB_TOKEN", s.as_str(), "secret"));
    }
    out
}

/// The container's plain environment: every value of the stage's merged
/// config, as the reference passes it (toolkit keys with their effective
/// values, defaults included, and every other key as written), except
/// [`bs_core::config::keys::NOT_FOR_THE_CONTAINER`]; POSTGRES_HOST is the cluster's endpoint.
/// Secrets are never here: they are [`secrets`].
pub fn environment(c: &Config, stage: &Stage) -> Vec<Value> {
    let mut env: Vec<(String, Value)> = stage
        .env
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    let text = |v: &str| json!(v);
    let optional = |v: &Option<String>| v.as_deref().map(text);
    let toolkit: Vec<(&str, Option<Value>)> = vec![
        ("AWS_ACCOUNT", Some(text(&c.account))),
        ("AWS_REGION", Some(text(&c.region))),
        ("TAG_STACK_NAME", Some(text(&c.stack_name))),
        ("TAG_STACK_PRODUCT", Some(text(&c.product))),
        ("GITHUB_ORG", Some(text(&c.github.org))),
        ("GITHUB_APP_REPO", Some(text(&c.github.app_repo))),
        ("GITHUB_APP_BRANCH", Some(text(&c.github.app_branch))),
        ("GITHUB_INFRA_REPO", Some(text(&c.github.infra_repo))),
        ("GITHUB_INFRA_BRANCH", Some(text(&c.github.infra_branch))),
        ("ECR_REPO_NAME", optional(&c.ecr_repo_name)),
        ("CONTAINER_NAME", Some(text(&c.container_name))),
        ("HOST_NAME", Some(text(&stage.host_name))),
        ("DOMAIN_NAME", Some(text(&stage.domain_name))),
        ("HOSTED_ZONE_ID", optional(&stage.hosted_zone_id)),
        ("ACM_ARN", optional(&stage.acm_arn)),
        (
            "CONTAINER_PORT",
            Some(text(&stage.container_port.to_string())),
        ),
        ("HEALTH_CHECK_PATH", Some(text(&stage.health_check_path))),
        (
            "LOG_RETENTION_DAYS",
            Some(text(&stage.log_retention_days.to_string())),
        ),
        (
            "POSTGRES_HOST",
            Some(get_att(&database::cluster(stage), "Endpoint.Address")),
        ),
        (
            "POSTGRES_PORT",
            Some(text(&stage.postgres_port.to_string())),
        ),
        ("POSTGRES_USER", Some(text(&stage.postgres_user))),
        ("POSTGRES_DB", optional(&stage.postgres_db)),
        (
            "POSTGRES_ENGINE_VERSION",
            Some(text(&stage.postgres_engine_version)),
        ),
        ("AWS_AUTH_SECRET_NAME", optional(&stage.aws_auth_secret)),
        (
            "GITHUB_AUTH_SECRET_NAME",
            optional(&stage.github_auth_secret),
        ),
        (
            "GITHUB_TOKEN_SECRET_NAME",
            optional(&stage.github_token_secret),
        ),
    ];
    for (name, value) in toolkit {
        if let Some(value) = value {
            env.push((name.to_string(), value));
        }
    }
    // TLS to the database whether or not the cluster forces it: node-postgres
    // reads PGSSLMODE when the app-config sets no `ssl` (a new app's does
    // not). `no-verify` encrypts without checking the server's certificate:
    // the RDS CA is not in Node's store, and only the image can carry it. A
    // config's own PGSSLMODE (`verify-full` with NODE_EXTRA_CA_CERTS naming
    // the bundle in the image) wins.
    if !stage.env.contains_key("PGSSLMODE") {
        env.push(("PGSSLMODE".into(), text(DEFAULT_PGSSLMODE)));
    }
    env.sort_by(|a, b| a.0.cmp(&b.0));
    env.into_iter()
        .map(|(name, value)| json!({"Name": name, "Value": value}))
        .collect()
}

fn secrets(stage: &Stage) -> Vec<Value> {
    let mut out: Vec<(&str, Value)> = configured_secrets(stage)
        .into_iter()
        .map(|(name, secret, key)| (name, secret_key_ref(secret, key)))
        .collect();
    out.push((
        "POSTGRES_PASSWORD",
        join(vec![r(&database::secret(stage)), json!(":password::")]),
    ));
    out.sort_by(|a, b| a.0.cmp(b.0));
    out.into_iter()
        .map(|(name, from)| json!({"Name": name, "ValueFrom": from}))
        .collect()
}

pub fn add(t: &mut Template, c: &Config, stage: &Stage) {
    let logs = log_group(stage);
    t.resource(
        &logs,
        "AWS::Logs::LogGroup",
        json!({
            "LogGroupName": names::container_log_group(&c.stack_name, &stage.name),
            "RetentionInDays": stage.log_retention_days
        }),
    )
    .accept_checkov(&[("CKV_AWS_158", "Container logs are encrypted at rest by CloudWatch Logs; a customer-managed key adds key administration for no gain here.")]);

    // The execution role pulls the image, writes the logs and reads the secrets.
    let mut secret_arns: Vec<Value> = vec![r(&database::secret(stage))];
    let mut seen: Vec<&str> = Vec::new();
    for (_, secret, _) in configured_secrets(stage) {
        if !seen.contains(&secret) {
            seen.push(secret);
            secret_arns.push(secret_arn_pattern(secret));
        }
    }
    let exec = execution_role(stage);
    t.resource(
        &exec,
        "AWS::IAM::Role",
        json!({
            "RoleName": names::roles::execution(&c.stack_name, &stage.name),
            "Description": format!("ECS task execution role of stage {}: pulls the image, writes logs, reads secrets", stage.name),
            "AssumeRolePolicyDocument": ecs_tasks_trust(),
            "Policies": [crate::cfn::policy("task-execution", vec![
                allow(&["ecr:GetAuthorizationToken"], vec![json!("*")]),
                allow(
                    &["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                    vec![repository::repository_arn(c)],
                ),
                allow(&["logs:CreateLogStream", "logs:PutLogEvents"], vec![get_att(&logs, "Arn")]),
                allow(&["secretsmanager:GetSecretValue"], secret_arns),
            ])]
        }),
    );

    let image = if_(
        &has_image_condition(stage),
        r(&image_parameter(stage)),
        join(vec![
            repository::repository_uri(c),
            json!(format!(":{}", names::PLACEHOLDER_IMAGE_TAG)),
        ]),
    );
    let task_def = task_definition(stage);
    t.resource(
        &task_def,
        "AWS::ECS::TaskDefinition",
        json!({
            "Family": names::service(&c.stack_name, &stage.name),
            "Cpu": TASK_CPU,
            "Memory": TASK_MEMORY,
            "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"],
            "RuntimePlatform": {"OperatingSystemFamily": "LINUX", "CpuArchitecture": "X86_64"},
            "ExecutionRoleArn": get_att(&exec, "Arn"),
            "TaskRoleArn": get_att(TASK_ROLE, "Arn"),
            "ContainerDefinitions": [{
                "Name": c.container_name,
                "Image": image,
                "Essential": true,
                "PortMappings": [{"ContainerPort": stage.container_port, "Protocol": "tcp"}],
                "Environment": environment(c, stage),
                "Secrets": secrets(stage),
                "LogConfiguration": {
                    "LogDriver": "awslogs",
                    "Options": {
                        "awslogs-group": r(&logs),
                        "awslogs-region": {"Ref": "AWS::Region"},
                        "awslogs-stream-prefix": stage.name
                    }
                }
            }]
        }),
    );

    t.resource(
        &service(stage),
        "AWS::ECS::Service",
        json!({
            "ServiceName": names::service(&c.stack_name, &stage.name),
            "Cluster": r(CLUSTER),
            "LaunchType": "FARGATE",
            "PlatformVersion": "LATEST",
            "TaskDefinition": r(&task_def),
            "DesiredCount": if_(&has_image_condition(stage), json!(1), json!(0)),
            "DeploymentConfiguration": {
                "DeploymentCircuitBreaker": {"Enable": true, "Rollback": true},
                "MinimumHealthyPercent": 100,
                "MaximumPercent": 200
            },
            "HealthCheckGracePeriodSeconds": 120,
            "NetworkConfiguration": {"AwsvpcConfiguration": {
                "AssignPublicIp": "DISABLED",
                "Subnets": private_subnets(),
                "SecurityGroups": [get_att(&security_groups::task(stage), "GroupId")]
            }},
            "LoadBalancers": [{
                "ContainerName": c.container_name,
                "ContainerPort": stage.container_port,
                "TargetGroupArn": r(&load_balancer::target_group(stage))
            }],
            "PropagateTags": "SERVICE",
            "EnableECSManagedTags": true
        }),
    )
    // The target group must be attached to a listener before the service exists.
    .depends_on(&[
        &load_balancer::https_listener(stage),
        &load_balancer::http_listener(stage),
    ]);
    let id = &stage.id;
    t.output(
        &format!("ServiceName{id}"),
        &format!("ECS service of stage {}", stage.name),
        get_att(&service(stage), "Name"),
    );
    t.output(
        &format!("ContainerLogGroup{id}"),
        &format!("Container logs of stage {}", stage.name),
        r(&logs),
    );
}
