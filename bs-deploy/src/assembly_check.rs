//! Everything about an assembly that can be checked without AWS, checked before
//! the first call: what CloudFormation would refuse after seconds of retries is
//! refused here at once (exit 2), every problem listed, in words of the
//! assembly, never of Rust types.

use bs_aws::Error;
use bs_core::assembly::Assembly;
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

/// A region name's shape (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`).
fn region_ok(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
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
        if !region_ok(&s.region) {
            out.push(format!(
                "stack {name}: region `{}` is not an AWS region name (such as us-east-1)",
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

/// [`problems`] as one error, or none.
pub fn check(assembly: &Assembly, bodies: &[String], origin: &str) -> Result<(), Error> {
    let found = problems(assembly, bodies);
    match found.len() {
        0 => Ok(()),
        1 => Err(Error::Input(format!("{origin}: {}", found[0]))),
        n => Err(Error::Input(format!(
            "{origin}: {n} problems:\n  {}",
            found.join("\n  ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_regions() {
        assert!(stack_name_ok("backstage-pipeline"));
        assert!(!stack_name_ok("1stack"));
        assert!(!stack_name_ok("back_stage"));
        assert!(!stack_name_ok(&"a".repeat(129)));
        assert!(region_ok("us-east-1"));
        assert!(region_ok("us-gov-west-1"));
        assert!(region_ok("ap-southeast-2"));
        assert!(!region_ok("mars-1"));
        assert!(!region_ok("us-east"));
        assert!(!region_ok("US-EAST-1"));
    }
}
