//! Container image references, and their digests in ECR.

use crate::error::aws;
use crate::Error;
use serde::{Deserialize, Serialize};

/// `registry/repository[:tag][@digest]`, split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    /// `111122223333.dkr.ecr.eu-west-1.amazonaws.com` (empty for a bare name).
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(image: &str) -> Option<ImageRef> {
        let image = image.trim();
        if image.is_empty() || image.chars().any(char::is_whitespace) {
            return None;
        }
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) if d.starts_with("sha256:") && d.len() == 71 => (n, Some(d.to_string())),
            Some(_) => return None,
            None => (image, None),
        };
        // A tag is after the last colon that follows the last slash (a registry
        // may have a port).
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (
                &name[..last_slash + i],
                Some(name[last_slash + i + 1..].to_string()),
            ),
            None => (name, None),
        };
        if tag.as_deref() == Some("") || path.is_empty() {
            return None;
        }
        let (registry, repository) = match path.split_once('/') {
            Some((r, rest)) if r.contains('.') || r.contains(':') || r == "localhost" => {
                (r.to_string(), rest.to_string())
            }
            _ => (String::new(), path.to_string()),
        };
        Some(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `registry/repository` (no tag or digest).
    pub fn name(&self) -> String {
        if self.registry.is_empty() {
            self.repository.clone()
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }

    /// The reference pinned to `digest`: `registry/repository@sha256:…`.
    pub fn pinned(&self, digest: &str) -> String {
        format!("{}@{digest}", self.name())
    }

    /// The account of an ECR registry (`111122223333.dkr.ecr.…`).
    pub fn ecr_account(&self) -> Option<&str> {
        let (account, rest) = self.registry.split_once('.')?;
        (rest.starts_with("dkr.ecr.")
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit()))
        .then_some(account)
    }
}

/// What ECR knows of an image: its digest and tags, or that it is not there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcrImage {
    pub digest: String,
    pub tags: Vec<String>,
    /// Seconds since the epoch.
    pub pushed_at: Option<i64>,
}

/// Looks the image (by digest, else by tag) up in its ECR repository.
/// `Ok(None)`: the repository or the image does not exist.
pub async fn lookup(
    ecr: &aws_sdk_ecr::Client,
    image: &ImageRef,
) -> Result<Option<EcrImage>, Error> {
    let id = aws_sdk_ecr::types::ImageIdentifier::builder()
        .set_image_digest(image.digest.clone())
        .set_image_tag(if image.digest.is_none() {
            Some(image.tag.clone().unwrap_or_else(|| "latest".into()))
        } else {
            None
        })
        .build();
    let mut call = ecr
        .describe_images()
        .repository_name(&image.repository)
        .image_ids(id);
    if let Some(account) = image.ecr_account() {
        call = call.registry_id(account);
    }
    match call.send().await {
        Ok(out) => Ok(out.image_details().first().map(|d| EcrImage {
            digest: d.image_digest().unwrap_or_default().to_string(),
            tags: d.image_tags().to_vec(),
            pushed_at: d.image_pushed_at().map(|t| t.secs()),
        })),
        Err(e)
            if matches!(
                crate::error::code(&e),
                Some("ImageNotFoundException" | "RepositoryNotFoundException")
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(aws("ecr:DescribeImages", &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_ecr_references() {
        let r = ImageRef::parse("111122223333.dkr.ecr.eu-west-1.amazonaws.com/backstage:abc1234")
            .unwrap();
        assert_eq!(r.registry, "111122223333.dkr.ecr.eu-west-1.amazonaws.com");
        assert_eq!(r.repository, "backstage");
        assert_eq!(r.tag.as_deref(), Some("abc1234"));
        assert_eq!(r.ecr_account(), Some("111122223333"));
        let pinned =
            format!("111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/backstage@{DIGEST}");
        let r = ImageRef::parse(&pinned).unwrap();
        assert_eq!(
            (r.repository.as_str(), r.tag.as_deref(), r.digest.as_deref()),
            ("team/backstage", None, Some(DIGEST))
        );
        assert_eq!(r.pinned(DIGEST), pinned);
    }

    #[test]
    fn registry_ports_bare_names_and_nonsense() {
        let r = ImageRef::parse("localhost:5000/app:1.2").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("localhost:5000", "app", Some("1.2"))
        );
        let r = ImageRef::parse("backstage").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.tag.as_deref(), r.ecr_account()),
            ("", None, None)
        );
        for bad in ["", "a b", "repo:", "repo@sha256:short", "repo@md5:x"] {
            assert_eq!(ImageRef::parse(bad), None, "{bad}");
        }
    }
}
