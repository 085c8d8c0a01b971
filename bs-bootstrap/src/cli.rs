//! Command-line interface of bs-bootstrap.

use bs_aws::progress::EventsFormat;
use bs_aws::sdk::AwsArgs;
use clap::Parser;
use std::path::PathBuf;

pub const AFTER_HELP: &str = "\
Checks, in order, what must exist before the first deploy, creates what is
missing, then deploys the infrastructure pipeline stack once (the pipeline deploys
the rest). Running it again changes nothing. Steps go to stderr; stdout carries
one JSON document: every prerequisite with its state and what was done.

Secret values (never echoed, logged or printed) come from, in this order:
  --secret-file NAME=PATH            a file
  BS_SECRET_<NAME>                   an environment variable; <NAME> is the secret's
                                     name in capitals, other characters as _
                                     (backstage/prod/github-auth ->
                                     BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH)
  the terminal                       asked for, without echo, when interactive
Secrets with keys take JSON: {\"id\": \"...\", \"secret\": \"...\"} (a token secret:
{\"secret\": \"...\"}); the GitHub App secret takes the credentials file as it is.

Exit codes:
  0  everything is ready (and the pipeline stack deployed, unless --no-deploy)
  1  something is missing or wrong (listed, with what supplies it), or the
     pipeline stack's deploy failed
  2  bad flags or config; nothing was done
  3  AWS could not be asked
  5  a person must act first: finish the GitHub handshake of a new CodeStar
     connection (the console URL is printed), or put a new ARN in the config

Examples:
  bs-bootstrap --check
  BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH='{\"id\":\"...\",\"secret\":\"...\"}' bs-bootstrap
  bs-bootstrap --secret-file backstage/github-app=github-app-credentials.yaml --no-deploy";

#[derive(Debug, Parser)]
#[command(name = "bs-bootstrap", version, about = "Creates what must exist before the first deploy, then deploys the pipeline stack", after_help = AFTER_HELP)]
pub struct Args {
    /// The config file (YAML or JSON).
    #[arg(
        long,
        env = "BS_CONFIG",
        default_value = "configs/env-config.yaml",
        value_name = "PATH"
    )]
    pub config: PathBuf,

    /// Read only: report every prerequisite as present, missing or wrong.
    #[arg(long)]
    pub check: bool,

    /// Stop before deploying the pipeline stack.
    #[arg(long)]
    pub no_deploy: bool,

    /// Replace the values of secrets that exist (default: leave them as they are).
    #[arg(long)]
    pub update_secrets: bool,

    /// A secret's value from a file (repeatable).
    #[arg(long = "secret-file", value_name = "NAME=PATH")]
    pub secret_files: Vec<String>,

    /// How to show the pipeline stack's deploy on stderr.
    #[arg(long, value_enum, default_value = "auto", value_name = "FORMAT")]
    pub events: EventsFormat,

    /// Seconds between two polls of CloudFormation.
    #[arg(long, default_value_t = 3.0, value_name = "SECS")]
    pub poll_interval: f64,

    #[command(flatten)]
    pub aws: AwsArgs,
}
