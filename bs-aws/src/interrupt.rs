//! Ctrl-C, as something a waiting loop can select on.

use std::time::Duration;
use tokio::sync::watch;

/// How long a tool may take, after Ctrl-C, to stop what it waits for (delete a
/// change set it made, say where things stand) before the process ends anyway.
pub const GRACE: Duration = Duration::from_secs(3);

/// What a tool that changes things says when Ctrl-C ends it during a call.
pub const CHANGES_GO_ON: &str = "AWS had not answered yet; what was already sent goes on: \
     bs-status shows where the stacks stand, and running the command again continues";

/// Cloneable; `interrupted()` completes once Ctrl-C was pressed (or
/// [`Interrupt::trigger`] called, in tests).
#[derive(Clone)]
pub struct Interrupt {
    rx: watch::Receiver<bool>,
    tx: std::sync::Arc<watch::Sender<bool>>,
}

impl Default for Interrupt {
    fn default() -> Self {
        let (tx, rx) = watch::channel(false);
        Interrupt {
            rx,
            tx: std::sync::Arc::new(tx),
        }
    }
}

impl Interrupt {
    /// An interrupt that fires on Ctrl-C (SIGINT). The tool's waits stop on
    /// it and say what state things are in. Should the tool still run `grace`
    /// later (a call AWS does not answer), or at a second Ctrl-C, the process
    /// ends with exit 130 and `then` on stderr: Ctrl-C always works.
    pub fn on_ctrl_c(grace: Duration, then: &'static str) -> Interrupt {
        let interrupt = Interrupt::default();
        let tx = interrupt.tx.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            let _ = tx.send(true);
            tokio::select! {
                _ = tokio::time::sleep(grace) => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            eprintln!("error: interrupted; {then}");
            std::process::exit(bs_core::exit::INTERRUPTED);
        });
        interrupt
    }

    pub fn trigger(&self) {
        let _ = self.tx.send(true);
    }

    pub fn is_set(&self) -> bool {
        *self.rx.borrow()
    }

    /// Completes when interrupted.
    pub async fn interrupted(&self) {
        let mut rx = self.rx.clone();
        while !*rx.borrow_and_update() {
            if rx.changed().await.is_err() {
                // The sender is gone: never interrupted.
                std::future::pending::<()>().await;
            }
        }
    }
}
