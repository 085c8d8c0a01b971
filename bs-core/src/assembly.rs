//! The assembly: the JSON document `bs-synth` prints and `bs-deploy` reads.
//! Schema: `docs/assembly.md`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const VERSION: u32 = 1;
/// The file `bs-synth --out DIR` writes beside the templates.
pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assembly {
    pub version: u32,
    /// The tool and version that made it, e.g. `bs-synth 0.1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    /// In deploy order.
    pub stacks: Vec<StackArtifact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackArtifact {
    pub name: String,
    pub account: String,
    pub region: String,
    /// Stack-level tags (CloudFormation copies them to every resource it can).
    pub tags: BTreeMap<String, String>,
    /// Capabilities the deploy must acknowledge.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Template parameters whose value is decided at deploy time.
    #[serde(default)]
    pub parameters: BTreeMap<String, DeployParameter>,
    /// What must exist before the stack is deployed (bs-bootstrap makes it);
    /// a deploy tool checks it before its first change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Prerequisite>,
    /// Deployed with the caller's own credentials, never through a
    /// CloudFormation role (`--role-arn`): the bootstrap stack, which holds that
    /// role and the pipeline's roles.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_role: bool,
    /// Bytes of the minified template, as CloudFormation will measure it.
    #[serde(default)]
    pub template_bytes: usize,
    #[serde(default)]
    pub resource_count: usize,
    /// The template itself (in the stdout assembly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<serde_json::Value>,
    /// The template's file name, relative to the manifest (in `--out DIR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_file: Option<String>,
}

/// How a deploy tool fills a template parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DeployParameter {
    /// The id of the Route 53 hosted zone named `domain`: looked up at deploy time
    /// unless the template's default (HOSTED_ZONE_ID) or an override gives it.
    HostedZoneId { domain: String },
    /// The image `stage` runs. Never changed by an infrastructure deploy: an update
    /// keeps the previous value; only a promotion sets it. Empty on first deploy
    /// (the stage's service then runs no task).
    StageImage { stage: String },
}

/// Something a stack refers to but does not own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Prerequisite {
    /// The ECR repository the stages pull from, in the stack's account and region.
    EcrRepository { name: String },
    /// Stack `stack` exists and its output `output` is `value`: the bootstrap
    /// stack, in the version these templates were made with (its digest). Met
    /// too when `stack` is deployed earlier in the same run.
    StackOutput {
        stack: String,
        output: String,
        value: String,
    },
}

/// serde's message in the assembly's words, not the Rust types': "expected a
/// stack entry", not "expected struct StackArtifact". The position serde appends
/// is given separately.
fn in_its_words(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    [
        (
            "struct Assembly",
            "an assembly (an object with `version` and `stacks`)",
        ),
        (
            "struct StackArtifact",
            "a stack entry (an object with `name`, `account`, `region`, …)",
        ),
        (
            "internally tagged enum DeployParameter",
            "a parameter entry (an object with `kind`)",
        ),
        (
            "internally tagged enum Prerequisite",
            "a `requires` entry (an object with `kind`)",
        ),
    ]
    .iter()
    .fold(message.to_string(), |m, (rust, words)| {
        m.replace(rust, words)
    })
}

impl Assembly {
    /// Parses an assembly, with an error that says what is wrong with it.
    pub fn from_json(text: &str) -> Result<Assembly, String> {
        if text.trim().is_empty() {
            return Err(
                "the assembly is empty: pipe `bs-synth` into this tool or pass --assembly".into(),
            );
        }
        let assembly: Assembly = serde_json::from_str(text).map_err(|e| {
            let what = if e.is_eof() { "truncated" } else { "not valid" };
            format!(
                "the assembly is {what} (line {}, column {}): {}",
                e.line(),
                e.column(),
                in_its_words(&e.to_string())
            )
        })?;
        if assembly.version != VERSION {
            return Err(format!(
                "assembly version {} is not supported (this tool reads version {VERSION})",
                assembly.version
            ));
        }
        if assembly.stacks.is_empty() {
            return Err("the assembly holds no stacks".into());
        }
        Ok(assembly)
    }

    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.name == name)
    }

    pub fn stack_names(&self) -> Vec<&str> {
        self.stacks.iter().map(|s| s.name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Assembly {
        Assembly {
            version: VERSION,
            generator: Some("bs-synth 0".into()),
            stacks: vec![StackArtifact {
                name: "s".into(),
                account: "123456789012".into(),
                region: "us-east-1".into(),
                tags: BTreeMap::from([("Name".into(), "s".into())]),
                capabilities: vec!["CAPABILITY_NAMED_IAM".into()],
                parameters: BTreeMap::from([
                    (
                        "HostedZoneIdExampleCom".into(),
                        DeployParameter::HostedZoneId {
                            domain: "example.com".into(),
                        },
                    ),
                    (
                        "ImageProd".into(),
                        DeployParameter::StageImage {
                            stage: "prod".into(),
                        },
                    ),
                ]),
                without_role: false,
                requires: vec![Prerequisite::EcrRepository {
                    name: "team/backstage".into(),
                }],
                template_bytes: 2,
                resource_count: 0,
                template: Some(serde_json::json!({})),
                template_file: None,
            }],
        }
    }

    #[test]
    fn round_trips_with_tagged_parameters() {
        let a = sample();
        let text = serde_json::to_string(&a).unwrap();
        assert!(
            text.contains(r#""kind":"hosted-zone-id","domain":"example.com""#),
            "{text}"
        );
        assert!(
            text.contains(r#""kind":"stage-image","stage":"prod""#),
            "{text}"
        );
        assert!(
            text.contains(r#""requires":[{"kind":"ecr-repository","name":"team/backstage"}]"#),
            "{text}"
        );
        assert_eq!(Assembly::from_json(&text).unwrap(), a);
    }

    #[test]
    fn bad_input_is_named() {
        assert!(Assembly::from_json("").unwrap_err().contains("empty"));
        assert!(Assembly::from_json("  \n").unwrap_err().contains("empty"));
        let text = serde_json::to_string(&sample()).unwrap();
        let cut = &text[..text.len() / 2];
        assert!(Assembly::from_json(cut).unwrap_err().contains("truncated"));
        assert!(Assembly::from_json("garbage")
            .unwrap_err()
            .contains("not valid"));
        let err = Assembly::from_json(r#"{"version": 9, "stacks": []}"#).unwrap_err();
        assert!(err.contains("version 9"), "{err}");
        assert!(Assembly::from_json(r#"{"version": 1, "stacks": []}"#)
            .unwrap_err()
            .contains("no stacks"));
    }

    #[test]
    fn errors_speak_of_the_assembly_not_of_rust_types() {
        let e = Assembly::from_json(r#"{"version": 1, "stacks": [5]}"#).unwrap_err();
        assert!(e.contains("expected a stack entry"), "{e}");
        assert!(!e.contains("StackArtifact") && !e.contains("struct"), "{e}");
        let e = Assembly::from_json(r#"{"version": 1, "stacks": [{"name": "s", "account": "1", "region": "r", "tags": {}, "parameters": {"P": 3}}]}"#).unwrap_err();
        assert!(e.contains("a parameter entry"), "{e}");
        assert!(!e.contains("DeployParameter") && !e.contains("enum"), "{e}");
        // The position once, from the wrapper.
        assert_eq!(e.matches("line").count(), 1, "{e}");
    }
}
