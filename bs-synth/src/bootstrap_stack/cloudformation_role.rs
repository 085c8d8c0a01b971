//! The role CloudFormation assumes to deploy the pipeline and backstage
//! stacks: `<TAG_STACK_NAME>-pipeline-cfn`, with its permissions
//! (`iam::cloudformation_role`) in managed policies of at most
//! [`POLICY_LIMIT`] characters each.

use crate::cfn::{assume_role_by, r, Template};
use crate::iam;
use bs_core::config::Config;
use bs_core::names;
use serde_json::{json, Value};

pub const ID: &str = "CloudFormationRole";

/// IAM's limit on a managed policy document (characters, without
/// whitespace), less room for the substitutions' expansion and the envelope.
pub const POLICY_LIMIT: usize = 5_600;

/// Statements in groups whose JSON stays under [`POLICY_LIMIT`], in order.
fn chunks(statements: Vec<Value>) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = Vec::new();
    let mut size = 0;
    for s in statements {
        let n = s.to_string().len() + 1;
        match out.last_mut() {
            Some(last) if size + n <= POLICY_LIMIT => {
                last.push(s);
                size += n;
            }
            _ => {
                out.push(vec![s]);
                size = n;
            }
        }
    }
    out
}

pub fn add(t: &mut Template, c: &Config, deployed: &[&Value]) {
    let stack = &c.stack_name;
    let role = names::roles::cloudformation(stack);
    let mut policies = Vec::new();
    for (i, statements) in chunks(iam::cloudformation_role::statements(c, deployed))
        .into_iter()
        .enumerate()
    {
        let id = format!("CloudFormationPolicy{}", i + 1);
        t.resource(
            &id,
            "AWS::IAM::ManagedPolicy",
            json!({
                "ManagedPolicyName": format!("{role}-{}", i + 1),
                "Description": format!("CloudFormation's permissions for {} and {} ({})", names::pipeline_stack(stack), stack, i + 1),
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}
            }),
        )
        .accept_checkov(&[
            ("CKV_AWS_107", "CloudFormation's deploy role: it manages the stacks' secrets, named with the stack prefix."),
            ("CKV_AWS_109", "CloudFormation's deploy role: derived from the resource handlers' permissions; IAM only on the stack's role names, with the permissions boundary."),
            ("CKV_AWS_110", "CloudFormation's deploy role: roles it creates carry the permissions boundary, which it cannot remove or edit."),
            ("CKV_AWS_111", "CloudFormation's deploy role: derived from the resource handlers' permissions, scoped to the stacks' resources where IAM can scope them."),
        ]);
        policies.push(r(&id));
    }
    t.resource(
        ID,
        "AWS::IAM::Role",
        json!({
            "RoleName": role,
            "Description": format!("Assumed by CloudFormation to deploy {} and {stack}", names::pipeline_stack(stack)),
            "AssumeRolePolicyDocument": assume_role_by("cloudformation.amazonaws.com"),
            "ManagedPolicyArns": policies
        }),
    );
    t.output(
        "CloudFormationRoleArn",
        "The role CloudFormation assumes to deploy the pipeline and backstage stacks (bs-deploy --role-arn)",
        crate::cfn::get_att(ID, "Arn"),
    );
}
