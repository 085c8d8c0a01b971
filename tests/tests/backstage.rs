//! The container contract, proven with the real thing: the stacks are deployed
//! on the local AWS, and a real Backstage backend (`tests/backstage/`:
//! `@backstage/backend-defaults` with the catalog plugin, a new app's
//! production app-config) is started with exactly the environment and secrets
//! of a stage's task definition, against a PostgreSQL that requires TLS as
//! Aurora can. `tests/backstage/run.py` asserts that the target group's health
//! check path answers 200 on the container port within the service's grace
//! period, and that the catalog's tables exist.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use bs_tests::{bin, repo_root, run_with_stdin, LocalAws};
use serde_json::{Map, Value};
use std::process::Command;

/// A secret's value as ECS resolves a `ValueFrom`: `<arn>:<json-key>::`, the
/// ARN full (the generated database secret) or partial (a secret the config
/// names, without Secrets Manager's suffix).
fn resolve(aws: &LocalAws, value_from: &str) -> String {
    let parts: Vec<&str> = value_from.split(':').collect();
    // arn:aws:secretsmanager:region:account:secret:name[-AbCdEf] is 7 parts.
    let (arn, key) = (parts[..7].join(":"), parts.get(7).copied().unwrap_or(""));
    let listed = aws.aws(&["secretsmanager", "list-secrets"]);
    let id = listed["SecretList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ARN"] == arn.as_str() || s["Name"] == parts[6])
        .map(|s| s["ARN"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no secret for {value_from}"));
    let secret = aws.aws(&["secretsmanager", "get-secret-value", "--secret-id", &id]);
    let text = secret["SecretString"].as_str().unwrap().to_string();
    if key.is_empty() {
        return text;
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc[key].as_str().unwrap().to_string()
}

#[test]
fn a_real_backstage_backend_starts_with_what_the_task_definition_gives() {
    let aws = LocalAws::start();
    aws.hosted_zone("example.com");
    aws.repository("backstage");
    // The secrets the config names, as bs-bootstrap creates them.
    for (name, value) in [
        (
            "backstage/aws-auth",
            r#"{"id":"AKIAEXAMPLE","secret":"not-a-secret"}"#,
        ),
        ("backstage/github-token", r#"{"secret":"not-a-token"}"#),
        (
            "backstage/test/github-auth",
            r#"{"id":"client","secret":"not-a-secret"}"#,
        ),
        (
            "backstage/prod/github-auth",
            r#"{"id":"client","secret":"not-a-secret"}"#,
        ),
    ] {
        aws.aws(&[
            "secretsmanager",
            "create-secret",
            "--name",
            name,
            "--secret-string",
            value,
        ]);
    }
    let config = repo_root().join("configs/env-config.example.yaml");
    let synth = Command::new(bin("bs-synth"))
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(synth.status.success());
    let mut deploy = aws.command(bin("bs-deploy"));
    deploy.args(["--poll-interval", "0.1", "--events", "lines"]);
    let out = run_with_stdin(&mut deploy, &synth.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The prod stage's service, as ECS and the load balancer have it.
    let service = &aws.aws(&[
        "ecs",
        "describe-services",
        "--cluster",
        "backstage",
        "--services",
        "backstage-prod",
    ])["services"][0];
    // moto's DescribeServices leaves the grace period out: the template's.
    let assembly: Value = serde_json::from_slice(&synth.stdout).unwrap();
    let template = &assembly["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "backstage")
        .unwrap()["template"];
    let grace = service["healthCheckGracePeriodSeconds"]
        .as_u64()
        .or_else(|| {
            template["Resources"]["ServiceProd"]["Properties"]["HealthCheckGracePeriodSeconds"]
                .as_u64()
        })
        .unwrap();
    let target_group = service["loadBalancers"][0]["targetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    let task = &aws.aws(&[
        "ecs",
        "describe-task-definition",
        "--task-definition",
        service["taskDefinition"].as_str().unwrap(),
    ])["taskDefinition"];
    let container = &task["containerDefinitions"][0];
    let port = container["portMappings"][0]["containerPort"]
        .as_u64()
        .unwrap();
    let health_path = aws.aws(&[
        "elbv2",
        "describe-target-groups",
        "--target-group-arns",
        &target_group,
    ])["TargetGroups"][0]["HealthCheckPath"]
        .as_str()
        .unwrap()
        .to_string();

    // Exactly the container's environment, secrets resolved as ECS does.
    let mut env = Map::new();
    for e in container["environment"].as_array().unwrap() {
        env.insert(e["name"].as_str().unwrap().to_string(), e["value"].clone());
    }
    for s in container["secrets"].as_array().unwrap() {
        let value = resolve(&aws, s["valueFrom"].as_str().unwrap());
        env.insert(
            s["name"].as_str().unwrap().to_string(),
            Value::String(value),
        );
    }
    assert!(env.contains_key("POSTGRES_PASSWORD"));
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("env.json");
    std::fs::write(&env_file, Value::Object(env).to_string()).unwrap();

    let run = |env_file: &std::path::Path, health_path: &str| {
        let out = Command::new("python3")
            .arg(repo_root().join("tests/backstage/run.py"))
            .arg("--env-file")
            .arg(env_file)
            .args(["--health-path", health_path])
            .args(["--grace", &grace.to_string()])
            .args(["--port", &port.to_string()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let result: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code(), result, stderr)
    };
    let (code, result, stderr) = run(&env_file, &health_path);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(result["ok"], true, "{result}");
    assert_eq!(result["health"]["status"], 200, "{result}");

    // The same harness refuses what would break on AWS: the old default health
    // path, an environment without what the app-config reads, a port the app
    // does not listen on, and a database connection without TLS.
    let (code, _, stderr) = run(&env_file, "/");
    assert_eq!(code, Some(1), "health check path / must fail: {stderr}");
    let given: Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(&env_file).unwrap()).unwrap();
    let mut drifted: Vec<(&str, Map<String, Value>)> = Vec::new();
    let mut less = given.clone();
    less.remove("HOST_NAME");
    drifted.push(("without HOST_NAME (the base URL)", less));
    let mut other_port = given.clone();
    other_port.insert("CONTAINER_PORT".into(), Value::from((port + 1).to_string()));
    drifted.push((
        "listening on another port than the port mapping",
        other_port,
    ));
    for (i, (what, env)) in drifted.into_iter().enumerate() {
        let file = dir.path().join(format!("drifted-{i}.json"));
        std::fs::write(&file, Value::Object(env).to_string()).unwrap();
        let (code, _, stderr) = run(&file, &health_path);
        assert_eq!(code, Some(1), "{what} it must fail: {stderr}");
    }
    let mut without_tls = given.clone();
    assert_eq!(
        without_tls.remove("PGSSLMODE"),
        Some(Value::from("no-verify"))
    );
    let plain = dir.path().join("without-tls.json");
    std::fs::write(&plain, Value::Object(without_tls).to_string()).unwrap();
    let (code, _, stderr) = run(&plain, &health_path);
    assert_eq!(
        code,
        Some(1),
        "a connection without TLS must fail: {stderr}"
    );
}
