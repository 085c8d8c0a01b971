//! bs-deploy refuses bad input before any AWS call: every test points it at an
//! endpoint where nothing listens, so an AWS call would end in exit 3, not 2.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use assert_cmd::Command;
use std::net::TcpListener;

fn closed_endpoint() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

fn bs_deploy() -> Command {
    let mut cmd = Command::cargo_bin("bs-deploy").unwrap();
    cmd.env("AWS_ENDPOINT_URL", closed_endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("BS_ROLE_ARN");
    cmd
}

const ASSEMBLY: &str = r#"{"version":1,"stacks":[{"name":"s","account":"123456789012","region":"us-east-1","tags":{},
"parameters":{},"template":{"Parameters":{"P":{"Type":"String","Default":"x"}},"Resources":{"T":{"Type":"AWS::SNS::Topic"}}}}]}"#;

fn refused(cmd: &mut Command, stdin: &str, needle: &str) {
    let out = cmd.write_stdin(stdin).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn garbage_empty_and_truncated_stdin_are_refused() {
    refused(
        &mut bs_deploy(),
        "",
        "the assembly is empty: pipe `bs-synth` into this tool",
    );
    refused(
        &mut bs_deploy(),
        "garbage",
        "stdin: the assembly is not valid (line 1, column 1)",
    );
    refused(
        &mut bs_deploy(),
        &ASSEMBLY[..ASSEMBLY.len() / 2],
        "stdin: the assembly is truncated",
    );
    refused(
        &mut bs_deploy(),
        r#"{"version": 2, "stacks": []}"#,
        "assembly version 2 is not supported",
    );
    refused(
        &mut bs_deploy(),
        r#"{"version": 1, "stacks": [], "extra": 1}"#,
        "unknown field `extra`",
    );
    refused(
        &mut bs_deploy(),
        &ASSEMBLY.replace(
            r#""Resources":{"T":{"Type":"AWS::SNS::Topic"}}"#,
            r#""Nothing":{}"#,
        ),
        "stack s: its template has no Resources",
    );
}

#[test]
fn bad_flags_are_named() {
    refused(
        bs_deploy().args(["--parameter", "novalue"]),
        ASSEMBLY,
        "--parameter novalue: expected KEY=VALUE",
    );
    refused(
        bs_deploy().args(["--parameter", "Nope=1"]),
        ASSEMBLY,
        "--parameter Nope: no stack has this parameter (parameters: P)",
    );
    refused(
        bs_deploy().args(["--stack", "other"]),
        ASSEMBLY,
        "--stack other: the assembly has no such stack (it has s)",
    );
    refused(
        bs_deploy().args(["--change-set-name", "9bad"]),
        ASSEMBLY,
        "--change-set-name 9bad: must start with a letter",
    );
    refused(
        bs_deploy().args(["--role-arn", "nope"]),
        ASSEMBLY,
        "--role-arn nope: not an IAM role ARN",
    );
    refused(
        bs_deploy().args(["--poll-interval", "0"]),
        ASSEMBLY,
        "--poll-interval 0: must be between 0.05 and 300 seconds",
    );
    refused(
        bs_deploy().args(["--timeout", "18446744073709551615"]),
        ASSEMBLY,
        "--timeout 18446744073709551615: must be between 1 and",
    );
    refused(
        bs_deploy().args(["--destroy"]),
        ASSEMBLY,
        "--destroy would delete s: pass --yes",
    );
    refused(
        bs_deploy().args(["--execute", "cs"]),
        "",
        "name the stack with --stack",
    );
    refused(
        bs_deploy().args(["--preview", "--destroy"]),
        ASSEMBLY,
        "cannot be used with",
    );
}

#[test]
fn assembly_paths_are_named() {
    let dir = tempfile::tempdir().unwrap();
    refused(
        bs_deploy()
            .arg("--assembly")
            .arg(dir.path().join("missing.json")),
        "",
        "--assembly",
    );
    // An --out directory whose template file is gone.
    std::fs::write(
        dir.path().join("manifest.json"),
        r#"{"version":1,"stacks":[{"name":"s","account":"123456789012","region":"us-east-1","tags":{},"template_file":"s.template.json"}]}"#,
    )
    .unwrap();
    refused(
        bs_deploy().arg("--assembly").arg(dir.path()),
        "",
        "s.template.json: cannot read it",
    );
    // A template_file outside the assembly's folder is never read.
    for file in ["../../../etc/passwd", "/etc/passwd", "a/../../x.json"] {
        std::fs::write(
            dir.path().join("manifest.json"),
            format!(r#"{{"version":1,"stacks":[{{"name":"s","account":"123456789012","region":"us-east-1","tags":{{}},"template_file":"{file}"}}]}}"#),
        )
        .unwrap();
        refused(
            bs_deploy().arg("--assembly").arg(dir.path()),
            "",
            &format!(
                "stack s: template_file `{file}` must name a file inside the assembly's folder"
            ),
        );
    }
    // On stdin, a template_file has no folder to be read from.
    refused(
        &mut bs_deploy(),
        r#"{"version":1,"stacks":[{"name":"s","account":"123456789012","region":"us-east-1","tags":{},"template_file":"s.template.json"}]}"#,
        "stack s: its template is in a file (s.template.json), which can be read only with --assembly DIR",
    );
}

/// What CloudFormation would refuse after seconds of retries is refused at
/// once, every problem listed, with no AWS call.
#[test]
fn assemblies_aws_would_refuse_are_refused_before_any_call() {
    for (resources, needle) in [
        ("{}", "stack s: its template's Resources is empty"),
        (
            "[]",
            "stack s: its template's Resources must be a map of resources, not a list",
        ),
        (
            "5",
            "stack s: its template's Resources must be a map of resources, not a number",
        ),
        (
            "null",
            "stack s: its template's Resources must be a map of resources, not null",
        ),
    ] {
        let text = ASSEMBLY.replace(
            r#""Resources":{"T":{"Type":"AWS::SNS::Topic"}}"#,
            &format!(r#""Resources":{resources}"#),
        );
        refused(&mut bs_deploy(), &text, needle);
    }
    let many: Vec<String> = (0..501)
        .map(|i| format!(r#""T{i}":{{"Type":"AWS::SNS::Topic"}}"#))
        .collect();
    refused(
        &mut bs_deploy(),
        &ASSEMBLY.replace(
            r#""Resources":{"T":{"Type":"AWS::SNS::Topic"}}"#,
            &format!(r#""Resources":{{{}}}"#, many.join(",")),
        ),
        "stack s: 501 resources, over CloudFormation's 500",
    );
    let padding = "x".repeat(1_100_000);
    refused(
        &mut bs_deploy(),
        &ASSEMBLY.replace(r#""Default":"x""#, &format!(r#""Default":"{padding}""#)),
        "over CloudFormation's 1048576",
    );
    // Several problems of one assembly, all at once.
    let bad = ASSEMBLY
        .replace(r#""name":"s""#, r#""name":"bad_name""#)
        .replace(r#""account":"123456789012""#, r#""account":"abc""#)
        .replace(r#""region":"us-east-1""#, r#""region":"mars-1""#)
        .replace(r#""parameters":{}"#, r#""capabilities":["CAPABILITY_ALL"],"parameters":{"Q":{"kind":"stage-image","stage":"x"}}"#);
    let out = bs_deploy().write_stdin(bad).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for needle in [
        "stdin: 5 problems:",
        "stack `bad_name`: not a CloudFormation stack name",
        "account `abc` is not a 12-digit AWS account id",
        "region `mars-1` is not an AWS region name",
        "capability `CAPABILITY_ALL` is not one CloudFormation knows",
        "parameter Q is listed in the assembly but the template declares no such parameter",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    // The same stack twice.
    let twice = ASSEMBLY.replacen(
        r#"{"version":1,"stacks":["#,
        &format!(
            r#"{{"version":1,"stacks":[{},"#,
            &ASSEMBLY[r#"{"version":1,"stacks":["#.len()..ASSEMBLY.len() - 2]
        ),
        1,
    );
    refused(&mut bs_deploy(), &twice, "stack s: listed twice");
    // Errors speak of the assembly, not of Rust types.
    refused(
        &mut bs_deploy(),
        r#"{"version":1,"stacks":[5]}"#,
        "expected a stack entry",
    );
}

#[test]
fn unreachable_aws_is_exit_3_naming_the_call() {
    let endpoint = closed_endpoint();
    let out = bs_deploy()
        .env("AWS_ENDPOINT_URL", &endpoint)
        .write_stdin(ASSEMBLY)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    // The endpoint is named and the credentials are not blamed; no SDK dump.
    assert!(
        err.starts_with(&format!(
            "error: could not connect to {endpoint}: connection refused"
        )),
        "{err}"
    );
    assert!(
        err.contains("(sts:GetCallerIdentity, the first call"),
        "{err}"
    );
    assert!(
        !err.contains("credentials") && !err.contains("DispatchFailure"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn debug_adds_the_sdk_chain_and_a_bad_region_is_refused_before_any_call() {
    for (flag, env) in [("--debug", None), ("--call-timeout=30", Some("debug"))] {
        let mut cmd = bs_deploy();
        cmd.arg(flag);
        if let Some(level) = env {
            cmd.env("RUST_LOG", level);
        }
        let out = cmd.write_stdin(ASSEMBLY).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(first.contains("connection refused"), "{err}");
        assert!(
            err.contains("\n  debug: ") && err.contains("DispatchFailure"),
            "{flag} {env:?}: the SDK's chain follows: {err}"
        );
    }
    let out = bs_deploy()
        .args(["--region", "us-east-9"])
        .write_stdin(ASSEMBLY)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: --region us-east-9: not an AWS region; did you mean"),
        "{err}"
    );
}

#[test]
fn help_lists_exit_codes() {
    let out = Command::cargo_bin("bs-deploy")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Exit codes:") && text.contains("130"),
        "{text}"
    );
}
