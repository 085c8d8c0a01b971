//! bs-status: one look at both stacks, both pipelines and every stage.
//!
//! [`run`] is the whole command; its streams come in through [`Io`], so tests
//! run it in-process. [`gather`] asks AWS, [`health`] judges, [`render`] draws
//! the table; [`report`] is the JSON schema.

pub mod cli;
pub mod concurrent;
pub mod gather;
pub mod health;
pub mod render;
pub mod report;

use bs_aws::account::{self, Expected};
use bs_aws::cli::SharedWriter;
use bs_aws::interrupt::Interrupt;
use bs_aws::{sdk, Error};
use bs_core::{config, exit};
use report::{Health, Report};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// The process's streams and environment.
pub struct Io {
    pub stdout: Box<dyn Write + Send>,
    pub stderr: Box<dyn Write + Send>,
    pub stdout_tty: bool,
    /// `NO_COLOR` is set (and not empty).
    pub no_color: bool,
    /// `None`: Ctrl-C.
    pub interrupt: Option<Interrupt>,
}

impl Io {
    pub fn process() -> Io {
        Io {
            stdout_tty: std::io::stdout().is_terminal(),
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            interrupt: None,
        }
    }
}

/// The exit code of a report.
pub fn exit_code(r: &Report) -> i32 {
    match r.health {
        Health::Healthy => exit::SUCCESS,
        Health::Unknown => exit::AWS,
        Health::InProgress | Health::Unhealthy | Health::Missing => exit::UNHEALTHY,
    }
}

/// Runs bs-status with `args` (program name first); returns the exit code.
pub async fn run<I, T>(args: I, io: Io) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let Io {
        mut stdout,
        stderr,
        stdout_tty,
        no_color,
        interrupt,
    } = io;
    let mut err = SharedWriter::new(stderr);
    let args: cli::Args = match bs_aws::cli::parse(args, &mut stdout, &mut err) {
        Ok(a) => a,
        Err(code) => return code,
    };
    match Box::pin(status(
        &args,
        &mut *stdout,
        &mut err,
        stdout_tty,
        no_color,
        interrupt,
    ))
    .await
    {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            e.exit_code()
        }
    }
}

async fn status(
    args: &cli::Args,
    stdout: &mut dyn Write,
    err: &mut SharedWriter,
    stdout_tty: bool,
    no_color: bool,
    interrupt: Option<Interrupt>,
) -> Result<i32, Error> {
    // The config and the flags first, before any AWS call.
    let config = bs_aws::cli::load_config(&args.config, err)?;
    let c = &config;
    let file = args.config.display().to_string();
    let mut stages = Vec::new();
    for name in &args.stage {
        match c.stage(name) {
            Some(s) if !stages.iter().any(|x: &&config::Stage| x.name == s.name) => stages.push(s),
            Some(_) => {}
            None => {
                let known: Vec<&str> = c.stages.iter().map(|s| s.name.as_str()).collect();
                return Err(Error::Input(format!(
                    "--stage {name}: {file} has no such stage (it has {})",
                    known.join(", ")
                )));
            }
        }
    }
    if stages.is_empty() {
        stages = c.stages.iter().collect();
    } else {
        // Config order, whatever the order of the flags.
        stages.sort_by_key(|s| c.stages.iter().position(|x| x.name == s.name));
    }
    let human = args.human || (stdout_tty && !args.json);
    let style = render::Style {
        colour: human && stdout_tty && !no_color,
    };
    let scope = gather::Scope {
        config: c,
        stages,
        sequential: args.sequential,
    };

    let sdk_config = sdk::config(&args.aws, Some(&c.region)).await?;
    let clients = gather::Clients::new(&sdk_config);
    // A report changes nothing: Ctrl-C ends it within a second, waiting or not.
    let interrupt = interrupt
        .unwrap_or_else(|| Interrupt::on_ctrl_c(Duration::from_secs(1), "nothing was changed"));
    let expected = Expected::Config {
        account: &c.account,
        file: &file,
    };
    // Whose credentials, before any other call: another account's stacks are
    // never reported (exit 2, nothing on stdout). When STS cannot be asked,
    // nothing else can be (no credentials, no network): the report says so
    // once, every part unknown (exit 3), and the next refresh of --watch asks
    // again.
    let mut identified = false;
    let mut code;
    loop {
        let mut unreachable = None;
        if !identified {
            match account::check(&clients.base, expected).await {
                Ok(_) => identified = true,
                Err(e @ Error::Input(_)) => return Err(e),
                Err(e) => unreachable = Some(e.to_string()),
            }
        }
        let report = match unreachable {
            Some(e) => gather::unreachable(&scope, e),
            None => Box::pin(gather::report(&clients, &scope)).await,
        };
        code = exit_code(&report);
        let text = if human {
            let mut view = render::render(&report, &style);
            if let Some(secs) = args.watch {
                view = format!(
                    "{}{view}\nrefreshed every {secs} s; Ctrl-C to stop\n",
                    if stdout_tty { "\x1b[H\x1b[2J" } else { "" }
                );
            }
            view
        } else {
            serde_json::to_string(&report)
                .map_err(|e| Error::Failed(format!("cannot write the report: {e}")))?
                + "\n"
        };
        if let Err(e) = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            // `bs-status | head`: a closed pipe is a quiet end.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(exit::SUCCESS);
            }
            return Err(Error::Failed(format!("cannot write to stdout: {e}")));
        }
        if !human {
            // The reasons AWS could not be asked, for people reading stderr (the
            // table shows them itself).
            for e in &report.errors {
                let _ = writeln!(err, "error: {e}");
            }
        }
        let Some(secs) = args.watch else { break };
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(secs)) => {}
            _ = interrupt.interrupted() => break,
        }
    }
    Ok(code)
}
