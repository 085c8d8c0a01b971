//! From a validated config to the assembly: both stacks, in deploy order.

use crate::{backstage_stack, limits, pipeline_stack};
use bs_core::assembly::{Assembly, Prerequisite, StackArtifact, VERSION};
use bs_core::config::Config;
use std::collections::BTreeMap;

pub const GENERATOR: &str = concat!("bs-synth ", env!("CARGO_PKG_VERSION"));

/// Named IAM roles need CAPABILITY_NAMED_IAM.
const CAPABILITIES: &[&str] = &["CAPABILITY_NAMED_IAM"];

pub fn stack_tags(c: &Config) -> Vec<(String, String)> {
    vec![
        ("Name".to_string(), c.stack_name.clone()),
        ("Product".to_string(), c.product.clone()),
    ]
}

fn artifact(
    c: &Config,
    name: String,
    template: crate::cfn::Template,
    parameters: BTreeMap<String, bs_core::assembly::DeployParameter>,
    requires: Vec<Prerequisite>,
) -> StackArtifact {
    let resource_count = template.resource_count();
    let template = crate::cfn::canonical(template.into_json());
    let template_bytes = template.to_string().len();
    StackArtifact {
        name,
        account: c.account.clone(),
        region: c.region.clone(),
        tags: stack_tags(c).into_iter().collect(),
        capabilities: CAPABILITIES.iter().map(|s| s.to_string()).collect(),
        parameters,
        requires,
        template_bytes,
        resource_count,
        template: Some(template),
        template_file: None,
    }
}

/// Both stacks: `<TAG_STACK_NAME>-pipeline` first, then `<TAG_STACK_NAME>`.
pub fn assembly(c: &Config) -> Assembly {
    let pipeline = artifact(
        c,
        c.pipeline_stack_name(),
        pipeline_stack::template(c),
        BTreeMap::new(),
        Vec::new(),
    );
    let backstage = artifact(
        c,
        c.stack_name.clone(),
        backstage_stack::template(c),
        backstage_stack::deploy_parameters(c),
        backstage_stack::prerequisites(c),
    );
    Assembly {
        version: VERSION,
        generator: Some(GENERATOR.to_string()),
        stacks: vec![pipeline, backstage],
    }
}

/// The limits each stack breaks: `(stack, problem)`.
pub fn limit_problems(a: &Assembly) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in &a.stacks {
        if let Some(t) = &s.template {
            for p in limits::check(t, s.template_bytes) {
                out.push((s.name.clone(), p));
            }
        }
    }
    out
}
