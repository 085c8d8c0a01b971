use super::*;

const BASE: &str = r#"
common:
  AWS_ACCOUNT: "123456789012"
  AWS_REGION: eu-west-1
  TAG_STACK_NAME: portal
  GITHUB_ORG: org
  GITHUB_APP_REPO: app
  GITHUB_INFRA_REPO: infra
  CODESTAR_CONN_ARN: arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc
  GITHUB_APP_ARN: arn:aws:secretsmanager:eu-west-1:123456789012:secret:gh-AbCdEf
  DOMAIN_NAME: example.com
  NODE_ENV: production
stages:
  test:
    HOST_NAME: portal-test
    NODE_ENV: development
    LOG_LEVEL: debug
  prod:
    HOST_NAME: portal
"#;

fn ok(text: &str) -> Loaded {
    match parse(text, "c.yaml") {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    }
}

fn problems(text: &str) -> Vec<String> {
    parse(text, "c.yaml")
        .expect_err("config should be rejected")
        .problems
        .iter()
        .map(|p| p.render("c.yaml"))
        .collect()
}

/// BASE with `line` added under `section` (an indented key path like "  prod:").
fn with(section: &str, line: &str) -> String {
    BASE.replacen(section, &format!("{section}\n{line}"), 1)
}

fn has(problems: &[String], needle: &str) -> bool {
    problems.iter().any(|p| p.contains(needle))
}

#[test]
fn defaults_and_stage_order() {
    let c = ok(BASE).config;
    assert_eq!(c.region, "eu-west-1");
    assert_eq!(c.product, "dev-portal");
    assert_eq!(c.github.app_branch, "main");
    assert_eq!(c.container_name, "backstage");
    assert_eq!(c.dockerfile, "dockerfile");
    assert_eq!(c.ecr_repo_name, None);
    let names: Vec<&str> = c.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["test", "prod"]);
    let prod = c.stage("prod").unwrap();
    assert_eq!(prod.container_port, 7000);
    assert_eq!(prod.postgres_port, 5432);
    assert_eq!(prod.postgres_user, "postgres");
    assert_eq!(prod.fqdn(), "portal.example.com");
    assert!(!prod.approval);
    assert_eq!(prod.acm_arn, None);
}

#[test]
fn stage_overrides_never_leak_into_other_stages() {
    let c = ok(BASE).config;
    let test = c.stage("test").unwrap();
    let prod = c.stage("prod").unwrap();
    assert_eq!(test.env.get("NODE_ENV").unwrap(), "development");
    assert_eq!(test.env.get("LOG_LEVEL").unwrap(), "debug");
    // prod comes after test in the file, and still gets only common + its own keys.
    assert_eq!(prod.env.get("NODE_ENV").unwrap(), "production");
    assert_eq!(prod.env.get("LOG_LEVEL"), None);
}

#[test]
fn known_keys_are_not_environment_variables() {
    let c = ok(BASE).config;
    let env = &c.stage("prod").unwrap().env;
    assert!(!env.contains_key("AWS_ACCOUNT"));
    assert!(!env.contains_key("HOST_NAME"));
    assert_eq!(env.keys().collect::<Vec<_>>(), ["NODE_ENV"]);
}

#[test]
fn required_keys_are_all_reported_at_once() {
    let p = problems("common:\n  AWS_REGION: us-east-1\nstages:\n  dev: {}\n");
    for key in [
        "common.AWS_ACCOUNT",
        "common.TAG_STACK_NAME",
        "common.GITHUB_ORG",
        "common.GITHUB_APP_REPO",
        "common.GITHUB_INFRA_REPO",
        "common.CODESTAR_CONN_ARN",
        "common.GITHUB_APP_ARN",
        "stages.dev.DOMAIN_NAME",
    ] {
        assert!(
            has(&p, &format!("{key}: is required")),
            "{key} missing from {p:#?}"
        );
    }
}

#[test]
fn errors_name_file_line_and_key_path() {
    let text = with("  prod:", "    CONTAINER_PORT: 70000");
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:#?}");
    let line = text.lines().position(|l| l.contains("70000")).unwrap() + 1;
    assert_eq!(p[0], format!("c.yaml:{line}: stages.prod.CONTAINER_PORT: must be a port number from 1 to 65535, got `70000`"));
}

#[test]
fn account_and_region_formats() {
    let p = problems(
        &BASE
            .replace("\"123456789012\"", "\"12345\"")
            .replace("eu-west-1\n", "europe\n"),
    );
    assert!(
        has(&p, "common.AWS_ACCOUNT: must be a 12-digit AWS account id"),
        "{p:#?}"
    );
    assert!(
        has(&p, "common.AWS_REGION: must be an AWS region"),
        "{p:#?}"
    );
}

#[test]
fn arns_must_be_of_the_right_service() {
    let text = BASE
        .replace(
            "arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc",
            "arn:aws:s3:::bucket",
        )
        .replace(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gh-AbCdEf",
            "gh-secret",
        );
    let text = text.replace(
        "common:\n",
        "common:\n  CODESTAR_NOTIFY_ARN: arn:aws:sns:eu-west-1:123456789012:t\n  ACM_ARN: arn:aws:iam::123456789012:role/x\n",
    );
    // One problem each, in file order, naming service and resource and showing the
    // ARN to write.
    assert_eq!(
        problems(&text),
        [
            "c.yaml:3: common.CODESTAR_NOTIFY_ARN: the service is `sns` and the resource `t`: the ARN of an AWS Chatbot (Amazon Q Developer) channel configuration is `arn:aws:chatbot::123456789012:chat-configuration/slack-channel/<name>`",
            "c.yaml:4: common.ACM_ARN: the service is `iam` and the resource `role/x`: the ARN of an ACM certificate is `arn:aws:acm:eu-west-1:123456789012:certificate/<id>`",
            "c.yaml:11: common.CODESTAR_CONN_ARN: the service is `s3` and the resource `bucket`: the ARN of a CodeStar (CodeConnections) connection is `arn:aws:codeconnections:<region>:123456789012:connection/<id>` (the service may also be `codestar-connections`)",
            "c.yaml:12: common.GITHUB_APP_ARN: must be the ARN of a Secrets Manager secret, such as `arn:aws:secretsmanager:<region>:123456789012:secret:<name>-AbCdEf`; got `gh-secret`",
        ]
    );
}

