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
    "GITHUB_APP_CREDENTIALS_FILE",
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
    "CONTAINER_ENV_KEYS",
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
        "GITHUB_APP_CREDENTIALS_FILE" => default(DEFAULT_GITHUB_APP_CREDENTIALS_FILE),
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
        "CONTAINER_ENV_KEYS" => "a key that looks like a misspelt toolkit key is refused".into(),
        _ => return None,
    })
}

/// Toolkit keys that never reach the container, and why. Every other key of a
/// stage's merged config does, as plain environment variables with their
/// effective values (defaults included), as the reference passes its `props`:
/// app-configs use `${HOST_NAME}`, `${CONTAINER_PORT}`, `${POSTGRES_USER}`.
/// These would only tie the task definition to the pipelines' wiring (a new
/// connection ARN would roll every stage) or hold what the app must not see.
pub const NOT_FOR_THE_CONTAINER: &[(&str, &str)] = &[
    ("STAGE_APPROVAL", "the app pipeline's approval gate"),
    ("APPROVAL_EMAILS", "who the approval gate e-mails"),
    (
        "CONTAINER_ENV_KEYS",
        "the toolkit's list of container keys that look like its own",
    ),
    ("CODESTAR_CONN_ARN", "the pipelines' GitHub connection"),
    ("CODESTAR_NOTIFY_ARN", "the pipelines' notification target"),
    (
        "GITHUB_APP_ARN",
        "the app build's secret (the image holds the credentials file)",
    ),
    ("GITHUB_APP_CREDENTIALS_FILE", "the app build's file name"),
    ("DOCKERFILE", "the app build's Dockerfile"),
    (
        "POSTGRES_PASSWORD",
        "a secret: the container gets the generated one through ECS Secrets",
    ),
];

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
/// Where the app build writes the GITHUB_APP_ARN secret for the Dockerfile to
/// copy: the reference's name, so existing Dockerfiles and `$include`s work.
pub const DEFAULT_GITHUB_APP_CREDENTIALS_FILE: &str = "gh-org-app.yaml";
pub const DEFAULT_BRANCH: &str = "main";
pub const DEFAULT_POSTGRES_PORT: u16 = 5432;
pub const DEFAULT_POSTGRES_USER: &str = "postgres";
/// A currently supported Aurora PostgreSQL version (the reference pinned the
/// long-retired 10.14).
pub const DEFAULT_POSTGRES_ENGINE_VERSION: &str = "17.7";
/// Backstage's own readiness endpoint (the root health service of
/// `@backstage/backend-defaults`, every backend since 1.24 has it): 200 once
/// the plugins have started. `/` answers 404 on a backend without the app
/// plugin, which would fail every health check.
pub const DEFAULT_HEALTH_CHECK_PATH: &str = "/.backstage/health/v1/readiness";
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

/// The toolkit key `unknown` is probably a misspelling of: the same letters in
/// another case (`aws_region`), or one letter added, dropped or changed, or two
/// neighbours swapped (`STAGE_APROVAL`). Such a key would silently become a
/// container environment variable; keys meant for the container that look like
/// this are listed in CONTAINER_ENV_KEYS.
pub fn misspelt(unknown: &str) -> Option<&'static str> {
    let upper = unknown.to_ascii_uppercase();
    STACK_WIDE.iter().chain(PER_STAGE).copied().find(|k| {
        upper == *k || (k.len() >= 6 && (distance(&upper, k) == 1 || swapped_neighbours(&upper, k)))
    })
}

/// The same letters but two neighbours swapped (`APPORVAL`).
fn swapped_neighbours(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let differ: Vec<usize> = (0..a.len().min(b.len()))
        .filter(|&i| a[i] != b[i])
        .collect();
    a.len() == b.len()
        && matches!(differ.as_slice(), [i, j] if *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i])
}

/// Edit distance, for spotting a misspelt key.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspellings_name_the_key_meant() {
        assert_eq!(misspelt("STAGE_APROVAL"), Some("STAGE_APPROVAL"));
        assert_eq!(misspelt("STAGE_APPORVAL"), Some("STAGE_APPROVAL"));
        assert_eq!(misspelt("aws_region"), Some("AWS_REGION"));
        assert_eq!(misspelt("HOST_NAMES"), Some("HOST_NAME"));
        assert_eq!(misspelt("DOMAIN_NAM"), Some("DOMAIN_NAME"));
        assert_eq!(misspelt("CONTAINER_PORTS"), Some("CONTAINER_PORT"));
    }

    #[test]
    fn container_variables_are_not_misspellings() {
        for key in [
            "NODE_ENV",
            "LOG_LEVEL",
            "POSTGRES_HOST",
            "AUTH_GITHUB_CLIENT_ID",
            "APP_CONFIG_app_baseUrl",
            "AWS_REGION_NAME",
            "GITHUB_TOKEN",
            "BACKEND_SECRET",
        ] {
            assert_eq!(misspelt(key), None, "{key}");
        }
    }
}
