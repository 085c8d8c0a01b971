//! The Secrets Manager secrets the config names, with the keys the stacks read.
//!
//! Values come from `--secret-file NAME=PATH`, from `BS_SECRET_<NAME>`, or from
//! the terminal; they are checked for shape before any AWS call and never
//! echoed, logged or printed. A secret that exists is left as it is unless
//! `--update-secrets`.

use super::{Clients, Prerequisite, State};
use aws_sdk_secretsmanager::types::Tag;
use bs_aws::error;
use bs_aws::Error;
use bs_core::config::Config;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

const KIND: &str = "secret";

/// A secret the stacks read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// As the config names it: a name, or an ARN.
    pub id: String,
    /// The keys of its JSON value; empty: the value is a file, taken as it is.
    pub keys: &'static [&'static str],
    /// The config keys that name it.
    pub named_by: Vec<String>,
}

const ID_SECRET: &[&str] = &["id", "secret"];
const SECRET: &[&str] = &["secret"];

/// Every secret of the config, each once.
pub fn wanted(config: &Config) -> Vec<Wanted> {
    let mut out: Vec<Wanted> = Vec::new();
    let mut add = |id: &str, keys: &'static [&'static str], by: String| match out
        .iter_mut()
        .find(|w| w.id == id)
    {
        Some(w) => {
            if !w.named_by.contains(&by) {
                w.named_by.push(by);
            }
        }
        None => out.push(Wanted {
            id: id.to_string(),
            keys,
            named_by: vec![by],
        }),
    };
    add(&config.github_app_secret_arn, &[], "GITHUB_APP_ARN".into());
    for s in &config.stages {
        if let Some(id) = &s.github_auth_secret {
            add(
                id,
                ID_SECRET,
                format!("stages.{}.GITHUB_AUTH_SECRET_NAME", s.name),
            );
        }
        if let Some(id) = &s.aws_auth_secret {
            add(
                id,
                ID_SECRET,
                format!("stages.{}.AWS_AUTH_SECRET_NAME", s.name),
            );
        }
        if let Some(id) = &s.github_token_secret {
            add(
                id,
                SECRET,
                format!("stages.{}.GITHUB_TOKEN_SECRET_NAME", s.name),
            );
        }
    }
    out
}

/// The secret's name: an ARN's name part, without the six characters Secrets
/// Manager appends.
pub fn short_name(id: &str) -> String {
    let Some((_, name)) = id.split_once(":secret:") else {
        return id.to_string();
    };
    match name.rsplit_once('-') {
        Some((base, suffix))
            if suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            base.to_string()
        }
        _ => name.to_string(),
    }
}

/// `BS_SECRET_<NAME>`: the name in capitals, other characters as `_`.
pub fn env_var(id: &str) -> String {
    let name: String = short_name(id)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("BS_SECRET_{name}")
}

/// A value given for a secret, and where from (for messages; never the value).
pub struct Given {
    pub value: String,
    pub from: String,
}

