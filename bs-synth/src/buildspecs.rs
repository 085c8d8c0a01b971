//! Buildspecs that the templates carry inline, kept as files under `buildspecs/`
//! so they can be read, linted and tested as what they are.

/// Deploys one stack of the assembly with bs-deploy (infrastructure pipeline).
pub const DEPLOY: &str = include_str!("../../buildspecs/deploy-buildspec.yml");
/// Builds and pushes the Backstage image (app pipeline); its source is the app repo.
pub const APP_BUILD: &str = include_str!("../../buildspecs/app-buildspec.yml");
/// Promotes an image to a stage (app pipeline): a file of the infra repo, which
/// is the promote project's primary source.
pub const PROMOTE_PATH: &str = "buildspecs/promote-buildspec.yml";