#[test]
fn certificate_must_be_in_the_stack_region_and_account() {
    let id = "12345678-1234-1234-1234-123456789012";
    let text = with(
        "  prod:",
        &format!("    ACM_ARN: arn:aws:acm:us-east-1:999999999999:certificate/{id}"),
    );
    assert_eq!(
        problems(&text),
        [
            "c.yaml:19: stages.prod.ACM_ARN: the region part `us-east-1` is not AWS_REGION `eu-west-1`: a load balancer uses only certificates of its own region; request or import the certificate in `eu-west-1`",
            "c.yaml:19: stages.prod.ACM_ARN: the account part `999999999999` is not AWS_ACCOUNT `123456789012`: a load balancer uses only certificates of its own account",
        ]
    );
    let good = with(
        "  prod:",
        &format!("    ACM_ARN: arn:aws:acm:eu-west-1:123456789012:certificate/{id}"),
    );
    assert_eq!(
        ok(&good).config.stage("prod").unwrap().acm_arn,
        Some(format!(
            "arn:aws:acm:eu-west-1:123456789012:certificate/{id}"
        ))
    );
}

#[test]
fn stage_approval_is_a_real_boolean() {
    let c = ok(&with("  prod:", "    STAGE_APPROVAL: yes")).config;
    assert!(c.stage("prod").unwrap().approval);
    let p = problems(&with("  prod:", "    STAGE_APPROVAL: \"false\""));
    assert!(
        has(
            &p,
            "stages.prod.STAGE_APPROVAL: must be a boolean, not the quoted string \"false\""
        ),
        "{p:#?}"
    );
    let p = problems(&with("  prod:", "    STAGE_APPROVAL: maybe"));
    assert!(
        has(
            &p,
            "stages.prod.STAGE_APPROVAL: must be true or false, got `maybe`"
        ),
        "{p:#?}"
    );
}

#[test]
fn approval_emails_list_or_string() {
    let c = ok(&with(
        "  prod:",
        "    STAGE_APPROVAL: true\n    APPROVAL_EMAILS: [a@example.com, b@example.org]",
    ))
    .config;
    assert_eq!(
        c.stage("prod").unwrap().approval_emails,
        ["a@example.com", "b@example.org"]
    );
    let c = ok(&with(
        "  prod:",
        "    STAGE_APPROVAL: true\n    APPROVAL_EMAILS: a@example.com, b@example.org",
    ))
    .config;
    assert_eq!(c.stage("prod").unwrap().approval_emails.len(), 2);
    let p = problems(&with(
        "  prod:",
        "    STAGE_APPROVAL: true\n    APPROVAL_EMAILS: [ops]",
    ));
    assert!(
        has(
            &p,
            "stages.prod.APPROVAL_EMAILS: `ops` is not an e-mail address"
        ),
        "{p:#?}"
    );
    let l = ok(&with("  prod:", "    APPROVAL_EMAILS: [a@example.com]"));
    assert!(
        l.warnings.iter().any(|w| w.message.contains("no effect")),
        "{:?}",
        l.warnings
    );
}

#[test]
fn stage_names_must_fit_logical_ids() {
    let p = problems(&BASE.replace("  prod:", "  prod_env:"));
    assert!(
        has(
            &p,
            "stages.prod_env: stage name `prod_env` must start with a letter"
        ),
        "{p:#?}"
    );
    let p = problems(&BASE.replace(
        "  prod:\n    HOST_NAME: portal",
        "  Test:\n    HOST_NAME: portal",
    ));
    assert!(has(&p, "differ only in case"), "{p:#?}");
}

#[test]
fn urls_must_differ_between_stages() {
    let p = problems(&BASE.replace("portal-test", "portal"));
    assert!(
        has(
            &p,
            "stages.prod.HOST_NAME: the stage's URL `portal.example.com` is also stage `test`'s"
        ),
        "{p:#?}"
    );
    // Two stages on the default host name, but different domains: fine.
    let text = BASE
        .replace(
            "    HOST_NAME: portal-test\n",
            "    DOMAIN_NAME: test.example.com\n",
        )
        .replace("    HOST_NAME: portal\n", "");
    let c = ok(&text).config;
    assert_eq!(
        c.stage("test").unwrap().fqdn(),
        "backstage.test.example.com"
    );
    assert_eq!(c.stage("prod").unwrap().fqdn(), "backstage.example.com");
    assert_eq!(c.domains(), ["test.example.com", "example.com"]);
}

#[test]
fn at_least_one_stage() {
    let text = BASE.split("stages:").next().unwrap().to_string();
    assert!(has(&problems(&text), "stages: is required"));
    assert!(has(
        &problems(&(text.clone() + "stages: {}\n")),
        "stages: must hold at least one stage"
    ));
}

#[test]
fn stack_wide_keys_must_agree_across_stages() {
    let p = problems(&with("  prod:", "    AWS_REGION: us-east-1"));
    assert!(has(&p, "stages.prod.AWS_REGION: is stack-wide"), "{p:#?}");
    // The same value repeated is harmless.
    ok(&with("  prod:", "    AWS_REGION: eu-west-1"));
}

#[test]
fn yaml_syntax_errors_give_the_line() {
    let err = parse("common:\n  A: [1, 2\nstages:\n", "c.yaml").unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert!(err.problems[0].line.is_some());
    assert!(
        err.problems[0].message.starts_with("YAML syntax error"),
        "{err}"
    );
}

#[test]
fn empty_and_wrong_shaped_files() {
    assert!(has(&problems(""), "the config is empty"));
    assert!(has(
        &problems("- a\n- b\n"),
        "must be a map with `common` and `stages`, not a list"
    ));
    assert!(has(
        &problems(&BASE.replace("  prod:\n    HOST_NAME: portal", "  prod: [1]")),
        "stages.prod: must be a map of settings"
    ));
}

#[test]
fn json_configs_are_accepted() {
    let json = r#"{"common": {"AWS_ACCOUNT": "123456789012", "TAG_STACK_NAME": "p", "GITHUB_ORG": "o",
      "GITHUB_APP_REPO": "a", "GITHUB_INFRA_REPO": "i", "DOMAIN_NAME": "example.com",
      "CODESTAR_CONN_ARN": "arn:aws:codestar-connections:us-east-1:123456789012:connection/x",
      "GITHUB_APP_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf"},
      "stages": {"dev": {"STAGE_APPROVAL": false, "PORT_HINT": 3}}}"#;
    let c = ok(json).config;
    assert_eq!(c.stages[0].env.get("PORT_HINT").unwrap(), "3");
}

