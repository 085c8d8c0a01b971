//! bs-synth | bs-deploy on the local AWS, with the real stacks.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use bs_tests::{bin, repo_root, run_with_stdin, LocalAws};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn synth(config: &Path) -> Vec<u8> {
    let out = std::process::Command::new(bin("bs-synth"))
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn example() -> std::path::PathBuf {
    repo_root().join("configs/env-config.example.yaml")
}

/// The example config with `from` replaced by `to`, in a temporary file.
fn example_with(dir: &tempfile::TempDir, from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(example()).unwrap();
    assert!(text.contains(from), "{from}");
    let path = dir.path().join("env-config.yaml");
    std::fs::write(&path, text.replace(from, to)).unwrap();
    path
}

fn deploy(aws: &LocalAws, assembly: &[u8], args: &[&str]) -> Output {
    let mut cmd = aws.command(bin("bs-deploy"));
    cmd.args(["--poll-interval", "0.1", "--events", "json"])
        .args(args);
    run_with_stdin(&mut cmd, assembly)
}

fn report(out: &Output) -> Vec<Value> {
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "stdout is not the report ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["stacks"].as_array().unwrap().clone()
}

fn statuses(out: &Output) -> Vec<(String, String)> {
    report(out)
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Every stderr line of `--events json` is one typed message.
fn messages(out: &Output) -> Vec<Value> {
    stderr(out)
        .lines()
        .filter(|l| !l.starts_with("error: "))
        .map(|l| {
            serde_json::from_str::<Value>(l)
                .unwrap_or_else(|e| panic!("not a JSON message ({e}): {l}"))
        })
        .collect()
}

#[test]
fn first_deploy_of_both_real_stacks_then_a_redeploy_changes_nothing() {
    let aws = LocalAws::start();
    let zone = aws.hosted_zone("example.com");
    aws.repository("backstage");
    let assembly = synth(&example());

    let out = deploy(&aws, &assembly, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        statuses(&out),
        [
            pair("backstage-bootstrap", "CREATE_COMPLETE"),
            pair("backstage-pipeline", "CREATE_COMPLETE"),
            pair("backstage", "CREATE_COMPLETE")
        ]
    );
    let stacks = report(&out);
    let backstage = &stacks[2];
    assert_eq!(backstage["action"], "create");
    assert!(
        backstage["changes"]["add"].as_u64().unwrap() > 50,
        "{backstage}"
    );
    // The hosted zone id was resolved from DOMAIN_NAME, and shown.
    assert_eq!(
        backstage["resolved_parameters"]["HostedZoneIdExampleCom"],
        zone.as_str()
    );
    let msgs = messages(&out);
    assert!(msgs.iter().any(|m| m["type"] == "step"
        && m["text"]
            .as_str()
            .unwrap()
            .contains(&format!("HostedZoneIdExampleCom = {zone}"))));
    assert!(msgs.iter().any(|m| m["type"] == "change"
        && m["logical_id"] == "ServiceProd"
        && m["action"] == "Add"));
    assert!(msgs
        .iter()
        .any(|m| m["type"] == "event" && m["status"] == "CREATE_COMPLETE"));
    assert_eq!(
        backstage["outputs"]["UrlProd"],
        "https://backstage.example.com"
    );
    // No image yet: the stage parameters are empty, the services run nothing.
    assert_eq!(aws.stack_parameter("backstage", "ImageProd"), "");

    let again = deploy(&aws, &assembly, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        statuses(&again),
        [
            pair("backstage-bootstrap", "NO_CHANGES"),
            pair("backstage-pipeline", "NO_CHANGES"),
            pair("backstage", "NO_CHANGES")
        ]
    );
    // "No changes" leaves no change set behind (executed ones stay in the history).
    let sets = aws.aws(&[
        "cloudformation",
        "list-change-sets",
        "--stack-name",
        "backstage",
    ]);
    let pending = sets["Summaries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["ExecutionStatus"] != "EXECUTE_COMPLETE")
        .count();
    assert_eq!(pending, 0, "{sets}");
}

#[test]
fn a_config_change_is_an_update_that_keeps_the_image_a_stage_runs() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    let image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backstage@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let out = deploy(
        &aws,
        &synth(&example()),
        &["--parameter", &format!("ImageProd={image}")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(aws.stack_parameter("backstage", "ImageProd"), image);

    let dir = tempfile::tempdir().unwrap();
    let changed = example_with(&dir, "LOG_LEVEL: info", "LOG_LEVEL: warn");
    let out = deploy(&aws, &synth(&changed), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        statuses(&out),
        [
            pair("backstage-bootstrap", "NO_CHANGES"),
            pair("backstage-pipeline", "NO_CHANGES"),
            pair("backstage", "UPDATE_COMPLETE")
        ]
    );
    assert_eq!(report(&out)[2]["action"], "update");
    // The infrastructure update did not touch what prod runs.
    assert_eq!(aws.stack_parameter("backstage", "ImageProd"), image);
}

#[test]
fn preview_leaves_a_change_set_to_review_and_execute_runs_it() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    assert_eq!(deploy(&aws, &synth(&example()), &[]).status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let changed = synth(&example_with(&dir, "LOG_LEVEL: info", "LOG_LEVEL: warn"));

    let preview = deploy(&aws, &changed, &["--preview", "--stack", "backstage"]);
    assert_eq!(preview.status.code(), Some(0), "{}", stderr(&preview));
    let entry = &report(&preview)[0];
    assert_eq!(entry["status"], "PREVIEW");
    let name = entry["change_set"]["name"].as_str().unwrap().to_string();
    assert!(name.starts_with("bs-"), "{name}");
    // Deterministic: the same preview names the same change set.
    let again = deploy(&aws, &changed, &["--preview", "--stack", "backstage"]);
    assert_eq!(report(&again)[0]["change_set"]["name"], name.as_str());
    let status = aws.aws(&[
        "cloudformation",
        "describe-stacks",
        "--stack-name",
        "backstage",
    ]);
    assert_eq!(
        status["Stacks"][0]["StackStatus"], "CREATE_COMPLETE",
        "a preview changes nothing"
    );

    let mut cmd = aws.command(bin("bs-deploy"));
    cmd.args([
        "--execute",
        &name,
        "--stack",
        "backstage",
        "--poll-interval",
        "0.1",
    ]);
    let exec = run_with_stdin(&mut cmd, b"");
    assert_eq!(exec.status.code(), Some(0), "{}", stderr(&exec));
    assert_eq!(statuses(&exec), [pair("backstage", "UPDATE_COMPLETE")]);
    assert_eq!(report(&exec)[0]["action"], "execute");

    // A user-chosen name is used as given.
    let named = deploy(
        &aws,
        &synth(&example()),
        &[
            "--preview",
            "--stack",
            "backstage",
            "--change-set-name",
            "review-me",
        ],
    );
    assert_eq!(report(&named)[0]["change_set"]["name"], "review-me");
}

#[test]
fn destroy_deletes_in_reverse_order_and_reports_what_was_kept() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    let assembly = synth(&example());
    assert_eq!(deploy(&aws, &assembly, &[]).status.code(), Some(0));

    let refused = deploy(&aws, &assembly, &["--destroy"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("pass --yes"),
        "{}",
        stderr(&refused)
    );

    let out = deploy(&aws, &assembly, &["--destroy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        statuses(&out),
        [
            pair("backstage", "DELETE_COMPLETE"),
            pair("backstage-pipeline", "DELETE_COMPLETE"),
            pair("backstage-bootstrap", "DELETE_COMPLETE")
        ]
    );
    let kept: Vec<(String, String)> = report(&out)[0]["retained"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["logical_id"].as_str().unwrap().to_string(),
                r["policy"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        !kept.iter().any(|(id, _)| id == "Repository"),
        "the repository is bs-bootstrap's, not the stack's: {kept:?}"
    );
    assert!(
        kept.contains(&pair("DatabaseClusterProd", "Snapshot")),
        "{kept:?}"
    );
    assert!(
        kept.contains(&pair("AppArtifactBucket", "Retain")),
        "{kept:?}"
    );

    let again = deploy(&aws, &assembly, &["--destroy", "--yes"]);
    assert_eq!(
        statuses(&again),
        [
            pair("backstage", "ABSENT"),
            pair("backstage-pipeline", "ABSENT"),
            pair("backstage-bootstrap", "ABSENT")
        ]
    );

    // The repository and its images outlive the stacks, and nothing left
    // behind blocks deploying them anew.
    let repos = aws.aws(&["ecr", "describe-repositories"]);
    assert_eq!(repos["repositories"][0]["repositoryName"], "backstage");
    let redeploy = deploy(&aws, &assembly, &[]);
    assert_eq!(redeploy.status.code(), Some(0), "{}", stderr(&redeploy));
    assert_eq!(
        statuses(&redeploy),
        [
            pair("backstage-bootstrap", "CREATE_COMPLETE"),
            pair("backstage-pipeline", "CREATE_COMPLETE"),
            pair("backstage", "CREATE_COMPLETE")
        ]
    );
}

#[test]
fn a_missing_repository_is_named_with_what_makes_it_and_nothing_changes() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    let out = deploy(&aws, &synth(&example()), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("needs the ECR repository backstage") && err.contains("run bs-bootstrap"),
        "{err}"
    );
    let stacks = aws.aws(&["cloudformation", "list-stacks"]);
    assert_eq!(stacks["StackSummaries"], serde_json::json!([]), "{stacks}");
}

#[test]
fn credentials_of_another_account_are_refused_before_any_stack_exists() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    let dir = tempfile::tempdir().unwrap();
    let other = example_with(
        &dir,
        "AWS_ACCOUNT: \"123456789012\"",
        "AWS_ACCOUNT: \"111122223333\"",
    );
    let text = std::fs::read_to_string(&other)
        .unwrap()
        .replace(":123456789012:", ":111122223333:");
    std::fs::write(&other, text).unwrap();
    let out = deploy(&aws, &synth(&other), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("belongs to account 111122223333")
            && err.contains("credentials are for account 123456789012"),
        "{err}"
    );
    let stacks = aws.aws(&["cloudformation", "list-stacks"]);
    assert_eq!(
        stacks["StackSummaries"].as_array().map_or(0, Vec::len),
        0,
        "{stacks}"
    );
}

#[test]
fn a_domain_without_hosted_zone_is_named_and_nothing_changes() {
    let aws = LocalAws::start();
    aws.repository("backstage");
    let out = deploy(&aws, &synth(&example()), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no public Route 53 hosted zone is named example.com"),
        "{}",
        stderr(&out)
    );
    // Found before the first stack was touched: the pipeline stack does not exist either.
    let stacks = aws.aws(&["cloudformation", "list-stacks"]);
    assert_eq!(
        stacks["StackSummaries"].as_array().map_or(0, Vec::len),
        0,
        "{stacks}"
    );
}

#[test]
fn a_template_over_the_inline_limit_goes_through_the_staging_bucket() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository_in("us-west-2", "backstage");
    let config = repo_root().join("tests/configs/five-stages.yaml");
    let assembly = synth(&config);
    let parsed: Value = serde_json::from_slice(&assembly).unwrap();
    assert!(parsed["stacks"][2]["template_bytes"].as_u64().unwrap() > 51_200);
    let out = deploy(&aws, &assembly, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let entry = &report(&out)[2];
    assert_eq!(entry["status"], "CREATE_COMPLETE");
    let url = entry["template_url"].as_str().unwrap();
    assert!(
        url.starts_with(
            "https://bs-staging-123456789012-us-west-2.s3.us-west-2.amazonaws.com/backstage/"
        ),
        "{url}"
    );
    // The bucket is encrypted and private.
    let enc = aws.aws(&[
        "s3api",
        "get-bucket-encryption",
        "--bucket",
        "bs-staging-123456789012-us-west-2",
        "--region",
        "us-west-2",
    ]);
    assert_eq!(
        enc["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
            ["SSEAlgorithm"],
        "AES256"
    );
    let block = aws.aws(&[
        "s3api",
        "get-public-access-block",
        "--bucket",
        "bs-staging-123456789012-us-west-2",
        "--region",
        "us-west-2",
    ]);
    assert_eq!(
        block["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"],
        true
    );
}

#[test]
fn deploys_from_an_out_directory() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    let dir = tempfile::tempdir().unwrap();
    let st = std::process::Command::new(bin("bs-synth"))
        .arg("--config")
        .arg(example())
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(st.status.success());
    let mut cmd = aws.command(bin("bs-deploy"));
    cmd.arg("--assembly").arg(dir.path()).args([
        "--stack",
        "backstage-bootstrap",
        "--stack",
        "backstage-pipeline",
        "--poll-interval",
        "0.1",
        "--events",
        "lines",
    ]);
    let out = run_with_stdin(&mut cmd, b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        statuses(&out),
        [
            pair("backstage-bootstrap", "CREATE_COMPLETE"),
            pair("backstage-pipeline", "CREATE_COMPLETE")
        ]
    );
    // Lines, not JSON, on stderr.
    assert!(
        stderr(&out)
            .lines()
            .any(|l| l.starts_with("backstage-pipeline: creating change set")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn follow_reports_a_settled_stack_without_changing_it() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    assert_eq!(
        deploy(
            &aws,
            &synth(&example()),
            &[
                "--stack",
                "backstage-bootstrap",
                "--stack",
                "backstage-pipeline"
            ]
        )
        .status
        .code(),
        Some(0)
    );
    let mut cmd = aws.command(bin("bs-deploy"));
    cmd.args([
        "--follow",
        "--stack",
        "backstage-pipeline",
        "--poll-interval",
        "0.1",
        "--events",
        "json",
    ]);
    let out = run_with_stdin(&mut cmd, b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        statuses(&out),
        [pair("backstage-pipeline", "CREATE_COMPLETE")]
    );
    assert_eq!(report(&out)[0]["action"], "follow");
    assert!(messages(&out)
        .iter()
        .any(|m| m["type"] == "step" && m["text"] == "CREATE_COMPLETE: nothing in progress"));
    // A stack that does not exist is named.
    let mut cmd = aws.command(bin("bs-deploy"));
    cmd.args(["--follow", "--stack", "nope"]);
    let out = run_with_stdin(&mut cmd, b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("stack nope does not exist"));
}

/// A first deploy that fails on a name already taken rolls back; once the
/// cause is gone, a plain re-run replaces the failed stack and succeeds.
#[test]
fn a_first_deploy_that_fails_on_a_taken_name_succeeds_when_run_again() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    // Someone's log group holds the name of stage test's container logs.
    aws.aws(&[
        "logs",
        "create-log-group",
        "--log-group-name",
        "/bs/backstage/test",
    ]);
    let assembly = synth(&example());

    let failed = deploy(&aws, &assembly, &[]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let r = report(&failed);
    assert_eq!(r[0]["status"], "CREATE_COMPLETE");
    assert_eq!(r[1]["status"], "CREATE_COMPLETE");
    assert_eq!(r[2]["status"], "ROLLBACK_COMPLETE", "{r:?}");
    let failure = &r[2]["failures"][0];
    assert_eq!(failure["logical_id"], "ContainerLogsTest", "{r:?}");
    assert!(
        failure["reason"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{failure}"
    );

    aws.aws(&[
        "logs",
        "delete-log-group",
        "--log-group-name",
        "/bs/backstage/test",
    ]);
    let again = deploy(&aws, &assembly, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        statuses(&again),
        [
            pair("backstage-bootstrap", "NO_CHANGES"),
            pair("backstage-pipeline", "NO_CHANGES"),
            pair("backstage", "CREATE_COMPLETE")
        ]
    );
    assert!(
        stderr(&again).contains(
            "is ROLLBACK_COMPLETE after a failed creation: deleting it to create it anew"
        ),
        "{}",
        stderr(&again)
    );
}

/// The pipeline and backstage stacks require the bootstrap stack as their
/// config makes it: missing, or made from a config that needs other
/// permissions, the deploy stops before its first change and says to run
/// bs-bootstrap; deploying the bootstrap stack first in the same run is fine.
#[test]
fn the_other_stacks_require_the_bootstrap_stack_of_their_config() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    let assembly = synth(&example());
    let out = deploy(&aws, &assembly, &["--stack", "backstage-pipeline"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "stack backstage-pipeline needs stack backstage-bootstrap, which does not exist"
        ) && stderr(&out).contains("run bs-bootstrap"),
        "{}",
        stderr(&out)
    );
    let stacks = aws.aws(&["cloudformation", "list-stacks"]);
    assert_eq!(stacks["StackSummaries"], serde_json::json!([]), "{stacks}");

    // Bootstrap as the example makes it, then a config whose stacks need
    // other permissions (no notifications: no CodeStar Notifications rules).
    let out = deploy(&aws, &assembly, &["--stack", "backstage-bootstrap"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example()).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("CODESTAR_NOTIFY_ARN:"))
        .unwrap();
    let changed = dir.path().join("env-config.yaml");
    std::fs::write(&changed, text.replace(line, "")).unwrap();
    let out = deploy(&aws, &synth(&changed), &["--stack", "backstage"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("needs stack backstage-bootstrap as this config makes it")
            && stderr(&out).contains("run bs-bootstrap with this config"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        aws.aws(&["cloudformation", "list-stacks"])["StackSummaries"]
            .as_array()
            .map_or(0, Vec::len),
        1
    );
}
