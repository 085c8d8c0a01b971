//! Shared pieces of the bs toolkit: the config model and its validation, the
//! assembly document the tools exchange and its checks, resource names the tools
//! agree on, the AWS regions that exist, and exit codes. No AWS client code
//! lives here: `bs-synth` links this crate and stays offline.

pub mod assembly;
pub mod assembly_check;
pub mod config;
pub mod digest;
pub mod exit;
pub mod names;
pub mod regions;
pub mod yaml;
