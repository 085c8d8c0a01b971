//! Per stage: the TLS certificate, imported from ACM_ARN or created with DNS
//! validation in the stage's hosted zone.

use super::parameters::hosted_zone_parameter;
use crate::cfn::{r, Template};
use bs_core::config::Stage;
use serde_json::{json, Value};

/// Adds the certificate when the stage needs one; returns its ARN.
pub fn add(t: &mut Template, stage: &Stage) -> Value {
    if let Some(arn) = &stage.acm_arn {
        return json!(arn);
    }
    let id = format!("Certificate{}", stage.id);
    let fqdn = stage.fqdn();
    t.resource(
        &id,
        "AWS::CertificateManager::Certificate",
        json!({
            "DomainName": fqdn,
            "ValidationMethod": "DNS",
            "DomainValidationOptions": [{
                "DomainName": fqdn,
                "HostedZoneId": r(&hosted_zone_parameter(&stage.domain_name))
            }]
        }),
    );
    r(&id)
}
