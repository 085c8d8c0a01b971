//! The result document bs-promote prints on stdout (schema in
//! `docs/bs-promote.md`), and its one line for people at a terminal.

use bs_aws::deploy::follow::Failure;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub stage: String,
    /// `promote`, `rollback`, `approve` or `reject`.
    pub action: String,
    /// `promoted`, `rolled_back`, `unchanged`, `failed`, `approved` or `rejected`.
    pub result: String,
    /// Where the image came from: `--image v1`, `stage test`, `task definition backstage-test:3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The image the stage's stack parameter named before (`None`: none yet).
    pub previous_image: Option<String>,
    /// The image deployed, pinned by digest.
    pub image: Option<String>,
    pub digest: Option<String>,
    pub task_definition: Revisions,
    /// The backstage stack's status at the end.
    pub stack_status: Option<String>,
    /// The change set that changed the stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_set: Option<String>,
    /// For `--approve`/`--reject`: the approval answered (never its token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalReport>,
    /// Why it failed, in one sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The stack's failing resources, first failure first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
    /// The service's newest events, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_events: Vec<String>,
    /// Why the service's recently stopped tasks stopped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stopped_tasks: Vec<String>,
    pub duration_seconds: f64,
}

/// Task definition revisions of the stage's service, before and after.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revisions {
    pub previous: Option<u32>,
    pub current: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalReport {
    pub pipeline: String,
    /// The pipeline stage (`Deploy-<stage>`) and action (`Approve`).
    pub stage: String,
    pub action: String,
    /// The summary the answer carried.
    pub summary: String,
}

impl Report {
    pub fn new(stage: &str, action: &str) -> Report {
        Report {
            stage: stage.to_string(),
            action: action.to_string(),
            result: String::new(),
            from: None,
            previous_image: None,
            image: None,
            digest: None,
            task_definition: Revisions::default(),
            stack_status: None,
            change_set: None,
            approval: None,
            reason: None,
            failures: Vec::new(),
            service_events: Vec::new(),
            stopped_tasks: Vec::new(),
            duration_seconds: 0.0,
        }
    }

    pub fn failed(&self) -> bool {
        self.result == "failed"
    }

    /// One line for a terminal.
    pub fn line(&self) -> String {
        let image = self.image.as_deref().unwrap_or("?");
        let revisions = match (self.task_definition.previous, self.task_definition.current) {
            (Some(a), Some(b)) if a != b => format!(", task definition {a} → {b}"),
            (None, Some(b)) => format!(", task definition {b}"),
            _ => String::new(),
        };
        match self.result.as_str() {
            "promoted" | "rolled_back" => format!(
                "{}: {} {image}{revisions} ({:.1} s)",
                self.stage,
                if self.result == "promoted" {
                    "promoted to"
                } else {
                    "rolled back to"
                },
                self.duration_seconds
            ),
            "unchanged" => format!("{}: unchanged, it already runs {image}", self.stage),
            "approved" | "rejected" => format!(
                "{}: {} the approval in {}",
                self.stage,
                self.result,
                self.approval
                    .as_ref()
                    .map(|a| format!("{} of {}", a.stage, a.pipeline))
                    .unwrap_or_default()
            ),
            _ => format!(
                "{}: FAILED: {}",
                self.stage,
                self.reason.as_deref().unwrap_or("see the messages above")
            ),
        }
    }
}
