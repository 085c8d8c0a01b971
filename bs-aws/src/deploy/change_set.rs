//! Change sets: name, create, wait, list the planned changes, delete.

use super::staging::fnv64;
use crate::error::{self, Error};
use crate::interrupt::Interrupt;
use crate::progress::{Message, Renderer};
use crate::sdk::Clients;
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, Tag};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Where the template comes from.
pub enum Body<'a> {
    Inline(&'a str),
    Url(&'a str),
    /// The template the stack has now (UsePreviousTemplate): an update of
    /// parameters only, such as a promotion's new image.
    Previous,
}

/// The deterministic name of a change set: the same stack, template, parameters
/// and role give the same name.
pub fn default_name(
    stack: &str,
    template: &str,
    parameters: &[Parameter],
    role_arn: Option<&str>,
) -> String {
    let params: Vec<String> = parameters
        .iter()
        .map(|p| {
            format!(
                "{}={}{}",
                p.parameter_key().unwrap_or_default(),
                p.parameter_value().unwrap_or_default(),
                if p.use_previous_value() == Some(true) {
                    " (previous)"
                } else {
                    ""
                }
            )
        })
        .collect();
    let h = fnv64(&[
        stack.as_bytes(),
        template.as_bytes(),
        params.join("\n").as_bytes(),
        role_arn.unwrap_or_default().as_bytes(),
    ]);
    format!("bs-{h:016x}")
}

/// Change set names: a letter, then letters, digits and dashes, at most 128.
pub fn check_name(name: &str) -> Result<(), Error> {
    let ok = name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::Input(format!(
            "--change-set-name {name}: must start with a letter and hold only letters, digits and dashes (at most 128)"
        )))
    }
}

/// "No changes", in the words CloudFormation uses for it.
pub fn is_no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// Counts of planned changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub add: usize,
    pub modify: usize,
    pub remove: usize,
    /// Modifications that replace the resource (included in `modify`).
    pub replace: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.add + self.modify + self.remove
    }
}

pub struct Request<'a> {
    pub stack: &'a str,
    pub name: &'a str,
    pub create: bool,
    pub body: Body<'a>,
    pub parameters: Vec<Parameter>,
    pub capabilities: &'a [String],
    /// `None`: the stack keeps the tags it has.
    pub tags: Option<Vec<Tag>>,
    pub role_arn: Option<&'a str>,
    /// The change set's description: the tool that made it.
    pub description: &'a str,
}

pub enum Created {
    /// The change set's ARN and the stack's id.
    ChangeSet {
        arn: String,
        stack_id: String,
    },
    NoChanges,
}

pub async fn create(clients: &Clients, r: Request<'_>) -> Result<Created, Error> {
    let mut call = clients
        .cloudformation
        .create_change_set()
        .stack_name(r.stack)
        .change_set_name(r.name)
        .change_set_type(if r.create {
            ChangeSetType::Create
        } else {
            ChangeSetType::Update
        })
        .description(r.description)
        .set_parameters(Some(r.parameters))
        .set_capabilities(Some(
            r.capabilities
                .iter()
                .map(|c| Capability::from(c.as_str()))
                .collect(),
        ))
        .set_tags(r.tags)
        .set_role_arn(r.role_arn.map(str::to_string));
    call = match r.body {
        Body::Inline(t) => call.template_body(t),
        Body::Url(u) => call.template_url(u),
        Body::Previous => call.use_previous_template(true),
    };
    match call.send().await {
        Ok(out) => Ok(Created::ChangeSet {
            arn: out.id().unwrap_or(r.name).to_string(),
            stack_id: out.stack_id().unwrap_or(r.stack).to_string(),
        }),
        Err(e) if error::message(&e).is_some_and(is_no_changes) => Ok(Created::NoChanges),
        Err(e) => {
            let what = format!("creating change set {} of stack {}", r.name, r.stack);
            // The input was checked before; CloudFormation refusing the template
            // now is a failed deploy, not a usage error.
            Err(if error::code(&e) == Some("ValidationError") {
                Error::Failed(format!("{what}: {}", error::describe(&e)))
            } else {
                error::aws(&what, &e)
            })
        }
    }
}

/// A change set once CloudFormation has worked it out.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    pub name: String,
    pub arn: String,
    pub stack_id: String,
    pub status: String,
    pub execution_status: String,
    pub reason: String,
    /// (action, logical id, type, replacement)
    pub changes: Vec<(String, String, String, Option<String>)>,
}

impl Described {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for (action, _, _, replacement) in &self.changes {
            match action.as_str() {
                "Add" => c.add += 1,
                "Remove" => c.remove += 1,
                _ => {
                    c.modify += 1;
                    if replacement.as_deref() == Some("True") {
                        c.replace += 1;
                    }
                }
            }
        }
        c
    }

    /// Tells the planned changes.
    pub fn report(&self, stack: &str, ui: &mut dyn Renderer) {
        let c = self.counts();
        ui.message(&Message::Step {
            stack: stack.to_string(),
            text: format!(
                "change set {}: {} to add, {} to modify ({} replaced), {} to remove",
                self.name, c.add, c.modify, c.replace, c.remove
            ),
        });
        for (action, id, ty, replacement) in &self.changes {
            ui.message(&Message::Change {
                stack: stack.to_string(),
                action: action.clone(),
                logical_id: id.clone(),
                resource_type: ty.clone(),
                replacement: replacement.clone(),
            });
        }
    }
}

