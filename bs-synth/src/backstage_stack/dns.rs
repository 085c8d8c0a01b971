//! Per stage: the alias record `HOST_NAME.DOMAIN_NAME` → the stage's load balancer.

use super::load_balancer::load_balancer;
use super::parameters::hosted_zone_parameter;
use crate::cfn::{get_att, join, r, Template};
use bs_core::config::Stage;
use serde_json::json;

pub fn add(t: &mut Template, stage: &Stage) {
    let lb = load_balancer(stage);
    t.resource(
        &format!("DnsRecord{}", stage.id),
        "AWS::Route53::RecordSet",
        json!({
            "HostedZoneId": r(&hosted_zone_parameter(&stage.domain_name)),
            "Name": format!("{}.", stage.fqdn()),
            "Type": "A",
            "AliasTarget": {
                "DNSName": join(vec![json!("dualstack."), get_att(&lb, "DNSName")]),
                "HostedZoneId": get_att(&lb, "CanonicalHostedZoneID"),
                "EvaluateTargetHealth": true
            }
        }),
    );
    t.output(
        &format!("Url{}", stage.id),
        &format!("URL of stage {}", stage.name),
        json!(stage.url()),
    );
}
