//! Stack 2, `<TAG_STACK_NAME>-pipeline`: the infrastructure pipeline.
//!
//! Source (the infra repo) → Synth (CodeBuild runs the repo's
//! `infra-buildspec.yml`: `bs-synth --out`, plus the bs binaries) → UpdatePipeline
//! (`bs-deploy` of this stack: self-update) → Deploy (`bs-deploy` of the
//! backstage stack).
//!
//! Its roles and artifact bucket are the bootstrap stack's: what the pipeline
//! deploys itself never includes the permissions it runs with.
//!
//! The deploy stages run `bs-deploy` in CodeBuild rather than CodePipeline's
//! CloudFormation action: that action sets every parameter it is not given back
//! to the template default, which would reset each stage's image input on every
//! infrastructure change. `bs-deploy` keeps previous values, resolves the hosted
//! zone ids, and reports failures the same way on a laptop and in the pipeline.

mod pipeline;

pub use pipeline::{
    deploy_project, pipeline_role_statements, source_action, synth_project, ARTIFACT_BUCKET,
};

use crate::cfn::Template;
use crate::stack_tags;
use bs_core::config::Config;

pub fn template(c: &Config) -> Template {
    let mut t = Template::new(
        format!(
            "bs toolkit: the infrastructure pipeline of {} (updates itself, then deploys stack {})",
            c.stack_name, c.stack_name
        ),
        stack_tags(c),
    );
    pipeline::add(&mut t, c);
    t
}
