//! Templates over CloudFormation's 51,200-byte inline limit go through the
//! staging bucket: one per account and region, created on first need,
//! encrypted, private, TLS-only, objects expiring after 30 days.

use crate::error::{self, Error};
use crate::sdk::Clients;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, CreateBucketConfiguration,
    ExpirationStatus, LifecycleExpiration, LifecycleRule, LifecycleRuleFilter,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use bs_core::names;

/// CloudFormation takes template bodies up to this size inline.
pub const INLINE_LIMIT: usize = 51_200;

pub use bs_core::digest::fnv64;

fn build_err(e: impl std::fmt::Display) -> Error {
    Error::Aws(format!("building an S3 request: {e}"))
}

/// Creates the bucket unless it exists (owned by `account`) and applies its
/// settings. Returns whether it was created.
pub async fn ensure_bucket(clients: &Clients, account: &str, bucket: &str) -> Result<bool, Error> {
    let s3 = &clients.s3;
    let exists = match s3
        .head_bucket()
        .bucket(bucket)
        .expected_bucket_owner(account)
        .send()
        .await
    {
        Ok(_) => true,
        Err(e) => {
            let not_found = e.as_service_error().is_some_and(|s| s.is_not_found())
                || e.raw_response().is_some_and(|r| r.status().as_u16() == 404);
            if !not_found {
                return Err(error::aws(
                    &format!("checking the staging bucket {bucket}"),
                    &e,
                ));
            }
            false
        }
    };
    if !exists {
        create_bucket(clients, bucket).await?;
    }
    // Applied every time: a bucket whose set-up was interrupted gets repaired.
    configure_bucket(clients, bucket).await?;
    Ok(!exists)
}

async fn create_bucket(clients: &Clients, bucket: &str) -> Result<(), Error> {
    let mut create = clients.s3.create_bucket().bucket(bucket);
    if clients.region != "us-east-1" && !clients.region.is_empty() {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(clients.region.as_str()))
                .build(),
        );
    }
    create
        .send()
        .await
        .map_err(|e| error::aws(&format!("creating the staging bucket {bucket}"), &e))?;
    Ok(())
}

/// Private, encrypted, TLS-only, templates expiring after 30 days; each call
/// is idempotent.
async fn configure_bucket(clients: &Clients, bucket: &str) -> Result<(), Error> {
    let s3 = &clients.s3;
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .block_public_policy(true)
                .ignore_public_acls(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map_err(|e| error::aws(&format!("blocking public access to {bucket}"), &e))?;
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::Aes256)
        .build()
        .map_err(build_err)?;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(default)
        .build();
    s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()
                .map_err(build_err)?,
        )
        .send()
        .await
        .map_err(|e| error::aws(&format!("encrypting {bucket}"), &e))?;
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }]
    });
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(policy.to_string())
        .send()
        .await
        .map_err(|e| error::aws(&format!("setting the policy of {bucket}"), &e))?;
    let expire = LifecycleRule::builder()
        .id("expire-templates")
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("").build())
        .expiration(LifecycleExpiration::builder().days(30).build())
        .build()
        .map_err(build_err)?;
    s3.put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(expire)
                .build()
                .map_err(build_err)?,
        )
        .send()
        .await
        .map_err(|e| error::aws(&format!("setting the lifecycle of {bucket}"), &e))?;
    Ok(())
}

/// Uploads `body` and returns the URL CloudFormation reads it from, and whether
/// the bucket had to be created.
pub async fn upload(
    clients: &Clients,
    account: &str,
    stack: &str,
    body: &str,
) -> Result<(String, bool), Error> {
    let bucket = names::staging_bucket(account, &clients.region);
    let created = ensure_bucket(clients, account, &bucket).await?;
    let key = format!("{stack}/{:016x}.template.json", fnv64(&[body.as_bytes()]));
    clients
        .s3
        .put_object()
        .bucket(&bucket)
        .key(&key)
        .expected_bucket_owner(account)
        .content_type("application/json")
        .body(ByteStream::from(body.as_bytes().to_vec()))
        .send()
        .await
        .map_err(|e| {
            error::aws(
                &format!("uploading the template to s3://{bucket}/{key}"),
                &e,
            )
        })?;
    let suffix = if clients.region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    Ok((
        format!("https://{bucket}.s3.{}.{suffix}/{key}", clients.region),
        created,
    ))
}
