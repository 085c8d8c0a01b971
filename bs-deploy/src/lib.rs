//! bs-deploy: deploys the assembly's stacks through change sets.
//!
//! [`run`] is the whole command; its streams come in through [`Io`], so tests
//! can run it in-process.

pub mod assembly_check;
pub mod cli;
pub mod input;
pub mod plan;
pub mod summary;

use bs_aws::account::{self, Expected};
use bs_aws::cli::SharedWriter;
use bs_aws::deploy::{self, Outcome};
use bs_aws::interrupt::{Interrupt, CHANGES_GO_ON, GRACE};
use bs_aws::progress;
use bs_aws::sdk::{self, Clients};
use bs_aws::Error;
use bs_core::exit;
use plan::Mode;
use serde::Serialize;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};

/// The process's streams, and whether each is a terminal.
pub struct Io {
    pub stdin: Box<dyn Read + Send>,
    pub stdout: Box<dyn Write + Send>,
    pub stderr: Box<dyn Write + Send>,
    pub stdin_tty: bool,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    /// `None`: Ctrl-C.
    pub interrupt: Option<Interrupt>,
}

impl Io {
    pub fn process() -> Io {
        Io {
            stdin_tty: std::io::stdin().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            stdin: Box::new(std::io::stdin()),
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            interrupt: None,
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    stacks: &'a [Outcome],
}

/// Runs bs-deploy with `args` (program name first); returns the exit code.
pub async fn run<I, T>(args: I, io: Io) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let Io {
        mut stdin,
        mut stdout,
        stderr,
        stdin_tty,
        stdout_tty,
        stderr_tty,
        interrupt,
    } = io;
    let mut err = SharedWriter::new(stderr);
    let args: cli::Args = match bs_aws::cli::parse(args, &mut stdout, &mut err) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let interrupt = interrupt.unwrap_or_else(|| Interrupt::on_ctrl_c(GRACE, CHANGES_GO_ON));
    let mut ui = progress::renderer(args.events, Box::new(err.clone()), stderr_tty);
    let mut outcomes: Vec<Outcome> = Vec::new();
    let result = deploy_all(
        &args,
        &mut *stdin,
        stdin_tty,
        &mut *ui,
        &interrupt,
        &mut outcomes,
    )
    .await;
    ui.finish();
    if !outcomes.is_empty() {
        let report = Report { stacks: &outcomes };
        let text = if stdout_tty && !args.json {
            Ok(summary::render(&outcomes))
        } else {
            serde_json::to_string(&report)
        };
        if let Ok(text) = text {
            // A closed stdout is not worth failing a deploy over.
            let _ = writeln!(stdout, "{text}");
            let _ = stdout.flush();
        }
    }
    match result {
        Ok(()) if outcomes.iter().any(Outcome::failed) => exit::FAILURE,
        Ok(()) => exit::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            e.exit_code()
        }
    }
}

async fn deploy_all(
    args: &cli::Args,
    stdin: &mut dyn Read,
    stdin_tty: bool,
    ui: &mut dyn progress::Renderer,
    interrupt: &Interrupt,
    outcomes: &mut Vec<Outcome>,
) -> Result<(), Error> {
    // Everything about the input is checked before the first AWS call.
    let plan = plan::plan(args, stdin, stdin_tty)?;
    if plan.mode == Mode::Destroy && !args.yes {
        let names: Vec<&str> = plan.targets.iter().map(|t| t.name.as_str()).collect();
        if stdin_tty && args.assembly.is_some() {
            confirm(&names)?;
        } else {
            return Err(Error::Input(format!(
                "--destroy would delete {}: pass --yes to confirm (required when not interactive)",
                names.join(" and ")
            )));
        }
    }
    // Clients per region, and the credentials' account checked against every
    // stack's before anything changes.
    // One client set and one sts:GetCallerIdentity per region.
    let mut clients: BTreeMap<String, (Clients, Option<String>)> = BTreeMap::new();
    for t in &plan.targets {
        let key = t.region.clone().unwrap_or_default();
        if !clients.contains_key(&key) {
            let config = sdk::config(&args.aws, t.region.as_deref()).await?;
            clients.insert(key.clone(), (Clients::new(&config), None));
        }
        if let (Some(expected), Some((c, known))) = (&t.account, clients.get_mut(&key)) {
            let actual = match known {
                Some(a) => a.clone(),
                None => known.insert(account::caller(c).await?.account).clone(),
            };
            let expected = Expected::Stack {
                account: expected,
                stack: &t.name,
            };
            if let Some(refusal) = account::refusal(expected, &actual) {
                return Err(refusal);
            }
        }
    }
    let opts = &plan.options;
    // The read-only part of every deploy first: an unresolvable parameter
    // stops the run before the first stack changes.
    let mut preflights = Vec::new();
    for (n, t) in plan.targets.iter().enumerate() {
        let c = &clients[&t.region.clone().unwrap_or_default()].0;
        let earlier: Vec<&str> = plan.targets[..n].iter().map(|t| t.name.as_str()).collect();
        preflights.push(match (plan.mode, &plan.loaded, t.index) {
            (Mode::Deploy | Mode::Preview, Some(l), Some(i)) => {
                Some(deploy::preflight(c, &l.assembly.stacks[i], &earlier, opts, ui).await?)
            }
            _ => None,
        });
    }
    for (t, pre) in plan.targets.iter().zip(&preflights) {
        let c = &clients[&t.region.clone().unwrap_or_default()].0;
        let outcome = match (plan.mode, &plan.loaded, t.index, pre) {
            (Mode::Deploy | Mode::Preview, Some(l), Some(i), Some(pre)) => {
                let artifact = &l.assembly.stacks[i];
                let own;
                let opts = if artifact.without_role && opts.role_arn.is_some() {
                    ui.message(&progress::Message::Step {
                        stack: artifact.name.clone(),
                        text: "deployed with your credentials, not --role-arn: it holds the CloudFormation role".into(),
                    });
                    own = deploy::Options {
                        role_arn: None,
                        ..opts.clone()
                    };
                    &own
                } else {
                    opts
                };
                deploy::deploy(c, artifact, &l.bodies[i], pre, opts, ui, interrupt).await?
            }
            (Mode::Deploy | Mode::Preview, _, _, _) => continue,
            (Mode::Execute, _, _, _) => {
                let cs = args.execute.as_deref().unwrap_or_default();
                deploy::execute_reviewed(c, &t.name, cs, opts, ui, interrupt).await?
            }
            (Mode::Follow, _, _, _) => {
                deploy::follow_existing(c, &t.name, opts, ui, interrupt).await?
            }
            (Mode::Destroy, _, _, _) => deploy::destroy(c, &t.name, opts, ui, interrupt).await?,
        };
        let failed = outcome.failed();
        outcomes.push(outcome);
        if failed {
            // Later stacks depend on earlier ones: stop here.
            break;
        }
    }
    Ok(())
}

/// Asks on the terminal before deleting.
fn confirm(names: &[&str]) -> Result<(), Error> {
    eprint!(
        "Delete stack(s) {}? Type yes to confirm: ",
        names.join(" and ")
    );
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::Input(format!("cannot read the confirmation: {e}")))?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::Input("not confirmed: nothing was deleted".into()))
    }
}
