//! The stack's inputs: one image per stage, one hosted zone id per domain.
//!
//! The image a stage runs is an explicit input, never the moving `latest` tag:
//! an infrastructure update keeps each stage's image (bs-deploy passes the
//! previous value), and only a promotion changes it. It is empty until the first
//! promotion; the stage's service then runs no task, so the first deploy
//! succeeds before any image exists.
//!
//! The hosted zone ids are parameters because bs-synth never calls AWS: bs-deploy
//! looks each up from its DOMAIN_NAME, unless HOSTED_ZONE_ID gives it (then it is
//! the default).

use crate::cfn::{r, Template};
use bs_core::config::{Config, Stage};
use bs_core::names::logical_part;
use serde_json::json;

pub fn image_parameter(stage: &Stage) -> String {
    bs_core::names::stack_keys::image_parameter(&stage.id)
}

pub fn has_image_condition(stage: &Stage) -> String {
    format!("HasImage{}", stage.id)
}

pub fn hosted_zone_parameter(domain: &str) -> String {
    format!("HostedZoneId{}", logical_part(domain))
}

pub fn add(t: &mut Template, c: &Config) {
    for domain in c.domains() {
        let default = c
            .stages
            .iter()
            .find(|s| s.domain_name == domain && s.hosted_zone_id.is_some())
            .and_then(|s| s.hosted_zone_id.clone());
        let mut body = json!({
            "Type": "AWS::Route53::HostedZone::Id",
            "Description": format!("Id of the Route 53 hosted zone {domain} (bs-deploy looks it up when not given)")
        });
        if let Some(id) = default {
            body["Default"] = json!(id);
        }
        t.parameter(&hosted_zone_parameter(domain), body);
    }
    for stage in &c.stages {
        let param = image_parameter(stage);
        t.parameter(
            &param,
            json!({
                "Type": "String",
                "Default": "",
                "AllowedPattern": "^$|^[a-z0-9][a-z0-9./:_@-]*$",
                "ConstraintDescription": "an image reference such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/backstage@sha256:…, or empty",
                "Description": format!("The image stage {} runs, by digest; empty until its first promotion (bs-promote sets it)", stage.name)
            }),
        );
        t.condition(
            &has_image_condition(stage),
            json!({"Fn::Not": [{"Fn::Equals": [r(&param), ""]}]}),
        );
    }
}