#[test]
fn env_values_keep_their_text_and_lists_are_rejected() {
    let c = ok(&with(
        "  prod:",
        "    FEATURE_FLAG: true\n    RATIO: 0.50\n    EMPTY:",
    ))
    .config;
    let env = &c.stage("prod").unwrap().env;
    assert_eq!(env.get("FEATURE_FLAG").unwrap(), "true");
    assert_eq!(env.get("RATIO").unwrap(), "0.50");
    assert_eq!(env.get("EMPTY").unwrap(), "");
    let p = problems(&with("  prod:", "    HOSTS: [a, b]"));
    assert!(has(&p, "stages.prod.HOSTS: is passed to the container as an environment variable and must be a single value, not a list"), "{p:#?}");
}

#[test]
fn secret_env_names_clash_with_configured_secrets() {
    let p = problems(&with(
        "  prod:",
        "    GITHUB_AUTH_SECRET_NAME: gh/prod\n    AUTH_GITHUB_CLIENT_SECRET: x",
    ));
    assert!(
        has(
            &p,
            "stages.prod.AUTH_GITHUB_CLIENT_SECRET: clashes with the container secret"
        ),
        "{p:#?}"
    );
}

#[test]
fn secret_looking_env_vars_warn_without_showing_the_value() {
    let l = ok(&with("  prod:", "    SESSION_SECRET: hunter2-value"));
    let w: Vec<String> = l.warnings.iter().map(|w| w.render("c.yaml")).collect();
    assert!(
        has(&w, "stages.prod.SESSION_SECRET: looks like a secret"),
        "{w:#?}"
    );
    assert!(!w.iter().any(|x| x.contains("hunter2")), "{w:#?}");
}

#[test]
fn ignored_keys_warn() {
    let l = ok(&with("common:", "  POSTGRES_PASSWORD: plain"));
    assert!(l
        .warnings
        .iter()
        .any(|w| w.path == "common.POSTGRES_PASSWORD" && w.message.contains("ignored")));
    assert!(!l
        .config
        .stage("prod")
        .unwrap()
        .env
        .contains_key("POSTGRES_PASSWORD"));
}

#[test]
fn name_lengths_are_checked_against_iam_limits() {
    let long = "a".repeat(49);
    let p = problems(&BASE.replace("TAG_STACK_NAME: portal", &format!("TAG_STACK_NAME: {long}")));
    assert!(
        has(&p, "common.TAG_STACK_NAME: must start with a letter"),
        "{p:#?}"
    );
    let stack = "a".repeat(40);
    let p = problems(
        &BASE
            .replace(
                "TAG_STACK_NAME: portal",
                &format!("TAG_STACK_NAME: {stack}"),
            )
            .replace("  prod:", "  productionstagezzzzz:"),
    );
    assert!(has(&p, "too long: the role"), "{p:#?}");
}

#[test]
fn dns_names_are_checked() {
    let p = problems(&BASE.replace("DOMAIN_NAME: example.com", "DOMAIN_NAME: Example.com"));
    assert!(
        has(&p, "common.DOMAIN_NAME: must be written in lowercase"),
        "{p:#?}"
    );
    let p = problems(&BASE.replace("HOST_NAME: portal\n", "HOST_NAME: por_tal\n"));
    assert!(
        has(&p, "stages.prod.HOST_NAME: must be a DNS name"),
        "{p:#?}"
    );
}

#[test]
fn ecr_name_derived_from_container_must_be_valid() {
    let p = problems(&with("common:", "  CONTAINER_NAME: Backstage"));
    assert!(
        has(&p, "CONTAINER_NAME: names the ECR repository"),
        "{p:#?}"
    );
    let c = ok(&with(
        "common:",
        "  CONTAINER_NAME: Backstage\n  ECR_REPO_NAME: team/backstage",
    ))
    .config;
    assert_eq!(c.ecr_repo_name.as_deref(), Some("team/backstage"));
}

#[test]
fn hosted_zone_ids() {
    let c = ok(&with("common:", "  HOSTED_ZONE_ID: /hostedzone/Z0ABC")).config;
    assert_eq!(c.stages[0].hosted_zone_id.as_deref(), Some("Z0ABC"));
    let p = problems(
        &with("  prod:", "    HOSTED_ZONE_ID: Z0XYZ")
            .replace("common:", "common:\n  HOSTED_ZONE_ID: Z0ABC"),
    );
    assert!(
        has(
            &p,
            "stages.prod.HOSTED_ZONE_ID: `Z0XYZ` differs from stage `test`'s"
        ),
        "{p:#?}"
    );
}

#[test]
fn merge_keys_and_anchors_work_like_pyyaml() {
    let text = BASE.replace(
        "  test:\n    HOST_NAME: portal-test\n",
        "  test: &t\n    HOST_NAME: portal-test\n  qa:\n    <<: *t\n    HOST_NAME: portal-qa\n",
    );
    let c = ok(&text).config;
    let qa = c.stage("qa").unwrap();
    assert_eq!(qa.host_name, "portal-qa");
    assert_eq!(qa.env.get("LOG_LEVEL").unwrap(), "debug");
}

#[test]
fn the_example_config_is_valid_and_covers_every_key() {
    let text = include_str!("../../../configs/env-config.example.yaml");
    let l = ok(text);
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    for key in keys::STACK_WIDE
        .iter()
        .chain(keys::PER_STAGE)
        .chain(keys::IGNORED.iter().map(|(k, _)| k))
    {
        assert!(
            text.contains(key),
            "the example config does not mention {key}"
        );
    }
}

#[test]
fn arns_must_be_in_the_region_s_partition() {
    let text = BASE.replace(
        "arn:aws:codestar-connections:eu-west-1",
        "arn:aws-cn:codestar-connections:cn-north-1",
    );
    // Connections are global, so only the partition is wrong.
    assert_eq!(
        problems(&text),
        ["c.yaml:9: common.CODESTAR_CONN_ARN: the partition part `aws-cn` does not match AWS_REGION `eu-west-1`, which is in `aws`: write `aws` (a stack uses resources of its own partition only)"]
    );
}

