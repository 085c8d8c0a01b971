//! The infrastructure pipeline's roles: CodePipeline's and its two CodeBuild
//! projects' (Synth, Deploy). The projects and the pipeline are the pipeline
//! stack's and refer to these roles by name.

use crate::cfn::{assume_role_by, Template};
use crate::codebuild;
use crate::pipeline_stack::{deploy_project, pipeline_role_statements, synth_project};
use bs_core::config::Config;
use bs_core::names;
use serde_json::json;

pub fn add(t: &mut Template, c: &Config) {
    codebuild::add_role(t, &synth_project(c));
    codebuild::add_role(t, &deploy_project(c));
    t.resource(
        "PipelineRole",
        "AWS::IAM::Role",
        json!({
            "RoleName": names::roles::pipeline(&c.stack_name),
            "Description": "CodePipeline: the infrastructure pipeline",
            "AssumeRolePolicyDocument": assume_role_by("codepipeline.amazonaws.com"),
            "Policies": [crate::cfn::policy("pipeline", pipeline_role_statements(c))]
        }),
    );
}
