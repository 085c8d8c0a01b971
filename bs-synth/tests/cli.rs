//! The bs-synth binary: exit codes, what goes to stdout and stderr, files written.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use assert_cmd::Command;
use bs_core::assembly::{Assembly, MANIFEST_FILE};
use common::repo_root;
use serde_json::Value;
use std::path::PathBuf;

fn example() -> PathBuf {
    repo_root().join("configs/env-config.example.yaml")
}

fn bs_synth() -> Command {
    let mut cmd = Command::cargo_bin("bs-synth").unwrap();
    cmd.env_remove("BS_CONFIG").current_dir(repo_root());
    cmd
}

fn write_config(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("env-config.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn prints_the_assembly_and_nothing_else() {
    let out = bs_synth().arg("--config").arg(example()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = Assembly::from_json(std::str::from_utf8(&out.stdout).unwrap()).unwrap();
    assert_eq!(a.version, 1);
    assert_eq!(
        a.stack_names(),
        ["backstage-bootstrap", "backstage-pipeline", "backstage"]
    );
    assert!(a.generator.unwrap().starts_with("bs-synth "));
    // One document, one line, compact.
    assert_eq!(out.stdout.iter().filter(|b| **b == b'\n').count(), 1);
}

#[test]
fn same_config_same_bytes() {
    let run = || {
        bs_synth()
            .arg("--config")
            .arg(example())
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn config_comes_from_bs_config_or_the_default_path() {
    let out = bs_synth().env("BS_CONFIG", example()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // No configs/env-config.yaml in the repo root: the default path is named.
    let dir = tempfile::tempdir().unwrap();
    let out = bs_synth().current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("configs/env-config.yaml") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn config_errors_exit_2_naming_file_line_and_key_with_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example())
        .unwrap()
        .replace("AWS_ACCOUNT: \"123456789012\"", "AWS_ACCOUNT: \"1234\"")
        .replace("    STAGE_APPROVAL: true", "    STAGE_APPROVAL: \"true\"");
    let path = write_config(&dir, &text);
    let out = bs_synth().arg("--config").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    let file = path.display().to_string();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert!(err.contains("has 2 problems"), "{err}");
    assert!(
        err.contains(&format!(
            "{file}:{}: common.AWS_ACCOUNT: must be a 12-digit",
            line_of("AWS_ACCOUNT")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{file}:{}: stages.prod.STAGE_APPROVAL: must be a boolean",
            line_of("STAGE_APPROVAL")
        )),
        "{err}"
    );
}

#[test]
fn yaml_syntax_errors_give_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        &dir,
        "common:\n  AWS_ACCOUNT: \"123\n  X: 1\nstages:\n  - [\n",
    );
    let out = bs_synth().arg("--config").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:", path.display())) && err.contains("YAML syntax error"),
        "{err}"
    );
}

#[test]
fn garbage_and_empty_configs_are_refused_without_panic() {
    let dir = tempfile::tempdir().unwrap();
    for text in [
        "",
        "\u{0}\u{1}\u{2}binary",
        "just a string",
        "[1, 2, 3]",
        "common: 5\nstages: 6\n",
    ] {
        let path = write_config(&dir, text);
        let out = bs_synth().arg("--config").arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{text:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: "), "{text:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn warnings_go_to_stderr_and_quiet_silences_them() {
    let path = repo_root().join("tests/configs/reference-style.yaml");
    let out = bs_synth().arg("--config").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: ") && err.contains("common.POSTGRES_HOST: is ignored"),
        "{err}"
    );
    let out = bs_synth()
        .arg("--config")
        .arg(&path)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());
}

#[test]
fn stack_selects_one_and_unknown_names_are_listed() {
    let out = bs_synth()
        .arg("--config")
        .arg(example())
        .args(["--stack", "backstage"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let a = Assembly::from_json(std::str::from_utf8(&out.stdout).unwrap()).unwrap();
    assert_eq!(a.stack_names(), ["backstage"]);
    let out = bs_synth()
        .arg("--config")
        .arg(example())
        .args(["--stack", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--stack nope")
            && err.contains("backstage-bootstrap, backstage-pipeline, backstage"),
        "{err}"
    );
}

#[test]
fn out_writes_templates_and_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("assembly");
    let out = bs_synth()
        .arg("--config")
        .arg(example())
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout_assembly = Assembly::from_json(std::str::from_utf8(&out.stdout).unwrap()).unwrap();
    let manifest =
        Assembly::from_json(&std::fs::read_to_string(out_dir.join(MANIFEST_FILE)).unwrap())
            .unwrap();
    assert_eq!(
        manifest.stack_names(),
        ["backstage-bootstrap", "backstage-pipeline", "backstage"]
    );
    for (m, s) in manifest.stacks.iter().zip(&stdout_assembly.stacks) {
        assert!(m.template.is_none());
        let file = m.template_file.as_deref().unwrap();
        assert_eq!(file, format!("{}.template.json", m.name));
        let text = std::fs::read_to_string(out_dir.join(file)).unwrap();
        let template: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(Some(&template), s.template.as_ref());
        assert_eq!(text.trim_end().len(), m.template_bytes);
        assert_eq!(m.parameters, s.parameters);
    }
    // No temporary files left behind.
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
}

#[test]
fn out_that_cannot_be_written_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let out = bs_synth()
        .arg("--config")
        .arg(example())
        .arg("--out")
        .arg(blocker.join("sub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: --out"));
}

#[test]
fn verbose_reports_sizes() {
    let out = bs_synth()
        .arg("--config")
        .arg(example())
        .arg("--verbose")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("backstage-pipeline: ")
            && err.contains(" resources, ")
            && err.contains(" bytes"),
        "{err}"
    );
    assert!(err.contains("backstage: "), "{err}");
}

#[test]
fn too_many_stages_break_the_resource_limit_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(repo_root().join("tests/configs/minimal.yaml")).unwrap();
    text = text.replace("stages:\n  dev:\n", "stages:\n");
    for i in 0..30 {
        text.push_str(&format!("  s{i}:\n    HOST_NAME: h{i}\n"));
    }
    let path = write_config(&dir, &text);
    let out = bs_synth().arg("--config").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stack portal: it has") && err.contains("CloudFormation allows 500"),
        "{err}"
    );
}

#[test]
fn help_and_version_go_to_stdout_and_bad_flags_exit_2() {
    let out = bs_synth().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes:"));
    let out = bs_synth().arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("bs-synth "));
    let out = bs_synth().arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_closed_stdout_is_a_quiet_success() {
    // More than a pipe buffer of output, so the write must hit the closed pipe.
    let bin = assert_cmd::cargo::cargo_bin("bs-synth");
    let config = repo_root().join("tests/configs/five-stages.yaml");
    let script = format!(
        "set -o pipefail; '{}' --config '{}' --pretty | head -c 10 >/dev/null",
        bin.display(),
        config.display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn in_process_run_matches_the_binary() {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = bs_synth::run(
        ["bs-synth", "--config", example().to_str().unwrap()],
        &mut stdout,
        &mut stderr,
    );
    assert_eq!(code, 0);
    let bin = bs_synth()
        .arg("--config")
        .arg(example())
        .output()
        .unwrap()
        .stdout;
    assert_eq!(stdout, bin);
}
