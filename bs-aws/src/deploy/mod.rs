//! The change-set deploy engine.
//!
//! [`preflight`] does the read-only part first, for every stack, so that bad
//! input (a missing prerequisite, a hosted zone that cannot be found, a
//! parameter without value) is
//! refused before anything changes. [`deploy`] then takes one stack to its
//! template: it waits for an operation in progress, recreates a stack left in
//! ROLLBACK_COMPLETE by a failed creation, passes parameters (previous values
//! kept), stages large templates in S3, creates a change set, shows the planned
//! changes, and — unless previewing — executes it and follows the stack until it
//! settles. [`execute_reviewed`] runs a change set a person reviewed;
//! [`follow_existing`] only watches; [`destroy`] deletes.

pub mod change_set;
mod destroy;
pub mod follow;
pub mod parameters;
mod prerequisites;
pub mod stack;
pub mod staging;

pub use destroy::destroy;

use crate::error::Error;
use crate::interrupt::Interrupt;
use crate::progress::{Message, Renderer};
use crate::sdk::Clients;
use aws_sdk_cloudformation::types::Tag;
use bs_core::assembly::StackArtifact;
use change_set::{Body, Counts, Created};
use follow::{Failure, Follow};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How to deploy.
#[derive(Debug, Clone)]
pub struct Options {
    /// The role CloudFormation assumes (`--role-arn`).
    pub role_arn: Option<String>,
    /// `--parameter KEY=VALUE`.
    pub overrides: BTreeMap<String, String>,
    /// `--change-set-name`; otherwise derived from the content.
    pub change_set_name: Option<String>,
    /// Stop after showing the changes.
    pub preview: bool,
    pub poll: Duration,
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            role_arn: None,
            overrides: BTreeMap::new(),
            change_set_name: None,
            preview: false,
            poll: Duration::from_secs(3),
            timeout: Duration::from_secs(3600),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeSetRef {
    pub name: String,
    pub arn: String,
}

/// A resource CloudFormation kept when it deleted the stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retained {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: String,
    /// `Retain`, `Snapshot` (a final snapshot was taken) or `Skipped`.
    pub policy: String,
}

/// What happened to one stack: the result document's entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub name: String,
    pub id: Option<String>,
    /// The final stack status, or `NO_CHANGES`, `PREVIEW`, `ABSENT`.
    pub status: String,
    /// `create`, `update`, `execute`, `follow` or `destroy`.
    pub action: String,
    pub changes: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_set: Option<ChangeSetRef>,
    /// Parameters resolved at deploy time (hosted zone ids).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub resolved_parameters: BTreeMap<String, String>,
    pub outputs: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_url: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub retained: Vec<Retained>,
    pub duration_seconds: f64,
}

impl Outcome {
    fn new(name: &str, action: &str, status: &str, start: Instant) -> Outcome {
        Outcome {
            name: name.to_string(),
            id: None,
            status: status.to_string(),
            action: action.to_string(),
            changes: Counts::default(),
            change_set: None,
            resolved_parameters: BTreeMap::new(),
            outputs: BTreeMap::new(),
            template_url: None,
            failures: Vec::new(),
            retained: Vec::new(),
            duration_seconds: seconds(start),
        }
    }

    /// The change set this operation runs: its name, ARN and change counts.
    fn record_change_set(&mut self, cs: &change_set::Described) {
        self.changes = cs.counts();
        self.change_set = Some(ChangeSetRef {
            name: cs.name.clone(),
            arn: cs.arn.clone(),
        });
    }

    /// The operation ended badly (the exit code is then 1).
    pub fn failed(&self) -> bool {
        !matches!(
            self.status.as_str(),
            "CREATE_COMPLETE"
                | "UPDATE_COMPLETE"
                | "IMPORT_COMPLETE"
                | "DELETE_COMPLETE"
                | "NO_CHANGES"
                | "PREVIEW"
                | "ABSENT"
                | "REVIEW_IN_PROGRESS"
        )
    }
}

fn seconds(start: Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 10.0).round() / 10.0
}

fn step(ui: &mut dyn Renderer, stack: &str, text: impl Into<String>) {
    ui.message(&Message::Step {
        stack: stack.to_string(),
        text: text.into(),
    });
}

fn report_failures(ui: &mut dyn Renderer, stack: &str, failures: &[Failure]) {
    for f in failures {
        ui.message(&Message::Failure {
            stack: stack.to_string(),
            logical_id: f.logical_id.clone(),
            resource_type: f.resource_type.clone(),
            status: f.status.clone(),
            reason: f.reason.clone(),
        });
    }
}