/// Reads a change set (all pages of changes). `name_or_arn` with `stack` when a name.
pub async fn describe(
    clients: &Clients,
    name_or_arn: &str,
    stack: Option<&str>,
) -> Result<Option<Described>, Error> {
    let mut token = None;
    let mut described: Option<Described> = None;
    loop {
        let out = match clients
            .cloudformation
            .describe_change_set()
            .change_set_name(name_or_arn)
            .set_stack_name(stack.map(str::to_string))
            .set_next_token(token.clone())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e)
                if error::code(&e) == Some("ChangeSetNotFound")
                    || (error::code(&e) == Some("ValidationError") && described.is_none()) =>
            {
                return Ok(None)
            }
            Err(e) => {
                return Err(error::aws(
                    &format!("describing change set {name_or_arn}"),
                    &e,
                ))
            }
        };
        let d = described.get_or_insert_with(|| Described {
            name: out.change_set_name().unwrap_or(name_or_arn).to_string(),
            arn: out.change_set_id().unwrap_or(name_or_arn).to_string(),
            stack_id: out.stack_id().unwrap_or_default().to_string(),
            status: out
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            execution_status: out
                .execution_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            reason: out.status_reason().unwrap_or_default().to_string(),
            changes: Vec::new(),
        });
        for change in out.changes() {
            if let Some(rc) = change.resource_change() {
                d.changes.push((
                    rc.action()
                        .map(|a| a.as_str().to_string())
                        .unwrap_or_default(),
                    rc.logical_resource_id().unwrap_or_default().to_string(),
                    rc.resource_type().unwrap_or_default().to_string(),
                    rc.replacement().map(|r| r.as_str().to_string()),
                ));
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(described);
        }
    }
}

/// Waits until CloudFormation has worked the change set out.
pub async fn wait(
    clients: &Clients,
    arn: &str,
    poll: Duration,
    timeout: Duration,
    interrupt: &Interrupt,
) -> Result<Described, Error> {
    let deadline = deadline_after(timeout);
    loop {
        let d = describe(clients, arn, None).await?.ok_or_else(|| {
            Error::Failed(format!(
                "change set {arn} disappeared while it was being created"
            ))
        })?;
        if !matches!(d.status.as_str(), "CREATE_PENDING" | "CREATE_IN_PROGRESS") {
            return Ok(d);
        }
        if Instant::now() > deadline {
            return Err(Error::Timeout(format!(
                "change set {arn} was still {} after {}s",
                d.status,
                timeout.as_secs()
            )));
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = interrupt.interrupted() => return Err(Error::Interrupted(format!("interrupted while change set {arn} was being created"))),
        }
    }
}

/// Now plus `timeout`, or far in the future when that does not fit.
pub fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600))
}

/// Deletion of a change set can take a moment; its name is free only then.
pub async fn wait_deleted(
    clients: &Clients,
    name: &str,
    stack_id: &str,
    poll: Duration,
    interrupt: &Interrupt,
) -> Result<(), Error> {
    let deadline = deadline_after(Duration::from_secs(120));
    while describe(clients, name, Some(stack_id)).await?.is_some() {
        if Instant::now() > deadline {
            return Err(Error::Timeout(format!(
                "change set {name} was still being deleted after 120s"
            )));
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = interrupt.interrupted() => return Err(Error::Interrupted(format!("interrupted while change set {name} was being deleted"))),
        }
    }
    Ok(())
}

pub async fn delete(clients: &Clients, arn: &str) -> Result<(), Error> {
    clients
        .cloudformation
        .delete_change_set()
        .change_set_name(arn)
        .send()
        .await
        .map_err(|e| error::aws(&format!("deleting change set {arn}"), &e))?;
    Ok(())
}

pub async fn execute(clients: &Clients, arn: &str) -> Result<(), Error> {
    clients
        .cloudformation
        .execute_change_set()
        .change_set_name(arn)
        .send()
        .await
        .map_err(|e| error::aws(&format!("executing change set {arn}"), &e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_deterministic_and_valid() {
        let p = vec![Parameter::builder()
            .parameter_key("A")
            .use_previous_value(true)
            .build()];
        let a = default_name("s", "{}", &p, None);
        assert_eq!(a, default_name("s", "{}", &p, None));
        assert_ne!(a, default_name("t", "{}", &p, None));
        assert_ne!(a, default_name("s", "{ }", &p, None));
        assert_ne!(a, default_name("s", "{}", &[], None));
        assert!(check_name(&a).is_ok());
        assert!(check_name("1abc").is_err());
        assert!(check_name("a_b").is_err());
    }

    #[test]
    fn no_changes_wording() {
        assert!(is_no_changes("The submitted information didn't contain changes. Submit different information to create a change set."));
        assert!(is_no_changes("No updates are to be performed."));
        assert!(!is_no_changes("Template format error"));
    }
}
