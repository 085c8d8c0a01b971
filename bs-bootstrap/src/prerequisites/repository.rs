//! The ECR repository the stages pull from: ECR_REPO_NAME, or else
//! CONTAINER_NAME. bs-bootstrap owns it and creates it when it does not exist;
//! the stacks only refer to it (a repository the stack created and retained
//! would make the next create of the stack fail), and bs-deploy checks it
//! exists before it changes anything.

use super::{Clients, Prerequisite, State};
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, Tag,
};
use bs_aws::error;
use bs_aws::Error;
use bs_core::config::Config;
use bs_core::names;

const KIND: &str = "ecr-repository";

/// Untagged images expire after 14 days; tagged ones, which stages may run, never.
pub const LIFECYCLE_POLICY: &str = r#"{"rules":[{"rulePriority":1,"description":"Expire untagged images after 14 days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}"#;

pub async fn ensure(
    clients: &Clients,
    config: &Config,
    check_only: bool,
) -> Result<Prerequisite, Error> {
    let name = &names::repository(config.ecr_repo_name.as_deref(), &config.container_name);
    let ecr = &clients.base.ecr;
    match ecr
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
    {
        Ok(out) => {
            let scan = out
                .repositories()
                .first()
                .and_then(|r| r.image_scanning_configuration())
                .is_some_and(|s| s.scan_on_push());
            let detail = if scan {
                "exists, scan on push"
            } else {
                "exists (scan on push is off: consider turning it on)"
            };
            return Ok(Prerequisite::new(KIND, name, State::Present, detail));
        }
        Err(e) if error::code(&e) == Some("RepositoryNotFoundException") => {}
        Err(e) => {
            return Err(error::aws(
                &format!("reading the ECR repository {name}"),
                &e,
            ))
        }
    }
    if check_only {
        return Ok(
            Prerequisite::new(KIND, name, State::Missing, "does not exist")
                .fix("run bs-bootstrap without --check to create it"),
        );
    }
    let tags = [
        ("Name", config.stack_name.as_str()),
        ("Product", config.product.as_str()),
    ]
    .iter()
    .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
    .collect::<Result<Vec<_>, _>>()
    .map_err(|e| Error::Aws(format!("building ECR tags: {e}")))?;
    ecr.create_repository()
        .repository_name(name)
        .image_scanning_configuration(
            ImageScanningConfiguration::builder()
                .scan_on_push(true)
                .build(),
        )
        .encryption_configuration(
            EncryptionConfiguration::builder()
                .encryption_type(EncryptionType::Kms)
                .build()
                .map_err(|e| Error::Aws(format!("building the ECR encryption: {e}")))?,
        )
        .set_tags(Some(tags))
        .send()
        .await
        .map_err(|e| error::aws(&format!("creating the ECR repository {name}"), &e))?;
    ecr.put_lifecycle_policy()
        .repository_name(name)
        .lifecycle_policy_text(LIFECYCLE_POLICY)
        .send()
        .await
        .map_err(|e| error::aws(&format!("setting the lifecycle policy of {name}"), &e))?;
    Ok(Prerequisite::new(
        KIND,
        name,
        State::Created,
        "scan on push, KMS encryption, untagged images expire after 14 days",
    ))
}
