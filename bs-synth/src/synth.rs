//! From a validated config to the assembly: the three stacks, in deploy order.

use crate::{backstage_stack, bootstrap_stack, limits, pipeline_stack};
use bs_core::assembly::{Assembly, Prerequisite, StackArtifact, VERSION};
use bs_core::config::Config;
use bs_core::names;
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
    template: serde_json::Value,
    parameters: BTreeMap<String, bs_core::assembly::DeployParameter>,
    requires: Vec<Prerequisite>,
) -> StackArtifact {
    let resource_count = template["Resources"].as_object().map_or(0, |r| r.len());
    let template_bytes = template.to_string().len();
    StackArtifact {
        name,
        account: c.account.clone(),
        region: c.region.clone(),
        tags: stack_tags(c).into_iter().collect(),
        capabilities: CAPABILITIES.iter().map(|s| s.to_string()).collect(),
        parameters,
        requires,
        without_role: false,
        template_bytes,
        resource_count,
        template: Some(template),
        template_file: None,
    }
}

/// The three stacks, in deploy order: `<TAG_STACK_NAME>-bootstrap` (roles,
/// boundary, artifact bucket: deployed with the caller's credentials),
/// `<TAG_STACK_NAME>-pipeline`, then `<TAG_STACK_NAME>`. The last two require
/// the bootstrap stack as made from the same config (its digest).
pub fn assembly(c: &Config) -> Assembly {
    let pipeline_template = crate::cfn::canonical(pipeline_stack::template(c).into_json());
    let backstage_template = crate::cfn::canonical(backstage_stack::template(c).into_json());
    let bootstrap_template = bootstrap_stack::template(c, &pipeline_template, &backstage_template);
    let bootstrap_name = names::bootstrap_stack(&c.stack_name);
    let made_with = Prerequisite::StackOutput {
        stack: bootstrap_name.clone(),
        output: names::BOOTSTRAP_DIGEST_OUTPUT.to_string(),
        value: bootstrap_stack::carried_digest(&bootstrap_template)
            .unwrap_or_default()
            .to_string(),
    };
    let mut bootstrap = artifact(
        c,
        bootstrap_name,
        bootstrap_template,
        BTreeMap::new(),
        Vec::new(),
    );
    bootstrap.without_role = true;
    let pipeline = artifact(
        c,
        c.pipeline_stack_name(),
        pipeline_template,
        BTreeMap::new(),
        vec![made_with.clone()],
    );
    let mut requires = vec![made_with];
    requires.extend(backstage_stack::prerequisites(c));
    let backstage = artifact(
        c,
        c.stack_name.clone(),
        backstage_template,
        backstage_stack::deploy_parameters(c),
        requires,
    );
    Assembly {
        version: VERSION,
        generator: Some(GENERATOR.to_string()),
        stacks: vec![bootstrap, pipeline, backstage],
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
