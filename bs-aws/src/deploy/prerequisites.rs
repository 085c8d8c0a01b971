//! What a stack refers to but does not own (the assembly's `requires`, made by
//! bs-bootstrap), checked read-only before the first change: a missing one
//! stops the run and says what makes it.

use crate::error::{self, Error};
use crate::sdk::Clients;
use bs_core::assembly::Prerequisite;

/// `earlier`: the stacks this run deploys before `stack` (a required stack
/// among them is met: it is deployed first, as the assembly orders them).
pub async fn check(
    clients: &Clients,
    stack: &str,
    requires: &[Prerequisite],
    earlier: &[&str],
) -> Result<(), Error> {
    for p in requires {
        match p {
            Prerequisite::StackOutput {
                stack: required, ..
            } if earlier.contains(&required.as_str()) => {}
            Prerequisite::StackOutput {
                stack: required,
                output,
                value,
            } => {
                let current = super::stack::describe(clients, required).await?;
                let found = current.as_ref().and_then(|c| c.outputs.get(output));
                match (current.as_ref(), found) {
                    (_, Some(v)) if v == value => {}
                    (None, _) => {
                        return Err(Error::Input(format!(
                            "stack {stack} needs stack {required}, which does not exist in this account and region: \
                             run bs-bootstrap (it deploys {required} with your credentials), then deploy again; nothing was changed"
                        )))
                    }
                    (Some(c), found) => {
                        let was = found.map_or_else(|| format!("no {output} output ({})", c.status), |v| format!("{output} {v}"));
                        return Err(Error::Input(format!(
                            "stack {stack} needs stack {required} as this config makes it ({output} {value}), but it has {was}: \
                             run bs-bootstrap with this config (it updates {required} with your credentials), then deploy again; nothing was changed"
                        )));
                    }
                }
            }
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
