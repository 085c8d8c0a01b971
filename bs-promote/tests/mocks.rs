//! What the local AWS (moto 5.2.5) cannot show, against aws-smithy-mocks:
//! - approvals: moto has no PutApprovalResult and runs no pipeline (the local
//!   AWS's GetPipelineState shows stages that never ran), so no approval waits;
//! - a rollout that fails: moto's (with the plugin) always complete at once;
//! - a busy stack: moto completes every stack operation synchronously, so no
//!   stack is ever `*_IN_PROGRESS`.
//!
//! bs-promote runs in-process ([`bs_promote::execute`]) on mocked clients.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_change_set::{
    DescribeChangeSetError, DescribeChangeSetOutput,
};
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ExecutionStatus, Output, Parameter, ResourceChange,
    ResourceStatus, Stack, StackEvent, StackStatus,
};
use aws_sdk_cloudformation::Client as Cfn;
use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput;
use aws_sdk_codepipeline::operation::list_pipeline_executions::ListPipelineExecutionsOutput;
use aws_sdk_codepipeline::operation::put_approval_result::PutApprovalResultOutput;
use aws_sdk_codepipeline::types::{
    ActionExecution, ActionExecutionStatus, ActionState, ApprovalStatus, StageExecution,
    StageExecutionStatus, StageState,
};
use aws_sdk_ecr::operation::describe_images::DescribeImagesOutput;
use aws_sdk_ecr::types::ImageDetail;
use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput;
use aws_sdk_ecs::operation::describe_tasks::DescribeTasksOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::types::{
    Container, ContainerDefinition, Deployment, DeploymentCircuitBreaker, DeploymentConfiguration,
    DeploymentRolloutState, Service, ServiceEvent, Task, TaskDefinition,
};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::DateTime;
use bs_aws::interrupt::Interrupt;
use bs_aws::progress::{Message, Recorder};
use bs_aws::Error;
use bs_promote::plan::{self, Plan};
use bs_promote::{execute, exit_code, Clients};
use clap::Parser;

const PIPELINE: &str = "backstage-app-pipeline";
const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/backstage/1";
const CS: &str = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/bs-x/1";
const REPOSITORY: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backstage";
const OLD_DIGEST: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const NEW_DIGEST: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const OLD_TD: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/backstage-test:3";
const NEW_TD: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/backstage-test:4";

fn plan(args: &[&str]) -> Plan {
    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../configs/env-config.example.yaml"
    );
    let mut argv = vec!["bs-promote", "--config", config, "--poll-interval", "0.05"];
    argv.extend_from_slice(args);
    plan::plan(
        &bs_promote::cli::Args::parse_from(argv),
        &mut std::io::sink(),
    )
    .unwrap()
}

fn clients(cfn: &[&Rule], ecs: &[&Rule], ecr: &[&Rule], cp: &[&Rule], sts: &[&Rule]) -> Clients {
    let none: Vec<&Rule> = Vec::new();
    Clients {
        base: bs_aws::sdk::Clients {
            region: "us-east-1".into(),
            cloudformation: mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, cfn),
            sts: mock_client!(aws_sdk_sts, RuleMode::MatchAny, sts),
            s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, &none),
            route53: mock_client!(aws_sdk_route53, RuleMode::MatchAny, &none),
            ecr: mock_client!(aws_sdk_ecr, RuleMode::MatchAny, ecr),
            endpoint_url: None,
        },
        ecs: mock_client!(aws_sdk_ecs, RuleMode::MatchAny, ecs),
        codepipeline: mock_client!(aws_sdk_codepipeline, RuleMode::MatchAny, cp),
    }
}

// ------------------------------------------------------------------ approvals

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

