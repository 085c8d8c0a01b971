//! The encrypted, private, versioned S3 bucket a pipeline keeps its artifacts in.

use crate::cfn::{deny_insecure_transport, r, Template};
use serde_json::json;

/// Adds bucket `id` and its TLS-only policy.
pub fn add(t: &mut Template, id: &str) {
    t.resource(
        id,
        "AWS::S3::Bucket",
        json!({
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{
                "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
                "BucketKeyEnabled": true
            }]},
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": true,
                "BlockPublicPolicy": true,
                "IgnorePublicAcls": true,
                "RestrictPublicBuckets": true
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {"Rules": [{
                "Id": "ExpireOldArtifacts",
                "Status": "Enabled",
                "ExpirationInDays": 90,
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}
            }]}
        }),
    )
    // A non-empty bucket cannot be deleted: keep it rather than fail the stack's deletion.
    .keep_on_delete("Retain")
    .accept_checkov(&[
        ("CKV_AWS_18", "Pipeline artifacts only: CloudTrail records access; a log bucket per artifact bucket adds cost, not insight."),
    ]);
    t.resource(
        &format!("{id}Policy"),
        "AWS::S3::BucketPolicy",
        json!({"Bucket": r(id), "PolicyDocument": deny_insecure_transport(id)}),
    );
}
