//! The application pipeline: Source (the app repo, and the infra repo for the
//! config and the bs tools) → Build (privileged Docker build, push to ECR) → per
//! stage in config order: an optional manual approval (notifying
//! APPROVAL_EMAILS), then the stage's promotion with `bs-promote`.

use crate::cfn::{allow, allow_with, arn, assume_role_by, get_att, r, sub, Template};
use crate::codebuild::{self, bucket_objects, env, Project};
use crate::pipeline_stack::source_action;
use crate::repository;
use crate::{artifact_bucket, buildspecs, notifications};
use bs_core::config::{Config, Stage};
use bs_core::names;
use serde_json::{json, Value};

const BUCKET: &str = "AppArtifactBucket";
const BUILD: &str = "AppBuild";
const PROMOTE: &str = "AppPromote";
const PIPELINE: &str = "AppPipeline";
const PIPELINE_ROLE: &str = "AppPipelineRole";

fn approval_topic(stage: &Stage) -> String {
    format!("ApprovalTopic{}", stage.id)
}

fn has_topic(stage: &Stage) -> bool {
    stage.approval && !stage.approval_emails.is_empty()
}

/// The role CloudFormation uses (from the pipeline stack), passed by bs-promote.
fn cloudformation_role_arn(c: &Config) -> Value {
    sub(&format!(
        "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{}",
        names::roles::cloudformation(&c.stack_name)
    ))
}

pub fn add(t: &mut Template, c: &Config) {
    let stack = &c.stack_name;
    artifact_bucket::add(t, BUCKET);
    let github_app_secret = &c.github_app_secret_arn;
    codebuild::add(
        t,
        Project {
            id: BUILD,
            name: format!("{stack}-app-build"),
            role_name: names::roles::app_build(stack),
            description: "Builds the Backstage image and pushes it to ECR",
            buildspec: buildspecs::APP_BUILD,
            compute: "BUILD_GENERAL1_MEDIUM",
            privileged: true,
            environment: vec![
                env("REPOSITORY_URI", repository::repository_uri(c)),
                env("CONTAINER_NAME", json!(c.container_name)),
                env("DOCKERFILE", json!(c.dockerfile)),
                env(
                    "GITHUB_APP_CREDENTIALS_FILE",
                    json!(c.github_app_credentials_file),
                ),
                json!({"Name": "GITHUB_APP_CREDENTIALS", "Value": github_app_secret, "Type": "SECRETS_MANAGER"}),
            ],
            cache: None,
            statements: vec![
                bucket_objects(BUCKET, true),
                allow(&["ecr:GetAuthorizationToken"], vec![json!("*")]),
                allow(
                    &[
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:InitiateLayerUpload",
                        "ecr:UploadLayerPart",
                        "ecr:CompleteLayerUpload",
                        "ecr:PutImage",
                        "ecr:DescribeImages",
                    ],
                    vec![repository::repository_arn(c)],
                ),
                allow(
                    &["secretsmanager:GetSecretValue"],
                    vec![
                        json!(github_app_secret),
                        json!(format!("{github_app_secret}-??????")),
                    ],
                ),
            ],
            timeout_minutes: 60,
        },
    );
    codebuild::add(
        t,
        Project {
            id: PROMOTE,
            name: format!("{stack}-app-promote"),
            role_name: names::roles::app_promote(stack),
            description: "Promotes an image to one stage with bs-promote",
            buildspec: buildspecs::PROMOTE_PATH,
            compute: "BUILD_GENERAL1_MEDIUM",
            privileged: false,
            environment: vec![
                env("BS_CONFIG", json!("configs/env-config.yaml")),
                env("CFN_ROLE_ARN", cloudformation_role_arn(c)),
                env("STAGE", json!(c.stages[0].name)),
                env("PROMOTE_FROM", json!("build")),
            ],
            cache: Some(sub(&format!("${{{BUCKET}}}/build-cache/promote"))),
            statements: promote_statements(c),
            timeout_minutes: 90,
        },
    );
    for stage in c.stages.iter().filter(|s| has_topic(s)) {
        let subscriptions: Vec<Value> = stage
            .approval_emails
            .iter()
            .map(|e| json!({"Endpoint": e, "Protocol": "email"}))
            .collect();
        t.resource(
            &approval_topic(stage),
            "AWS::SNS::Topic",
            json!({
                "DisplayName": format!("Approve {} {}", stack, stage.name),
                "KmsMasterKeyId": "alias/aws/sns",
                "Subscription": subscriptions
            }),
        );
    }
    pipeline_role(t, c);
    pipeline(t, c);
    if let Some(target) = &c.notify_arn {
        let mut events = notifications::EXECUTION_EVENTS.to_vec();
        events.extend_from_slice(notifications::APPROVAL_EVENTS);
        notifications::add_rule(
            t,
            "AppPipelineNotifications",
            &format!("{stack}-app-notify"),
            PIPELINE,
            target,
            &events,
        );
    }
    t.output("AppPipelineName", "The application pipeline", r(PIPELINE));
}

