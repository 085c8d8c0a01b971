//! Per stage: the load balancer admits HTTPS and HTTP (redirected) from anywhere;
//! the tasks admit only their load balancer, on CONTAINER_PORT; the database
//! admits only the tasks, on POSTGRES_PORT. Stages never reach each other.
//!
//! EC2 takes only `a-z A-Z 0-9 space ._-:/()#,@[]+=;{}!$*` in the description
//! of a rule naming a source group (and `&` too in group descriptions and CIDR
//! rules): no apostrophes. `descriptions_use_only_what_ec2_accepts` checks them.

use super::network::VPC;
use crate::cfn::{get_att, r, Template};
use bs_core::config::Stage;
use serde_json::json;

pub fn load_balancer(stage: &Stage) -> String {
    format!("LoadBalancerSecurityGroup{}", stage.id)
}

pub fn task(stage: &Stage) -> String {
    format!("TaskSecurityGroup{}", stage.id)
}

pub fn database(stage: &Stage) -> String {
    format!("DatabaseSecurityGroup{}", stage.id)
}

pub fn add(t: &mut Template, stage: &Stage) {
    let (lb, task, db) = (load_balancer(stage), task(stage), database(stage));
    let name = &stage.name;
    t.resource(
        &lb,
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": format!("Load balancer of stage {name}: HTTPS, and HTTP redirected to HTTPS"),
            "VpcId": r(VPC),
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0", "Description": "HTTPS from anywhere"},
                {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0", "Description": "HTTP from anywhere, answered with a redirect to HTTPS"}
            ],
            // Replaces the default allow-all egress: the load balancer talks only to the tasks.
            "SecurityGroupEgress": [{
                "IpProtocol": "tcp", "FromPort": stage.container_port, "ToPort": stage.container_port,
                "DestinationSecurityGroupId": get_att(&task, "GroupId"),
                "Description": "To the tasks of the stage on the container port"
            }]
        }),
    )
    .accept_checkov(&[("CKV_AWS_260", "Port 80 is open only to answer with a 301 redirect to HTTPS; no content is served over HTTP.")]);
    t.resource(
        &task,
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": format!("Backstage tasks of stage {name}: only its load balancer may connect"),
            "VpcId": r(VPC),
            "SecurityGroupEgress": [
                {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "Description": "Backstage calls GitHub, AWS APIs and its database"}
            ]
        }),
    );
    t.resource(
        &db,
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": format!("Aurora cluster of stage {name}: only the tasks of the stage may connect"),
            "VpcId": r(VPC),
            // A rule that matches nothing replaces the default allow-all egress.
            "SecurityGroupEgress": [
                {"IpProtocol": "icmp", "FromPort": 252, "ToPort": 86, "CidrIp": "255.255.255.255/32", "Description": "No outbound traffic"}
            ]
        }),
    );
    t.resource(
        &format!("{task}IngressFromLoadBalancer"),
        "AWS::EC2::SecurityGroupIngress",
        json!({
            "GroupId": get_att(&task, "GroupId"),
            "IpProtocol": "tcp", "FromPort": stage.container_port, "ToPort": stage.container_port,
            "SourceSecurityGroupId": get_att(&lb, "GroupId"),
            "Description": "From the load balancer of the stage on the container port"
        }),
    );
    let pg = stage.postgres_port;
    t.resource(
        &format!("{db}IngressFromTasks"),
        "AWS::EC2::SecurityGroupIngress",
        json!({
            "GroupId": get_att(&db, "GroupId"),
            "IpProtocol": "tcp", "FromPort": pg, "ToPort": pg,
            "SourceSecurityGroupId": get_att(&task, "GroupId"),
            "Description": "From the tasks of the stage on the database port"
        }),
    );
}
