//! The prerequisites of a first deploy, each checked (and, unless `--check`,
//! created or fixed) by its own module, in a safe order.

pub mod connection;
pub mod hosted_zones;
pub mod repository;
pub mod secrets;
pub mod staging_bucket;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "&'static str")]
pub enum State {
    /// Exists as it should.
    Present,
    /// Did not exist; made now.
    Created,
    /// Existed; changed now (`--update-secrets`).
    Updated,
    /// Does not exist (and was not made: `--check`, or no value to make it from).
    Missing,
    /// Exists, but not as the stacks need it.
    Wrong,
    /// Waits for a person (a connection's GitHub handshake).
    Pending,
    /// Cannot be checked here (the local AWS has no such API).
    Unverifiable,
}

impl From<State> for &'static str {
    fn from(s: State) -> &'static str {
        s.as_str()
    }
}

impl State {
    /// The name the report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Present => "present",
            State::Created => "created",
            State::Updated => "updated",
            State::Missing => "missing",
            State::Wrong => "wrong",
            State::Pending => "pending",
            State::Unverifiable => "unverifiable",
        }
    }

    pub fn ready(self) -> bool {
        matches!(
            self,
            State::Present | State::Created | State::Updated | State::Unverifiable
        )
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prerequisite {
    /// `hosted-zone`, `ecr-repository`, `staging-bucket`, `secret`, `connection`.
    pub kind: &'static str,
    pub name: String,
    pub state: State,
    /// What was found or done. Never a secret value.
    pub detail: String,
    /// What a person must do, when anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// A person must act before the next run can go on (exit 5).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub needs_person: bool,
}

impl Prerequisite {
    pub fn new(
        kind: &'static str,
        name: impl Into<String>,
        state: State,
        detail: impl Into<String>,
    ) -> Prerequisite {
        Prerequisite {
            kind,
            name: name.into(),
            state,
            detail: detail.into(),
            fix: None,
            needs_person: false,
        }
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Prerequisite {
        self.fix = Some(fix.into());
        self
    }

    pub fn needs_person(mut self) -> Prerequisite {
        self.needs_person = true;
        self
    }

    /// The stderr line.
    pub fn line(&self) -> String {
        let state = self.state.as_str();
        let fix = self
            .fix
            .as_deref()
            .map(|f| format!("\n    → {f}"))
            .unwrap_or_default();
        format!(
            "{:<15} {:<13} {}: {}{fix}",
            self.kind, state, self.name, self.detail
        )
    }
}

/// The AWS clients bootstrap needs beyond the deploy engine's.
#[derive(Clone, Debug)]
pub struct Clients {
    pub base: bs_aws::sdk::Clients,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub connections: aws_sdk_codeconnections::Client,
}

impl Clients {
    pub fn new(sdk: &bs_aws::sdk::SdkConfig) -> Clients {
        Clients {
            base: bs_aws::sdk::Clients::new(sdk),
            secrets: bs_aws::client!(aws_sdk_secretsmanager, sdk),
            connections: bs_aws::client!(aws_sdk_codeconnections, sdk),
        }
    }

    /// Talking to a local AWS (a custom endpoint), where some APIs are missing.
    pub fn is_local(&self) -> bool {
        self.base.endpoint_url.is_some()
    }
}
