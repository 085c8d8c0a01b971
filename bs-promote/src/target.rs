//! Which image a stage gets: a given one, or the one the stage before it runs,
//! always resolved in ECR to the digest that is deployed.

use crate::plan::ImageArg;
use crate::Clients;
use bs_aws::image::{self, ImageRef};
use bs_aws::service;
use bs_aws::Error;
use bs_core::config::{Config, Stage};
use bs_core::names;

/// An image found in ECR, ready to deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `registry/repository@sha256:…`: what the stack parameter gets.
    pub image: String,
    pub digest: String,
    /// Its tags in ECR.
    pub tags: Vec<String>,
    /// Where it came from, for messages ("--image v1", "stage test").
    pub from: String,
}

/// The stack's repository, from its `RepositoryUri` output.
pub fn repository(uri: &str) -> Result<ImageRef, Error> {
    ImageRef::parse(uri).ok_or_else(|| {
        Error::Input(format!(
            "the stack's RepositoryUri output ({uri}) is not a repository URI"
        ))
    })
}

/// Finds `wanted` in ECR; it must be in the stack's repository, the one every
/// stage's task execution role may pull from.
pub async fn resolve(
    clients: &Clients,
    repository: &ImageRef,
    wanted: &ImageRef,
    from: &str,
) -> Result<Resolved, Error> {
    if wanted.name() != repository.name() {
        return Err(Error::Input(format!(
            "{from}: {} is not in the stack's ECR repository {}, the only one the stages may pull from",
            wanted.name(),
            repository.name()
        )));
    }
    let found = image::lookup(&clients.base.ecr, wanted)
        .await?
        .ok_or_else(|| {
            Error::Input(format!(
                "{from}: ECR repository {} has no image {}",
                repository.name(),
                match (&wanted.digest, &wanted.tag) {
                    (Some(d), _) => d.clone(),
                    (None, Some(t)) => format!("tagged {t}"),
                    (None, None) => "tagged latest".into(),
                }
            ))
        })?;
    Ok(Resolved {
        image: wanted.pinned(&found.digest),
        digest: found.digest,
        tags: found.tags,
        from: from.to_string(),
    })
}

/// `--image`: a tag or digest of the stack's repository, or a URI in it.
pub async fn given(
    clients: &Clients,
    repository: &ImageRef,
    arg: &ImageArg,
) -> Result<Resolved, Error> {
    // A tag or a digest (shapes checked by the plan) of the stack's repository.
    let wanted = match arg {
        ImageArg::Tag(t) => ImageRef {
            tag: Some(t.clone()),
            digest: None,
            ..repository.clone()
        },
        ImageArg::Digest(d) => ImageRef {
            tag: None,
            digest: Some(d.clone()),
            ..repository.clone()
        },
        ImageArg::Uri(r) => r.clone(),
    };
    resolve(clients, repository, &wanted, &format!("--image {arg}")).await
}

/// What a stage's service runs now: its state and the image of its primary
/// deployment's task definition. Refuses a stage that runs nothing.
pub async fn running(
    clients: &Clients,
    c: &Config,
    stage: &Stage,
    requested: Option<&str>,
) -> Result<(service::ServiceState, String), Error> {
    let cluster = names::cluster(&c.stack_name);
    let name = names::service(&c.stack_name, &stage.name);
    let nothing = |why: String| Error::Input(format!("stage {} runs nothing: {why}", stage.name));
    if requested.is_some_and(str::is_empty) {
        return Err(nothing(format!(
            "no image was promoted to it yet (its stack parameter {} is empty)",
            names::stack_keys::image_parameter(&stage.id)
        )));
    }
    let svc = service::describe(&clients.ecs, &cluster, std::slice::from_ref(&name))
        .await?
        .pop()
        .flatten()
        .ok_or_else(|| nothing(format!("cluster {cluster} has no service {name}")))?;
    if svc.desired == 0 {
        return Err(nothing(format!("its service {name} is scaled to 0 tasks")));
    }
    let image = service::image(&clients.ecs, &svc.task_definition, &c.container_name)
        .await?
        .ok_or_else(|| {
            nothing(format!(
                "task definition {} of service {name} names no image for container {}",
                svc.task_definition, c.container_name
            ))
        })?;
    Ok((svc, image))
}

/// `--to STAGE` without `--image`: the image the stage before it runs now.
pub async fn from_stage(
    clients: &Clients,
    c: &Config,
    source: &Stage,
    requested: Option<&str>,
    repository: &ImageRef,
) -> Result<Resolved, Error> {
    let (_, image) = running(clients, c, source, requested).await?;
    let from = format!("stage {}", source.name);
    let wanted = ImageRef::parse(&image).ok_or_else(|| {
        Error::Input(format!(
            "{from} runs {image}, which is not an image reference"
        ))
    })?;
    resolve(
        clients,
        repository,
        &wanted,
        &format!("{from} (which runs {image})"),
    )
    .await
}
