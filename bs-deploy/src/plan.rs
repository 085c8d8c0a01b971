//! Everything bs-deploy decides before its first AWS call: the mode, the
//! assembly, the stacks, the options. Bad input is refused here.

use crate::{cli, input};
use bs_aws::deploy::{self, Options};
use bs_aws::Error;
use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Deploy,
    Preview,
    Execute,
    Follow,
    Destroy,
}

/// A stack to work on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    /// The assembly's account and region (none without an assembly).
    pub account: Option<String>,
    pub region: Option<String>,
    /// Its index in the assembly.
    pub index: Option<usize>,
}

pub struct Plan {
    pub mode: Mode,
    pub loaded: Option<input::Loaded>,
    /// In the order to work on them (reversed for destroy).
    pub targets: Vec<Target>,
    pub options: Options,
}

/// Parses `--parameter KEY=VALUE` flags.
pub fn parse_parameters(flags: &[String]) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    for f in flags {
        match f.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                if out.insert(k.to_string(), v.to_string()).is_some() {
                    return Err(Error::Input(format!("--parameter {k} is given twice")));
                }
            }
            _ => return Err(Error::Input(format!("--parameter {f}: expected KEY=VALUE"))),
        }
    }
    Ok(out)
}

pub fn plan(args: &cli::Args, stdin: &mut dyn Read, stdin_tty: bool) -> Result<Plan, Error> {
    let mode = if args.destroy {
        Mode::Destroy
    } else if args.execute.is_some() {
        Mode::Execute
    } else if args.follow {
        Mode::Follow
    } else if args.preview {
        Mode::Preview
    } else {
        Mode::Deploy
    };
    let overrides = parse_parameters(&args.parameters)?;
    if let Some(name) = args.change_set_name.as_deref().or(args.execute.as_deref()) {
        deploy::change_set::check_name(name)?;
    }
    if let Some(arn) = &args.role_arn {
        bs_aws::cli::check_role_arn(arn)?;
    }
    bs_aws::cli::check_poll_interval(args.poll_interval)?;
    bs_aws::cli::check_timeout(args.timeout)?;
    let assembly_optional = matches!(mode, Mode::Execute | Mode::Follow);
    let loaded = match &args.assembly {
        Some(path) => Some(input::from_path(path)?),
        None if stdin_tty && assembly_optional => None,
        None if stdin_tty => {
            return Err(Error::Input(
                "no assembly: pipe bs-synth into bs-deploy (bs-synth | bs-deploy), or pass --assembly FILE|DIR".into(),
            ))
        }
        None => {
            let text = input::from_reader(stdin)?;
            if text.trim().is_empty() && assembly_optional {
                None
            } else {
                Some(input::from_text(&text, "stdin", None)?)
            }
        }
    };
    let mut targets = Vec::new();
    if let Some(l) = &loaded {
        let known = l.assembly.stack_names();
        for s in &args.stacks {
            if !known.contains(&s.as_str()) {
                return Err(Error::Input(format!(
                    "--stack {s}: the assembly has no such stack (it has {})",
                    known.join(", ")
                )));
            }
        }
        for (i, s) in l.assembly.stacks.iter().enumerate() {
            if args.stacks.is_empty() || args.stacks.contains(&s.name) {
                targets.push(Target {
                    name: s.name.clone(),
                    account: Some(s.account.clone()),
                    region: Some(s.region.clone()),
                    index: Some(i),
                });
            }
        }
        let templates: Vec<(&str, &serde_json::Value)> = l
            .assembly
            .stacks
            .iter()
            .filter_map(|s| Some((s.name.as_str(), s.template.as_ref()?)))
            .collect();
        deploy::parameters::check_overrides(&overrides, &templates)?;
    } else {
        if args.stacks.is_empty() {
            return Err(Error::Input(
                "name the stack with --stack (or give the assembly)".into(),
            ));
        }
        targets = args
            .stacks
            .iter()
            .map(|s| Target {
                name: s.clone(),
                account: None,
                region: None,
                index: None,
            })
            .collect();
    }
    if mode == Mode::Execute && targets.len() != 1 {
        return Err(Error::Input(format!(
            "--execute runs one stack's change set: name the stack with --stack (stacks: {})",
            targets
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if mode == Mode::Destroy {
        targets.reverse();
    }
    let options = Options {
        role_arn: args.role_arn.clone(),
        overrides,
        change_set_name: args.change_set_name.clone(),
        preview: mode == Mode::Preview,
        poll: Duration::from_secs_f64(args.poll_interval),
        timeout: Duration::from_secs(args.timeout),
    };
    Ok(Plan {
        mode,
        loaded,
        targets,
        options,
    })
}