/// The app pipeline, with prod's gate waiting (or not).
fn pipeline_rules(waiting: bool) -> Vec<Rule> {
    let state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some(PIPELINE))
        .then_output(move || {
            let prod = if waiting {
                stage(
                    "Deploy-prod",
                    StageExecutionStatus::InProgress,
                    vec![
                        action(
                            "Approve",
                            ActionExecutionStatus::InProgress,
                            Some("the-approval-token"),
                        ),
                        ActionState::builder().action_name("Promote").build(),
                    ],
                )
            } else {
                stage(
                    "Deploy-prod",
                    StageExecutionStatus::Succeeded,
                    vec![
                        action("Approve", ActionExecutionStatus::Succeeded, None),
                        action("Promote", ActionExecutionStatus::Succeeded, None),
                    ],
                )
            };
            GetPipelineStateOutput::builder()
                .pipeline_name(PIPELINE)
                .stage_states(stage(
                    "Deploy-test",
                    StageExecutionStatus::Succeeded,
                    vec![action("Promote", ActionExecutionStatus::Succeeded, None)],
                ))
                .stage_states(prod)
                .build()
        });
    let runs = mock!(aws_sdk_codepipeline::Client::list_pipeline_executions)
        .then_output(|| ListPipelineExecutionsOutput::builder().build());
    vec![state, runs]
}

/// sts:GetCallerIdentity of credentials of `account`.
fn caller_in(account: &'static str) -> Rule {
    mock!(aws_sdk_sts::Client::get_caller_identity).then_output(move || {
        GetCallerIdentityOutput::builder()
            .account(account)
            .arn(format!("arn:aws:sts::{account}:assumed-role/admin/alice"))
            .build()
    })
}

/// Credentials of the example config's account.
fn caller() -> Rule {
    caller_in("123456789012")
}

/// Every action asks STS first, once, and refuses credentials of another
/// account before it reads anything else (the stack, ECR, ECS, the pipeline).
#[tokio::test]
async fn credentials_of_another_account_are_refused_by_every_action_before_anything_is_read() {
    for action in [
        &["--to", "test", "--image", "v2"][..],
        &["--to", "prod"],
        &["--rollback", "test"],
        &["--approve", "prod"],
        &["--reject", "prod", "--reason", "broken"],
    ] {
        let other = caller_in("111122223333");
        let stacks = mock!(Cfn::describe_stacks)
            .then_output(|| stack(StackStatus::UpdateComplete, "backstage:v1"));
        let images = mock!(aws_sdk_ecr::Client::describe_images)
            .then_output(|| DescribeImagesOutput::builder().build());
        let services = mock!(aws_sdk_ecs::Client::describe_services)
            .then_output(|| DescribeServicesOutput::builder().build());
        let pipeline = pipeline_rules(true);
        let cp: Vec<&Rule> = pipeline.iter().collect();
        let clients = clients(&[&stacks], &[&services], &[&images], &cp, &[&other]);

        let e = execute(
            &clients,
            &plan(action),
            &mut Recorder::default(),
            &Interrupt::default(),
        )
        .await
        .unwrap_err();

        assert!(matches!(e, Error::Input(_)), "{action:?}: {e:?}");
        assert_eq!(e.exit_code(), 2);
        let text = e.to_string();
        assert!(
            text.starts_with("the config is for account 123456789012 (AWS_ACCOUNT in ")
                && text.contains("but the credentials are for account 111122223333")
                && text.ends_with("; nothing was read or changed"),
            "{action:?}: {text}"
        );
        assert_eq!(other.num_calls(), 1, "{action:?}");
        let asked = [&stacks, &images, &services]
            .into_iter()
            .chain(&pipeline)
            .map(Rule::num_calls)
            .sum::<usize>();
        assert_eq!(asked, 0, "{action:?}: nothing else was asked");
    }
}