#[test]
fn every_bad_value_is_reported_with_its_key() {
    let text = BASE
        .replace("GITHUB_ORG: org", "GITHUB_ORG: my org")
        .replace("  DOMAIN_NAME: example.com\n", "  DOMAIN_NAME: example.com\n  GITHUB_APP_BRANCH: a..b\n  POSTGRES_USER: 1admin\n  POSTGRES_ENGINE_VERSION: latest\n  HEALTH_CHECK_PATH: health\n  LOG_RETENTION_DAYS: 42\n  AWS_AUTH_SECRET_NAME: has space\n  CONTAINER_NAME: back stage\n  ECR_REPO_NAME: repo\n");
    let p = problems(&text);
    for key in [
        "common.GITHUB_ORG",
        "common.GITHUB_APP_BRANCH",
        "common.POSTGRES_USER",
        "common.POSTGRES_ENGINE_VERSION",
        "common.HEALTH_CHECK_PATH",
        "common.LOG_RETENTION_DAYS",
        "common.AWS_AUTH_SECRET_NAME",
        "common.CONTAINER_NAME",
    ] {
        let n = p.iter().filter(|x| x.contains(&format!("{key}: "))).count();
        // Inherited by two stages, reported once.
        assert_eq!(n, 1, "{key} in {p:#?}");
    }
}

#[test]
fn the_connection_may_be_absent_for_bootstrap_only() {
    let text = BASE.replace(
        "  CODESTAR_CONN_ARN: arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc\n",
        "",
    );
    assert!(has(
        &problems(&text),
        "common.CODESTAR_CONN_ARN: is required"
    ));
    let opts = Options {
        connection_optional: true,
    };
    let c = parse_with(&text, "c.yaml", opts).unwrap().config;
    assert_eq!(c.connection_arn, "");
}

// ---- The reference system's own config files, unchanged ----------------------

const REFERENCE: &str = include_str!("../../tests/fixtures/reference/reference-env-config.yaml");
const REFERENCE_TEST: &str =
    include_str!("../../tests/fixtures/reference/reference-env-config-test.yaml");

fn rendered(found: &[Problem], file: &str) -> Vec<String> {
    found.iter().map(|p| p.render(file)).collect()
}

#[test]
fn the_reference_config_names_every_placeholder_part_in_file_order() {
    let file = "reference-env-config.yaml";
    let err = parse(REFERENCE, file).expect_err("its ARNs are placeholders");
    assert_eq!(
        rendered(&err.problems, file),
        [
            "reference-env-config.yaml:23: common.ACM_ARN: the region part `region` is not an AWS region (such as `us-east-1`): write `us-east-1`, the AWS_REGION of the load balancer (a load balancer uses only certificates of its own region)",
            "reference-env-config.yaml:23: common.ACM_ARN: the account part `account` is not a 12-digit account id: write AWS_ACCOUNT `123456789123` (a load balancer uses only certificates of its own account)",
            "reference-env-config.yaml:23: common.ACM_ARN: the certificate id `my-certificate-name` is not an ACM certificate id: ACM gives every certificate a generated id such as `12345678-1234-1234-1234-123456789012`, not a name; copy the ARN from the ACM console, or leave ACM_ARN out to have a DNS-validated certificate created",
            "reference-env-config.yaml:33: common.CODESTAR_CONN_ARN: the service is `codestar` and the resource `project/resource-specifier`: the ARN of a CodeStar (CodeConnections) connection is `arn:aws:codeconnections:<region>:123456789123:connection/<id>` (the service may also be `codestar-connections`)",
            "reference-env-config.yaml:33: common.CODESTAR_CONN_ARN: the region part `region` is not an AWS region (such as `us-east-1`): write the region the connection was created in, such as `us-east-1` (a connection works from every region)",
            "reference-env-config.yaml:33: common.CODESTAR_CONN_ARN: the account part `account` is not a 12-digit account id: write the 12-digit id of the account that owns the connection (AWS_ACCOUNT is `123456789123`)",
            "reference-env-config.yaml:35: common.CODESTAR_NOTIFY_ARN: the region part `region` must be empty: chat configurations are global and their ARN has no region, `arn:aws:chatbot::123456789123:chat-configuration/slack-channel/<name>`",
            "reference-env-config.yaml:35: common.CODESTAR_NOTIFY_ARN: the account part `account` is not a 12-digit account id: write the 12-digit id of the account that owns the channel configuration (AWS_ACCOUNT is `123456789123`)",
            "reference-env-config.yaml:41: common.GITHUB_APP_ARN: the region part `region` is not an AWS region (such as `us-east-1`): write the region the secret is in, such as `us-east-1`",
            "reference-env-config.yaml:41: common.GITHUB_APP_ARN: the account part `account` is not a 12-digit account id: write the 12-digit id of the account that owns the secret (AWS_ACCOUNT is `123456789123`)",
        ]
    );
    assert!(err.warnings.is_empty(), "{:#?}", err.warnings);
}

#[test]
fn the_reference_config_with_its_placeholders_filled_in_is_valid() {
    let cert =
        "arn:aws:acm:us-east-1:123456789123:certificate/12345678-1234-1234-1234-123456789012";
    let text = REFERENCE
        .replace(
            "arn:aws:acm:region:account:certificate/my-certificate-name",
            cert,
        )
        .replace(
            "arn:aws:codestar:region:account:project/resource-specifier",
            "arn:aws:codeconnections:us-east-1:123456789123:connection/abc",
        )
        .replace(
            "arn:aws:chatbot:region:account:",
            "arn:aws:chatbot::123456789123:",
        )
        .replace(
            "arn:aws:secretsmanager:region:account:secret:mysecret",
            "arn:aws:secretsmanager:us-east-1:123456789123:secret:mysecret",
        );
    let l = ok(&text);
    assert!(l.warnings.is_empty(), "{:#?}", l.warnings);
    let c = l.config;
    assert_eq!(c.product, "platform");
    assert_eq!(c.dockerfile, "dockerfile.prod");
    assert_eq!(c.ecr_repo_name.as_deref(), Some("backstage"));
    let prod = c.stage("prod").unwrap();
    assert_eq!(prod.acm_arn.as_deref(), Some(cert));
    assert!(prod.approval);
    assert_eq!(prod.approval_emails, ["devops@example.com"]);
    // test's overrides stay in test.
    assert_eq!(
        c.stage("test").unwrap().env.get("NODE_ENV").unwrap(),
        "development"
    );
    assert_eq!(prod.env.get("NODE_ENV"), None);
}

