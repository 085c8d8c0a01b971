//! Format rules for single config values. Each returns `Err(reason)` with a reason
//! that completes the sentence "`KEY` …".

pub type Rule = Result<(), String>;

pub fn account(v: &str) -> Rule {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("must be a 12-digit AWS account id, got `{v}`"))
    }
}

/// A region AWS has ([`crate::regions`]): `us-east-1`, `eu-central-2`,
/// `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`.
pub fn region(v: &str) -> Rule {
    if crate::regions::exists(v) {
        return Ok(());
    }
    match crate::regions::did_you_mean(v) {
        Some(meant) => Err(format!("`{v}` is not an AWS region: {meant}")),
        None => Err(format!(
            "must be an AWS region such as `us-east-1`, got `{v}`"
        )),
    }
}

/// The six parts of an ARN, as written: nothing checked yet.
#[derive(Debug, PartialEq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// Splits `arn:<partition>:<service>:<region>:<account>:<resource>`; `None` when
/// the text does not start with `arn:` or has fewer than six parts.
pub fn split_arn(v: &str) -> Option<Arn<'_>> {
    let mut parts = v.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    Some(Arn {
        partition: parts.next()?,
        service: parts.next()?,
        region: parts.next()?,
        account: parts.next()?,
        resource: parts.next()?,
    })
}

/// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, …
fn partition_format(p: &str) -> bool {
    p == "aws"
        || p.strip_prefix("aws-").is_some_and(|rest| {
            rest.split('-')
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        })
}

/// Where the resource an ARN names may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionRule {
    /// In AWS_REGION: a load balancer uses only certificates of its own region.
    Stack,
    /// In any region. `created_in` ends "write the region …"; `note` follows the
    /// example region.
    Any {
        created_in: &'static str,
        note: &'static str,
    },
    /// Nowhere: the ARN's region part is empty (AWS Chatbot chat configurations
    /// are global).
    Empty,
}

/// How an ARN whose account is a valid id other than AWS_ACCOUNT is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherAccount {
    /// An error, for this reason.
    Refused(&'static str),
    /// A warning, with this advice.
    Warned(&'static str),
}

/// What an ARN key must point at, and which of its parts must agree with the stack.
#[derive(Debug)]
pub struct ArnKind {
    /// `an ACM certificate`: completes "the ARN of …".
    pub what: &'static str,
    /// `certificate`: completes "the account that owns the …".
    pub thing: &'static str,
    /// The first is the one to write; the others are accepted too.
    pub services: &'static [&'static str],
    pub resource_prefix: &'static str,
    /// The resource part to write, such as `certificate/<id>`.
    pub resource_shape: &'static str,
    pub region: RegionRule,
    pub other_account: OtherAccount,
    /// Secrets only: whether a partial ARN (the name without the six characters
    /// Secrets Manager appends) is taken. `None`: not a secret.
    pub partial_secret: Option<PartialArn>,
}

/// A Secrets Manager ARN without the `-` and six characters Secrets Manager adds
/// to the name is a partial ARN; Secrets Manager's API and CodeBuild take it as
/// long as it matches one secret only, ECS does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartialArn {
    Accepted,
    /// Refused, with this advice.
    Refused(&'static str),
}

pub const ACM_CERTIFICATE: ArnKind = ArnKind {
    what: "an ACM certificate",
    thing: "certificate",
    services: &["acm"],
    resource_prefix: "certificate/",
    resource_shape: "certificate/<id>",
    region: RegionRule::Stack,
    other_account: OtherAccount::Refused(
        "a load balancer uses only certificates of its own account",
    ),
    partial_secret: None,
};
pub const CONNECTION: ArnKind = ArnKind {
    what: "a CodeStar (CodeConnections) connection",
    thing: "connection",
    services: &["codeconnections", "codestar-connections"],
    resource_prefix: "connection/",
    resource_shape: "connection/<id>",
    // Connections are global resources: the region in the ARN is where the
    // connection was created, and it works from every region.
    region: RegionRule::Any {
        created_in: "the connection was created in",
        note: " (a connection works from every region)",
    },
    other_account: OtherAccount::Warned(
        "the pipelines run in AWS_ACCOUNT; make sure they may use a connection of another account, or leave CODESTAR_CONN_ARN out and let bs-bootstrap create one there",
    ),
    partial_secret: None,
};
/// GITHUB_APP_ARN: read by the app build's CodeBuild project, which takes partial
/// ARNs too (its policy covers the six characters); a partial ARN survives the
/// secret being created by bs-bootstrap or recreated.
pub const SECRET: ArnKind = ArnKind {
    what: "a Secrets Manager secret",
    thing: "secret",
    services: &["secretsmanager"],
    resource_prefix: "secret:",
    resource_shape: "secret:<name>-AbCdEf",
    region: RegionRule::Any {
        created_in: "the secret is in",
        note: "",
    },
    other_account: OtherAccount::Warned(
        "reading it from AWS_ACCOUNT needs a resource policy on the secret and a customer-managed KMS key (the aws/secretsmanager key does not work across accounts)",
    ),
    partial_secret: Some(PartialArn::Accepted),
};
/// AWS_AUTH_SECRET_NAME, GITHUB_AUTH_SECRET_NAME, GITHUB_TOKEN_SECRET_NAME given
/// as ARNs: ECS takes only a secret's complete ARN.
pub const CONTAINER_SECRET: ArnKind = ArnKind {
    partial_secret: Some(PartialArn::Refused(
        "ECS takes only the complete ARN: copy it from the Secrets Manager console, or write the secret's name alone",
    )),
    ..SECRET
};
pub const CHATBOT: ArnKind = ArnKind {
    what: "an AWS Chatbot (Amazon Q Developer) channel configuration",
    thing: "channel configuration",
    services: &["chatbot"],
    resource_prefix: "chat-configuration/",
    resource_shape: "chat-configuration/slack-channel/<name>",
    region: RegionRule::Empty,
    other_account: OtherAccount::Warned(
        "the pipelines' notification rules are created in AWS_ACCOUNT; make sure they may target a channel configuration of another account",
    ),
    partial_secret: None,
};

