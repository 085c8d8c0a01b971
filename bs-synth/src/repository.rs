//! The image repository: ECR_REPO_NAME, or else CONTAINER_NAME
//! ([`bs_core::names::repository`]). It is a prerequisite that bs-bootstrap
//! creates and owns, never a resource of the stack: a repository holds the
//! images stages run and roll back to, so it must outlive the stack, and one
//! the stack created and retained would make the next create of the stack fail
//! ("The repository with name '…' already exists"). The stack refers to it by
//! name, and the assembly lists it as a prerequisite that bs-deploy checks
//! before its first change.

use crate::cfn::{arn, sub, Template};
use bs_core::assembly::Prerequisite;
use bs_core::config::Config;
use bs_core::names;
use serde_json::Value;

pub fn name(c: &Config) -> String {
    names::repository(c.ecr_repo_name.as_deref(), &c.container_name)
}

/// The outputs bs-promote and scripts read the repository from.
pub fn add(t: &mut Template, c: &Config) {
    t.output("RepositoryUri", "The image repository", repository_uri(c));
    t.output(
        "RepositoryName",
        "The image repository (bs-bootstrap creates it)",
        Value::String(name(c)),
    );
}

/// What must exist before the stack is deployed.
pub fn prerequisite(c: &Config) -> Prerequisite {
    Prerequisite::EcrRepository { name: name(c) }
}

pub fn repository_arn(c: &Config) -> Value {
    arn("ecr", &format!("repository/{}", name(c)))
}

pub fn repository_uri(c: &Config) -> Value {
    sub(&format!(
        "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{}",
        name(c)
    ))
}
