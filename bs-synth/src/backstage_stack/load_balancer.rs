//! Per stage: an internet-facing Application Load Balancer. HTTPS on 443 with a
//! TLS 1.3/1.2 policy forwards to the tasks; HTTP on 80 answers 301 to HTTPS.

use super::network::{public_subnets, VPC};
use super::security_groups;
use crate::cfn::{get_att, r, Template};
use bs_core::config::Stage;
use serde_json::{json, Value};

pub const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

pub fn load_balancer(stage: &Stage) -> String {
    format!("LoadBalancer{}", stage.id)
}

pub fn target_group(stage: &Stage) -> String {
    bs_core::names::stack_keys::target_group(&stage.id)
}

pub fn https_listener(stage: &Stage) -> String {
    format!("HttpsListener{}", stage.id)
}

pub fn http_listener(stage: &Stage) -> String {
    format!("HttpListener{}", stage.id)
}

pub fn add(t: &mut Template, stage: &Stage, certificate_arn: Value) {
    let lb = load_balancer(stage);
    let tg = target_group(stage);
    t.resource(
        &lb,
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({
            "Type": "application",
            "Scheme": "internet-facing",
            "IpAddressType": "ipv4",
            "Subnets": public_subnets(),
            "SecurityGroups": [get_att(&security_groups::load_balancer(stage), "GroupId")],
            "LoadBalancerAttributes": [
                {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                {"Key": "deletion_protection.enabled", "Value": "false"}
            ]
        }),
    )
    .accept_checkov(&[
        ("CKV_AWS_91", "Access logs need a bucket writable by the region's ELB account; teams that need them enable them on this load balancer."),
    ]);
    t.resource(
        &tg,
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({
            "TargetType": "ip",
            "Protocol": "HTTP",
            "Port": stage.container_port,
            "VpcId": r(VPC),
            "HealthCheckPath": stage.health_check_path,
            "HealthCheckIntervalSeconds": 15,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "Matcher": {"HttpCode": "200-399"},
            "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]
        }),
    );
    t.resource(
        &https_listener(stage),
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({
            "LoadBalancerArn": r(&lb),
            "Port": 443,
            "Protocol": "HTTPS",
            "SslPolicy": TLS_POLICY,
            "Certificates": [{"CertificateArn": certificate_arn}],
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": r(&tg)}]
        }),
    );
    t.resource(
        &http_listener(stage),
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({
            "LoadBalancerArn": r(&lb),
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
        }),
    );
    t.output(
        &bs_core::names::stack_keys::load_balancer_dns_output(&stage.id),
        &format!("Load balancer of stage {}", stage.name),
        get_att(&lb, "DNSName"),
    );
}
