//! The SDK configuration every tool builds the same way, and the clients the
//! engine is given.

mod profile;

use crate::Error;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
pub use aws_config::SdkConfig;
use aws_config::{BehaviorVersion, Region};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use std::time::Duration;

/// The standard AWS flags, for `#[command(flatten)]`. The credential chain,
/// `AWS_PROFILE`, `AWS_REGION` and `AWS_ENDPOINT_URL` work as in the AWS CLI.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AwsArgs {
    /// Named profile of the shared AWS config and credentials files.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region for calls that name none (stacks go to the region their assembly names).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Endpoint of every AWS API, such as a local AWS (default: AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Longest time one AWS API call may take, its retries included [default: 30].
    #[arg(long, value_name = "SECS", env = "BS_CALL_TIMEOUT")]
    pub call_timeout: Option<u64>,
    /// On an AWS error, also print the SDK's whole error chain (RUST_LOG does too).
    #[arg(long)]
    pub debug: bool,
}

/// Attempts per call: the first and up to 5 retries.
pub const ATTEMPTS: u32 = 6;

/// `--call-timeout`'s default: one call and its retries.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest `--call-timeout`: an hour.
const MAX_CALL_TIMEOUT_SECS: u64 = 3600;

/// Throttling and transient errors are retried with exponential backoff and
/// jitter, up to [`ATTEMPTS`] (the SDK's default is 3): enough to ride out
/// CloudFormation's API rate limits while a deploy is followed, short enough
/// (about 10 s at worst) that a failing endpoint is reported quickly. A
/// connection refused or a host that does not resolve is not retried at all
/// ([`FinalConnectFailure`]).
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(300))
        .with_max_backoff(Duration::from_secs(10))
}

/// Every call is bounded: a connection within 3 s, an attempt within a third
/// of the call's limit (so a hung endpoint still gets retried), the call with
/// its retries within `call` (`--call-timeout`, default 30 s). AWS's APIs
/// answer in well under a second; a stack operation is waited for by polling,
/// never by one long call.
pub fn timeout_config(call: Duration) -> TimeoutConfig {
    let attempt = (call / 3).max(Duration::from_millis(500));
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3).min(attempt))
        .read_timeout(attempt)
        .operation_attempt_timeout(attempt)
        .operation_timeout(call)
        .build()
}

/// The SDK configuration for `region` (or `--region`, or the environment's).
/// A `--profile` (or `AWS_PROFILE`) that no shared file defines is refused
/// here, before any call ([`Error::Input`]).
pub async fn config(args: &AwsArgs, region: Option<&str>) -> Result<SdkConfig, Error> {
    let call = match args.call_timeout {
        None => CALL_TIMEOUT,
        Some(secs @ 1..=MAX_CALL_TIMEOUT_SECS) => Duration::from_secs(secs),
        Some(secs) => {
            return Err(Error::Input(format!(
                "--call-timeout {secs}: must be between 1 and {MAX_CALL_TIMEOUT_SECS} seconds"
            )))
        }
    };
    if let Some(r) = args
        .region
        .as_deref()
        .filter(|r| !bs_core::regions::exists(r))
    {
        return Err(Error::Input(format!(
            "--region {r}: not an AWS region{}",
            bs_core::regions::did_you_mean(r)
                .map(|d| format!("; {d}"))
                .unwrap_or_default()
        )));
    }
    crate::error::set_debug(args.debug);
    let env_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    match (&args.profile, &env_profile) {
        (Some(p), _) => profile::check(p, "--profile")?,
        (None, Some(p)) => profile::check(p, "AWS_PROFILE")?,
        (None, None) => {}
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config())
        .timeout_config(timeout_config(call));
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region.map(str::to_string).or_else(|| args.region.clone()) {
        loader = loader.region(Region::new(region));
    }
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let sdk = loader.load().await;
    crate::error::set_context(crate::error::Context {
        endpoint: sdk.endpoint_url().map(str::to_string),
        region: sdk.region().map(|r| r.to_string()),
        profile: args.profile.clone().or(env_profile),
        call_timeout: call,
        attempts: ATTEMPTS,
    });
    Ok(sdk)
}

/// A connection refused, or a host name that does not resolve, is final: the
/// standard classifier retries every I/O error (six attempts, about 5-10 s of
/// backoff), which only delays the message when nothing listens at the
/// endpoint or the region's endpoint does not exist. Resets and timeouts are
/// still retried.
#[derive(Debug, Clone, Copy, Default)]
pub struct FinalConnectFailure;

impl ClassifyRetry for FinalConnectFailure {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(Err(e)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        let Some(connector) = e.as_connector_error() else {
            return RetryAction::NoActionIndicated;
        };
        let mut current: Option<&(dyn std::error::Error + 'static)> = Some(connector);
        while let Some(err) = current {
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
                || err.to_string() == "dns error"
            {
                return RetryAction::RetryForbidden;
            }
            current = err.source();
        }
        RetryAction::NoActionIndicated
    }

    fn name(&self) -> &'static str {
        "connection refused or host not found is final"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// A client of `$service` (an `aws_sdk_*` crate) from an [`SdkConfig`], with
/// the toolkit's retry rule ([`FinalConnectFailure`]). Every client of every
/// tool is made with it.
#[macro_export]
macro_rules! client {
    ($service:ident, $sdk:expr) => {
        $service::Client::from_conf(
            $service::config::Builder::from($sdk)
                .retry_classifier($crate::sdk::FinalConnectFailure)
                .build(),
        )
    };
}

/// The clients of one region. Built from an [`SdkConfig`], or directly (tests).
#[derive(Clone, Debug)]
pub struct Clients {
    pub region: String,
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub sts: aws_sdk_sts::Client,
    pub s3: aws_sdk_s3::Client,
    pub route53: aws_sdk_route53::Client,
    /// Image digests (bs-promote, bs-status) and the repository a stack requires.
    pub ecr: aws_sdk_ecr::Client,
    /// A custom endpoint (a local AWS): S3 is then addressed path-style.
    pub endpoint_url: Option<String>,
}

impl Clients {
    pub fn new(sdk: &SdkConfig) -> Clients {
        let endpoint_url = sdk.endpoint_url().map(str::to_string);
        let s3_config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(endpoint_url.is_some())
            .retry_classifier(FinalConnectFailure)
            .build();
        Clients {
            region: sdk.region().map(|r| r.to_string()).unwrap_or_default(),
            cloudformation: crate::client!(aws_sdk_cloudformation, sdk),
            sts: crate::client!(aws_sdk_sts, sdk),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            route53: crate::client!(aws_sdk_route53, sdk),
            ecr: crate::client!(aws_sdk_ecr, sdk),
            endpoint_url,
        }
    }
}
