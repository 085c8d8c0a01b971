//! Per stage: a generated database credential and an Aurora PostgreSQL
//! (Serverless v2) cluster using it: encrypted storage, backups retained, a
//! snapshot when the cluster is deleted or replaced.

use super::security_groups;
use crate::cfn::{get_att, r, sub, Template};
use bs_core::config::{Config, Stage};
use serde_json::{json, Value};

pub const BACKUP_RETENTION_DAYS: u32 = 7;

pub fn secret(stage: &Stage) -> String {
    format!("DatabaseSecret{}", stage.id)
}

pub fn cluster(stage: &Stage) -> String {
    bs_core::names::stack_keys::database_cluster(&stage.id)
}

/// `{{resolve:…}}` of one key of the stage's database secret.
fn resolve(stage: &Stage, key: &str) -> Value {
    sub(&format!(
        "{{{{resolve:secretsmanager:${{{}}}:SecretString:{key}}}}}",
        secret(stage)
    ))
}

pub fn add(t: &mut Template, c: &Config, stage: &Stage) {
    let (secret_id, cluster_id) = (secret(stage), cluster(stage));
    let template = json!({"username": stage.postgres_user}).to_string();
    t.resource(
        &secret_id,
        "AWS::SecretsManager::Secret",
        json!({
            // Named with the stack prefix: the deploy role may manage only these secrets.
            "Name": format!("{}/{}/database", c.stack_name, stage.name),
            "Description": format!("Aurora credentials of stage {} (generated; the cluster endpoint is attached)", stage.name),
            "GenerateSecretString": {
                "SecretStringTemplate": template,
                "GenerateStringKey": "password",
                "PasswordLength": 32,
                "ExcludePunctuation": true
            }
        }),
    )
    .accept_checkov(&[
        ("CKV_AWS_149", "Encrypted with the account's Secrets Manager key; a customer-managed key adds key administration for no gain here."),
    ]);
    t.resource(
        &cluster_id,
        "AWS::RDS::DBCluster",
        json!({
            "Engine": "aurora-postgresql",
            "EngineVersion": stage.postgres_engine_version,
            "Port": stage.postgres_port,
            "MasterUsername": resolve(stage, "username"),
            "MasterUserPassword": resolve(stage, "password"),
            "DBSubnetGroupName": r("DatabaseSubnetGroup"),
            "VpcSecurityGroupIds": [get_att(&security_groups::database(stage), "GroupId")],
            "StorageEncrypted": true,
            "BackupRetentionPeriod": BACKUP_RETENTION_DAYS,
            "CopyTagsToSnapshot": true,
            "DeletionProtection": false,
            "EnableIAMDatabaseAuthentication": true,
            "EnableCloudwatchLogsExports": ["postgresql"],
            "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 4}
        }),
    )
    .keep_on_delete("Snapshot");
    t.resource(
        &format!("DatabaseInstance{}", stage.id),
        "AWS::RDS::DBInstance",
        json!({
            "Engine": "aurora-postgresql",
            "DBClusterIdentifier": r(&cluster_id),
            "DBInstanceClass": "db.serverless",
            "PubliclyAccessible": false,
            "AutoMinorVersionUpgrade": true
        }),
    )
    .accept_checkov(&[
        ("CKV_AWS_118", "Enhanced monitoring needs its own role and costs per instance; CloudWatch metrics and postgresql logs are exported."),
    ]);
    t.resource(
        &format!("DatabaseSecretAttachment{}", stage.id),
        "AWS::SecretsManager::SecretTargetAttachment",
        json!({"SecretId": r(&secret_id), "TargetId": r(&cluster_id), "TargetType": "AWS::RDS::DBCluster"}),
    );
    t.output(
        &format!("DatabaseEndpoint{}", stage.id),
        &format!("Aurora endpoint of stage {}", stage.name),
        get_att(&cluster_id, "Endpoint.Address"),
    );
}