/// The chat configurations a CodeStar notification rule can target.
pub const CHAT_CONFIGURATION_TYPES: [&str; 2] = ["slack-channel", "microsoft-teams-channel"];

/// What the stack fixes about the ARNs it uses.
#[derive(Debug, Clone, Copy)]
pub struct ArnContext<'a> {
    /// The partition of AWS_REGION.
    pub partition: &'a str,
    /// AWS_REGION (or its default); empty when it is not a region.
    pub region: &'a str,
    /// AWS_ACCOUNT; empty when it is missing or not an account id.
    pub account: &'a str,
}

/// The problems of one ARN value: errors and warnings, each a sentence that names
/// the wrong part and says what to write instead.
#[derive(Debug, Default, PartialEq)]
pub struct ArnFindings {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl ArnKind {
    /// The ARN to write, with what the stack fixes filled in.
    pub fn shape(&self, cx: &ArnContext) -> String {
        let region = match self.region {
            RegionRule::Stack if !cx.region.is_empty() => cx.region,
            RegionRule::Stack | RegionRule::Any { .. } => "<region>",
            RegionRule::Empty => "",
        };
        let account = if cx.account.is_empty() {
            "<account>"
        } else {
            cx.account
        };
        format!(
            "arn:{}:{}:{region}:{account}:{}",
            cx.partition, self.services[0], self.resource_shape
        )
    }

    fn account_advice(&self, cx: &ArnContext) -> String {
        match (self.other_account, cx.account.is_empty()) {
            (OtherAccount::Refused(why), false) => {
                format!("write AWS_ACCOUNT `{}` ({why})", cx.account)
            }
            (_, false) => format!(
                "write the 12-digit id of the account that owns the {} (AWS_ACCOUNT is `{}`)",
                self.thing, cx.account
            ),
            (_, true) => format!(
                "write the 12-digit id of the account that owns the {}",
                self.thing
            ),
        }
    }

