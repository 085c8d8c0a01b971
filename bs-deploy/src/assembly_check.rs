//! Everything about an assembly that can be checked without AWS, checked before
//! the first call: what CloudFormation would refuse after seconds of retries is
//! refused here at once (exit 2), every problem listed. The checks themselves
//! are [`bs_core::assembly_check`] (offline, and fuzzed with bs-synth's tests).

use bs_aws::Error;
use bs_core::assembly::Assembly;

pub use bs_core::assembly_check::{problems, MAX_RESOURCES, MAX_TEMPLATE_BYTES};

/// [`problems`] as one error, or none.
pub fn check(assembly: &Assembly, bodies: &[String], origin: &str) -> Result<(), Error> {
    let found = problems(assembly, bodies);
    match found.len() {
        0 => Ok(()),
        1 => Err(Error::Input(format!("{origin}: {}", found[0]))),
        n => Err(Error::Input(format!(
            "{origin}: {n} problems:\n  {}",
            found.join("\n  ")
        ))),
    }
}
