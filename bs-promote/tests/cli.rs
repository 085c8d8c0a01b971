//! bs-promote refuses bad input before any AWS call (exit 2, nothing on stdout,
//! the flag or key at fault named on stderr).
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

const CONFIG: &str = "../configs/env-config.example.yaml";

fn bs_promote() -> Command {
    let mut c = Command::cargo_bin("bs-promote").unwrap();
    // An endpoint nothing listens on: a run that reached AWS would fail slowly
    // with exit 3, not quickly with exit 2.
    c.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("BS_CONFIG")
        .env_remove("BS_ROLE_ARN")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Runs with the example config; asserts a refusal and returns stderr.
fn refused(args: &[&str]) -> String {
    let out = bs_promote()
        .args(["--config", CONFIG])
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}");
    err
}

#[test]
fn exactly_one_action() {
    let e = refused(&[]);
    assert!(
        e.contains("--to") && e.contains("--rollback") && e.contains("--approve"),
        "{e}"
    );
    let e = refused(&["--to", "prod", "--rollback", "prod"]);
    assert!(e.contains("cannot be used with"), "{e}");
    let e = refused(&["--approve", "prod", "--reject", "prod", "--reason", "no"]);
    assert!(e.contains("cannot be used with"), "{e}");
}

#[test]
fn flags_that_need_another() {
    let e = refused(&["--reject", "prod"]);
    assert!(e.contains("--reason"), "{e}");
    let e = refused(&["--approve", "prod", "--reason", "why"]);
    assert!(e.contains("--reject"), "{e}");
    let e = refused(&["--rollback", "test", "--image", "v1"]);
    assert!(e.contains("--to"), "{e}");
    let e = refused(&["--reject", "prod", "--reason", "   "]);
    assert!(e.contains("--reason: must say why"), "{e}");
    let long = "x".repeat(513);
    let e = refused(&["--reject", "prod", "--reason", &long]);
    assert!(e.contains("at most 512 characters"), "{e}");
}

#[test]
fn an_unknown_stage_is_named_with_the_known_ones() {
    for flag in ["--to", "--rollback", "--approve"] {
        let e = refused(&[flag, "staging"]);
        assert!(
            e.contains(&format!(
                "{flag} staging: {CONFIG} has no such stage (it has test, prod)"
            )),
            "{e}"
        );
    }
}

#[test]
fn the_first_stage_needs_an_image_and_only_gated_stages_have_approvals() {
    let e = refused(&["--to", "test"]);
    assert!(
        e.contains("test is the first stage") && e.contains("--image"),
        "{e}"
    );
    let e = refused(&["--approve", "test"]);
    assert!(
        e.contains("stage test has no approval gate (STAGE_APPROVAL"),
        "{e}"
    );
}

#[test]
fn images_that_cannot_be_the_stacks() {
    for bad in [
        "docker.io/library/nginx:1.27",
        "backstage:v1",
        "999999999999.dkr.ecr.us-east-1.amazonaws.com/backstage:v1",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/backstage",
    ] {
        let e = refused(&["--to", "test", "--image", bad]);
        assert!(e.contains(&format!("--image {bad}:")), "{e}");
    }
}

#[test]
fn bounds_and_role() {
    let e = refused(&["--to", "prod", "--poll-interval", "0"]);
    assert!(e.contains("--poll-interval 0"), "{e}");
    let e = refused(&["--to", "prod", "--timeout", "0"]);
    assert!(e.contains("--timeout 0"), "{e}");
    let e = refused(&["--to", "prod", "--role-arn", "backstage-pipeline-cfn"]);
    assert!(
        e.contains("--role-arn backstage-pipeline-cfn: not an IAM role ARN"),
        "{e}"
    );
}

#[test]
fn a_config_problem_names_the_file() {
    let out = bs_promote()
        .args(["--config", "no/such/config.yaml", "--to", "prod"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("no/such/config.yaml") && e.contains("cannot read"),
        "{e}"
    );
}

#[test]
fn help_lists_the_exit_codes() {
    let out = bs_promote().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Exit codes:") && text.contains("--rollback"),
        "{text}"
    );
}
