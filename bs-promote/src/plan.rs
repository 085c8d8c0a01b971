//! Everything bs-promote can check before its first AWS call: the config, which
//! stage, what to do to it, and the shape of `--image`.

use crate::cli::Args;
use bs_aws::deploy::Options;
use bs_aws::image::ImageRef;
use bs_aws::Error;
use bs_core::config::{Config, Stage};
use std::io::Write;
use std::time::Duration;

/// PutApprovalResult takes a summary of at most 512 characters.
pub const MAX_REASON_CHARS: usize = 512;

/// What the run will do, checked.
#[derive(Debug, Clone)]
pub struct Plan {
    pub config: Config,
    /// The config file, as named in messages.
    pub file: String,
    /// The stage acted on: an index into `config.stages`.
    pub stage: usize,
    pub action: Action,
    /// Poll, timeout and `--role-arn` (the stack's own role when `None`).
    pub options: Options,
}

impl Plan {
    pub fn stage(&self) -> &Stage {
        &self.config.stages[self.stage]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `--to`: from the stage before, or a given image.
    Promote(Source),
    Rollback,
    Approve,
    /// `--reject` with its reason.
    Reject(String),
}

impl Action {
    /// The action's name in the report.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Promote(_) => "promote",
            Action::Rollback => "rollback",
            Action::Approve => "approve",
            Action::Reject(_) => "reject",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The image the stage at this index (the one before) runs now.
    Stage(usize),
    Image(ImageArg),
}

/// `--image`, by form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageArg {
    /// A tag of the stack's repository.
    Tag(String),
    /// `sha256:…` in the stack's repository.
    Digest(String),
    /// A full reference.
    Uri(ImageRef),
}

impl std::fmt::Display for ImageArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageArg::Tag(t) => f.write_str(t),
            ImageArg::Digest(d) => f.write_str(d),
            ImageArg::Uri(r) => {
                f.write_str(&r.name())?;
                if let Some(t) = &r.tag {
                    write!(f, ":{t}")?;
                }
                if let Some(d) = &r.digest {
                    write!(f, "@{d}")?;
                }
                Ok(())
            }
        }
    }
}

