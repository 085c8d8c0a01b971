//! bs-bootstrap: from an empty account to a running infrastructure pipeline.
//!
//! [`run`] is the whole command, with its streams passed in through [`Io`].

pub mod cli;
pub mod prerequisites;

use bs_aws::account::{self, Expected};
use bs_aws::cli::SharedWriter;
use bs_aws::deploy::{self, Options, Outcome};
use bs_aws::interrupt::{Interrupt, CHANGES_GO_ON, GRACE};
use bs_aws::progress::{self, Message};
use bs_aws::sdk;
use bs_aws::Error;
use bs_core::config::Config;
use bs_core::exit;
use prerequisites::{secrets, Clients, Prerequisite};
use serde::Serialize;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// Looks up an environment variable.
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The process's streams, and whether they are terminals.
pub struct Io {
    pub stdout: Box<dyn Write + Send>,
    pub stderr: Box<dyn Write + Send>,
    pub stdin_tty: bool,
    pub stderr_tty: bool,
    /// Reads `BS_SECRET_*` (tests pass their own).
    pub env: EnvLookup,
}

impl Io {
    pub fn process() -> Io {
        Io {
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            stdin_tty: std::io::stdin().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            env: Box::new(|k| std::env::var(k).ok()),
        }
    }
}

#[derive(Serialize, Default)]
struct Report {
    prerequisites: Vec<Prerequisite>,
    /// The bootstrap stack's deploy (roles, boundary, artifact bucket), when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    bootstrap_stack: Option<Outcome>,
    /// The pipeline stack's deploy, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pipeline_stack: Option<Outcome>,
    /// `ready`, `not-ready`, `needs-person`.
    result: &'static str,
}

/// Runs bs-bootstrap with `args` (program name first); returns the exit code.
pub async fn run<I, T>(args: I, io: Io) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let Io {
        mut stdout,
        stderr,
        stdin_tty,
        stderr_tty,
        env,
    } = io;
    let mut err = SharedWriter::new(stderr);
    let args: cli::Args = match bs_aws::cli::parse(args, &mut stdout, &mut err) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let mut report = Report::default();
    let code = match bootstrap(
        &args,
        stdin_tty && stderr_tty,
        &*env,
        &mut err,
        stderr_tty,
        &mut report,
    )
    .await
    {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            e.exit_code()
        }
    };
    // The report, once something was checked: a run stopped before that (bad
    // input, AWS out of reach) has only its error, on stderr.
    if !report.prerequisites.is_empty() || report.bootstrap_stack.is_some() {
        if let Ok(text) = serde_json::to_string(&report) {
            let _ = writeln!(stdout, "{text}");
        }
    }
    code
}