/// What [`preflight`] found out, read-only, before anything changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preflight {
    /// Hosted zone ids looked up by domain: parameter → id.
    pub resolved: BTreeMap<String, String>,
}

/// The read-only part of a deploy: what the stack requires exists, the
/// stack's parameters can all be given a value, and the hosted zones they name
/// exist. Run it for every stack before deploying the first, so bad input
/// changes nothing.
///
/// `earlier`: the stacks the same run deploys before this one (what it
/// requires of them is met by that deploy).
pub async fn preflight(
    clients: &Clients,
    artifact: &StackArtifact,
    earlier: &[&str],
    opts: &Options,
    ui: &mut dyn Renderer,
) -> Result<Preflight, Error> {
    let name = artifact.name.as_str();
    let template = artifact
        .template
        .as_ref()
        .ok_or_else(|| Error::Input(format!("stack {name}: the assembly holds no template")))?;
    prerequisites::check(clients, name, &artifact.requires, earlier).await?;
    let current = stack::describe(clients, name).await?;
    let previous = current
        .as_ref()
        .filter(|c| c.status != "REVIEW_IN_PROGRESS" && c.status != "ROLLBACK_COMPLETE")
        .map(|c| &c.parameters);
    let plan = parameters::plan(
        name,
        template,
        &artifact.parameters,
        &opts.overrides,
        previous,
    )?;
    let (_, resolved) = parameters::resolve(clients, name, &plan, &BTreeMap::new(), ui).await?;
    Ok(Preflight { resolved })
}

