//! Stack 1, `<TAG_STACK_NAME>-pipeline`: the infrastructure pipeline.
//!
//! Source (the infra repo) → Synth (CodeBuild runs the repo's
//! `infra-buildspec.yml`: `bs-synth --out`, plus the bs binaries) → UpdatePipeline
//! (`bs-deploy` of this stack: self-update) → Deploy (`bs-deploy` of the
//! backstage stack).
//!
//! The deploy stages run `bs-deploy` in CodeBuild rather than CodePipeline's
//! CloudFormation action: that action sets every parameter it is not given back
//! to the template default, which would reset each stage's image input on every
//! infrastructure change. `bs-deploy` keeps previous values, resolves the hosted
//! zone ids, and reports failures the same way on a laptop and in the pipeline.

mod cloudformation_role;
mod pipeline;

pub use pipeline::source_action;

use crate::cfn::Template;
use crate::{artifact_bucket, stack_tags};
use bs_core::config::Config;

pub const ARTIFACT_BUCKET: &str = "ArtifactBucket";

pub fn template(c: &Config) -> Template {
    let mut t = Template::new(
        format!(
            "bs toolkit: the infrastructure pipeline of {} (updates itself, then deploys stack {})",
            c.stack_name, c.stack_name
        ),
        stack_tags(c),
    );
    artifact_bucket::add(&mut t, ARTIFACT_BUCKET);
    cloudformation_role::add(&mut t, c);
    pipeline::add(&mut t, c);
    t
}
