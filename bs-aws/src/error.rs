//! Errors of the AWS side, each with its exit code.

use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use bs_core::exit;
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

/// The service's error code and message of an SDK error, or the whole chain
/// (for connection and credential failures).
pub fn describe<E>(e: &aws_sdk_cloudformation::error::SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let Some(service) = e.as_service_error() {
        match (service.code(), service.message()) {
            (Some(code), Some(message)) => return format!("{code}: {message}"),
            (Some(code), None) => return code.to_string(),
            _ => {}
        }
    }
    DisplayErrorContext(e).to_string()
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
