//! Pipeline notifications to an AWS Chatbot (Amazon Q Developer) channel
//! configuration: Slack or Microsoft Teams.

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
            "Targets": [{"TargetType": target_type(target), "TargetAddress": target}]
        }),
    );
}

/// CodeStar Notifications' name of the kind of chat configuration `target` is
/// (`…:chat-configuration/slack-channel/…` or `…/microsoft-teams-channel/…`).
fn target_type(target: &str) -> &'static str {
    if target.contains(":chat-configuration/microsoft-teams-channel/") {
        "AWSChatbotMicrosoftTeams"
    } else {
        "AWSChatbotSlack"
    }
}

#[cfg(test)]
mod tests {
    use super::target_type;

    #[test]
    fn slack_and_teams_configurations_get_their_target_types() {
        assert_eq!(
            target_type("arn:aws:chatbot::123456789012:chat-configuration/slack-channel/deploys"),
            "AWSChatbotSlack"
        );
        assert_eq!(
            target_type(
                "arn:aws:chatbot::123456789012:chat-configuration/microsoft-teams-channel/deploys"
            ),
            "AWSChatbotMicrosoftTeams"
        );
    }
}