#[test]
fn the_reference_test_config_reports_required_keys_and_warns_for_empty_optional_ones() {
    let file = "reference-env-config-test.yaml";
    let err = parse(REFERENCE_TEST, file).expect_err("its required keys are empty");
    assert_eq!(
        rendered(&err.problems, file),
        [
            "reference-env-config-test.yaml:10: common.AWS_ACCOUNT: is required: the 12-digit account the stacks deploy to; got an empty value",
            "reference-env-config-test.yaml:18: common.DOMAIN_NAME: is required: the Route 53 hosted zone of the stage's URL; got an empty value",
            "reference-env-config-test.yaml:26: common.GITHUB_APP_REPO: is required: the repository of the Backstage app; got an empty value",
            "reference-env-config-test.yaml:27: common.GITHUB_INFRA_REPO: is required: the repository holding this config; got an empty value",
            "reference-env-config-test.yaml:28: common.GITHUB_ORG: is required: the GitHub owner of both repositories; got an empty value",
            "reference-env-config-test.yaml:29: common.CODESTAR_CONN_ARN: is required: the ARN of a CodeStar (CodeConnections) connection; got an empty value",
            "reference-env-config-test.yaml: common.GITHUB_APP_ARN: is required: the ARN of a Secrets Manager secret; common.GITHUB_APP_SECRET_ARN (line 38) is not a key of the toolkit but a container environment variable: is it meant to be GITHUB_APP_ARN?",
        ]
    );
    assert_eq!(
        rendered(&err.warnings, file),
        [
            "reference-env-config-test.yaml:12: common.TAG_STACK_PRODUCT: is empty: treated as not set (the default `dev-portal` applies)",
            "reference-env-config-test.yaml:19: common.ACM_ARN: is empty: treated as not set (a DNS-validated certificate is created)",
            "reference-env-config-test.yaml:30: common.CODESTAR_NOTIFY_ARN: is empty: treated as not set (the pipelines send no notifications)",
            "reference-env-config-test.yaml:37: common.GITHUB_TOKEN_SECRET_NAME: is empty: treated as not set (the container gets no GITHUB_TOKEN)",
            "reference-env-config-test.yaml:40: common.AWS_AUTH_SECRET_NAME: is empty: treated as not set (the container gets no AWS_ACCESS_KEY_ID, AWS_ACCESS_KEY_SECRET or AWS_SECRET_ACCESS_KEY)",
            "reference-env-config-test.yaml:51: stages.test.GITHUB_AUTH_SECRET_NAME: is empty: treated as not set (the container gets no AUTH_GITHUB_CLIENT_ID or AUTH_GITHUB_CLIENT_SECRET)",
            "reference-env-config-test.yaml:63: stages.prod.GITHUB_AUTH_SECRET_NAME: is empty: treated as not set (the container gets no AUTH_GITHUB_CLIENT_ID or AUTH_GITHUB_CLIENT_SECRET)",
            "reference-env-config-test.yaml:67: stages.prod.APPROVAL_EMAILS: holds only empty values: treated as not set (nobody is e-mailed about the approval)",
        ]
    );
    // The error as the tools print it: problems, then the warnings.
    let shown = err.to_string();
    assert!(shown.starts_with("error: reference-env-config-test.yaml has 7 problems:\n"));
    assert!(shown.ends_with("treated as not set (nobody is e-mailed about the approval)\n"));
}

#[test]
fn the_reference_test_config_with_its_required_keys_filled_in_is_valid() {
    let text = REFERENCE_TEST
        .replace("AWS_ACCOUNT: \"\"", "AWS_ACCOUNT: \"123456789012\"")
        .replace("DOMAIN_NAME: ''", "DOMAIN_NAME: example.com")
        .replace("GITHUB_APP_REPO: \"\"", "GITHUB_APP_REPO: app")
        .replace("GITHUB_INFRA_REPO: \"\"", "GITHUB_INFRA_REPO: infra")
        .replace("GITHUB_ORG: \"\"", "GITHUB_ORG: org")
        .replace(
            "CODESTAR_CONN_ARN: \"\"",
            "CODESTAR_CONN_ARN: arn:aws:codestar-connections:us-east-1:123456789012:connection/x",
        )
        .replace(
            "GITHUB_APP_SECRET_ARN: \"\"",
            "GITHUB_APP_ARN: arn:aws:secretsmanager:us-east-1:123456789012:secret:gh",
        );
    let l = ok(&text);
    assert_eq!(l.warnings.len(), 8, "{:#?}", l.warnings);
    let c = l.config;
    assert_eq!(c.product, keys::DEFAULT_PRODUCT);
    assert_eq!(c.notify_arn, None);
    let prod = c.stage("prod").unwrap();
    assert_eq!(prod.acm_arn, None);
    assert_eq!(prod.aws_auth_secret, None);
    assert_eq!(prod.github_auth_secret, None);
    assert_eq!(prod.github_token_secret, None);
    assert!(prod.approval);
    assert!(prod.approval_emails.is_empty());
}

// ---- Empty values ------------------------------------------------------------

#[test]
fn empty_optional_keys_are_not_set_with_a_warning_naming_the_key() {
    for (key, check) in [
        ("ACM_ARN", "a DNS-validated certificate is created"),
        ("CODESTAR_NOTIFY_ARN", "the pipelines send no notifications"),
        (
            "AWS_AUTH_SECRET_NAME",
            "the container gets no AWS_ACCESS_KEY_ID",
        ),
        (
            "GITHUB_TOKEN_SECRET_NAME",
            "the container gets no GITHUB_TOKEN",
        ),
        (
            "ECR_REPO_NAME",
            "a repository named after CONTAINER_NAME is created",
        ),
        ("TAG_STACK_PRODUCT", "the default `dev-portal` applies"),
        ("DOCKERFILE", "the default `dockerfile` applies"),
        ("AWS_REGION", "the default `us-east-1` applies"),
        ("CONTAINER_PORT", "the default `7000` applies"),
        ("LOG_RETENTION_DAYS", "the default `365` applies"),
        (
            "HOSTED_ZONE_ID",
            "bs-deploy looks the zone up by DOMAIN_NAME",
        ),
        ("STAGE_APPROVAL", "no approval gate: false"),
        ("APPROVAL_EMAILS", "nobody is e-mailed about the approval"),
    ] {
        // AWS_REGION is set in BASE: replace it there.
        let text = if key == "AWS_REGION" {
            BASE.replace("AWS_REGION: eu-west-1", "AWS_REGION: ''")
                .replace(":eu-west-1:", ":us-east-1:")
        } else {
            with("common:", &format!("  {key}: ''"))
        };
        let l = ok(&text);
        let w: Vec<String> = rendered(&l.warnings, "c.yaml");
        assert_eq!(w.len(), 1, "{key}: {w:#?}");
        assert!(
            w[0].contains(&format!(
                "common.{key}: is empty: treated as not set ({check}"
            )) && w[0].starts_with("c.yaml:"),
            "{key}: {w:#?}"
        );
    }
    let c = ok(&with(
        "common:",
        "  TAG_STACK_PRODUCT: ''\n  DOCKERFILE: \"\"\n  ECR_REPO_NAME: ''\n  ACM_ARN: ''",
    ))
    .config;
    assert_eq!(c.product, "dev-portal");
    assert_eq!(c.dockerfile, "dockerfile");
    assert_eq!(c.ecr_repo_name, None);
    assert_eq!(c.stage("prod").unwrap().acm_arn, None);
}

