//! bs-synth: from the config to the CloudFormation templates of the three stacks.
//!
//! Offline by design: this crate links no AWS SDK. [`run`] is the whole command,
//! with its output streams passed in so tests can call it in-process.

mod artifact_bucket;
pub mod backstage_stack;
pub mod bootstrap_stack;
mod buildspecs;
pub mod cfn;
pub mod cli;
mod codebuild;
pub mod iam;
pub mod limits;
mod notifications;
pub mod out_dir;
pub mod pipeline_stack;
mod repository;
pub mod synth;

pub use synth::{assembly, stack_tags};

use bs_core::config;
use bs_core::exit;
use clap::Parser;
use std::ffi::OsString;
use std::io::{self, Write};

/// Runs bs-synth with `args` (program name first); returns the exit code.
pub fn run<I, T>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match run_inner(args, stdout, stderr) {
        Ok(code) => code,
        // stdout closed early (`bs-synth | head`): a quiet success.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit::SUCCESS,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            exit::FAILURE
        }
    }
}

fn run_inner<I, T>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> io::Result<i32>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match cli::Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let text = e.render().to_string();
            return Ok(if e.use_stderr() {
                write!(stderr, "{text}")?;
                exit::USAGE
            } else {
                write!(stdout, "{text}")?;
                exit::SUCCESS
            });
        }
    };
    let file = args.config.display().to_string();
    let loaded = match config::load(&args.config) {
        Ok(l) => l,
        Err(mut e) => {
            if args.quiet {
                e.warnings.clear();
            }
            write!(stderr, "{e}")?;
            return Ok(exit::USAGE);
        }
    };
    if !args.quiet {
        for w in &loaded.warnings {
            writeln!(stderr, "warning: {}", w.render(&file))?;
        }
    }
    let mut assembly = assembly(&loaded.config);
    if let Some(name) = &args.stack {
        if assembly.stack(name).is_none() {
            writeln!(
                stderr,
                "error: --stack {name}: no such stack; the config's stacks are {}",
                assembly.stack_names().join(", ")
            )?;
            return Ok(exit::USAGE);
        }
        assembly.stacks.retain(|s| &s.name == name);
    }
    let problems = synth::limit_problems(&assembly);
    if !problems.is_empty() {
        writeln!(
            stderr,
            "error: the synthesized stacks break CloudFormation limits:"
        )?;
        for (stack, p) in &problems {
            writeln!(stderr, "  stack {stack}: {p}")?;
        }
        return Ok(exit::USAGE);
    }
    if args.verbose {
        for s in &assembly.stacks {
            let route = if s.template_bytes > limits::INLINE_TEMPLATE_BYTES {
                "over the inline limit: bs-deploy uploads it to the staging bucket"
            } else {
                "deployable inline"
            };
            writeln!(
                stderr,
                "{}: {} resources, {} bytes ({route}; limits {} resources, {} bytes)",
                s.name,
                s.resource_count,
                s.template_bytes,
                limits::MAX_RESOURCES,
                limits::MAX_TEMPLATE_BYTES
            )?;
        }
    }
    if let Some(dir) = &args.out {
        match out_dir::write(dir, &assembly, args.pretty) {
            Ok(paths) => {
                if args.verbose {
                    for p in paths {
                        writeln!(stderr, "wrote {}", p.display())?;
                    }
                }
            }
            Err(e) => {
                writeln!(stderr, "error: --out {}: {e}", dir.display())?;
                return Ok(exit::FAILURE);
            }
        }
    }
    let text = if args.pretty {
        serde_json::to_string_pretty(&assembly)?
    } else {
        serde_json::to_string(&assembly)?
    };
    stdout.write_all(text.as_bytes())?;
    stdout.write_all(b"\n")?;
    stdout.flush()?;
    Ok(exit::SUCCESS)
}
