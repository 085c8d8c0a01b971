//! Shared pieces of the bs toolkit: the config model and its validation, the
//! assembly document the tools exchange, resource names the tools agree on, and
//! exit codes. No AWS client code lives here: `bs-synth` links this crate and
//! stays offline.

pub mod assembly;
pub mod config;
pub mod digest;
pub mod exit;
pub mod names;
pub mod yaml;