async fn bootstrap(
    args: &cli::Args,
    interactive: bool,
    env: &(dyn Fn(&str) -> Option<String> + Send + Sync),
    err: &mut SharedWriter,
    stderr_tty: bool,
    report: &mut Report,
) -> Result<i32, Error> {
    // Everything about the input first, before any AWS call.
    let c: Config = bs_aws::cli::load_config(&args.config, err)?;
    bs_aws::cli::check_poll_interval(args.poll_interval)?;
    let wanted = secrets::wanted(&c);
    let given = secrets::given_values(&wanted, &args.secret_files, env)?;

    let sdk_config = sdk::config(&args.aws, Some(&c.region)).await?;
    let clients = Clients::new(&sdk_config);
    let interrupt = Interrupt::on_ctrl_c(GRACE, CHANGES_GO_ON);
    // Whose credentials, before anything else is read or changed.
    let file = args.config.display().to_string();
    account::check(
        &clients.base,
        Expected::Config {
            account: &c.account,
            file: &file,
        },
    )
    .await?;
    let check = args.check;
    let _ = writeln!(
        err,
        "{} prerequisites of {} in account {} ({})",
        if check { "checking" } else { "bootstrapping" },
        c.stack_name,
        c.account,
        c.region
    );
    let say = |p: Prerequisite, report: &mut Report| {
        let _ = writeln!(err.clone(), "{}", p.line());
        report.prerequisites.push(p);
    };
    for p in prerequisites::hosted_zones::ensure(&clients, &c, check).await? {
        say(p, report);
    }
    say(
        prerequisites::repository::ensure(&clients, &c, check).await?,
        report,
    );
    say(
        prerequisites::staging_bucket::ensure(&clients, &c, check).await?,
        report,
    );
    let e = secrets::Ensure {
        check_only: check,
        update: args.update_secrets,
        interactive,
        given: &given,
    };
    for w in &wanted {
        say(secrets::ensure_one(&clients, &c, w, &e).await?, report);
    }
    let connection = prerequisites::connection::ensure(&clients, &c, check).await?;
    say(connection, report);

    let needs_person = report.prerequisites.iter().any(|p| p.needs_person);
    let ready = report.prerequisites.iter().all(|p| p.state.ready());
    if needs_person {
        report.result = "needs-person";
        let _ = writeln!(
            err,
            "waiting for a person: do what the → lines say, then run bs-bootstrap again"
        );
        return Ok(exit::NEEDS_ACTION);
    }
    if !ready {
        report.result = "not-ready";
        let _ = writeln!(
            err,
            "not ready: {} prerequisite(s) missing or wrong (see above)",
            report
                .prerequisites
                .iter()
                .filter(|p| !p.state.ready())
                .count()
        );
        return Ok(exit::FAILURE);
    }
    report.result = "ready";
    if check || args.no_deploy {
        return Ok(exit::SUCCESS);
    }
    if c.connection_arn.is_empty() {
        let _ = writeln!(err, "the pipeline stack needs CODESTAR_CONN_ARN: set it in the config and run bs-bootstrap again");
        report.result = "needs-person";
        return Ok(exit::NEEDS_ACTION);
    }
    // The bootstrap stack (with these credentials: it holds the roles), then
    // the pipeline stack, through the same engine as bs-deploy; the pipeline
    // deploys the rest.
    let assembly = bs_synth::assembly(&c);
    let problems = bs_synth::synth::limit_problems(&assembly);
    if let Some((stack, p)) = problems.first() {
        return Err(Error::Input(format!("stack {stack}: {p}")));
    }
    let [bootstrap_stack, pipeline_stack, ..] = assembly.stacks.as_slice() else {
        return Err(Error::Failed(
            "bs-synth made no bootstrap and pipeline stacks".into(),
        ));
    };
    let opts = Options {
        poll: Duration::from_secs_f64(args.poll_interval),
        ..Options::default()
    };
    let mut ui = progress::renderer(args.events, Box::new(err.clone()), stderr_tty);
    // Everything read-only first: a bad parameter changes nothing.
    let mut preflights = Vec::new();
    for (i, stack) in [bootstrap_stack, pipeline_stack].into_iter().enumerate() {
        let earlier: Vec<&str> = assembly.stacks[..i]
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        preflights.push(deploy::preflight(&clients.base, stack, &earlier, &opts, &mut *ui).await?);
    }
    let steps = [
        (bootstrap_stack, "deploying the bootstrap stack (the pipelines' roles, permissions boundary and artifact bucket)"),
        (pipeline_stack, "deploying the infrastructure pipeline stack"),
    ];
    // In order, stopping at the first failure; the live view ends either way.
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut result = Ok(());
    for ((stack, text), pre) in steps.into_iter().zip(&preflights) {
        ui.message(&Message::Step {
            stack: stack.name.clone(),
            text: text.into(),
        });
        let body = stack
            .template
            .as_ref()
            .map(|t| t.to_string())
            .unwrap_or_default();
        match deploy::deploy(
            &clients.base,
            stack,
            &body,
            pre,
            &opts,
            &mut *ui,
            &interrupt,
        )
        .await
        {
            Ok(outcome) => {
                let failed = outcome.failed();
                outcomes.push(outcome);
                if failed {
                    break;
                }
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    ui.finish();
    let failed = outcomes.iter().any(Outcome::failed);
    let mut outcomes = outcomes.into_iter();
    report.bootstrap_stack = outcomes.next();
    report.pipeline_stack = outcomes.next();
    result?;
    if failed {
        report.result = "not-ready";
        return Ok(exit::FAILURE);
    }
    let _ = writeln!(
        err,
        "done: the pipeline {} now deploys stack {} from {}/{}@{}",
        bs_core::names::infra_pipeline(&c.stack_name),
        c.stack_name,
        c.github.org,
        c.github.infra_repo,
        c.github.infra_branch
    );
    Ok(exit::SUCCESS)
}
