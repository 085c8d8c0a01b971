//! The VPC the stages share: two availability zones, public subnets for the load
//! balancers and NAT gateways, private subnets for tasks and databases, a NAT
//! gateway per zone, and VPC flow logs.

use crate::cfn::{allow, arn, assume_role_by, get_att, r, Template};
use bs_core::config::Config;
use bs_core::names;
use serde_json::{json, Value};

pub const VPC: &str = "Vpc";
pub const AZS: usize = 2;
const FLOW_LOG_RETENTION_DAYS: u32 = 365;

pub fn public_subnet(n: usize) -> String {
    format!("PublicSubnet{}", n + 1)
}

pub fn private_subnet(n: usize) -> String {
    format!("PrivateSubnet{}", n + 1)
}

pub fn public_subnets() -> Vec<Value> {
    (0..AZS).map(|n| r(&public_subnet(n))).collect()
}

pub fn private_subnets() -> Vec<Value> {
    (0..AZS).map(|n| r(&private_subnet(n))).collect()
}

fn az(n: usize) -> Value {
    json!({"Fn::Select": [n, {"Fn::GetAZs": ""}]})
}

pub fn add(t: &mut Template, c: &Config) {
    t.resource(
        VPC,
        "AWS::EC2::VPC",
        json!({"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true, "EnableDnsSupport": true}),
    );
    t.resource("InternetGateway", "AWS::EC2::InternetGateway", json!({}));
    t.resource(
        "InternetGatewayAttachment",
        "AWS::EC2::VPCGatewayAttachment",
        json!({"VpcId": r(VPC), "InternetGatewayId": r("InternetGateway")}),
    );
    t.resource(
        "PublicRouteTable",
        "AWS::EC2::RouteTable",
        json!({"VpcId": r(VPC)}),
    );
    t.resource(
        "PublicDefaultRoute",
        "AWS::EC2::Route",
        json!({"RouteTableId": r("PublicRouteTable"), "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": r("InternetGateway")}),
    )
    .depends_on(&["InternetGatewayAttachment"]);
    for n in 0..AZS {
        let public = public_subnet(n);
        let private = private_subnet(n);
        let k = n + 1;
        t.resource(
            &public,
            "AWS::EC2::Subnet",
            json!({"VpcId": r(VPC), "AvailabilityZone": az(n), "CidrBlock": format!("10.0.{}.0/20", n * 16), "MapPublicIpOnLaunch": false}),
        );
        t.resource(
            &format!("{public}RouteTableAssociation"),
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({"SubnetId": r(&public), "RouteTableId": r("PublicRouteTable")}),
        );
        t.resource(
            &format!("NatEip{k}"),
            "AWS::EC2::EIP",
            json!({"Domain": "vpc"}),
        )
        .depends_on(&["InternetGatewayAttachment"]);
        t.resource(
            &format!("NatGateway{k}"),
            "AWS::EC2::NatGateway",
            json!({"SubnetId": r(&public), "AllocationId": get_att(&format!("NatEip{k}"), "AllocationId")}),
        );
        t.resource(
            &private,
            "AWS::EC2::Subnet",
            json!({"VpcId": r(VPC), "AvailabilityZone": az(n), "CidrBlock": format!("10.0.{}.0/19", 128 + n * 32), "MapPublicIpOnLaunch": false}),
        );
        let table = format!("PrivateRouteTable{k}");
        t.resource(&table, "AWS::EC2::RouteTable", json!({"VpcId": r(VPC)}));
        t.resource(
            &format!("PrivateDefaultRoute{k}"),
            "AWS::EC2::Route",
            json!({"RouteTableId": r(&table), "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": r(&format!("NatGateway{k}"))}),
        );
        t.resource(
            &format!("{private}RouteTableAssociation"),
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({"SubnetId": r(&private), "RouteTableId": r(&table)}),
        );
    }
    t.resource(
        "FlowLogGroup",
        "AWS::Logs::LogGroup",
        json!({
            "LogGroupName": names::flow_log_group(&c.stack_name),
            "RetentionInDays": FLOW_LOG_RETENTION_DAYS
        }),
    )
    .accept_checkov(&[("CKV_AWS_158", "Flow logs are encrypted at rest by CloudWatch Logs; a customer-managed key adds key administration for no gain here.")]);
    t.resource(
        "FlowLogRole",
        "AWS::IAM::Role",
        json!({
            "RoleName": names::roles::flow_logs(&c.stack_name),
            "Description": "VPC flow logs: writes to the flow log group",
            "AssumeRolePolicyDocument": assume_role_by("vpc-flow-logs.amazonaws.com"),
            "Policies": [crate::cfn::policy("flow-logs", vec![
                allow(
                    &["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    vec![get_att("FlowLogGroup", "Arn")],
                ),
                allow(&["logs:DescribeLogGroups"], vec![arn("logs", "log-group:*")]),
            ])]
        }),
    );
    t.resource(
        "FlowLog",
        "AWS::EC2::FlowLog",
        json!({
            "ResourceId": r(VPC),
            "ResourceType": "VPC",
            "TrafficType": "REJECT",
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": r("FlowLogGroup"),
            "DeliverLogsPermissionArn": get_att("FlowLogRole", "Arn")
        }),
    );
    t.resource(
        "DatabaseSubnetGroup",
        "AWS::RDS::DBSubnetGroup",
        json!({"DBSubnetGroupDescription": format!("Private subnets of {}'s databases", c.stack_name), "SubnetIds": private_subnets()}),
    );
    t.output("VpcId", "The stages' VPC", r(VPC));
}
