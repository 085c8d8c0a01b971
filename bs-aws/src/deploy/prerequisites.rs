//! What a stack refers to but does not own (the assembly's `requires`, made by
//! bs-bootstrap), checked read-only before the first change: a missing one
//! stops the run and says what makes it.

use crate::error::{self, Error};
use crate::sdk::Clients;
use bs_core::assembly::Prerequisite;

pub async fn check(clients: &Clients, stack: &str, requires: &[Prerequisite]) -> Result<(), Error> {
    for p in requires {
        match p {
            Prerequisite::EcrRepository { name } => {
                match clients
                    .ecr
                    .describe_repositories()
                    .repository_names(name)
                    .send()
                    .await
                {
                    Ok(_) => {}
                    Err(e) if error::code(&e) == Some("RepositoryNotFoundException") => {
                        return Err(Error::Input(format!(
                            "stack {stack} needs the ECR repository {name}, which does not exist in this account and region: \
                             run bs-bootstrap (it creates the repository), then deploy again; nothing was changed"
                        )))
                    }
                    Err(e) => {
                        return Err(error::aws(
                            &format!("checking the ECR repository {name} that stack {stack} needs"),
                            &e,
                        ))
                    }
                }
            }
        }
    }
    Ok(())
}
