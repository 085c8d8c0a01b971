//! Following a stack operation: one poller of stack events and status, feeding
//! whichever renderer the user chose, until the stack settles.

use super::stack::{self, is_settled};
use crate::error::{self, Error};
use crate::interrupt::Interrupt;
use crate::progress::{Message, Renderer};
use crate::sdk::Clients;
use aws_sdk_cloudformation::types::StackEvent;
use aws_smithy_types::date_time::Format;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A resource that failed, with CloudFormation's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Failure {
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    pub status: String,
    pub reason: Option<String>,
    /// First failure first.
    pub failures: Vec<Failure>,
    /// Resources CloudFormation left in place (`DELETE_SKIPPED`).
    pub skipped: Vec<(String, String, String)>,
}

async fn first_page(clients: &Clients, stack_id: &str) -> Result<Vec<StackEvent>, Error> {
    let out = clients
        .cloudformation
        .describe_stack_events()
        .stack_name(stack_id)
        .send()
        .await
        .map_err(|e| error::aws(&format!("reading the events of {stack_id}"), &e))?;
    Ok(out.stack_events().to_vec())
}

/// The resources that failed in the stack's latest operation (the events after
/// its "User Initiated" start, on the newest page), first failure first;
/// cancellations caused by another failure are left out.
pub async fn latest_failures(clients: &Clients, stack_id: &str) -> Result<Vec<Failure>, Error> {
    let events = first_page(clients, stack_id).await?;
    let start = events
        .iter()
        .position(|e| {
            e.resource_type() == Some("AWS::CloudFormation::Stack")
                && e.resource_status_reason() == Some("User Initiated")
        })
        .unwrap_or(events.len());
    Ok(events[..start]
        .iter()
        .rev()
        .filter_map(|e| {
            let status = e.resource_status()?.as_str();
            let reason = e.resource_status_reason().unwrap_or_default();
            (status.ends_with("_FAILED")
                && e.resource_type() != Some("AWS::CloudFormation::Stack")
                && !is_cancellation(reason))
            .then(|| Failure {
                logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: e.resource_type().unwrap_or_default().to_string(),
                status: status.to_string(),
                reason: reason.to_string(),
            })
        })
        .collect())
}

/// The id of the newest event of a stack, to follow from.
pub async fn newest_event(clients: &Clients, stack_id: &str) -> Result<Option<String>, Error> {
    let events = first_page(clients, stack_id).await?;
    Ok(events
        .first()
        .and_then(|e| e.event_id())
        .map(str::to_string))
}

/// The newest event before the operation now running on the stack (its
/// "User Initiated" start), so following shows the operation from its start and
/// no failure is missed; the newest event when none is found.
pub async fn operation_start(clients: &Clients, stack_id: &str) -> Result<Option<String>, Error> {
    let events = first_page(clients, stack_id).await?;
    let start = events.iter().position(|e| {
        e.resource_type() == Some("AWS::CloudFormation::Stack")
            && e.resource_status()
                .is_some_and(|s| s.as_str().ends_with("_IN_PROGRESS"))
            && e.resource_status_reason() == Some("User Initiated")
    });
    Ok(match start {
        Some(i) => events
            .get(i + 1)
            .and_then(|e| e.event_id())
            .map(str::to_string),
        None => events
            .first()
            .and_then(|e| e.event_id())
            .map(str::to_string),
    })
}

/// Events newer than `boundary`, oldest first; moves `boundary` to the newest.
async fn new_events(
    clients: &Clients,
    stack_id: &str,
    boundary: &mut Option<String>,
) -> Result<Vec<StackEvent>, Error> {
    let mut out = Vec::new();
    let mut token = None;
    'pages: loop {
        let page = clients
            .cloudformation
            .describe_stack_events()
            .stack_name(stack_id)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| error::aws(&format!("reading the events of {stack_id}"), &e))?;
        for e in page.stack_events() {
            if boundary.is_some() && e.event_id() == boundary.as_deref() {
                break 'pages;
            }
            out.push(e.clone());
        }
        token = page.next_token().map(str::to_string);
        // Without a boundary, the first page is enough (the newest events).
        if token.is_none() || boundary.is_none() {
            break;
        }
    }
    if let Some(newest) = out.first().and_then(|e| e.event_id()) {
        *boundary = Some(newest.to_string());
    }
    out.reverse();
    Ok(out)
}

