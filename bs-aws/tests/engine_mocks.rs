//! What the local AWS (moto 5.2.5) cannot show, tested against
//! aws-smithy-mocks. Each test names the moto gap it covers.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ExecutionStatus, ResourceChange, ResourceStatus, Stack,
    StackEvent, StackStatus,
};
use aws_sdk_cloudformation::Client as Cfn;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::DateTime;
use bs_aws::deploy::{self, Options, Preflight};
use bs_aws::interrupt::Interrupt;
use bs_aws::progress::{Message, Recorder};
use bs_aws::sdk::Clients;
use bs_aws::Error;
use bs_core::assembly::StackArtifact;
use std::collections::BTreeMap;
use std::time::Duration;

const NAME: &str = "app";
const OLD_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/old";
const ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/new";
const CS: &str = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/bs-x/1";

fn clients(cfn_rules: &[&Rule]) -> Clients {
    let none: Vec<&Rule> = Vec::new();
    Clients {
        region: "us-east-1".into(),
        cloudformation: mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, cfn_rules),
        sts: mock_client!(aws_sdk_sts, RuleMode::MatchAny, &none),
        s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, &none),
        route53: mock_client!(aws_sdk_route53, RuleMode::MatchAny, &none),
        ecr: mock_client!(aws_sdk_ecr, RuleMode::MatchAny, &none),
        endpoint_url: None,
    }
}

fn artifact() -> StackArtifact {
    StackArtifact {
        name: NAME.into(),
        account: "123456789012".into(),
        region: "us-east-1".into(),
        tags: BTreeMap::from([("Name".to_string(), "app".to_string())]),
        capabilities: vec!["CAPABILITY_NAMED_IAM".into()],
        parameters: BTreeMap::new(),
        requires: Vec::new(),
        without_role: false,
        template_bytes: 0,
        resource_count: 1,
        template: Some(serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})),
        template_file: None,
    }
}

fn options() -> Options {
    Options {
        poll: Duration::from_millis(1),
        timeout: Duration::from_secs(30),
        ..Options::default()
    }
}

fn stack(id: &str, status: StackStatus) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_name(NAME)
                .stack_id(id)
                .stack_status(status)
                .stack_status_reason("reason of the stack")
                .creation_time(DateTime::from_secs(0))
                .build(),
        )
        .build()
}

fn no_stack() -> DescribeStacksError {
    DescribeStacksError::generic(
        ErrorMetadata::builder()
            .code("ValidationError")
            .message("Stack with id app does not exist")
            .build(),
    )
}

fn event(
    n: u32,
    logical: &str,
    ty: &str,
    status: ResourceStatus,
    reason: Option<&str>,
) -> StackEvent {
    StackEvent::builder()
        .stack_id(ID)
        .stack_name(NAME)
        .event_id(format!("e{n}"))
        .logical_resource_id(logical)
        .resource_type(ty)
        .resource_status(status)
        .set_resource_status_reason(reason.map(str::to_string))
        .timestamp(DateTime::from_secs(i64::from(n)))
        .build()
}

/// Newest first, as CloudFormation returns them.
fn events(list: Vec<StackEvent>) -> DescribeStackEventsOutput {
    let mut list = list;
    list.reverse();
    DescribeStackEventsOutput::builder()
        .set_stack_events(Some(list))
        .build()
}

fn ready_change_set() -> DescribeChangeSetOutput {
    DescribeChangeSetOutput::builder()
        .change_set_name("bs-x")
        .change_set_id(CS)
        .stack_id(ID)
        .status(ChangeSetStatus::CreateComplete)
        .execution_status(ExecutionStatus::Available)
        .changes(
            Change::builder()
                .resource_change(
                    ResourceChange::builder()
                        .action(ChangeAction::Add)
                        .logical_resource_id("Topic")
                        .resource_type("AWS::SNS::Topic")
                        .build(),
                )
                .build(),
        )
        .build()
}

