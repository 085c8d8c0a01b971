//! An SDK error in words a person can act on: which credentials are missing,
//! which endpoint did not answer, which call was refused and why. The SDK's
//! own rendering (`DisplayErrorContext`) ends with a debug dump of the whole
//! error tree, kilobytes of it; it is shown only with `--debug` or `RUST_LOG`.

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudformation::error::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error as StdError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// What the messages name: where the calls go and what bounds them. Set once
/// by [`crate::sdk::config`] (the last configuration built wins; every client
/// of a process shares the endpoint and the limits).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// `--endpoint-url` / `AWS_ENDPOINT_URL`, when set.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// The profile asked for (`--profile` / `AWS_PROFILE`).
    pub profile: Option<String>,
    /// The limit of one call, its retries included (`--call-timeout`).
    pub call_timeout: Duration,
    /// Attempts per call (the first and its retries).
    pub attempts: u32,
}

impl Context {
    /// Where the calls go, as a message names it.
    fn target(&self) -> String {
        match (&self.endpoint, &self.region) {
            (Some(url), _) => url.clone(),
            (None, Some(region)) => format!("AWS (region {region})"),
            (None, None) => "AWS".to_string(),
        }
    }
}

static CONTEXT: Mutex<Option<Context>> = Mutex::new(None);
static DEBUG: AtomicBool = AtomicBool::new(false);

pub fn set_context(context: Context) {
    if let Ok(mut c) = CONTEXT.lock() {
        *c = Some(context);
    }
}

fn context() -> Context {
    CONTEXT
        .lock()
        .ok()
        .and_then(|c| c.clone())
        .unwrap_or_default()
}

/// `--debug`: errors end with the SDK's whole chain.
pub fn set_debug(on: bool) {
    DEBUG.store(on, Ordering::Relaxed);
}

/// `--debug` was given, or `RUST_LOG` is set (not empty).
pub fn debug() -> bool {
    DEBUG.load(Ordering::Relaxed) || std::env::var_os("RUST_LOG").is_some_and(|v| !v.is_empty())
}

/// Error codes of expired credentials.
const EXPIRED: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "TokenRefreshRequired",
];

/// Error codes of credentials AWS does not know or cannot verify.
const REFUSED: &[&str] = &[
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidSignatureException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "AuthFailure",
];

/// Error codes of a caller without the permission.
const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
];

/// Error codes of throttling (the SDK retries them with backoff first).
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "BandwidthLimitExceeded",
    "PriorRequestNotComplete",
    "ProvisionedThroughputExceededException",
    "EC2ThrottledException",
];

/// The plain sentence of an SDK error.
pub(crate) fn plain<E>(e: &SdkError<E>) -> String
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let ctx = context();
    if let Some(service) = e.as_service_error() {
        let status = e.raw_response().map(|r| r.status().as_u16());
        // An answer with no error code the SDK could read: its own words.
        let message = service.message().map(str::to_string).or_else(|| {
            e.raw_response()
                .and_then(|r| r.body().bytes())
                .map(|b| excerpt(&String::from_utf8_lossy(b)))
                .filter(|t| !t.is_empty())
        });
        if let Some(text) = service_error(service.code(), message.as_deref(), status, &ctx) {
            return text;
        }
    }
    if let Some(c) = find::<CredentialsError>(e) {
        return credentials(c, &ctx);
    }
    let target = ctx.target();
    let secs = ctx.call_timeout.as_secs_f64();
    match e {
        SdkError::TimeoutError(_) => {
            format!("no answer from {target} within {secs} s, retries included (--call-timeout)")
        }
        SdkError::DispatchFailure(d) if d.is_timeout() => {
            format!("no answer from {target}: the connection or the answer timed out")
        }
        SdkError::DispatchFailure(d) if d.is_io() => connection(e, &ctx),
        SdkError::ResponseError(r) => format!(
            "{target} answered HTTP {} with something that is not an AWS answer",
            r.raw().status().as_u16()
        ),
        _ => chain(e),
    }
}