    fn region_advice(&self, cx: &ArnContext) -> String {
        let why = "(a load balancer uses only certificates of its own region)";
        match self.region {
            RegionRule::Stack if cx.region.is_empty() => {
                format!("write the AWS_REGION of the load balancer {why}")
            }
            RegionRule::Stack => format!(
                "write `{}`, the AWS_REGION of the load balancer {why}",
                cx.region
            ),
            RegionRule::Any { created_in, note } => {
                let example = if cx.region.is_empty() {
                    "us-east-1"
                } else {
                    cx.region
                };
                format!("write the region {created_in}, such as `{example}`{note}")
            }
            RegionRule::Empty => String::new(),
        }
    }
}

/// ACM names every certificate by a generated UUID.
fn acm_certificate_id(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Secrets Manager appends `-` and six random letters and digits to a secret's
/// name in its ARN.
fn has_secret_suffix(name: &str) -> bool {
    name.rsplit_once('-').is_some_and(|(base, suffix)| {
        !base.is_empty() && suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

fn secret_name_chars(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-".contains(&b))
}

/// Checks an ARN that must name a `kind`, part by part.
pub fn check_arn(v: &str, kind: &ArnKind, cx: &ArnContext) -> ArnFindings {
    let mut f = ArnFindings::default();
    let Some(arn) = split_arn(v) else {
        f.errors.push(format!(
            "must be the ARN of {}, such as `{}`; got `{v}`",
            kind.what,
            kind.shape(cx)
        ));
        return f;
    };

    // ARNs are printable ASCII. Invisible and control characters are reported for
    // every value by the validator (config::invisible), not again here.
    if let Some((at, c)) = v
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_graphic() && super::invisible::describe(*c).is_none())
    {
        let shown = if c.is_whitespace() {
            "a blank".to_string()
        } else {
            format!("`{c}`")
        };
        f.errors.push(format!(
            "holds {shown} (U+{:04X}) at character {}: an ARN holds only ASCII letters, digits and punctuation, without blanks",
            u32::from(c),
            at + 1
        ));
    }

    // Partition (known only when AWS_REGION is a region).
    if !partition_format(arn.partition) {
        let of = if cx.region.is_empty() {
            String::new()
        } else {
            format!(", the partition of AWS_REGION `{}`", cx.region)
        };
        f.errors.push(format!(
            "the partition part `{}` is not an AWS partition: write `{}`{of}",
            arn.partition, cx.partition
        ));
    } else if !cx.region.is_empty() && arn.partition != cx.partition {
        f.errors.push(format!(
            "the partition part `{}` does not match AWS_REGION `{}`, which is in `{}`: write `{}` (a stack uses resources of its own partition only)",
            arn.partition, cx.region, cx.partition, cx.partition
        ));
    }

    // Service and the kind of resource.
    let right_kind =
        kind.services.contains(&arn.service) && arn.resource.starts_with(kind.resource_prefix);
    if !right_kind {
        let also = if kind.services.len() > 1 {
            format!(
                " (the service may also be {})",
                kind.services[1..]
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        } else {
            String::new()
        };
        f.errors.push(format!(
            "the service is `{}` and the resource `{}`: the ARN of {} is `{}`{also}",
            arn.service,
            arn.resource,
            kind.what,
            kind.shape(cx)
        ));
    }

    // Region. A malformed region or account is wrong in any ARN; a missing one only
    // where this kind needs it.
    let region_ok = region(arn.region).is_ok();
    match kind.region {
        RegionRule::Empty => {
            if !arn.region.is_empty() && (right_kind || !region_ok) {
                f.errors.push(format!(
                    "the region part `{}` must be empty: chat configurations are global and their ARN has no region, `{}`",
                    arn.region,
                    kind.shape(cx)
                ));
            }
        }
        RegionRule::Stack | RegionRule::Any { .. } => {
            if arn.region.is_empty() {
                if right_kind {
                    f.errors.push(format!(
                        "the region part is empty: {}",
                        kind.region_advice(cx)
                    ));
                }
            } else if !region_ok {
                f.errors.push(format!(
                    "the region part `{}` is not an AWS region (such as `us-east-1`): {}",
                    arn.region,
                    kind.region_advice(cx)
                ));
            } else if kind.region == RegionRule::Stack
                && right_kind
                && !cx.region.is_empty()
                && arn.region != cx.region
            {
                f.errors.push(format!(
                    "the region part `{}` is not AWS_REGION `{}`: a load balancer uses only certificates of its own region; request or import the certificate in `{}`",
                    arn.region, cx.region, cx.region
                ));
            }
        }
    }

    // Account.
    if arn.account.is_empty() {
        if right_kind {
            f.errors.push(format!(
                "the account part is empty: {}",
                kind.account_advice(cx)
            ));
        }
    } else if account(arn.account).is_err() {
        f.errors.push(format!(
            "the account part `{}` is not a 12-digit account id: {}",
            arn.account,
            kind.account_advice(cx)
        ));
    } else if right_kind && !cx.account.is_empty() && arn.account != cx.account {
        match kind.other_account {
            OtherAccount::Refused(why) => f.errors.push(format!(
                "the account part `{}` is not AWS_ACCOUNT `{}`: {why}",
                arn.account, cx.account
            )),
            OtherAccount::Warned(advice) => f.warnings.push(format!(
                "the account part `{}` is not AWS_ACCOUNT `{}`: {advice}",
                arn.account, cx.account
            )),
        }
    }

    if right_kind {
        resource_findings(&arn, kind, &mut f);
    }
    f
}

/// What follows the resource prefix.
fn resource_findings(arn: &Arn, kind: &ArnKind, f: &mut ArnFindings) {
    let id = &arn.resource[kind.resource_prefix.len()..];
    if id.is_empty() {
        f.errors.push(format!(
            "the resource `{}` names no {}: write `{}`",
            arn.resource, kind.thing, kind.resource_shape
        ));
        return;
    }
    if kind.services[0] == "acm" && !acm_certificate_id(id) {
        f.errors.push(format!(
            "the certificate id `{id}` is not an ACM certificate id: ACM gives every certificate a generated id such as `12345678-1234-1234-1234-123456789012`, not a name; copy the ARN from the ACM console, or leave ACM_ARN out to have a DNS-validated certificate created"
        ));
    }
    if kind.services[0] == "chatbot" {
        let (kind_of_channel, name) = id.split_once('/').unwrap_or((id, ""));
        if !CHAT_CONFIGURATION_TYPES.contains(&kind_of_channel) {
            f.errors.push(format!(
                "the configuration type `{kind_of_channel}` cannot receive pipeline notifications: a notification rule targets a `slack-channel/<name>` or `microsoft-teams-channel/<name>` configuration"
            ));
        } else if name.is_empty() {
            f.errors.push(format!(
                "the resource `{}` names no channel configuration: write `chat-configuration/{kind_of_channel}/<name>`",
                arn.resource
            ));
        }
    }
    if let Some(partial) = kind.partial_secret {
        if let Some((name, rest)) = id.split_once(':') {
            f.errors.push(format!(
                "the resource holds more than the secret's name (`:{rest}` after `{name}`): give the secret's ARN alone, ending in its name"
            ));
        } else if !secret_name_chars(id) {
            f.errors.push(format!(
                "the secret name `{id}` holds characters secret names cannot: only letters, digits and /_+=.@-"
            ));
        } else if let (PartialArn::Refused(advice), false) = (partial, has_secret_suffix(id)) {
            f.errors.push(format!(
                "the secret name `{id}` lacks the 6-character suffix Secrets Manager adds to every secret's ARN (such as `{id}-AbCdEf`): {advice}"
            ));
        }
    }
}

pub fn port(v: &str) -> Result<u16, String> {
    match v.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        _ => Err(format!("must be a port number from 1 to 65535, got `{v}`")),
    }
}

/// YAML 1.1 (PyYAML) and 1.2 booleans, unquoted.
pub fn boolean(v: &str) -> Option<bool> {
    match v {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn dns_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// A lowercase DNS name (`example.com`, `portal.dev`); `labels_min` = 2 for domains.
pub fn dns_name(v: &str, labels_min: usize) -> Rule {
    let labels: Vec<&str> = v.split('.').collect();
    if v.len() <= 253 && labels.len() >= labels_min && labels.iter().all(|l| dns_label(l)) {
        Ok(())
    } else if v.bytes().any(|b| b.is_ascii_uppercase()) {
        Err(format!("must be written in lowercase, got `{v}`"))
    } else {
        let what = if labels_min > 1 {
            "a domain name such as `example.com`"
        } else {
            "a DNS name such as `backstage`"
        };
        Err(format!(
            "must be {what} (letters, digits and `-` between dots), got `{v}`"
        ))
    }
}

pub fn email(v: &str) -> Rule {
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !local.contains(char::is_whitespace)
                && !local.contains('@')
                && domain.contains('.')
                && dns_name(&domain.to_ascii_lowercase(), 2).is_ok()
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("`{v}` is not an e-mail address"))
    }
}

/// Stage names become parts of logical ids, role names, service names and
/// CodePipeline stage names: a letter, then letters, digits and single dashes.
pub const STAGE_NAME_MAX: usize = 20;

pub fn stage_name(v: &str) -> Rule {
    let ok = v.len() <= STAGE_NAME_MAX
        && v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !v.ends_with('-')
        && !v.contains("--");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "stage name `{v}` must start with a letter and hold only letters, digits and single dashes, at most {STAGE_NAME_MAX} characters"
        ))
    }
}

/// Stack names: a letter, then letters, digits and dashes.
pub fn stack_name(v: &str, max: usize) -> Rule {
    let ok = v.len() <= max
        && v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !v.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "must start with a letter and hold only letters, digits and dashes, at most {max} characters (it prefixes stack and IAM role names); got `{v}`"
        ))
    }
}

