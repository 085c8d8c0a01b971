//! The config keys the toolkit knows. Every other key is a container environment
//! variable of the stages that set it (through `common` or their own entry).

/// Keys that describe the whole deployment: both stacks hold every stage, so a
/// stage may not give them a value of its own.
pub const STACK_WIDE: &[&str] = &[
    "AWS_ACCOUNT",
    "AWS_REGION",
    "TAG_STACK_NAME",
    "TAG_STACK_PRODUCT",
    "GITHUB_ORG",
    "GITHUB_APP_REPO",
    "GITHUB_APP_BRANCH",
    "GITHUB_INFRA_REPO",
    "GITHUB_INFRA_BRANCH",
    "CODESTAR_CONN_ARN",
    "CODESTAR_NOTIFY_ARN",
    "GITHUB_APP_ARN",
    "ECR_REPO_NAME",
    "CONTAINER_NAME",
    "DOCKERFILE",
];

/// Keys a stage may set, or inherit from `common`.
pub const PER_STAGE: &[&str] = &[
    "HOST_NAME",
    "DOMAIN_NAME",
    "HOSTED_ZONE_ID",
    "ACM_ARN",
    "CONTAINER_PORT",
    "HEALTH_CHECK_PATH",
    "LOG_RETENTION_DAYS",
    "POSTGRES_PORT",
    "POSTGRES_USER",
    "POSTGRES_DB",
    "POSTGRES_ENGINE_VERSION",
    "AWS_AUTH_SECRET_NAME",
    "GITHUB_AUTH_SECRET_NAME",
    "GITHUB_TOKEN_SECRET_NAME",
    "STAGE_APPROVAL",
    "APPROVAL_EMAILS",
];

/// Keys that must have a value. Every other key of [`STACK_WIDE`] and [`PER_STAGE`]
/// is optional, and an empty value there means "not set", as in the reference
/// (`if props.get("ACM_ARN")`): see [`when_not_set`].
pub const REQUIRED: &[&str] = &[
    "AWS_ACCOUNT",
    "TAG_STACK_NAME",
    "GITHUB_ORG",
    "GITHUB_APP_REPO",
    "GITHUB_INFRA_REPO",
    "CODESTAR_CONN_ARN",
    "GITHUB_APP_ARN",
    "DOMAIN_NAME",
];

/// What an optional key that is not set means: the end of the warning given when
/// it is written with an empty value.
pub fn when_not_set(key: &str) -> Option<String> {
    let default = |v: &str| format!("the default `{v}` applies");
    Some(match key {
        "AWS_REGION" => default(DEFAULT_REGION),
        "TAG_STACK_PRODUCT" => default(DEFAULT_PRODUCT),
        "GITHUB_APP_BRANCH" | "GITHUB_INFRA_BRANCH" => default(DEFAULT_BRANCH),
        "CODESTAR_NOTIFY_ARN" => "the pipelines send no notifications".into(),
        "ECR_REPO_NAME" => "a repository named after CONTAINER_NAME is created".into(),
        "CONTAINER_NAME" => default(DEFAULT_CONTAINER_NAME),
        "DOCKERFILE" => default(DEFAULT_DOCKERFILE),
        "HOST_NAME" => default(DEFAULT_HOST_NAME),
        "HOSTED_ZONE_ID" => "bs-deploy looks the zone up by DOMAIN_NAME".into(),
        "ACM_ARN" => "a DNS-validated certificate is created".into(),
        "CONTAINER_PORT" => default(&DEFAULT_CONTAINER_PORT.to_string()),
        "HEALTH_CHECK_PATH" => default(DEFAULT_HEALTH_CHECK_PATH),
        "LOG_RETENTION_DAYS" => default(&DEFAULT_LOG_RETENTION_DAYS.to_string()),
        "POSTGRES_PORT" => default(&DEFAULT_POSTGRES_PORT.to_string()),
        "POSTGRES_USER" => default(DEFAULT_POSTGRES_USER),
        "POSTGRES_DB" => "the container gets no POSTGRES_DB".into(),
        "POSTGRES_ENGINE_VERSION" => default(DEFAULT_POSTGRES_ENGINE_VERSION),
        "AWS_AUTH_SECRET_NAME" => {
            "the container gets no AWS_ACCESS_KEY_ID, AWS_ACCESS_KEY_SECRET or AWS_SECRET_ACCESS_KEY"
                .into()
        }
        "GITHUB_AUTH_SECRET_NAME" => {
            "the container gets no AUTH_GITHUB_CLIENT_ID or AUTH_GITHUB_CLIENT_SECRET".into()
        }
        "GITHUB_TOKEN_SECRET_NAME" => "the container gets no GITHUB_TOKEN".into(),
        "STAGE_APPROVAL" => "no approval gate: false".into(),
        "APPROVAL_EMAILS" => "nobody is e-mailed about the approval".into(),
        _ => return None,
    })
}

/// Keys the reference accepted and always replaced; a value here has no effect.
pub const IGNORED: &[(&str, &str)] = &[
    ("POSTGRES_HOST", "the stage's Aurora cluster endpoint"),
    ("POSTGRES_PASSWORD", "the stage's generated database secret"),
];

pub const DEFAULT_REGION: &str = "us-east-1";
pub const DEFAULT_PRODUCT: &str = "dev-portal";
pub const DEFAULT_HOST_NAME: &str = "backstage";
pub const DEFAULT_CONTAINER_NAME: &str = "backstage";
pub const DEFAULT_CONTAINER_PORT: u16 = 7000;
pub const DEFAULT_DOCKERFILE: &str = "dockerfile";
pub const DEFAULT_BRANCH: &str = "main";
pub const DEFAULT_POSTGRES_PORT: u16 = 5432;
pub const DEFAULT_POSTGRES_USER: &str = "postgres";
/// A currently supported Aurora PostgreSQL version (the reference pinned the
/// long-retired 10.14).
pub const DEFAULT_POSTGRES_ENGINE_VERSION: &str = "17.7";
pub const DEFAULT_HEALTH_CHECK_PATH: &str = "/";
pub const DEFAULT_LOG_RETENTION_DAYS: u32 = 365;

/// Container environment variables that the toolkit fills from secrets or from
/// the stack; a plain value of the same name would clash.
pub const SECRET_ENV: &[(&str, &str)] = &[
    ("AUTH_GITHUB_CLIENT_ID", "GITHUB_AUTH_SECRET_NAME"),
    ("AUTH_GITHUB_CLIENT_SECRET", "GITHUB_AUTH_SECRET_NAME"),
    ("AWS_ACCESS_KEY_ID", "AWS_AUTH_SECRET_NAME"),
    ("AWS_ACCESS_KEY_SECRET", "AWS_AUTH_SECRET_NAME"),
    ("AWS_SECRET_ACCESS_KEY", "AWS_AUTH_SECRET_NAME"),
    ("GITHUB_TOKEN", "GITHUB_TOKEN_SECRET_NAME"),
];

pub fn is_known(key: &str) -> bool {
    STACK_WIDE.contains(&key) || PER_STAGE.contains(&key) || IGNORED.iter().any(|(k, _)| *k == key)
}

/// Words that mark a plain environment variable as probably secret.
pub fn looks_secret(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    [
        "PASSWORD",
        "SECRET",
        "TOKEN",
        "PRIVATE_KEY",
        "API_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| upper.contains(w))
}
