//! Command-line interface of bs-promote.

use bs_aws::progress::EventsFormat;
use bs_aws::sdk::AwsArgs;
use clap::{ArgGroup, Parser};
use std::path::PathBuf;

pub const AFTER_HELP: &str = "\
Changes the image one stage runs, through the backstage stack: a change set that
sets only the stage's Image<Stage> parameter (same template, every other
parameter kept), followed like bs-deploy, then a wait until the stage's ECS
service has rolled out. The image is always deployed by digest. Progress goes to
stderr; the result to stdout as one JSON document (a short line on a terminal
unless --json).

  --to STAGE               the image the stage before it (config order) runs now
  --to STAGE --image I     a given image: a tag of the stack's repository, a
                           digest (sha256:…), or a full URI in that repository
  --rollback STAGE         the image the stage ran before its last promotion
  --approve STAGE          answer the app pipeline's approval waiting in front
  --reject STAGE --reason  of STAGE (stage Deploy-<STAGE>, action Approve)

Exit codes:
  0    promoted, rolled back, approved or rejected; or unchanged (the stage
       already runs that image)
  1    failed: the stack update or the rollout failed (reasons listed), or no
       approval waits in front of the stage
  2    refused before any change: bad flags or config, unknown stage, an image
       not in ECR, a previous stage that runs nothing, a missing or busy stack
  3    AWS could not be asked (credentials, network, permissions)
  4    --timeout ran out (the update or rollout goes on)
  130  interrupted (a change set not yet executed is deleted)

Examples:
  bs-promote --to test --image v1.4.2
  bs-promote --to prod
  bs-promote --approve prod
  bs-promote --reject prod --reason \"the login page is broken on test\"
  bs-promote --rollback prod";

#[derive(Debug, Parser)]
#[command(
    name = "bs-promote",
    version,
    about = "Promotes an image to a stage, rolls a stage back, or answers its approval",
    after_help = AFTER_HELP,
    group(ArgGroup::new("what").required(true).multiple(false)
        .args(["to", "rollback", "approve", "reject"]))
)]
pub struct Args {
    /// The config file (YAML or JSON).
    #[arg(
        long,
        env = "BS_CONFIG",
        default_value = "configs/env-config.yaml",
        value_name = "PATH"
    )]
    pub config: PathBuf,

    /// Give STAGE the image the stage before it runs (or --image).
    #[arg(long, value_name = "STAGE")]
    pub to: Option<String>,

    /// With --to: this image instead — a tag, a digest (sha256:…) or a URI of the
    /// stack's ECR repository.
    #[arg(long, value_name = "URI|TAG")]
    pub image: Option<String>,

    /// Give STAGE back the image it ran before its last promotion.
    #[arg(long, value_name = "STAGE")]
    pub rollback: Option<String>,

    /// Approve the app pipeline's manual approval waiting in front of STAGE.
    #[arg(long, value_name = "STAGE")]
    pub approve: Option<String>,

    /// Reject the approval waiting in front of STAGE (needs --reason).
    #[arg(long, value_name = "STAGE", requires = "reason")]
    pub reject: Option<String>,

    /// Why the promotion is rejected (shown in the pipeline); only with --reject.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,

    /// The IAM role CloudFormation assumes (default: the role the stack has).
    #[arg(long, value_name = "ARN", env = "BS_ROLE_ARN")]
    pub role_arn: Option<String>,

    /// Give up waiting after this many seconds (the update or rollout goes on).
    #[arg(long, default_value_t = 1800, value_name = "SECS")]
    pub timeout: u64,

    /// Seconds between two polls of CloudFormation and ECS.
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub poll_interval: f64,

    /// How to show progress on stderr: a live view on a terminal (auto), one line
    /// per event (lines), or JSON lines (json).
    #[arg(long, value_enum, default_value = "auto", value_name = "FORMAT")]
    pub events: EventsFormat,

    /// Print the result as JSON on a terminal too (it always is when piped).
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub aws: AwsArgs,
}
