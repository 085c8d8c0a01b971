//! The harness of the toolkit's integration tests: a local AWS (moto, through
//! `scripts/local-aws.sh`) per test on a free port, the tools' binaries, and the
//! AWS CLI of the local AWS's virtualenv for arranging state.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)] // a test harness panics on broken set-ups

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Once;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

static BUILD: Once = Once::new();

/// A tool's binary, built once per test process (so a test never runs a stale one).
pub fn bin(name: &str) -> PathBuf {
    BUILD.call_once(|| {
        let mut cargo = Command::new(env!("CARGO"));
        // The workspace's bins and tests: the feature set `cargo test
        // --workspace` resolves (dev-dependencies turn on the SDK's
        // test-util), so what it built is reused. A build of the tools
        // alone resolves other features and compiled the AWS SDK again.
        cargo
            .args(["build", "--quiet", "--workspace", "--bins", "--tests"])
            .current_dir(repo_root());
        // Nor may the variables cargo sets for this test process reach the
        // build: some build scripts (ring's) rerun when CARGO_MANIFEST_DIR or
        // CARGO_PKG_NAME change, and everything using TLS was then compiled
        // again (minutes), and again by the next outer `cargo test`.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("CARGO_PKG_")
                || key.starts_with("CARGO_MANIFEST_")
                || key.starts_with("CARGO_BIN_")
                || matches!(
                    key.as_ref(),
                    "CARGO_CRATE_NAME"
                        | "CARGO_PRIMARY_PACKAGE"
                        | "CARGO_TARGET_TMPDIR"
                        | "OUT_DIR"
                )
            {
                cargo.env_remove(key.as_ref());
            }
        }
        let status = cargo.status().unwrap();
        assert!(status.success(), "cargo build of the tools failed");
    });
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| repo_root().join("target"), PathBuf::from);
    target.join("debug").join(name)
}

