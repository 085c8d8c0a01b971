//! Every AWS tool through the faults a network and AWS can produce: no
//! credentials, an unknown profile, a refused endpoint, a hung one, throttling,
//! server errors, reset connections, latency, Ctrl-C. Each ends with one plain
//! sentence, in bounded time, with nothing left half-done. The faults are made
//! by `scripts/local-aws/fault_proxy.py` in front of the local AWS.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use bs_tests::{bin, repo_root, FaultProxy, LocalAws};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

fn example() -> PathBuf {
    repo_root().join("configs/env-config.example.yaml")
}

/// The example's assembly: its bootstrap stack alone (`--stack`) or all.
fn assembly(stack: Option<&str>) -> Vec<u8> {
    let mut cmd = Command::new(bin("bs-synth"));
    cmd.arg("--config").arg(example());
    if let Some(stack) = stack {
        cmd.args(["--stack", stack]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    out.stdout
}

/// The four AWS tools, each doing what it does first on a fresh account; the
/// input each needs on stdin.
fn tools() -> Vec<(&'static str, Vec<String>, Vec<u8>)> {
    let config = example().display().to_string();
    let with_config = |args: &[&str]| {
        let mut v = vec!["--config".to_string(), config.clone()];
        v.extend(args.iter().map(|a| a.to_string()));
        v
    };
    vec![
        ("bs-deploy", vec![], assembly(None)),
        ("bs-status", with_config(&["--json"]), vec![]),
        (
            "bs-promote",
            with_config(&["--to", "test", "--image", "v1"]),
            vec![],
        ),
        ("bs-bootstrap", with_config(&["--check"]), vec![]),
    ]
}

/// A command with nothing of the caller's AWS environment: no credentials, no
/// profile, no shared files (HOME is `home`), no EC2 metadata service.
fn bare(program: &str, home: &std::path::Path) -> Command {
    let mut c = Command::new(bin(program));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") || k == "BS_ROLE_ARN" || k == "RUST_LOG" {
            c.env_remove(k);
        }
    }
    c.env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .current_dir(repo_root());
    c
}

fn with_credentials(c: &mut Command) -> &mut Command {
    c.env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
}