#[test]
fn yaml_null_and_empty_strings_are_the_same_not_set() {
    for empty in ["", " ''", " \"\"", " ~", " null", " '  '"] {
        let l = ok(&with(
            "common:",
            &format!("  ACM_ARN:{empty}\n  DOCKERFILE:{empty}"),
        ));
        assert_eq!(l.config.stage("prod").unwrap().acm_arn, None, "{empty:?}");
        assert_eq!(l.config.dockerfile, "dockerfile", "{empty:?}");
        let w: Vec<&str> = l.warnings.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(w, ["common.ACM_ARN", "common.DOCKERFILE"], "{empty:?}");
        let p =
            problems(&BASE.replace("TAG_STACK_NAME: portal", &format!("TAG_STACK_NAME:{empty}")));
        assert_eq!(
            p,
            ["c.yaml:5: common.TAG_STACK_NAME: is required: the base name of the stacks and the `Name` tag; got an empty value"],
            "{empty:?}"
        );
    }
}

#[test]
fn an_empty_stage_value_unsets_what_common_sets_for_that_stage_only() {
    let id = "12345678-1234-1234-1234-123456789012";
    let cert = format!("arn:aws:acm:eu-west-1:123456789012:certificate/{id}");
    let text = with("common:", &format!("  ACM_ARN: {cert}")).replace(
        "    HOST_NAME: portal-test\n",
        "    HOST_NAME: portal-test\n    ACM_ARN: ''\n",
    );
    let l = ok(&text);
    assert_eq!(l.config.stage("test").unwrap().acm_arn, None);
    assert_eq!(l.config.stage("prod").unwrap().acm_arn, Some(cert));
    assert_eq!(
        rendered(&l.warnings, "c.yaml"),
        ["c.yaml:17: stages.test.ACM_ARN: is empty: treated as not set (a DNS-validated certificate is created)"]
    );
}

#[test]
fn an_empty_stack_wide_value_in_a_stage_does_not_clash_with_common() {
    let l = ok(&with("  prod:", "    TAG_STACK_PRODUCT: ''")
        .replace("common:\n", "common:\n  TAG_STACK_PRODUCT: platform\n"));
    assert_eq!(l.config.product, "platform");
    assert_eq!(
        rendered(&l.warnings, "c.yaml"),
        ["c.yaml:20: stages.prod.TAG_STACK_PRODUCT: is empty: treated as not set (common.TAG_STACK_PRODUCT applies)"]
    );
    // An empty common value with a stage that sets one: the stage's value holds.
    let l = ok(&with("  prod:", "    TAG_STACK_PRODUCT: platform")
        .replace("common:\n", "common:\n  TAG_STACK_PRODUCT: ''\n"));
    assert_eq!(l.config.product, "platform");
}

#[test]
fn unknown_keys_keep_empty_values_as_empty_environment_variables() {
    // The reference passes every key to the container (`environment = props`),
    // an empty one as an empty variable: so does the toolkit, without a warning.
    let l = ok(&with(
        "  prod:",
        "    FEATURE_X: ''\n    FEATURE_Y:\n    GITHUB_APP_SECRET_ARN: \"\"",
    ));
    assert!(l.warnings.is_empty(), "{:#?}", l.warnings);
    let env = &l.config.stage("prod").unwrap().env;
    assert_eq!(env.get("FEATURE_X").unwrap(), "");
    assert_eq!(env.get("FEATURE_Y").unwrap(), "");
    assert_eq!(env.get("GITHUB_APP_SECRET_ARN").unwrap(), "");
}

#[test]
fn ignored_keys_left_empty_say_nothing() {
    for empty in ["", " ''"] {
        let l = ok(&with("common:", &format!("  POSTGRES_PASSWORD:{empty}")));
        assert!(l.warnings.is_empty(), "{empty:?}: {:#?}", l.warnings);
    }
}

#[test]
fn approval_emails_skip_empty_entries() {
    let l = ok(&with(
        "  prod:",
        "    STAGE_APPROVAL: true\n    APPROVAL_EMAILS:\n      - ''\n      - ops@example.com",
    ));
    assert_eq!(
        l.config.stage("prod").unwrap().approval_emails,
        ["ops@example.com"]
    );
    assert_eq!(
        rendered(&l.warnings, "c.yaml"),
        ["c.yaml:21: stages.prod.APPROVAL_EMAILS: has an empty entry: ignored"]
    );
    for only_empty in ["[]", "['']", "\n      - ''\n      - \"\"", "''"] {
        let l = ok(&with(
            "  prod:",
            &format!("    STAGE_APPROVAL: true\n    APPROVAL_EMAILS: {only_empty}"),
        ));
        assert!(l.config.stage("prod").unwrap().approval_emails.is_empty());
        assert_eq!(l.warnings.len(), 1, "{only_empty:?}: {:#?}", l.warnings);
        assert!(
            l.warnings[0]
                .message
                .ends_with(": treated as not set (nobody is e-mailed about the approval)"),
            "{:#?}",
            l.warnings
        );
    }
}

#[test]
fn an_empty_connection_is_left_to_bs_bootstrap_when_allowed() {
    let text = BASE.replace(
        "arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc",
        "''",
    );
    assert!(has(
        &problems(&text),
        "c.yaml:9: common.CODESTAR_CONN_ARN: is required: the ARN of a CodeStar (CodeConnections) connection; got an empty value"
    ));
    let l = parse_with(
        &text,
        "c.yaml",
        Options {
            connection_optional: true,
        },
    )
    .unwrap();
    assert_eq!(l.config.connection_arn, "");
    assert_eq!(
        rendered(&l.warnings, "c.yaml"),
        ["c.yaml:9: common.CODESTAR_CONN_ARN: is empty: treated as not set (bs-bootstrap creates the connection)"]
    );
}