#[tokio::test]
async fn approve_answers_the_waiting_approval_with_its_token() {
    let pipeline = pipeline_rules(true);
    let answer = mock!(aws_sdk_codepipeline::Client::put_approval_result)
        .match_requests(|r| {
            r.pipeline_name() == Some(PIPELINE)
                && r.stage_name() == Some("Deploy-prod")
                && r.action_name() == Some("Approve")
                && r.token() == Some("the-approval-token")
                && r.result().is_some_and(|x| {
                    x.status() == &ApprovalStatus::Approved
                        && x.summary()
                            == "approved with bs-promote by arn:aws:sts::123456789012:assumed-role/admin/alice"
                })
        })
        .then_output(|| PutApprovalResultOutput::builder().build());
    let me = caller();
    let cp: Vec<&Rule> = pipeline.iter().chain([&answer]).collect();
    let clients = clients(&[], &[], &[], &cp, &[&me]);
    let mut ui = Recorder::default();

    let report = execute(
        &clients,
        &plan(&["--approve", "prod"]),
        &mut ui,
        &Interrupt::default(),
    )
    .await
    .unwrap();

    assert_eq!(
        answer.num_calls(),
        1,
        "answered once, with the right token, stage and action"
    );
    assert_eq!(
        me.num_calls(),
        1,
        "one sts:GetCallerIdentity: the account check's, whose ARN the summary names"
    );
    assert_eq!(
        (report.action.as_str(), report.result.as_str()),
        ("approve", "approved")
    );
    assert_eq!(exit_code(&report), 0);
    let approval = report.approval.as_ref().unwrap();
    assert_eq!(
        (
            approval.pipeline.as_str(),
            approval.stage.as_str(),
            approval.action.as_str()
        ),
        (PIPELINE, "Deploy-prod", "Approve")
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("the-approval-token"), "{json}");
    assert!(ui
        .messages
        .iter()
        .all(|m| !format!("{m:?}").contains("the-approval-token")));
}

#[tokio::test]
async fn reject_passes_the_reason() {
    let pipeline = pipeline_rules(true);
    let reason = "the catalog page is broken on test";
    let answer = mock!(aws_sdk_codepipeline::Client::put_approval_result)
        .match_requests(move |r| {
            r.token() == Some("the-approval-token")
                && r.stage_name() == Some("Deploy-prod")
                && r.result().is_some_and(|x| {
                    x.status() == &ApprovalStatus::Rejected && x.summary() == reason
                })
        })
        .then_output(|| PutApprovalResultOutput::builder().build());
    let me = caller();
    let cp: Vec<&Rule> = pipeline.iter().chain([&answer]).collect();
    let clients = clients(&[], &[], &[], &cp, &[&me]);

    let report = execute(
        &clients,
        &plan(&["--reject", "prod", "--reason", reason]),
        &mut Recorder::default(),
        &Interrupt::default(),
    )
    .await
    .unwrap();

    assert_eq!(answer.num_calls(), 1);
    assert_eq!(report.result, "rejected");
    assert_eq!(report.approval.unwrap().summary, reason);
}

#[tokio::test]
async fn no_approval_waiting_is_a_failure_naming_the_stage_and_its_status() {
    let pipeline = pipeline_rules(false);
    let answer = mock!(aws_sdk_codepipeline::Client::put_approval_result)
        .then_output(|| PutApprovalResultOutput::builder().build());
    let me = caller();
    let cp: Vec<&Rule> = pipeline.iter().chain([&answer]).collect();
    let clients = clients(&[], &[], &[], &cp, &[&me]);

    let e = execute(
        &clients,
        &plan(&["--approve", "prod"]),
        &mut Recorder::default(),
        &Interrupt::default(),
    )
    .await
    .unwrap_err();

    assert_eq!(e.exit_code(), 1, "{e}");
    assert_eq!(
        e.to_string(),
        "no approval waits in front of stage prod: stage Deploy-prod of pipeline backstage-app-pipeline is Succeeded"
    );
    assert_eq!(answer.num_calls(), 0);
}

// ------------------------------------------------------------------ the stack

fn param(k: &str, v: &str) -> Parameter {
    Parameter::builder()
        .parameter_key(k)
        .parameter_value(v)
        .build()
}

fn stack(status: StackStatus, image_test: &str) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_name("backstage")
                .stack_id(STACK_ID)
                .stack_status(status)
                .creation_time(DateTime::from_secs(0))
                .parameters(param("ImageTest", image_test))
                .parameters(param("ImageProd", ""))
                .parameters(param("HostedZoneIdExampleCom", "Z123"))
                .outputs(
                    Output::builder()
                        .output_key("RepositoryUri")
                        .output_value(REPOSITORY)
                        .build(),
                )
                .build(),
        )
        .build()
}

