//! The infrastructure pipeline and its CodeBuild projects. Their roles are
//! the bootstrap stack's (`bootstrap_stack/pipeline_roles.rs`): this stack, which
//! the pipeline deploys itself, refers to them by name and cannot change them.

use crate::cfn::{allow, allow_with, arn, global_arn, import, join, r, sub, Template};
use crate::codebuild::{self, bucket_objects, env, Project};
use crate::{buildspecs, notifications};
use bs_core::config::Config;
use bs_core::names;
use serde_json::{json, Value};

pub const SYNTH: &str = "Synth";
pub const DEPLOY: &str = "Deploy";
const PIPELINE: &str = "Pipeline";

/// The bootstrap stack's artifact bucket (its logical id there).
pub const ARTIFACT_BUCKET: &str = "ArtifactBucket";

/// The artifact bucket's name, imported from the bootstrap stack.
fn artifact_bucket(c: &Config) -> Value {
    import(&names::artifact_bucket_export(&c.stack_name))
}

/// A role of the bootstrap stack, by name.
fn role_arn(name: &str) -> Value {
    global_arn("iam", true, &format!("role/{name}"))
}

/// The stacks the deploy project may change.
fn stack_arns(c: &Config) -> Vec<Value> {
    [c.pipeline_stack_name(), c.stack_name.clone()]
        .iter()
        .map(|s| arn("cloudformation", &format!("stack/{s}/*")))
        .collect()
}

/// The Synth project. Its role's `statements` are the bootstrap stack's (they
/// name the bucket by logical id there); the rest is this stack's.
pub fn synth_project(c: &Config) -> Project<'static> {
    let stack = &c.stack_name;
    Project {
        id: SYNTH,
        name: format!("{stack}-pipeline-synth"),
        role_name: names::roles::synth(stack),
        description: "Synthesizes the stacks' templates from the config (infra-buildspec.yml)",
        buildspec: "infra-buildspec.yml",
        compute: "BUILD_GENERAL1_MEDIUM",
        privileged: false,
        environment: vec![env("BS_CONFIG", json!("configs/env-config.yaml"))],
        cache: Some(join(vec![artifact_bucket(c), json!("/build-cache/synth")])),
        statements: vec![bucket_objects(ARTIFACT_BUCKET, true)],
        timeout_minutes: 60,
    }
}

