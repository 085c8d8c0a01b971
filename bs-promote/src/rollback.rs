//! `--rollback STAGE`: the image the stage ran before its last promotion,
//! from the history of its task definition family (ECS keeps deregistered
//! revisions, INACTIVE, indefinitely).

use crate::target::{self, Resolved};
use crate::Clients;
use bs_aws::image::ImageRef;
use bs_aws::service;
use bs_aws::Error;
use bs_core::config::{Config, Stage};

/// The revisions older than the one the stage runs, newest first: the first
/// whose image differs from the running one (by digest) is the target. Also
/// gives the stage's service as it was read, so it is not asked for twice.
pub async fn target(
    clients: &Clients,
    c: &Config,
    stage: &Stage,
    requested: Option<&str>,
    repository: &ImageRef,
) -> Result<(Resolved, service::ServiceState), Error> {
    let (svc, current) = target::running(clients, c, stage, requested).await?;
    let current_ref = ImageRef::parse(&current);
    let current_digest = match current_ref.as_ref().and_then(|r| r.digest.clone()) {
        Some(d) => Some(d),
        None => match &current_ref {
            Some(r) => bs_aws::image::lookup(&clients.base.ecr, r)
                .await?
                .map(|found| found.digest),
            None => None,
        },
    };
    let running_revision = service::revision(&svc.task_definition).unwrap_or(u32::MAX);
    let family = service::family(&svc.task_definition).to_string();
    let revisions = service::revisions(&clients.ecs, &family).await?;
    for arn in revisions
        .iter()
        .filter(|a| service::revision(a).is_some_and(|r| r < running_revision))
    {
        let Some(image) = service::image(&clients.ecs, arn, &c.container_name).await? else {
            continue;
        };
        let Some(wanted) = ImageRef::parse(&image) else {
            continue;
        };
        if image == current
            || wanted.tag.as_deref() == Some(bs_core::names::PLACEHOLDER_IMAGE_TAG)
            || (wanted.digest.is_some() && wanted.digest == current_digest)
        {
            continue;
        }
        let revision = service::revision(arn).unwrap_or_default();
        let from = format!(
            "stage {} ran {image} before (task definition {family}:{revision})",
            stage.name
        );
        let resolved = target::resolve(clients, repository, &wanted, &from).await?;
        if Some(&resolved.digest) == current_digest.as_ref() {
            continue;
        }
        let resolved = Resolved {
            from: format!("task definition {family}:{revision}"),
            ..resolved
        };
        return Ok((resolved, svc));
    }
    Err(Error::Input(format!(
        "--rollback {}: the stage ran no other image before {current} (task definition family {family}, {} revision(s) looked at): nothing to roll back to",
        stage.name,
        revisions.len()
    )))
}
