//! Command-line interface of bs-status.

use bs_aws::sdk::AwsArgs;
use clap::Parser;
use std::path::PathBuf;

pub const AFTER_HELP: &str = "\
Reads the config, then asks AWS (every independent call at once) about both
stacks, both pipelines and every stage: its URL, the image it runs and the one its
stack asks for, tasks, rollout, load balancer targets, DNS record and database.
On a terminal it prints a table; otherwise (or with --json) one JSON document
(schema bs-status/1, docs/bs-status.md). Nothing is ever changed.

Exit codes:
  0  everything reported is healthy
  2  bad flags or config; nothing was asked
  3  AWS could not be asked about some of it (credentials, network, permissions);
     the report shows what could be read, and `errors` what failed
  6  deployed but not healthy, still changing, or not deployed (a missing stack
     is reported, with its stages, as missing)
  With --watch: the code of the last report shown.

Examples:
  bs-status
  bs-status --stage prod --json | jq '.stages[0].image'
  bs-status --watch 10";

#[derive(Debug, Parser)]
#[command(name = "bs-status", version, about = "Reports the stacks, pipelines, services and endpoints of a config", after_help = AFTER_HELP)]
pub struct Args {
    /// The config file (YAML or JSON).
    #[arg(
        long,
        env = "BS_CONFIG",
        default_value = "configs/env-config.yaml",
        value_name = "PATH"
    )]
    pub config: PathBuf,

    /// Only this stage (repeat for several); the stacks and pipelines are still reported.
    #[arg(long, value_name = "NAME")]
    pub stage: Vec<String>,

    /// JSON on stdout even on a terminal.
    #[arg(long, conflicts_with = "human")]
    pub json: bool,

    /// The table even when stdout is not a terminal.
    #[arg(long)]
    pub human: bool,

    /// Refresh every SECS seconds (default 5) until Ctrl-C: in place on a
    /// terminal, one JSON document per line otherwise.
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "5",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub watch: Option<u64>,

    /// Make the calls one after another instead of at once (for benchmarks).
    #[arg(long, hide = true)]
    pub sequential: bool,

    #[command(flatten)]
    pub aws: AwsArgs,
}
