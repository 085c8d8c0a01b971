//! The verdicts: when a stack, a pipeline or a stage counts as healthy, in
//! progress, unhealthy or missing. Pure functions of what was read.

use crate::report::{Health, StageReport};
use bs_aws::pipeline::PipelineState;

/// A stack's verdict from its CloudFormation status (`None`: no such stack).
pub fn stack(status: Option<&str>) -> Health {
    match status {
        None => Health::Missing,
        Some(s) if s.ends_with("_IN_PROGRESS") => Health::InProgress,
        Some("CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE") => Health::Healthy,
        // Failed, rolled back (the last change did not happen), or deleted.
        Some(_) => Health::Unhealthy,
    }
}

/// A pipeline's verdict: its newest execution failed → unhealthy; running (other
/// than waiting at an approval, which is a normal resting state) → in progress.
pub fn pipeline(state: Option<&PipelineState>) -> Health {
    let Some(state) = state else {
        return Health::Missing;
    };
    let failed = |s: &str| matches!(s, "Failed" | "Stopped" | "Cancelled");
    let latest = state.execution.as_ref().map(|x| x.status.as_str());
    if latest.is_some_and(failed) {
        return Health::Unhealthy;
    }
    // Stages report their own latest run, which the newest execution may not
    // have reached yet.
    let running_stage = state.stages.iter().any(|s| s.status == "InProgress");
    if latest == Some("InProgress") || running_stage {
        if state.approvals().is_empty() {
            return Health::InProgress;
        }
        return Health::Healthy;
    }
    Health::Healthy
}

/// RDS statuses of a cluster that is changing, not broken.
fn database_changing(status: &str) -> bool {
    matches!(
        status,
        "creating"
            | "modifying"
            | "upgrading"
            | "renaming"
            | "resetting-master-credentials"
            | "maintenance"
            | "starting"
    )
}

/// Sets the stage's verdict and problems from what was read of it. `stack` is the
/// backstage stack's status (`None`: it does not exist).
pub fn judge_stage(stage: &mut StageReport, stack: Option<&str>) {
    let mut problems: Vec<(Health, String)> = Vec::new();
    let mut note = |h: Health, p: String| problems.push((h, p));
    match stack {
        None => note(Health::Missing, "the backstage stack does not exist".into()),
        Some(s) if s.ends_with("_IN_PROGRESS") => {
            note(Health::InProgress, format!("the backstage stack is {s}"))
        }
        _ => {}
    }
    match &stage.service {
        None if stack.is_some() => note(Health::Missing, "no ECS service".into()),
        None => {}
        Some(svc) => {
            let rollout = svc.rollout.state.as_str();
            let in_rollout = rollout == "IN_PROGRESS" || svc.pending > 0;
            if stage.image.requested.is_none() {
                note(
                    Health::Unhealthy,
                    "no image promoted yet (bs-promote --to <stage>)".into(),
                );
            }
            if svc.desired == 0 {
                note(
                    Health::Unhealthy,
                    "scaled to zero: no task is wanted".into(),
                );
            } else if svc.running < svc.desired {
                let h = if in_rollout {
                    Health::InProgress
                } else {
                    Health::Unhealthy
                };
                note(
                    h,
                    format!("{} of {} tasks running", svc.running, svc.desired),
                );
            }
            if rollout == "FAILED" {
                let by = if svc.circuit_breaker_tripped {
                    " (circuit breaker)"
                } else {
                    ""
                };
                note(
                    Health::Unhealthy,
                    format!("rollout failed{by}: {}", svc.rollout.reason),
                );
            } else if in_rollout {
                note(Health::InProgress, "rolling out".into());
            }
            if stage.image.drift {
                let h = if in_rollout {
                    Health::InProgress
                } else {
                    Health::Unhealthy
                };
                note(
                    h,
                    format!(
                        "runs {} but its stack asks for {}",
                        stage.image.running.as_deref().unwrap_or("no image"),
                        stage.image.requested.as_deref().unwrap_or("no image")
                    ),
                );
            }
            if let Some(t) = stage.targets {
                if t.unhealthy > 0 {
                    note(
                        Health::Unhealthy,
                        format!("{} unhealthy load balancer target(s)", t.unhealthy),
                    );
                }
                if svc.running > 0 && t.healthy == 0 && t.unhealthy == 0 {
                    let h = if t.initial > 0 {
                        Health::InProgress
                    } else {
                        Health::Unhealthy
                    };
                    note(h, "no healthy load balancer target".into());
                } else if t.initial > 0 {
                    note(
                        Health::InProgress,
                        format!("{} target(s) registering", t.initial),
                    );
                }
            }
        }
    }
    if let Some(dns) = &stage.dns {
        if !dns.exists {
            note(Health::Unhealthy, format!("no DNS record {}", dns.name));
        } else if !dns.points_to_load_balancer {
            note(
                Health::Unhealthy,
                format!(
                    "DNS record {} points to {}, not to the stage's load balancer",
                    dns.name,
                    dns.target.as_deref().unwrap_or("no alias target")
                ),
            );
        }
    }
    if let Some(db) = &stage.database {
        match db.status.as_deref() {
            None => note(
                Health::Missing,
                format!("database cluster {} not found", db.identifier),
            ),
            Some("available" | "backing-up") => {}
            Some(s) if database_changing(s) => note(Health::InProgress, format!("database is {s}")),
            Some(s) => note(Health::Unhealthy, format!("database is {s}")),
        }
    }
    stage.health = problems
        .iter()
        .map(|(h, _)| *h)
        .max()
        .unwrap_or(Health::Healthy);
    stage.problems = problems.into_iter().map(|(_, p)| p).collect();
}

