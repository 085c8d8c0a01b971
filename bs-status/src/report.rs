//! The status report: what bs-status prints, as JSON (`--json`, or when stdout
//! is not a terminal) or as a table. Its schema is documented in
//! `docs/bs-status.md`; a change of meaning bumps [`SCHEMA`].

use bs_aws::deploy::follow::Failure;
use bs_aws::pipeline::{Approval, Execution};
use bs_aws::service::{CircuitBreaker, Rollout};
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "bs-status/1";

/// A verdict, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Healthy,
    /// Changing now (a stack update, a rollout, tasks starting): look again soon.
    InProgress,
    Unhealthy,
    /// Not deployed: the stack, service or pipeline does not exist.
    Missing,
    /// AWS could not be asked (see `errors`).
    Unknown,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::InProgress => "in progress",
            Health::Unhealthy => "unhealthy",
            Health::Missing => "missing",
            Health::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    /// The config's TAG_STACK_NAME.
    pub stack_name: String,
    pub account: String,
    pub region: String,
    /// The worst verdict of every stack, pipeline and stage reported.
    pub health: Health,
    pub stacks: Vec<StackReport>,
    pub pipelines: Vec<PipelineReport>,
    pub stages: Vec<StageReport>,
    /// Calls that failed (what was asked, and AWS's answer); their parts are
    /// `unknown`.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackReport {
    pub name: String,
    /// `bootstrap` (roles, boundary, artifact bucket), `pipeline` (the
    /// infrastructure pipeline) or `backstage` (every stage).
    pub role: String,
    pub health: Health,
    /// CloudFormation's status; `None` when the stack does not exist.
    pub status: Option<String>,
    /// RFC 3339: the last update, else the creation.
    pub last_changed: Option<String>,
    /// CloudFormation's status reason, if any.
    pub reason: Option<String>,
    /// When the last operation failed: the resources that failed, first first.
    pub failures: Vec<Failure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineReport {
    pub name: String,
    /// `infra` or `app`.
    pub kind: String,
    pub health: Health,
    pub exists: bool,
    /// Each stage's latest status (empty string: never ran).
    pub stages: Vec<PipelineStage>,
    /// The running or last execution, with the commits it took.
    pub execution: Option<Execution>,
    /// Manual approvals waiting now.
    pub approvals: Vec<Approval>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineStage {
    pub name: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    pub name: String,
    /// `https://HOST_NAME.DOMAIN_NAME`.
    pub url: String,
    pub health: Health,
    /// Why the stage is not healthy, one sentence each.
    pub problems: Vec<String>,
    pub service: Option<ServiceReport>,
    pub image: ImageReport,
    pub targets: Option<TargetCounts>,
    pub dns: Option<DnsReport>,
    pub database: Option<DatabaseReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceReport {
    pub name: String,
    pub status: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub task_definition: String,
    pub revision: Option<u32>,
    pub rollout: Rollout,
    pub circuit_breaker: CircuitBreaker,
    /// `true` when the circuit breaker stopped the latest rollout.
    pub circuit_breaker_tripped: bool,
    /// The service's newest events, newest first.
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImageReport {
    /// The image the stack asks for (its `Image<Stage>` parameter); `None`: none
    /// promoted yet.
    pub requested: Option<String>,
    /// The image of the service's task definition.
    pub running: Option<String>,
    pub tag: Option<String>,
    /// The running image's digest (from the reference, else from ECR).
    pub digest: Option<String>,
    /// The service runs another image than its stack asks for.
    pub drift: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TargetCounts {
    pub healthy: u32,
    pub unhealthy: u32,
    /// Registering, health checks not passed yet.
    pub initial: u32,
    pub draining: u32,
    /// unused, unavailable.
    pub other: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsReport {
    /// `HOST_NAME.DOMAIN_NAME`.
    pub name: String,
    pub hosted_zone: Option<String>,
    /// An A (alias) record of that name exists.
    pub exists: bool,
    /// Its alias target, if any.
    pub target: Option<String>,
    /// The alias target is the stage's load balancer.
    pub points_to_load_balancer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseReport {
    pub identifier: String,
    /// RDS's status (`available`, `creating`, …); `None`: not found.
    pub status: Option<String>,
}

impl StackReport {
    /// A stack AWS could not be asked about.
    pub fn unknown(name: &str, role: &str) -> StackReport {
        StackReport {
            name: name.into(),
            role: role.into(),
            health: Health::Unknown,
            status: None,
            last_changed: None,
            reason: None,
            failures: vec![],
        }
    }
}

impl PipelineReport {
    /// A pipeline AWS could not be asked about.
    pub fn unknown(kind: &str, name: &str) -> PipelineReport {
        PipelineReport {
            name: name.into(),
            kind: kind.into(),
            health: Health::Unknown,
            exists: false,
            stages: vec![],
            execution: None,
            approvals: vec![],
        }
    }
}

impl Report {
    /// The worst verdict of its parts.
    pub fn overall(&self) -> Health {
        let parts = self
            .stacks
            .iter()
            .map(|s| s.health)
            .chain(self.pipelines.iter().map(|p| p.health))
            .chain(self.stages.iter().map(|s| s.health));
        let worst = parts.max().unwrap_or(Health::Healthy);
        if self.errors.is_empty() {
            worst
        } else {
            Health::Unknown
        }
    }
}