#[test]
fn every_optional_key_says_what_not_set_means() {
    for key in keys::STACK_WIDE.iter().chain(keys::PER_STAGE) {
        if !keys::REQUIRED.contains(key) {
            assert!(keys::when_not_set(key).is_some(), "{key}");
        }
    }
}

// ---- Order and presentation ------------------------------------------------------

#[test]
fn problems_are_in_file_order_and_unwritten_keys_last() {
    let text = BASE
        .replace("GITHUB_ORG: org", "GITHUB_ORG: my org")
        .replace(
            "  prod:\n    HOST_NAME: portal",
            "  prod:\n    HOST_NAME: portal\n    CONTAINER_PORT: 0",
        )
        .replace(
            "  GITHUB_APP_ARN: arn:aws:secretsmanager:eu-west-1:123456789012:secret:gh-AbCdEf\n",
            "",
        )
        .replace("AWS_ACCOUNT: \"123456789012\"", "AWS_ACCOUNT: \"1234\"");
    let lines: Vec<Option<usize>> = parse(&text, "c.yaml")
        .unwrap_err()
        .problems
        .iter()
        .map(|p| p.line)
        .collect();
    assert_eq!(lines, [Some(3), Some(6), Some(19), None], "{lines:?}");
}

#[test]
fn warnings_are_shown_after_the_problems() {
    let err = parse(
        &with("common:", "  POSTGRES_HOST: db").replace("GITHUB_ORG: org", "GITHUB_ORG: my org"),
        "c.yaml",
    )
    .unwrap_err();
    assert_eq!(err.warnings.len(), 1, "{err:?}");
    assert!(err.to_string().ends_with(
        "warning: c.yaml:3: common.POSTGRES_HOST: is ignored: the toolkit always sets it to the stage's Aurora cluster endpoint\n"
    ), "{err}");
}

#[test]
fn container_secrets_given_by_arn_must_be_complete() {
    let p = problems(&with(
        "  prod:",
        "    AWS_AUTH_SECRET_NAME: arn:aws:secretsmanager:eu-west-1:123456789012:secret:aws-auth",
    ));
    assert_eq!(
        p,
        ["c.yaml:19: stages.prod.AWS_AUTH_SECRET_NAME: the secret name `aws-auth` lacks the 6-character suffix Secrets Manager adds to every secret's ARN (such as `aws-auth-AbCdEf`): ECS takes only the complete ARN: copy it from the Secrets Manager console, or write the secret's name alone"]
    );
    let c = ok(&with(
        "  prod:",
        "    AWS_AUTH_SECRET_NAME: arn:aws:secretsmanager:eu-west-1:123456789012:secret:aws-auth-AbC123\n    GITHUB_TOKEN_SECRET_NAME: team/token",
    ))
    .config;
    let prod = c.stage("prod").unwrap();
    assert!(prod
        .aws_auth_secret
        .as_deref()
        .unwrap()
        .ends_with("aws-auth-AbC123"));
    assert_eq!(prod.github_token_secret.as_deref(), Some("team/token"));
    // A partial GITHUB_APP_ARN is fine: CodeBuild takes it.
    ok(&BASE.replace("secret:gh-AbCdEf", "secret:backstage/github-app"));
}

#[test]
fn a_missing_required_key_points_at_a_lookalike() {
    let p = problems(&BASE.replace("GITHUB_ORG: org", "GITHUB_ORGS: org"));
    assert_eq!(
        p,
        [
            "c.yaml:6: common.GITHUB_ORGS: is not a key of the toolkit: did you mean GITHUB_ORG? (as written it would only become a container environment variable; if that is what you want, list it in CONTAINER_ENV_KEYS)",
            "c.yaml: common.GITHUB_ORG: is required: the GitHub owner of both repositories; common.GITHUB_ORGS (line 6) is not a key of the toolkit but a container environment variable: is it meant to be GITHUB_ORG?"
        ]
    );
}

#[test]
fn a_misspelt_key_is_refused_with_the_key_meant() {
    // STAGE_APROVAL would have become a container variable, and prod's
    // approval gate would have disappeared.
    let p = problems(&with("  prod:", "    STAGE_APROVAL: true"));
    assert!(
        has(
            &p,
            "stages.prod.STAGE_APROVAL: is not a key of the toolkit: did you mean STAGE_APPROVAL?"
        ),
        "{p:?}"
    );
    let p = problems(&with("common:", "  aws_region: eu-west-2"));
    assert!(has(&p, "did you mean AWS_REGION?"), "{p:?}");
    // Meant for the container: listed, it is passed on as it is.
    let c = ok(&with(
        "  prod:",
        "    HOST_NAMES: a,b\n    CONTAINER_ENV_KEYS: [HOST_NAMES]",
    ))
    .config;
    assert_eq!(
        c.stage("prod").unwrap().env.get("HOST_NAMES"),
        Some(&"a,b".to_string())
    );
}

#[test]
fn environment_variable_names_are_names() {
    for key in ["1ST_VALUE", "\"TAB\\tKEY\"", "\"BELL\\aKEY\"", "\"A B\""] {
        let p = problems(&with("  prod:", &format!("    {key}: x")));
        assert!(
            has(&p, "is not usable as an environment variable name"),
            "{key}: {p:?}"
        );
    }
    let c = ok(&with("  prod:", "    APP_CONFIG_app.baseUrl-x: y")).config;
    assert!(c
        .stage("prod")
        .unwrap()
        .env
        .contains_key("APP_CONFIG_app.baseUrl-x"));
}

#[test]
fn input_that_would_be_misread_is_refused() {
    // A NUL byte, even in a comment, would have ended the document there.
    let text = BASE.replace("  prod:\n", "# note\0\n  prod:\n");
    let p = problems(&text);
    assert!(has(&p, "a NUL byte"), "{p:?}");
    // A byte-order mark is skipped.
    ok(&format!("\u{feff}{BASE}"));
    // A second document is refused, not ignored.
    let p = problems(&format!("{BASE}---\ncommon: {{}}\n"));
    assert!(has(&p, "a second YAML document"), "{p:?}");
}

