//! The CodeStar (CodeConnections) connection, against aws-smithy-mocks.
//! moto gap: moto 5.2.5 has no CodeConnections backend at all.
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use aws_sdk_codeconnections::operation::create_connection::CreateConnectionOutput;
use aws_sdk_codeconnections::operation::get_connection::{GetConnectionError, GetConnectionOutput};
use aws_sdk_codeconnections::types::{Connection, ConnectionStatus};
use aws_sdk_codeconnections::Client as Connections;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use bs_bootstrap::prerequisites::{connection, Clients, State};
use bs_core::config::{self, Config};

const ARN: &str = "arn:aws:codeconnections:us-east-1:123456789012:connection/abc-123";

fn clients(rules: &[&Rule], local: bool) -> Clients {
    let none: Vec<&Rule> = Vec::new();
    Clients {
        base: bs_aws::sdk::Clients {
            region: "us-east-1".into(),
            cloudformation: mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, &none),
            sts: mock_client!(aws_sdk_sts, RuleMode::MatchAny, &none),
            s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, &none),
            route53: mock_client!(aws_sdk_route53, RuleMode::MatchAny, &none),
            ecr: mock_client!(aws_sdk_ecr, RuleMode::MatchAny, &none),
            endpoint_url: local.then(|| "http://127.0.0.1:4566".to_string()),
        },
        secrets: mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, &none),
        connections: mock_client!(aws_sdk_codeconnections, RuleMode::MatchAny, rules),
    }
}

fn config(with_arn: bool) -> Config {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../configs/env-config.example.yaml"
    ))
    .unwrap();
    let text = if with_arn {
        text.replace(
            "connection/11111111-2222-3333-4444-555555555555",
            "connection/abc-123",
        )
    } else {
        text.lines()
            .filter(|l| !l.contains("CODESTAR_CONN_ARN:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    config::parse_with(
        &text,
        "c.yaml",
        config::Options {
            connection_optional: true,
        },
    )
    .unwrap()
    .config
}

fn status(s: ConnectionStatus) -> GetConnectionOutput {
    GetConnectionOutput::builder()
        .connection(
            Connection::builder()
                .connection_arn(ARN)
                .connection_status(s)
                .build(),
        )
        .build()
}

#[tokio::test]
async fn an_available_connection_is_present() {
    let rule =
        mock!(Connections::get_connection).then_output(|| status(ConnectionStatus::Available));
    let p = connection::ensure(&clients(&[&rule], false), &config(true), false)
        .await
        .unwrap();
    assert_eq!(p.state, State::Present);
    assert!(!p.needs_person);
}

#[tokio::test]
async fn a_pending_connection_waits_for_a_person_with_the_console_url() {
    let rule = mock!(Connections::get_connection).then_output(|| status(ConnectionStatus::Pending));
    let p = connection::ensure(&clients(&[&rule], false), &config(true), true)
        .await
        .unwrap();
    assert_eq!(p.state, State::Pending);
    assert!(p.needs_person);
    let fix = p.fix.unwrap();
    assert!(
        fix.contains(
            "https://us-east-1.console.aws.amazon.com/codesuite/settings/connections/abc-123"
        ),
        "{fix}"
    );
}

#[tokio::test]
async fn an_errored_connection_is_wrong() {
    let rule = mock!(Connections::get_connection).then_output(|| status(ConnectionStatus::Error));
    let p = connection::ensure(&clients(&[&rule], false), &config(true), false)
        .await
        .unwrap();
    assert_eq!(p.state, State::Wrong);
}

#[tokio::test]
async fn without_codestar_conn_arn_a_connection_is_created_and_waits_for_the_handshake() {
    let create = mock!(Connections::create_connection)
        .match_requests(|r| r.connection_name() == Some("backstage-github"))
        .then_output(|| {
            CreateConnectionOutput::builder()
                .connection_arn(ARN)
                .build()
                .unwrap()
        });
    let c = clients(&[&create], false);
    let p = connection::ensure(&c, &config(false), false).await.unwrap();
    assert_eq!(create.num_calls(), 1);
    assert_eq!(p.state, State::Pending);
    assert!(p.needs_person);
    let fix = p.fix.unwrap();
    assert!(
        fix.contains(&format!("set CODESTAR_CONN_ARN: {ARN}")),
        "{fix}"
    );
    // --check never creates.
    let p = connection::ensure(&c, &config(false), true).await.unwrap();
    assert_eq!(p.state, State::Missing);
    assert_eq!(create.num_calls(), 1);
}

#[tokio::test]
async fn a_connection_that_does_not_exist_is_missing_on_aws_but_unverifiable_locally() {
    let not_found = || {
        GetConnectionError::generic(
            ErrorMetadata::builder()
                .code("ResourceNotFoundException")
                .build(),
        )
    };
    let rule = mock!(Connections::get_connection).then_error(not_found);
    let p = connection::ensure(&clients(&[&rule], false), &config(true), false)
        .await
        .unwrap();
    assert_eq!(p.state, State::Missing);
    // The local AWS answers an unknown API without an error code.
    let bare = mock!(Connections::get_connection)
        .then_error(|| GetConnectionError::generic(ErrorMetadata::builder().build()));
    let p = connection::ensure(&clients(&[&bare], true), &config(true), false)
        .await
        .unwrap();
    assert_eq!(p.state, State::Unverifiable);
}
