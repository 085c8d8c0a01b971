//! Stack 2, `<TAG_STACK_NAME>`: everything the stages share (network, cluster,
//! app pipeline) and, per stage, the database, certificate, load balancer,
//! service and DNS record. The image repository is bs-bootstrap's: the stack
//! refers to it by name (`repository.rs`).

mod app_pipeline;
mod certificate;
mod database;
mod dns;
mod load_balancer;
mod network;
mod parameters;
mod security_groups;
mod service;

use crate::cfn::Template;
use crate::stack_tags;
use bs_core::assembly::DeployParameter;
use bs_core::config::Config;
use std::collections::BTreeMap;

pub use parameters::{hosted_zone_parameter, image_parameter};

pub fn template(c: &Config) -> Template {
    let stage_names: Vec<&str> = c.stages.iter().map(|s| s.name.as_str()).collect();
    let mut t = Template::new(
        format!(
            "bs toolkit: Backstage on ECS Fargate with Aurora PostgreSQL, stages {} (stack {})",
            stage_names.join(", "),
            c.stack_name
        ),
        stack_tags(c),
    );
    parameters::add(&mut t, c);
    network::add(&mut t, c);
    crate::repository::add(&mut t, c);
    service::add_shared(&mut t, c);
    for stage in &c.stages {
        security_groups::add(&mut t, stage);
        database::add(&mut t, c, stage);
        let certificate = certificate::add(&mut t, stage);
        load_balancer::add(&mut t, stage, certificate);
        service::add(&mut t, c, stage);
        dns::add(&mut t, stage);
    }
    app_pipeline::add(&mut t, c);
    // Whatever role this stack makes, it can do no more than the boundary
    // allows (the bootstrap stack's policy, which CloudFormation's role cannot
    // change or remove).
    t.set_on_each(
        "AWS::IAM::Role",
        "PermissionsBoundary",
        &crate::iam::cloudformation_role::boundary_arn(c),
    );
    t
}

/// What must exist before this stack is deployed: the image repository.
pub fn prerequisites(c: &Config) -> Vec<bs_core::assembly::Prerequisite> {
    vec![crate::repository::prerequisite(c)]
}

/// The parameters of this stack that a deploy tool fills in.
pub fn deploy_parameters(c: &Config) -> BTreeMap<String, DeployParameter> {
    let mut out = BTreeMap::new();
    for domain in c.domains() {
        out.insert(
            hosted_zone_parameter(domain),
            DeployParameter::HostedZoneId {
                domain: domain.to_string(),
            },
        );
    }
    for stage in &c.stages {
        out.insert(
            image_parameter(stage),
            DeployParameter::StageImage {
                stage: stage.name.clone(),
            },
        );
    }
    out
}