fn stack_event(n: u32, status: ResourceStatus) -> StackEvent {
    StackEvent::builder()
        .stack_id(STACK_ID)
        .stack_name("backstage")
        .event_id(format!("e{n}"))
        .logical_resource_id("backstage")
        .resource_type("AWS::CloudFormation::Stack")
        .resource_status(status)
        .timestamp(DateTime::from_secs(i64::from(n)))
        .build()
}

/// A busy stack is waited for, saying so, within --timeout; one that stays busy
/// ends in a timeout (exit 4) with nothing changed. (Waiting until it settles
/// and then promoting is tested on the local AWS, whose test hook holds a stack
/// busy: tests/tests/promote.rs.)
#[tokio::test]
async fn a_stack_that_stays_busy_is_waited_for_until_the_timeout_and_nothing_changes() {
    let busy = mock!(Cfn::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::UpdateInProgress, ""))
        .repeatedly()
        .build();
    let events = mock!(Cfn::describe_stack_events)
        .sequence()
        .output(|| {
            DescribeStackEventsOutput::builder()
                .stack_events(stack_event(1, ResourceStatus::UpdateInProgress))
                .build()
        })
        .repeatedly()
        .build();
    let create = mock!(Cfn::create_change_set)
        .then_output(|| CreateChangeSetOutput::builder().id(CS).build());
    let lookup = mock!(aws_sdk_ecr::Client::describe_images)
        .then_output(|| DescribeImagesOutput::builder().build());
    let me = caller();
    let clients = clients(&[&busy, &events, &create], &[], &[&lookup], &[], &[&me]);
    let mut ui = Recorder::default();

    let e = execute(
        &clients,
        &plan(&["--to", "test", "--image", "v2", "--timeout", "1"]),
        &mut ui,
        &Interrupt::default(),
    )
    .await
    .unwrap_err();

    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    assert_eq!(e.exit_code(), 4);
    assert!(
        e.to_string()
            .starts_with("stack backstage was still UPDATE_IN_PROGRESS after 1s"),
        "{e}"
    );
    assert!(
        ui.messages.iter().any(|m| matches!(m, Message::Step { text, .. }
            if text.contains("an operation is in progress (UPDATE_IN_PROGRESS): waiting for it to end"))),
        "{:?}",
        ui.messages
    );
    assert!(busy.num_calls() > 2, "polled until the timeout");
    assert_eq!(create.num_calls(), 0);
    assert_eq!(
        lookup.num_calls(),
        0,
        "nothing else is asked while the stack is busy"
    );
}

fn service(deployments: Vec<Deployment>, events: &[&str]) -> DescribeServicesOutput {
    let primary_td = deployments
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .and_then(|d| d.task_definition())
        .unwrap_or(OLD_TD)
        .to_string();
    let mut s = Service::builder()
        .service_name("backstage-test")
        .cluster_arn("arn:aws:ecs:us-east-1:123456789012:cluster/backstage")
        .status("ACTIVE")
        .desired_count(1)
        .running_count(1)
        .task_definition(primary_td)
        .set_deployments(Some(deployments))
        .deployment_configuration(
            DeploymentConfiguration::builder()
                .deployment_circuit_breaker(
                    DeploymentCircuitBreaker::builder()
                        .enable(true)
                        .rollback(true)
                        .build(),
                )
                .build(),
        );
    for (i, e) in events.iter().enumerate() {
        s = s.events(
            ServiceEvent::builder()
                .id(format!("ev{i}"))
                .created_at(DateTime::from_secs(1_790_000_000 + i as i64))
                .message(*e)
                .build(),
        );
    }
    DescribeServicesOutput::builder()
        .services(s.build())
        .build()
}

fn deployment(td: &str, status: &str, rollout: DeploymentRolloutState, reason: &str) -> Deployment {
    Deployment::builder()
        .id(format!("ecs-svc/{td}"))
        .status(status)
        .task_definition(td)
        .desired_count(1)
        .running_count(if rollout == DeploymentRolloutState::Failed {
            0
        } else {
            1
        })
        .rollout_state(rollout)
        .rollout_state_reason(reason)
        .build()
}

