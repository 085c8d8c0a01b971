//! A small builder for CloudFormation templates: resources, parameters,
//! conditions and outputs, the intrinsic functions we use, IAM policy pieces,
//! and the `Name`/`Product` tags every taggable resource gets.
//!
//! Templates are `serde_json::Value`s whose maps are sorted by key, so the same
//! config always gives the same bytes.

use serde_json::{json, Map, Value};

/// How a resource type takes tags.
enum TagStyle {
    /// `Tags: [{Key, Value}]`
    List,
    /// `Tags: {key: value}`
    Map,
    /// The type has no `Tags` property.
    None,
}

fn tag_style(resource_type: &str) -> TagStyle {
    match resource_type {
        "AWS::EC2::VPC"
        | "AWS::EC2::Subnet"
        | "AWS::EC2::InternetGateway"
        | "AWS::EC2::RouteTable"
        | "AWS::EC2::EIP"
        | "AWS::EC2::NatGateway"
        | "AWS::EC2::SecurityGroup"
        | "AWS::EC2::FlowLog"
        | "AWS::ECS::Cluster"
        | "AWS::ECS::TaskDefinition"
        | "AWS::ECS::Service"
        | "AWS::ECR::Repository"
        | "AWS::IAM::Role"
        | "AWS::Logs::LogGroup"
        | "AWS::S3::Bucket"
        | "AWS::SecretsManager::Secret"
        | "AWS::RDS::DBCluster"
        | "AWS::RDS::DBInstance"
        | "AWS::RDS::DBSubnetGroup"
        | "AWS::CertificateManager::Certificate"
        | "AWS::ElasticLoadBalancingV2::LoadBalancer"
        | "AWS::ElasticLoadBalancingV2::TargetGroup"
        | "AWS::CodeBuild::Project"
        | "AWS::CodePipeline::Pipeline"
        | "AWS::SNS::Topic" => TagStyle::List,
        "AWS::CodeStarNotifications::NotificationRule" => TagStyle::Map,
        "AWS::EC2::VPCGatewayAttachment"
        | "AWS::EC2::Route"
        | "AWS::EC2::SubnetRouteTableAssociation"
        | "AWS::EC2::SecurityGroupIngress"
        | "AWS::EC2::SecurityGroupEgress"
        | "AWS::S3::BucketPolicy"
        | "AWS::SNS::TopicPolicy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::ElasticLoadBalancingV2::Listener"
        | "AWS::SecretsManager::SecretTargetAttachment"
        | "AWS::Route53::RecordSet" => TagStyle::None,
        other => panic!("resource type {other} is not classified in cfn::tag_style"),
    }
}

/// Whether a resource type has a `Tags` property (used by tests).
pub fn is_taggable(resource_type: &str) -> bool {
    !matches!(tag_style(resource_type), TagStyle::None)
}

pub struct Template {
    description: String,
    tags: Vec<(String, String)>,
    parameters: Map<String, Value>,
    conditions: Map<String, Value>,
    resources: Map<String, Value>,
    outputs: Map<String, Value>,
}

impl Template {
    /// `tags` go on every taggable resource, in this order.
    pub fn new(description: impl Into<String>, tags: Vec<(String, String)>) -> Template {
        Template {
            description: description.into(),
            tags,
            parameters: Map::new(),
            conditions: Map::new(),
            resources: Map::new(),
            outputs: Map::new(),
        }
    }