fn is_digest(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Docker's tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn is_tag(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// Reads `--image`: a tag, a digest, or an ECR URI of the config's account and
/// region.
pub fn image_arg(value: &str, c: &Config) -> Result<ImageArg, Error> {
    let value = value.trim();
    if is_digest(value) {
        return Ok(ImageArg::Digest(value.to_string()));
    }
    if is_tag(value) {
        return Ok(ImageArg::Tag(value.to_string()));
    }
    let registry = bs_core::names::ecr_registry(&c.account, &c.region);
    let bad = |why: &str| {
        Error::Input(format!(
            "--image {value}: {why}; give a tag of the stack's ECR repository (v1.2.3), a digest \
             (sha256:…), or a full URI ({registry}/<repository>:<tag> or @sha256:…)"
        ))
    };
    let r = ImageRef::parse(value).ok_or_else(|| bad("not an image reference"))?;
    if r.registry.is_empty() {
        return Err(bad("names no registry"));
    }
    if r.registry != registry {
        return Err(bad(&format!(
            "not in the ECR registry of the config's account and region ({registry})"
        )));
    }
    if r.tag.is_none() && r.digest.is_none() {
        return Err(bad(
            "names neither a tag nor a digest (bs-promote never guesses `latest`)",
        ));
    }
    Ok(ImageArg::Uri(r))
}

/// Checks the flags and the config; names the flag or key at fault. The
/// config's warnings go to `err`.
pub fn plan(args: &Args, err: &mut dyn Write) -> Result<Plan, Error> {
    bs_aws::cli::check_poll_interval(args.poll_interval)?;
    bs_aws::cli::check_timeout(args.timeout)?;
    if let Some(arn) = &args.role_arn {
        bs_aws::cli::check_role_arn(arn)?;
    }
    if args.image.is_some() && args.to.is_none() {
        return Err(Error::Input(
            "--image: only --to takes an image (--rollback finds its own)".into(),
        ));
    }
    if args.reason.is_some() && args.reject.is_none() {
        return Err(Error::Input(
            "--reason: only --reject takes a reason".into(),
        ));
    }
    let (flag, name) = match (&args.to, &args.rollback, &args.approve, &args.reject) {
        (Some(s), _, _, _) => ("--to", s),
        (_, Some(s), _, _) => ("--rollback", s),
        (_, _, Some(s), _) => ("--approve", s),
        (_, _, _, Some(s)) => ("--reject", s),
        // clap requires exactly one of them.
        _ => {
            return Err(Error::Input(
                "give one of --to, --rollback, --approve, --reject".into(),
            ))
        }
    };
    let c = bs_aws::cli::load_config(&args.config, err)?;
    let file = args.config.display().to_string();
    let Some(index) = c.stages.iter().position(|s| &s.name == name) else {
        let known: Vec<&str> = c.stages.iter().map(|s| s.name.as_str()).collect();
        return Err(Error::Input(format!(
            "{flag} {name}: {file} has no such stage (it has {})",
            known.join(", ")
        )));
    };
    let stage = &c.stages[index];
    let action = if args.to.is_some() {
        match &args.image {
            Some(i) => Action::Promote(Source::Image(image_arg(i, &c)?)),
            None if index == 0 => {
                return Err(Error::Input(format!(
                    "--to {name}: {name} is the first stage of {file}, so no stage before it has an image to give: pass --image URI|TAG"
                )))
            }
            None => Action::Promote(Source::Stage(index - 1)),
        }
    } else if args.rollback.is_some() {
        Action::Rollback
    } else {
        if !stage.approval {
            return Err(Error::Input(format!(
                "{flag} {name}: stage {name} has no approval gate (STAGE_APPROVAL is not true for it in {file}), so no approval ever waits in front of it"
            )));
        }
        match (&args.reject, &args.reason) {
            (None, _) => Action::Approve,
            (Some(_), None) => {
                return Err(Error::Input(format!(
                    "--reject {name}: --reason TEXT is required (the pipeline shows why)"
                )))
            }
            (Some(_), Some(reason)) => {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(Error::Input("--reason: must say why (it is empty)".into()));
                }
                if reason.chars().count() > MAX_REASON_CHARS {
                    return Err(Error::Input(format!(
                        "--reason: at most {MAX_REASON_CHARS} characters (CodePipeline's limit), got {}",
                        reason.chars().count()
                    )));
                }
                Action::Reject(reason.to_string())
            }
        }
    };
    Ok(Plan {
        options: Options {
            role_arn: args.role_arn.clone(),
            poll: Duration::from_secs_f64(args.poll_interval),
            timeout: Duration::from_secs(args.timeout),
            ..Options::default()
        },
        config: c,
        file,
        stage: index,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bs_core::config;

    fn config() -> Config {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../configs/env-config.example.yaml"
        ))
        .unwrap_or_default();
        config::parse_with(
            &text,
            "c.yaml",
            config::Options {
                connection_optional: true,
            },
        )
        .map(|l| l.config)
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn image_forms() {
        let c = config();
        let d = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(image_arg("v1.2.3", &c), Ok(ImageArg::Tag("v1.2.3".into())));
        assert_eq!(image_arg(&d, &c), Ok(ImageArg::Digest(d.clone())));
        let uri = format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/backstage@{d}");
        match image_arg(&uri, &c) {
            Ok(ImageArg::Uri(r)) => assert_eq!(r.pinned(&d), uri),
            other => panic!("{other:?}"),
        }
        for bad in [
            "backstage:v1",
            "docker.io/library/nginx:1",
            "999999999999.dkr.ecr.us-east-1.amazonaws.com/backstage:v1",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/backstage:v1",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/backstage",
            "-v1",
            "",
        ] {
            let e = image_arg(bad, &c).unwrap_err();
            assert!(e.to_string().starts_with(&format!("--image {bad}:")), "{e}");
        }
    }
}