/// GitHub owner and repository names.
pub fn github_name(v: &str) -> Rule {
    if !v.is_empty()
        && v.len() <= 100
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        Ok(())
    } else {
        Err(format!(
            "must be a GitHub owner or repository name, got `{v}`"
        ))
    }
}

pub fn branch(v: &str) -> Rule {
    if v.is_empty() || v.contains(char::is_whitespace) || v.contains("..") || v.ends_with('/') {
        Err(format!("must be a git branch name, got `{v}`"))
    } else {
        Ok(())
    }
}

/// ECR repository names: lowercase, `[a-z0-9]` groups joined by `.`, `_`, `-` or `/`.
pub fn ecr_repository(v: &str) -> Rule {
    let ok = (2..=256).contains(&v.len())
        && v.split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
                && part.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && part.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{v}` is not a valid ECR repository name (lowercase letters, digits, and `.`, `_`, `-` or `/` between them)"
        ))
    }
}

pub fn container_name(v: &str) -> Rule {
    if !v.is_empty()
        && v.len() <= 255
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
    {
        Ok(())
    } else {
        Err(format!(
            "must hold only letters, digits, `-` and `_`, got `{v}`"
        ))
    }
}

/// Secret names (an ARN is checked by [`check_arn`] with [`CONTAINER_SECRET`]).
pub fn secret_name(v: &str) -> Rule {
    if !v.is_empty() && v.len() <= 512 && secret_name_chars(v) {
        Ok(())
    } else {
        Err(format!(
            "must be a Secrets Manager secret name (letters, digits and /_+=.@-) or ARN, got `{v}`"
        ))
    }
}

/// PostgreSQL master user names on RDS.
pub fn postgres_identifier(v: &str) -> Rule {
    if !v.is_empty()
        && v.len() <= 63
        && v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(())
    } else {
        Err(format!(
            "must start with a letter and hold only letters, digits and `_`, at most 63 characters; got `{v}`"
        ))
    }
}

pub fn engine_version(v: &str) -> Rule {
    let parts: Vec<&str> = v.split('.').collect();
    if (1..=2).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        Ok(())
    } else {
        Err(format!(
            "must be an Aurora PostgreSQL version such as `17.7`, got `{v}`"
        ))
    }
}

pub fn hosted_zone_id(v: &str) -> Result<String, String> {
    let id = v.strip_prefix("/hostedzone/").unwrap_or(v);
    if !id.is_empty()
        && id.len() <= 32
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        Ok(id.to_string())
    } else {
        Err(format!(
            "must be a Route 53 hosted zone id such as `Z0123456789ABCDEFGHIJ`, got `{v}`"
        ))
    }
}

/// A file of the app repository the app build writes: a relative path without
/// `..`, in characters a shell and a Dockerfile take as they are.
pub fn repository_file(v: &str) -> Rule {
    let safe = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'));
    if !v.is_empty()
        && v.len() <= 255
        && safe
        && !v.starts_with('/')
        && !v.ends_with('/')
        && !v.split('/').any(|part| part.is_empty() || part == "..")
    {
        Ok(())
    } else {
        Err(format!("must be a file path relative to the app repository (letters, digits, `.`, `_`, `-`, `/`; no `..`), got `{v}`"))
    }
}

pub fn health_check_path(v: &str) -> Rule {
    if v.starts_with('/') && v.len() <= 1024 && !v.contains(char::is_whitespace) {
        Ok(())
    } else {
        Err(format!("must be a URL path starting with `/`, got `{v}`"))
    }
}

/// The values CloudWatch Logs accepts for a retention period.
pub const LOG_RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

pub fn log_retention(v: &str) -> Result<u32, String> {
    match v.parse::<u32>() {
        Ok(n) if LOG_RETENTION_DAYS.contains(&n) => Ok(n),
        _ => Err(format!(
            "must be one of the retention periods CloudWatch Logs accepts ({}), got `{v}`",
            LOG_RETENTION_DAYS.map(|d| d.to_string()).join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts() {
        assert!(account("123456789012").is_ok());
        assert!(account("012345678901").is_ok());
        assert!(account("12345678901").is_err());
        assert!(account("1234567890123").is_err());
        assert!(account("12345678901a").is_err());
    }

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-5",
        ] {
            assert!(region(ok).is_ok(), "{ok}");
        }
        for bad in [
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-east-0",
            "",
            "u-east-1",
            "us--1",
            "us-east-9",
            "mars-1",
        ] {
            assert!(region(bad).is_err(), "{bad}");
        }
        assert_eq!(
            region("eu-west-4"),
            Err("`eu-west-4` is not an AWS region: did you mean `eu-west-1`, `eu-west-2` or `eu-west-3`?".into())
        );
    }

    const CX: ArnContext = ArnContext {
        partition: "aws",
        region: "eu-west-1",
        account: "123456789012",
    };
    const CERT_ID: &str = "12345678-1234-1234-1234-123456789012";

    fn errors(v: &str, kind: &ArnKind) -> Vec<String> {
        check_arn(v, kind, &CX).errors
    }

    fn warnings(v: &str, kind: &ArnKind) -> Vec<String> {
        check_arn(v, kind, &CX).warnings
    }

    #[test]
    fn arns_aws_accepts_pass_clean() {
        for (v, kind) in [
            (
                format!("arn:aws:acm:eu-west-1:123456789012:certificate/{CERT_ID}"),
                &ACM_CERTIFICATE,
            ),
            // Connections are global: one created in another region works.
            (
                "arn:aws:codeconnections:us-east-1:123456789012:connection/6f5e0c3a-1111-2222-3333-444444444444".into(),
                &CONNECTION,
            ),
            (
                "arn:aws:codestar-connections:eu-west-1:123456789012:connection/x".into(),
                &CONNECTION,
            ),
            (
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gh-AbCdEf".into(),
                &SECRET,
            ),
            // A secret of another region is read by its complete ARN.
            (
                "arn:aws:secretsmanager:us-west-2:123456789012:secret:team/gh_app.v2-a1B2c3".into(),
                &CONTAINER_SECRET,
            ),
            (
                "arn:aws:chatbot::123456789012:chat-configuration/slack-channel/x".into(),
                &CHATBOT,
            ),
            (
                "arn:aws:chatbot::123456789012:chat-configuration/microsoft-teams-channel/x".into(),
                &CHATBOT,
            ),
        ] {
            assert_eq!(check_arn(&v, kind, &CX), ArnFindings::default(), "{v}");
        }
    }

    #[test]
    fn arns_of_other_partitions_pass_in_their_regions() {
        let cn = ArnContext {
            partition: "aws-cn",
            region: "cn-north-1",
            account: "123456789012",
        };
        let gov = ArnContext {
            partition: "aws-us-gov",
            region: "us-gov-west-1",
            account: "123456789012",
        };
        for (v, cx) in [
            (
                format!("arn:aws-cn:acm:cn-north-1:123456789012:certificate/{CERT_ID}"),
                cn,
            ),
            (
                format!("arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/{CERT_ID}"),
                gov,
            ),
        ] {
            assert_eq!(
                check_arn(&v, &ACM_CERTIFICATE, &cx),
                ArnFindings::default(),
                "{v}"
            );
        }
        assert_eq!(
            check_arn(
                "arn:aws-us-gov:codestar-connections:us-gov-west-1:123456789012:connection/x",
                &CONNECTION,
                &gov
            ),
            ArnFindings::default()
        );
        // The partition part must match AWS_REGION's, and says so.
        assert_eq!(
            errors(
                "arn:aws-cn:codeconnections:cn-north-1:123456789012:connection/x",
                &CONNECTION
            ),
            ["the partition part `aws-cn` does not match AWS_REGION `eu-west-1`, which is in `aws`: write `aws` (a stack uses resources of its own partition only)"]
        );
        assert_eq!(
            errors(
                "arn:amazon:codeconnections:eu-west-1:123456789012:connection/x",
                &CONNECTION
            ),
            ["the partition part `amazon` is not an AWS partition: write `aws`, the partition of AWS_REGION `eu-west-1`"]
        );
    }

    #[test]
    fn placeholder_region_and_account_are_named_with_what_to_write() {
        let e = errors(
            "arn:aws:acm:region:account:certificate/my-certificate-name",
            &ACM_CERTIFICATE,
        );
        assert_eq!(
            e,
            [
                "the region part `region` is not an AWS region (such as `us-east-1`): write `eu-west-1`, the AWS_REGION of the load balancer (a load balancer uses only certificates of its own region)",
                "the account part `account` is not a 12-digit account id: write AWS_ACCOUNT `123456789012` (a load balancer uses only certificates of its own account)",
                "the certificate id `my-certificate-name` is not an ACM certificate id: ACM gives every certificate a generated id such as `12345678-1234-1234-1234-123456789012`, not a name; copy the ARN from the ACM console, or leave ACM_ARN out to have a DNS-validated certificate created",
            ]
        );
        let e = errors(
            "arn:aws:secretsmanager:region:account:secret:gh-AbCdEf",
            &SECRET,
        );
        assert_eq!(
            e,
            [
                "the region part `region` is not an AWS region (such as `us-east-1`): write the region the secret is in, such as `eu-west-1`",
                "the account part `account` is not a 12-digit account id: write the 12-digit id of the account that owns the secret (AWS_ACCOUNT is `123456789012`)",
            ]
        );
        // Without a valid AWS_ACCOUNT there is no account to suggest.
        let no_account = ArnContext { account: "", ..CX };
        assert_eq!(
            check_arn(
                "arn:aws:codeconnections:eu-west-1::connection/x",
                &CONNECTION,
                &no_account
            )
            .errors,
            ["the account part is empty: write the 12-digit id of the account that owns the connection"]
        );
        assert_eq!(
            errors("arn:aws:codeconnections::123456789012:connection/x", &CONNECTION),
            ["the region part is empty: write the region the connection was created in, such as `eu-west-1` (a connection works from every region)"]
        );
    }

    #[test]
    fn a_wrong_service_names_service_resource_and_the_arn_to_write() {
        let e = errors(
            "arn:aws:codestar:region:account:project/resource-specifier",
            &CONNECTION,
        );
        assert_eq!(e[0], "the service is `codestar` and the resource `project/resource-specifier`: the ARN of a CodeStar (CodeConnections) connection is `arn:aws:codeconnections:<region>:123456789012:connection/<id>` (the service may also be `codestar-connections`)");
        // The placeholders are wrong in any ARN, and said so at once.
        assert!(
            e[1].starts_with("the region part `region` is not an AWS region"),
            "{e:#?}"
        );
        assert!(
            e[2].starts_with("the account part `account` is not a 12-digit account id"),
            "{e:#?}"
        );
        assert_eq!(e.len(), 3);
        // Parts that are merely empty are not blamed on a wrong service's ARN.
        assert_eq!(
            errors("arn:aws:s3:::bucket", &ACM_CERTIFICATE),
            ["the service is `s3` and the resource `bucket`: the ARN of an ACM certificate is `arn:aws:acm:eu-west-1:123456789012:certificate/<id>`"]
        );
        assert_eq!(
            errors(
                "arn:aws:codeconnections:eu-west-1:123456789012:host/x",
                &CONNECTION
            )
            .len(),
            1
        );
        assert_eq!(
            errors("arn:aws:sns:eu-west-1:123456789012:topic", &CHATBOT),
            ["the service is `sns` and the resource `topic`: the ARN of an AWS Chatbot (Amazon Q Developer) channel configuration is `arn:aws:chatbot::123456789012:chat-configuration/slack-channel/<name>`"]
        );
    }

    #[test]
    fn not_an_arn_shows_the_arn_to_write() {
        assert_eq!(
            errors("gh-secret", &SECRET),
            ["must be the ARN of a Secrets Manager secret, such as `arn:aws:secretsmanager:<region>:123456789012:secret:<name>-AbCdEf`; got `gh-secret`"]
        );
        assert_eq!(errors("arn:aws:acm:eu-west-1", &ACM_CERTIFICATE).len(), 1);
    }

    #[test]
    fn a_chatbot_arn_has_an_empty_region_and_a_channel_configuration() {
        assert_eq!(
            errors(
                "arn:aws:chatbot:region:account:chat-configuration/slack-channel/myslackchannel",
                &CHATBOT
            ),
            [
                "the region part `region` must be empty: chat configurations are global and their ARN has no region, `arn:aws:chatbot::123456789012:chat-configuration/slack-channel/<name>`",
                "the account part `account` is not a 12-digit account id: write the 12-digit id of the account that owns the channel configuration (AWS_ACCOUNT is `123456789012`)",
            ]
        );
        // A real region is still wrong there.
        assert_eq!(
            errors(
                "arn:aws:chatbot:us-east-2:123456789012:chat-configuration/slack-channel/x",
                &CHATBOT
            )
            .len(),
            1
        );
        assert_eq!(
            errors(
                "arn:aws:chatbot::123456789012:chat-configuration/chime-webhook/x",
                &CHATBOT
            ),
            ["the configuration type `chime-webhook` cannot receive pipeline notifications: a notification rule targets a `slack-channel/<name>` or `microsoft-teams-channel/<name>` configuration"]
        );
        assert_eq!(
            errors(
                "arn:aws:chatbot::123456789012:chat-configuration/slack-channel/",
                &CHATBOT
            ),
            ["the resource `chat-configuration/slack-channel/` names no channel configuration: write `chat-configuration/slack-channel/<name>`"]
        );
    }

    #[test]
    fn a_secret_arn_without_its_suffix_is_partial() {
        let partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mysecret";
        // CodeBuild (GITHUB_APP_ARN) takes a partial ARN, and the toolkit's policy
        // covers the six characters: accepted, as the example config does.
        assert_eq!(check_arn(partial, &SECRET, &CX), ArnFindings::default());
        // ECS (the container's secrets) takes only the complete ARN: an error.
        assert_eq!(
            errors(partial, &CONTAINER_SECRET),
            ["the secret name `mysecret` lacks the 6-character suffix Secrets Manager adds to every secret's ARN (such as `mysecret-AbCdEf`): ECS takes only the complete ARN: copy it from the Secrets Manager console, or write the secret's name alone"]
        );
        assert_eq!(
            errors(
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gh-AbCdEf:id::",
                &CONTAINER_SECRET
            ),
            ["the resource holds more than the secret's name (`:id::` after `gh-AbCdEf`): give the secret's ARN alone, ending in its name"]
        );
        assert_eq!(
            errors(
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:",
                &SECRET
            ),
            ["the resource `secret:` names no secret: write `secret:<name>-AbCdEf`"]
        );
    }

    #[test]
    fn a_certificate_must_be_in_the_stacks_region_and_account() {
        assert_eq!(
            errors(
                &format!("arn:aws:acm:us-east-1:999999999999:certificate/{CERT_ID}"),
                &ACM_CERTIFICATE
            ),
            [
                "the region part `us-east-1` is not AWS_REGION `eu-west-1`: a load balancer uses only certificates of its own region; request or import the certificate in `eu-west-1`",
                "the account part `999999999999` is not AWS_ACCOUNT `123456789012`: a load balancer uses only certificates of its own account",
            ]
        );
    }

    #[test]
    fn another_account_is_a_warning_where_aws_allows_it() {
        let w = warnings(
            "arn:aws:secretsmanager:eu-west-1:999999999999:secret:gh-AbCdEf",
            &SECRET,
        );
        assert_eq!(w, ["the account part `999999999999` is not AWS_ACCOUNT `123456789012`: reading it from AWS_ACCOUNT needs a resource policy on the secret and a customer-managed KMS key (the aws/secretsmanager key does not work across accounts)"]);
        for (v, kind) in [
            (
                "arn:aws:codeconnections:eu-west-1:999999999999:connection/x",
                &CONNECTION,
            ),
            (
                "arn:aws:chatbot::999999999999:chat-configuration/slack-channel/x",
                &CHATBOT,
            ),
        ] {
            let f = check_arn(v, kind, &CX);
            assert!(f.errors.is_empty(), "{f:?}");
            assert_eq!(f.warnings.len(), 1, "{f:?}");
            assert!(
                f.warnings[0].starts_with(
                    "the account part `999999999999` is not AWS_ACCOUNT `123456789012`: "
                ),
                "{f:?}"
            );
        }
    }

    #[test]
    fn without_a_valid_aws_region_nothing_is_compared_with_it() {
        let cx = ArnContext { region: "", ..CX };
        assert_eq!(
            check_arn(
                &format!("arn:aws:acm:us-east-1:123456789012:certificate/{CERT_ID}"),
                &ACM_CERTIFICATE,
                &cx
            ),
            ArnFindings::default()
        );
        assert_eq!(
            check_arn(
                &format!("arn:aws:acm:region:123456789012:certificate/{CERT_ID}"),
                &ACM_CERTIFICATE,
                &cx
            )
            .errors,
            ["the region part `region` is not an AWS region (such as `us-east-1`): write the AWS_REGION of the load balancer (a load balancer uses only certificates of its own region)"]
        );
    }

    #[test]
    fn acm_certificate_ids_are_uuids() {
        assert!(acm_certificate_id(CERT_ID));
        assert!(acm_certificate_id("0F4B7C1E-AAAA-BBBB-CCCC-DDDDEEEEFFFF"));
        assert!(!acm_certificate_id("my-certificate-name"));
        assert!(!acm_certificate_id("12345678-1234-1234-1234-12345678901"));
    }

    #[test]
    fn ports() {
        assert_eq!(port("7000"), Ok(7000));
        assert_eq!(port("65535"), Ok(65535));
        assert!(port("0").is_err());
        assert!(port("65536").is_err());
        assert!(port("-1").is_err());
        assert!(port("http").is_err());
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean("true"), Some(true));
        assert_eq!(boolean("Yes"), Some(true));
        assert_eq!(boolean("off"), Some(false));
        assert_eq!(boolean("1"), None);
        assert_eq!(boolean("tru"), None);
    }

    #[test]
    fn dns_names_and_emails() {
        assert!(dns_name("example.com", 2).is_ok());
        assert!(dns_name("example", 2).is_err());
        assert!(dns_name("Example.com", 2)
            .unwrap_err()
            .contains("lowercase"));
        assert!(dns_name("backstage", 1).is_ok());
        assert!(dns_name("-x", 1).is_err());
        assert!(dns_name("a_b", 1).is_err());
        assert!(email("ops@example.com").is_ok());
        assert!(email("First.Last+tag@Example.COM").is_ok());
        assert!(email("ops").is_err());
        assert!(email("ops@localhost").is_err());
        assert!(email("a b@example.com").is_err());
    }

    #[test]
    fn stage_and_stack_names() {
        for ok in ["test", "prod", "dev-eu", "QA2"] {
            assert!(stage_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "2prod",
            "dev_eu",
            "dev-",
            "a--b",
            "prod env",
            "averyveryverylongstagename",
        ] {
            assert!(stage_name(bad).is_err(), "{bad}");
        }
        assert!(stack_name("backstage", 48).is_ok());
        assert!(stack_name("back_stage", 48).is_err());
        assert!(stack_name(&"a".repeat(49), 48).is_err());
    }

    #[test]
    fn names_of_things() {
        assert!(github_name("my-org").is_ok());
        assert!(github_name("my org").is_err());
        assert!(branch("main").is_ok());
        assert!(branch("feature/x").is_ok());
        assert!(branch("a..b").is_err());
        assert!(ecr_repository("backstage").is_ok());
        assert!(ecr_repository("team/backstage-app").is_ok());
        assert!(ecr_repository("Backstage").is_err());
        assert!(container_name("backstage_app-1").is_ok());
        assert!(container_name("back stage").is_err());
        assert!(secret_name("backstage/github-auth").is_ok());
        assert!(secret_name("has space").is_err());
        assert!(postgres_identifier("postgres").is_ok());
        assert!(postgres_identifier("1user").is_err());
        assert!(engine_version("17.7").is_ok());
        assert!(engine_version("17").is_ok());
        assert!(engine_version("17.x").is_err());
        assert_eq!(hosted_zone_id("/hostedzone/Z123ABC").unwrap(), "Z123ABC");
        assert!(hosted_zone_id("z123").is_err());
        assert!(health_check_path("/healthcheck").is_ok());
        assert!(health_check_path("healthcheck").is_err());
        assert_eq!(log_retention("365"), Ok(365));
        assert!(log_retention("364").is_err());
    }
}
