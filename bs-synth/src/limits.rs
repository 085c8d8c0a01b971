//! CloudFormation and CodePipeline limits a synthesized stack must respect,
//! checked before anything is printed.

use serde_json::Value;

pub const MAX_RESOURCES: usize = 500;
pub const MAX_PARAMETERS: usize = 200;
pub const MAX_OUTPUTS: usize = 200;
/// A template body read from S3.
pub const MAX_TEMPLATE_BYTES: usize = 1_048_576;
/// A template body passed inline; larger ones go through a bucket (bs-deploy does it).
pub const INLINE_TEMPLATE_BYTES: usize = 51_200;
pub const MAX_PIPELINE_STAGES: usize = 50;

fn count(template: &Value, section: &str) -> usize {
    template
        .get(section)
        .and_then(Value::as_object)
        .map_or(0, |m| m.len())
}

/// Every limit `template` (of `bytes` minified bytes) breaks, as sentences.
pub fn check(template: &Value, bytes: usize) -> Vec<String> {
    let mut out = Vec::new();
    let resources = count(template, "Resources");
    if resources > MAX_RESOURCES {
        out.push(format!(
            "it has {resources} resources; CloudFormation allows {MAX_RESOURCES} per stack (use fewer stages)"
        ));
    }
    if bytes > MAX_TEMPLATE_BYTES {
        out.push(format!(
            "its template is {bytes} bytes; CloudFormation allows {MAX_TEMPLATE_BYTES}"
        ));
    }
    let parameters = count(template, "Parameters");
    if parameters > MAX_PARAMETERS {
        out.push(format!(
            "it has {parameters} parameters; CloudFormation allows {MAX_PARAMETERS}"
        ));
    }
    let outputs = count(template, "Outputs");
    if outputs > MAX_OUTPUTS {
        out.push(format!(
            "it has {outputs} outputs; CloudFormation allows {MAX_OUTPUTS}"
        ));
    }
    if let Some(resources) = template.get("Resources").and_then(Value::as_object) {
        for (id, r) in resources {
            if r["Type"] == "AWS::CodePipeline::Pipeline" {
                let stages = r["Properties"]["Stages"].as_array().map_or(0, Vec::len);
                if stages > MAX_PIPELINE_STAGES {
                    out.push(format!(
                        "pipeline {id} has {stages} stages; CodePipeline allows {MAX_PIPELINE_STAGES}"
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn within_limits() {
        assert!(check(
            &json!({"Resources": {"A": {"Type": "AWS::S3::Bucket"}}}),
            100
        )
        .is_empty());
    }

    #[test]
    fn over_limits() {
        let resources: serde_json::Map<String, Value> = (0..501)
            .map(|i| (format!("R{i}"), json!({"Type": "AWS::SNS::Topic"})))
            .collect();
        let problems = check(&json!({"Resources": resources}), MAX_TEMPLATE_BYTES + 1);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("501 resources"));
        assert!(problems[1].contains("bytes"));
    }
}