fn spawn(cmd: &mut Command, input: &[u8]) -> Child {
    bs_tests::spawn_with_stdin(cmd, input).0
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs every tool at once with `setup` applied; gives each tool's output and
/// how long it took.
fn run_all(setup: impl Fn(&mut Command, &str)) -> Vec<(&'static str, Output, Duration)> {
    let home = tempfile::tempdir().unwrap();
    let started: Vec<_> = tools()
        .into_iter()
        .map(|(tool, args, input)| {
            let mut cmd = bare(tool, home.path());
            cmd.args(&args);
            setup(&mut cmd, tool);
            (tool, Instant::now(), spawn(&mut cmd, &input))
        })
        .collect();
    started
        .into_iter()
        .map(|(tool, start, child)| {
            let out = child.wait_with_output().unwrap();
            (tool, out, start.elapsed())
        })
        .collect()
}

/// The one error line of a run: exit `code`, exactly one `error:` line on
/// stderr, no SDK debug structure anywhere, and the line contains `needle`.
fn one_plain_error(tool: &str, out: &Output, code: i32, needle: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{tool}: {err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{tool}: one error line expected: {err}");
    for dump in [
        "DispatchFailure",
        "ConnectorError",
        "Some(",
        "source:",
        "{ ",
    ] {
        assert!(
            !err.contains(dump),
            "{tool}: SDK debug output ({dump}): {err}"
        );
    }
    assert!(
        errors[0].contains(needle),
        "{tool}: {needle:?} expected: {err}"
    );
    errors[0].to_string()
}

#[test]
fn no_credentials_is_one_sentence_that_says_where_they_were_looked_for() {
    for (tool, out, _) in run_all(|_, _| {}) {
        let line = one_plain_error(tool, &out, 3, "no AWS credentials found");
        assert!(line.contains("--profile"), "{tool}: {line}");
        assert!(out.stdout.is_empty() || tool == "bs-status", "{tool}");
    }
}

#[test]
fn an_unknown_profile_is_refused_before_any_call() {
    for (tool, out, _) in run_all(|c, _| {
        with_credentials(c).args(["--profile", "nosuch"]);
    }) {
        one_plain_error(tool, &out, 2, "--profile nosuch: no such profile in");
        assert!(out.stdout.is_empty(), "{tool}: nothing on stdout");
    }
}

#[test]
fn a_refused_endpoint_is_named_at_once_and_not_blamed_on_credentials() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    for (tool, out, took) in run_all(|c, _| {
        with_credentials(c).env("AWS_ENDPOINT_URL", &url);
    }) {
        let line = one_plain_error(
            tool,
            &out,
            3,
            &format!("could not connect to {url}: connection refused"),
        );
        assert!(!line.contains("credentials"), "{tool}: {line}");
        // Not retried (six attempts with backoff took 5-10 s): far below that.
        assert!(took < Duration::from_secs(3), "{tool}: {took:?}");
    }
}

/// The faults every tool must survive at its first call, what each run must
/// say, and whether the SDK retries it (AWS advises retrying throttling, 5xx
/// and broken connections).
#[test]
fn each_fault_of_the_endpoint_ends_every_tool_with_one_sentence() {
    let aws = LocalAws::start();
    let proxy = FaultProxy::start(&aws.endpoint);
    let cases = [
        ("throttle", "AWS throttled the calls (Throttling)", 6),
        ("503", "(ServiceUnavailable, HTTP 503) after 6 attempts", 6),
        ("500", "(InternalFailure, HTTP 500) after 6 attempts", 6),
        ("reset", "closed the connection before it answered", 6),
        ("hang", "no answer from", 0),
    ];
    for (fault, needle, attempts) in cases {
        proxy.set(json!([{ "match": ".", "fault": fault }]));
        let results = run_all(|c, _| {
            with_credentials(c)
                .env("AWS_ENDPOINT_URL", &proxy.url)
                // Enough for six attempts and their backoff; a hang ends at it.
                .args(["--call-timeout", if fault == "hang" { "2" } else { "25" }]);
        });
        for (tool, out, took) in &results {
            let line = one_plain_error(tool, out, 3, needle);
            assert!(
                line.contains(&proxy.url)
                    || fault == "throttle"
                    || fault == "500"
                    || fault == "503",
                "{tool}: the endpoint is named: {line}"
            );
            assert!(
                line.contains("nothing was read or changed"),
                "{tool}: {line}"
            );
            let bound = if fault == "hang" { 6 } else { 28 };
            assert!(
                took < &Duration::from_secs(bound),
                "{tool} under {fault}: {took:?}"
            );
        }
        let calls = proxy.log();
        assert!(
            calls.iter().all(|(op, _)| op == "sts:GetCallerIdentity"),
            "{fault}: nothing is asked after the identity call fails: {calls:?}"
        );
        if attempts > 0 {
            assert_eq!(calls.len(), attempts * results.len(), "{fault}: {calls:?}");
        } else {
            assert!(calls.len() >= results.len(), "{fault}: {calls:?}");
        }
    }
}

#[test]
fn transient_faults_are_retried_and_the_report_is_whole() {
    let aws = LocalAws::start();
    let proxy = FaultProxy::start(&aws.endpoint);
    let status = |extra: &[&str]| {
        let mut cmd = aws.command(bin("bs-status"));
        cmd.env("AWS_ENDPOINT_URL", &proxy.url)
            .arg("--config")
            .arg(example())
            .arg("--json")
            .args(extra);
        let out = cmd.output().unwrap();
        let report: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
        (out, report)
    };
    proxy.set(json!([
        { "match": "sts:GetCallerIdentity", "fault": "throttle", "times": 2 },
        { "match": "cloudformation:DescribeStacks", "fault": "503", "times": 1 },
        { "match": "ecs:DescribeServices", "fault": "reset", "times": 1 },
        { "match": "codepipeline:", "fault": "500", "times": 1 },
    ]));
    let (out, report) = status(&[]);
    // Nothing deployed: exit 6 with a whole report, no error.
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert_eq!(report["errors"], json!([]), "{report}");
    assert_eq!(report["health"], "missing", "{report}");
    let log = proxy.log();
    for (op, fault) in [
        ("sts:GetCallerIdentity", "throttle"),
        ("cloudformation:DescribeStacks", "503"),
        ("ecs:DescribeServices", "reset"),
    ] {
        let faulted = log.iter().filter(|(o, f)| o == op && f == fault).count();
        let passed = log.iter().filter(|(o, f)| o == op && f == "pass").count();
        assert!(
            faulted >= 1 && passed >= 1,
            "{op}: retried after {fault}: {log:?}"
        );
    }

    // Latency on every call: slower, the same report.
    proxy.set(json!([{ "match": ".", "fault": "latency", "seconds": 0.3 }]));
    let (slow, slow_report) = status(&[]);
    assert_eq!(slow.status.code(), Some(6), "{}", stderr(&slow));
    assert_eq!(slow_report, report);
}

#[test]
fn a_change_set_that_could_not_be_executed_is_deleted() {
    let aws = LocalAws::start();
    let proxy = FaultProxy::start(&aws.endpoint);
    let stack = "backstage-bootstrap";
    proxy.set(json!([{ "match": "cloudformation:ExecuteChangeSet", "fault": "500" }]));
    let mut cmd = aws.command(bin("bs-deploy"));
    cmd.env("AWS_ENDPOINT_URL", &proxy.url)
        .args(["--poll-interval", "0.1", "--events", "lines"]);
    let out = bs_tests::run_with_stdin(&mut cmd, &assembly(Some(stack)));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("(InternalFailure, HTTP 500) after 6 attempts")
            && err.contains("the change set this run made was deleted: nothing changed"),
        "{err}"
    );
    let executes = proxy
        .log()
        .iter()
        .filter(|(op, _)| op == "cloudformation:ExecuteChangeSet")
        .count();
    assert_eq!(executes, 6, "the execution was retried");
    // The empty stack CloudFormation made for the change set is gone too.
    let stacks = aws.aws(&["cloudformation", "list-stacks"]);
    let live: Vec<&Value> = stacks["StackSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["StackName"] == stack && s["StackStatus"] != "DELETE_COMPLETE")
        .collect();
    assert!(live.is_empty(), "{live:?}");

    // Without the fault the same deploy goes through: nothing was left in its way.
    proxy.set(json!([]));
    let out = bs_tests::run_with_stdin(&mut cmd, &assembly(Some(stack)));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn ctrl_c_ends_every_tool_while_a_call_hangs() {
    let aws = LocalAws::start();
    let proxy = FaultProxy::start(&aws.endpoint);
    proxy.set(json!([{ "match": ".", "fault": "hang" }]));
    let home = tempfile::tempdir().unwrap();
    for (tool, args, input) in tools() {
        for presses in [1, 2] {
            let mut cmd = bare(tool, home.path());
            with_credentials(&mut cmd)
                .env("AWS_ENDPOINT_URL", &proxy.url)
                .args(&args);
            let child = spawn(&mut cmd, &input);
            std::thread::sleep(Duration::from_millis(700));
            let interrupted = Instant::now();
            for _ in 0..presses {
                let kill = Command::new("kill")
                    .args(["-INT", &child.id().to_string()])
                    .status()
                    .unwrap();
                assert!(kill.success());
                std::thread::sleep(Duration::from_millis(100));
            }
            let out = child.wait_with_output().unwrap();
            let took = interrupted.elapsed();
            one_plain_error(tool, &out, 130, "interrupted");
            // The grace for a tool's own clean-up is 3 s (1 s for bs-status);
            // a second Ctrl-C does not wait for it.
            let bound = if presses == 2 { 1 } else { 5 };
            assert!(
                took < Duration::from_secs(bound),
                "{tool} after {presses} Ctrl-C: {took:?}"
            );
        }
    }
}