#[test]
fn too_many_stages_are_refused_before_any_is_built() {
    let stages = |n: usize| {
        let mut text = BASE.to_string();
        for i in 0..n {
            text.push_str(&format!("  s{i}:\n    HOST_NAME: h{i}\n"));
        }
        text
    };
    let start = std::time::Instant::now();
    let p = problems(&stages(1_000));
    assert!(has(&p, "stages: has 1002 stages: at most 48"), "{p:?}");
    // 16,000 stages run out of the document's budget while it is read.
    let p = problems(&stages(16_000));
    assert!(has(&p, "expands to more than 50000 values"), "{p:?}");
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn the_file_itself_must_be_a_small_regular_text_file() {
    let dir = std::env::temp_dir().join(format!("bs-core-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let e = load(&dir).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "error: {}: is a directory: --config (or BS_CONFIG) names the config file itself\n",
            dir.display()
        )
    );
    #[cfg(unix)]
    {
        let e = load(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("is not a regular file"), "{e}");
    }
    let big = dir.join("big.yaml");
    std::fs::write(&big, "#".repeat(2 * 1024 * 1024)).unwrap();
    assert!(load(&big)
        .unwrap_err()
        .to_string()
        .contains("is larger than 1024 KiB"));
    let latin1 = dir.join("latin1.yaml");
    std::fs::write(&latin1, b"common:\n  A: caf\xe9\n").unwrap();
    assert!(load(&latin1)
        .unwrap_err()
        .to_string()
        .contains("is not UTF-8 text"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_region_aws_does_not_have_is_refused_with_the_regions_meant() {
    let p = problems(&BASE.replace("AWS_REGION: eu-west-1", "AWS_REGION: us-east-9"));
    assert_eq!(
        p,
        ["c.yaml:4: common.AWS_REGION: `us-east-9` is not an AWS region: did you mean `us-east-1` or `us-east-2`?"]
    );
    let p = problems(&BASE.replace("AWS_REGION: eu-west-1", "AWS_REGION: mars-1"));
    assert_eq!(
        p,
        ["c.yaml:4: common.AWS_REGION: must be an AWS region such as `us-east-1`, got `mars-1`"]
    );
    // Every partition's regions are known.
    for region in [
        "cn-northwest-1",
        "us-gov-east-1",
        "ap-southeast-7",
        "mx-central-1",
    ] {
        let text = BASE
            .replace("AWS_REGION: eu-west-1", &format!("AWS_REGION: {region}"))
            .replace(":eu-west-1:", &format!(":{region}:"));
        let text = match names::partition(region) {
            "aws" => text,
            other => text.replace("arn:aws:", &format!("arn:{other}:")),
        };
        assert_eq!(ok(&text).config.region, region);
    }
}

#[test]
fn invisible_characters_are_refused_with_key_line_and_position() {
    // A zero-width space pasted inside an ARN would reach an IAM policy.
    let text = BASE.replace("connection/abc", "connection/a\u{200b}bc");
    let p = problems(&text);
    assert_eq!(
        p,
        ["c.yaml:9: common.CODESTAR_CONN_ARN: holds U+200B (zero-width space) at character 65: a character that cannot be seen, or that changes how text is shown, would reach AWS as it is: delete it (retype the value if unsure)"]
    );
    // In a key (shown escaped), an environment value, a list item, an `x-` anchor.
    let p = problems(&with("  prod:", "    NODE\u{202e}_ENV: x"));
    assert!(
        has(&p, "c.yaml:19: stages.prod.NODE<U+202E>_ENV: the key holds U+202E (right-to-left override) at character 5: "),
        "{p:#?}"
    );
    assert!(p.iter().all(|l| !l.contains('\u{202e}')), "{p:#?}");
    let p = problems(&with("  prod:", "    LOG_LEVEL: \"de\\u2066bug\""));
    assert!(
        has(&p, "c.yaml:19: stages.prod.LOG_LEVEL: holds U+2066 (left-to-right isolate) at character 3: "),
        "{p:#?}"
    );
    let p = problems(&with(
        "  prod:",
        "    STAGE_APPROVAL: true\n    APPROVAL_EMAILS:\n      - ops@example.com\n      - \"a\\u00ADb\\uFEFF@example.com\"",
    ));
    assert!(
        has(&p, "c.yaml:22: stages.prod.APPROVAL_EMAILS: holds U+FEFF (byte-order mark (zero-width no-break space)) at character 4: "),
        "{p:#?}"
    );
    let p = problems(&format!("x-defaults: &d\n  A: \"x\\u200Dy\"\n{BASE}"));
    assert!(has(&p, "c.yaml:2: x-defaults.A: holds U+200D"), "{p:#?}");
    // Control characters other than tab and newline, written as escapes.
    for (escape, code) in [
        ("\\a", "U+0007"),
        ("\\r", "U+000D"),
        ("\\0", "U+0000"),
        ("\\e", "U+001B"),
        ("\\x7f", "U+007F"),
    ] {
        let p = problems(&with(
            "  prod:",
            &format!("    LOG_LEVEL: \"de{escape}bug\""),
        ));
        assert!(
            has(
                &p,
                &format!(
                    "stages.prod.LOG_LEVEL: holds {code} (a control character) at character 3"
                )
            ),
            "{escape}: {p:#?}"
        );
    }
    // Tabs and newlines are text.
    let c = ok(&with("  prod:", "    LOG_LEVEL: \"a\\tb\\nc\"")).config;
    assert_eq!(c.stage("prod").unwrap().env["LOG_LEVEL"], "a\tb\nc");
    // A byte-order mark at the start of a line, not of the file, is in the key.
    let p = problems(&BASE.replace("  prod:\n    HOST_NAME", "  prod:\n    \u{feff}HOST_NAME"));
    assert!(has(&p, "the key holds U+FEFF"), "{p:#?}");
}

#[test]
fn crlf_line_ends_are_line_ends_not_control_characters() {
    let text = BASE.replace('\n', "\r\n");
    let c = ok(&text).config;
    assert_eq!(c.stage("prod").unwrap().host_name, "portal");
    let block = with("  prod:", "    NOTE: |\n      one\n      two").replace('\n', "\r\n");
    assert_eq!(
        ok(&block).config.stage("prod").unwrap().env["NOTE"],
        "one\ntwo\n"
    );
}

#[test]
fn arns_are_printable_ascii() {
    let p = problems(&BASE.replace("connection/abc", "connection/äbc"));
    assert_eq!(
        p,
        ["c.yaml:9: common.CODESTAR_CONN_ARN: holds `ä` (U+00E4) at character 64: an ARN holds only ASCII letters, digits and punctuation, without blanks"]
    );
    let p = problems(&BASE.replace("connection/abc", "connection/a bc"));
    assert!(
        has(&p, "holds a blank (U+0020) at character 65: an ARN"),
        "{p:#?}"
    );
}
