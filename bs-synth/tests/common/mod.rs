//! Helpers shared by bs-synth's tests.
#![allow(dead_code, clippy::unwrap_used)]

use bs_core::assembly::Assembly;
use bs_core::config::{self, Config};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every config the template tests run on: the shipped example and the test
/// configs, each exercising other options.
pub fn config_paths() -> Vec<PathBuf> {
    let root = repo_root();
    let mut out = vec![root.join("configs/env-config.example.yaml")];
    let mut tests: Vec<PathBuf> = std::fs::read_dir(root.join("tests/configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    tests.sort();
    out.extend(tests);
    out
}

/// Each config of [`config_paths`] with its file name and assembly.
pub fn every_config() -> Vec<(String, Config, Assembly)> {
    config_paths()
        .into_iter()
        .map(|p| {
            let c = load(&p);
            let a = synth(&c);
            (p.display().to_string(), c, a)
        })
        .collect()
}

/// A JSON value that may be one item or a list (IAM's Action, Resource…) as a
/// list; absent is empty.
pub fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

pub fn load(path: &Path) -> Config {
    match config::load(path) {
        Ok(l) => l.config,
        Err(e) => panic!("{e}"),
    }
}

pub fn load_named(name: &str) -> Config {
    let root = repo_root();
    let path = if name == "example" {
        root.join("configs/env-config.example.yaml")
    } else {
        root.join(format!("tests/configs/{name}.yaml"))
    };
    load(&path)
}

pub fn synth(c: &Config) -> Assembly {
    bs_synth::assembly(c)
}

/// The template of the stack named `name`.
pub fn template<'a>(a: &'a Assembly, name: &str) -> &'a Value {
    a.stack(name)
        .and_then(|s| s.template.as_ref())
        .unwrap_or_else(|| panic!("no stack {name}"))
}

/// `(logical id, resource)` of every resource of `type_`.
pub fn resources_of<'a>(t: &'a Value, type_: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == type_)
        .collect()
}

pub fn resource<'a>(t: &'a Value, id: &str) -> &'a Value {
    t["Resources"]
        .get(id)
        .unwrap_or_else(|| panic!("no resource {id}"))
}

/// Every value anywhere in `v`, depth first.
pub fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(v);
    match v {
        Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
        Value::Object(m) => m.values().for_each(|x| walk(x, out)),
        _ => {}
    }
}
