//! Pipeline stage states and waiting approvals, against aws-smithy-mocks.
//! moto gap: moto 5.2.5 has no GetPipelineState (the local AWS's plugin answers
//! it with stages that never ran) and runs no pipeline, so no stage ever
//! succeeds or fails and no manual approval ever waits.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput;
use aws_sdk_codepipeline::operation::list_pipeline_executions::ListPipelineExecutionsOutput;
use aws_sdk_codepipeline::types::{
    ActionExecution, ActionExecutionStatus, ActionState, PipelineExecutionStatus,
    PipelineExecutionSummary, SourceRevision, StageExecution, StageExecutionStatus, StageState,
};
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::DateTime;
use bs_status::gather::{self, Clients, Scope};
use bs_status::report::Health;

const APP: &str = "backstage-app-pipeline";
const INFRA: &str = "backstage-pipeline";

fn stage(name: &str, status: StageExecutionStatus, actions: Vec<ActionState>) -> StageState {
    StageState::builder()
        .stage_name(name)
        .latest_execution(
            StageExecution::builder()
                .pipeline_execution_id("x-1")
                .status(status)
                .build()
                .unwrap(),
        )
        .set_action_states(Some(actions))
        .build()
}

fn action(name: &str, status: ActionExecutionStatus, token: Option<&str>) -> ActionState {
    ActionState::builder()
        .action_name(name)
        .latest_execution(
            ActionExecution::builder()
                .status(status)
                .set_token(token.map(str::to_string))
                .last_status_change(DateTime::from_secs(1_790_000_000))
                .build(),
        )
        .build()
}