/// Exactly what the promote buildspec calls: `bs-promote --to` (its account
/// check needs no permission).
fn promote_statements(c: &Config) -> Vec<Value> {
    let stack_arn = arn("cloudformation", &format!("stack/{}/*", c.stack_name));
    vec![
        bucket_objects(BUCKET, true),
        allow(codebuild::CHANGE_SET_ACTIONS, vec![stack_arn]),
        allow_with(
            &["iam:PassRole"],
            vec![cloudformation_role_arn(c)],
            json!({"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}),
        ),
        allow(&["ecr:DescribeImages"], vec![repository::repository_arn(c)]),
        // Read-only ECS calls that accept no resource-level scoping.
        allow(
            &[
                "ecs:DescribeServices",
                "ecs:DescribeTaskDefinition",
                "ecs:DescribeTasks",
                "ecs:ListTasks",
            ],
            vec![json!("*")],
        ),
    ]
}

fn pipeline_role(t: &mut Template, c: &Config) {
    let mut statements = vec![
        bucket_objects(BUCKET, true),
        allow(
            &[
                "codebuild:StartBuild",
                "codebuild:BatchGetBuilds",
                "codebuild:StopBuild",
            ],
            vec![
                get_att(&codebuild::project_id(BUILD), "Arn"),
                get_att(&codebuild::project_id(PROMOTE), "Arn"),
            ],
        ),
        allow(
            &[
                "codestar-connections:UseConnection",
                "codeconnections:UseConnection",
            ],
            vec![json!(c.connection_arn)],
        ),
    ];
    let topics: Vec<Value> = c
        .stages
        .iter()
        .filter(|s| has_topic(s))
        .map(|s| r(&approval_topic(s)))
        .collect();
    if !topics.is_empty() {
        statements.push(allow(&["sns:Publish"], topics));
    }
    t.resource(
        PIPELINE_ROLE,
        "AWS::IAM::Role",
        json!({
            "RoleName": names::roles::app_pipeline(&c.stack_name),
            "Description": "CodePipeline: the application pipeline",
            "AssumeRolePolicyDocument": assume_role_by("codepipeline.amazonaws.com"),
            "Policies": [crate::cfn::policy("pipeline", statements)]
        }),
    );
}

fn stage_actions(index: usize, stage: &Stage) -> Vec<Value> {
    let mut actions = Vec::new();
    let mut order = 1;
    if stage.approval {
        let mut config = json!({
            "CustomData": format!("Promote the image built by this execution to stage {} ({})?", stage.name, stage.url()),
            "ExternalEntityLink": stage.url()
        });
        if has_topic(stage) {
            config["NotificationArn"] = r(&approval_topic(stage));
        }
        actions.push(json!({
            "Name": names::APPROVAL_ACTION,
            "ActionTypeId": {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"},
            "Configuration": config,
            "RunOrder": order
        }));
        order += 1;
    }
    let from = if index == 0 {
        "build"
    } else {
        "previous-stage"
    };
    let env = json!([
        {"name": "STAGE", "value": stage.name, "type": "PLAINTEXT"},
        {"name": "PROMOTE_FROM", "value": from, "type": "PLAINTEXT"}
    ]);
    actions.push(json!({
        "Name": "Promote",
        "ActionTypeId": {"Category": "Build", "Owner": "AWS", "Provider": "CodeBuild", "Version": "1"},
        "Configuration": {
            "ProjectName": r(&codebuild::project_id(PROMOTE)),
            "PrimarySource": "Tools",
            "EnvironmentVariables": crate::cfn::canonical(env).to_string()
        },
        "InputArtifacts": [{"Name": "Tools"}, {"Name": "Image"}],
        "RunOrder": order
    }));
    actions
}

fn pipeline(t: &mut Template, c: &Config) {
    let mut stages = vec![
        json!({"Name": "Source", "Actions": [
            source_action("App", c, &c.github.app_repo, &c.github.app_branch, "App", true),
            // The config and the bs tools; a change there is the infra pipeline's job.
            source_action("Tools", c, &c.github.infra_repo, &c.github.infra_branch, "Tools", false)
        ]}),
        json!({"Name": "Build", "Actions": [{
            "Name": "Image",
            "ActionTypeId": {"Category": "Build", "Owner": "AWS", "Provider": "CodeBuild", "Version": "1"},
            "Configuration": {"ProjectName": r(&codebuild::project_id(BUILD))},
            "InputArtifacts": [{"Name": "App"}],
            "OutputArtifacts": [{"Name": "Image"}],
            "RunOrder": 1
        }]}),
    ];
    for (i, stage) in c.stages.iter().enumerate() {
        stages.push(
            json!({"Name": names::app_pipeline_stage(&stage.name), "Actions": stage_actions(i, stage)}),
        );
    }
    t.resource(
        PIPELINE,
        "AWS::CodePipeline::Pipeline",
        json!({
            "Name": names::app_pipeline(&c.stack_name),
            "PipelineType": "V2",
            "ExecutionMode": "SUPERSEDED",
            "RoleArn": get_att(PIPELINE_ROLE, "Arn"),
            "ArtifactStore": {"Type": "S3", "Location": r(BUCKET)},
            "Stages": stages
        }),
    );
}
