//! The permissions boundary of every role the pipeline and backstage stacks
//! create: those roles together may do no more than the actions the backstage
//! template grants its roles. A role the CloudFormation role creates must carry
//! it, and the CloudFormation role can neither remove it nor edit the policy
//! (it is the bootstrap stack's), so whoever can update those stacks cannot
//! make a role that does more.

use crate::cfn::allow;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Every action the roles of `template` are granted.
pub fn actions(template: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let resources = template["Resources"].as_object().into_iter().flatten();
    for (_, r) in resources.filter(|(_, r)| r["Type"] == "AWS::IAM::Role") {
        let policies = r["Properties"]["Policies"].as_array().into_iter().flatten();
        for p in policies {
            let statements = p["PolicyDocument"]["Statement"]
                .as_array()
                .into_iter()
                .flatten();
            for s in statements.filter(|s| s["Effect"] == "Allow") {
                match &s["Action"] {
                    Value::String(a) => {
                        out.insert(a.clone());
                    }
                    Value::Array(list) => {
                        out.extend(list.iter().filter_map(|a| a.as_str()).map(str::to_string));
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// The boundary's statements: the actions of `templates`' roles, on `*` (each
/// role's own policy scopes them; the boundary caps what any role can ever get).
pub fn statements(templates: &[&Value]) -> Vec<Value> {
    let actions: BTreeSet<String> = templates.iter().flat_map(|t| actions(t)).collect();
    let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
    vec![allow(&actions, vec![json!("*")])]
}