/// A moto server of our own, stopped when dropped.
pub struct LocalAws {
    pub endpoint: String,
    pub port: u16,
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl LocalAws {
    /// In moto's default account (123456789012), region us-east-1.
    pub fn start() -> LocalAws {
        LocalAws::start_in(None, "us-east-1")
    }

    /// Every request acts in `account` (default: moto's 123456789012); the
    /// commands' region is `region`.
    pub fn start_in(account: Option<&str>, region: &str) -> LocalAws {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut start = Command::new("bash");
        start
            .arg(repo_root().join("scripts/local-aws.sh"))
            .arg("start")
            .env("LOCAL_AWS_PORT", port.to_string())
            .env("LOCAL_AWS_DIR", dir.path())
            .env("LOCAL_AWS_REGION", region)
            .env_remove("LOCAL_AWS_ACCOUNT_ID")
            .stdin(Stdio::null());
        if let Some(account) = account {
            start.env("LOCAL_AWS_ACCOUNT_ID", account);
        }
        let out = start.output().unwrap();
        assert!(
            out.status.success(),
            "local AWS did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut env = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some((k, v)) = line
                .trim()
                .strip_prefix("export ")
                .and_then(|l| l.split_once('='))
            {
                env.push((k.to_string(), v.trim_matches(['"', '\'']).to_string()));
            }
        }
        let endpoint = env
            .iter()
            .find(|(k, _)| k == "AWS_ENDPOINT_URL")
            .map(|(_, v)| v.clone())
            .expect("local-aws.sh start prints AWS_ENDPOINT_URL");
        LocalAws {
            endpoint,
            port,
            dir,
            env,
        }
    }

    /// A command with this local AWS's endpoint, dummy credentials and region,
    /// and nothing of the caller's AWS environment.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        for k in [
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_SESSION_TOKEN",
            "BS_ROLE_ARN",
        ] {
            c.env_remove(k);
        }
        c.env("AWS_EC2_METADATA_DISABLED", "true");
        c.env("AWS_REGION", "us-east-1");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c.current_dir(repo_root());
        c
    }

    /// The AWS CLI (from the local AWS's virtualenv) against this server.
    pub fn aws(&self, args: &[&str]) -> serde_json::Value {
        let cli = repo_root().join(".venv-local-aws/bin/aws");
        let out = self
            .command(cli)
            .args(args)
            .args(["--output", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if out.stdout.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&out.stdout).unwrap()
        }
    }

    /// Creates a public hosted zone; returns its id.
    pub fn hosted_zone(&self, domain: &str) -> String {
        let v = self.aws(&[
            "route53",
            "create-hosted-zone",
            "--name",
            domain,
            "--caller-reference",
            domain,
        ]);
        v["HostedZone"]["Id"]
            .as_str()
            .unwrap()
            .trim_start_matches("/hostedzone/")
            .to_string()
    }

    /// Creates the ECR repository `name` (what bs-bootstrap does before the
    /// first deploy: the stacks only refer to it).
    pub fn repository(&self, name: &str) {
        self.aws(&["ecr", "create-repository", "--repository-name", name]);
    }

    /// [`LocalAws::repository`] in `region`.
    pub fn repository_in(&self, region: &str, name: &str) {
        self.aws(&[
            "ecr",
            "create-repository",
            "--repository-name",
            name,
            "--region",
            region,
        ]);
    }

    /// Puts an image into the local ECR repository `repository` under `tag`:
    /// a minimal manifest whose config and layer digests are made of `tag`;
    /// returns its digest. moto derives an image's digest from its layers'
    /// digests only, so each tag gets a layer of its own to be its own image.
    pub fn push_image(&self, repository: &str, tag: &str) -> String {
        let hex: String = tag.bytes().map(|b| format!("{b:02x}")).collect();
        let digest = format!("sha256:{hex:0>64}");
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"{digest}"}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1,"digest":"{digest}"}}]}}"#
        );
        let v = self.aws(&[
            "ecr",
            "put-image",
            "--repository-name",
            repository,
            "--image-tag",
            tag,
            "--image-manifest",
            &manifest,
        ]);
        v["image"]["imageId"]["imageDigest"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The value of parameter `key` of stack `stack` (panics if it has none).
    pub fn stack_parameter(&self, stack: &str, key: &str) -> String {
        let v = self.aws(&["cloudformation", "describe-stacks", "--stack-name", stack]);
        v["Stacks"][0]["Parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["ParameterKey"] == key)
            .map(|p| p["ParameterValue"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("stack {stack} has no parameter {key}"))
    }

    /// Wipes all state (moto's reset API).
    pub fn reset(&self) {
        self.post("/moto-api/reset", "");
    }

    /// Holds stack `stack` (in `region`) in `status`, an `*_IN_PROGRESS` one,
    /// for `seconds`, as if an operation ran on it (the local AWS's test hook,
    /// docs/local-aws.md): CloudFormation refuses to change it meanwhile.
    pub fn hold_stack(&self, region: &str, stack: &str, status: &str, seconds: f64) {
        let body = serde_json::json!({"stack": stack, "status": status, "seconds": seconds, "region": region});
        self.post("/localaws/hold-stack", &body.to_string());
    }

    /// POSTs `body` to `path` of the server; panics unless it answers 200.
    fn post(&self, path: &str, body: &str) -> String {
        request(self.port, "POST", path, body)
    }
}

/// Sends one HTTP request to 127.0.0.1:`port`; panics unless it answers 200.
/// Gives the body.
fn request(port: u16, method: &str, path: &str, body: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"),
        "{method} {path}: {answer}"
    );
    answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// The fault proxy (`scripts/local-aws/fault_proxy.py`) in front of `target`,
/// stopped when dropped. Point a tool at [`FaultProxy::url`] and set rules.
pub struct FaultProxy {
    pub url: String,
    port: u16,
    child: std::process::Child,
}

impl FaultProxy {
    pub fn start(target: &str) -> FaultProxy {
        let mut child = Command::new("python3")
            .arg(repo_root().join("scripts/local-aws/fault_proxy.py"))
            .args(["--target", target])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let url = line
            .trim()
            .strip_prefix("FAULT_PROXY_URL=")
            .unwrap_or_else(|| panic!("the fault proxy did not start: {line:?}"))
            .to_string();
        let port = url.rsplit(':').next().unwrap().parse().unwrap();
        FaultProxy { url, port, child }
    }

    /// Replaces the rules (see the proxy's docstring) and clears the log.
    pub fn set(&self, rules: serde_json::Value) {
        let body = serde_json::json!({ "rules": rules }).to_string();
        request(self.port, "PUT", "/__faults", &body);
    }

    /// The operations seen since the rules were set, each with its fault.
    pub fn log(&self) -> Vec<(String, String)> {
        let body = request(self.port, "GET", "/__faults/log", "");
        let entries: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
        entries
            .iter()
            .map(|e| {
                (
                    e["operation"].as_str().unwrap_or_default().to_string(),
                    e["fault"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LocalAws {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/local-aws.sh"))
            .arg("stop")
            .env("LOCAL_AWS_DIR", self.dir.path())
            .stdin(Stdio::null())
            .output();
    }
}

/// Starts `cmd` with `input` written to its stdin (by a thread, so a child
/// that does not read it never blocks the test), stdout and stderr piped.
pub fn spawn_with_stdin(
    cmd: &mut Command,
    input: &[u8],
) -> (std::process::Child, std::thread::JoinHandle<()>) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    (child, writer)
}

/// Runs `cmd` with `input` on stdin.
pub fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    let (child, writer) = spawn_with_stdin(cmd, input);
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}
