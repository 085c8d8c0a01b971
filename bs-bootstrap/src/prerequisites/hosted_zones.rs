//! The Route 53 hosted zone of each distinct DOMAIN_NAME.

use super::{Clients, Prerequisite, State};
use bs_aws::error;
use bs_aws::Error;
use bs_core::config::Config;
use std::time::{SystemTime, UNIX_EPOCH};

const KIND: &str = "hosted-zone";

/// Checks each domain's zone; creates the missing ones unless `check_only`.
pub async fn ensure(
    clients: &Clients,
    config: &Config,
    check_only: bool,
) -> Result<Vec<Prerequisite>, Error> {
    let route53 = &clients.base.route53;
    let mut out = Vec::new();
    for domain in config.domains() {
        let wanted = format!("{domain}.");
        let configured = config
            .stages
            .iter()
            .find(|s| s.domain_name == domain)
            .and_then(|s| s.hosted_zone_id.clone());
        if let Some(id) = configured {
            let p = match route53.get_hosted_zone().id(&id).send().await {
                Ok(z) => match z.hosted_zone() {
                    Some(zone) if zone.name() == wanted => Prerequisite::new(
                        KIND,
                        domain,
                        State::Present,
                        format!("zone {id} (HOSTED_ZONE_ID)"),
                    ),
                    Some(zone) => Prerequisite::new(
                        KIND,
                        domain,
                        State::Wrong,
                        format!("HOSTED_ZONE_ID {id} is the zone of {}", zone.name()),
                    )
                    .fix(format!(
                        "set HOSTED_ZONE_ID to the id of the zone {domain}, or remove it"
                    )),
                    None => {
                        Prerequisite::new(KIND, domain, State::Missing, format!("no zone {id}"))
                    }
                },
                Err(e) if error::code(&e) == Some("NoSuchHostedZone") => Prerequisite::new(
                    KIND,
                    domain,
                    State::Missing,
                    format!("HOSTED_ZONE_ID {id} names no zone"),
                )
                .fix("remove HOSTED_ZONE_ID (bootstrap then creates the zone) or correct it"),
                Err(e) => return Err(error::aws(&format!("reading hosted zone {id}"), &e)),
            };
            out.push(p);
            continue;
        }
        let found = bs_aws::deploy::parameters::hosted_zone_id(&clients.base, domain).await;
        let p = match found {
            Ok(id) => Prerequisite::new(KIND, domain, State::Present, format!("zone {id}")),
            Err(Error::Input(m)) if m.contains("several") => {
                Prerequisite::new(KIND, domain, State::Wrong, m)
            }
            Err(Error::Input(_)) if check_only => {
                Prerequisite::new(KIND, domain, State::Missing, "no public hosted zone")
                    .fix("run bs-bootstrap without --check to create it")
            }
            Err(Error::Input(_)) => {
                let stamp = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .unwrap_or_default();
                let created = route53
                    .create_hosted_zone()
                    .name(domain)
                    .caller_reference(format!("bs-bootstrap-{domain}-{stamp}"))
                    .send()
                    .await
                    .map_err(|e| error::aws(&format!("creating the hosted zone {domain}"), &e))?;
                let id = created
                    .hosted_zone()
                    .map(|z| z.id().trim_start_matches("/hostedzone/").to_string())
                    .unwrap_or_default();
                let servers: Vec<String> = created
                    .delegation_set()
                    .map(|d| d.name_servers().to_vec())
                    .unwrap_or_default();
                Prerequisite::new(KIND, domain, State::Created, format!("zone {id}; name servers: {}", servers.join(", ")))
                    .fix(format!("delegate {domain} to these name servers at its registrar (or parent zone), so certificates validate"))
            }
            Err(e) => return Err(e),
        };
        out.push(p);
    }
    Ok(out)
}