/// A service's answer, when a code says more than "CODE: message".
fn service_error(
    code: Option<&str>,
    message: Option<&str>,
    status: Option<u16>,
    ctx: &Context,
) -> Option<String> {
    let attempts = ctx.attempts.max(1);
    let message = message.filter(|m| !m.trim().is_empty());
    let Some(code) = code else {
        // No code: an answer that is not one of AWS's error documents.
        return status.map(|s| match message {
            Some(m) => format!("{} answered HTTP {s}: {m}", ctx.target()),
            None => format!("{} answered HTTP {s} with no error code", ctx.target()),
        });
    };
    let with_message = |text: String| match message {
        Some(m) => format!("{text}: {m}"),
        None => text,
    };
    Some(if EXPIRED.contains(&code) {
        format!(
            "the credentials have expired ({code}): get new ones (with AWS SSO: aws sso login) \
             and run again"
        )
    } else if REFUSED.contains(&code) {
        format!(
            "AWS does not accept these credentials ({code}): check the access key, secret key and \
             session token, or the profile (--profile)"
        )
    } else if DENIED.contains(&code) {
        // AWS's message names the caller, the action and the resource.
        with_message(format!("access denied ({code})"))
    } else if THROTTLED.contains(&code) {
        format!(
            "AWS throttled the calls ({code}) and still did after {attempts} attempts with \
             backoff: wait a minute and run again"
        )
    } else if status.is_some_and(|s| s >= 500) {
        with_message(format!(
            "{} failed to answer ({code}, HTTP {}) after {attempts} attempts; try again later",
            ctx.target(),
            status.unwrap_or_default()
        ))
    } else {
        with_message(code.to_string())
    })
}

/// Credentials that could not be loaded.
fn credentials(c: &CredentialsError, ctx: &Context) -> String {
    let profile = ctx.profile.as_deref().unwrap_or("default");
    let none_found = format!(
        "no AWS credentials found (looked for AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
         profile {profile} in ~/.aws/credentials and ~/.aws/config, a web identity token, and the \
         ECS and EC2 metadata services): set credentials, or name a profile with --profile or \
         AWS_PROFILE"
    );
    let detail = chain(c);
    match c {
        CredentialsError::CredentialsNotLoaded(_) => none_found,
        // The EC2 metadata service is the chain's last resort: when it fails,
        // nothing before it had credentials.
        CredentialsError::ProviderError(_) if detail.contains("IMDS") => none_found,
        CredentialsError::ProviderTimedOut(_) => format!(
            "loading the credentials timed out ({detail}); off EC2, the instance metadata service \
             does not answer: set credentials, or name a profile with --profile or AWS_PROFILE"
        ),
        CredentialsError::InvalidConfiguration(_) => {
            format!("the AWS configuration of profile {profile} is invalid: {detail}")
        }
        _ => format!("could not load the credentials of profile {profile}: {detail}"),
    }
}

/// A connection that failed: refused, reset, or a name that does not resolve.
fn connection<E>(e: &SdkError<E>, ctx: &Context) -> String
where
    E: StdError + 'static,
{
    let target = ctx.target();
    let io = find::<std::io::Error>(e).map(|io| io.kind());
    let text = chain(e);
    use std::io::ErrorKind as K;
    match io {
        Some(K::ConnectionRefused) => format!(
            "could not connect to {target}: connection refused (nothing listens there; check \
             --endpoint-url or AWS_ENDPOINT_URL)"
        ),
        _ if text.contains("dns error") => match &ctx.endpoint {
            Some(url) => format!("could not resolve the host of {url}: {}", last(&text)),
            None => format!(
                "could not resolve the address of {target}: is the region right? ({})",
                last(&text)
            ),
        },
        Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof) => {
            closed(&target, ctx)
        }
        _ if text.contains("connection closed before message completed") => closed(&target, ctx),
        _ => format!("could not reach {target}: {text}"),
    }
}

/// A connection closed before the answer, on every attempt.
fn closed(target: &str, ctx: &Context) -> String {
    format!(
        "{target} closed the connection before it answered, on each of {} attempts",
        ctx.attempts.max(1)
    )
}

/// Up to 300 characters of a response body's text, without markup, on one line.
fn excerpt(body: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(if c.is_control() { ' ' } else { c }),
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut joined = words.join(" ");
    if let Some((cut, _)) = joined.char_indices().nth(300) {
        joined.truncate(cut);
        joined.push('…');
    }
    joined
}

/// The innermost part of a chain ("a: b: c" gives "c").
fn last(text: &str) -> &str {
    text.rsplit(": ").next().unwrap_or(text)
}

/// The first error of type `T` in `e`'s source chain.
fn find<'a, T: StdError + 'static>(e: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        current = err.source();
    }
    None
}

