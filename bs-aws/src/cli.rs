//! What every AWS-calling tool's command line shares.

use bs_core::exit;
use std::ffi::OsString;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// One stderr writer shared by a renderer and the tool's own messages.
#[derive(Clone)]
pub struct SharedWriter(Arc<Mutex<Box<dyn Write + Send>>>);

impl SharedWriter {
    pub fn new(w: Box<dyn Write + Send>) -> SharedWriter {
        SharedWriter(Arc::new(Mutex::new(w)))
    }
}

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .flush()
    }
}

/// Parses the arguments; on `--help`/`--version` prints to stdout, on a usage
/// error to stderr, and gives the exit code to return.
pub fn parse<A, I, T>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<A, i32>
where
    A: clap::Parser,
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    A::try_parse_from(args).map_err(|e| {
        let text = e.render().to_string();
        if e.use_stderr() {
            let _ = write!(stderr, "{text}");
            exit::USAGE
        } else {
            let _ = write!(stdout, "{text}");
            exit::SUCCESS
        }
    })
}

/// Loads the config as the AWS tools do (a connection ARN is optional: none of
/// them needs it to be set), printing its warnings on `err`; a problem is an
/// [`crate::Error::Input`] listing every problem with file, line and key.
pub fn load_config(
    path: &std::path::Path,
    err: &mut dyn Write,
) -> Result<bs_core::config::Config, crate::Error> {
    let options = bs_core::config::Options {
        connection_optional: true,
    };
    let loaded = bs_core::config::load_with(path, options).map_err(|e| {
        // The tools print "error: " before an error already.
        let text = e.to_string();
        let text = text.trim_end();
        crate::Error::Input(text.strip_prefix("error: ").unwrap_or(text).to_string())
    })?;
    let file = path.display().to_string();
    for w in &loaded.warnings {
        let _ = writeln!(err, "warning: {}", w.render(&file));
    }
    Ok(loaded.config)
}

/// The longest `--timeout` the tools take: a week.
pub const MAX_TIMEOUT_SECS: u64 = 7 * 24 * 3600;

/// `--poll-interval`: between 0.05 and 300 seconds.
pub fn check_poll_interval(secs: f64) -> Result<(), crate::Error> {
    if (0.05..=300.0).contains(&secs) {
        Ok(())
    } else {
        Err(crate::Error::Input(format!(
            "--poll-interval {secs}: must be between 0.05 and 300 seconds"
        )))
    }
}

/// `--timeout`: between 1 second and [`MAX_TIMEOUT_SECS`].
pub fn check_timeout(secs: u64) -> Result<(), crate::Error> {
    if (1..=MAX_TIMEOUT_SECS).contains(&secs) {
        Ok(())
    } else {
        Err(crate::Error::Input(format!(
            "--timeout {secs}: must be between 1 and {MAX_TIMEOUT_SECS} seconds (a week)"
        )))
    }
}

/// `--role-arn`: the shape of an IAM role ARN.
pub fn check_role_arn(arn: &str) -> Result<(), crate::Error> {
    if arn.starts_with("arn:aws") && arn.contains(":iam::") && arn.contains(":role/") {
        Ok(())
    } else {
        Err(crate::Error::Input(format!(
            "--role-arn {arn}: not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
        )))
    }
}
