//! bs-bootstrap refuses bad input before any AWS call (the endpoint points where
//! nothing listens: an AWS call would end in exit 3, not 2).
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use assert_cmd::Command;
use std::net::TcpListener;

fn bs_bootstrap() -> Command {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::cargo_bin("bs-bootstrap").unwrap();
    cmd.env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("BS_CONFIG")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    cmd
}

const EXAMPLE: &str = "configs/env-config.example.yaml";

#[test]
fn config_problems_exit_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.yaml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../configs/env-config.example.yaml"
    ))
    .unwrap()
    .replace("AWS_ACCOUNT: \"123456789012\"", "AWS_ACCOUNT: \"12\"");
    std::fs::write(&path, text).unwrap();
    let out = bs_bootstrap().arg("--config").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("common.AWS_ACCOUNT: must be a 12-digit AWS account id"));
}

#[test]
fn bad_secret_inputs_exit_2_without_showing_the_value() {
    let out = bs_bootstrap()
        .args(["--config", EXAMPLE])
        .env("BS_SECRET_BACKSTAGE_GITHUB_TOKEN", "not-json-hunter2")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "BS_SECRET_BACKSTAGE_GITHUB_TOKEN: the value is not a JSON object with the keys secret"
        ),
        "{err}"
    );
    assert!(!err.contains("hunter2"));
    let out = bs_bootstrap()
        .args([
            "--config",
            EXAMPLE,
            "--secret-file",
            "backstage/github-token",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--secret-file backstage/github-token: expected NAME=PATH"));
}

#[test]
fn unreachable_aws_is_exit_3() {
    let out = bs_bootstrap()
        .args(["--config", EXAMPLE, "--check"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("sts:GetCallerIdentity"));
}