/// The app pipeline waits at the approval in front of prod; the infra
/// pipeline's last run failed in Deploy.
fn pipeline_rules() -> Vec<Rule> {
    let app_state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some(APP))
        .then_output(|| {
            GetPipelineStateOutput::builder()
                .pipeline_name(APP)
                .stage_state_states_for_app()
                .build()
        });
    let infra_state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some(INFRA))
        .then_output(|| {
            GetPipelineStateOutput::builder()
                .pipeline_name(INFRA)
                .stage_states(stage(
                    "Source",
                    StageExecutionStatus::Succeeded,
                    vec![action("Infra", ActionExecutionStatus::Succeeded, None)],
                ))
                .stage_states(stage(
                    "Deploy",
                    StageExecutionStatus::Failed,
                    vec![action("Deploy", ActionExecutionStatus::Failed, None)],
                ))
                .build()
        });
    let app_runs = mock!(aws_sdk_codepipeline::Client::list_pipeline_executions)
        .match_requests(|r| r.pipeline_name() == Some(APP))
        .then_output(|| {
            ListPipelineExecutionsOutput::builder()
                .pipeline_execution_summaries(
                    PipelineExecutionSummary::builder()
                        .pipeline_execution_id("x-1")
                        .status(PipelineExecutionStatus::InProgress)
                        .start_time(DateTime::from_secs(1_789_999_000))
                        .source_revisions(
                            SourceRevision::builder()
                                .action_name("App")
                                .revision_id("0123456789abcdef")
                                .revision_summary("Add the catalog page\n\nLonger text")
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
        });
    let infra_runs = mock!(aws_sdk_codepipeline::Client::list_pipeline_executions)
        .match_requests(|r| r.pipeline_name() == Some(INFRA))
        .then_output(|| {
            ListPipelineExecutionsOutput::builder()
                .pipeline_execution_summaries(
                    PipelineExecutionSummary::builder()
                        .pipeline_execution_id("y-9")
                        .status(PipelineExecutionStatus::Failed)
                        .build(),
                )
                .build()
        });
    vec![app_state, infra_state, app_runs, infra_runs]
}

trait AppStages {
    fn stage_state_states_for_app(self) -> Self;
}

impl AppStages
    for aws_sdk_codepipeline::operation::get_pipeline_state::builders::GetPipelineStateOutputBuilder
{
    fn stage_state_states_for_app(self) -> Self {
        self.stage_states(stage(
            "Source",
            StageExecutionStatus::Succeeded,
            vec![action("App", ActionExecutionStatus::Succeeded, None)],
        ))
        .stage_states(stage(
            "Build",
            StageExecutionStatus::Succeeded,
            vec![action("Image", ActionExecutionStatus::Succeeded, None)],
        ))
        .stage_states(stage(
            "Deploy-test",
            StageExecutionStatus::Succeeded,
            vec![action("Promote", ActionExecutionStatus::Succeeded, None)],
        ))
        .stage_states(stage(
            "Deploy-prod",
            StageExecutionStatus::InProgress,
            vec![
                action(
                    "Approve",
                    ActionExecutionStatus::InProgress,
                    Some("secret-approval-token"),
                ),
                ActionState::builder().action_name("Promote").build(),
            ],
        ))
    }
}

#[tokio::test]
async fn pipeline_state_names_stages_the_commit_and_the_waiting_approval() {
    let rules = pipeline_rules();
    let refs: Vec<&Rule> = rules.iter().collect();
    let cp = mock_client!(aws_sdk_codepipeline, RuleMode::MatchAny, &refs);

    let app = bs_aws::pipeline::state(&cp, APP).await.unwrap().unwrap();
    let statuses: Vec<(&str, &str)> = app
        .stages
        .iter()
        .map(|s| (s.name.as_str(), s.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("Source", "Succeeded"),
            ("Build", "Succeeded"),
            ("Deploy-test", "Succeeded"),
            ("Deploy-prod", "InProgress")
        ]
    );
    let x = app.execution.as_ref().unwrap();
    assert_eq!(
        (x.status.as_str(), x.sources[0].revision.as_str()),
        ("InProgress", "0123456789abcdef")
    );
    assert_eq!(x.sources[0].summary, "Add the catalog page");
    let approvals = app.approvals();
    assert_eq!(approvals.len(), 1);
    assert_eq!(
        (approvals[0].stage.as_str(), approvals[0].action.as_str()),
        ("Deploy-prod", "Approve")
    );
    assert_eq!(approvals[0].since.as_deref(), Some("2026-09-21T14:13:20Z"));
    assert_eq!(approvals[0].token, "secret-approval-token");
    // Waiting at an approval is a resting state, not "in progress".
    assert_eq!(bs_status::health::pipeline(Some(&app)), Health::Healthy);

    let infra = bs_aws::pipeline::state(&cp, INFRA).await.unwrap().unwrap();
    assert_eq!(bs_status::health::pipeline(Some(&infra)), Health::Unhealthy);
    assert!(infra.approvals().is_empty());
}

fn no_stack() -> aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError {
    aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError::generic(
        ErrorMetadata::builder()
            .code("ValidationError")
            .message("Stack with id backstage does not exist")
            .build(),
    )
}

/// The whole report with only the pipelines deployed: the approval and the
/// failed infra run are in it, the approval token is not.
#[tokio::test]
async fn the_report_carries_approvals_and_pipeline_verdicts_but_never_the_token() {
    let rules = pipeline_rules();
    let refs: Vec<&Rule> = rules.iter().collect();
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_error(no_stack);
    let resources = mock!(aws_sdk_cloudformation::Client::list_stack_resources).then_error(|| {
        aws_sdk_cloudformation::operation::list_stack_resources::ListStackResourcesError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message("Stack with id backstage does not exist")
                .build(),
        )
    });
    let services = mock!(aws_sdk_ecs::Client::describe_services).then_error(|| {
        aws_sdk_ecs::operation::describe_services::DescribeServicesError::generic(
            ErrorMetadata::builder()
                .code("ClusterNotFoundException")
                .message("Cluster not found.")
                .build(),
        )
    });
    let zones = mock!(aws_sdk_route53::Client::list_hosted_zones_by_name).then_output(|| {
        aws_sdk_route53::operation::list_hosted_zones_by_name::ListHostedZonesByNameOutput::builder(
        )
        .set_hosted_zones(Some(vec![]))
        .is_truncated(false)
        .max_items(20)
        .build()
        .unwrap()
    });
    let none: Vec<&Rule> = Vec::new();
    let clients = Clients {
        base: bs_aws::sdk::Clients {
            region: "us-east-1".into(),
            cloudformation: mock_client!(
                aws_sdk_cloudformation,
                RuleMode::MatchAny,
                &[&describe, &resources]
            ),
            sts: mock_client!(aws_sdk_sts, RuleMode::MatchAny, &none),
            s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, &none),
            route53: mock_client!(aws_sdk_route53, RuleMode::MatchAny, &[&zones]),
            ecr: mock_client!(aws_sdk_ecr, RuleMode::MatchAny, &none),
            endpoint_url: None,
        },
        ecs: mock_client!(aws_sdk_ecs, RuleMode::MatchAny, &[&services]),
        codepipeline: mock_client!(aws_sdk_codepipeline, RuleMode::MatchAny, &refs),
        elbv2: mock_client!(aws_sdk_elasticloadbalancingv2, RuleMode::MatchAny, &none),
        rds: mock_client!(aws_sdk_rds, RuleMode::MatchAny, &none),
    };
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../configs/env-config.example.yaml"
    ))
    .unwrap();
    let config = bs_core::config::parse_with(
        &text,
        "c.yaml",
        bs_core::config::Options {
            connection_optional: true,
        },
    )
    .unwrap()
    .config;
    let scope = Scope {
        config: &config,
        stages: config.stages.iter().collect(),
        sequential: false,
    };
    let report = gather::report(&clients, &scope).await;

    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let app = &report.pipelines[1];
    assert_eq!((app.name.as_str(), app.health), (APP, Health::Healthy));
    assert_eq!(app.approvals[0].stage, "Deploy-prod");
    assert_eq!(report.pipelines[0].health, Health::Unhealthy);
    assert_eq!(report.health, Health::Missing);
    assert_eq!(bs_status::exit_code(&report), 6);
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        json.contains("\"approvals\":[{\"stage\":\"Deploy-prod\",\"action\":\"Approve\""),
        "{json}"
    );
    assert!(!json.contains("secret-approval-token"));
}
