//! The bucket bs-deploy stages large templates in.

use super::{Clients, Prerequisite, State};
use bs_aws::deploy::staging;
use bs_aws::error;
use bs_aws::Error;
use bs_core::config::Config;
use bs_core::names;

const KIND: &str = "staging-bucket";

pub async fn ensure(
    clients: &Clients,
    config: &Config,
    check_only: bool,
) -> Result<Prerequisite, Error> {
    let bucket = names::staging_bucket(&config.account, &config.region);
    if check_only {
        let head = clients
            .base
            .s3
            .head_bucket()
            .bucket(&bucket)
            .expected_bucket_owner(&config.account)
            .send()
            .await;
        return Ok(match head {
            Ok(_) => Prerequisite::new(KIND, bucket, State::Present, "exists"),
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => {
                Prerequisite::new(
                    KIND,
                    bucket,
                    State::Missing,
                    "does not exist (bs-deploy creates it on first need)",
                )
                .fix("run bs-bootstrap without --check to create it")
            }
            Err(e) => {
                return Err(error::aws(
                    &format!("checking the staging bucket {bucket}"),
                    &e,
                ))
            }
        });
    }
    let created = staging::ensure_bucket(&clients.base, &config.account, &bucket).await?;
    let detail = "encrypted, public access blocked, TLS only, templates expire after 30 days";
    Ok(Prerequisite::new(
        KIND,
        bucket,
        if created {
            State::Created
        } else {
            State::Present
        },
        detail,
    ))
}
