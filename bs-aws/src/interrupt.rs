//! Ctrl-C, as something a waiting loop can select on.

use tokio::sync::watch;

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
    /// An interrupt that fires on Ctrl-C (SIGINT).
    pub fn on_ctrl_c() -> Interrupt {
        let interrupt = Interrupt::default();
        let tx = interrupt.tx.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(true);
            }
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
