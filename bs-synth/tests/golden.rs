//! Golden files: the exact assembly each test config synthesizes to. A change to
//! a template shows up here as a reviewable diff.
//!
//! After an intended change: `UPDATE_GOLDEN=1 cargo test -p bs-synth --test golden`,
//! then review `git diff bs-synth/tests/golden`.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::*;
use std::path::Path;

#[test]
fn assemblies_match_their_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut mismatched = Vec::new();
    for path in config_paths() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let mut assembly = synth(&load(&path));
        // The generator names the version; the golden files outlive versions.
        assembly.generator = None;
        let text = serde_json::to_string_pretty(&assembly).unwrap() + "\n";
        let golden = dir.join(format!("{name}.json"));
        if update {
            std::fs::write(&golden, &text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
                golden.display()
            )
        });
        if expected != text {
            let line = expected
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .map_or(
                    expected.lines().count().min(text.lines().count()) + 1,
                    |n| n + 1,
                );
            mismatched.push(format!(
                "{} differs from {} from line {line}:\n  golden: {}\n  now:    {}",
                path.display(),
                golden.display(),
                expected.lines().nth(line - 1).unwrap_or("<end>"),
                text.lines().nth(line - 1).unwrap_or("<end>")
            ));
        }
    }
    assert!(
        mismatched.is_empty(),
        "{}\n(if intended: UPDATE_GOLDEN=1 cargo test -p bs-synth --test golden)",
        mismatched.join("\n")
    );
}
