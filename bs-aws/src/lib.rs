//! The AWS side of the bs toolkit, shared by every tool that calls AWS:
//!
//! - [`sdk`]: one place that builds the SDK configuration from `--profile`,
//!   `--region`, `--endpoint-url` (and `AWS_ENDPOINT_URL`), with retries;
//! - [`account`]: the credentials' account checked against the input's, the
//!   first call of every tool (credentials of another account are refused);
//! - [`deploy`]: the change-set deploy engine (create or update, preview,
//!   execute a reviewed change set, follow, destroy);
//! - [`service`], [`image`], [`pipeline`]: what a stage's ECS service runs,
//!   images in ECR, the pipelines' stages and approvals (bs-status, bs-promote);
//! - [`progress`]: the messages the engine emits while it works, and their
//!   renderers (live view on a terminal, one line per event, JSON lines).
//!
//! AWS clients are passed in ([`sdk::Clients`]), never global, so every piece is
//! testable against the local AWS or aws-smithy-mocks.

pub mod account;
pub mod cli;
pub mod deploy;
pub mod error;
pub mod image;
pub mod interrupt;
pub mod pipeline;
pub mod progress;
pub mod sdk;
pub mod service;

pub use error::Error;