fn create_rules() -> (Rule, Rule, Rule) {
    let create = mock!(Cfn::create_change_set)
        .then_output(|| CreateChangeSetOutput::builder().id(CS).stack_id(ID).build());
    let describe_cs = mock!(Cfn::describe_change_set).then_output(ready_change_set);
    let execute =
        mock!(Cfn::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    (create, describe_cs, execute)
}

fn failures(r: &Recorder) -> Vec<(String, String)> {
    r.messages
        .iter()
        .filter_map(|m| match m {
            Message::Failure {
                logical_id, reason, ..
            } => Some((logical_id.clone(), reason.clone())),
            _ => None,
        })
        .collect()
}

/// moto gap: stack events are stack-level only, so per-resource failures and
/// their reasons never appear there.
#[tokio::test]
async fn a_failed_creation_reports_each_failing_resource_first_failure_first() {
    let absent = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(NAME))
        .then_error(no_stack);
    let settled = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(ID))
        .then_output(|| stack(ID, StackStatus::RollbackComplete));
    let review = vec![event(
        1,
        NAME,
        "AWS::CloudFormation::Stack",
        ResourceStatus::from("REVIEW_IN_PROGRESS"),
        Some("User Initiated"),
    )];
    let mut all = review.clone();
    all.extend([
        event(
            2,
            NAME,
            "AWS::CloudFormation::Stack",
            ResourceStatus::CreateInProgress,
            Some("User Initiated"),
        ),
        event(
            3,
            "Database",
            "AWS::RDS::DBCluster",
            ResourceStatus::CreateInProgress,
            None,
        ),
        event(
            4,
            "Topic",
            "AWS::SNS::Topic",
            ResourceStatus::CreateInProgress,
            None,
        ),
        event(
            5,
            "Database",
            "AWS::RDS::DBCluster",
            ResourceStatus::CreateFailed,
            Some("The engine version 9.6 is not supported"),
        ),
        event(
            6,
            "Topic",
            "AWS::SNS::Topic",
            ResourceStatus::CreateFailed,
            Some("Resource creation cancelled"),
        ),
        event(
            7,
            "Bucket",
            "AWS::S3::Bucket",
            ResourceStatus::CreateFailed,
            Some("bucket name taken"),
        ),
        event(
            8,
            NAME,
            "AWS::CloudFormation::Stack",
            ResourceStatus::RollbackInProgress,
            Some("The following resource(s) failed to create: [Database, Bucket]."),
        ),
        event(
            9,
            NAME,
            "AWS::CloudFormation::Stack",
            ResourceStatus::RollbackComplete,
            None,
        ),
    ]);
    let first = mock!(Cfn::describe_stack_events)
        .sequence()
        .output(move || events(review.clone()))
        .build();
    let later = mock!(Cfn::describe_stack_events).then_output(move || events(all.clone()));
    let (create, describe_cs, execute) = create_rules();
    let c = clients(&[
        &absent,
        &settled,
        &first,
        &later,
        &create,
        &describe_cs,
        &execute,
    ]);
    let mut ui = Recorder::default();
    let body = artifact().template.unwrap().to_string();
    let outcome = deploy::deploy(
        &c,
        &artifact(),
        &body,
        &Preflight::default(),
        &options(),
        &mut ui,
        &Interrupt::default(),
    )
    .await
    .unwrap();
    assert!(outcome.failed());
    assert_eq!(outcome.status, "ROLLBACK_COMPLETE");
    // First failure first; cancellations are consequences, not causes.
    let expected = vec![
        (
            "Database".to_string(),
            "The engine version 9.6 is not supported".to_string(),
        ),
        ("Bucket".to_string(), "bucket name taken".to_string()),
    ];
    assert_eq!(failures(&ui), expected);
    let in_outcome: Vec<(String, String)> = outcome
        .failures
        .iter()
        .map(|f| (f.logical_id.clone(), f.reason.clone()))
        .collect();
    assert_eq!(in_outcome, expected);
}

/// moto gap: moto never leaves a stack in ROLLBACK_COMPLETE (no rollback is simulated).
#[tokio::test]
async fn a_stack_left_in_rollback_complete_is_deleted_and_created_anew() {
    let before = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(NAME))
        .sequence()
        .output(|| stack(OLD_ID, StackStatus::RollbackComplete))
        .build();
    let gone = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(NAME))
        .then_error(no_stack);
    let deleted = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(OLD_ID))
        .then_output(|| stack(OLD_ID, StackStatus::DeleteComplete));
    let created = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(ID))
        .then_output(|| stack(ID, StackStatus::CreateComplete));
    // Deleted by id: the name may already point at another stack.
    let delete = mock!(Cfn::delete_stack)
        .match_requests(|r| r.stack_name() == Some(OLD_ID))
        .then_output(|| DeleteStackOutput::builder().build());
    let no_events = mock!(Cfn::describe_stack_events).then_output(|| events(vec![]));
    let (create, describe_cs, execute) = create_rules();
    let c = clients(&[
        &before,
        &gone,
        &deleted,
        &created,
        &delete,
        &no_events,
        &create,
        &describe_cs,
        &execute,
    ]);
    let mut ui = Recorder::default();
    let body = artifact().template.unwrap().to_string();
    let outcome = deploy::deploy(
        &c,
        &artifact(),
        &body,
        &Preflight::default(),
        &options(),
        &mut ui,
        &Interrupt::default(),
    )
    .await
    .unwrap();
    assert_eq!(outcome.status, "CREATE_COMPLETE");
    assert_eq!(outcome.action, "create");
    assert_eq!(delete.num_calls(), 1);
    assert_eq!(create.num_calls(), 1);
    assert!(ui.messages.iter().any(|m| matches!(m, Message::Step { text, .. } if text.contains("ROLLBACK_COMPLETE after a failed creation: deleting it to create it anew"))));
}

