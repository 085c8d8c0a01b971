//! The ECR repository named by ECR_REPO_NAME, when it does not exist yet.
//! (Without ECR_REPO_NAME the backstage stack creates its own.)

use super::{Clients, Prerequisite, State};
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, Tag,
};
use bs_aws::error;
use bs_aws::Error;
use bs_core::config::Config;

const KIND: &str = "ecr-repository";

/// Untagged images expire after 14 days; tagged ones, which stages may run, never.
pub const LIFECYCLE_POLICY: &str = r#"{"rules":[{"rulePriority":1,"description":"Expire untagged images after 14 days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}"#;

pub async fn ensure(
    clients: &Clients,
    config: &Config,
    check_only: bool,
) -> Result<Option<Prerequisite>, Error> {
    let Some(name) = &config.ecr_repo_name else {
        return Ok(None);
    };
    let ecr = &clients.ecr;
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
            return Ok(Some(Prerequisite::new(KIND, name, State::Present, detail)));
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
        return Ok(Some(
            Prerequisite::new(KIND, name, State::Missing, "does not exist")
                .fix("run bs-bootstrap without --check to create it"),
        ));
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
    Ok(Some(Prerequisite::new(
        KIND,
        name,
        State::Created,
        "scan on push, KMS encryption, untagged images expire after 14 days",
    )))
}