/// The Deploy project (both deploy stages run it), as [`synth_project`].
pub fn deploy_project(c: &Config) -> Project<'static> {
    let stack = &c.stack_name;
    let cfn_role = role_arn(&names::roles::cloudformation(stack));
    Project {
        id: DEPLOY,
        name: format!("{stack}-pipeline-deploy"),
        role_name: names::roles::deploy(stack),
        description: "Deploys one synthesized stack with bs-deploy",
        buildspec: buildspecs::DEPLOY,
        compute: "BUILD_GENERAL1_SMALL",
        privileged: false,
        environment: vec![
            env("CFN_ROLE_ARN", cfn_role.clone()),
            env("STACK_NAME", json!(stack)),
        ],
        cache: None,
        statements: vec![
            bucket_objects(ARTIFACT_BUCKET, false),
            allow(codebuild::CHANGE_SET_ACTIONS, stack_arns(c)),
            // bs-deploy checks that the bootstrap stack is the one these
            // templates were made with.
            allow(
                &["cloudformation:DescribeStacks"],
                vec![arn(
                    "cloudformation",
                    &format!("stack/{}/*", names::bootstrap_stack(stack)),
                )],
            ),
            // bs-deploy resolves hosted zone ids by domain.
            allow(&["route53:ListHostedZonesByName"], vec![json!("*")]),
            // bs-deploy checks the stack's prerequisites before its first change.
            allow(
                &["ecr:DescribeRepositories"],
                vec![crate::repository::repository_arn(c)],
            ),
            allow_with(
                &["iam:PassRole"],
                vec![cfn_role],
                json!({"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}),
            ),
            staging_bucket_access(),
        ],
        timeout_minutes: 120,
    }
}

pub fn add(t: &mut Template, c: &Config) {
    let stack = &c.stack_name;
    for project in [synth_project(c), deploy_project(c)] {
        let role = role_arn(&project.role_name);
        codebuild::add_project(t, project, role);
    }
    pipeline(t, c);
    if let Some(target) = &c.notify_arn {
        notifications::add_rule(
            t,
            "PipelineNotifications",
            &format!("{stack}-pipeline-notify"),
            PIPELINE,
            target,
            notifications::EXECUTION_EVENTS,
        );
    }
    t.output("PipelineName", "The infrastructure pipeline", r(PIPELINE));
}

/// bs-deploy stages templates over the inline limit in a bucket named from the
/// account and region, created on first need.
fn staging_bucket_access() -> Value {
    let bucket = "bs-staging-${AWS::AccountId}-${AWS::Region}";
    allow(
        &[
            "s3:CreateBucket",
            "s3:GetObject",
            "s3:PutObject",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutEncryptionConfiguration",
            "s3:PutBucketPolicy",
            "s3:PutLifecycleConfiguration",
            "s3:ListBucket",
        ],
        vec![
            sub(&format!("arn:${{AWS::Partition}}:s3:::{bucket}")),
            sub(&format!("arn:${{AWS::Partition}}:s3:::{bucket}/*")),
        ],
    )
}

/// The pipeline role's statements (the role is the bootstrap stack's).
pub fn pipeline_role_statements(c: &Config) -> Vec<Value> {
    let projects = [synth_project(c), deploy_project(c)]
        .iter()
        .map(|p| arn("codebuild", &format!("project/{}", p.name)))
        .collect();
    vec![
        bucket_objects(ARTIFACT_BUCKET, true),
        allow(
            &[
                "codebuild:StartBuild",
                "codebuild:BatchGetBuilds",
                "codebuild:StopBuild",
            ],
            projects,
        ),
        allow(
            &[
                "codestar-connections:UseConnection",
                "codeconnections:UseConnection",
            ],
            vec![json!(c.connection_arn)],
        ),
    ]
}

fn codebuild_action(
    name: &str,
    project: &str,
    input: &str,
    output: Option<&str>,
    env: Option<Value>,
) -> Value {
    let mut config = json!({"ProjectName": r(&codebuild::project_id(project))});
    if let Some(env) = env {
        config["EnvironmentVariables"] = Value::String(crate::cfn::canonical(env).to_string());
    }
    let mut action = json!({
        "Name": name,
        "ActionTypeId": {"Category": "Build", "Owner": "AWS", "Provider": "CodeBuild", "Version": "1"},
        "Configuration": config,
        "InputArtifacts": [{"Name": input}],
        "RunOrder": 1
    });
    if let Some(output) = output {
        action["OutputArtifacts"] = json!([{"Name": output}]);
    }
    action
}

/// A source action on a GitHub repository through the CodeStar connection.
pub fn source_action(
    name: &str,
    c: &Config,
    repo: &str,
    branch: &str,
    output: &str,
    detect_changes: bool,
) -> Value {
    json!({
        "Name": name,
        "ActionTypeId": {"Category": "Source", "Owner": "AWS", "Provider": "CodeStarSourceConnection", "Version": "1"},
        "Configuration": {
            "ConnectionArn": c.connection_arn,
            "FullRepositoryId": format!("{}/{}", c.github.org, repo),
            "BranchName": branch,
            "OutputArtifactFormat": "CODE_ZIP",
            "DetectChanges": detect_changes
        },
        "OutputArtifacts": [{"Name": output}],
        "RunOrder": 1
    })
}

fn deploy_env(stack: &str) -> Value {
    json!([{"name": "STACK_NAME", "value": stack, "type": "PLAINTEXT"}])
}

fn pipeline(t: &mut Template, c: &Config) {
    let pipeline_stack = c.pipeline_stack_name();
    let stages = json!([
        {"Name": "Source", "Actions": [source_action("Infra", c, &c.github.infra_repo, &c.github.infra_branch, "Source", true)]},
        {"Name": "Synth", "Actions": [codebuild_action("Synth", SYNTH, "Source", Some("Assembly"), None)]},
        {"Name": "UpdatePipeline", "Actions": [codebuild_action("SelfUpdate", DEPLOY, "Assembly", None, Some(deploy_env(&pipeline_stack)))]},
        {"Name": "Deploy", "Actions": [codebuild_action(&c.stack_name, DEPLOY, "Assembly", None, Some(deploy_env(&c.stack_name)))]}
    ]);
    t.resource(
        PIPELINE,
        "AWS::CodePipeline::Pipeline",
        json!({
            "Name": names::infra_pipeline(&c.stack_name),
            "PipelineType": "V2",
            "ExecutionMode": "SUPERSEDED",
            "RestartExecutionOnUpdate": true,
            "RoleArn": role_arn(&names::roles::pipeline(&c.stack_name)),
            "ArtifactStore": {"Type": "S3", "Location": artifact_bucket(c)},
            "Stages": stages
        }),
    );
}