/// The Display of every error of the chain, joined by ": ", without the
/// SDK's generic layers ("dispatch failure", "other", "io error") and without
/// repeating a message its cause repeats.
fn chain(e: &(dyn StdError + 'static)) -> String {
    const LAYERS: &[&str] = &[
        "dispatch failure",
        "other",
        "io error",
        "timeout",
        "unhandled error",
        "response error",
        "service error",
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        let text = text.trim();
        if !text.is_empty() && !LAYERS.contains(&text) && !parts.iter().any(|p| p.contains(text)) {
            parts.push(text.to_string());
        }
        current = err.source();
    }
    if parts.is_empty() {
        "unknown error".to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            endpoint: Some("http://127.0.0.1:4566".into()),
            region: Some("us-east-1".into()),
            profile: None,
            call_timeout: Duration::from_secs(30),
            attempts: 6,
        }
    }

    #[test]
    fn credential_codes_are_named_without_blaming_the_network() {
        let c = ctx();
        let expired = service_error(Some("ExpiredToken"), Some("x"), Some(400), &c).unwrap();
        assert!(
            expired.starts_with("the credentials have expired"),
            "{expired}"
        );
        let refused =
            service_error(Some("InvalidClientTokenId"), Some("x"), Some(403), &c).unwrap();
        assert!(
            refused.contains("does not accept these credentials"),
            "{refused}"
        );
    }

    #[test]
    fn access_denied_keeps_the_action_aws_names() {
        let text = service_error(
            Some("AccessDenied"),
            Some("User: arn:aws:iam::1:user/u is not authorized to perform: cloudformation:DescribeStacks"),
            Some(403),
            &ctx(),
        )
        .unwrap();
        assert!(
            text.starts_with("access denied (AccessDenied): User:"),
            "{text}"
        );
        assert!(text.contains("cloudformation:DescribeStacks"), "{text}");
    }

    #[test]
    fn throttling_and_server_errors_say_they_were_retried() {
        let t =
            service_error(Some("Throttling"), Some("Rate exceeded"), Some(400), &ctx()).unwrap();
        assert!(t.contains("throttled") && t.contains("6 attempts"), "{t}");
        let s = service_error(Some("InternalFailure"), None, Some(500), &ctx()).unwrap();
        assert!(s.contains("HTTP 500") && s.contains("6 attempts"), "{s}");
        let other = service_error(Some("ValidationError"), Some("bad"), Some(400), &ctx()).unwrap();
        assert_eq!(other, "ValidationError: bad");
        let bare = service_error(None, None, Some(502), &ctx()).unwrap();
        assert!(
            bare.contains("http://127.0.0.1:4566 answered HTTP 502"),
            "{bare}"
        );
    }

    #[test]
    fn an_unreadable_error_document_is_shown_as_text() {
        let body = "<?xml version=\"1.0\"?>\n<ErrorResponse><Errors><Error><Code>AccessDenied</Code>\n<Message>User: x is not authorized</Message></Error></Errors></ErrorResponse>";
        assert_eq!(excerpt(body), "AccessDenied User: x is not authorized");
        assert_eq!(excerpt(&"a".repeat(400)).chars().count(), 301);
    }

    #[test]
    fn no_credentials_names_the_profile_and_what_to_do() {
        let mut c = ctx();
        c.profile = Some("ops".into());
        let text = credentials(&CredentialsError::not_loaded("nothing"), &c);
        assert!(text.starts_with("no AWS credentials found"), "{text}");
        assert!(text.contains("profile ops"), "{text}");
        assert!(!text.contains('{'), "{text}");
    }

    #[test]
    fn the_target_is_the_endpoint_or_the_region() {
        assert_eq!(ctx().target(), "http://127.0.0.1:4566");
        let mut c = ctx();
        c.endpoint = None;
        assert_eq!(c.target(), "AWS (region us-east-1)");
    }

    #[test]
    fn a_chain_drops_generic_layers_and_repeats() {
        #[derive(Debug)]
        struct E(&'static str, Option<Box<E>>);
        impl std::fmt::Display for E {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl StdError for E {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                self.1.as_deref().map(|e| e as _)
            }
        }
        let e = E(
            "dispatch failure",
            Some(Box::new(E(
                "tcp connect error",
                Some(Box::new(E("tcp connect error", None))),
            ))),
        );
        assert_eq!(chain(&e), "tcp connect error");
    }
}
