//! The parameters a change set passes: what the user overrides, what the
//! assembly says to resolve, and — on update — the previous value of everything
//! else, so an infrastructure deploy never changes the image a stage runs.

use crate::error::Error;
use crate::progress::{Message, Renderer};
use crate::sdk::Clients;
use bs_core::assembly::DeployParameter;
use serde_json::Value;
use std::collections::BTreeMap;

/// Where a parameter's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--parameter KEY=VALUE`.
    Given(String),
    /// The value the stack has now.
    Previous,
    /// The template's default (the parameter is not passed).
    Default,
    /// The id of the public hosted zone of this domain (Route 53 lookup).
    HostedZoneOf(String),
}

/// The template's parameters: name → default, if any.
pub fn template_parameters(template: &Value) -> BTreeMap<String, Option<String>> {
    template
        .get("Parameters")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.get("Default").and_then(Value::as_str).map(str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Decides each parameter's source. `previous` is the stack's current
/// parameters (`None` on create). Fails, naming the parameter, when one has no
/// possible value.
pub fn plan(
    stack: &str,
    template: &Value,
    deploy: &BTreeMap<String, DeployParameter>,
    overrides: &BTreeMap<String, String>,
    previous: Option<&BTreeMap<String, String>>,
) -> Result<BTreeMap<String, Source>, Error> {
    let mut out = BTreeMap::new();
    for (name, default) in template_parameters(template) {
        let had = previous.is_some_and(|p| p.contains_key(&name));
        let source = if let Some(v) = overrides.get(&name) {
            Source::Given(v.clone())
        } else {
            match deploy.get(&name) {
                // Only a promotion changes a stage's image.
                Some(DeployParameter::StageImage { .. }) if had => Source::Previous,
                Some(DeployParameter::StageImage { .. }) => Source::Default,
                Some(DeployParameter::HostedZoneId { .. }) if default.is_some() => Source::Default,
                Some(DeployParameter::HostedZoneId { domain }) => Source::HostedZoneOf(domain.clone()),
                None if had => Source::Previous,
                None if default.is_some() => Source::Default,
                None => {
                    return Err(Error::Input(format!(
                        "stack {stack}: parameter {name} has no value and no default: pass --parameter {name}=VALUE"
                    )))
                }
            }
        };
        out.insert(name, source);
    }
    Ok(out)
}

/// Checks `--parameter` names against the templates before any AWS call.
pub fn check_overrides(
    overrides: &BTreeMap<String, String>,
    templates: &[(&str, &Value)],
) -> Result<(), Error> {
    for name in overrides.keys() {
        if !templates
            .iter()
            .any(|(_, t)| template_parameters(t).contains_key(name))
        {
            let known: Vec<String> = templates
                .iter()
                .flat_map(|(_, t)| template_parameters(t).into_keys())
                .collect();
            return Err(Error::Input(format!(
                "--parameter {name}: no stack has this parameter (parameters: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
    }
    Ok(())
}

/// The id (without `/hostedzone/`) of the one public hosted zone named `domain`.
pub async fn hosted_zone_id(clients: &Clients, domain: &str) -> Result<String, Error> {
    let wanted = format!("{}.", domain.trim_end_matches('.'));
    let out = clients
        .route53
        .list_hosted_zones_by_name()
        .dns_name(&wanted)
        .max_items(20)
        .send()
        .await
        .map_err(|e| crate::error::aws(&format!("looking up the hosted zone {domain}"), &e))?;
    let zones: Vec<String> = out
        .hosted_zones()
        .iter()
        .filter(|z| z.name() == wanted && !z.config().is_some_and(|c| c.private_zone()))
        .map(|z| z.id().trim_start_matches("/hostedzone/").to_string())
        .collect();
    match zones.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::Input(format!(
            "no public Route 53 hosted zone is named {domain}: create it (bs-bootstrap does), or set HOSTED_ZONE_ID in the config, or pass --parameter"
        ))),
        many => Err(Error::Input(format!(
            "several public hosted zones are named {domain} ({}): set HOSTED_ZONE_ID in the config to the one to use",
            many.join(", ")
        ))),
    }
}

/// The SDK parameters for a plan, resolving hosted zones (and telling what was
/// resolved) unless `known` has them already. Returns them with the resolved
/// values, for the result document.
pub async fn resolve(
    clients: &Clients,
    stack: &str,
    plan: &BTreeMap<String, Source>,
    known: &BTreeMap<String, String>,
    ui: &mut dyn Renderer,
) -> Result<
    (
        Vec<aws_sdk_cloudformation::types::Parameter>,
        BTreeMap<String, String>,
    ),
    Error,
> {
    use aws_sdk_cloudformation::types::Parameter;
    let mut params = Vec::new();
    let mut resolved = BTreeMap::new();
    for (name, source) in plan {
        match source {
            Source::Default => {}
            Source::Previous => params.push(
                Parameter::builder()
                    .parameter_key(name)
                    .use_previous_value(true)
                    .build(),
            ),
            Source::Given(v) => params.push(
                Parameter::builder()
                    .parameter_key(name)
                    .parameter_value(v)
                    .build(),
            ),
            Source::HostedZoneOf(domain) => {
                let id = match known.get(name) {
                    Some(id) => id.clone(),
                    None => {
                        let id = hosted_zone_id(clients, domain).await?;
                        ui.message(&Message::Step {
                            stack: stack.to_string(),
                            text: format!("{name} = {id} (the hosted zone of {domain})"),
                        });
                        id
                    }
                };
                resolved.insert(name.clone(), id.clone());
                params.push(
                    Parameter::builder()
                        .parameter_key(name)
                        .parameter_value(id)
                        .build(),
                );
            }
        }
    }
    Ok((params, resolved))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Value {
        json!({"Parameters": {
            "ImageProd": {"Type": "String", "Default": ""},
            "HostedZoneIdExampleCom": {"Type": "AWS::Route53::HostedZone::Id"},
            "HostedZoneIdOtherCom": {"Type": "AWS::Route53::HostedZone::Id", "Default": "Z1"},
            "Plain": {"Type": "String"},
            "WithDefault": {"Type": "String", "Default": "x"}
        }})
    }

    fn deploy() -> BTreeMap<String, DeployParameter> {
        BTreeMap::from([
            (
                "ImageProd".into(),
                DeployParameter::StageImage {
                    stage: "prod".into(),
                },
            ),
            (
                "HostedZoneIdExampleCom".into(),
                DeployParameter::HostedZoneId {
                    domain: "example.com".into(),
                },
            ),
            (
                "HostedZoneIdOtherCom".into(),
                DeployParameter::HostedZoneId {
                    domain: "other.com".into(),
                },
            ),
        ])
    }

    #[test]
    fn create_uses_defaults_and_resolves_zones() {
        let overrides = BTreeMap::from([("Plain".to_string(), "v".to_string())]);
        let p = plan("s", &template(), &deploy(), &overrides, None).unwrap();
        assert_eq!(p["ImageProd"], Source::Default);
        assert_eq!(
            p["HostedZoneIdExampleCom"],
            Source::HostedZoneOf("example.com".into())
        );
        assert_eq!(p["HostedZoneIdOtherCom"], Source::Default);
        assert_eq!(p["Plain"], Source::Given("v".into()));
        assert_eq!(p["WithDefault"], Source::Default);
    }

    #[test]
    fn update_keeps_every_previous_value_it_is_not_given() {
        let previous: BTreeMap<String, String> = [
            "ImageProd",
            "Plain",
            "WithDefault",
            "HostedZoneIdExampleCom",
        ]
        .iter()
        .map(|k| (k.to_string(), "old".to_string()))
        .collect();
        let p = plan(
            "s",
            &template(),
            &deploy(),
            &BTreeMap::new(),
            Some(&previous),
        )
        .unwrap();
        assert_eq!(p["ImageProd"], Source::Previous);
        assert_eq!(p["Plain"], Source::Previous);
        assert_eq!(p["WithDefault"], Source::Previous);
        // Zones are looked up again: a recreated zone has a new id.
        assert_eq!(
            p["HostedZoneIdExampleCom"],
            Source::HostedZoneOf("example.com".into())
        );
        let given = BTreeMap::from([("ImageProd".to_string(), "repo@sha256:1".to_string())]);
        let p = plan("s", &template(), &deploy(), &given, Some(&previous)).unwrap();
        assert_eq!(p["ImageProd"], Source::Given("repo@sha256:1".into()));
    }

    #[test]
    fn a_parameter_without_any_value_is_named() {
        let err = plan("s", &template(), &deploy(), &BTreeMap::new(), None).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains("parameter Plain has no value"),
            "{err}"
        );
    }

    #[test]
    fn unknown_overrides_are_refused() {
        let t = template();
        let overrides = BTreeMap::from([("Nope".to_string(), "v".to_string())]);
        let err = check_overrides(&overrides, &[("s", &t)]).unwrap_err();
        assert!(
            err.to_string()
                .contains("--parameter Nope: no stack has this parameter"),
            "{err}"
        );
        let ok = BTreeMap::from([("Plain".to_string(), "v".to_string())]);
        assert!(check_overrides(&ok, &[("s", &t)]).is_ok());
    }
}