fn task_definition(arn: &str, image: &str) -> DescribeTaskDefinitionOutput {
    DescribeTaskDefinitionOutput::builder()
        .task_definition(
            TaskDefinition::builder()
                .task_definition_arn(arn)
                .container_definitions(
                    ContainerDefinition::builder()
                        .name("backstage")
                        .image(image)
                        .build(),
                )
                .build(),
        )
        .build()
}

/// The stack updates fine; ECS then starts the new tasks, they fail to pull,
/// the circuit breaker trips and rolls the service back.
#[tokio::test]
async fn a_failed_rollout_is_reported_with_the_service_events_and_stopped_tasks() {
    let old_image = format!("{REPOSITORY}@{OLD_DIGEST}");
    let new_image = format!("{REPOSITORY}@{NEW_DIGEST}");

    let stacks = mock!(Cfn::describe_stacks).then_output(move || {
        stack(
            StackStatus::UpdateComplete,
            &format!("{REPOSITORY}@{OLD_DIGEST}"),
        )
    });
    let no_earlier = mock!(Cfn::describe_change_set)
        .match_requests(|r| r.stack_name().is_some())
        .then_error(|| {
            DescribeChangeSetError::generic(
                ErrorMetadata::builder()
                    .code("ChangeSetNotFound")
                    .message("ChangeSet [bs-x] does not exist")
                    .build(),
            )
        });
    let ready = mock!(Cfn::describe_change_set)
        .match_requests(|r| r.stack_name().is_none())
        .then_output(|| {
            DescribeChangeSetOutput::builder()
                .change_set_name("bs-x")
                .change_set_id(CS)
                .stack_id(STACK_ID)
                .status(ChangeSetStatus::CreateComplete)
                .execution_status(ExecutionStatus::Available)
                .changes(
                    Change::builder()
                        .resource_change(
                            ResourceChange::builder()
                                .action(ChangeAction::Modify)
                                .logical_resource_id("TaskDefinitionTest")
                                .resource_type("AWS::ECS::TaskDefinition")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let new_image_for_match = new_image.clone();
    let create = mock!(Cfn::create_change_set)
        .match_requests(move |r| {
            r.use_previous_template() == Some(true)
                && r.template_body().is_none()
                && r.capabilities()
                    .iter()
                    .any(|c| c.as_str() == "CAPABILITY_NAMED_IAM")
                && r.parameters().iter().all(|p| {
                    if p.parameter_key() == Some("ImageTest") {
                        p.parameter_value() == Some(new_image_for_match.as_str())
                    } else {
                        p.use_previous_value() == Some(true) && p.parameter_value().is_none()
                    }
                })
                && r.parameters().len() == 3
        })
        .then_output(|| {
            CreateChangeSetOutput::builder()
                .id(CS)
                .stack_id(STACK_ID)
                .build()
        });
    let execute_cs =
        mock!(Cfn::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let before_events = mock!(Cfn::describe_stack_events)
        .sequence()
        .output(|| {
            DescribeStackEventsOutput::builder()
                .stack_events(stack_event(1, ResourceStatus::UpdateComplete))
                .build()
        })
        .build();
    let after_events = mock!(Cfn::describe_stack_events).then_output(|| {
        DescribeStackEventsOutput::builder()
            .stack_events(stack_event(3, ResourceStatus::UpdateComplete))
            .stack_events(stack_event(2, ResourceStatus::UpdateInProgress))
            .stack_events(stack_event(1, ResourceStatus::UpdateComplete))
            .build()
    });

    let image_found = mock!(aws_sdk_ecr::Client::describe_images).then_output(|| {
        DescribeImagesOutput::builder()
            .image_details(
                ImageDetail::builder()
                    .image_digest(NEW_DIGEST)
                    .image_tags("v2")
                    .build(),
            )
            .build()
    });

    let failure = "ECS deployment circuit breaker: tasks failed to start.";
    let services = mock!(aws_sdk_ecs::Client::describe_services)
        .sequence()
        // Before the change.
        .output(|| {
            service(
                vec![deployment(
                    OLD_TD,
                    "PRIMARY",
                    DeploymentRolloutState::Completed,
                    "",
                )],
                &[],
            )
        })
        // Right after the stack update: the new revision rolls out.
        .output(|| {
            service(
                vec![
                    deployment(NEW_TD, "PRIMARY", DeploymentRolloutState::InProgress, ""),
                    deployment(OLD_TD, "ACTIVE", DeploymentRolloutState::Completed, ""),
                ],
                &["(service backstage-test) has started 1 tasks: (task 0a1b)."],
            )
        })
        .times(2)
        .build();
    let rolled_back = mock!(aws_sdk_ecs::Client::describe_services).then_output(move || {
        service(
            vec![
                deployment(OLD_TD, "PRIMARY", DeploymentRolloutState::Completed, ""),
                deployment(NEW_TD, "ACTIVE", DeploymentRolloutState::Failed, failure),
            ],
            &[
                "(service backstage-test) has started 1 tasks: (task 0a1b).",
                "(service backstage-test) deployment ecs-svc/4 deployment failed: tasks failed to start.",
                "(service backstage-test) rolling back to deployment ecs-svc/3.",
            ],
        )
    });
    let new_image_td = new_image.clone();
    let definitions = mock!(aws_sdk_ecs::Client::describe_task_definition)
        .match_requests(|r| r.task_definition() == Some(NEW_TD))
        .then_output(move || task_definition(NEW_TD, &new_image_td));
    let stopped = mock!(aws_sdk_ecs::Client::list_tasks).then_output(|| {
        ListTasksOutput::builder()
            .task_arns("arn:aws:ecs:us-east-1:123456789012:task/backstage/0a1b")
            .build()
    });
    let tasks = mock!(aws_sdk_ecs::Client::describe_tasks).then_output(|| {
        DescribeTasksOutput::builder()
            .tasks(
                Task::builder()
                    .task_arn("arn:aws:ecs:us-east-1:123456789012:task/backstage/0a1b")
                    .stopped_reason("Essential container in task exited")
                    .containers(
                        Container::builder()
                            .name("backstage")
                            .reason("CannotPullContainerError: pull access denied")
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let me = caller();

    let clients = clients(
        &[
            &stacks,
            &no_earlier,
            &ready,
            &create,
            &execute_cs,
            &before_events,
            &after_events,
        ],
        &[&services, &rolled_back, &definitions, &stopped, &tasks],
        &[&image_found],
        &[],
        &[&me],
    );
    let mut ui = Recorder::default();
    let report = execute(
        &clients,
        &plan(&["--to", "test", "--image", "v2"]),
        &mut ui,
        &Interrupt::default(),
    )
    .await
    .unwrap();

    assert_eq!(
        create.num_calls(),
        1,
        "one change set: previous template, only ImageTest set"
    );
    assert_eq!(execute_cs.num_calls(), 1);
    assert_eq!(report.result, "failed");
    assert_eq!(exit_code(&report), 1);
    assert_eq!(report.previous_image.as_deref(), Some(old_image.as_str()));
    assert_eq!(report.image.as_deref(), Some(new_image.as_str()));
    assert_eq!(report.stack_status.as_deref(), Some("UPDATE_COMPLETE"));
    assert_eq!(
        (
            report.task_definition.previous,
            report.task_definition.current
        ),
        (Some(3), Some(4))
    );
    let reason = report.reason.as_deref().unwrap();
    assert!(
        reason.contains(failure) && reason.contains("went back to") && reason.contains(OLD_TD),
        "{reason}"
    );
    assert_eq!(report.service_events.len(), 3);
    assert!(
        report.service_events[0].contains("rolling back"),
        "newest first: {:?}",
        report.service_events
    );
    assert_eq!(
        report.stopped_tasks,
        ["task 0a1b: Essential container in task exited (backstage: CannotPullContainerError: pull access denied)"]
    );
    // The same on stderr.
    assert!(ui.messages.iter().any(|m| matches!(m,
        Message::Failure { logical_id, reason, .. } if logical_id == "backstage-test" && reason.contains(failure))));
    assert!(ui.messages.iter().any(|m| matches!(m,
        Message::Step { text, .. } if text.contains("CannotPullContainerError"))));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["result"], "failed");
    assert!(json["stopped_tasks"][0]
        .as_str()
        .unwrap()
        .contains("CannotPullContainerError"));
}
