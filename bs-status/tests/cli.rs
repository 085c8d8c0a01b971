//! bs-status refuses bad input before any AWS call.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

fn bs_status() -> Command {
    let mut c = Command::cargo_bin("bs-status").unwrap();
    // An endpoint nothing listens on: a test that reached AWS would fail slowly
    // with exit 3, not quickly with exit 2.
    c.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn an_unknown_stage_is_named_with_the_known_ones() {
    let out = bs_status()
        .args([
            "--config",
            "../configs/env-config.example.yaml",
            "--stage",
            "staging",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--stage staging") && err.contains("test, prod"),
        "{err}"
    );
}

#[test]
fn a_config_error_names_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env-config.yaml");
    let text = std::fs::read_to_string("../configs/env-config.example.yaml").unwrap();
    std::fs::write(
        &path,
        text.replace("CONTAINER_PORT: 7007", "CONTAINER_PORT: seventy"),
    )
    .unwrap();
    let out = bs_status().arg("--config").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("env-config.yaml") && err.contains("CONTAINER_PORT"),
        "{err}"
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [&["--watch", "0"][..], &["--json", "--human"], &["--bogus"]] {
        let out = bs_status().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = bs_status().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes"));
}
