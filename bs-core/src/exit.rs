//! Exit codes shared by every bs tool. Documented in `docs/exit-codes.md`.

/// Everything asked for was done (also: "no changes").
pub const SUCCESS: i32 = 0;
/// The work failed at run time: I/O, AWS, a failed deployment.
pub const FAILURE: i32 = 1;
/// The input was rejected before anything was done: flags, config, assembly,
/// or stacks that would break a CloudFormation limit.
pub const USAGE: i32 = 2;
