//! Whose credentials these are, checked before anything else is read or
//! changed: one sts:GetCallerIdentity, compared with the account the input is
//! for. Every AWS tool refuses credentials of another account here, the same
//! way: [`Error::Input`] (exit 2) naming both accounts and what to do.

use crate::sdk::Clients;
use crate::Error;

/// Who the credentials are, as sts:GetCallerIdentity answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account: String,
    /// The caller's ARN (bs-promote names it in an approval's summary).
    pub arn: Option<String>,
}

/// The account the input is for, and where it says so (the refusal's wording).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected<'a> {
    /// `AWS_ACCOUNT` of the config file `file` (bs-bootstrap, bs-promote,
    /// bs-status).
    Config { account: &'a str, file: &'a str },
    /// The account a stack of the assembly was synthesized for (bs-deploy).
    Stack { account: &'a str, stack: &'a str },
}

impl Expected<'_> {
    pub fn account(&self) -> &str {
        match self {
            Expected::Config { account, .. } | Expected::Stack { account, .. } => account,
        }
    }
}

/// Asks sts:GetCallerIdentity once. A failure is [`Error::Aws`] (exit 3).
pub async fn caller(clients: &Clients) -> Result<Caller, Error> {
    let out = clients
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            Error::Aws(format!(
                "{} (sts:GetCallerIdentity, the first call; nothing was read or changed)",
                crate::error::describe(&e)
            ))
        })?;
    Ok(Caller {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().map(str::to_string),
    })
}

/// The refusal when the credentials' account `actual` is not the expected one.
pub fn refusal(expected: Expected<'_>, actual: &str) -> Option<Error> {
    if expected.account() == actual {
        return None;
    }
    Some(Error::Input(match expected {
        Expected::Config { account, file } => format!(
            "the config is for account {account} (AWS_ACCOUNT in {file}), but the credentials \
             are for account {actual}: use credentials of {account} (--profile), or a config \
             for {actual} (--config); nothing was read or changed"
        ),
        Expected::Stack { account, stack } => format!(
            "stack {stack} belongs to account {account}, but the credentials are for account \
             {actual}: use credentials of {account} (--profile), or synthesize for {actual}; \
             nothing was changed"
        ),
    }))
}

/// The check every AWS tool makes first: one sts:GetCallerIdentity; credentials
/// of another account are [`Error::Input`] (exit 2), a failed call
/// [`Error::Aws`] (exit 3). Gives the caller for later use (no second call).
pub async fn check(clients: &Clients, expected: Expected<'_>) -> Result<Caller, Error> {
    let caller = caller(clients).await?;
    match refusal(expected, &caller.account) {
        Some(e) => Err(e),
        None => Ok(caller),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sts::operation::get_caller_identity::{
        GetCallerIdentityError, GetCallerIdentityOutput,
    };
    use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
    use aws_smithy_types::error::ErrorMetadata;

    const CONFIG: Expected<'static> = Expected::Config {
        account: "123456789012",
        file: "configs/env-config.yaml",
    };

    fn clients(sts: &Rule) -> Clients {
        let none: Vec<&Rule> = Vec::new();
        Clients {
            region: "us-east-1".into(),
            cloudformation: mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, &none),
            sts: mock_client!(aws_sdk_sts, RuleMode::MatchAny, [sts]),
            s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, &none),
            route53: mock_client!(aws_sdk_route53, RuleMode::MatchAny, &none),
            ecr: mock_client!(aws_sdk_ecr, RuleMode::MatchAny, &none),
            endpoint_url: None,
        }
    }

    fn identity(account: &'static str) -> Rule {
        mock!(aws_sdk_sts::Client::get_caller_identity).then_output(move || {
            GetCallerIdentityOutput::builder()
                .account(account)
                .arn(format!("arn:aws:sts::{account}:assumed-role/admin/alice"))
                .build()
        })
    }

    #[test]
    fn the_same_account_is_no_refusal() {
        assert_eq!(refusal(CONFIG, "123456789012"), None);
        let stack = Expected::Stack {
            account: "123456789012",
            stack: "backstage",
        };
        assert_eq!(refusal(stack, "123456789012"), None);
    }

    #[test]
    fn another_account_is_refused_naming_both_the_file_and_the_remedies() {
        let e = refusal(CONFIG, "111122223333").unwrap();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.to_string(),
            "the config is for account 123456789012 (AWS_ACCOUNT in configs/env-config.yaml), \
             but the credentials are for account 111122223333: use credentials of 123456789012 \
             (--profile), or a config for 111122223333 (--config); nothing was read or changed"
        );
    }

    #[test]
    fn a_stack_of_another_account_is_refused_as_bs_deploy_always_did() {
        let stack = Expected::Stack {
            account: "111122223333",
            stack: "backstage-pipeline",
        };
        assert_eq!(
            refusal(stack, "123456789012").unwrap().to_string(),
            "stack backstage-pipeline belongs to account 111122223333, but the credentials are \
             for account 123456789012: use credentials of 111122223333 (--profile), or \
             synthesize for 123456789012; nothing was changed"
        );
    }

    #[tokio::test]
    async fn check_asks_once_and_gives_the_caller() {
        let me = identity("123456789012");
        let caller = check(&clients(&me), CONFIG).await.unwrap();
        assert_eq!(me.num_calls(), 1);
        assert_eq!(caller.account, "123456789012");
        assert_eq!(
            caller.arn.as_deref(),
            Some("arn:aws:sts::123456789012:assumed-role/admin/alice")
        );
    }

    #[tokio::test]
    async fn check_refuses_credentials_of_another_account() {
        let other = identity("111122223333");
        let e = check(&clients(&other), CONFIG).await.unwrap_err();
        assert_eq!(other.num_calls(), 1);
        assert!(matches!(e, Error::Input(_)), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("for account 123456789012") && text.contains("account 111122223333"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_failed_sts_call_is_an_aws_error_not_a_refusal() {
        let denied = mock!(aws_sdk_sts::Client::get_caller_identity).then_error(|| {
            GetCallerIdentityError::generic(
                ErrorMetadata::builder()
                    .code("InvalidClientTokenId")
                    .message("The security token included in the request is invalid.")
                    .build(),
            )
        });
        let e = check(&clients(&denied), CONFIG).await.unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert_eq!(
            e.to_string(),
            "AWS does not accept these credentials (InvalidClientTokenId): check the access key, \
             secret key and session token, or the profile (--profile) (sts:GetCallerIdentity, \
             the first call; nothing was read or changed)"
        );
    }
}
