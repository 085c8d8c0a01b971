//! Everything about an assembly that can be checked without AWS: what
//! CloudFormation would refuse after seconds of retries, every problem listed,
//! in words of the assembly, never of Rust types. `bs-deploy` refuses an
//! assembly with problems before its first AWS call (exit 2).

use crate::assembly::Assembly;
use crate::regions;
use std::collections::BTreeSet;

/// CloudFormation's limits on a template sent through S3, and on resources.
pub const MAX_TEMPLATE_BYTES: usize = 1_048_576;
pub const MAX_RESOURCES: usize = 500;

/// The capabilities CloudFormation knows.
const CAPABILITIES: &[&str] = &[
    "CAPABILITY_IAM",
    "CAPABILITY_NAMED_IAM",
    "CAPABILITY_AUTO_EXPAND",
];

/// A stack name CloudFormation accepts: a letter, then letters, digits and
/// dashes, at most 128 characters.
fn stack_name_ok(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 128
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Every problem of `assembly`, whose minified templates are `bodies`.
pub fn problems(assembly: &Assembly, bodies: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (s, body) in assembly.stacks.iter().zip(bodies) {
        let name = &s.name;
        if !stack_name_ok(name) {
            out.push(format!(
                "stack `{name}`: not a CloudFormation stack name (a letter, then letters, digits and dashes, at most 128)"
            ));
        }
        if !seen.insert(name.as_str()) {
            out.push(format!("stack {name}: listed twice"));
        }
        if s.account.len() != 12 || !s.account.chars().all(|c| c.is_ascii_digit()) {
            out.push(format!(
                "stack {name}: account `{}` is not a 12-digit AWS account id",
                s.account
            ));
        }
        if !regions::exists(&s.region) {
            let hint =
                regions::did_you_mean(&s.region).unwrap_or_else(|| "such as us-east-1".to_string());
            out.push(format!(
                "stack {name}: region `{}` is not an AWS region name ({hint})",
                s.region
            ));
        }
        for c in &s.capabilities {
            if !CAPABILITIES.contains(&c.as_str()) {
                out.push(format!(
                    "stack {name}: capability `{c}` is not one CloudFormation knows ({})",
                    CAPABILITIES.join(", ")
                ));
            }
        }
        let template = s.template.as_ref();
        match template.and_then(|t| t.get("Resources")) {
            Some(serde_json::Value::Object(r)) if r.is_empty() => {
                out.push(format!("stack {name}: its template's Resources is empty"));
            }
            Some(serde_json::Value::Object(r)) if r.len() > MAX_RESOURCES => out.push(format!(
                "stack {name}: {} resources, over CloudFormation's {MAX_RESOURCES}",
                r.len()
            )),
            Some(serde_json::Value::Object(_)) => {}
            Some(other) => out.push(format!(
                "stack {name}: its template's Resources must be a map of resources, not {}",
                kind(other)
            )),
            None => out.push(format!("stack {name}: its template has no Resources")),
        }
        if body.len() > MAX_TEMPLATE_BYTES {
            out.push(format!(
                "stack {name}: its template is {} bytes, over CloudFormation's {MAX_TEMPLATE_BYTES}",
                body.len()
            ));
        }
        let declared = template
            .and_then(|t| t.get("Parameters"))
            .and_then(|p| p.as_object());
        for p in s.parameters.keys() {
            if !declared.is_some_and(|d| d.contains_key(p)) {
                out.push(format!(
                    "stack {name}: parameter {p} is listed in the assembly but the template declares no such parameter"
                ));
            }
        }
    }
    out
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a map",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assembly::{StackArtifact, VERSION};

    #[test]
    fn stack_names() {
        assert!(stack_name_ok("backstage-pipeline"));
        assert!(!stack_name_ok("1stack"));
        assert!(!stack_name_ok("back_stage"));
        assert!(!stack_name_ok(&"a".repeat(129)));
    }

    fn one_stack(region: &str) -> (Assembly, Vec<String>) {
        let template = serde_json::json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}});
        let body = template.to_string();
        let assembly = Assembly {
            version: VERSION,
            generator: None,
            stacks: vec![StackArtifact {
                name: "s".into(),
                account: "123456789012".into(),
                region: region.into(),
                tags: Default::default(),
                capabilities: vec!["CAPABILITY_NAMED_IAM".into()],
                parameters: Default::default(),
                requires: Vec::new(),
                without_role: false,
                template_bytes: body.len(),
                resource_count: 1,
                template: Some(template),
                template_file: None,
            }],
        };
        (assembly, vec![body])
    }

    #[test]
    fn regions_must_exist() {
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "ap-southeast-2",
            "cn-northwest-1",
        ] {
            let (a, bodies) = one_stack(ok);
            assert_eq!(problems(&a, &bodies), Vec::<String>::new(), "{ok}");
        }
        for (bad, hint) in [
            ("mars-1", "(such as us-east-1)"),
            ("us-east", "(did you mean `us-east-1` or `us-east-2`?)"),
            ("US-EAST-1", "(did you mean `us-east-1`?)"),
            ("us-east-9", "(did you mean `us-east-1` or `us-east-2`?)"),
        ] {
            let (a, bodies) = one_stack(bad);
            assert_eq!(
                problems(&a, &bodies),
                [format!(
                    "stack s: region `{bad}` is not an AWS region name {hint}"
                )]
            );
        }
    }
}
