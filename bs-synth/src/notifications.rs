//! Pipeline notifications to an AWS Chatbot (Slack) configuration.

use crate::cfn::{arn, Template};
use serde_json::json;

/// Execution results of a pipeline.
pub const EXECUTION_EVENTS: &[&str] = &[
    "codepipeline-pipeline-pipeline-execution-failed",
    "codepipeline-pipeline-pipeline-execution-succeeded",
    "codepipeline-pipeline-pipeline-execution-superseded",
    "codepipeline-pipeline-pipeline-execution-canceled",
];

/// Manual approvals of a pipeline.
pub const APPROVAL_EVENTS: &[&str] = &[
    "codepipeline-pipeline-manual-approval-needed",
    "codepipeline-pipeline-manual-approval-succeeded",
    "codepipeline-pipeline-manual-approval-failed",
];

/// Adds rule `name` (at most 64 characters) sending `events` of the pipeline
/// `pipeline_id` to `target` (a chatbot ARN).
pub fn add_rule(
    t: &mut Template,
    id: &str,
    name: &str,
    pipeline_id: &str,
    target: &str,
    events: &[&str],
) {
    t.resource(
        id,
        "AWS::CodeStarNotifications::NotificationRule",
        json!({
            "Name": name,
            "DetailType": "FULL",
            "Status": "ENABLED",
            "EventTypeIds": events,
            "Resource": arn("codepipeline", &format!("${{{pipeline_id}}}")),
            "Targets": [{"TargetType": "AWSChatbotSlack", "TargetAddress": target}]
        }),
    );
}
