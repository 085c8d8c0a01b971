//! The change: the stage's `Image<Stage>` parameter set through a change set on
//! the backstage stack (bs-aws's engine: same template, every other parameter
//! kept), then the wait until the stage's ECS service has rolled out.

use crate::plan::{Action, Plan, Source};
use crate::report::Report;
use crate::target::{self, Resolved};
use crate::{rollback, Clients};
use bs_aws::deploy::{self, stack, ParameterChange};
use bs_aws::interrupt::Interrupt;
use bs_aws::progress::{Message, Renderer};
use bs_aws::service::{self, RolloutCheck, ServiceState};
use bs_aws::Error;
use bs_core::names;
use std::collections::BTreeMap;

/// The backstage stack has named IAM roles.
const CAPABILITIES: &[&str] = &["CAPABILITY_NAMED_IAM"];

/// Statuses a stack can be updated from.
const UPDATABLE: &[&str] = &[
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
];

fn step(ui: &mut dyn Renderer, stack: &str, text: impl Into<String>) {
    ui.message(&Message::Step {
        stack: stack.to_string(),
        text: text.into(),
    });
}

/// The stack, once nothing runs on it: an operation in progress (the stack
/// still being created, an infrastructure deploy) is waited for, saying so,
/// within the timeout; a stack that cannot be updated is refused.
pub async fn settled_stack(
    clients: &Clients,
    name: &str,
    opts: &deploy::Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<stack::Current, Error> {
    let current = deploy::settle(&clients.base, name, opts, ui, interrupt)
        .await?
        .ok_or_else(|| {
            Error::Input(format!(
                "stack {name} does not exist: deploy it first (bs-synth | bs-deploy)"
            ))
        })?;
    if current.status == "REVIEW_IN_PROGRESS" {
        return Err(Error::Input(format!(
            "stack {name} is REVIEW_IN_PROGRESS: it was never deployed, a change set of its creation waits for review (bs-deploy --execute NAME --stack {name})"
        )));
    }
    if !UPDATABLE.contains(&current.status.as_str()) {
        return Err(Error::Input(format!(
            "stack {name} is {}: it cannot be updated until it is repaired (bs-deploy shows the way out)",
            current.status
        )));
    }
    Ok(current)
}

/// `--to` or `--rollback`: everything read and checked first, then the change.
pub async fn promote(
    clients: &Clients,
    plan: &Plan,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<Report, Error> {
    let c = &plan.config;
    let stage = plan.stage();
    let stack_name = c.stack_name.as_str();
    let parameter = names::stack_keys::image_parameter(&stage.id);

    let current = settled_stack(clients, stack_name, &plan.options, ui, interrupt).await?;
    let requested = current.parameters.get(&parameter).ok_or_else(|| {
        Error::Input(format!(
            "stack {stack_name} has no parameter {parameter}: it was not deployed from a config with stage {} ({})",
            stage.name, plan.file
        ))
    })?;
    let repository_uri = current.outputs.get("RepositoryUri").ok_or_else(|| {
        Error::Input(format!(
            "stack {stack_name} has no RepositoryUri output: it was deployed from an older bs-synth; \
             deploy it again from {} (bs-synth | bs-deploy), then promote",
            plan.file
        ))
    })?;
    let repository = target::repository(repository_uri)?;
    // The stage's service, when finding the target already read it.
    let mut read_before = None;
    let resolved: Resolved = match &plan.action {
        Action::Promote(Source::Image(arg)) => target::given(clients, &repository, arg).await?,
        Action::Promote(Source::Stage(i)) => {
            let source = &c.stages[*i];
            let source_requested = current
                .parameters
                .get(&names::stack_keys::image_parameter(&source.id))
                .map(String::as_str);
            target::from_stage(clients, c, source, source_requested, &repository).await?
        }
        Action::Rollback => {
            let (resolved, svc) =
                rollback::target(clients, c, stage, Some(requested.as_str()), &repository).await?;
            read_before = Some(svc);
            resolved
        }
        Action::Approve | Action::Reject(_) => {
            return Err(Error::Input("not a promotion".into()));
        }
    };
    let rolling_back = plan.action == Action::Rollback;
    let mut report = Report::new(&stage.name, plan.action.name());
    report.from = Some(resolved.from.clone());
    report.previous_image = Some(requested.clone()).filter(|r| !r.is_empty());
    report.image = Some(resolved.image.clone());
    report.digest = Some(resolved.digest.clone());
    report.stack_status = Some(current.status.clone());

    let cluster = names::cluster(stack_name);
    let service_name = names::service(stack_name, &stage.name);
    let before = match read_before {
        Some(svc) => Some(svc),
        None => service::describe(&clients.ecs, &cluster, std::slice::from_ref(&service_name))
            .await?
            .pop()
            .flatten(),
    };
    report.task_definition.previous = before
        .as_ref()
        .and_then(|s| service::revision(&s.task_definition));

    let tags = if resolved.tags.is_empty() {
        String::new()
    } else {
        format!(" (tagged {})", resolved.tags.join(", "))
    };
    if *requested == resolved.image {
        step(
            ui,
            stack_name,
            format!(
                "stage {} already runs {}{tags}: nothing to do",
                stage.name, resolved.image
            ),
        );
        report.result = "unchanged".into();
        report.task_definition.current = report.task_definition.previous;
        return Ok(report);
    }
    step(
        ui,
        stack_name,
        format!(
            "stage {}: {} → {}{tags}, from {}",
            stage.name,
            if requested.is_empty() {
                "(no image yet)"
            } else {
                requested.as_str()
            },
            resolved.image,
            resolved.from
        ),
    );

    let options = deploy::Options {
        role_arn: plan
            .options
            .role_arn
            .clone()
            .or_else(|| current.role_arn.clone()),
        ..plan.options.clone()
    };
    let capabilities: Vec<String> = CAPABILITIES.iter().map(|s| s.to_string()).collect();
    let set = BTreeMap::from([(parameter.clone(), resolved.image.clone())]);
    let description = format!(
        "bs-promote {}: {} of stage {}",
        env!("CARGO_PKG_VERSION"),
        plan.action.name(),
        stage.name
    );
    let outcome = deploy::change_parameters(
        &clients.base,
        ParameterChange {
            stack: stack_name,
            current: &current,
            set: &set,
            capabilities: &capabilities,
            description: &description,
        },
        &options,
        ui,
        interrupt,
    )
    .await?;
    report.stack_status = Some(outcome.status.clone());
    report.change_set = outcome.change_set.as_ref().map(|cs| cs.name.clone());
    if outcome.failed() {
        report.result = "failed".into();
        report.reason = Some(format!(
            "the update of stack {stack_name} failed ({}); the stage keeps {}",
            outcome.status,
            if requested.is_empty() {
                "no image"
            } else {
                requested.as_str()
            }
        ));
        report.failures = outcome.failures;
        // A failing rollout fails the stack update when ECS's circuit breaker
        // trips during it: the service says why.
        if let Some(state) = current_service(clients, &cluster, &service_name).await {
            explain(clients, &cluster, &service_name, &state, &mut report, ui).await;
        }
        return Ok(report);
    }

    // The task definition the stack now gives the service, and its image.
    let after = service::describe(&clients.ecs, &cluster, std::slice::from_ref(&service_name))
        .await?
        .pop()
        .flatten()
        .ok_or_else(|| {
            Error::Failed(format!(
                "stack {stack_name} was updated, but cluster {cluster} has no service {service_name}"
            ))
        })?;
    let task_definition = after.task_definition.clone();
    report.task_definition.current = service::revision(&task_definition);
    let runs = service::image(&clients.ecs, &task_definition, &c.container_name).await?;
    if runs.as_deref() != Some(resolved.image.as_str()) {
        report.result = "failed".into();
        report.reason = Some(format!(
            "stack {stack_name} was updated, but service {service_name} runs task definition {task_definition} with image {}, not {}",
            runs.as_deref().unwrap_or("(none)"),
            resolved.image
        ));
        explain(clients, &cluster, &service_name, &after, &mut report, ui).await;
        return Ok(report);
    }
    step(
        ui,
        &service_name,
        format!(
            "waiting for the rollout of {}",
            task_definition
                .rsplit('/')
                .next()
                .unwrap_or(&task_definition)
        ),
    );
    let check = {
        let mut progress = |s: &ServiceState| {
            step(
                ui,
                &service_name,
                format!(
                    "rollout {}: {} running, {} pending of {} desired",
                    if s.rollout.state.is_empty() {
                        "going"
                    } else {
                        s.rollout.state.as_str()
                    },
                    s.running,
                    s.pending,
                    s.desired
                ),
            );
        };
        service::wait_rollout(
            &clients.ecs,
            &cluster,
            &service_name,
            &task_definition,
            plan.options.poll,
            plan.options.timeout,
            interrupt,
            &mut progress,
        )
        .await?
    };
    match check {
        RolloutCheck::Done(s) => {
            step(
                ui,
                &service_name,
                format!(
                    "rollout COMPLETED: {} of {} tasks run {}",
                    s.running, s.desired, resolved.image
                ),
            );
            report.result = if rolling_back {
                "rolled_back"
            } else {
                "promoted"
            }
            .into();
        }
        RolloutCheck::Failed { state, reason } => {
            report.result = "failed".into();
            report.reason = Some(format!(
                "the rollout of service {service_name} failed: {reason}"
            ));
            explain(clients, &cluster, &service_name, &state, &mut report, ui).await;
        }
        RolloutCheck::Missing | RolloutCheck::Going(_) => {
            report.result = "failed".into();
            report.reason = Some(format!(
                "service {service_name} disappeared during its rollout"
            ));
        }
    }
    Ok(report)
}

async fn current_service(clients: &Clients, cluster: &str, name: &str) -> Option<ServiceState> {
    service::describe(&clients.ecs, cluster, &[name.to_string()])
        .await
        .ok()?
        .pop()
        .flatten()
}

/// Puts the service's events and its stopped tasks' reasons into the report
/// and on stderr. Best effort: the failure is already known.
async fn explain(
    clients: &Clients,
    cluster: &str,
    service_name: &str,
    state: &ServiceState,
    report: &mut Report,
    ui: &mut dyn Renderer,
) {
    if let Some(reason) = &report.reason {
        ui.message(&Message::Failure {
            stack: service_name.to_string(),
            logical_id: service_name.to_string(),
            resource_type: "AWS::ECS::Service".into(),
            status: if state.rollout.state.is_empty() {
                "FAILED".into()
            } else {
                state.rollout.state.clone()
            },
            reason: reason.clone(),
        });
    }
    report.service_events = state.events.clone();
    for e in &state.events {
        step(ui, service_name, format!("service event: {e}"));
    }
    match service::stopped_reasons(&clients.ecs, cluster, service_name).await {
        Ok(reasons) => {
            for r in &reasons {
                step(ui, service_name, format!("stopped {r}"));
            }
            report.stopped_tasks = reasons;
        }
        Err(e) => ui.message(&Message::Warning {
            stack: service_name.to_string(),
            text: format!("could not read why its tasks stopped: {e}"),
        }),
    }
}
