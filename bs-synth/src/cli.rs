//! Command-line interface of bs-synth.

use clap::Parser;
use std::path::PathBuf;

pub const AFTER_HELP: &str = "\
Prints the assembly (the three stacks' templates, in deploy order) as JSON on stdout.
Warnings and --verbose details go to stderr. Makes no AWS call.

Exit codes:
  0  the assembly was printed
  1  it could not be written (for example --out is not writable)
  2  bad flags, a config problem (each named with file, line and key), or a
     stack that would break a CloudFormation limit; nothing was printed

Examples:
  bs-synth | bs-deploy
  bs-synth --config configs/env-config.yaml --out assembly --verbose
  bs-synth --stack backstage --pretty | jq '.stacks[0].template.Resources | keys'";

#[derive(Debug, Parser)]
#[command(
    name = "bs-synth",
    version,
    about = "Synthesizes the CloudFormation templates of the Backstage stacks from the config",
    after_help = AFTER_HELP
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

    /// Also write <stack>.template.json files and manifest.json into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Only this stack (`<TAG_STACK_NAME>-bootstrap`, `<TAG_STACK_NAME>-pipeline` or
    /// `<TAG_STACK_NAME>`).
    #[arg(long, value_name = "NAME")]
    pub stack: Option<String>,

    /// Indent the JSON (stdout and --out files).
    #[arg(long)]
    pub pretty: bool,

    /// Report each stack's size and resource count on stderr.
    #[arg(long, short)]
    pub verbose: bool,

    /// Do not print config warnings.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
}
