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
}
