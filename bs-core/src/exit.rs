//! Exit codes shared by every bs tool. Documented in `docs/exit-codes.md`.

/// Everything asked for was done (also: "no changes").
pub const SUCCESS: i32 = 0;
/// The work failed at run time: a failed deployment, a file that could not be
/// written.
pub const FAILURE: i32 = 1;
/// The input was rejected before anything was changed: flags, config, assembly,
/// parameters, stacks that would break a CloudFormation limit, credentials of
/// another account than the assembly's.
pub const USAGE: i32 = 2;
/// AWS could not be asked: no credentials, no network, an API refused a call
/// (permissions, throttling beyond the retries).
pub const AWS: i32 = 3;
/// A wait ran out of time (`--timeout`); the operation may still be running.
pub const TIMEOUT: i32 = 4;
/// Waiting for a person: a step only a human can take (the GitHub handshake of
/// a new CodeStar connection, a config value to change) stands between this run
/// and the next.
pub const NEEDS_ACTION: i32 = 5;
/// Deployed but not healthy, or still changing (bs-status): a stack or a stage
/// missing, failed or in progress, a service short of tasks, unhealthy targets,
/// an image other than the one its stack asks for.
pub const UNHEALTHY: i32 = 6;
/// Interrupted (Ctrl-C): 128 + SIGINT.
pub const INTERRUPTED: i32 = 130;