fn how_to_give(w: &Wanted) -> String {
    let shape = if w.keys.is_empty() {
        "the credentials file".to_string()
    } else {
        format!(
            "JSON {{{}}}",
            w.keys
                .iter()
                .map(|k| format!("\"{k}\": \"…\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "give {shape} with --secret-file {}=PATH or {}",
        short_name(&w.id),
        env_var(&w.id)
    )
}

/// The value's shape, or what is wrong with it (no value shown).
fn check_shape(w: &Wanted, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("is empty".into());
    }
    if w.keys.is_empty() {
        return Ok(());
    }
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(value)
    else {
        return Err(format!(
            "is not a JSON object with the keys {}",
            w.keys.join(", ")
        ));
    };
    let missing: Vec<&str> = w
        .keys
        .iter()
        .copied()
        .filter(|k| {
            map.get(*k)
                .and_then(|v| v.as_str())
                .is_none_or(str::is_empty)
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "has no non-empty key {}",
            missing
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// Collects the values given by file or environment, refusing bad ones before
/// any AWS call: every bad one at once, one line each. `files` are the
/// `--secret-file` flags.
pub fn given_values(
    wanted: &[Wanted],
    files: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, Given>, Error> {
    let mut out = BTreeMap::new();
    let mut problems: Vec<String> = Vec::new();
    for flag in files {
        let Some((name, path)) = flag.split_once('=') else {
            problems.push(format!("--secret-file {flag}: expected NAME=PATH"));
            continue;
        };
        let Some(w) = wanted
            .iter()
            .find(|w| short_name(&w.id) == name || w.id == name)
        else {
            let names: Vec<String> = wanted.iter().map(|w| short_name(&w.id)).collect();
            problems.push(format!(
                "--secret-file {name}: the config names no such secret (it names {})",
                names.join(", ")
            ));
            continue;
        };
        let value = match std::fs::read_to_string(path) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("--secret-file {name}: cannot read {path}: {e}"));
                continue;
            }
        };
        match check_shape(w, &value) {
            Ok(()) => {
                out.insert(
                    w.id.clone(),
                    Given {
                        value,
                        from: format!("--secret-file {name}"),
                    },
                );
            }
            Err(why) => problems.push(format!("--secret-file {name}: the value in {path} {why}")),
        }
    }
    for w in wanted {
        if out.contains_key(&w.id) {
            continue;
        }
        let var = env_var(&w.id);
        if let Some(value) = env(&var) {
            match check_shape(w, &value) {
                Ok(()) => {
                    out.insert(w.id.clone(), Given { value, from: var });
                }
                Err(why) => problems.push(format!("{var}: the value {why}")),
            }
        }
    }
    match problems.len() {
        0 => Ok(out),
        1 => Err(Error::Input(problems.remove(0))),
        n => Err(Error::Input(format!(
            "{n} secret values are refused:\n  {}",
            problems.join("\n  ")
        ))),
    }
}

/// Asks for a secret on the terminal, without echo.
pub fn prompt(w: &Wanted) -> Result<Option<Given>, Error> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty");
    let Ok(mut tty) = tty else { return Ok(None) };
    let read_hidden = |tty: &mut std::fs::File, label: &str| -> Result<String, Error> {
        let io =
            |e: std::io::Error| Error::Input(format!("reading {label} from the terminal: {e}"));
        write!(tty, "{label}: ").map_err(io)?;
        tty.flush().map_err(io)?;
        let echo = |on: bool| {
            let input = std::fs::File::open("/dev/tty");
            if let Ok(input) = input {
                let _ = std::process::Command::new("stty")
                    .arg(if on { "echo" } else { "-echo" })
                    .stdin(input)
                    .status();
            }
        };
        echo(false);
        let mut line = String::new();
        let read = std::io::BufReader::new(&*tty).read_line(&mut line);
        echo(true);
        writeln!(tty).map_err(io)?;
        read.map_err(io)?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    };
    let name = short_name(&w.id);
    let value = if w.keys.is_empty() {
        let label = format!("path of the file to store in secret {name} (Enter to skip)");
        let path = {
            let io = |e: std::io::Error| Error::Input(format!("reading from the terminal: {e}"));
            write!(tty, "{label}: ").map_err(io)?;
            tty.flush().map_err(io)?;
            let mut line = String::new();
            std::io::BufReader::new(&tty)
                .read_line(&mut line)
                .map_err(io)?;
            line.trim().to_string()
        };
        if path.is_empty() {
            return Ok(None);
        }
        std::fs::read_to_string(&path)
            .map_err(|e| Error::Input(format!("secret {name}: cannot read {path}: {e}")))?
    } else {
        let mut map = serde_json::Map::new();
        for key in w.keys {
            let v = read_hidden(
                &mut tty,
                &format!("secret {name}, key `{key}` (not shown; Enter to skip)"),
            )?;
            if v.is_empty() {
                return Ok(None);
            }
            map.insert(key.to_string(), serde_json::Value::String(v));
        }
        serde_json::Value::Object(map).to_string()
    };
    check_shape(w, &value)
        .map_err(|why| Error::Input(format!("secret {name}: the value {why}")))?;
    Ok(Some(Given {
        value,
        from: "the terminal".into(),
    }))
}

pub struct Ensure<'a> {
    pub check_only: bool,
    pub update: bool,
    pub interactive: bool,
    pub given: &'a BTreeMap<String, Given>,
}

/// An ARN with the six characters Secrets Manager appends: it names one
/// secret forever, and a secret made anew under the same name has another.
fn is_full_arn(id: &str) -> bool {
    id.starts_with("arn:") && short_name(id) != id.rsplit(":secret:").next().unwrap_or_default()
}

/// What to write in the config when `w`'s full ARN is not the secret's `arn`.
fn renaming_fix(w: &Wanted, by: &str, arn: &str) -> String {
    let partial = w.id.rsplit_once('-').map(|(p, _)| p).unwrap_or_default();
    format!(
        "{by} names {}, but the secret is {arn}: set {by} to {arn} (or to the partial ARN {partial}, which stays valid) and run again",
        w.id
    )
}

/// Checks one secret; creates or updates it as asked and as values allow.
pub async fn ensure_one(
    clients: &Clients,
    config: &Config,
    w: &Wanted,
    e: &Ensure<'_>,
) -> Result<Prerequisite, Error> {
    let sm = &clients.secrets;
    let name = short_name(&w.id);
    let by = w.named_by.join(", ");
    let mut given: Option<&Given> = e.given.get(&w.id);
    let prompted;
    let current = match sm.get_secret_value().secret_id(&w.id).send().await {
        Ok(out) => Some(out.secret_string().unwrap_or_default().to_string()),
        Err(err) if error::code(&err) == Some("ResourceNotFoundException") => None,
        Err(err) => return Err(error::aws(&format!("reading secret {name}"), &err)),
    };
    // A full ARN that names no secret, while a secret of its name exists (made
    // by an earlier run, or by hand): the config must name that one; creating
    // another of the same name would fail.
    if current.is_none() && is_full_arn(&w.id) {
        match sm.describe_secret().secret_id(&name).send().await {
            Ok(found) => {
                let arn = found.arn().unwrap_or_default();
                return Ok(Prerequisite::new(
                    KIND,
                    &name,
                    State::Wrong,
                    format!("exists as {arn}, but {by} names {}", w.id),
                )
                .needs_person()
                .fix(renaming_fix(w, &by, arn)));
            }
            Err(err) if error::code(&err) == Some("ResourceNotFoundException") => {}
            Err(err) => return Err(error::aws(&format!("reading secret {name}"), &err)),
        }
    }
    if given.is_none() && e.interactive && !e.check_only && (current.is_none() || e.update) {
        prompted = prompt(w)?;
        given = prompted.as_ref();
    }
    match current {
        Some(value) => {
            if e.update && !e.check_only {
                if let Some(g) = given {
                    sm.put_secret_value()
                        .secret_id(&w.id)
                        .secret_string(&g.value)
                        .send()
                        .await
                        .map_err(|err| error::aws(&format!("updating secret {name}"), &err))?;
                    return Ok(Prerequisite::new(
                        KIND,
                        name,
                        State::Updated,
                        format!("new value from {} (named by {by})", g.from),
                    ));
                }
            }
            Ok(match check_shape(w, &value) {
                Ok(()) => Prerequisite::new(KIND, name, State::Present, format!("named by {by}")),
                Err(why) => Prerequisite::new(
                    KIND,
                    name,
                    State::Wrong,
                    format!("its value {why} (named by {by})"),
                )
                .fix(format!("{}, with --update-secrets", how_to_give(w))),
            })
        }
        None if e.check_only => Ok(Prerequisite::new(
            KIND,
            name,
            State::Missing,
            format!("does not exist (named by {by})"),
        )
        .fix(how_to_give(w))),
        None => {
            let Some(g) = given else {
                return Ok(Prerequisite::new(
                    KIND,
                    name,
                    State::Missing,
                    format!("does not exist, and no value was given (named by {by})"),
                )
                .fix(how_to_give(w)));
            };
            let tags = [
                ("Name", config.stack_name.as_str()),
                ("Product", config.product.as_str()),
            ]
            .iter()
            .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
            .collect::<Vec<_>>();
            let created = sm
                .create_secret()
                .name(&name)
                .description(format!("{by} of {}", config.stack_name))
                .secret_string(&g.value)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(|err| error::aws(&format!("creating secret {name}"), &err))?;
            let arn = created.arn().unwrap_or_default().to_string();
            let p = Prerequisite::new(
                KIND,
                &name,
                State::Created,
                format!("from {} (named by {by})", g.from),
            );
            // A full ARN names one secret forever: a new secret of the same name has another.
            if is_full_arn(&w.id) {
                return Ok(p.needs_person().fix(renaming_fix(w, &by, &arn)));
            }
            Ok(p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(keys: &'static [&'static str]) -> Wanted {
        Wanted {
            id: "backstage/prod/github-auth".into(),
            keys,
            named_by: vec!["x".into()],
        }
    }

    #[test]
    fn names_and_variables() {
        assert_eq!(
            short_name(
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:backstage/github-app-AbCdEf"
            ),
            "backstage/github-app"
        );
        assert_eq!(
            short_name("arn:aws:secretsmanager:us-east-1:123456789012:secret:backstage/github-app"),
            "backstage/github-app"
        );
        assert_eq!(
            short_name("backstage/prod/github-auth"),
            "backstage/prod/github-auth"
        );
        assert_eq!(
            env_var("backstage/prod/github-auth"),
            "BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH"
        );
    }

    #[test]
    fn shapes_are_checked_without_showing_the_value() {
        assert!(check_shape(&w(ID_SECRET), r#"{"id":"a","secret":"b"}"#).is_ok());
        let err = check_shape(&w(ID_SECRET), r#"{"id":"a","secret":""}"#).unwrap_err();
        assert_eq!(err, "has no non-empty key `secret`");
        let err = check_shape(&w(ID_SECRET), "hunter2").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(check_shape(&w(&[]), "any: file\n").is_ok());
        assert!(check_shape(&w(&[]), "  ").is_err());
    }

    #[test]
    fn given_values_are_refused_before_any_call() {
        let wanted = vec![w(ID_SECRET)];
        let env = |k: &str| {
            (k == "BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH").then(|| r#"{"id":"a"}"#.to_string())
        };
        let err = given_values(&wanted, &[], &env).err().unwrap();
        assert_eq!(
            err.to_string(),
            "BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH: the value has no non-empty key `secret`"
        );
        let err = given_values(&wanted, &["nope=/x".into()], &|_| None)
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("--secret-file nope: the config names no such secret"),
            "{err}"
        );
        let ok = |k: &str| {
            (k == "BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH")
                .then(|| r#"{"id":"a","secret":"b"}"#.to_string())
        };
        let got = given_values(&wanted, &[], &ok).unwrap();
        assert_eq!(
            got["backstage/prod/github-auth"].from,
            "BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH"
        );
    }

    #[test]
    fn every_bad_value_is_reported_at_once() {
        let wanted = vec![w(ID_SECRET)];
        let env = |k: &str| {
            (k == "BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH").then(|| r#"{"id":"a"}"#.to_string())
        };
        let err = given_values(&wanted, &["nope=/x".into(), "no-equals-sign".into()], &env)
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "3 secret values are refused:\n  \
             --secret-file nope: the config names no such secret (it names backstage/prod/github-auth)\n  \
             --secret-file no-equals-sign: expected NAME=PATH\n  \
             BS_SECRET_BACKSTAGE_PROD_GITHUB_AUTH: the value has no non-empty key `secret`"
        );
    }
}