/// Follows the operation running on a stack from its start until it settles.
async fn follow_running(
    clients: &Clients,
    name: &str,
    stack_id: &str,
    opts: &Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<follow::Followed, Error> {
    let from = follow::operation_start(clients, stack_id).await?;
    follow::follow(
        clients,
        Follow {
            stack: name,
            stack_id,
            from_event: from,
            previous_status: None,
            poll: opts.poll,
            timeout: opts.timeout,
        },
        ui,
        interrupt,
    )
    .await
}

/// Waits for an operation in progress, saying so, within `opts.timeout`;
/// returns the settled state (`None`: no such stack). A stack in review is
/// settled: nothing runs on it.
pub async fn settle(
    clients: &Clients,
    name: &str,
    opts: &Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<Option<stack::Current>, Error> {
    let current = stack::describe(clients, name).await?;
    let Some(c) = &current else { return Ok(None) };
    if stack::is_settled(&c.status) || c.status == "REVIEW_IN_PROGRESS" {
        return Ok(current);
    }
    step(
        ui,
        name,
        format!(
            "an operation is in progress ({}): waiting for it to end",
            c.status
        ),
    );
    follow_running(clients, name, &c.id, opts, ui, interrupt).await?;
    stack::describe(clients, name).await
}

/// Deletes a stack and follows the deletion; returns how it ended.
pub(crate) async fn delete_and_follow(
    clients: &Clients,
    name: &str,
    current: &stack::Current,
    opts: &Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<follow::Followed, Error> {
    let from = follow::newest_event(clients, &current.id).await?;
    clients
        .cloudformation
        .delete_stack()
        .stack_name(&current.id)
        .set_role_arn(opts.role_arn.clone())
        .send()
        .await
        .map_err(|e| crate::error::aws(&format!("deleting stack {name}"), &e))?;
    follow::follow(
        clients,
        Follow {
            stack: name,
            stack_id: &current.id,
            from_event: from,
            previous_status: Some(current.status.clone()),
            poll: opts.poll,
            timeout: opts.timeout,
        },
        ui,
        interrupt,
    )
    .await
}

fn reason_suffix(reason: Option<&str>) -> String {
    reason.map(|r| format!(" ({r})")).unwrap_or_default()
}

/// Refuses stacks no deploy can fix; recreates one whose creation failed.
async fn make_deployable(
    clients: &Clients,
    name: &str,
    current: Option<stack::Current>,
    opts: &Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<Option<stack::Current>, Error> {
    let Some(c) = current else { return Ok(None) };
    match c.status.as_str() {
        "ROLLBACK_COMPLETE" => {
            step(ui, name, "is ROLLBACK_COMPLETE after a failed creation: deleting it to create it anew");
            let deleted = delete_and_follow(clients, name, &c, opts, ui, interrupt).await?;
            if deleted.status != "DELETE_COMPLETE" {
                report_failures(ui, name, &deleted.failures);
                return Err(Error::Failed(format!(
                    "stack {name} could not be deleted ({}); delete it by hand, then deploy again",
                    deleted.status
                )));
            }
            Ok(None)
        }
        "UPDATE_ROLLBACK_FAILED" => Err(Error::Failed(format!(
            "stack {name} is UPDATE_ROLLBACK_FAILED: CloudFormation could not roll back its last update{}. \
             Fix or skip the resources that failed, then run \
             `aws cloudformation continue-update-rollback --stack-name {name}` \
             (with --resources-to-skip for resources that cannot be fixed) and deploy again",
            reason_suffix(c.reason.as_deref())
        ))),
        "ROLLBACK_FAILED" | "DELETE_FAILED" => Err(Error::Failed(format!(
            "stack {name} is {}{}: delete it, keeping the resources that cannot be deleted \
             (`aws cloudformation delete-stack --stack-name {name} --retain-resources <logical ids>`), \
             then deploy again",
            c.status,
            reason_suffix(c.reason.as_deref())
        ))),
        _ => Ok(Some(c)),
    }
}

/// What this run made, to remove on Ctrl-C or failure before execution.
struct Made {
    change_set: Option<String>,
    /// The stack did not exist: CloudFormation made an empty one for the change set.
    new_stack: bool,
}

impl Made {
    /// Removes what this run made; false when a call for it failed.
    async fn undo(&self, clients: &Clients, name: &str) -> bool {
        let mut done = true;
        if let Some(arn) = &self.change_set {
            done &= change_set::delete(clients, arn).await.is_ok();
        }
        if self.new_stack {
            match stack::describe(clients, name).await {
                Ok(Some(c)) if c.status == "REVIEW_IN_PROGRESS" => {
                    done &= clients
                        .cloudformation
                        .delete_stack()
                        .stack_name(&c.id)
                        .send()
                        .await
                        .is_ok();
                }
                Ok(_) => {}
                Err(_) => done = false,
            }
        }
        done
    }

    /// Undoes what this run made after `e` stopped it, and says so in the error.
    async fn undo_after(&self, clients: &Clients, name: &str, e: Error) -> Error {
        if self.change_set.is_none() && !self.new_stack {
            return e;
        }
        if self.undo(clients, name).await {
            e.noting("the change set this run made was deleted: nothing changed")
        } else {
            e.noting(&format!(
                "the change set this run made could not be deleted; run `bs-deploy --preview` \
                 for stack {name} later, or delete it with the AWS console"
            ))
        }
    }
}

/// What the change sets bs-deploy makes say of themselves.
const DESCRIPTION: &str = concat!("bs-deploy ", env!("CARGO_PKG_VERSION"));

/// Creates a change set and waits until CloudFormation has worked it out.
/// `Ok(None)`: it holds no changes (and was deleted). Ctrl-C or a failed change
/// set undo what this run made, so nothing changed.
async fn prepare(
    clients: &Clients,
    request: change_set::Request<'_>,
    made: &mut Made,
    opts: &Options,
    interrupt: &Interrupt,
) -> Result<Option<change_set::Described>, Error> {
    let (name, cs_name) = (request.stack, request.name);
    let Created::ChangeSet { arn, .. } = change_set::create(clients, request).await? else {
        return Ok(None);
    };
    made.change_set = Some(arn.clone());
    let d = match change_set::wait(clients, &arn, opts.poll, opts.timeout, interrupt).await {
        Ok(d) => d,
        Err(e @ Error::Interrupted(_)) => {
            let _ = made.undo(clients, name).await;
            return Err(Error::Interrupted(format!(
                "{e}; the change set was deleted, nothing changed"
            )));
        }
        // The change set may be complete but unread: it is not left behind.
        Err(e) => return Err(made.undo_after(clients, name, e).await),
    };
    if d.status == "FAILED" {
        if change_set::is_no_changes(&d.reason) {
            change_set::delete(clients, &d.arn).await?;
            return Ok(None);
        }
        let _ = made.undo(clients, name).await;
        return Err(Error::Failed(format!(
            "stack {name}: change set {cs_name} failed: {}",
            d.reason
        )));
    }
    Ok(Some(d))
}

/// Deploys one stack of the assembly. `body` is the template as sent.
pub async fn deploy(
    clients: &Clients,
    artifact: &StackArtifact,
    body: &str,
    preflight: &Preflight,
    opts: &Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<Outcome, Error> {
    let start = Instant::now();
    let name = artifact.name.as_str();
    let template = artifact
        .template
        .as_ref()
        .ok_or_else(|| Error::Input(format!("stack {name}: the assembly holds no template")))?;

    let settled = settle(clients, name, opts, ui, interrupt).await?;
    let current = make_deployable(clients, name, settled, opts, ui, interrupt).await?;
    let create = current
        .as_ref()
        .is_none_or(|c| c.status == "REVIEW_IN_PROGRESS");
    let previous = current.as_ref().filter(|_| !create).map(|c| &c.parameters);
    let plan = parameters::plan(
        name,
        template,
        &artifact.parameters,
        &opts.overrides,
        previous,
    )?;
    let (params, resolved) =
        parameters::resolve(clients, name, &plan, &preflight.resolved, ui).await?;

    let mut outcome = Outcome::new(name, if create { "create" } else { "update" }, "", start);
    outcome.resolved_parameters = resolved;
    outcome.id = current.as_ref().map(|c| c.id.clone());
    let no_changes = |mut o: Outcome, current: &Option<stack::Current>, ui: &mut dyn Renderer| {
        step(ui, name, "no changes");
        o.status = "NO_CHANGES".into();
        o.outputs = current
            .as_ref()
            .map(|c| c.outputs.clone())
            .unwrap_or_default();
        o.duration_seconds = seconds(start);
        o
    };

    let url;
    let body_ref = if body.len() > staging::INLINE_LIMIT {
        let (u, created) = staging::upload(clients, &artifact.account, name, body).await?;
        if created {
            step(
                ui,
                name,
                format!(
                    "created the staging bucket {}",
                    bs_core::names::staging_bucket(&artifact.account, &clients.region)
                ),
            );
        }
        step(
            ui,
            name,
            format!(
                "template is {} bytes, over the {} CloudFormation takes inline: staged at {u}",
                body.len(),
                staging::INLINE_LIMIT
            ),
        );
        url = u;
        outcome.template_url = Some(url.clone());
        Body::Url(&url)
    } else {
        Body::Inline(body)
    };
    let cs_name = match &opts.change_set_name {
        Some(n) => n.clone(),
        None => change_set::default_name(name, body, &params, opts.role_arn.as_deref()),
    };

    // A change set of this name from an earlier run (a preview): reuse it when it
    // is ready and named by its content, else replace it.
    let mut made = Made {
        change_set: None,
        new_stack: current.is_none(),
    };
    let mut described = None;
    if let Some(c) = &current {
        if let Some(existing) = change_set::describe(clients, &cs_name, Some(&c.id)).await? {
            if existing.status == "CREATE_COMPLETE"
                && existing.execution_status == "AVAILABLE"
                && opts.change_set_name.is_none()
            {
                step(ui, name, format!("reusing change set {cs_name}, created earlier from the same template and parameters"));
                described = Some(existing);
            } else {
                change_set::delete(clients, &existing.arn).await?;
                change_set::wait_deleted(clients, &cs_name, &c.id, opts.poll, interrupt).await?;
            }
        }
    }
    let described = match described {
        Some(d) => d,
        None => {
            step(
                ui,
                name,
                format!(
                    "creating change set {cs_name} ({})",
                    if create { "new stack" } else { "update" }
                ),
            );
            let tags: Vec<Tag> = artifact
                .tags
                .iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect();
            match prepare(
                clients,
                change_set::Request {
                    stack: name,
                    name: &cs_name,
                    create,
                    body: body_ref,
                    parameters: params,
                    capabilities: &artifact.capabilities,
                    tags: Some(tags),
                    role_arn: opts.role_arn.as_deref(),
                    description: DESCRIPTION,
                },
                &mut made,
                opts,
                interrupt,
            )
            .await?
            {
                Some(d) => d,
                None => return Ok(no_changes(outcome, &current, ui)),
            }
        }
    };
    described.report(name, ui);
    outcome.record_change_set(&described);
    outcome.id = Some(described.stack_id.clone());

    if opts.preview {
        step(ui, name, format!("preview only: review the change set, then run `bs-deploy --execute {} --stack {name}`", described.name));
        outcome.status = "PREVIEW".into();
        outcome.duration_seconds = seconds(start);
        return Ok(outcome);
    }
    let previous_status = current
        .as_ref()
        .map_or("REVIEW_IN_PROGRESS".to_string(), |c| c.status.clone());
    run_change_set(
        clients,
        name,
        &described,
        previous_status,
        &made,
        outcome,
        opts,
        ui,
        interrupt,
        start,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn run_change_set(
    clients: &Clients,
    name: &str,
    cs: &change_set::Described,
    previous_status: String,
    made: &Made,
    outcome: Outcome,
    opts: &Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
    start: Instant,
) -> Result<Outcome, Error> {
    let from = follow::newest_event(clients, &cs.stack_id).await?;
    // The last moment Ctrl-C can still mean "change nothing".
    if interrupt.is_set() {
        let _ = made.undo(clients, name).await;
        return Err(Error::Interrupted(format!(
            "interrupted before change set {} was executed: nothing changed{}",
            cs.name,
            if made.change_set.is_some() {
                " (the change set was deleted)"
            } else {
                ""
            }
        )));
    }
    step(ui, name, format!("executing change set {}", cs.name));
    if let Err(e) = change_set::execute(clients, &cs.arn).await {
        // The call may have reached CloudFormation before its answer was lost:
        // a change set that runs is followed, one that does not is removed.
        let running = matches!(
            change_set::describe(clients, &cs.arn, None).await,
            Ok(Some(d)) if !d.execution_status.is_empty() && d.execution_status != "AVAILABLE"
        );
        if !running {
            return Err(made.undo_after(clients, name, e).await);
        }
    }
    let followed = follow::follow(
        clients,
        Follow {
            stack: name,
            stack_id: &cs.stack_id,
            from_event: from,
            previous_status: Some(previous_status),
            poll: opts.poll,
            timeout: opts.timeout,
        },
        ui,
        interrupt,
    )
    .await?;
    let mut outcome = finish(clients, name, &cs.stack_id, followed, outcome, ui).await?;
    outcome.duration_seconds = seconds(start);
    Ok(outcome)
}

/// Fills the outcome from the settled stack, reporting failures.
async fn finish(
    clients: &Clients,
    name: &str,
    stack_id: &str,
    followed: follow::Followed,
    mut outcome: Outcome,
    ui: &mut dyn Renderer,
) -> Result<Outcome, Error> {
    outcome.status = followed.status.clone();
    outcome.id = Some(stack_id.to_string());
    if let Some(c) = stack::describe(clients, stack_id).await? {
        outcome.outputs = c.outputs;
    }
    if stack::is_success(&followed.status) {
        step(ui, name, followed.status.clone());
    } else {
        let mut failures = followed.failures;
        if failures.is_empty() {
            failures.push(Failure {
                logical_id: name.to_string(),
                resource_type: "AWS::CloudFormation::Stack".into(),
                status: followed.status.clone(),
                reason: followed
                    .reason
                    .clone()
                    .unwrap_or_else(|| "no reason given".into()),
            });
        }
        step(
            ui,
            name,
            format!(
                "{}: {} resource(s) failed, first failure first:",
                followed.status,
                failures.len()
            ),
        );
        report_failures(ui, name, &failures);
        outcome.failures = failures;
    }
    Ok(outcome)
}

/// Executes a change set a person reviewed (made by `--preview`).
pub async fn execute_reviewed(
    clients: &Clients,
    name: &str,
    change_set_name: &str,
    opts: &Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<Outcome, Error> {
    let start = Instant::now();
    let current = settle(clients, name, opts, ui, interrupt).await?;
    let Some(current) = current else {
        return Err(Error::Input(format!(
            "stack {name} does not exist, so it has no change set {change_set_name}"
        )));
    };
    let cs = change_set::describe(clients, change_set_name, Some(&current.id))
        .await?
        .ok_or_else(|| {
            Error::Input(format!(
                "stack {name} has no change set named {change_set_name}"
            ))
        })?;
    if cs.status != "CREATE_COMPLETE" || cs.execution_status != "AVAILABLE" {
        return Err(Error::Input(format!(
            "change set {change_set_name} of stack {name} cannot be executed: it is {} / {}{}",
            cs.status,
            cs.execution_status,
            if cs.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", cs.reason)
            }
        )));
    }
    cs.report(name, ui);
    let mut outcome = Outcome::new(name, "execute", "", start);
    outcome.record_change_set(&cs);
    // A reviewed change set is not this run's to delete.
    let made = Made {
        change_set: None,
        new_stack: false,
    };
    run_change_set(
        clients,
        name,
        &cs,
        current.status.clone(),
        &made,
        outcome,
        opts,
        ui,
        interrupt,
        start,
    )
    .await
}

/// Follows whatever operation is running on a stack until it settles.
pub async fn follow_existing(
    clients: &Clients,
    name: &str,
    opts: &Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<Outcome, Error> {
    let start = Instant::now();
    let current = stack::describe(clients, name)
        .await?
        .ok_or_else(|| Error::Input(format!("stack {name} does not exist")))?;
    if current.status == "REVIEW_IN_PROGRESS" {
        step(ui, name, "REVIEW_IN_PROGRESS: a change set waits for review, nothing runs (bs-deploy --execute NAME)");
        let mut outcome = Outcome::new(name, "follow", "REVIEW_IN_PROGRESS", start);
        outcome.id = Some(current.id);
        return Ok(outcome);
    }
    if stack::is_settled(&current.status) {
        step(ui, name, format!("{}: nothing in progress", current.status));
    }
    let followed = follow_running(clients, name, &current.id, opts, ui, interrupt).await?;
    let outcome = Outcome::new(name, "follow", "", start);
    let mut outcome = finish(clients, name, &current.id, followed, outcome, ui).await?;
    outcome.duration_seconds = seconds(start);
    Ok(outcome)
}

/// A change of some parameters of an existing stack, and of nothing else.
pub struct ParameterChange<'a> {
    pub stack: &'a str,
    /// The stack as it is now (settled: the caller checked it).
    pub current: &'a stack::Current,
    /// Parameter → new value; each must be a parameter the stack has.
    pub set: &'a BTreeMap<String, String>,
    pub capabilities: &'a [String],
    /// What the change set says of itself (the tool that made it).
    pub description: &'a str,
}

/// Changes only the given parameters of a stack: its current template
/// (UsePreviousTemplate), every other parameter at its previous value, its tags
/// kept. Then executes and follows the change set as [`deploy`] does: Ctrl-C
/// before execution deletes it, an empty one is `NO_CHANGES`.
pub async fn change_parameters(
    clients: &Clients,
    change: ParameterChange<'_>,
    opts: &Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<Outcome, Error> {
    use aws_sdk_cloudformation::types::Parameter;
    let start = Instant::now();
    let name = change.stack;
    let current = change.current;
    if let Some(unknown) = change
        .set
        .keys()
        .find(|k| !current.parameters.contains_key(*k))
    {
        return Err(Error::Input(format!(
            "stack {name} has no parameter {unknown} (it has {})",
            current
                .parameters
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let params: Vec<Parameter> = current
        .parameters
        .keys()
        .map(|k| match change.set.get(k) {
            Some(v) => Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build(),
            None => Parameter::builder()
                .parameter_key(k)
                .use_previous_value(true)
                .build(),
        })
        .collect();
    let cs_name = match &opts.change_set_name {
        Some(n) => n.clone(),
        None => change_set::default_name(
            name,
            "(the stack's current template)",
            &params,
            opts.role_arn.as_deref(),
        ),
    };
    let mut outcome = Outcome::new(name, "update", "", start);
    outcome.id = Some(current.id.clone());
    // A change set of this name left by an earlier run that did not get to
    // execute it: made anew, as the stack may have changed since.
    if let Some(existing) = change_set::describe(clients, &cs_name, Some(&current.id)).await? {
        change_set::delete(clients, &existing.arn).await?;
        change_set::wait_deleted(clients, &cs_name, &current.id, opts.poll, interrupt).await?;
    }
    let keys: Vec<&str> = change.set.keys().map(String::as_str).collect();
    step(
        ui,
        name,
        format!(
            "creating change set {cs_name} (update of {} only, same template)",
            keys.join(", ")
        ),
    );
    let mut made = Made {
        change_set: None,
        new_stack: false,
    };
    let prepared = prepare(
        clients,
        change_set::Request {
            stack: name,
            name: &cs_name,
            create: false,
            body: Body::Previous,
            parameters: params,
            capabilities: change.capabilities,
            tags: None,
            role_arn: opts.role_arn.as_deref(),
            description: change.description,
        },
        &mut made,
        opts,
        interrupt,
    )
    .await?;
    let Some(described) = prepared else {
        step(ui, name, "no changes");
        outcome.status = "NO_CHANGES".into();
        outcome.outputs = current.outputs.clone();
        outcome.duration_seconds = seconds(start);
        return Ok(outcome);
    };
    described.report(name, ui);
    outcome.record_change_set(&described);
    run_change_set(
        clients,
        name,
        &described,
        current.status.clone(),
        &made,
        outcome,
        opts,
        ui,
        interrupt,
        start,
    )
    .await
}