    /// Adds a resource with the template's tags and returns its body, for
    /// `DependsOn`, `Condition`, deletion policies and metadata.
    pub fn resource(&mut self, id: &str, resource_type: &str, properties: Value) -> Resource<'_> {
        let mut properties = match properties {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => panic!("properties of {id} must be an object, got {other}"),
        };
        match tag_style(resource_type) {
            TagStyle::List => {
                let mut list: Vec<Value> = self
                    .tags
                    .iter()
                    .map(|(k, v)| json!({"Key": k, "Value": v}))
                    .collect();
                if let Some(Value::Array(extra)) = properties.remove("Tags") {
                    list.extend(extra);
                }
                properties.insert("Tags".into(), Value::Array(list));
            }
            TagStyle::Map => {
                let map: Map<String, Value> = self
                    .tags
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                properties.insert("Tags".into(), Value::Object(map));
            }
            TagStyle::None => {}
        }
        let mut body = Map::new();
        body.insert("Type".into(), Value::String(resource_type.into()));
        if !properties.is_empty() {
            body.insert("Properties".into(), Value::Object(properties));
        }
        let previous = self.resources.insert(id.to_string(), Value::Object(body));
        assert!(previous.is_none(), "logical id {id} is used twice");
        match self.resources.get_mut(id) {
            Some(Value::Object(body)) => Resource { body },
            _ => unreachable!("just inserted"),
        }
    }

    pub fn parameter(&mut self, id: &str, body: Value) {
        self.parameters.insert(id.to_string(), body);
    }

    pub fn condition(&mut self, id: &str, body: Value) {
        self.conditions.insert(id.to_string(), body);
    }

    pub fn output(&mut self, id: &str, description: &str, value: Value) {
        self.outputs.insert(
            id.to_string(),
            json!({"Description": description, "Value": value}),
        );
    }

    /// Sets `property` to `value` on every resource of `resource_type`.
    pub fn set_on_each(&mut self, resource_type: &str, property: &str, value: &Value) {
        for body in self.resources.values_mut() {
            if body["Type"] == resource_type {
                body["Properties"][property] = value.clone();
            }
        }
    }

    /// An output other stacks import by `export`.
    pub fn export(&mut self, id: &str, description: &str, value: Value, export: &str) {
        self.outputs.insert(
            id.to_string(),
            json!({"Description": description, "Value": value, "Export": {"Name": export}}),
        );
    }

    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }

    pub fn into_json(self) -> Value {
        let mut t = Map::new();
        t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        t.insert("Description".into(), Value::String(self.description));
        for (key, section) in [
            ("Parameters", self.parameters),
            ("Conditions", self.conditions),
            ("Resources", self.resources),
            ("Outputs", self.outputs),
        ] {
            if !section.is_empty() {
                t.insert(key.into(), Value::Object(section));
            }
        }
        Value::Object(t)
    }
}

/// A resource's body, for the attributes beside `Properties`.
pub struct Resource<'a> {
    body: &'a mut Map<String, Value>,
}

impl Resource<'_> {
    pub fn depends_on(self, ids: &[&str]) -> Self {
        let mut ids: Vec<&str> = ids.to_vec();
        ids.sort_unstable();
        self.body.insert("DependsOn".into(), json!(ids));
        self
    }

    pub fn condition(self, name: &str) -> Self {
        self.body.insert("Condition".into(), json!(name));
        self
    }

    /// `DeletionPolicy` and `UpdateReplacePolicy` both.
    pub fn keep_on_delete(self, policy: &str) -> Self {
        self.body.insert("DeletionPolicy".into(), json!(policy));
        self.body
            .insert("UpdateReplacePolicy".into(), json!(policy));
        self
    }

    /// Checkov findings accepted on purpose, each with its reason; listed in
    /// `docs/checks.md` as well.
    pub fn accept_checkov(self, findings: &[(&str, &str)]) -> Self {
        let skip: Vec<Value> = findings
            .iter()
            .map(|(id, why)| json!({"id": id, "comment": why}))
            .collect();
        self.body
            .insert("Metadata".into(), json!({"checkov": {"skip": skip}}));
        self
    }
}

/// The same value with every object's keys in sorted order.
///
/// serde_json keeps insertion order when any crate in the build enables its
/// `preserve_order` feature (the AWS SDK's HTTP client does, so a workspace
/// build differs from `cargo install --path bs-synth`). Templates are
/// canonicalized so the bytes depend on the config alone.
pub fn canonical(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

// ---- Intrinsic functions -------------------------------------------------------

pub fn r(id: &str) -> Value {
    json!({ "Ref": id })
}

pub fn get_att(id: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [id, attribute] })
}

pub fn sub(text: &str) -> Value {
    json!({ "Fn::Sub": text })
}

pub fn join(parts: Vec<Value>) -> Value {
    json!({ "Fn::Join": ["", parts] })
}

/// `Fn::ImportValue` of another stack's export.
pub fn import(export: &str) -> Value {
    json!({ "Fn::ImportValue": export })
}

pub fn if_(condition: &str, then: Value, otherwise: Value) -> Value {
    json!({ "Fn::If": [condition, then, otherwise] })
}

/// `arn:<partition>:<service>:<region>:<account>:<resource>` of this stack's
/// account and region; `resource` may hold `${…}` substitutions.
pub fn arn(service: &str, resource: &str) -> Value {
    sub(&format!(
        "arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"
    ))
}

/// An ARN of a global service (IAM, S3 buckets): no region; IAM keeps the account.
pub fn global_arn(service: &str, with_account: bool, resource: &str) -> Value {
    if with_account {
        sub(&format!(
            "arn:${{AWS::Partition}}:{service}::${{AWS::AccountId}}:{resource}"
        ))
    } else {
        sub(&format!("arn:${{AWS::Partition}}:{service}:::{resource}"))
    }
}