/// `dualstack.name.region.elb.amazonaws.com.` and `NAME.region.elb.amazonaws.com`
/// are the same load balancer.
pub fn same_dns_name(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        let s = s.trim_end_matches('.').to_ascii_lowercase();
        s.strip_prefix("dualstack.")
            .map(str::to_string)
            .unwrap_or(s)
    }
    !a.is_empty() && norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::*;
    use bs_aws::pipeline::{ActionState, Execution, StageState};
    use bs_aws::service::{CircuitBreaker, Rollout};

    fn healthy_stage() -> StageReport {
        StageReport {
            name: "prod".into(),
            url: "https://backstage.example.com".into(),
            health: Health::Unknown,
            problems: vec![],
            service: Some(ServiceReport {
                name: "backstage-prod".into(),
                status: "ACTIVE".into(),
                desired: 2,
                running: 2,
                pending: 0,
                task_definition: "arn:aws:ecs:eu-west-1:1:task-definition/backstage-prod:3".into(),
                revision: Some(3),
                rollout: Rollout {
                    state: "COMPLETED".into(),
                    reason: String::new(),
                    deployment: "ecs-svc/1".into(),
                },
                circuit_breaker: CircuitBreaker {
                    enabled: true,
                    rollback: true,
                },
                circuit_breaker_tripped: false,
                events: vec![],
            }),
            image: ImageReport {
                requested: Some("repo@sha256:1".into()),
                running: Some("repo@sha256:1".into()),
                tag: None,
                digest: Some("sha256:1".into()),
                drift: false,
            },
            targets: Some(TargetCounts {
                healthy: 2,
                ..Default::default()
            }),
            dns: Some(DnsReport {
                name: "backstage.example.com".into(),
                hosted_zone: Some("Z1".into()),
                exists: true,
                target: Some("lb.elb.amazonaws.com".into()),
                points_to_load_balancer: true,
            }),
            database: Some(DatabaseReport {
                identifier: "db".into(),
                status: Some("available".into()),
            }),
        }
    }

    fn judged(mut s: StageReport, stack_status: Option<&str>) -> StageReport {
        judge_stage(&mut s, stack_status);
        s
    }

    #[test]
    fn a_stage_with_everything_in_order_is_healthy() {
        let s = judged(healthy_stage(), Some("UPDATE_COMPLETE"));
        assert_eq!(
            (s.health, s.problems.len()),
            (Health::Healthy, 0),
            "{:?}",
            s.problems
        );
    }

    #[test]
    fn each_fault_is_named() {
        let mut s = healthy_stage();
        s.service.as_mut().unwrap().desired = 0;
        s.service.as_mut().unwrap().running = 0;
        let s = judged(s, Some("UPDATE_COMPLETE"));
        assert_eq!(s.health, Health::Unhealthy);
        assert!(
            s.problems.iter().any(|p| p.contains("scaled to zero")),
            "{:?}",
            s.problems
        );

        let mut s = healthy_stage();
        s.image.running = Some("repo@sha256:0".into());
        s.image.drift = true;
        let s = judged(s, Some("UPDATE_COMPLETE"));
        assert_eq!(s.health, Health::Unhealthy);
        assert!(
            s.problems[0].contains("asks for repo@sha256:1"),
            "{:?}",
            s.problems
        );

        let mut s = healthy_stage();
        let svc = s.service.as_mut().unwrap();
        svc.rollout.state = "FAILED".into();
        svc.rollout.reason = "tasks failed to start".into();
        svc.circuit_breaker_tripped = true;
        let s = judged(s, Some("UPDATE_COMPLETE"));
        assert_eq!(
            s.problems,
            ["rollout failed (circuit breaker): tasks failed to start"]
        );

        let mut s = healthy_stage();
        s.dns.as_mut().unwrap().points_to_load_balancer = false;
        s.targets = Some(TargetCounts {
            healthy: 1,
            unhealthy: 1,
            ..Default::default()
        });
        let s = judged(s, Some("UPDATE_COMPLETE"));
        assert_eq!(s.problems.len(), 2, "{:?}", s.problems);
    }

    #[test]
    fn changes_under_way_are_in_progress_not_unhealthy() {
        let mut s = healthy_stage();
        let svc = s.service.as_mut().unwrap();
        svc.rollout.state = "IN_PROGRESS".into();
        svc.running = 1;
        svc.pending = 1;
        s.image.drift = true;
        s.database.as_mut().unwrap().status = Some("modifying".into());
        let s = judged(s, Some("UPDATE_IN_PROGRESS"));
        assert_eq!(s.health, Health::InProgress, "{:?}", s.problems);
    }

    #[test]
    fn missing_stack_or_service() {
        let mut s = healthy_stage();
        s.service = None;
        assert_eq!(
            judged(s.clone(), Some("CREATE_COMPLETE")).health,
            Health::Missing
        );
        assert_eq!(judged(s, None).health, Health::Missing);
    }

    #[test]
    fn stack_statuses() {
        assert_eq!(stack(Some("UPDATE_COMPLETE")), Health::Healthy);
        assert_eq!(
            stack(Some("UPDATE_ROLLBACK_IN_PROGRESS")),
            Health::InProgress
        );
        assert_eq!(stack(Some("UPDATE_ROLLBACK_COMPLETE")), Health::Unhealthy);
        assert_eq!(stack(Some("ROLLBACK_COMPLETE")), Health::Unhealthy);
        assert_eq!(stack(None), Health::Missing);
    }

    #[test]
    fn a_waiting_approval_is_a_resting_state() {
        let action = |status: &str, token: Option<&str>| ActionState {
            name: "Approve".into(),
            status: status.into(),
            summary: String::new(),
            last_change: None,
            token: token.map(str::to_string),
        };
        let mut p = PipelineState {
            name: "app".into(),
            stages: vec![StageState {
                name: "Deploy-prod".into(),
                status: "InProgress".into(),
                actions: vec![action("InProgress", Some("t"))],
            }],
            execution: Some(Execution {
                id: "x".into(),
                status: "InProgress".into(),
                started: None,
                sources: vec![],
            }),
        };
        assert_eq!(pipeline(Some(&p)), Health::Healthy);
        p.stages[0].actions[0] = action("InProgress", None);
        assert_eq!(pipeline(Some(&p)), Health::InProgress);
        p.execution.as_mut().unwrap().status = "Failed".into();
        assert_eq!(pipeline(Some(&p)), Health::Unhealthy);
        assert_eq!(pipeline(None), Health::Missing);
    }

    #[test]
    fn load_balancer_names_compare_loosely() {
        assert!(same_dns_name(
            "dualstack.my-lb-1.eu-west-1.elb.amazonaws.com.",
            "My-LB-1.eu-west-1.elb.amazonaws.com"
        ));
        assert!(!same_dns_name(
            "other.elb.amazonaws.com",
            "my-lb-1.elb.amazonaws.com"
        ));
        assert!(!same_dns_name("", ""));
    }
}
