//! The CodeStar (CodeConnections) connection both pipelines use for GitHub.
//!
//! A new connection is PENDING until a person finishes the GitHub handshake in
//! the console: bootstrap prints where, and stops (exit 5). The local AWS (moto)
//! has no CodeConnections API: there the connection is reported as
//! unverifiable and bootstrap goes on.

use super::{Clients, Prerequisite, State};
use aws_sdk_codeconnections::types::ProviderType;
use bs_aws::error;
use bs_aws::Error;
use bs_core::config::Config;

const KIND: &str = "connection";

/// Where a person finishes a pending connection.
pub fn console_url(region: &str, arn: &str) -> String {
    let id = arn.rsplit('/').next().unwrap_or_default();
    format!("https://{region}.console.aws.amazon.com/codesuite/settings/connections/{id}?region={region}")
}

/// Connection names are at most 32 characters.
pub fn connection_name(stack: &str) -> String {
    let mut base: String = stack.chars().take(32 - "-github".len()).collect();
    while base.ends_with('-') {
        base.pop();
    }
    format!("{base}-github")
}

fn unavailable_here<E>(clients: &Clients, e: &aws_sdk_codeconnections::error::SdkError<E>) -> bool
where
    E: aws_sdk_codeconnections::error::ProvideErrorMetadata,
{
    // moto answers an unknown service with a bare 404 (or 5xx) and no error code.
    clients.is_local() && error::code(e).is_none()
}

fn pending(config: &Config, arn: &str, detail: &str) -> Prerequisite {
    Prerequisite::new(KIND, arn, State::Pending, detail.to_string())
        .fix(format!(
            "finish the GitHub handshake at {} (Update pending connection), then run bs-bootstrap again",
            console_url(&config.region, arn)
        ))
        .needs_person()
}

pub async fn ensure(
    clients: &Clients,
    config: &Config,
    check_only: bool,
) -> Result<Prerequisite, Error> {
    let api = &clients.connections;
    if !config.connection_arn.is_empty() {
        let arn = &config.connection_arn;
        return Ok(match api.get_connection().connection_arn(arn).send().await {
            Ok(out) => {
                let status = out.connection().and_then(|c| c.connection_status()).map(|s| s.as_str().to_string()).unwrap_or_default();
                match status.as_str() {
                    "AVAILABLE" => Prerequisite::new(KIND, arn, State::Present, "AVAILABLE"),
                    "PENDING" => pending(config, arn, "PENDING: the GitHub handshake is not finished"),
                    other => Prerequisite::new(KIND, arn, State::Wrong, format!("{other}: the connection cannot be used"))
                        .fix("delete it, remove CODESTAR_CONN_ARN from the config, and run bs-bootstrap to make a new one"),
                }
            }
            Err(e) if unavailable_here(clients, &e) => Prerequisite::new(KIND, arn, State::Unverifiable, "the local AWS has no CodeConnections API"),
            Err(e) if error::code(&e) == Some("ResourceNotFoundException") => {
                Prerequisite::new(KIND, arn, State::Missing, "CODESTAR_CONN_ARN names no connection")
                    .fix("remove CODESTAR_CONN_ARN from the config to have bs-bootstrap create one, or correct it")
            }
            Err(e) => return Err(error::aws(&format!("reading connection {arn}"), &e)),
        });
    }
    let name = connection_name(&config.stack_name);
    if check_only {
        return Ok(
            Prerequisite::new(KIND, &name, State::Missing, "CODESTAR_CONN_ARN is not set")
                .fix("run bs-bootstrap without --check to create the connection"),
        );
    }
    match api.create_connection().connection_name(&name).provider_type(ProviderType::Github).send().await {
        Ok(out) => {
            let arn = out.connection_arn().to_string();
            Ok(pending(config, &arn, &format!("created {name}, PENDING"))
                .fix(format!(
                    "finish the GitHub handshake at {}, set CODESTAR_CONN_ARN: {arn} in the config, then run bs-bootstrap again",
                    console_url(&config.region, &arn)
                )))
        }
        Err(e) if unavailable_here(clients, &e) => Ok(Prerequisite::new(KIND, name, State::Unverifiable, "the local AWS has no CodeConnections API; set CODESTAR_CONN_ARN to deploy the pipeline")),
        Err(e) => Err(error::aws(&format!("creating connection {name}"), &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls() {
        assert_eq!(connection_name("backstage"), "backstage-github");
        let long = connection_name("a-very-long-stack-name-that-goes-on");
        assert!(long.len() <= 32 && long.ends_with("-github"), "{long}");
        assert_eq!(
            console_url("eu-west-1", "arn:aws:codeconnections:eu-west-1:123456789012:connection/abc"),
            "https://eu-west-1.console.aws.amazon.com/codesuite/settings/connections/abc?region=eu-west-1"
        );
    }
}
