//! bs-promote: gives a stage an image (by digest) through the backstage stack,
//! rolls a stage back, and answers the app pipeline's approvals.
//!
//! [`run`] is the whole command; its streams come in through [`Io`], and its
//! AWS clients through [`Clients`], so tests run it in-process. [`plan`] checks
//! everything that needs no AWS call; [`target`] and [`rollback`] find the image;
//! [`promote`] changes the stack and waits for the rollout; [`approval`] answers
//! approvals; [`report`] is the JSON on stdout.

pub mod approval;
pub mod cli;
pub mod plan;
pub mod promote;
pub mod report;
pub mod rollback;
pub mod target;

use bs_aws::account::{self, Expected};
use bs_aws::cli::SharedWriter;
use bs_aws::interrupt::{Interrupt, CHANGES_GO_ON, GRACE};
use bs_aws::progress::{self, Renderer};
use bs_aws::{sdk, Error};
use bs_core::exit;
use plan::{Action, Plan};
use report::Report;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};

/// The process's streams, and whether each is a terminal.
pub struct Io {
    pub stdout: Box<dyn Write + Send>,
    pub stderr: Box<dyn Write + Send>,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    /// `None`: Ctrl-C.
    pub interrupt: Option<Interrupt>,
}

impl Io {
    pub fn process() -> Io {
        Io {
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            interrupt: None,
        }
    }
}

/// The clients of the config's region.
#[derive(Clone, Debug)]
pub struct Clients {
    /// CloudFormation (the engine's), STS, ECR.
    pub base: sdk::Clients,
    pub ecs: aws_sdk_ecs::Client,
    pub codepipeline: aws_sdk_codepipeline::Client,
}

impl Clients {
    pub fn new(sdk: &sdk::SdkConfig) -> Clients {
        Clients {
            base: sdk::Clients::new(sdk),
            ecs: bs_aws::client!(aws_sdk_ecs, sdk),
            codepipeline: bs_aws::client!(aws_sdk_codepipeline, sdk),
        }
    }
}

/// Does what the plan says, after checking that the credentials are of the
/// config's account (nothing else is read before). `Ok` with a `failed` report:
/// the stack update or the rollout failed (exit 1); `Err`: refused (credentials
/// of another account too), AWS out of reach, timeout, interrupted, or no
/// approval waiting.
pub async fn execute(
    clients: &Clients,
    plan: &Plan,
    ui: &mut dyn Renderer,
    interrupt: &Interrupt,
) -> Result<Report, Error> {
    let start = std::time::Instant::now();
    let expected = Expected::Config {
        account: &plan.config.account,
        file: &plan.file,
    };
    let me = account::check(&clients.base, expected).await?;
    let mut report = match &plan.action {
        Action::Approve => {
            approval::answer(clients, &plan.config, plan.stage(), &me, None, ui).await?
        }
        Action::Reject(reason) => {
            approval::answer(clients, &plan.config, plan.stage(), &me, Some(reason), ui).await?
        }
        Action::Promote(_) | Action::Rollback => {
            promote::promote(clients, plan, ui, interrupt).await?
        }
    };
    report.duration_seconds = (start.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    Ok(report)
}

/// The exit code of a finished run.
pub fn exit_code(report: &Report) -> i32 {
    if report.failed() {
        exit::FAILURE
    } else {
        exit::SUCCESS
    }
}

/// Runs bs-promote with `args` (program name first); returns the exit code.
pub async fn run<I, T>(args: I, io: Io) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let Io {
        mut stdout,
        stderr,
        stdout_tty,
        stderr_tty,
        interrupt,
    } = io;
    let mut err = SharedWriter::new(stderr);
    let args: cli::Args = match bs_aws::cli::parse(args, &mut stdout, &mut err) {
        Ok(a) => a,
        Err(code) => return code,
    };
    // Everything that needs no AWS call first.
    let plan = match plan::plan(&args, &mut err) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return e.exit_code();
        }
    };
    let interrupt = interrupt.unwrap_or_else(|| Interrupt::on_ctrl_c(GRACE, CHANGES_GO_ON));
    let sdk_config = match sdk::config(&args.aws, Some(&plan.config.region)).await {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return e.exit_code();
        }
    };
    let clients = Clients::new(&sdk_config);
    let mut ui = progress::renderer(args.events, Box::new(err.clone()), stderr_tty);
    let result = execute(&clients, &plan, &mut *ui, &interrupt).await;
    ui.finish();
    match result {
        Ok(report) => {
            let text = if stdout_tty && !args.json {
                Ok(report.line())
            } else {
                serde_json::to_string(&report)
            };
            if let Ok(text) = text {
                // A closed stdout is not worth failing a promotion over.
                let _ = writeln!(stdout, "{text}");
                let _ = stdout.flush();
            }
            if let Some(reason) = report.reason.as_deref().filter(|_| report.failed()) {
                let _ = writeln!(err, "error: {reason}");
            }
            exit_code(&report)
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            e.exit_code()
        }
    }
}
