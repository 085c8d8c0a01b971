//! The whole story, for every config in `tests/configs/`, each on a local AWS of
//! the config's own account and region:
//!
//! bootstrap → deploy (the backstage stack with the pipeline's CloudFormation
//! role, as the infra pipeline's Deploy step) → promote the first stage by tag →
//! promote through every stage → a second image through every stage → roll the
//! last stage back → destroy both stacks → bootstrap and deploy again → promote
//! by tag again (the repository and its images outlived the stacks).
//!
//! A config's existing resources (HOSTED_ZONE_ID, ACM_ARN) are made on the
//! local AWS first and the copy of the config names them, as a user's config
//! names their own.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use bs_tests::{bin, repo_root, run_with_stdin, LocalAws};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON document on stdout of a run that exited `code`.
fn json(out: &Output, code: i32, what: &str) -> Value {
    assert_eq!(out.status.code(), Some(code), "{what}: {}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: stdout is not one JSON document ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

/// `KEY: value` of a YAML line, unquoted, without a trailing comment.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let value = value.split(" #").next().unwrap_or("").trim();
    Some((key.trim(), value.trim_matches(['"', '\''])))
}

/// One config's story: its local AWS and what it synthesizes to.
struct Story {
    aws: LocalAws,
    _dir: tempfile::TempDir,
    /// The copy of the config, naming what exists on this local AWS.
    config: PathBuf,
    name: String,
    bootstrap: String,
    pipeline: String,
    region: String,
    stages: Vec<String>,
    repository: String,
}

impl Story {
    fn new(original: &Path) -> Story {
        let assembly = synth_file(original, &[]);
        let backstage = &assembly["stacks"][2];
        let account = backstage["account"].as_str().unwrap().to_string();
        let region = backstage["region"].as_str().unwrap().to_string();
        let aws = LocalAws::start_in(Some(&account), &region);
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("env-config.yaml");
        std::fs::write(&config, existing_resources(&aws, original)).unwrap();

        let assembly = synth_file(&config, &[]);
        let backstage = &assembly["stacks"][2];
        // Stage names in config order: the template's Image<Stage> parameters.
        let mut stages: Vec<(usize, String)> = backstage["parameters"]
            .as_object()
            .unwrap()
            .values()
            .filter(|p| p["kind"] == "stage-image")
            .map(|p| p["stage"].as_str().unwrap().to_string())
            .map(|s| (config_position(&config, &s), s))
            .collect();
        stages.sort();
        let requires = backstage["requires"].as_array().unwrap();
        let repository = requires
            .iter()
            .find(|r| r["kind"] == "ecr-repository")
            .unwrap_or_else(|| panic!("{requires:?}"));
        Story {
            aws,
            _dir: dir,
            config,
            name: backstage["name"].as_str().unwrap().to_string(),
            bootstrap: assembly["stacks"][0]["name"].as_str().unwrap().to_string(),
            pipeline: assembly["stacks"][1]["name"].as_str().unwrap().to_string(),
            region,
            stages: stages.into_iter().map(|(_, s)| s).collect(),
            repository: repository["name"].as_str().unwrap().to_string(),
        }
    }

    fn synth(&self, args: &[&str]) -> Vec<u8> {
        let out = std::process::Command::new(bin("bs-synth"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "bs-synth: {}", stderr(&out));
        out.stdout
    }

    fn tool(&self, name: &str, args: &[&str]) -> Output {
        self.aws
            .command(bin(name))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .output()
            .unwrap()
    }

    /// bs-bootstrap with a value for every secret it reports missing; returns
    /// the pipeline stack's status (the bootstrap stack's, deployed first, is
    /// checked).
    fn bootstrap(&self) -> String {
        // Read-only: what is missing (exit 1) or nothing (exit 0).
        let check = self.tool("bs-bootstrap", &["--check"]);
        let code = check.status.code().unwrap_or(-1);
        assert!(
            code == 0 || code == 1,
            "bs-bootstrap --check: {}",
            stderr(&check)
        );
        let report = json(&check, code, "bs-bootstrap --check");
        let mut cmd = self.aws.command(bin("bs-bootstrap"));
        cmd.arg("--config")
            .arg(&self.config)
            .args(["--poll-interval", "0.1", "--events", "lines"]);
        for p in report["prerequisites"].as_array().unwrap() {
            if p["kind"] == "secret" && p["state"] == "missing" {
                let fix = p["fix"].as_str().unwrap();
                let var = fix
                    .split_whitespace()
                    .find(|w| w.starts_with("BS_SECRET_"))
                    .unwrap_or_else(|| panic!("no variable in {fix}"));
                let value = if fix.contains(r#"{"id""#) {
                    r#"{"id": "story-id", "secret": "story-secret"}"#
                } else if fix.contains(r#"{"secret""#) {
                    r#"{"secret": "story-token"}"#
                } else {
                    "appId: 1\nprivateKey: story-key\n"
                };
                cmd.env(var, value);
            }
        }
        let mut out = run_with_stdin(&mut cmd, b"");
        if out.status.code() == Some(5) {
            // Waiting for a person: a secret named by full ARN (with the six
            // characters Secrets Manager appends) that bootstrap made anew has
            // another ARN. Done as the report says, then bootstrap again.
            let report = json(&out, 5, "bs-bootstrap");
            let mut text = std::fs::read_to_string(&self.config).unwrap();
            for p in report["prerequisites"].as_array().unwrap() {
                let fix = p["fix"].as_str().unwrap_or_default();
                let (Some(old), Some(new)) = (
                    fix.split(" names ")
                        .nth(1)
                        .and_then(|r| r.split(',').next()),
                    fix.split("but the secret is ")
                        .nth(1)
                        .and_then(|r| r.split(':').next().map(|_| r)),
                ) else {
                    continue;
                };
                let new = new.split(": set ").next().unwrap();
                text = text.replace(old, new);
            }
            std::fs::write(&self.config, text).unwrap();
            out = run_with_stdin(&mut cmd, b"");
        }
        let report = json(&out, 0, "bs-bootstrap");
        assert_eq!(report["result"], "ready", "{report}");
        let repository = report["prerequisites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == "ecr-repository")
            .unwrap();
        assert_eq!(repository["name"], self.repository.as_str());
        assert_eq!(report["bootstrap_stack"]["name"], self.bootstrap.as_str());
        let bootstrap = report["bootstrap_stack"]["status"].as_str().unwrap();
        assert!(
            ["CREATE_COMPLETE", "UPDATE_COMPLETE", "NO_CHANGES"].contains(&bootstrap),
            "{report}"
        );
        report["pipeline_stack"]["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The role the infra pipeline's Deploy step passes to CloudFormation.
    fn cloudformation_role(&self) -> String {
        let v = self.aws.aws(&[
            "cloudformation",
            "describe-stacks",
            "--stack-name",
            &self.bootstrap,
        ]);
        v["Stacks"][0]["Outputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["OutputKey"] == "CloudFormationRoleArn")
            .map(|o| o["OutputValue"].as_str().unwrap().to_string())
            .unwrap()
    }

    /// bs-deploy's flags in the infra pipeline's UpdatePipeline and Deploy
    /// steps: the pipeline and backstage stacks, through `role`.
    fn pipeline_steps<'a>(&'a self, role: &'a str) -> [&'a str; 6] {
        [
            "--role-arn",
            role,
            "--stack",
            &self.pipeline,
            "--stack",
            &self.name,
        ]
    }

    /// The pipeline and backstage stacks, deployed as the infra pipeline's
    /// UpdatePipeline and Deploy steps do (with the CloudFormation role); the
    /// backstage stack's report.
    fn deploy(&self) -> Value {
        let role = self.cloudformation_role();
        let report = self.bs_deploy(&self.pipeline_steps(&role), &[]);
        let stacks = report["stacks"].as_array().unwrap();
        assert_eq!(stacks[0]["name"], self.pipeline.as_str(), "{report}");
        stacks[1].clone()
    }

    /// bs-deploy with `args` on what bs-synth with `synth_args` prints; its
    /// report, after exit 0.
    fn bs_deploy(&self, args: &[&str], synth_args: &[&str]) -> Value {
        let mut cmd = self.aws.command(bin("bs-deploy"));
        cmd.args(["--poll-interval", "0.1", "--events", "lines"])
            .args(args);
        let out = run_with_stdin(&mut cmd, &self.synth(synth_args));
        json(&out, 0, &format!("bs-deploy {args:?}"))
    }

    fn promote(&self, args: &[&str]) -> Value {
        let mut all = vec!["--poll-interval", "0.1", "--events", "lines"];
        all.extend_from_slice(args);
        let out = self.tool("bs-promote", &all);
        json(&out, 0, &format!("bs-promote {args:?}"))
    }

    /// Every stage's running image (or those of `--stage` flags in `args`),
    /// each stage healthy.
    fn running(&self, args: &[&str]) -> BTreeMap<String, String> {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.tool("bs-status", &all);
        assert_eq!(
            out.status.code(),
            Some(0),
            "bs-status: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        );
        let report = json(&out, 0, "bs-status");
        report["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                assert_eq!(s["health"], "healthy", "{s}");
                assert_eq!(s["image"]["drift"], false, "{s}");
                (
                    s["name"].as_str().unwrap().to_string(),
                    s["image"]["running"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// Promotes `tag` into the first stage, then stage by stage to the last.
    fn through_every_stage(&self, tag: &str, digest: &str) {
        let first = &self.stages[0];
        let r = self.promote(&["--to", first, "--image", tag]);
        assert_eq!(r["result"], "promoted", "{r}");
        assert!(r["image"].as_str().unwrap().ends_with(digest), "{r}");
        for (before, stage) in self.stages.iter().zip(&self.stages[1..]) {
            let r = self.promote(&["--to", stage]);
            assert_eq!(r["result"], "promoted", "{r}");
            assert!(
                r["from"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("stage {before} ")),
                "{r}"
            );
            assert!(r["image"].as_str().unwrap().ends_with(digest), "{r}");
        }
    }

    fn image(&self, digest: &str) -> String {
        let uri = bs_core::names::ecr_registry(&self.aws_account(), &self.region);
        format!("{uri}/{}@{digest}", self.repository)
    }

    fn aws_account(&self) -> String {
        self.aws.aws(&["sts", "get-caller-identity"])["Account"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// The status of each stack in a bs-deploy report.
fn statuses(report: &Value) -> Vec<&str> {
    report["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| st["status"].as_str().unwrap())
        .collect()
}

fn synth_file(config: &Path, args: &[&str]) -> Value {
    let out = std::process::Command::new(bin("bs-synth"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bs-synth {}: {}",
        config.display(),
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The line of stage `stage`'s key in the config: stages in file order.
fn config_position(config: &Path, stage: &str) -> usize {
    let text = std::fs::read_to_string(config).unwrap();
    let stages = text.find("\nstages:").unwrap();
    text[stages..]
        .lines()
        .position(|l| l.trim_end() == format!("  {stage}:"))
        .unwrap_or_else(|| panic!("stage {stage} not in {}", config.display()))
}

/// The config's text, its HOSTED_ZONE_ID and ACM_ARN values replaced by a
/// hosted zone and a certificate made on this local AWS for the domain in
/// effect at that line.
fn existing_resources(aws: &LocalAws, config: &Path) -> String {
    let text = std::fs::read_to_string(config).unwrap();
    let mut domain = String::new();
    let mut zones: BTreeMap<String, String> = BTreeMap::new();
    let mut certificates: BTreeMap<String, String> = BTreeMap::new();
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_string();
        if let Some((key, value)) = key_value(&line) {
            let (key, value) = (key.to_string(), value.to_string());
            match key.as_str() {
                "DOMAIN_NAME" => domain = value,
                "HOSTED_ZONE_ID" if !value.is_empty() => {
                    let id = zones
                        .entry(domain.clone())
                        .or_insert_with(|| aws.hosted_zone(&domain))
                        .clone();
                    line = line.replace(&value, &id);
                }
                "ACM_ARN" if value.starts_with("arn:") => {
                    let arn = certificates
                        .entry(value.clone())
                        .or_insert_with(|| {
                            aws.aws(&[
                                "acm",
                                "request-certificate",
                                "--domain-name",
                                &format!("*.{domain}"),
                            ])["CertificateArn"]
                                .as_str()
                                .unwrap()
                                .to_string()
                        })
                        .clone();
                    line = line.replace(&value, &arn);
                }
                _ => {}
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn configs() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo_root().join("tests/configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 4, "{paths:?}");
    paths
}

fn whole_story(original: &Path) {
    let s = Story::new(original);
    let file = original.display();

    // Bootstrap: prerequisites, then the pipeline stack.
    assert_eq!(s.bootstrap(), "CREATE_COMPLETE", "{file}");
    // Deploy, as the pipeline's Deploy step: no image yet, no task runs.
    let deployed = s.deploy();
    assert_eq!(deployed["status"], "CREATE_COMPLETE", "{file}: {deployed}");
    let outputs = &deployed["outputs"];
    assert!(
        outputs["RepositoryUri"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{}", s.repository)),
        "{file}: {outputs}"
    );

    // v1 into the first stage by tag, then through every stage.
    let v1 = s.aws.push_image(&s.repository, "v1.0.0");
    s.through_every_stage("v1.0.0", &v1);
    let running = s.running(&[]);
    assert!(
        running.values().all(|i| *i == s.image(&v1)),
        "{file}: {running:?}"
    );

    // v2 the same way; then the last stage rolls back to v1.
    let v2 = s.aws.push_image(&s.repository, "v2.0.0");
    s.through_every_stage("v2.0.0", &v2);
    let last = s.stages.last().unwrap();
    let r = s.promote(&["--rollback", last]);
    assert_eq!(r["result"], "rolled_back", "{file}: {r}");
    let running = s.running(&[]);
    assert_eq!(running[last], s.image(&v1), "{file}: {running:?}");
    if s.stages.len() > 1 {
        assert_eq!(running[&s.stages[0]], s.image(&v2), "{file}: {running:?}");
    }

    // Destroy the three stacks: the repository and its images stay.
    let destroyed = s.bs_deploy(&["--destroy", "--yes"], &[]);
    assert_eq!(
        statuses(&destroyed),
        ["DELETE_COMPLETE", "DELETE_COMPLETE", "DELETE_COMPLETE"],
        "{file}: {destroyed}"
    );

    // And again: nothing left behind is in the way.
    assert_eq!(s.bootstrap(), "CREATE_COMPLETE", "{file}");
    let again = s.deploy();
    assert_eq!(again["status"], "CREATE_COMPLETE", "{file}: {again}");
    let r = s.promote(&["--to", &s.stages[0], "--image", "v2.0.0"]);
    assert_eq!(r["result"], "promoted", "{file}: {r}");
    let first = s.running(&["--stage", &s.stages[0]]);
    assert_eq!(first[&s.stages[0]], s.image(&v2), "{file}");
}

#[test]
fn every_config_goes_through_the_whole_story() {
    // One thread per config: each has its own local AWS.
    let handles: Vec<_> = configs()
        .into_iter()
        .map(|path| std::thread::spawn(move || whole_story(&path)))
        .collect();
    let mut failed = Vec::new();
    for h in handles {
        if let Err(e) = h.join() {
            failed.push(
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default(),
            );
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// Notifications turned on after bootstrap: the infra pipeline's UpdatePipeline
/// and Deploy steps create the account's first notification rules with the
/// CloudFormation role, which makes CodeStar Notifications create its
/// service-linked role: the role may (the local AWS refuses it otherwise).
#[test]
fn notifications_turned_on_later_deploy_through_the_cloudformation_role() {
    let s = Story::new(&repo_root().join("tests/configs/minimal.yaml"));
    assert_eq!(s.bootstrap(), "CREATE_COMPLETE");
    s.deploy();
    let service_linked = |s: &Story| -> Vec<String> {
        s.aws
            .aws(&["iam", "list-roles", "--path-prefix", "/aws-service-role/"])["Roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["RoleName"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!service_linked(&s).contains(&"AWSServiceRoleForCodeStarNotifications".to_string()));

    let text = std::fs::read_to_string(&s.config).unwrap().replace(
        "common:\n",
        "common:\n  CODESTAR_NOTIFY_ARN: arn:aws:chatbot::111122223333:chat-configuration/slack-channel/deploys\n",
    );
    std::fs::write(&s.config, text).unwrap();
    // The pipeline's steps refuse: the stacks now need the bootstrap stack as
    // this config makes it (with CodeStar Notifications' permissions).
    let role = s.cloudformation_role();
    let mut cmd = s.aws.command(bin("bs-deploy"));
    cmd.args(s.pipeline_steps(&role));
    let refused = run_with_stdin(&mut cmd, &s.synth(&[]));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("run bs-bootstrap with this config"),
        "{}",
        stderr(&refused)
    );
    // An administrator updates the bootstrap stack alone; then the
    // UpdatePipeline and Deploy steps: the two stacks, through the role.
    let updated = s.bs_deploy(&["--stack", &s.bootstrap], &[]);
    assert_eq!(statuses(&updated), ["UPDATE_COMPLETE"], "{updated}");
    let report = s.bs_deploy(&s.pipeline_steps(&role), &[]);
    assert_eq!(
        statuses(&report),
        ["UPDATE_COMPLETE", "UPDATE_COMPLETE"],
        "{report}"
    );
    assert!(service_linked(&s).contains(&"AWSServiceRoleForCodeStarNotifications".to_string()));
}
