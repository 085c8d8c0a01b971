//! Deleting a stack, and telling what CloudFormation kept.

use super::{delete_and_follow, report_failures, seconds, step, Options, Outcome, Retained};
use crate::error::{self, Error};
use crate::interrupt::Interrupt;
use crate::progress::Renderer;
use crate::sdk::Clients;
use serde_json::Value;
use std::time::Instant;

/// Resources of the deployed template whose DeletionPolicy keeps something:
/// logical id → policy.
fn kept_by_policy(template: &Value) -> Vec<(String, String)> {
    template
        .get("Resources")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(id, r)| {
                    let policy = r.get("DeletionPolicy")?.as_str()?;
                    matches!(policy, "Retain" | "RetainExceptOnCreate" | "Snapshot")
                        .then(|| (id.clone(), policy.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every resource of the stack: (logical id, type, physical id), all pages.
async fn list_resources(
    clients: &Clients,
    name: &str,
    stack_id: &str,
) -> Result<Vec<(String, String, String)>, Error> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = clients
            .cloudformation
            .list_stack_resources()
            .stack_name(stack_id)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| error::aws(&format!("listing the resources of {name}"), &e))?;
        for r in page.stack_resource_summaries() {
            out.push((
                r.logical_resource_id().unwrap_or_default().to_string(),
                r.resource_type().unwrap_or_default().to_string(),
                r.physical_resource_id().unwrap_or_default().to_string(),
            ));
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(out);
        }
    }
}

/// Deletes stack `name`; an absent stack is a success (`ABSENT`).
pub async fn destroy(
    clients: &Clients,
    name: &str,
    opts: &Options,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<Outcome, Error> {
    let start = Instant::now();
    let current = super::settle(clients, name, opts, ui, interrupt).await?;
    let Some(current) = current else {
        step(ui, name, "does not exist: nothing to delete");
        return Ok(Outcome::new(name, "destroy", "ABSENT", start));
    };
    // What the deployed template keeps, with the physical ids, before they are
    // gone. A stack still in review holds nothing (and has no template body).
    let mut retained: Vec<Retained> = Vec::new();
    let mut count = 0;
    if current.status != "REVIEW_IN_PROGRESS" {
        let deployed: Value = match clients
            .cloudformation
            .get_template()
            .stack_name(&current.id)
            .send()
            .await
        {
            Ok(out) => {
                serde_json::from_str(out.template_body().unwrap_or("{}")).unwrap_or(Value::Null)
            }
            Err(e) => return Err(error::aws(&format!("reading the template of {name}"), &e)),
        };
        let resources = list_resources(clients, name, &current.id).await?;
        count = resources.len();
        for (id, policy) in kept_by_policy(&deployed) {
            if let Some((_, ty, physical)) = resources.iter().find(|(l, _, _)| *l == id) {
                retained.push(Retained {
                    logical_id: id,
                    resource_type: ty.clone(),
                    physical_id: physical.clone(),
                    policy,
                });
            }
        }
    }
    step(ui, name, format!("deleting ({count} resources)"));
    let followed = delete_and_follow(clients, name, &current, opts, ui, interrupt).await?;
    for (id, ty, physical) in followed.skipped {
        if !retained.iter().any(|r| r.logical_id == id) {
            retained.push(Retained {
                logical_id: id,
                resource_type: ty,
                physical_id: physical,
                policy: "Skipped".into(),
            });
        }
    }
    let mut outcome = Outcome::new(name, "destroy", &followed.status, start);
    outcome.id = Some(current.id.clone());
    if followed.status == "DELETE_COMPLETE" {
        step(ui, name, "DELETE_COMPLETE");
        for r in &retained {
            let what = match r.policy.as_str() {
                "Snapshot" => "deleted after a final snapshot",
                _ => "kept",
            };
            step(
                ui,
                name,
                format!(
                    "{what}: {} ({}) {}",
                    r.logical_id, r.resource_type, r.physical_id
                ),
            );
        }
    } else {
        report_failures(ui, name, &followed.failures);
        outcome.failures = followed.failures;
    }
    outcome.retained = retained;
    outcome.duration_seconds = seconds(start);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policies_that_keep_something() {
        let t = json!({"Resources": {
            "A": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "B": {"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot"},
            "C": {"Type": "AWS::SNS::Topic", "DeletionPolicy": "Delete"},
            "D": {"Type": "AWS::SNS::Topic"}
        }});
        assert_eq!(
            kept_by_policy(&t),
            [
                ("A".to_string(), "Retain".to_string()),
                ("B".to_string(), "Snapshot".to_string())
            ]
        );
    }
}
