//! Names of AWS resources that more than one tool must agree on.
//!
//! Every IAM role the stacks create is named `<TAG_STACK_NAME>-…`: the role
//! CloudFormation uses is allowed to manage only roles with that prefix.

/// IAM role names may be at most 64 characters.
pub const ROLE_NAME_MAX: usize = 64;

/// The longest suffix of a stack-wide role name (see [`roles`]).
pub const LONGEST_STACK_ROLE_SUFFIX: &str = "-pipeline-deploy";
/// The suffix of the per-stage task execution role, after `-<stage>`.
pub const STAGE_ROLE_SUFFIX: &str = "-exec";

/// The infrastructure pipeline stack: updates itself, then deploys the
/// backstage stack.
pub fn pipeline_stack(stack: &str) -> String {
    format!("{stack}-pipeline")
}

/// The bootstrap stack: what no pipeline may change. The roles of the
/// infrastructure pipeline and CloudFormation's role, the permissions boundary
/// of every role the other stacks create, and the pipeline's artifact bucket.
/// Deployed first, by bs-bootstrap (a person with administrator credentials),
/// never by the pipeline.
pub fn bootstrap_stack(stack: &str) -> String {
    format!("{stack}-bootstrap")
}

/// The managed policy every role the pipeline and backstage stacks create
/// carries as its permissions boundary.
pub fn boundary_policy(stack: &str) -> String {
    format!("{stack}-boundary")
}

/// The bootstrap stack's output the other stacks require (the digest of the
/// bootstrap stack they were synthesized with).
pub const BOOTSTRAP_DIGEST_OUTPUT: &str = "Digest";

/// The export of the bootstrap stack naming the infrastructure pipeline's
/// artifact bucket.
pub fn artifact_bucket_export(stack: &str) -> String {
    format!("{stack}-bootstrap-ArtifactBucket")
}

/// Role names, all prefixed with the base stack name.
pub mod roles {
    pub fn pipeline(stack: &str) -> String {
        format!("{stack}-pipeline-role")
    }
    pub fn synth(stack: &str) -> String {
        format!("{stack}-pipeline-synth")
    }
    pub fn deploy(stack: &str) -> String {
        format!("{stack}-pipeline-deploy")
    }
    /// The role CloudFormation assumes to create the stacks' resources.
    pub fn cloudformation(stack: &str) -> String {
        format!("{stack}-pipeline-cfn")
    }
    pub fn task(stack: &str) -> String {
        format!("{stack}-task")
    }
    pub fn execution(stack: &str, stage: &str) -> String {
        format!("{stack}-{stage}-exec")
    }
    pub fn app_pipeline(stack: &str) -> String {
        format!("{stack}-app-pipeline")
    }
    pub fn app_build(stack: &str) -> String {
        format!("{stack}-app-build")
    }
    pub fn app_promote(stack: &str) -> String {
        format!("{stack}-app-promote")
    }
    pub fn flow_logs(stack: &str) -> String {
        format!("{stack}-flow-logs")
    }
}

pub fn cluster(stack: &str) -> String {
    stack.to_string()
}

pub fn service(stack: &str, stage: &str) -> String {
    format!("{stack}-{stage}")
}

pub fn app_pipeline(stack: &str) -> String {
    format!("{stack}-app-pipeline")
}

/// The app pipeline's stage that deploys `stage` (its approval, then its promotion).
pub fn app_pipeline_stage(stage: &str) -> String {
    format!("Deploy-{stage}")
}

/// The name of the manual approval action in a stage's `Deploy-<stage>` stage.
pub const APPROVAL_ACTION: &str = "Approve";

pub fn infra_pipeline(stack: &str) -> String {
    format!("{stack}-pipeline")
}

/// Log group of a stage's containers.
pub fn container_log_group(stack: &str, stage: &str) -> String {
    format!("/bs/{stack}/{stage}")
}

/// The VPC's flow log group: under `/bs/<stack>/` like the stages' (the
/// CloudFormation role may manage log groups there only), never equal to one.
pub fn flow_log_group(stack: &str) -> String {
    format!("/bs/{stack}/network/flow-logs")
}

/// The image repository every stage pulls from and the app build pushes to:
/// ECR_REPO_NAME, or else CONTAINER_NAME. bs-bootstrap creates it when it is
/// missing; the stacks only refer to it, so deleting and re-creating them never
/// meets a repository left behind ("already exists").
pub fn repository(ecr_repo_name: Option<&str>, container_name: &str) -> String {
    ecr_repo_name.unwrap_or(container_name).to_string()
}

/// The bucket bs-deploy stages templates larger than the inline limit in.
pub fn staging_bucket(account: &str, region: &str) -> String {
    format!("bs-staging-{account}-{region}")
}

/// The tag of the placeholder image a stage's task definition names before its
/// first promotion (bs-synth writes it; the service then runs no task, so it is
/// never pulled). bs-promote never rolls back to it.
pub const PLACEHOLDER_IMAGE_TAG: &str = "not-yet-promoted";

/// Keys of the backstage stack that other tools read back (bs-synth writes
/// them): `stage_id` is [`crate::config::Stage::id`].
pub mod stack_keys {
    /// The parameter holding the image a stage runs.
    pub fn image_parameter(stage_id: &str) -> String {
        format!("Image{stage_id}")
    }
    /// The output with the DNS name of a stage's load balancer.
    pub fn load_balancer_dns_output(stage_id: &str) -> String {
        format!("LoadBalancerDnsName{stage_id}")
    }
    /// The logical id of a stage's target group.
    pub fn target_group(stage_id: &str) -> String {
        format!("TargetGroup{stage_id}")
    }
    /// The logical id of a stage's Aurora cluster.
    pub fn database_cluster(stage_id: &str) -> String {
        format!("DatabaseCluster{stage_id}")
    }
}

/// The partition a region belongs to.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// The host of the account's ECR registry in a region
/// (`111122223333.dkr.ecr.eu-west-1.amazonaws.com`; `.amazonaws.com.cn` in China).
pub fn ecr_registry(account: &str, region: &str) -> String {
    let suffix = if partition(region) == "aws-cn" {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("{account}.dkr.ecr.{region}.{suffix}")
}

/// `prod` → `Prod`, `dev-eu` → `DevEu`: the part of logical ids that names a stage
/// or a domain.
pub fn logical_part(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut chars = s.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_parts() {
        assert_eq!(logical_part("prod"), "Prod");
        assert_eq!(logical_part("dev-eu"), "DevEu");
        assert_eq!(logical_part("example.com"), "ExampleCom");
        assert_eq!(logical_part("QA2"), "QA2");
    }

    #[test]
    fn ecr_registries() {
        assert_eq!(
            ecr_registry("111122223333", "eu-west-1"),
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            ecr_registry("111122223333", "cn-north-1"),
            "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn"
        );
    }

    #[test]
    fn partitions() {
        assert_eq!(partition("us-east-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
    }

    #[test]
    fn every_role_fits_the_longest_suffix_budget() {
        let stack = "s";
        for name in [
            roles::pipeline(stack),
            roles::synth(stack),
            roles::deploy(stack),
            roles::cloudformation(stack),
            roles::task(stack),
            roles::app_pipeline(stack),
            roles::app_build(stack),
            roles::app_promote(stack),
            roles::flow_logs(stack),
        ] {
            assert!(
                name.len() <= stack.len() + LONGEST_STACK_ROLE_SUFFIX.len(),
                "{name}"
            );
        }
        assert_eq!(
            roles::execution(stack, "x").len(),
            stack.len() + 2 + STAGE_ROLE_SUFFIX.len()
        );
    }
}
