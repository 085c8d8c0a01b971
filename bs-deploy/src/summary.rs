//! The result for a person at a terminal: one line per stack, its failures and
//! URLs under it. Piped, the result is JSON (docs/bs-deploy.md).

use bs_aws::deploy::Outcome;

pub fn render(outcomes: &[Outcome]) -> String {
    let width = outcomes.iter().map(|o| o.name.len()).max().unwrap_or(0);
    let mut out = Vec::new();
    for o in outcomes {
        let c = &o.changes;
        let changes = if c.total() == 0 {
            String::new()
        } else {
            format!(
                "  +{} ~{} -{}{}",
                c.add,
                c.modify,
                c.remove,
                if c.replace > 0 {
                    format!(" ({} replaced)", c.replace)
                } else {
                    String::new()
                }
            )
        };
        out.push(format!(
            "{:<width$}  {:<24}{changes}  {:.1}s",
            o.name, o.status, o.duration_seconds
        ));
        if let Some(cs) = &o.change_set {
            if o.status == "PREVIEW" {
                out.push(format!(
                    "    change set {} (execute: bs-deploy --execute {} --stack {})",
                    cs.name, cs.name, o.name
                ));
            }
        }
        for f in &o.failures {
            out.push(format!(
                "    FAILED {} ({}): {}",
                f.logical_id, f.resource_type, f.reason
            ));
        }
        for r in &o.retained {
            out.push(format!(
                "    kept ({}): {} {}",
                r.policy, r.logical_id, r.physical_id
            ));
        }
        for (k, v) in o.outputs.iter().filter(|(k, _)| k.starts_with("Url")) {
            out.push(format!("    {k}: {v}"));
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bs_aws::deploy::change_set::Counts;
    use bs_aws::deploy::follow::Failure;
    use std::collections::BTreeMap;

    #[test]
    fn one_line_per_stack_with_failures_and_urls() {
        let o = Outcome {
            name: "backstage".into(),
            id: None,
            status: "UPDATE_ROLLBACK_COMPLETE".into(),
            action: "update".into(),
            changes: Counts {
                add: 1,
                modify: 2,
                remove: 0,
                replace: 1,
            },
            change_set: None,
            resolved_parameters: BTreeMap::new(),
            outputs: BTreeMap::from([("UrlProd".to_string(), "https://b.example.com".to_string())]),
            template_url: None,
            failures: vec![Failure {
                logical_id: "Db".into(),
                resource_type: "AWS::RDS::DBCluster".into(),
                status: "UPDATE_FAILED".into(),
                reason: "quota".into(),
            }],
            retained: vec![],
            duration_seconds: 12.34,
        };
        let text = render(&[o]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "backstage  UPDATE_ROLLBACK_COMPLETE  +1 ~2 -0 (1 replaced)  12.3s"
        );
        assert_eq!(lines[1], "    FAILED Db (AWS::RDS::DBCluster): quota");
        assert_eq!(lines[2], "    UrlProd: https://b.example.com");
    }
}
