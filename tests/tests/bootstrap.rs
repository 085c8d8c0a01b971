//! bs-bootstrap on the local AWS: from an empty account to a deployed pipeline
//! stack, idempotent, with secrets that never show.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use bs_tests::{bin, repo_root, run_with_stdin, LocalAws};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

/// A recognizable secret value: it must never appear in any output.
const SECRET: &str = "s3cr3t-VALUE-4242";

/// The example config (it names the GitHub App secret by partial ARN, which a
/// secret bootstrap creates keeps valid) with `extra` added to common.
fn config(dir: &tempfile::TempDir, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo_root().join("configs/env-config.example.yaml"))
        .unwrap()
        .replace("common:\n", &format!("common:\n{extra}"));
    let path = dir.path().join("env-config.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn secrets_env() -> Vec<(&'static str, String)> {
    vec![
        (
            "BS_SECRET_BACKSTAGE_GITHUB_APP",
            format!("appId: 1\nprivateKey: {SECRET}\n"),
        ),
        (
            "BS_SECRET_BACKSTAGE_TEST_GITHUB_AUTH",
            format!(r#"{{"id":"test-id","secret":"{SECRET}"}}"#),
        ),
        (
            "BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH",
            format!(r#"{{"id":"prod-id","secret":"{SECRET}"}}"#),
        ),
        (
            "BS_SECRET_BACKSTAGE_AWS_AUTH",
            format!(r#"{{"id":"AKIAEXAMPLE","secret":"{SECRET}"}}"#),
        ),
        (
            "BS_SECRET_BACKSTAGE_GITHUB_TOKEN",
            format!(r#"{{"secret":"{SECRET}"}}"#),
        ),
    ]
}

fn bootstrap(aws: &LocalAws, config: &PathBuf, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = aws.command(bin("bs-bootstrap"));
    cmd.arg("--config")
        .arg(config)
        .args(["--poll-interval", "0.1", "--events", "lines"])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run_with_stdin(&mut cmd, b"");
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(stream).contains(SECRET),
            "a secret value was printed"
        );
    }
    out
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not the report ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn states(out: &Output) -> Vec<(String, String, String)> {
    report(out)["prerequisites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().into(),
                p["name"].as_str().unwrap().into(),
                p["state"].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// The report's line about `name`.
fn prerequisite(out: &Output, name: &str) -> Value {
    report(out)["prerequisites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .clone()
}

fn state_of(out: &Output, name: &str) -> String {
    states(out)
        .into_iter()
        .find(|(_, n, _)| n == name)
        .map(|(_, _, s)| s)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn from_an_empty_account_to_a_deployed_pipeline_stack_and_again_changes_nothing() {
    let aws = LocalAws::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir, "  ECR_REPO_NAME: platform/backstage\n");

    let before = bootstrap(&aws, &config, &["--check"], &[]);
    assert_eq!(
        before.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&before.stderr)
    );
    assert_eq!(report(&before)["result"], "not-ready");
    assert_eq!(state_of(&before, "example.com"), "missing");
    assert_eq!(state_of(&before, "backstage/prod/github-auth"), "missing");
    // --check is read-only.
    let zones = aws.aws(&["route53", "list-hosted-zones"]);
    assert_eq!(zones["HostedZones"].as_array().unwrap().len(), 0);

    let first = bootstrap(&aws, &config, &[], &secrets_env());
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let r = report(&first);
    assert_eq!(r["result"], "ready");
    assert_eq!(state_of(&first, "example.com"), "created");
    assert_eq!(state_of(&first, "platform/backstage"), "created");
    assert_eq!(
        state_of(&first, "bs-staging-123456789012-us-east-1"),
        "created"
    );
    for s in [
        "backstage/github-app",
        "backstage/test/github-auth",
        "backstage/prod/github-auth",
        "backstage/aws-auth",
        "backstage/github-token",
    ] {
        assert_eq!(state_of(&first, s), "created", "{s}");
    }
    // moto has no CodeConnections API: reported, not failed.
    assert_eq!(
        states(&first)
            .iter()
            .find(|(k, _, _)| k == "connection")
            .unwrap()
            .2,
        "unverifiable"
    );
    // The bootstrap stack (roles, boundary, bucket) first, then the pipeline stack.
    assert_eq!(r["bootstrap_stack"]["name"], "backstage-bootstrap");
    assert_eq!(r["bootstrap_stack"]["status"], "CREATE_COMPLETE");
    assert_eq!(r["pipeline_stack"]["status"], "CREATE_COMPLETE");
    let role = aws.aws(&["iam", "get-role", "--role-name", "backstage-pipeline-cfn"]);
    assert_eq!(
        role["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
        "cloudformation.amazonaws.com"
    );
    // The name servers to delegate to are printed.
    assert!(String::from_utf8_lossy(&first.stderr).contains("name servers:"));
    // What was stored is what was given, with the keys the stacks read.
    let v = aws.aws(&[
        "secretsmanager",
        "get-secret-value",
        "--secret-id",
        "backstage/prod/github-auth",
    ]);
    let stored: Value = serde_json::from_str(v["SecretString"].as_str().unwrap()).unwrap();
    assert_eq!(stored["id"], "prod-id");
    assert_eq!(stored["secret"], SECRET);
    let repo = aws.aws(&[
        "ecr",
        "describe-repositories",
        "--repository-names",
        "platform/backstage",
    ]);
    assert_eq!(
        repo["repositories"][0]["imageScanningConfiguration"]["scanOnPush"],
        true
    );

    // Again, without any value: everything is there, nothing changes.
    let again = bootstrap(&aws, &config, &[], &[]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    for (kind, name, state) in states(&again) {
        let expected = if kind == "connection" {
            "unverifiable"
        } else {
            "present"
        };
        assert_eq!(state, expected, "{kind} {name}");
    }
    assert_eq!(report(&again)["bootstrap_stack"]["status"], "NO_CHANGES");
    assert_eq!(report(&again)["pipeline_stack"]["status"], "NO_CHANGES");

    let after = bootstrap(&aws, &config, &["--check"], &[]);
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
    assert!(
        report(&after).get("pipeline_stack").is_none(),
        "--check deploys nothing"
    );
}

#[test]
fn a_secret_of_the_wrong_shape_is_reported_with_the_key_it_lacks() {
    let aws = LocalAws::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir, "");
    aws.aws(&[
        "secretsmanager",
        "create-secret",
        "--name",
        "backstage/aws-auth",
        "--secret-string",
        &format!(r#"{{"id":"{SECRET}"}}"#),
    ]);
    let out = bootstrap(&aws, &config, &["--check"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let p = prerequisite(&out, "backstage/aws-auth");
    assert_eq!(p["state"], "wrong");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("has no non-empty key `secret`"),
        "{p}"
    );
    assert!(
        p["fix"]
            .as_str()
            .unwrap()
            .contains("BS_SECRET_BACKSTAGE_AWS_AUTH")
            && p["fix"].as_str().unwrap().contains("--update-secrets"),
        "{p}"
    );

    // --update-secrets with a good value fixes it.
    let env = [(
        "BS_SECRET_BACKSTAGE_AWS_AUTH",
        format!(r#"{{"id":"AKIA","secret":"{SECRET}"}}"#),
    )];
    let fixed = bootstrap(&aws, &config, &["--update-secrets", "--no-deploy"], &env);
    assert_eq!(state_of(&fixed, "backstage/aws-auth"), "updated");
}

#[test]
fn a_missing_value_names_the_variable_and_the_flag_that_supply_it() {
    let aws = LocalAws::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir, "");
    let mut env = secrets_env();
    env.retain(|(k, _)| *k != "BS_SECRET_BACKSTAGE_GITHUB_TOKEN");
    let out = bootstrap(&aws, &config, &[], &env);
    assert_eq!(out.status.code(), Some(1));
    let p = prerequisite(&out, "backstage/github-token");
    assert_eq!(p["state"], "missing");
    let fix = p["fix"].as_str().unwrap();
    assert!(
        fix.contains("BS_SECRET_BACKSTAGE_GITHUB_TOKEN")
            && fix.contains("--secret-file backstage/github-token=PATH"),
        "{fix}"
    );
    // Not ready: the pipeline stack is not deployed.
    let stacks = aws.aws(&["cloudformation", "list-stacks"]);
    assert_eq!(stacks["StackSummaries"].as_array().map_or(0, Vec::len), 0);
}

#[test]
fn a_bad_secret_value_is_refused_before_any_call() {
    let aws = LocalAws::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir, "");
    let env = [(
        "BS_SECRET_BACKSTAGE_AWS_AUTH",
        format!(r#"{{"id":"x","token":"{SECRET}"}}"#),
    )];
    let out = bootstrap(&aws, &config, &[], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("BS_SECRET_BACKSTAGE_AWS_AUTH: the value has no non-empty key `secret`"));
    let zones = aws.aws(&["route53", "list-hosted-zones"]);
    assert_eq!(
        zones["HostedZones"].as_array().unwrap().len(),
        0,
        "nothing was done"
    );
}

#[test]
fn a_github_app_secret_named_by_full_arn_needs_the_config_changed() {
    let aws = LocalAws::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir, "");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "secret:backstage/github-app\n",
        "secret:backstage/github-app-AbCdEf\n",
    );
    std::fs::write(&config, text).unwrap();
    let out = bootstrap(&aws, &config, &["--no-deploy"], &secrets_env());
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = report(&out);
    assert_eq!(r["result"], "needs-person");
    let p = prerequisite(&out, "backstage/github-app");
    assert_eq!(p["state"], "created");
    assert!(p["fix"].as_str().unwrap().contains("partial ARN"), "{p}");
}

/// Run again before the config names the secret the first run made: the
/// secret is found by its name and the config change is asked for again (it
/// used to try to create it a second time and fail with ResourceExistsException).
#[test]
fn a_secret_named_by_full_arn_is_found_by_name_when_run_again() {
    let aws = LocalAws::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir, "");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "GITHUB_TOKEN_SECRET_NAME: backstage/github-token ",
        "GITHUB_TOKEN_SECRET_NAME: arn:aws:secretsmanager:us-east-1:123456789012:secret:backstage/github-token-XyZ123 ",
    );
    std::fs::write(&config, text).unwrap();
    let first = bootstrap(&aws, &config, &["--no-deploy"], &secrets_env());
    assert_eq!(
        first.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(state_of(&first, "backstage/github-token"), "created");

    for args in [&["--no-deploy"][..], &["--check"][..]] {
        let again = bootstrap(&aws, &config, args, &[]);
        let p = prerequisite(&again, "backstage/github-token");
        assert_eq!(p["state"], "wrong", "{args:?}: {p}");
        assert_eq!(p["needs_person"], true, "{args:?}: {p}");
        let fix = p["fix"].as_str().unwrap();
        assert!(
            fix.contains("names arn:aws:secretsmanager:us-east-1:123456789012:secret:backstage/github-token-XyZ123, but the secret is arn:aws:secretsmanager:us-east-1:123456789012:secret:backstage/github-token-"),
            "{fix}"
        );
        assert_eq!(
            again.status.code(),
            Some(5),
            "{args:?}: {}",
            String::from_utf8_lossy(&again.stderr)
        );
    }
    // Only one secret of that name was ever made.
    let listed = aws.aws(&["secretsmanager", "list-secrets"]);
    let named = listed["SecretList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Name"] == "backstage/github-token")
        .count();
    assert_eq!(named, 1);
}
