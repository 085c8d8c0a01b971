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
    // What the deployed template keeps, with the physical ids, before they are gone.
    let deployed: Value = match clients
        .cloudformation
        .get_template()
        .stack_name(&current.id)
        .send()
        .await
    {
        Ok(out) => serde_json::from_str(out.template_body().unwrap_or("{}")).unwrap_or(Value::Null),
        Err(e) => return Err(error::aws(&format!("reading the template of {name}"), &e)),
    };
    let resources = clients
        .cloudformation
        .describe_stack_resources()
        .stack_name(&current.id)
        .send()
        .await
        .map_err(|e| error::aws(&format!("listing the resources of {name}"), &e))?;
    let mut retained: Vec<Retained> = Vec::new();
    for (id, policy) in kept_by_policy(&deployed) {
        if let Some(r) = resources
            .stack_resources()
            .iter()
            .find(|r| r.logical_resource_id() == Some(id.as_str()))
        {
            retained.push(Retained {
                logical_id: id,
                resource_type: r.resource_type().unwrap_or_default().to_string(),
                physical_id: r.physical_resource_id().unwrap_or_default().to_string(),
                policy,
            });
        }
    }
    step(
        ui,
        name,
        format!("deleting ({} resources)", resources.stack_resources().len()),
    );
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
