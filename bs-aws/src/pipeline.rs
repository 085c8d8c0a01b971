//! The pipelines' state: each stage's latest status, the latest execution with
//! its source revisions, and manual approvals waiting (with their tokens, which
//! bs-promote answers).

use crate::error::aws;
use crate::Error;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineState {
    pub name: String,
    pub stages: Vec<StageState>,
    /// The newest execution (running or last), if there was one.
    pub execution: Option<Execution>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageState {
    pub name: String,
    /// `InProgress`, `Succeeded`, `Failed`, `Stopped`, … ; empty: never ran.
    pub status: String,
    pub actions: Vec<ActionState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionState {
    pub name: String,
    pub status: String,
    pub summary: String,
    /// RFC 3339.
    pub last_change: Option<String>,
    /// Present while a manual approval waits for an answer. Never printed.
    #[serde(skip)]
    pub token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Execution {
    pub id: String,
    pub status: String,
    /// RFC 3339.
    pub started: Option<String>,
    pub sources: Vec<SourceRevision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRevision {
    /// The source action's name (`App`, `Tools`, …).
    pub action: String,
    /// The commit.
    pub revision: String,
    /// The commit message's first line, if known.
    pub summary: String,
}

/// A manual approval waiting for an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub stage: String,
    pub action: String,
    /// RFC 3339: when it started waiting.
    pub since: Option<String>,
    #[serde(skip)]
    pub token: String,
}

impl PipelineState {
    /// Approvals waiting now: an action in progress that carries a token.
    pub fn approvals(&self) -> Vec<Approval> {
        self.stages
            .iter()
            .flat_map(|s| {
                s.actions.iter().filter_map(move |a| {
                    let token = a.token.as_ref().filter(|_| a.status == "InProgress")?;
                    Some(Approval {
                        stage: s.name.clone(),
                        action: a.name.clone(),
                        since: a.last_change.clone(),
                        token: token.clone(),
                    })
                })
            })
            .collect()
    }
}

fn rfc3339(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}

/// The state of pipeline `name`; `Ok(None)` if there is no such pipeline.
pub async fn state(
    cp: &aws_sdk_codepipeline::Client,
    name: &str,
) -> Result<Option<PipelineState>, Error> {
    let (state, executions) = tokio::join!(
        cp.get_pipeline_state().name(name).send(),
        cp.list_pipeline_executions()
            .pipeline_name(name)
            .max_results(1)
            .send()
    );
    let state = match state {
        Ok(s) => s,
        Err(e) if crate::error::code(&e) == Some("PipelineNotFoundException") => return Ok(None),
        Err(e) => return Err(aws("codepipeline:GetPipelineState", &e)),
    };
    let execution = match executions {
        Ok(out) => out
            .pipeline_execution_summaries()
            .first()
            .map(|x| Execution {
                id: x.pipeline_execution_id().unwrap_or_default().to_string(),
                status: x
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                started: rfc3339(x.start_time()),
                sources: x
                    .source_revisions()
                    .iter()
                    .map(|r| SourceRevision {
                        action: r.action_name().to_string(),
                        revision: r.revision_id().unwrap_or_default().to_string(),
                        summary: r
                            .revision_summary()
                            .and_then(|s| s.lines().next())
                            .unwrap_or_default()
                            .to_string(),
                    })
                    .collect(),
            }),
        Err(e) if crate::error::code(&e) == Some("PipelineNotFoundException") => return Ok(None),
        Err(e) => return Err(aws("codepipeline:ListPipelineExecutions", &e)),
    };
    let stages = state
        .stage_states()
        .iter()
        .map(|s| StageState {
            name: s.stage_name().unwrap_or_default().to_string(),
            status: s
                .latest_execution()
                .map(|x| x.status().as_str().to_string())
                .unwrap_or_default(),
            actions: s
                .action_states()
                .iter()
                .map(|a| {
                    let latest = a.latest_execution();
                    ActionState {
                        name: a.action_name().unwrap_or_default().to_string(),
                        status: latest
                            .and_then(|x| x.status())
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                        summary: latest
                            .and_then(|x| x.summary())
                            .unwrap_or_default()
                            .to_string(),
                        last_change: rfc3339(latest.and_then(|x| x.last_status_change())),
                        token: latest.and_then(|x| x.token()).map(str::to_string),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(Some(PipelineState {
        name: state.pipeline_name().unwrap_or(name).to_string(),
        stages,
        execution,
    }))
}

/// Answers a waiting approval. An approval answered (or expired) meanwhile is
/// `Error::Failed`.
pub async fn answer(
    cp: &aws_sdk_codepipeline::Client,
    pipeline: &str,
    approval: &Approval,
    approve: bool,
    summary: &str,
) -> Result<(), Error> {
    use aws_sdk_codepipeline::types::{ApprovalResult, ApprovalStatus};
    let result = ApprovalResult::builder()
        .summary(summary)
        .status(if approve {
            ApprovalStatus::Approved
        } else {
            ApprovalStatus::Rejected
        })
        .build()
        .map_err(|e| Error::Input(format!("approval result: {e}")))?;
    cp.put_approval_result()
        .pipeline_name(pipeline)
        .stage_name(&approval.stage)
        .action_name(&approval.action)
        .token(&approval.token)
        .result(result)
        .send()
        .await
        .map_err(|e| match crate::error::code(&e) {
            // The approval was answered, or ran out, between reading and answering.
            Some(
                "ApprovalAlreadyCompletedException"
                | "InvalidApprovalTokenException"
                | "ActionNotFoundException"
                | "StageNotFoundException",
            ) => Error::Failed(format!(
                "the approval {}/{} of pipeline {pipeline} could not be answered: {}",
                approval.stage,
                approval.action,
                crate::error::describe(&e)
            )),
            _ => aws("codepipeline:PutApprovalResult", &e),
        })?;
    Ok(())
}
