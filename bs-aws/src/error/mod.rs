//! Errors of the AWS side, each with its exit code.

use aws_smithy_types::error::display::DisplayErrorContext;

pub mod explain;

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use bs_core::exit;
pub use explain::{set_context, set_debug, Context};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Rejected before any change: bad input, another account, a parameter that
    /// cannot be resolved. Exit 2.
    Input(String),
    /// AWS could not be asked, or refused a call. Exit 3.
    Aws(String),
    /// The work was done and failed (details were reported as it went). Exit 1.
    Failed(String),
    /// A wait ran out of time. Exit 4.
    Timeout(String),
    /// Ctrl-C. Exit 130.
    Interrupted(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => exit::USAGE,
            Error::Aws(_) => exit::AWS,
            Error::Failed(_) => exit::FAILURE,
            Error::Timeout(_) => exit::TIMEOUT,
            Error::Interrupted(_) => exit::INTERRUPTED,
        }
    }
}

impl Error {
    /// The same error with `note` after its message ("message; note").
    pub fn noting(self, note: &str) -> Error {
        let add = |m: String| format!("{m}; {note}");
        match self {
            Error::Input(m) => Error::Input(add(m)),
            Error::Aws(m) => Error::Aws(add(m)),
            Error::Failed(m) => Error::Failed(add(m)),
            Error::Timeout(m) => Error::Timeout(add(m)),
            Error::Interrupted(m) => Error::Interrupted(add(m)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(m)
            | Error::Aws(m)
            | Error::Failed(m)
            | Error::Timeout(m)
            | Error::Interrupted(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// What an SDK error means, in one or two plain sentences: the service's code
/// and message when it answered, or what went wrong on the way (credentials,
/// connection, timeout). The SDK's whole chain, with its debug structures,
/// follows only with `--debug` (or `RUST_LOG` set).
pub fn describe<E>(e: &aws_sdk_cloudformation::error::SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let plain = explain::plain(e);
    if explain::debug() {
        format!("{plain}\n  debug: {}", DisplayErrorContext(e))
    } else {
        plain
    }
}

/// An `Error::Aws` saying what was being done.
pub fn aws<E>(doing: &str, e: &aws_sdk_cloudformation::error::SdkError<E>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    Error::Aws(format!("{doing}: {}", describe(e)))
}

/// The service error code, if the service answered.
pub fn code<E>(e: &aws_sdk_cloudformation::error::SdkError<E>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    e.as_service_error().and_then(|s| s.code())
}

/// The service error message, if the service answered.
pub fn message<E>(e: &aws_sdk_cloudformation::error::SdkError<E>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    e.as_service_error().and_then(|s| s.message())
}
