//! The image repository: created (named after CONTAINER_NAME), or an existing one
//! named by ECR_REPO_NAME.

use crate::cfn::{arn, get_att, sub, Template};
use bs_core::config::Config;
use serde_json::{json, Value};

pub const REPOSITORY: &str = "Repository";

/// Untagged images (layers left behind when `latest` moves) expire; tagged ones,
/// which stages may run, are never expired by the stack.
const LIFECYCLE_POLICY: &str = r#"{"rules":[{"rulePriority":1,"description":"Expire untagged images after 14 days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}"#;

pub fn add(t: &mut Template, c: &Config) {
    if c.ecr_repo_name.is_some() {
        return;
    }
    t.resource(
        REPOSITORY,
        "AWS::ECR::Repository",
        json!({
            "RepositoryName": c.container_name,
            "ImageScanningConfiguration": {"ScanOnPush": true},
            "ImageTagMutability": "MUTABLE",
            "EncryptionConfiguration": {"EncryptionType": "KMS"},
            "LifecyclePolicy": {"LifecyclePolicyText": LIFECYCLE_POLICY}
        }),
    )
    // Images outlive the stack: a stage's rollback target must not vanish with it.
    .keep_on_delete("Retain")
    .accept_checkov(&[("CKV_AWS_51", "The build moves the `latest` tag, which it uses as the Docker cache source; stages run images by digest, which cannot move.")]);
    t.output("RepositoryUri", "The image repository", repository_uri(c));
}

pub fn repository_arn(c: &Config) -> Value {
    match &c.ecr_repo_name {
        Some(name) => arn("ecr", &format!("repository/{name}")),
        None => get_att(REPOSITORY, "Arn"),
    }
}

pub fn repository_uri(c: &Config) -> Value {
    match &c.ecr_repo_name {
        Some(name) => sub(&format!(
            "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{name}"
        )),
        None => get_att(REPOSITORY, "RepositoryUri"),
    }
}