/// moto gap: moto has no UPDATE_ROLLBACK_FAILED state.
#[tokio::test]
async fn update_rollback_failed_is_refused_with_the_way_out() {
    let stuck =
        mock!(Cfn::describe_stacks).then_output(|| stack(ID, StackStatus::UpdateRollbackFailed));
    let (create, describe_cs, execute) = create_rules();
    let c = clients(&[&stuck, &create, &describe_cs, &execute]);
    let body = artifact().template.unwrap().to_string();
    let err = deploy::deploy(
        &c,
        &artifact(),
        &body,
        &Preflight::default(),
        &options(),
        &mut Recorder::default(),
        &Interrupt::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.exit_code(), 1);
    let text = err.to_string();
    assert!(
        text.contains("UPDATE_ROLLBACK_FAILED")
            && text.contains("continue-update-rollback --stack-name app"),
        "{text}"
    );
    assert_eq!(
        create.num_calls(),
        0,
        "nothing may be attempted on a stuck stack"
    );
}

/// moto gap: moto applies a change set within ExecuteChangeSet, so a stack is
/// never seen in progress.
#[tokio::test]
async fn an_operation_in_progress_is_waited_for_then_the_update_goes_on() {
    let busy = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(NAME))
        .sequence()
        .output(|| stack(ID, StackStatus::UpdateInProgress))
        .build();
    let idle_by_id = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(ID))
        .then_output(|| stack(ID, StackStatus::UpdateComplete));
    let idle = mock!(Cfn::describe_stacks).then_output(|| stack(ID, StackStatus::UpdateComplete));
    let no_events = mock!(Cfn::describe_stack_events).then_output(|| events(vec![]));
    let nothing = mock!(Cfn::create_change_set).then_error(|| {
        aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message("No updates are to be performed.")
                .build(),
        )
    });
    let no_earlier_change_set = mock!(Cfn::describe_change_set).then_error(|| {
        aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetError::generic(
            ErrorMetadata::builder()
                .code("ChangeSetNotFound")
                .message("ChangeSet [bs-x] does not exist")
                .build(),
        )
    });
    let c = clients(&[
        &busy,
        &idle_by_id,
        &idle,
        &no_events,
        &nothing,
        &no_earlier_change_set,
    ]);
    let mut ui = Recorder::default();
    let body = artifact().template.unwrap().to_string();
    let outcome = deploy::deploy(
        &c,
        &artifact(),
        &body,
        &Preflight::default(),
        &options(),
        &mut ui,
        &Interrupt::default(),
    )
    .await
    .unwrap();
    assert_eq!(outcome.status, "NO_CHANGES");
    assert!(!outcome.failed());
    assert!(ui.messages.iter().any(|m| matches!(m, Message::Step { text, .. } if text.contains("in progress (UPDATE_IN_PROGRESS): waiting"))));
}

/// moto gap: moto creates change sets instantly, so there is no window to cancel in.
#[tokio::test]
async fn ctrl_c_while_the_change_set_is_created_removes_what_this_run_made() {
    let absent = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(NAME))
        .sequence()
        .error(no_stack)
        .build();
    let review =
        mock!(Cfn::describe_stacks).then_output(|| stack(ID, StackStatus::ReviewInProgress));
    let create = mock!(Cfn::create_change_set)
        .then_output(|| CreateChangeSetOutput::builder().id(CS).stack_id(ID).build());
    let pending = mock!(Cfn::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .change_set_id(CS)
            .stack_id(ID)
            .status(ChangeSetStatus::CreateInProgress)
            .build()
    });
    let delete_cs =
        mock!(Cfn::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let delete_stack =
        mock!(Cfn::delete_stack).then_output(|| DeleteStackOutput::builder().build());
    let c = clients(&[
        &absent,
        &review,
        &create,
        &pending,
        &delete_cs,
        &delete_stack,
    ]);
    let interrupt = Interrupt::default();
    interrupt.trigger();
    let body = artifact().template.unwrap().to_string();
    let err = deploy::deploy(
        &c,
        &artifact(),
        &body,
        &Preflight::default(),
        &options(),
        &mut Recorder::default(),
        &interrupt,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Interrupted(_)), "{err:?}");
    assert_eq!(err.exit_code(), 130);
    assert_eq!(
        delete_cs.num_calls(),
        1,
        "the change set this run made is deleted"
    );
    assert_eq!(
        delete_stack.num_calls(),
        1,
        "and the empty stack CloudFormation made for it"
    );
}

