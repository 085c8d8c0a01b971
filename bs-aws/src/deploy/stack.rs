//! A stack's current state, as the engine needs to know it.

use crate::error::{self, Error};
use crate::sdk::Clients;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    pub id: String,
    pub status: String,
    pub reason: Option<String>,
    /// When the stack last changed (RFC 3339): its last update, else its creation.
    pub changed: Option<String>,
    pub parameters: BTreeMap<String, String>,
    pub outputs: BTreeMap<String, String>,
    /// The role CloudFormation assumes for this stack's operations, if one was given.
    pub role_arn: Option<String>,
}

/// `None` when no stack of that name exists (deleted stacks do not count).
pub async fn describe(clients: &Clients, name_or_id: &str) -> Result<Option<Current>, Error> {
    let out = match clients
        .cloudformation
        .describe_stacks()
        .stack_name(name_or_id)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            if error::code(&e) == Some("ValidationError")
                && error::message(&e).is_some_and(|m| m.contains("does not exist"))
            {
                return Ok(None);
            }
            return Err(error::aws(&format!("describing stack {name_or_id}"), &e));
        }
    };
    let Some(s) = out.stacks().first() else {
        return Ok(None);
    };
    let status = s
        .stack_status()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    if status == "DELETE_COMPLETE" && !name_or_id.starts_with("arn:") {
        return Ok(None);
    }
    Ok(Some(Current {
        id: s.stack_id().unwrap_or(name_or_id).to_string(),
        status,
        reason: s.stack_status_reason().map(str::to_string),
        changed: s
            .last_updated_time()
            .or(s.creation_time())
            .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
        parameters: s
            .parameters()
            .iter()
            .filter_map(|p| {
                Some((
                    p.parameter_key()?.to_string(),
                    p.parameter_value().unwrap_or_default().to_string(),
                ))
            })
            .collect(),
        outputs: s
            .outputs()
            .iter()
            .filter_map(|o| {
                Some((
                    o.output_key()?.to_string(),
                    o.output_value().unwrap_or_default().to_string(),
                ))
            })
            .collect(),
        role_arn: s.role_arn().map(str::to_string),
    }))
}

/// No operation is running on a stack in this status.
pub fn is_settled(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

/// The status a successful operation ends in.
pub fn is_success(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE" | "DELETE_COMPLETE"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert!(is_settled("UPDATE_ROLLBACK_COMPLETE"));
        assert!(!is_settled("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
        assert!(!is_settled("REVIEW_IN_PROGRESS"));
        assert!(is_success("UPDATE_COMPLETE"));
        assert!(!is_success("UPDATE_ROLLBACK_COMPLETE"));
        assert!(!is_success("ROLLBACK_COMPLETE"));
    }
}
