//! Stack 1, `<TAG_STACK_NAME>-bootstrap`: what no pipeline may change.
//!
//! The role CloudFormation assumes for the other two stacks (its permissions
//! derived from their templates), the permissions boundary of every role those
//! stacks create, the infrastructure pipeline's roles and its artifact bucket.
//! bs-bootstrap deploys it with the caller's (administrator's) credentials;
//! the pipeline's own roles can only read it. Its `Digest` output names the
//! version of it the other stacks were made with: bs-deploy checks it before
//! deploying them, so a config change that needs new permissions says "run
//! bs-bootstrap" instead of failing halfway.

mod boundary;
mod cloudformation_role;
mod pipeline_roles;

use crate::cfn::{canonical, r, Template};
use crate::{artifact_bucket, pipeline_stack, stack_tags};
use bs_core::config::Config;
use bs_core::digest::fnv64;
use bs_core::names;
use serde_json::{json, Value};

pub use cloudformation_role::{ID as CLOUDFORMATION_ROLE, POLICY_LIMIT};

/// The template, canonical, with its `Digest` output; `deployed` are the
/// templates of the stacks the CloudFormation role deploys (pipeline,
/// backstage).
pub fn template(c: &Config, pipeline: &Value, backstage: &Value) -> Value {
    let stack = &c.stack_name;
    let mut t = Template::new(
        format!(
            "bs toolkit: the roles, permissions boundary and artifact bucket of {stack}'s pipelines (deployed by bs-bootstrap, never by a pipeline)"
        ),
        stack_tags(c),
    );
    let bucket = pipeline_stack::ARTIFACT_BUCKET;
    artifact_bucket::add(&mut t, bucket);
    t.export(
        "ArtifactBucketName",
        "The infrastructure pipeline's artifact bucket",
        r(bucket),
        &names::artifact_bucket_export(stack),
    );
    boundary::add(&mut t, c, &[backstage]);
    cloudformation_role::add(&mut t, c, &[pipeline, backstage]);
    pipeline_roles::add(&mut t, c);
    with_digest(canonical(t.into_json()))
}

/// The template's digest, as an output of the template itself.
pub fn digest(template: &Value) -> String {
    format!("{:016x}", fnv64(&[template.to_string().as_bytes()]))
}

fn with_digest(mut template: Value) -> Value {
    let digest = digest(&template);
    template["Outputs"][names::BOOTSTRAP_DIGEST_OUTPUT] = json!({
        "Description": "The version of this stack (bs-deploy checks the other stacks were made with it)",
        "Value": digest
    });
    canonical(template)
}

/// The digest a template made by [`template`] carries.
pub fn carried_digest(template: &Value) -> Option<&str> {
    template["Outputs"][names::BOOTSTRAP_DIGEST_OUTPUT]["Value"].as_str()
}
