//! IAM derived from the templates: the CloudFormation role's permissions from
//! the registry's handler permissions, and the permissions boundary of the
//! roles the stacks create.

pub mod boundary;
pub mod cloudformation_role;
pub mod handler_permissions;
