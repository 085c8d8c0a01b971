//! The SDK configuration every tool builds the same way, and the clients the
//! engine is given.

use aws_config::retry::RetryConfig;
pub use aws_config::SdkConfig;
use aws_config::{BehaviorVersion, Region};
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
}

/// Throttling and transient errors are retried with exponential backoff and
/// jitter, up to 6 attempts (the SDK's default is 3): enough to ride out
/// CloudFormation's API rate limits while a deploy is followed, short enough
/// (about 10 s at worst) that an unreachable endpoint is reported quickly.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(6)
        .with_initial_backoff(Duration::from_millis(300))
        .with_max_backoff(Duration::from_secs(10))
}

/// The SDK configuration for `region` (or `--region`, or the environment's).
pub async fn config(args: &AwsArgs, region: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry_config());
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region.map(str::to_string).or_else(|| args.region.clone()) {
        loader = loader.region(Region::new(region));
    }
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
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
            .build();
        Clients {
            region: sdk.region().map(|r| r.to_string()).unwrap_or_default(),
            cloudformation: aws_sdk_cloudformation::Client::new(sdk),
            sts: aws_sdk_sts::Client::new(sdk),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            route53: aws_sdk_route53::Client::new(sdk),
            ecr: aws_sdk_ecr::Client::new(sdk),
            endpoint_url,
        }
    }
}
