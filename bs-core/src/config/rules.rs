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

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`.
pub fn region(v: &str) -> Rule {
    let parts: Vec<&str> = v.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok_and(|n| n > 0);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "must be an AWS region such as `us-east-1`, got `{v}`"
        ))
    }
}

/// The parts of an ARN.
#[derive(Debug, PartialEq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

pub fn parse_arn(v: &str) -> Option<Arn<'_>> {
    let mut parts = v.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let arn = Arn {
        partition: parts.next()?,
        service: parts.next()?,
        region: parts.next()?,
        account: parts.next()?,
        resource: parts.next()?,
    };
    let partition_ok = arn.partition.starts_with("aws")
        && arn
            .partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-');
    if !partition_ok || arn.service.is_empty() || arn.resource.is_empty() {
        return None;
    }
    if !arn.account.is_empty() && account(arn.account).is_err() {
        return None;
    }
    if !arn.region.is_empty() && region(arn.region).is_err() {
        return None;
    }
    Some(arn)
}

/// What an ARN key must point at.
pub struct ArnKind {
    pub what: &'static str,
    pub services: &'static [&'static str],
    pub resource_prefix: &'static str,
    pub example: &'static str,
}

pub const ACM_CERTIFICATE: ArnKind = ArnKind {
    what: "an ACM certificate",
    services: &["acm"],
    resource_prefix: "certificate/",
    example: "arn:aws:acm:us-east-1:123456789012:certificate/0f4b…",
};
pub const CONNECTION: ArnKind = ArnKind {
    what: "a CodeStar (CodeConnections) connection",
    services: &["codestar-connections", "codeconnections"],
    resource_prefix: "connection/",
    example: "arn:aws:codeconnections:us-east-1:123456789012:connection/6f5e…",
};
pub const SECRET: ArnKind = ArnKind {
    what: "a Secrets Manager secret",
    services: &["secretsmanager"],
    resource_prefix: "secret:",
    example: "arn:aws:secretsmanager:us-east-1:123456789012:secret:github-app-AbCdEf",
};
pub const CHATBOT: ArnKind = ArnKind {
    what: "an AWS Chatbot (Amazon Q Developer) channel configuration",
    services: &["chatbot"],
    resource_prefix: "chat-configuration/",
    example: "arn:aws:chatbot::123456789012:chat-configuration/slack-channel/backstage",
};

pub fn arn_of<'a>(v: &'a str, kind: &ArnKind) -> Result<Arn<'a>, String> {
    let Some(arn) = parse_arn(v) else {
        return Err(format!(
            "must be the ARN of {}, such as `{}`; got `{v}`",
            kind.what, kind.example
        ));
    };
    if !kind.services.contains(&arn.service) || !arn.resource.starts_with(kind.resource_prefix) {
        return Err(format!(
            "must be the ARN of {}, but `{v}` is an ARN of {}:{}",
            kind.what,
            arn.service,
            arn.resource.split(['/', ':']).next().unwrap_or("")
        ));
    }
    if arn.resource.len() == kind.resource_prefix.len() {
        return Err(format!("`{v}` names no {}", kind.what));
    }
    Ok(arn)
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

/// Secret names (or full secret ARNs).
pub fn secret_name(v: &str) -> Rule {
    if v.starts_with("arn:") {
        return arn_of(v, &SECRET).map(|_| ());
    }
    if !v.is_empty()
        && v.len() <= 512
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-".contains(&b))
    {
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
        ] {
            assert!(region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn arns_of_the_right_service() {
        let cert = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
        assert_eq!(arn_of(cert, &ACM_CERTIFICATE).unwrap().region, "us-east-1");
        let err = arn_of("arn:aws:s3:::bucket", &ACM_CERTIFICATE).unwrap_err();
        assert!(
            err.contains("ACM certificate") && err.contains("s3"),
            "{err}"
        );
        assert!(arn_of("not-an-arn", &SECRET).is_err());
        assert!(arn_of(
            "arn:aws:acm:us-east-1:123:certificate/abc",
            &ACM_CERTIFICATE
        )
        .is_err());
        assert!(arn_of(
            "arn:aws:acm:us-east-1:123456789012:certificate/",
            &ACM_CERTIFICATE
        )
        .is_err());
        for conn in [
            "arn:aws:codestar-connections:us-east-1:123456789012:connection/x",
            "arn:aws:codeconnections:eu-west-1:123456789012:connection/x",
        ] {
            assert!(arn_of(conn, &CONNECTION).is_ok(), "{conn}");
        }
        assert!(arn_of(
            "arn:aws:codeconnections:eu-west-1:123456789012:host/x",
            &CONNECTION
        )
        .is_err());
        assert!(arn_of(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf",
            &SECRET
        )
        .is_ok());
        assert!(arn_of(
            "arn:aws:chatbot::123456789012:chat-configuration/slack-channel/x",
            &CHATBOT
        )
        .is_ok());
        assert!(arn_of("arn:aws:sns:us-east-1:123456789012:topic", &CHATBOT).is_err());
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
        assert!(
            secret_name("arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf").is_ok()
        );
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
