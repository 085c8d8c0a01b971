//! bs-status on the local AWS, after a deploy of the real stacks.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use bs_status::report::{Health, Report};
use bs_tests::{bin, repo_root, run_with_stdin, LocalAws};
use std::path::PathBuf;
use std::process::Output;

fn example() -> PathBuf {
    repo_root().join("configs/env-config.example.yaml")
}

fn synth(args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(bin("bs-synth"))
        .arg("--config")
        .arg(example())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn deploy(aws: &LocalAws, assembly: &[u8], args: &[&str]) {
    let mut cmd = aws.command(bin("bs-deploy"));
    cmd.args(["--poll-interval", "0.1", "--events", "lines"])
        .args(args);
    let out = run_with_stdin(&mut cmd, assembly);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn status(aws: &LocalAws, args: &[&str]) -> Output {
    aws.command(bin("bs-status"))
        .arg("--config")
        .arg(example())
        .args(args)
        .output()
        .unwrap()
}

fn parsed(out: &Output) -> Report {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a bs-status/1 report ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn after_a_deploy_every_stage_is_reported_and_a_service_scaled_to_zero_is_unhealthy() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    deploy(&aws, &synth(&[]), &[]);

    // Deployed, but no image promoted yet: every stage scaled to zero.
    let out = status(&aws, &[]);
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = parsed(&out);
    assert_eq!(r.schema, "bs-status/1");
    assert!(r.stages.iter().all(|s| s.health == Health::Unhealthy
        && s.problems
            .iter()
            .any(|p| p.contains("no image promoted yet"))));

    // Both stages given an image of the local ECR (by tag and by digest).
    let registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backstage";
    let digest = aws.push_image("backstage", "v1");
    let by_tag = format!("{registry}:v1");
    let by_digest = format!("{registry}@{digest}");
    deploy(
        &aws,
        &synth(&["--stack", "backstage"]),
        &[
            "--parameter",
            &format!("ImageTest={by_tag}"),
            "--parameter",
            &format!("ImageProd={by_digest}"),
        ],
    );
    let out = status(&aws, &["--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let r = parsed(&out);
    assert_eq!(r.health, Health::Healthy);
    assert_eq!(
        r.stacks
            .iter()
            .map(|s| (s.name.as_str(), s.status.as_deref()))
            .collect::<Vec<_>>(),
        [
            ("backstage-bootstrap", Some("CREATE_COMPLETE")),
            ("backstage-pipeline", Some("CREATE_COMPLETE")),
            ("backstage", Some("UPDATE_COMPLETE"))
        ]
    );
    assert_eq!(
        r.pipelines
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["backstage-pipeline", "backstage-app-pipeline"]
    );
    assert!(r.pipelines.iter().all(|p| p.exists && !p.stages.is_empty()));
    let stages: Vec<_> = r
        .stages
        .iter()
        .map(|s| (s.name.as_str(), s.url.as_str()))
        .collect();
    assert_eq!(
        stages,
        [
            ("test", "https://backstage-test.example.com"),
            ("prod", "https://backstage.example.com")
        ]
    );
    for (s, image) in r.stages.iter().zip([&by_tag, &by_digest]) {
        let svc = s.service.as_ref().unwrap();
        assert_eq!(svc.name, format!("backstage-{}", s.name));
        assert_eq!((svc.desired, svc.running, svc.revision), (1, 1, Some(2)));
        assert_eq!(svc.rollout.state, "COMPLETED");
        assert!(svc.circuit_breaker.enabled && svc.circuit_breaker.rollback);
        assert_eq!(s.image.running.as_ref(), Some(image));
        assert_eq!(s.image.requested.as_ref(), Some(image));
        // The tag was resolved to its digest in the local ECR.
        assert_eq!(s.image.digest.as_deref(), Some(digest.as_str()));
        assert!(!s.image.drift);
        assert_eq!(s.targets.unwrap().healthy, 1);
        let dns = s.dns.as_ref().unwrap();
        assert!(dns.exists && dns.points_to_load_balancer, "{dns:?}");
        assert_eq!(
            s.database.as_ref().unwrap().status.as_deref(),
            Some("available")
        );
        assert_eq!(s.health, Health::Healthy, "{:?}", s.problems);
    }
    assert_eq!(r.stages[0].image.tag.as_deref(), Some("v1"));

    // prod scaled to zero by hand: unhealthy, exit 6, test still healthy.
    aws.aws(&[
        "ecs",
        "update-service",
        "--cluster",
        "backstage",
        "--service",
        "backstage-prod",
        "--desired-count",
        "0",
    ]);
    let out = status(&aws, &[]);
    assert_eq!(out.status.code(), Some(6));
    let r = parsed(&out);
    assert_eq!(r.health, Health::Unhealthy);
    assert_eq!(r.stages[0].health, Health::Healthy);
    assert_eq!(r.stages[1].health, Health::Unhealthy);
    assert!(
        r.stages[1]
            .problems
            .iter()
            .any(|p| p.contains("scaled to zero")),
        "{:?}",
        r.stages[1].problems
    );
    assert_eq!(r.stages[1].targets.unwrap().healthy, 0);

    // --stage limits the stages (the stacks and pipelines are still there).
    let out = status(&aws, &["--stage", "test"]);
    assert_eq!(out.status.code(), Some(0));
    let r = parsed(&out);
    assert_eq!(r.stages.len(), 1);
    assert_eq!(r.stacks.len(), 3);

    // The table for people names each stage with its URL and image, no colour when piped.
    let out = status(&aws, &["--human"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("https://backstage-test.example.com") && text.contains("backstage:v1"),
        "{text}"
    );
    assert!(
        text.contains("scaled to zero") && !text.contains('\x1b'),
        "{text}"
    );
}

#[test]
fn missing_stacks_are_reported_not_a_crash() {
    let aws = LocalAws::start();
    let out = status(&aws, &[]);
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = parsed(&out);
    assert_eq!(r.health, Health::Missing);
    assert!(r
        .stacks
        .iter()
        .all(|s| s.status.is_none() && s.health == Health::Missing));
    assert!(r
        .pipelines
        .iter()
        .all(|p| !p.exists && p.health == Health::Missing));
    assert_eq!(r.stages.len(), 2);
    assert!(r
        .stages
        .iter()
        .all(|s| s.health == Health::Missing && s.service.is_none()));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

#[test]
fn a_closed_pipe_ends_watch_quietly() {
    let aws = LocalAws::start();
    let script = format!(
        "{} --config {} --watch 1 | head -n 1; exit ${{PIPESTATUS[0]}}",
        bin("bs-status").display(),
        example().display()
    );
    let out = aws.command("bash").args(["-c", &script]).output().unwrap();
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
    // One JSON document per refresh, one per line.
    let r: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r.stages.len(), 2);
}

#[test]
fn aws_out_of_reach_is_exit_3_with_the_report_of_what_failed() {
    let aws = LocalAws::start();
    // A port nothing listens on: the first call fails at once, and nothing
    // else is asked (it would fail the same way).
    let out = status(
        &aws,
        &["--endpoint-url", "http://127.0.0.1:9", "--stage", "prod"],
    );
    assert_eq!(out.status.code(), Some(3));
    let r = parsed(&out);
    assert_eq!(r.health, Health::Unknown);
    assert_eq!(r.stages.len(), 1);
    assert!(r.stacks.iter().all(|s| s.health == Health::Unknown));
    assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!("error: {}", r.errors[0]),
        "the one reason, once"
    );
    assert!(
        stderr.contains("could not connect to http://127.0.0.1:9: connection refused"),
        "{stderr}"
    );
}

#[test]
fn credentials_of_another_account_are_refused_before_any_stack_is_read() {
    // The example config is for 123456789012; these credentials are not.
    let aws = LocalAws::start_in(Some("111122223333"), "us-east-1");
    let out = status(&aws, &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "no report of another account's stacks: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the config is for account 123456789012")
            && stderr.contains("the credentials are for account 111122223333"),
        "{stderr}"
    );
}