/// The ARN of a Secrets Manager secret given by name or ARN, with the wildcard
/// for the six random characters Secrets Manager appends to names.
pub fn secret_arn_pattern(name_or_arn: &str) -> Value {
    if name_or_arn.starts_with("arn:") {
        Value::String(name_or_arn.to_string())
    } else {
        arn("secretsmanager", &format!("secret:{name_or_arn}-??????"))
    }
}

/// The `ValueFrom` of an ECS secret: one JSON key of a secret given by name or ARN.
pub fn secret_key_ref(name_or_arn: &str, key: &str) -> Value {
    if name_or_arn.starts_with("arn:") {
        Value::String(format!("{name_or_arn}:{key}::"))
    } else {
        arn("secretsmanager", &format!("secret:{name_or_arn}:{key}::"))
    }
}

// ---- IAM -------------------------------------------------------------------------

pub fn assume_role_by(service: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole"
        }]
    })
}

pub fn allow(actions: &[&str], resources: Vec<Value>) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resources})
}

pub fn allow_with(actions: &[&str], resources: Vec<Value>, condition: Value) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resources, "Condition": condition})
}

/// An inline policy of a role.
pub fn policy(name: &str, statements: Vec<Value>) -> Value {
    json!({
        "PolicyName": name,
        "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}
    })
}

/// Denies any request to `bucket` that does not use TLS.
pub fn deny_insecure_transport(bucket_id: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:*",
            "Resource": [get_att(bucket_id, "Arn"), sub(&format!("${{{bucket_id}.Arn}}/*"))],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> Vec<(String, String)> {
        vec![("Name".into(), "s".into()), ("Product".into(), "p".into())]
    }

    #[test]
    fn resources_get_tags_in_their_type_s_format() {
        let mut t = Template::new("d", tags());
        t.resource("B", "AWS::S3::Bucket", json!({}));
        t.resource(
            "N",
            "AWS::CodeStarNotifications::NotificationRule",
            json!({"Name": "n"}),
        );
        t.resource(
            "L",
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({"Port": 443}),
        );
        let v = t.into_json();
        assert_eq!(
            v["Resources"]["B"]["Properties"]["Tags"],
            json!([{"Key": "Name", "Value": "s"}, {"Key": "Product", "Value": "p"}])
        );
        assert_eq!(
            v["Resources"]["N"]["Properties"]["Tags"],
            json!({"Name": "s", "Product": "p"})
        );
        assert!(v["Resources"]["L"]["Properties"].get("Tags").is_none());
    }

    #[test]
    #[should_panic(expected = "used twice")]
    fn duplicate_logical_ids_are_caught() {
        let mut t = Template::new("d", tags());
        t.resource("B", "AWS::S3::Bucket", json!({}));
        t.resource("B", "AWS::S3::Bucket", json!({}));
    }

    #[test]
    fn attributes_and_empty_sections() {
        let mut t = Template::new("d", tags());
        t.resource("B", "AWS::S3::Bucket", json!({}))
            .depends_on(&["Z", "A"])
            .keep_on_delete("Retain");
        let v = t.into_json();
        assert_eq!(v["Resources"]["B"]["DependsOn"], json!(["A", "Z"]));
        assert_eq!(v["Resources"]["B"]["DeletionPolicy"], json!("Retain"));
        assert!(v.get("Parameters").is_none());
        assert!(v.get("Outputs").is_none());
    }

    #[test]
    fn canonical_sorts_keys_at_every_depth_whatever_the_map_keeps() {
        let mut inner = Map::new();
        inner.insert("z".into(), json!(1));
        inner.insert("a".into(), json!([{"y": 1, "b": 2}]));
        let mut outer = Map::new();
        outer.insert("b".into(), Value::Object(inner));
        outer.insert("a".into(), json!(0));
        let text = canonical(Value::Object(outer)).to_string();
        assert_eq!(text, r#"{"a":0,"b":{"a":[{"b":2,"y":1}],"z":1}}"#);
    }

    #[test]
    fn secret_references() {
        assert_eq!(
            secret_key_ref("app/gh", "id"),
            json!({"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:app/gh:id::"})
        );
        let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf";
        assert_eq!(
            secret_key_ref(arn, "secret"),
            json!(format!("{arn}:secret::"))
        );
        assert_eq!(secret_arn_pattern(arn), json!(arn));
    }
}
