//! The CloudFormation role is complete and least-privilege, on every config in
//! `configs/` and `tests/configs/`: every handler permission of every resource
//! type the pipeline and backstage templates contain is granted or excluded
//! with a reason; nothing lets whoever can update those stacks escalate.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use bs_synth::iam::cloudformation_role::{excluded, EXCLUDED};
use bs_synth::iam::handler_permissions::table;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// IAM's action match: `*` any run, `?` one character, case-insensitive.
fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], t) || (!t.is_empty() && go(p, &t[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => go(&p[1..], &t[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

/// The CloudFormation role's statements: its managed policies' documents.
fn role_statements(bootstrap: &Value, stack: &str) -> Vec<Value> {
    let role = &bootstrap["Resources"]["CloudFormationRole"];
    assert_eq!(
        role["Properties"]["RoleName"],
        format!("{stack}-pipeline-cfn")
    );
    assert!(role["Properties"].get("Policies").is_none());
    let mut out = Vec::new();
    for arn in role["Properties"]["ManagedPolicyArns"].as_array().unwrap() {
        let policy = &bootstrap["Resources"][arn["Ref"].as_str().unwrap()];
        let document = &policy["Properties"]["PolicyDocument"];
        // IAM's limit for a managed policy, without whitespace, with the
        // substitutions' worst-case expansion (a partition name is shorter).
        assert!(
            document.to_string().len() <= 6_144,
            "{arn}: {} characters",
            document.to_string().len()
        );
        out.extend(document["Statement"].as_array().unwrap().iter().cloned());
    }
    out
}

fn granted(statements: &[Value], action: &str) -> bool {
    statements.iter().any(|s| {
        s["Effect"] == "Allow"
            && as_list(&s["Action"])
                .iter()
                .any(|a| glob(a.as_str().unwrap(), action))
    })
}

#[test]
fn every_handler_permission_of_every_deployed_type_is_granted_or_excluded_with_a_reason() {
    for (file, c, a) in every_config() {
        let bootstrap = template(&a, &format!("{}-bootstrap", c.stack_name));
        let statements = role_statements(bootstrap, &c.stack_name);
        for name in [format!("{}-pipeline", c.stack_name), c.stack_name.clone()] {
            let t = template(&a, &name);
            for (id, r) in t["Resources"].as_object().unwrap() {
                let ty = r["Type"].as_str().unwrap();
                let entry = table().types.get(ty).unwrap_or_else(|| {
                    panic!(
                        "{file}: {name}.{id} is a {ty}, which handler_permissions.json does not \
                         know: run scripts/iam/handler-permissions.py and review the new permissions"
                    )
                });
                for action in entry.actions() {
                    assert!(
                        excluded(action).is_some() || granted(&statements, action),
                        "{file}: CloudFormation's role lacks {action}, which the {ty} handler \
                         needs ({name}.{id}): grant it or exclude it with a reason"
                    );
                }
                // A property the table was not reviewed with may need more.
                for property in r["Properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|p| p.0)
                {
                    assert!(
                        entry.properties.contains(property),
                        "{file}: {name}.{id} ({ty}) sets {property}, which \
                         handler_permissions.json was not made with: run \
                         scripts/iam/handler-permissions.py and review the diff"
                    );
                }
            }
        }
    }
}

#[test]
fn nothing_excluded_is_granted_and_every_exclusion_is_used() {
    let mut used = BTreeSet::new();
    for (file, c, a) in every_config() {
        let bootstrap = template(&a, &format!("{}-bootstrap", c.stack_name));
        let statements = role_statements(bootstrap, &c.stack_name);
        for entry in table().types.values() {
            for action in entry.actions() {
                if let Some(reason) = excluded(action) {
                    used.insert(reason);
                    assert!(
                        !granted(&statements, action),
                        "{file}: {action} is excluded ({reason}) yet granted"
                    );
                }
            }
        }
    }
    for (pattern, reason) in EXCLUDED {
        assert!(
            used.contains(reason),
            "exclusion {pattern} matches no handler permission"
        );
    }
}

#[test]
fn roles_the_stacks_create_carry_the_boundary_which_cloudformation_cannot_touch() {
    for (file, c, a) in every_config() {
        let stack = &c.stack_name;
        let boundary = json!({"Fn::Sub": format!(
            "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{stack}-boundary"
        )});
        // Every role of the stacks the role deploys carries the boundary.
        for name in [format!("{stack}-pipeline"), stack.clone()] {
            for (id, r) in resources_of(template(&a, &name), "AWS::IAM::Role") {
                assert_eq!(
                    r["Properties"]["PermissionsBoundary"], boundary,
                    "{file}: {id}"
                );
            }
        }
        let bootstrap = template(&a, &format!("{stack}-bootstrap"));
        assert_eq!(
            resource(bootstrap, "PermissionsBoundary")["Properties"]["ManagedPolicyName"],
            format!("{stack}-boundary")
        );
        let statements = role_statements(bootstrap, stack);
        for s in &statements {
            let actions: Vec<String> = as_list(&s["Action"])
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect();
            let text = s["Resource"].to_string();
            // No policy editing at all: the boundary and the role's own policies
            // are out of reach.
            for a in &actions {
                assert!(
                    !a.contains("Policy")
                        || !a.starts_with("iam:")
                        || a.ends_with("RolePolicy")
                        || a.ends_with("RolePolicies"),
                    "{file}: {a}"
                );
                assert_ne!(a, "iam:DeleteRolePermissionsBoundary", "{file}");
            }
            let writes = [
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "iam:AttachRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePermissionsBoundary",
            ];
            if actions.iter().any(|a| writes.contains(&a.as_str())) {
                assert_eq!(
                    s["Condition"],
                    json!({"StringEquals": {"iam:PermissionsBoundary": boundary}}),
                    "{file}: {s}"
                );
            }
            if actions.iter().any(|a| {
                a.starts_with("iam:") && a != "iam:ListRoles" && a != "iam:CreateServiceLinkedRole"
            }) {
                // Never its own role, the pipeline's roles, or roles outside
                // the backstage stack's names.
                for protected in [
                    "pipeline-cfn",
                    "pipeline-role",
                    "pipeline-synth",
                    "pipeline-deploy",
                ] {
                    let role = format!("role/{stack}-{protected}");
                    for r in as_list(&s["Resource"]) {
                        let pattern = r["Fn::Sub"].as_str().unwrap_or_else(|| r.as_str().unwrap());
                        let pattern = pattern.rsplit(':').next().unwrap();
                        let may = glob(pattern, &role);
                        let passes_pipeline_role =
                            actions == ["iam:PassRole"] && protected != "pipeline-cfn";
                        assert!(
                            !may || passes_pipeline_role,
                            "{file}: {actions:?} on {text} reaches {role}"
                        );
                    }
                }
                assert!(!text.contains("role/*"), "{file}: {text}");
            }
            if actions.contains(&"iam:PassRole".to_string()) {
                assert!(
                    s["Condition"]["StringEquals"]["iam:PassedToService"].is_string(),
                    "{file}: PassRole without iam:PassedToService: {s}"
                );
            }
            // S3 only on the stacks' own buckets.
            if actions
                .iter()
                .any(|a| a.starts_with("s3:") && a != "s3:ListAllMyBuckets")
            {
                for r in as_list(&s["Resource"]) {
                    let arn = r["Fn::Sub"].as_str().unwrap();
                    assert!(
                        arn.starts_with(&format!(
                            "arn:${{AWS::Partition}}:s3:::{}-",
                            stack.to_lowercase()
                        )),
                        "{file}: {arn}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_bootstrap_stack_is_deployed_without_the_role_and_the_others_require_its_digest() {
    for (file, c, a) in every_config() {
        let stack = &c.stack_name;
        let bootstrap = &a.stacks[0];
        assert_eq!(bootstrap.name, format!("{stack}-bootstrap"), "{file}");
        assert!(bootstrap.without_role, "{file}");
        let digest = bootstrap.template.as_ref().unwrap()["Outputs"]["Digest"]["Value"].clone();
        assert!(
            digest.as_str().is_some_and(|d| d.len() == 16),
            "{file}: {digest}"
        );
        for s in &a.stacks[1..] {
            assert!(!s.without_role, "{file}");
            assert!(
                s.requires
                    .contains(&bs_core::assembly::Prerequisite::StackOutput {
                        stack: format!("{stack}-bootstrap"),
                        output: "Digest".into(),
                        value: digest.as_str().unwrap().into(),
                    }),
                "{file}: {}: {:?}",
                s.name,
                s.requires
            );
        }
    }
    // Another config that needs other permissions makes another digest.
    let digest = |name: &str| {
        synth(&load_named(name)).stacks[0]
            .template
            .as_ref()
            .unwrap()["Outputs"]["Digest"]
            .clone()
    };
    assert_ne!(digest("minimal"), digest("five-stages"));
}

#[test]
fn the_glob_matches_as_iam_does() {
    assert!(glob("s3:Get*", "s3:GetBucketTagging"));
    assert!(glob("S3:getbucket?agging", "s3:GetBucketTagging"));
    assert!(!glob("s3:GetBucket*", "s3:GetAccelerateConfiguration"));
    assert!(!glob("s3:Get", "s3:GetObject"));
}
