//! bs-promote on the local AWS, after a deploy of the real stacks of the example
//! config (stages test, prod), with images put into the local ECR.
//!
//! A busy stack is made with the local AWS's test hook (moto completes every
//! operation at once). What moto cannot show is tested with aws-smithy-mocks in
//! `bs-promote/tests/mocks.rs`: a waiting approval (moto runs no pipeline and
//! has no PutApprovalResult), and a rollout that fails (moto's never do).
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use bs_status::report::{Health, Report};
use bs_tests::{bin, repo_root, run_with_stdin, LocalAws};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

const REPOSITORY: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backstage";

fn example() -> PathBuf {
    repo_root().join("configs/env-config.example.yaml")
}

fn synth() -> Vec<u8> {
    let out = std::process::Command::new(bin("bs-synth"))
        .arg("--config")
        .arg(example())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Both stacks of the example config, deployed as the pipeline would.
fn deploy(aws: &LocalAws) {
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    let mut cmd = aws.command(bin("bs-deploy"));
    cmd.args(["--poll-interval", "0.1", "--events", "lines"]);
    let out = run_with_stdin(&mut cmd, &synth());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn promote(aws: &LocalAws, args: &[&str]) -> Output {
    aws.command(bin("bs-promote"))
        .arg("--config")
        .arg(example())
        .args(["--poll-interval", "0.1", "--events", "lines"])
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The result document of a run that exited `code`.
fn result(out: &Output, code: i32) -> Value {
    assert_eq!(out.status.code(), Some(code), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

/// A refusal: exit 2, nothing on stdout, the reason on stderr.
fn refused(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr(out)
}

/// The image of the container of the task definition the service runs.
fn service_image(aws: &LocalAws, stage: &str) -> String {
    let v = aws.aws(&[
        "ecs",
        "describe-services",
        "--cluster",
        "backstage",
        "--services",
        &format!("backstage-{stage}"),
    ]);
    let td = v["services"][0]["taskDefinition"].as_str().unwrap();
    let v = aws.aws(&["ecs", "describe-task-definition", "--task-definition", td]);
    v["taskDefinition"]["containerDefinitions"][0]["image"]
        .as_str()
        .unwrap()
        .to_string()
}

fn status(aws: &LocalAws, stage: &str) -> Report {
    let out = aws
        .command(bin("bs-status"))
        .arg("--config")
        .arg(example())
        .args(["--json", "--stage", stage])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The stack parameter, the service's task definition and bs-status all name `image`.
fn assert_runs(aws: &LocalAws, stage: &str, parameter: &str, image: &str) {
    assert_eq!(aws.stack_parameter("backstage", parameter), image);
    assert_eq!(service_image(aws, stage), image);
    let r = status(aws, stage);
    let s = &r.stages[0];
    assert_eq!(s.image.running.as_deref(), Some(image));
    assert_eq!(s.image.requested.as_deref(), Some(image));
    assert!(!s.image.drift, "{:?}", s.image);
    assert_eq!(s.health, Health::Healthy, "{:?}", s.problems);
}

/// The app pipeline can start while the backstage stack is still being
/// created, and an infra deploy can overlap a promotion: the promotion waits
/// for the stack to settle, says so, then goes on. (The local AWS refuses to
/// change a busy stack, as CloudFormation does: acting at once fails.)
#[test]
fn a_busy_stack_is_waited_for_then_promoted() {
    let aws = LocalAws::start();
    deploy(&aws);
    let v1 = aws.push_image("backstage", "v1");
    aws.hold_stack("us-east-1", "backstage", "UPDATE_IN_PROGRESS", 3.0);
    let out = promote(&aws, &["--to", "test", "--image", "v1"]);
    let r = result(&out, 0);
    assert_eq!(r["result"], "promoted", "{r}");
    assert!(
        stderr(&out)
            .contains("an operation is in progress (UPDATE_IN_PROGRESS): waiting for it to end"),
        "{}",
        stderr(&out)
    );
    assert_runs(&aws, "test", "ImageTest", &format!("{REPOSITORY}@{v1}"));
}

#[test]
fn promote_to_test_then_prod_then_roll_test_back() {
    let aws = LocalAws::start();
    deploy(&aws);
    let v1 = aws.push_image("backstage", "v1");
    let v2 = aws.push_image("backstage", "v2");
    assert_ne!(v1, v2);
    let pinned_v1 = format!("{REPOSITORY}@{v1}");
    let pinned_v2 = format!("{REPOSITORY}@{v2}");

    // The first stage, by tag, with the flags the app pipeline's buildspec passes.
    let out = promote(
        &aws,
        &[
            "--to",
            "test",
            "--image",
            "v1",
            "--role-arn",
            "arn:aws:iam::123456789012:role/backstage-pipeline-cfn",
        ],
    );
    let r = result(&out, 0);
    assert_eq!(r["stage"], "test");
    assert_eq!(r["action"], "promote");
    assert_eq!(r["result"], "promoted");
    assert_eq!(r["previous_image"], Value::Null);
    assert_eq!(r["image"], pinned_v1.as_str());
    assert_eq!(r["digest"], v1.as_str());
    assert_eq!(r["stack_status"], "UPDATE_COMPLETE");
    let (before, after) = (
        r["task_definition"]["previous"].as_u64().unwrap(),
        r["task_definition"]["current"].as_u64().unwrap(),
    );
    assert!(after > before, "{r}");
    assert!(
        stderr(&out).contains("rollout COMPLETED"),
        "{}",
        stderr(&out)
    );
    assert_runs(&aws, "test", "ImageTest", &pinned_v1);
    // prod is untouched.
    assert_eq!(aws.stack_parameter("backstage", "ImageProd"), "");

    // The next stage takes what the first runs.
    let r = result(&promote(&aws, &["--to", "prod"]), 0);
    assert_eq!(r["result"], "promoted");
    assert_eq!(r["image"], pinned_v1.as_str());
    assert!(r["from"].as_str().unwrap().starts_with("stage test"), "{r}");
    assert_runs(&aws, "prod", "ImageProd", &pinned_v1);

    // The same again: nothing to do, and it says so.
    let out = promote(&aws, &["--to", "prod"]);
    let r = result(&out, 0);
    assert_eq!(r["result"], "unchanged");
    assert_eq!(
        r["task_definition"]["previous"],
        r["task_definition"]["current"]
    );
    assert!(stderr(&out).contains("already runs"), "{}", stderr(&out));
    // By the full URI with its tag: the same image, so unchanged too.
    let r = result(
        &promote(
            &aws,
            &["--to", "test", "--image", &format!("{REPOSITORY}:v1")],
        ),
        0,
    );
    assert_eq!(r["result"], "unchanged");

    // v2 to test, by digest, then back.
    let r = result(&promote(&aws, &["--to", "test", "--image", &v2]), 0);
    assert_eq!(r["result"], "promoted");
    assert_eq!(r["previous_image"], pinned_v1.as_str());
    assert_runs(&aws, "test", "ImageTest", &pinned_v2);

    let r = result(&promote(&aws, &["--rollback", "test"]), 0);
    assert_eq!(r["action"], "rollback");
    assert_eq!(r["result"], "rolled_back");
    assert_eq!(r["previous_image"], pinned_v2.as_str());
    assert_eq!(r["image"], pinned_v1.as_str());
    assert_runs(&aws, "test", "ImageTest", &pinned_v1);
    // prod never moved.
    assert_eq!(aws.stack_parameter("backstage", "ImageProd"), pinned_v1);
}

#[test]
fn credentials_of_another_account_are_refused_before_anything_is_read() {
    // The example config is for 123456789012; these credentials are not.
    let aws = LocalAws::start_in(Some("111122223333"), "us-east-1");
    for args in [
        &["--to", "test", "--image", "v1"][..],
        &["--rollback", "test"],
        &["--approve", "prod"],
    ] {
        let e = refused(&promote(&aws, args));
        assert!(
            e.contains("the config is for account 123456789012")
                && e.contains("the credentials are for account 111122223333")
                && e.contains("nothing was read or changed"),
            "{args:?}: {e}"
        );
    }
}

#[test]
fn refusals_change_nothing() {
    let aws = LocalAws::start();
    // No stack yet.
    let e = refused(&promote(&aws, &["--to", "test", "--image", "v1"]));
    assert!(e.contains("stack backstage does not exist"), "{e}");

    deploy(&aws);
    aws.push_image("backstage", "v1");
    let stack_before = aws.aws(&[
        "cloudformation",
        "describe-stacks",
        "--stack-name",
        "backstage",
    ]);
    let change_sets_before = aws.aws(&[
        "cloudformation",
        "list-change-sets",
        "--stack-name",
        "backstage",
    ]);

    // A tag ECR does not have.
    let e = refused(&promote(&aws, &["--to", "test", "--image", "v9"]));
    assert!(e.contains("has no image tagged v9"), "{e}");
    // A digest ECR does not have.
    let missing = format!("sha256:{}", "0".repeat(64));
    let e = refused(&promote(&aws, &["--to", "test", "--image", &missing]));
    assert!(e.contains(&format!("has no image {missing}")), "{e}");
    // Another repository of the account: the stages may not pull from it.
    aws.aws(&["ecr", "create-repository", "--repository-name", "other"]);
    let e = refused(&promote(
        &aws,
        &[
            "--to",
            "test",
            "--image",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/other:v1",
        ],
    ));
    assert!(e.contains("not in the stack's ECR repository"), "{e}");
    // An unknown stage: named, with the known ones.
    let e = refused(&promote(&aws, &["--to", "staging", "--image", "v1"]));
    assert!(
        e.contains("--to staging") && e.contains("test, prod"),
        "{e}"
    );
    // The stage before prod runs nothing yet.
    let e = refused(&promote(&aws, &["--to", "prod"]));
    assert!(e.contains("stage test runs nothing"), "{e}");
    // Nothing to roll back to.
    let e = refused(&promote(&aws, &["--rollback", "test"]));
    assert!(e.contains("stage test runs nothing"), "{e}");

    let stack_after = aws.aws(&[
        "cloudformation",
        "describe-stacks",
        "--stack-name",
        "backstage",
    ]);
    assert_eq!(stack_before, stack_after);
    let change_sets = aws.aws(&[
        "cloudformation",
        "list-change-sets",
        "--stack-name",
        "backstage",
    ]);
    assert_eq!(change_sets, change_sets_before);

    // One promotion only: the stage ran no other image before.
    result(&promote(&aws, &["--to", "test", "--image", "v1"]), 0);
    let e = refused(&promote(&aws, &["--rollback", "test"]));
    assert!(e.contains("nothing to roll back to"), "{e}");

    // The local AWS's pipelines never run: no approval waits (exit 1, not a crash).
    let out = promote(&aws, &["--approve", "prod"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("no approval waits in front of stage prod")
            && e.contains("Deploy-prod of pipeline backstage-app-pipeline has never run"),
        "{e}"
    );
}