/// moto gap: nothing in moto runs long enough to be interrupted.
#[tokio::test]
async fn ctrl_c_while_following_stops_following_not_the_deployment() {
    let busy = mock!(Cfn::describe_stacks).then_output(|| stack(ID, StackStatus::UpdateInProgress));
    let no_events = mock!(Cfn::describe_stack_events).then_output(|| events(vec![]));
    let c = clients(&[&busy, &no_events]);
    let interrupt = Interrupt::default();
    interrupt.trigger();
    let err = deploy::follow_existing(&c, NAME, &options(), &mut Recorder::default(), &interrupt)
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 130);
    let text = err.to_string();
    assert!(
        text.contains("the operation goes on") && text.contains("bs-deploy --follow --stack app"),
        "{text}"
    );
}

#[tokio::test]
async fn a_wait_that_runs_out_of_time_exits_4_and_says_it_goes_on() {
    let busy = mock!(Cfn::describe_stacks).then_output(|| stack(ID, StackStatus::CreateInProgress));
    let no_events = mock!(Cfn::describe_stack_events).then_output(|| events(vec![]));
    let c = clients(&[&busy, &no_events]);
    let opts = Options {
        timeout: Duration::from_millis(0),
        ..options()
    };
    let err = deploy::follow_existing(
        &c,
        NAME,
        &opts,
        &mut Recorder::default(),
        &Interrupt::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.exit_code(), 4);
    assert!(
        err.to_string().contains("still CREATE_IN_PROGRESS"),
        "{err}"
    );
}

/// moto gap: moto never throttles.
#[tokio::test(start_paused = true)]
async fn throttling_is_retried_with_backoff() {
    use aws_sdk_sts::operation::get_caller_identity::{
        GetCallerIdentityError, GetCallerIdentityOutput,
    };
    use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
    let throttled = || {
        GetCallerIdentityError::generic(
            ErrorMetadata::builder()
                .code("Throttling")
                .message("Rate exceeded")
                .build(),
        )
    };
    let rule = || {
        mock!(aws_sdk_sts::Client::get_caller_identity)
            .sequence()
            .error(throttled)
            .times(4)
            .output(|| {
                GetCallerIdentityOutput::builder()
                    .account("123456789012")
                    .build()
            })
            .build()
    };
    let ours = rule();
    let sts = mock_client!(aws_sdk_sts, RuleMode::Sequential, [&ours], |c| c
        .retry_config(bs_aws::sdk::retry_config())
        .sleep_impl(SharedAsyncSleep::new(TokioSleep::new())));
    let out = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(out.account(), Some("123456789012"));
    assert_eq!(ours.num_calls(), 5);

    // The SDK's default policy (3 attempts) would have given up.
    let default = rule();
    let sts = mock_client!(aws_sdk_sts, RuleMode::Sequential, [&default], |c| c
        .retry_config(aws_config::retry::RetryConfig::standard())
        .sleep_impl(SharedAsyncSleep::new(TokioSleep::new())));
    assert!(sts.get_caller_identity().send().await.is_err());
}

