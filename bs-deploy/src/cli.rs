//! Command-line interface of bs-deploy.

use bs_aws::progress::EventsFormat;
use bs_aws::sdk::AwsArgs;
use clap::Parser;
use std::path::PathBuf;

pub const AFTER_HELP: &str = "\
Reads the assembly bs-synth printed (stdin, or --assembly), then deploys each
stack in order through a change set: the planned changes and the stack events go
to stderr, the result (per stack: name, id, status, changes, outputs, duration)
to stdout as JSON.

Exit codes:
  0    deployed, no changes, previewed, or destroyed
  1    a stack operation failed (its failing resources were listed on stderr)
  2    bad flags or assembly, unknown parameter, credentials of another account:
       refused before any change
  3    AWS could not be asked (credentials, network, permissions)
  4    --timeout ran out (the operation goes on)
  130  interrupted: following stopped, the operation goes on (a change set
       not yet executed is deleted)

Examples:
  bs-synth | bs-deploy
  bs-synth | bs-deploy --preview --stack backstage
  bs-deploy --execute bs-0123456789abcdef --stack backstage
  bs-synth --out assembly && bs-deploy --assembly assembly --events json
  bs-synth | bs-deploy --destroy --yes";

#[derive(Debug, Parser)]
#[command(name = "bs-deploy", version, about = "Deploys the synthesized stacks through CloudFormation change sets", after_help = AFTER_HELP)]
pub struct Args {
    /// The assembly: a JSON file, or a bs-synth --out directory (default: stdin).
    #[arg(long, value_name = "FILE|DIR")]
    pub assembly: Option<PathBuf>,

    /// Only this stack (repeatable). Default: every stack of the assembly.
    #[arg(long = "stack", value_name = "NAME")]
    pub stacks: Vec<String>,

    /// Create the change set, show its changes, and stop: the change set stays for review.
    #[arg(long, conflicts_with_all = ["execute", "destroy", "follow"])]
    pub preview: bool,

    /// The change set's name (default: derived from the template and parameters).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["execute", "destroy", "follow"])]
    pub change_set_name: Option<String>,

    /// Execute a reviewed change set of the --stack, and follow it.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["destroy", "follow"])]
    pub execute: Option<String>,

    /// Follow the operation in progress on the stacks until they settle; change nothing.
    #[arg(long, conflicts_with = "destroy")]
    pub follow: bool,

    /// A template parameter's value (repeatable); other parameters keep their previous value.
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,

    /// The IAM role CloudFormation assumes to change the stacks.
    #[arg(long, value_name = "ARN", env = "BS_ROLE_ARN")]
    pub role_arn: Option<String>,

    /// Delete the stacks, in reverse order.
    #[arg(long)]
    pub destroy: bool,

    /// Confirm --destroy without asking (required when not interactive).
    #[arg(long)]
    pub yes: bool,

    /// Print the result as JSON on a terminal too (it always is when piped).
    #[arg(long)]
    pub json: bool,

    /// How to show progress on stderr: a live view on a terminal (auto), one line
    /// per event (lines), or JSON lines (json).
    #[arg(long, value_enum, default_value = "auto", value_name = "FORMAT")]
    pub events: EventsFormat,

    /// Give up waiting after this many seconds.
    #[arg(long, default_value_t = 3600, value_name = "SECS")]
    pub timeout: u64,

    /// Seconds between two polls of CloudFormation.
    #[arg(long, default_value_t = 3.0, value_name = "SECS")]
    pub poll_interval: f64,

    #[command(flatten)]
    pub aws: AwsArgs,
}