fn is_cancellation(reason: &str) -> bool {
    reason.contains("Resource creation cancelled") || reason.contains("Resource update cancelled")
}

pub struct Follow<'a> {
    /// The stack's name, for messages.
    pub stack: &'a str,
    /// Its id: names are reused after deletion, ids never.
    pub stack_id: &'a str,
    /// The newest event before the operation: only later events are shown.
    pub from_event: Option<String>,
    /// The status before the operation, so a stale status is not taken for its end.
    pub previous_status: Option<String>,
    pub poll: Duration,
    pub timeout: Duration,
}

/// Follows until the stack settles. Ctrl-C stops following, not the operation.
pub async fn follow(
    clients: &Clients,
    f: Follow<'_>,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<Followed, Error> {
    let deadline = super::change_set::deadline_after(f.timeout);
    let mut boundary = f.from_event.clone();
    let mut in_progress: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    let mut stack_level_status: Option<String> = None;
    loop {
        for e in new_events(clients, f.stack_id, &mut boundary).await? {
            let id = e.logical_resource_id().unwrap_or_default().to_string();
            let ty = e.resource_type().unwrap_or_default().to_string();
            let status = e
                .resource_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            let reason = e.resource_status_reason().map(str::to_string);
            ui.message(&Message::Event {
                stack: f.stack.to_string(),
                timestamp: e
                    .timestamp()
                    .and_then(|t| t.fmt(Format::DateTime).ok())
                    .unwrap_or_default(),
                logical_id: id.clone(),
                resource_type: ty.clone(),
                status: status.clone(),
                reason: reason.clone(),
            });
            if ty == "AWS::CloudFormation::Stack" {
                stack_level_status = Some(status.clone());
                continue;
            }
            if status.ends_with("_IN_PROGRESS") {
                in_progress.insert(id.clone(), (ty.clone(), status.clone()));
            } else {
                in_progress.remove(&id);
            }
            if status.ends_with("_FAILED") {
                let reason = reason.unwrap_or_default();
                if !is_cancellation(&reason) {
                    failures.push(Failure {
                        logical_id: id,
                        resource_type: ty,
                        status,
                        reason,
                    });
                }
            } else if status == "DELETE_SKIPPED" {
                skipped.push((
                    id,
                    ty,
                    e.physical_resource_id().unwrap_or_default().to_string(),
                ));
            }
        }
        ui.in_progress(f.stack, &in_progress);
        let current = stack::describe(clients, f.stack_id).await?.ok_or_else(|| {
            Error::Failed(format!(
                "stack {} disappeared while it was followed",
                f.stack
            ))
        })?;
        let fresh = f.previous_status.as_deref() != Some(current.status.as_str())
            || stack_level_status.as_deref() == Some(current.status.as_str());
        if is_settled(&current.status) && fresh {
            ui.in_progress(f.stack, &BTreeMap::new());
            return Ok(Followed {
                status: current.status,
                reason: current.reason,
                failures,
                skipped,
            });
        }
        if Instant::now() > deadline {
            ui.finish();
            return Err(Error::Timeout(format!(
                "stack {} was still {} after {}s; it goes on. Follow it again: bs-deploy --follow --stack {}",
                f.stack,
                current.status,
                f.timeout.as_secs(),
                f.stack
            )));
        }
        tokio::select! {
            _ = tokio::time::sleep(f.poll) => {}
            _ = interrupt.interrupted() => {
                ui.finish();
                return Err(Error::Interrupted(format!(
                    "stopped following stack {} ({}); the operation goes on in CloudFormation. Follow it again: bs-deploy --follow --stack {}",
                    f.stack, current.status, f.stack
                )));
            }
        }
    }
}
