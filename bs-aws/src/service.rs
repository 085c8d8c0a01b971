//! A stage's ECS service: what it runs, how many tasks, and its rollout.
//! Read by bs-status; bs-promote waits on it after changing the stage's image.

use crate::error::aws;
use crate::Error;
use serde::{Deserialize, Serialize};

/// What ECS says of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceState {
    pub name: String,
    /// `ACTIVE`, `DRAINING` or `INACTIVE`.
    pub status: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    /// The task definition the service runs (its primary deployment's).
    pub task_definition: String,
    /// The primary deployment's rollout.
    pub rollout: Rollout,
    /// Deployments other than the primary one still draining or failing.
    pub other_deployments: usize,
    /// Whether the deployment circuit breaker is on, and rolls back.
    pub circuit_breaker: CircuitBreaker,
    /// The target groups the service registers its tasks in.
    pub target_groups: Vec<String>,
    /// The service's newest events, newest first (at most 5).
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollout {
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED` (empty when ECS reports none).
    pub state: String,
    pub reason: String,
    /// The primary deployment's id.
    pub deployment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitBreaker {
    pub enabled: bool,
    pub rollback: bool,
}

/// The revision number at the end of a task definition ARN (`…:12` → 12).
pub fn revision(task_definition: &str) -> Option<u32> {
    task_definition.rsplit(':').next()?.parse().ok()
}

/// The services of `cluster` named `names`, in that order; `None` for one ECS
/// does not know (or knows only as INACTIVE after a delete).
pub async fn describe(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    names: &[String],
) -> Result<Vec<Option<ServiceState>>, Error> {
    let mut found = Vec::new();
    // DescribeServices takes at most 10 services a call.
    for chunk in names.chunks(10) {
        let out = match ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(chunk.to_vec()))
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if crate::error::code(&e) == Some("ClusterNotFoundException") => {
                return Ok(names.iter().map(|_| None).collect());
            }
            Err(e) => return Err(aws("ecs:DescribeServices", &e)),
        };
        found.extend(out.services().iter().map(from_sdk));
    }
    Ok(names
        .iter()
        .map(|n| {
            found
                .iter()
                .find(|s| &s.name == n && s.status != "INACTIVE")
                .cloned()
        })
        .collect())
}

fn from_sdk(s: &aws_sdk_ecs::types::Service) -> ServiceState {
    let deployments = s.deployments();
    let primary = deployments
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .or(deployments.first());
    let breaker = s
        .deployment_configuration()
        .and_then(|c| c.deployment_circuit_breaker());
    let mut events: Vec<_> = s.events().iter().collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.created_at().map(|t| t.secs())));
    ServiceState {
        name: s.service_name().unwrap_or_default().to_string(),
        status: s.status().unwrap_or_default().to_string(),
        desired: s.desired_count(),
        running: s.running_count(),
        pending: s.pending_count(),
        task_definition: primary
            .and_then(|d| d.task_definition())
            .or(s.task_definition())
            .unwrap_or_default()
            .to_string(),
        rollout: Rollout {
            state: primary
                .and_then(|d| d.rollout_state())
                .map(|r| r.as_str().to_string())
                .unwrap_or_default(),
            reason: primary
                .and_then(|d| d.rollout_state_reason())
                .unwrap_or_default()
                .to_string(),
            deployment: primary.and_then(|d| d.id()).unwrap_or_default().to_string(),
        },
        other_deployments: deployments.len().saturating_sub(1),
        circuit_breaker: CircuitBreaker {
            enabled: breaker.is_some_and(|b| b.enable()),
            rollback: breaker.is_some_and(|b| b.rollback()),
        },
        target_groups: s
            .load_balancers()
            .iter()
            .filter_map(|l| l.target_group_arn().map(str::to_string))
            .collect(),
        events: events
            .iter()
            .take(5)
            .filter_map(|e| e.message().map(str::to_string))
            .collect(),
    }
}

/// The image of `container` in a task definition (or of its only container).
pub async fn image(
    ecs: &aws_sdk_ecs::Client,
    task_definition: &str,
    container: &str,
) -> Result<Option<String>, Error> {
    let out = ecs
        .describe_task_definition()
        .task_definition(task_definition)
        .send()
        .await
        .map_err(|e| aws("ecs:DescribeTaskDefinition", &e))?;
    let containers = out
        .task_definition()
        .map(|t| t.container_definitions())
        .unwrap_or_default();
    let chosen =
        containers
            .iter()
            .find(|c| c.name() == Some(container))
            .or(if containers.len() == 1 {
                containers.first()
            } else {
                None
            });
    Ok(chosen.and_then(|c| c.image()).map(str::to_string))
}

/// Why the service's recently stopped tasks stopped (at most 5), for a failed
/// rollout's report.
pub async fn stopped_reasons(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    service: &str,
) -> Result<Vec<String>, Error> {
    let listed = ecs
        .list_tasks()
        .cluster(cluster)
        .service_name(service)
        .desired_status(aws_sdk_ecs::types::DesiredStatus::Stopped)
        .max_results(5)
        .send()
        .await
        .map_err(|e| aws("ecs:ListTasks", &e))?;
    if listed.task_arns().is_empty() {
        return Ok(Vec::new());
    }
    let tasks = ecs
        .describe_tasks()
        .cluster(cluster)
        .set_tasks(Some(listed.task_arns().to_vec()))
        .send()
        .await
        .map_err(|e| aws("ecs:DescribeTasks", &e))?;
    Ok(tasks
        .tasks()
        .iter()
        .map(|t| {
            let id = t
                .task_arn()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .unwrap_or_default();
            let containers: Vec<String> = t
                .containers()
                .iter()
                .filter_map(|c| {
                    c.reason()
                        .map(|r| format!("{}: {r}", c.name().unwrap_or("container")))
                })
                .collect();
            let mut line = format!("task {id}: {}", t.stopped_reason().unwrap_or("stopped"));
            if !containers.is_empty() {
                line = format!("{line} ({})", containers.join("; "));
            }
            line
        })
        .collect())
}

/// How a service's rollout to one task definition stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolloutCheck {
    /// The primary deployment runs it, its rollout is COMPLETED and every
    /// desired task runs.
    Done(ServiceState),
    /// Still going.
    Going(ServiceState),
    /// The rollout FAILED (the circuit breaker tripped), or the service went back
    /// to, or on to, another task definition.
    Failed { state: ServiceState, reason: String },
    /// ECS knows no such service.
    Missing,
}

/// Where the rollout of `service` to `task_definition` (an ARN) stands now.
pub async fn rollout(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    service: &str,
    task_definition: &str,
) -> Result<RolloutCheck, Error> {
    let out = match ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) if crate::error::code(&e) == Some("ClusterNotFoundException") => {
            return Ok(RolloutCheck::Missing)
        }
        Err(e) => return Err(aws("ecs:DescribeServices", &e)),
    };
    let Some(s) = out
        .services()
        .iter()
        .find(|s| s.service_name() == Some(service) && s.status() != Some("INACTIVE"))
    else {
        return Ok(RolloutCheck::Missing);
    };
    let state = from_sdk(s);
    let ours = s
        .deployments()
        .iter()
        .find(|d| d.task_definition() == Some(task_definition));
    let failed = |state: ServiceState, reason: String| Ok(RolloutCheck::Failed { state, reason });
    match ours {
        Some(d) if d.rollout_state().map(|r| r.as_str()) == Some("FAILED") => {
            let reason = d
                .rollout_state_reason()
                .unwrap_or("the rollout failed")
                .to_string();
            let reason = if state.task_definition != task_definition {
                format!(
                    "{reason}; the service went back to {}",
                    state.task_definition
                )
            } else {
                reason
            };
            failed(state, reason)
        }
        Some(d) if d.status() == Some("PRIMARY") => {
            let completed = matches!(state.rollout.state.as_str(), "COMPLETED" | "");
            if completed && state.running == state.desired {
                Ok(RolloutCheck::Done(state))
            } else {
                Ok(RolloutCheck::Going(state))
            }
        }
        _ => {
            let reason = format!(
                "the service does not run {task_definition}: its primary deployment runs {}",
                state.task_definition
            );
            failed(state, reason)
        }
    }
}

/// Waits until the rollout of `service` to `task_definition` is done or failed;
/// `progress` hears of each change while it goes.
#[allow(clippy::too_many_arguments)]
pub async fn wait_rollout(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    service: &str,
    task_definition: &str,
    poll: std::time::Duration,
    timeout: std::time::Duration,
    interrupt: &crate::interrupt::Interrupt,
    progress: &mut dyn FnMut(&ServiceState),
) -> Result<RolloutCheck, Error> {
    let deadline = crate::deploy::change_set::deadline_after(timeout);
    let mut last: Option<(String, i32, i32, i32)> = None;
    loop {
        let check = rollout(ecs, cluster, service, task_definition).await?;
        let RolloutCheck::Going(state) = &check else {
            return Ok(check);
        };
        let seen = (
            state.rollout.state.clone(),
            state.running,
            state.pending,
            state.desired,
        );
        if last.as_ref() != Some(&seen) {
            progress(state);
            last = Some(seen);
        }
        if std::time::Instant::now() > deadline {
            return Err(Error::Timeout(format!(
                "the rollout of service {service} to {task_definition} was still {} ({} of {} tasks running) after {}s; it goes on (bs-status shows it)",
                if state.rollout.state.is_empty() { "going" } else { state.rollout.state.as_str() },
                state.running,
                state.desired,
                timeout.as_secs()
            )));
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = interrupt.interrupted() => {
                return Err(Error::Interrupted(format!(
                    "stopped waiting for the rollout of service {service}; it goes on in ECS (bs-status shows it)"
                )));
            }
        }
    }
}

/// The family of a task definition ARN (`…:task-definition/backstage-prod:12` →
/// `backstage-prod`).
pub fn family(task_definition: &str) -> &str {
    let name = task_definition
        .rsplit_once(":task-definition/")
        .map_or(task_definition, |(_, n)| n);
    name.rsplit_once(':').map_or(name, |(f, _)| f)
}

/// Every revision of a task definition family, ACTIVE and INACTIVE
/// (deregistered), newest first.
pub async fn revisions(ecs: &aws_sdk_ecs::Client, family_name: &str) -> Result<Vec<String>, Error> {
    use aws_sdk_ecs::types::TaskDefinitionStatus;
    let mut arns: Vec<String> = Vec::new();
    for status in [TaskDefinitionStatus::Active, TaskDefinitionStatus::Inactive] {
        let mut token = None;
        loop {
            let page = ecs
                .list_task_definitions()
                .family_prefix(family_name)
                .status(status.clone())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| aws("ecs:ListTaskDefinitions", &e))?;
            // familyPrefix is a prefix: `backstage-prod` also lists `backstage-prod2`.
            arns.extend(
                page.task_definition_arns()
                    .iter()
                    .filter(|a| family(a) == family_name)
                    .cloned(),
            );
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    // One list, newest first (a revision is either ACTIVE or INACTIVE).
    arns.sort_by_key(|a| std::cmp::Reverse(revision(a)));
    Ok(arns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_is_the_arn_suffix() {
        assert_eq!(
            revision("arn:aws:ecs:eu-west-1:111122223333:task-definition/backstage-prod:12"),
            Some(12)
        );
        assert_eq!(revision("backstage-prod"), None);
    }

    #[test]
    fn family_is_the_name_without_revision() {
        assert_eq!(
            family("arn:aws:ecs:eu-west-1:111122223333:task-definition/backstage-prod:12"),
            "backstage-prod"
        );
        assert_eq!(family("backstage-prod:3"), "backstage-prod");
        assert_eq!(family("backstage-prod"), "backstage-prod");
    }
}