/// moto gap: moto settles within ExecuteChangeSet, so the status read right
/// after it is never the stale one from before the operation.
#[tokio::test]
async fn a_stale_status_right_after_execute_is_not_taken_for_the_end() {
    let before = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(NAME))
        .then_output(|| stack(ID, StackStatus::UpdateComplete));
    // By id, after execute: still the old UPDATE_COMPLETE, then the update runs and fails.
    let after = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(ID))
        .sequence()
        .output(|| stack(ID, StackStatus::UpdateComplete))
        .output(|| stack(ID, StackStatus::UpdateInProgress))
        .output(|| stack(ID, StackStatus::UpdateRollbackComplete))
        .repeatedly()
        .build();
    let old = vec![event(
        1,
        NAME,
        "AWS::CloudFormation::Stack",
        ResourceStatus::UpdateComplete,
        None,
    )];
    let mut all = old.clone();
    all.extend([
        event(
            2,
            NAME,
            "AWS::CloudFormation::Stack",
            ResourceStatus::UpdateInProgress,
            Some("User Initiated"),
        ),
        event(
            3,
            "Topic",
            "AWS::SNS::Topic",
            ResourceStatus::UpdateFailed,
            Some("Invalid parameter: DisplayName"),
        ),
        event(
            4,
            NAME,
            "AWS::CloudFormation::Stack",
            ResourceStatus::UpdateRollbackComplete,
            None,
        ),
    ]);
    let events_rule = mock!(Cfn::describe_stack_events)
        .sequence()
        .output(move || events(old.clone()))
        .output(|| events(vec![]))
        .output(move || events(all.clone()))
        .repeatedly()
        .build();
    let no_earlier = mock!(Cfn::describe_change_set)
        .match_requests(|r| r.change_set_name() != Some(CS))
        .then_error(|| {
            aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetError::generic(
                ErrorMetadata::builder().code("ChangeSetNotFound").build(),
            )
        });
    let (create, describe_cs, execute) = create_rules();
    let c = clients(&[
        &before,
        &after,
        &events_rule,
        &no_earlier,
        &create,
        &describe_cs,
        &execute,
    ]);
    let body = artifact().template.unwrap().to_string();
    let outcome = deploy::deploy(
        &c,
        &artifact(),
        &body,
        &Preflight::default(),
        &options(),
        &mut Recorder::default(),
        &Interrupt::default(),
    )
    .await
    .unwrap();
    assert_eq!(outcome.status, "UPDATE_ROLLBACK_COMPLETE");
    assert_eq!(outcome.failures[0].reason, "Invalid parameter: DisplayName");
}

/// moto gap: nothing to interrupt between a change set's creation and its execution.
#[tokio::test]
async fn ctrl_c_before_execution_changes_nothing() {
    let existing =
        mock!(Cfn::describe_stacks).then_output(|| stack(ID, StackStatus::UpdateComplete));
    let no_earlier = mock!(Cfn::describe_change_set)
        .match_requests(|r| r.change_set_name() != Some(CS))
        .then_error(|| {
            aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetError::generic(
                ErrorMetadata::builder().code("ChangeSetNotFound").build(),
            )
        });
    let no_events = mock!(Cfn::describe_stack_events).then_output(|| events(vec![]));
    let delete_cs =
        mock!(Cfn::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let (create, describe_cs, execute) = create_rules();
    let c = clients(&[
        &existing,
        &no_earlier,
        &no_events,
        &delete_cs,
        &create,
        &describe_cs,
        &execute,
    ]);
    let interrupt = Interrupt::default();
    // Ctrl-C once the change set is ready: wait() returns it, execution must not start.
    let body = artifact().template.unwrap().to_string();
    let (a, pre, opts, mut ui) = (
        artifact(),
        Preflight::default(),
        options(),
        Recorder::default(),
    );
    let task = deploy::deploy(&c, &a, &body, &pre, &opts, &mut ui, &interrupt);
    interrupt.trigger();
    let err = task.await.unwrap_err();
    assert_eq!(err.exit_code(), 130, "{err}");
    assert_eq!(execute.num_calls(), 0, "the change set must not run");
    assert_eq!(
        delete_cs.num_calls(),
        1,
        "the change set this run made is deleted"
    );
}

/// The retry policy and the timeouts are the ones every tool's SDK
/// configuration carries.
#[tokio::test]
async fn the_sdk_configuration_carries_the_retry_policy_and_timeouts() {
    let config = bs_aws::sdk::config(&bs_aws::sdk::AwsArgs::default(), Some("eu-west-1"))
        .await
        .unwrap();
    let timeouts = config.timeout_config().unwrap();
    assert_eq!(
        timeouts.operation_timeout(),
        Some(bs_aws::sdk::CALL_TIMEOUT)
    );
    assert!(timeouts.connect_timeout().is_some());
    assert!(timeouts.read_timeout().is_some());
    assert!(timeouts.operation_attempt_timeout() < Some(bs_aws::sdk::CALL_TIMEOUT));
    let retry = config.retry_config().unwrap();
    assert_eq!(
        retry.max_attempts(),
        bs_aws::sdk::retry_config().max_attempts()
    );
    assert!(retry.max_attempts() >= 5);
    assert_eq!(config.region().unwrap().as_ref(), "eu-west-1");
}

#[tokio::test]
async fn a_call_timeout_out_of_range_is_refused_before_any_call() {
    let args = bs_aws::sdk::AwsArgs {
        call_timeout: Some(0),
        ..Default::default()
    };
    let e = bs_aws::sdk::config(&args, Some("eu-west-1"))
        .await
        .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().starts_with("--call-timeout 0:"), "{e}");
}
