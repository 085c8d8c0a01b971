//! The permissions boundary policy (`<TAG_STACK_NAME>-boundary`).

use crate::cfn::Template;
use crate::iam;
use bs_core::config::Config;
use bs_core::names;
use serde_json::{json, Value};

pub const ID: &str = "PermissionsBoundary";

pub fn add(t: &mut Template, c: &Config, templates: &[&Value]) {
    t.resource(
        ID,
        "AWS::IAM::ManagedPolicy",
        json!({
            "ManagedPolicyName": names::boundary_policy(&c.stack_name),
            "Description": format!("The most any role of {} may do (every role it creates carries this boundary)", c.stack_name),
            "PolicyDocument": {"Version": "2012-10-17", "Statement": iam::boundary::statements(templates)}
        }),
    )
    .accept_checkov(&[
        ("CKV_AWS_108", "A permissions boundary caps the roles' own policies, which scope every read to their resources; it grants nothing by itself."),
        ("CKV_AWS_109", "A permissions boundary caps the roles' own policies, which scope every action to their resources; it grants nothing by itself."),
        ("CKV_AWS_111", "A permissions boundary caps the roles' own policies, which scope every action to their resources; it grants nothing by itself."),
    ]);
}
