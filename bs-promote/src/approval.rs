//! `--approve` / `--reject`: answers the app pipeline's manual approval waiting
//! in front of a stage (pipeline stage `Deploy-<stage>`, action `Approve`, as
//! bs-synth builds it). The token comes from the pipeline state and is never
//! printed.

use crate::report::{ApprovalReport, Report};
use crate::Clients;
use bs_aws::account::Caller;
use bs_aws::pipeline;
use bs_aws::progress::{Message, Renderer};
use bs_aws::Error;
use bs_core::config::{Config, Stage};
use bs_core::names;

/// Answers the approval as `me` (an approval's summary names its ARN);
/// `reason` is `Some` for a rejection.
pub async fn answer(
    clients: &Clients,
    c: &Config,
    stage: &Stage,
    me: &Caller,
    reason: Option<&str>,
    ui: &mut dyn Renderer,
) -> Result<Report, Error> {
    let approve = reason.is_none();
    let name = names::app_pipeline(&c.stack_name);
    let in_pipeline = names::app_pipeline_stage(&stage.name);
    let state = pipeline::state(&clients.codepipeline, &name)
        .await?
        .ok_or_else(|| {
            Error::Input(format!(
                "the app pipeline {name} does not exist: deploy the backstage stack {} first",
                c.stack_name
            ))
        })?;
    let approvals = state.approvals();
    let Some(waiting) = approvals
        .iter()
        .find(|a| a.stage == in_pipeline && a.action == names::APPROVAL_ACTION)
    else {
        let status = state
            .stages
            .iter()
            .find(|s| s.name == in_pipeline)
            .map(|s| {
                if s.status.is_empty() {
                    "has never run".to_string()
                } else {
                    format!("is {}", s.status)
                }
            })
            .unwrap_or_else(|| "does not exist".into());
        let elsewhere: Vec<&str> = approvals.iter().map(|a| a.stage.as_str()).collect();
        return Err(Error::Failed(format!(
            "no approval waits in front of stage {}: stage {in_pipeline} of pipeline {name} {status}{}",
            stage.name,
            if elsewhere.is_empty() {
                String::new()
            } else {
                format!(" (approvals wait in {})", elsewhere.join(", "))
            }
        )));
    };
    let summary = match reason {
        Some(r) => r.to_string(),
        None => format!(
            "approved with bs-promote by {}",
            me.arn.as_deref().unwrap_or("an unknown caller")
        ),
    };
    ui.message(&Message::Step {
        stack: name.clone(),
        text: format!(
            "{} the approval waiting in {in_pipeline} since {}",
            if approve { "approving" } else { "rejecting" },
            waiting.since.as_deref().unwrap_or("an unknown time")
        ),
    });
    pipeline::answer(&clients.codepipeline, &name, waiting, approve, &summary).await?;
    let mut report = Report::new(&stage.name, if approve { "approve" } else { "reject" });
    report.result = if approve { "approved" } else { "rejected" }.into();
    report.approval = Some(ApprovalReport {
        pipeline: name,
        stage: waiting.stage.clone(),
        action: waiting.action.clone(),
        summary,
    });
    Ok(report)
}
